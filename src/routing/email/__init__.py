"""E-mail in: RFC 5322 messages (bytes, .eml files, mbox files, Maildir folders) -> tickets.

`parse_message` turns one message into a `routing.Ticket` and never raises on malformed
input: what cannot be read as it stands becomes a `MailWarning` on the result
(``mail/bad-date``, ``mail/bad-charset``, ``mail/no-from``, ``mail/defect``, ...; every code
is in `WARNING_CODES`), and the ticket holds what could be read. `read_messages` reads every
message of a file or folder; `is_mailbox_path` tells which kind of source a path is.

The decisions (ticket id, repeated headers, requester, dates, body, attachments, size limits)
are described in docs/email.md.
"""

from routing.email._message import (
    MAX_ATTACHMENTS,
    MAX_BODY_CHARS,
    MAX_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADER_FIELDS,
    MAX_HTML_CHARS,
    MAX_MESSAGE_BYTES,
    MAX_PARTS,
    MAX_WARNINGS,
    WARNING_CODES,
    MailWarning,
    ParsedMail,
    parse_message,
)
from routing.email._sources import MAIL_KINDS, MailKind, is_mailbox_path, read_messages

__all__ = [
    "MAIL_KINDS",
    "MAX_ATTACHMENTS",
    "MAX_BODY_CHARS",
    "MAX_DEPTH",
    "MAX_HEADER_CHARS",
    "MAX_HEADER_FIELDS",
    "MAX_HTML_CHARS",
    "MAX_MESSAGE_BYTES",
    "MAX_PARTS",
    "MAX_WARNINGS",
    "WARNING_CODES",
    "MailKind",
    "MailWarning",
    "ParsedMail",
    "is_mailbox_path",
    "parse_message",
    "read_messages",
]
