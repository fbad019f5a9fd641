"""One RFC 5322 message -> one `Ticket`, with warnings instead of exceptions.

The stdlib parser runs with the ``compat32`` policy, which keeps every header's raw value and
never raises on malformed structure (it records *defects*); decoding is done here, so that each
guess (a charset, a date) becomes a `MailWarning` and the text is never lost. docs/email.md
describes every decision.
"""

from __future__ import annotations

import email.errors
import email.parser
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import Any, Final

from routing.email._decode import (
    Warn,
    clean_text,
    decode_bytes,
    decode_header_value,
    normalize_charset,
)
from routing.model.ticket import Ticket

__all__ = [
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
    "MailWarning",
    "ParsedMail",
    "parse_message",
]

#: Bytes of a message that are parsed; the rest is cut off (``mail/too-large``).
MAX_MESSAGE_BYTES: Final = 32 * 1024 * 1024
#: MIME parts looked at, in document order.
MAX_PARTS: Final = 1000
#: Nesting of multipart and attached-message parts looked into.
MAX_DEPTH: Final = 50
#: Characters of the ticket body.
MAX_BODY_CHARS: Final = 1_000_000
#: Characters of an HTML body handed to the HTML-to-text converter.
MAX_HTML_CHARS: Final = 2_000_000
#: Header fields read, in order (a Received header is one field).
MAX_HEADER_FIELDS: Final = 1000
#: Characters of one header value in `Ticket.headers` (after joining repeated fields).
MAX_HEADER_CHARS: Final = 16_384
#: Attachments listed on the ticket.
MAX_ATTACHMENTS: Final = 200
#: Warnings kept per message; one more says how many were left out.
MAX_WARNINGS: Final = 50

#: Every warning code, with what it means.
WARNING_CODES: Final = {
    "mail/bad-date": "Date is missing, unreadable or has no time zone; created_at is the time of "
    "receipt",
    "mail/bad-charset": "text in an unknown charset, or not valid in its declared one; decoded "
    "with a fallback",
    "mail/no-from": "no usable From address; the requester comes from Reply-To or Sender, or "
    "there is none",
    "mail/defect": "malformed MIME structure or transfer encoding; what could be read was kept",
    "mail/bad-html": "the HTML body could not be converted to text; its source is the body",
    "mail/bad-message-id": "Message-ID is not usable as a ticket id; the id is a hash of the "
    "message",
    "mail/too-large": "a size limit was reached; the rest was cut off",
}

_WARNING_CHARS: Final = 300
_SHOWN_CHARS: Final = 60
_MESSAGE_ID: Final = re.compile(r"<([^<>\s]+)>")
_LANGUAGE: Final = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_HTML_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID_CHARS: Final = 250
_BLANK_RUNS: Final = re.compile(r"\n{3,}")
# RFC 5322 3.3: "-0000" is a time in UTC whose sender's zone is unknown; the stdlib reads it
# as naive.
_MINUS_ZERO: Final = re.compile(r"-0000(?!\d)")


@dataclass(frozen=True, slots=True)
class MailWarning:
    """Something in a message that could not be read as it stands, and what was done instead.

    Attributes:
        code: stable, one of `WARNING_CODES` (``mail/bad-date``, ``mail/bad-charset``, ...).
        message: one line for humans: what was found, and what the ticket holds instead.
    """

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """A message read into a ticket.

    Attributes:
        ticket: the ticket (channel ``email``, status ``new``).
        warnings: what could not be read as it stands, in the order found.
        source: where the message came from (a file, a message of an mbox), if known.
        size: the message's length in bytes, as given (before any size limit).
    """

    ticket: Ticket
    warnings: tuple[MailWarning, ...]
    source: str | None = None
    size: int = 0


class _Warnings:
    """Collects warnings: duplicates dropped, at most `MAX_WARNINGS` kept."""

    def __init__(self) -> None:
        self.items: list[MailWarning] = []
        self._seen: set[tuple[str, str]] = set()
        self.dropped = 0

    def __call__(self, code: str, message: str) -> None:
        message = " ".join(message.split())
        if len(message) > _WARNING_CHARS:
            message = message[: _WARNING_CHARS - 3] + "..."
        key = (code, message)
        if key in self._seen:
            return
        self._seen.add(key)
        if len(self.items) < MAX_WARNINGS:
            self.items.append(MailWarning(code, message))
        else:
            self.dropped += 1

    def result(self) -> tuple[MailWarning, ...]:
        if self.dropped:
            more = MailWarning("mail/too-large", f"{self.dropped} more warnings not shown")
            return (*self.items, more)
        return tuple(self.items)


def parse_message(
    data: bytes | str,
    *,
    received_at: datetime | None = None,
    source: str | None = None,
) -> ParsedMail:
    """Read one RFC 5322 message into a `Ticket`; never raises on malformed input.

    Args:
        data: the message as bytes (as stored on disk), or as text (encoded as UTF-8). A
            leading mbox ``From `` line is allowed.
        received_at: when the message was received (aware); ``created_at`` when the message
            has no usable Date. Default: the current time.
        source: where the message came from, kept on the result for messages to the user.

    Returns:
        The ticket and the warnings about what could not be read as it stands.

    Raises:
        ValueError: `received_at` is a naive datetime (a mistake of the caller, not of the
            message).

    >>> mail = parse_message(b"From: Ann <ann@example.org>\\nSubject: Hi\\n\\nHello")
    >>> mail.ticket.requester.email, mail.ticket.subject, mail.ticket.body
    ('ann@example.org', 'Hi', 'Hello')
    >>> [w.code for w in mail.warnings]
    ['mail/bad-date']
    """
    if received_at is not None and received_at.utcoffset() is None:
        raise ValueError("received_at must be an aware datetime (give a time zone)")
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)
    warn = _Warnings()
    ticket = _Reader(raw, warn, received_at).ticket()
    return ParsedMail(ticket, warn.result(), source, len(raw))


def _show(value: str) -> str:
    if len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 3] + "..."
    return repr(value)


def _defect_text(defect: object) -> str:
    doc = (type(defect).__doc__ or type(defect).__name__).strip().splitlines()[0]
    return doc[:1].lower() + doc[1:].rstrip(".")


class _Reader:
    """The work of `parse_message` for one message."""

    def __init__(self, raw: bytes, warn: _Warnings, received_at: datetime | None) -> None:
        self.raw = raw
        self.warn: Warn = warn
        self.received_at = received_at
        self.defects: dict[type, object] = {}
        if len(raw) > MAX_MESSAGE_BYTES:
            warn(
                "mail/too-large",
                f"the message has {len(raw):,} bytes; only the first "
                f"{MAX_MESSAGE_BYTES:,} were read",
            )
            raw = raw[:MAX_MESSAGE_BYTES]
        self.message = self._parse(raw)

    def _parse(self, raw: bytes) -> Message:
        try:
            return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
        except RecursionError:
            self.warn(
                "mail/defect", "MIME parts are nested too deeply to parse; only headers were read"
            )
            return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
                raw, headersonly=True
            )

    # ------------------------------------------------------------------ the ticket

    def ticket(self) -> Ticket:
        plain, html, attachments = self._walk()
        guesses = _declared_charsets(plain, html, self.message)
        headers, first = self._headers(guesses)
        data: dict[str, Any] = {
            "id": self._id(first.get("message-id")),
            "subject": first.get("subject", ""),
            "body": self._body(plain, html),
            "channel": "email",
            "status": "new",
            "requester": self._requester(first, guesses),
            "headers": headers,
            "attachments": attachments,
            "created_at": self._created_at(first.get("date")),
        }
        for defect in self.defects.values():
            self.warn("mail/defect", f"malformed message: {_defect_text(defect)}")
        return Ticket.from_dict(data)

    # ------------------------------------------------------------------ headers

    def _headers(self, guesses: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
        """`Ticket.headers` (repeated fields joined) and the first value of each name."""
        names: dict[str, str] = {}
        values: dict[str, list[str]] = {}
        for number, (name, raw) in enumerate(self.message.raw_items()):
            if number == MAX_HEADER_FIELDS:
                self.warn(
                    "mail/too-large",
                    f"more than {MAX_HEADER_FIELDS} header fields; the rest were not read",
                )
                break
            value = decode_header_value(str(raw), f"header {name!r}", self.warn, guesses=guesses)
            key = name.casefold()
            names.setdefault(key, name)
            seen = values.setdefault(key, [])
            if value not in seen:
                seen.append(value)
        headers: dict[str, str] = {}
        for key, seen in values.items():
            joined = "\n".join(seen)
            if len(joined) > MAX_HEADER_CHARS:
                self.warn(
                    "mail/too-large",
                    f"header {names[key]!r} has {len(joined):,} characters; "
                    f"kept the first {MAX_HEADER_CHARS:,}",
                )
                joined = joined[:MAX_HEADER_CHARS]
            headers[names[key]] = joined
        first = {key: seen[0][:MAX_HEADER_CHARS] for key, seen in values.items()}
        return headers, first

    def _id(self, value: str | None) -> str:
        if value is not None:
            match = _MESSAGE_ID.search(value)
            candidate = match.group(1) if match else value.strip().strip("<>").strip()
            if (
                candidate
                and len(candidate) <= _ID_CHARS
                and not any(c.isspace() for c in candidate)
            ):
                return candidate
            self.warn(
                "mail/bad-message-id",
                f"Message-ID {_show(value)} is not an id; the ticket id is a hash of the message",
            )
        return "mail-" + hashlib.sha256(self.raw).hexdigest()[:20]

    def _requester(self, first: dict[str, str], guesses: tuple[str, ...]) -> dict[str, str]:
        requester: dict[str, str] = {}
        found = None
        problem = None
        for name in ("from", "reply-to", "sender"):
            if name not in first:
                if name == "from":
                    problem = "no From header"
                continue
            found = self._address(name, guesses)
            if found is not None:
                if problem is not None:
                    label = self._spelt(name)
                    self.warn("mail/no-from", f"{problem}; the requester is taken from {label}")
                break
            if name == "from":
                problem = f"From {_show(first['from'])} has no usable address"
        if found is None:
            self.warn("mail/no-from", f"{problem or 'no address'}; the ticket has no requester")
        else:
            display, address = found
            requester["email"] = address
            if display:
                requester["name"] = display
        language = self._language(first.get("content-language"))
        if language is not None:
            requester["language"] = language
        return requester

    def _spelt(self, key: str) -> str:
        """The header name `key` (lower case) as spelt in the message."""
        for name in self.message:
            if name.casefold() == key:
                return str(name)
        return key  # pragma: no cover - only called for names present in the message

    def _address(self, key: str, guesses: tuple[str, ...]) -> tuple[str, str] | None:
        """The first (display name, address) of header `key` with a usable address."""
        raws = [
            decode_header_value(str(raw), f"header {name!r}", _ignore, guesses=guesses)
            if not str(raw).isascii()
            else " ".join(str(raw).split())
            for name, raw in self.message.raw_items()
            if name.casefold() == key
        ]
        for display, found in email.utils.getaddresses(raws[:1]):
            address = found.strip()
            local, at, domain = address.rpartition("@")
            if not (at and local and domain) or any(c.isspace() for c in address):
                continue
            name = decode_header_value(display, f"header {key!r}", self.warn) if display else ""
            return name, clean_text(address)
        return None

    @staticmethod
    def _language(value: str | None) -> str | None:
        if value is None:
            return None
        tag = value.split(",", 1)[0].strip()
        return tag if _LANGUAGE.fullmatch(tag) else None

    def _created_at(self, value: str | None) -> datetime:
        received = self.received_at or datetime.now(UTC)
        fallback = f"created_at is the time of receipt, {received.isoformat()}"
        if value is None:
            self.warn("mail/bad-date", f"no Date header; {fallback}")
            return received
        try:
            date = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            self.warn("mail/bad-date", f"Date {_show(value)} is not an RFC 5322 date; {fallback}")
            return received
        if date.utcoffset() is None and _MINUS_ZERO.search(value):
            return date.replace(tzinfo=UTC)
        if date.utcoffset() is None:
            self.warn("mail/bad-date", f"Date {_show(value)} has no time zone; {fallback}")
            return received
        return date

    # ------------------------------------------------------------------ MIME parts

    def _walk(self) -> tuple[Message | None, Message | None, list[dict[str, Any]]]:
        """The first text/plain and text/html body parts, and the attachments, in order."""
        plain: Message | None = None
        html: Message | None = None
        attachments: list[dict[str, Any]] = []
        stack: list[tuple[Message, int]] = [(self.message, 0)]
        seen = 0
        extra = 0
        while stack:
            part, depth = stack.pop()
            seen += 1
            if seen > MAX_PARTS:
                self.warn(
                    "mail/too-large", f"more than {MAX_PARTS} MIME parts; the rest were not read"
                )
                break
            self._note_defects(part)
            ctype = part.get_content_type()
            disposition = part.get_content_disposition()
            if part.is_multipart() and not (
                ctype.startswith("message/") and disposition == "attachment"
            ):
                if depth == MAX_DEPTH:
                    self.warn(
                        "mail/too-large",
                        f"MIME parts nested more than {MAX_DEPTH} deep; the deeper ones were "
                        "not read",
                    )
                    continue
                children = list(_messages(part.get_payload()))
                stack.extend((child, depth + 1) for child in reversed(children))
                continue
            filename = _filename(part, self.warn)
            if not filename and disposition != "attachment":
                if ctype == "text/plain" or part.get_content_maintype() == "multipart":
                    plain = plain or part
                    continue
                if ctype == "text/html":
                    html = html or part
                    continue
            if len(attachments) == MAX_ATTACHMENTS:
                extra += 1
                continue
            attachments.append(
                {"filename": filename, "content_type": ctype, "size": self._size(part)}
            )
        if extra:
            self.warn(
                "mail/too-large",
                f"{extra} more attachments than {MAX_ATTACHMENTS}; they are not listed",
            )
        return plain, html, attachments

    def _note_defects(self, part: Message) -> None:
        for defect in part.defects:
            self.defects.setdefault(type(defect), defect)

    def _size(self, part: Message) -> int:
        payload = part.get_payload(decode=True)
        self._note_defects(part)
        if isinstance(payload, bytes):
            return len(payload)
        # An attached message: the size of the message as it would be written out.
        return sum(len(_flatten(inner)) for inner in _messages(part.get_payload()))

    # ------------------------------------------------------------------ the body

    def _body(self, plain: Message | None, html: Message | None) -> str:
        if plain is not None:
            text = self._part_text(plain, "the text/plain body")
        elif html is not None:
            text = self._html_text(self._part_text(html, "the text/html body"))
        else:
            return ""
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n").rstrip()
        if len(text) > MAX_BODY_CHARS:
            self.warn(
                "mail/too-large",
                f"the body has {len(text):,} characters; kept the first {MAX_BODY_CHARS:,}",
            )
            text = text[:MAX_BODY_CHARS]
        return text

    def _part_text(self, part: Message, what: str) -> str:
        payload = part.get_payload(decode=True)
        self._note_defects(part)
        data = payload if isinstance(payload, bytes) else b""
        return clean_text(decode_bytes(data, part.get_content_charset(), what, self.warn))

    def _html_text(self, html: str) -> str:
        if len(html) > MAX_HTML_CHARS:
            self.warn(
                "mail/too-large",
                f"the HTML body has {len(html):,} characters; converted the first "
                f"{MAX_HTML_CHARS:,}",
            )
            html = html[:MAX_HTML_CHARS]
        html = _HTML_CONTROL.sub(" ", html)
        if not html.strip():
            return ""
        from inscriptis import get_text  # type: ignore[import-untyped]

        try:
            text = str(get_text(html))
        except Exception as exc:  # lxml and inscriptis raise many kinds; the source is kept
            self.warn("mail/bad-html", f"the HTML body could not be converted ({exc}); kept as is")
            return html
        # Layout leaves blank-padded lines and runs of empty ones: keep one empty line.
        # (Line by line: a regex for trailing blanks is quadratic on a long run of them.)
        text = "\n".join(line.rstrip(" \t\u00a0") for line in text.split("\n"))
        return _BLANK_RUNS.sub("\n\n", text)


def _ignore(code: str, message: str) -> None:
    """A `Warn` that drops warnings already reported for the same header."""


def _filename(part: Message, warn: Warn) -> str:
    """A part's file name (Content-Disposition filename, else Content-Type name), decoded."""
    name = part.get_filename() or part.get_param("name")
    if isinstance(name, tuple):  # RFC 2231 parameter that the stdlib left undecoded
        name = email.utils.collapse_rfc2231_value(name)
    if not name:
        return ""
    return decode_header_value(str(name), "an attachment's file name", warn)


def _messages(payload: object) -> Iterator[Message]:
    if isinstance(payload, list):
        yield from (m for m in payload if isinstance(m, Message))


def _flatten(message: Message) -> bytes:
    flatten: Callable[[], bytes] = message.as_bytes
    try:
        return flatten()
    except (ValueError, TypeError, LookupError, UnicodeError):
        return b""


def _declared_charsets(*parts: Message | None) -> tuple[str, ...]:
    """The charsets the message declares for its text (to read raw 8-bit headers with)."""
    found: list[str] = []
    for part in parts:
        if part is None:
            continue
        charset = normalize_charset(part.get_content_charset())
        if charset and charset not in found:
            found.append(charset)
    return tuple(found)
