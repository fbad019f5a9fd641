"""Reading recorded tickets for ``routing dry-run`` and ``routing explain``.

The format is chosen by ``--input-format``, else by the file's extension, else (for mail) by
what the path is:

- **JSON Lines** (``.jsonl``, ``.ndjson``, ``.json-lines``; and ``-``, standard input): each
  non-blank line is a ticket object, or an envelope ``{"ticket": {...}, "now": "ISO",
  "event": "updated", "history": [...]}`` that gives the ticket its own evaluation instant,
  event and reply history (every key but ``ticket`` optional). Ticket lines and envelope
  lines are each read in one pydantic-core pass over the bytes (the ticket's validator, and
  `_envelope_validator` with the ticket's inside); only a line that fails is read again the
  general way (``json.loads``, `record_from_data`), which gives the message.
- **CSV** (``.csv``): a header row names ticket keys. A dotted column (``requester.email``,
  ``headers.List-Id``, ``fields.plan``) builds nested objects; empty cells are omitted;
  ``tags`` is split on ``,`` and ``;``; ``attachments`` holds a JSON list; ``spam`` and
  ``spam_score`` are read as a boolean and a number. A ``fields.X`` cell stays a string unless
  the rule set declares ``X`` as ``number``, ``boolean`` or ``list`` (then it is converted;
  a cell that does not convert is an error of that row). A ``now`` column, when present,
  is the row's own evaluation instant, like the envelope of a JSON line.
- **E-mail** (`routing.email`): an ``.eml`` file (one message; also ``-`` with
  ``--input-format eml``), an mbox file (``.mbox``, ``.mbx``, or any file starting with
  ``From ``), or a Maildir folder (a directory with ``cur``, ``new`` or ``tmp``). Each message
  is a record whose `line` is its number in the source (1-based); a message never fails to
  read, and what could not be read as it stands is reported through ``on_warning`` as
  ``FILE: message N: warning CODE: message`` (on standard error by default).

A line that cannot be read is not an exception: the reader yields it as a `Record` with
`error` set, and the caller reports it and goes on.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Final

from pydantic import ValidationError
from pydantic_core import SchemaValidator, core_schema

from routing.errors import TicketError
from routing.model.ticket import Ticket
from routing.model.types import Kind, Type

if TYPE_CHECKING:
    from routing.email import MailKind, ParsedMail

# routing.email (and the standard library's email parser and mailbox) is imported where
# mail is read: every routing command imports this module, few of them read mail.

__all__ = [
    "INPUT_FORMATS",
    "MAIL_FORMATS",
    "Record",
    "TicketReader",
    "TicketSourceError",
    "allow_long_csv_cells",
    "guess_format",
    "parse_instant",
    "record_from_data",
]

#: The formats of e-mail sources: a message, an mbox, a Maildir folder. The same tuple as
#: `routing.email.MAIL_KINDS` (a test holds them equal), spelled here so that start-up need
#: not import routing.email.
MAIL_FORMATS: Final[tuple[MailKind, ...]] = ("eml", "mbox", "maildir")
INPUT_FORMATS: Final = ("jsonl", "csv", *MAIL_FORMATS)
_MAIL_KIND: Final[dict[str, MailKind]] = {kind: kind for kind in MAIL_FORMATS}

#: The longest CSV cell read (characters): a body of up to 64 MiB, as long as a JSON line
#: could carry; beyond it the row is an error ("field larger than field limit").
CSV_CELL_LIMIT: Final = 64 * 1024 * 1024

_EXTENSIONS: Final = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json-lines": "jsonl",
    ".csv": "csv",
    ".eml": "eml",
    ".mbox": "mbox",
    ".mbx": "mbox",
}
_ENVELOPE_PREFIXES: Final = (b'{"ticket"', b'{"now"')
_ENVELOPE_KEYS: Final = ("ticket", "now", "event", "history")
_EVENTS: Final = ("created", "updated", "replied", "status_changed")
_TRUE: Final = frozenset({"true", "yes", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})
_BUFFER: Final = 1 << 20


class TicketSourceError(Exception):
    """The ticket source as a whole cannot be read (missing file, unknown format)."""


# Not `slots=True`, with its own `__init__` (one store per field into the instance dict, as
# routing.model.decision.Decision does): the generated frozen __init__ costs about 1.3 µs per
# record, this one about 0.5 µs.
@dataclass(frozen=True, init=False)
class Record:
    """One line (or CSV row) of a ticket source: a ticket, or why there is none."""

    line: int
    ticket: Ticket | None
    now: datetime | None = None
    error: str | None = None
    event: str = "created"
    history: tuple[Mapping[str, Any], ...] = ()

    def __init__(
        self,
        line: int,
        ticket: Ticket | None,
        now: datetime | None = None,
        error: str | None = None,
        event: str = "created",
        history: tuple[Mapping[str, Any], ...] = (),
    ) -> None:
        d = self.__dict__
        d["line"] = line
        d["ticket"] = ticket
        d["now"] = now
        d["error"] = error
        d["event"] = event
        d["history"] = history


def allow_long_csv_cells() -> None:
    """Raise the csv module's cell limit to `CSV_CELL_LIMIT` in this process.

    The module refuses a cell over 128 KiB by default; a ticket body (a pasted log, an HTML
    mail) can be longer, and a JSON line has no such limit. The limit is the module's, per
    process, so it is only ever raised, never lowered.
    """
    if csv.field_size_limit() < CSV_CELL_LIMIT:
        csv.field_size_limit(CSV_CELL_LIMIT)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with a UTC offset (``Z`` allowed).

    Raises:
        ValueError: with a one-line message, for a malformed or naive value.
    """
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(
            f"expected an ISO 8601 date-time with offset, found {json.dumps(text)}"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{json.dumps(text)} has no UTC offset; give one, e.g. {text}+00:00")
    return value


def guess_format(path: str, given: str | None) -> str:
    """The input format: `given`, else from the extension (``-`` is JSON Lines), else mail.

    A path with no known extension is mail when `routing.email.is_mailbox_path` says so: a
    Maildir folder, a file starting with ``From `` (mbox), or one whose first line is a header
    field (a single message).

    Raises:
        TicketSourceError: the path does not exist, or its format cannot be told.
    """
    if given is not None:
        return given
    if path == "-":
        return "jsonl"
    ext = os.path.splitext(path)[1].lower()
    known = _EXTENSIONS.get(ext)
    if known is not None:
        return known
    from routing.email import is_mailbox_path

    kind = is_mailbox_path(path)
    if kind is not None:
        return kind
    if not os.path.exists(path):
        raise TicketSourceError(f"tickets file '{path}' not found")
    if os.path.isdir(path):
        raise TicketSourceError(
            f"'{path}' is a directory but not a Maildir (it has no cur, new or tmp folder)"
        )
    extensions = ", ".join(_EXTENSIONS)
    raise TicketSourceError(
        f"cannot tell the format of '{path}' from its extension (known: {extensions}) or its "
        f"content; pass --input-format ({', '.join(INPUT_FORMATS)})"
    )


def _stderr_line(text: str) -> None:
    sys.stderr.write(text + "\n")


class TicketReader:
    """Iterates the `Record` of each ticket line of a file (or of standard input for ``-``).

    `bytes_read` grows as lines are read (for a progress bar); `size` is the file's size,
    or None for standard input, an mbox file and a Maildir folder (read message by message).
    For mail, `on_warning` receives one line per `routing.email.MailWarning`
    (``FILE: message N: warning CODE: message``); by default it goes to standard error.
    """

    def __init__(
        self,
        path: str,
        fmt: str,
        *,
        field_types: Mapping[str, Type] | None = None,
        stdin: IO[bytes] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        self.fmt = fmt
        self.bytes_read = 0
        self.size: int | None = None
        self._field_types = dict(field_types or {})
        self._bad_lines: set[int] = set()
        self._on_warning = on_warning or _stderr_line
        self._file: IO[bytes]
        if fmt in MAIL_FORMATS and not (path == "-" and fmt == "eml"):
            self._file = _check_mail_source(path, fmt)
            self.size = _mail_size(path, fmt)
            return
        if path == "-":
            self._file = stdin if stdin is not None else sys.stdin.buffer
        else:
            if os.path.isdir(path):
                raise TicketSourceError(f"'{path}' is a directory, expected a tickets file")
            try:
                self._file = open(path, "rb", buffering=_BUFFER)  # noqa: SIM115 - closed in close()
            except FileNotFoundError:
                raise TicketSourceError(f"tickets file '{path}' not found") from None
            except OSError as exc:
                raise TicketSourceError(f"cannot read '{path}': {exc.strerror or exc}") from None
            self.size = os.fstat(self._file.fileno()).st_size

    def close(self) -> None:
        if self.path != "-":
            self._file.close()

    def __enter__(self) -> TicketReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Record]:
        if self.fmt == "csv":
            return self._csv()
        if self.fmt in MAIL_FORMATS:
            return self._mail()
        return self._jsonl()

    # ------------------------------------------------------------------ e-mail

    def _mail(self) -> Iterator[Record]:
        from routing.email import parse_message, read_messages

        if self.path == "-":
            data = self._file.read()
            self.bytes_read += len(data)
            messages: Iterator[ParsedMail] = iter([parse_message(data, source=self.name)])
        else:
            messages = read_messages(self.path, kind=_MAIL_KIND[self.fmt])
        number = 0
        while True:
            try:
                mail = next(messages)
            except StopIteration:
                return
            except OSError as exc:
                where = exc.filename or self.path
                raise TicketSourceError(f"cannot read '{where}': {exc.strerror or exc}") from None
            number += 1
            self.bytes_read += mail.size
            if mail.warnings:
                where = f"{self.name}: message {number}"
                if self.fmt == "maildir" and mail.source is not None:
                    where += f" ({os.path.relpath(mail.source, self.path)})"
                for warning in mail.warnings:
                    self._on_warning(f"{where}: warning {warning.code}: {warning.message}")
            yield Record(number, mail.ticket)

    # ------------------------------------------------------------------ JSON Lines

    def _jsonl(self) -> Iterator[Record]:
        # The hot loop of dry-run: validators bound once, no Python frame per plain line
        # beyond this one. A line that fails goes the general way (`_line_error`), which
        # gives the same messages as before.
        validate_json = Ticket.__pydantic_validator__.validate_json
        validate_envelope = _envelope_validator().validate_json
        number = 0
        for raw in self._file:
            number += 1
            self.bytes_read += len(raw)
            line = raw.strip()
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line:
                continue
            if not line.startswith(_ENVELOPE_PREFIXES):
                try:
                    ticket = validate_json(line)
                except ValidationError:
                    yield _line_error(number, line)
                    continue
                yield Record(number, ticket)
                continue
            try:
                envelope = validate_envelope(line)
            except ValidationError:
                envelope = None
            record = None if envelope is None else _valid_envelope(number, envelope)
            yield record if record is not None else _envelope_line(number, line)

    # ------------------------------------------------------------------ CSV

    def _csv(self) -> Iterator[Record]:
        allow_long_csv_cells()
        lines = self._decoded_lines()
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TicketSourceError(f"{self.name}:1: cannot read the CSV header: {exc}") from None
        if self._bad_lines:
            raise TicketSourceError(f"{self.name}:1: the CSV header is not UTF-8 text")
        columns = [_column_path(c) for c in header]
        _check_columns(self.name, header, columns)
        last = reader.line_num
        while True:
            start = last + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                last = reader.line_num
                yield Record(start, None, None, f"not CSV: {exc}")
                continue
            last = reader.line_num
            if self._bad_lines and any(n in self._bad_lines for n in range(start, last + 1)):
                yield Record(start, None, None, "not UTF-8 text")
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                yield Record(
                    start, None, None, f"{len(row)} cells, but the header has {len(columns)}"
                )
                continue
            yield self._csv_record(start, columns, row)

    def _decoded_lines(self) -> Iterator[str]:
        for number, raw in enumerate(self._file, 1):
            self.bytes_read += len(raw)
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")  # noqa: PLW2901
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self._bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")

    def _csv_record(self, line: int, columns: list[tuple[str, ...]], row: list[str]) -> Record:
        data: dict[str, Any] = {}
        now: datetime | None = None
        try:
            for path, cell in zip(columns, row, strict=False):
                if cell == "":
                    continue
                if path == ("now",):
                    now = _instant(cell)
                    continue
                target = data
                for key in path[:-1]:
                    target = target.setdefault(key, {})
                target[path[-1]] = self._cell(path, cell)
        except ValueError as exc:
            return Record(line, None, None, str(exc))
        try:
            return Record(line, Ticket.from_dict(data), now)
        except TicketError as exc:
            return Record(line, None, None, str(exc))

    def _cell(self, path: tuple[str, ...], cell: str) -> Any:
        if path == ("tags",):
            return _split(cell)
        if path == ("attachments",):
            try:
                return json.loads(cell)
            except (ValueError, RecursionError):
                raise ValueError(
                    f"attachments: expected a JSON list, found {json.dumps(cell)}"
                ) from None
        if path == ("spam",):
            return _boolean("spam", cell)
        if path == ("spam_score",):
            return _number("spam_score", cell)
        if len(path) == 2 and path[0] == "fields":
            declared = self._field_types.get(path[1])
            if declared is not None:
                return _convert_field(path[1], declared, cell)
        return cell


def _check_mail_source(path: str, fmt: str) -> IO[bytes]:
    """Check that a mail source exists and has the right kind (it is read by `routing.email`).

    Returns an empty stand-in for the reader's file, so that `close` works as for the others.
    """
    if path == "-":
        raise TicketSourceError(f"{fmt} cannot be read from standard input; give its path")
    if not os.path.exists(path):
        raise TicketSourceError(f"tickets file '{path}' not found")
    if fmt == "maildir":
        if not os.path.isdir(path):
            raise TicketSourceError(f"'{path}' is not a directory, expected a Maildir folder")
        return io.BytesIO()
    if os.path.isdir(path):
        raise TicketSourceError(f"'{path}' is a directory, expected an {fmt} file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise TicketSourceError(f"cannot read '{path}': {exc.strerror or exc}") from None
    return io.BytesIO()


def _mail_size(path: str, fmt: str) -> int:
    """The bytes of a mail source: its file, or the message files of a Maildir."""
    if fmt != "maildir":
        return os.path.getsize(path)
    total = 0
    for folder in ("new", "cur"):
        directory = os.path.join(path, folder)
        if os.path.isdir(directory):
            with os.scandir(directory) as entries:
                total += sum(e.stat().st_size for e in entries if e.is_file())
    return total


def _not_utf8(line: bytes) -> str | None:
    """Our own message for a line that is not UTF-8 (the JSON parser's wording varies)."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text: byte 0x{line[exc.start]:02x} at column {exc.start + 1}"
    return None


def _envelope_or_none(number: int, line: bytes) -> Record | None:
    """The record of an envelope line; None when the line is not a JSON envelope."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for json
        return None
    if not isinstance(data, dict) or "ticket" not in data:
        return None
    return record_from_data(number, data)


def _line_error(number: int, line: bytes) -> Record:
    """The record of a line that is not a valid ticket object (maybe a spaced-out envelope)."""
    try:
        Ticket.from_json(line)
    except TicketError as exc:
        bad = _not_utf8(line)
        if bad is not None:
            return Record(number, None, None, bad)
        # Maybe an envelope written with spaces or other key order.
        record = _envelope_or_none(number, line)
        return record if record is not None else Record(number, None, None, str(exc))
    raise AssertionError("a line that failed validation passed it")  # pragma: no cover


def _envelope_line(number: int, line: bytes) -> Record:
    """The record of a line that starts like an envelope, read the general way."""
    record = _envelope_or_none(number, line)
    if record is None:  # starts like an envelope, yet is not JSON
        try:
            Ticket.from_json(line)
        except TicketError as exc:
            record = Record(number, None, None, str(exc))
        else:  # pragma: no cover - a ticket has no 'ticket' or 'now' key
            record = Record(number, None, None, "not an envelope")
    return record


@functools.cache
def _envelope_validator() -> SchemaValidator:
    """Reads an envelope line and validates its ticket in one pydantic-core pass.

    ``now``, ``event`` and ``history`` are taken as they are and checked by `_valid_envelope`;
    an unknown key, a missing or bad ticket fail here. What fails either way is read again by
    `record_from_data`, so messages stay as they were; what passes gives the very values that
    ``record_from_data(json.loads(line))`` gives (tests/cli/test_tickets_reader.py).
    """
    anything = core_schema.any_schema()
    return SchemaValidator(
        core_schema.typed_dict_schema(
            {
                "ticket": core_schema.typed_dict_field(Ticket.__pydantic_core_schema__),
                "now": core_schema.typed_dict_field(anything, required=False),
                "event": core_schema.typed_dict_field(anything, required=False),
                "history": core_schema.typed_dict_field(anything, required=False),
            },
            extra_behavior="forbid",
        )
    )


def _valid_envelope(number: int, data: dict[str, Any]) -> Record | None:
    """The record of a validated envelope; None when `record_from_data` would report an error."""
    now = data.get("now")
    if now is not None:
        if type(now) is not str:
            return None
        try:
            now = parse_instant(now)
        except ValueError:
            return None
    event = data.get("event")
    if event is None:
        event = "created"
    elif event not in _EVENTS:
        return None
    history = data.get("history")
    if history is None:
        history = ()
    elif type(history) is list and all(type(h) is dict for h in history):
        history = tuple(history)
    else:
        return None
    return Record(number, data["ticket"], now, None, event, history)


def record_from_data(line: int, data: Any) -> Record:
    """The record of one parsed JSON value: a ticket object or an envelope."""
    if not isinstance(data, dict):
        return Record(line, None, None, f"ticket: expected an object, found {_kind(data)}")
    if "ticket" not in data:
        try:
            return Record(line, Ticket.from_dict(data))
        except TicketError as exc:
            return Record(line, None, None, str(exc))
    extra = [key for key in data if key not in _ENVELOPE_KEYS]
    if extra:
        return Record(
            line,
            None,
            None,
            f"envelope: unknown key '{extra[0]}' (it has 'ticket', 'now', 'event', 'history')",
        )
    now: datetime | None = None
    if data.get("now") is not None:
        if not isinstance(data["now"], str):
            return Record(
                line,
                None,
                None,
                f"now: expected an ISO 8601 date-time with offset, found {_kind(data['now'])}",
            )
        try:
            now = parse_instant(data["now"])
        except ValueError as exc:
            return Record(line, None, None, f"now: {exc}")
    event = data.get("event")
    if event is None:
        event = "created"
    elif event not in _EVENTS:
        return Record(
            line, None, None, f"event: expected one of {', '.join(_EVENTS)}, found {_kind(event)}"
        )
    history = data.get("history")
    if history is None:
        history = []
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        return Record(line, None, None, "history: expected a list of objects {to, at, template}")
    ticket = data["ticket"]
    if not isinstance(ticket, dict):
        return Record(line, None, None, f"ticket: expected an object, found {_kind(ticket)}")
    try:
        return Record(line, Ticket.from_dict(ticket), now, None, event, tuple(history))
    except TicketError as exc:
        return Record(line, None, None, str(exc))


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _instant(cell: str) -> datetime:
    try:
        return parse_instant(cell)
    except ValueError as exc:
        raise ValueError(f"now: {exc}") from None


def _column_path(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in name.strip().split("."))


def _check_columns(source: str, header: list[str], columns: list[tuple[str, ...]]) -> None:
    for i, (name, path) in enumerate(zip(header, columns, strict=True)):
        if any(not part for part in path):
            raise TicketSourceError(f"{source}:1: column '{name}' is not a ticket key path")
        for other_name, other in zip(header[:i], columns[:i], strict=True):
            n = min(len(path), len(other))
            if path[:n] == other[:n]:
                raise TicketSourceError(
                    f"{source}:1: column '{name}' conflicts with column '{other_name}'"
                )


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.replace(";", ",").split(",") if part.strip()]


def _boolean(name: str, cell: str) -> bool:
    word = cell.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{name}: expected true or false, found {json.dumps(cell)}")


def _number(name: str, cell: str) -> int | float:
    text = cell.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}: expected a number, found {json.dumps(cell)}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, found {json.dumps(cell)}")
    return value


def _convert_field(name: str, declared: Type, cell: str) -> Any:
    kind = declared.kind
    if kind is Kind.NUMBER:
        return _number(f"fields.{name}", cell)
    if kind is Kind.BOOL:
        return _boolean(f"fields.{name}", cell)
    if kind is Kind.LIST:
        items = _split(cell)
        if declared.item is not None and declared.item.kind is Kind.NUMBER:
            return [_number(f"fields.{name}", item) for item in items]
        return items
    return cell
