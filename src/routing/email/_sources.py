"""Where messages come from: a single .eml file, an mbox file, or a Maildir folder."""

from __future__ import annotations

import mailbox
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Final, Literal

from routing.email._message import ParsedMail, parse_message

__all__ = ["MAIL_KINDS", "MailKind", "is_mailbox_path", "read_messages"]

#: The kinds of mail source `read_messages` reads.
MailKind = Literal["eml", "mbox", "maildir"]
MAIL_KINDS: Final[tuple[MailKind, ...]] = ("eml", "mbox", "maildir")

_EXTENSIONS: Final[dict[str, MailKind]] = {".eml": "eml", ".mbox": "mbox", ".mbx": "mbox"}
_MAILDIR_FOLDERS: Final = ("new", "cur", "tmp")
# The first line of a message: a header field name and its colon. RFC 5322 allows any
# printable ASCII in a name, but real ones are words with hyphens; a JSON line ({"id": ...)
# must not look like mail.
_HEADER_LINE: Final = re.compile(rb"[A-Za-z][A-Za-z0-9_.-]*:")
# ... and somewhere before the first blank line, a field every message has (so that a YAML or
# other "key: value" file is not taken for mail).
_MAIL_HEADER: Final = re.compile(
    rb"^(?:from|date|subject|message-id|received|return-path|mime-version|delivered-to):",
    re.IGNORECASE | re.MULTILINE,
)
_SNIFF_BYTES: Final = 4096


def is_mailbox_path(path: str | os.PathLike[str]) -> MailKind | None:
    """What kind of mail source `path` is, or None when it is none (or does not exist).

    - a directory with a ``cur``, ``new`` or ``tmp`` folder: ``"maildir"`` (version control
      drops empty folders, so not all three are required);
    - a file named ``*.eml``: ``"eml"``; ``*.mbox`` or ``*.mbx``: ``"mbox"``;
    - another file that starts with ``From `` (an mbox separator line): ``"mbox"``;
    - another file whose first line is a header field (``Name: value``) and whose first 4 KiB
      hold, before any blank line, a From, Date, Subject, Message-ID, Received, Return-Path,
      MIME-Version or Delivered-To field: ``"eml"``.
    """
    name = os.fspath(path)
    if os.path.isdir(name):
        folders = (os.path.join(name, f) for f in _MAILDIR_FOLDERS)
        return "maildir" if any(os.path.isdir(f) for f in folders) else None
    kind = _EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if kind is not None:
        return kind
    try:
        with open(name, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return None
    if head.startswith(b"From "):
        return "mbox"
    if _HEADER_LINE.match(head) and _MAIL_HEADER.search(head.split(b"\n\n", 1)[0]):
        return "eml"
    return None


def read_messages(
    path: str | os.PathLike[str],
    *,
    received_at: datetime | None = None,
    kind: MailKind | None = None,
) -> Iterator[ParsedMail]:
    """Parse every message of a mail source, in a deterministic order.

    Args:
        path: an .eml file (one message), an mbox file, or a Maildir folder.
        received_at: the time of receipt for messages without a usable Date. Default: the
            modification time of the file holding the message (for an mbox, the mbox file).
        kind: the kind of source; default: `is_mailbox_path`.

    Returns:
        One `ParsedMail` per message: mbox messages in file order, Maildir messages (in
        ``new`` and ``cur``) sorted by file name. `ParsedMail.source` names the message:
        the file, or ``"PATH, message N"`` for the N-th message of an mbox.

    Raises:
        ValueError: `path` is not a mail source (and `kind` is not given).
        OSError: the source or one of its messages cannot be read.
    """
    name = os.fspath(path)
    if kind is None:
        if not os.path.exists(name):
            raise FileNotFoundError(2, "no such file or directory", name)
        kind = is_mailbox_path(name)
        if kind is None:
            raise ValueError(f"'{name}' is not an .eml file, an mbox file or a Maildir folder")
    if kind == "maildir":
        return _maildir(name, received_at)
    if kind == "mbox":
        return _mbox(name, received_at)
    return _eml(name, received_at)


def _mtime(path: str) -> datetime:
    return datetime.fromtimestamp(os.stat(path).st_mtime, UTC)


def _eml(path: str, received_at: datetime | None) -> Iterator[ParsedMail]:
    with open(path, "rb") as handle:
        data = handle.read()
    yield parse_message(data, received_at=received_at or _mtime(path), source=path)


def _mbox(path: str, received_at: datetime | None) -> Iterator[ParsedMail]:
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a directory, expected an mbox file", path)
    received = received_at or _mtime(path)
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), 1):
            yield parse_message(
                box.get_bytes(key), received_at=received, source=f"{path}, message {number}"
            )
    finally:
        box.close()


def maildir_files(path: str) -> list[str]:
    """The message files of a Maildir (``new`` and ``cur``), sorted by file name."""
    found: list[tuple[str, str]] = []
    for folder in ("new", "cur"):
        directory = os.path.join(path, folder)
        if not os.path.isdir(directory):
            continue
        with os.scandir(directory) as entries:
            found.extend(
                (entry.name, entry.path)
                for entry in entries
                if not entry.name.startswith(".") and entry.is_file()
            )
    return [file for _, file in sorted(found)]


def _maildir(path: str, received_at: datetime | None) -> Iterator[ParsedMail]:
    if not os.path.isdir(path):
        raise NotADirectoryError(20, "not a directory, expected a Maildir folder", path)
    for file in maildir_files(path):
        with open(file, "rb") as handle:
            data = handle.read()
        yield parse_message(data, received_at=received_at or _mtime(file), source=file)
