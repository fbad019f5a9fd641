"""The JSON Lines reader's fast paths against the general way of reading a line.

`TicketReader` validates a plain ticket line with one pydantic-core pass, and an envelope
line with one pass of `_envelope_validator` (the ticket included). Whatever either refuses is
read again the general way (``json.loads`` and `record_from_data`), so every record (value
or message) must be what `reference` below, the reader as it was, gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.model.strategies_ticket import ticket_dicts

from routing.cli import _tickets
from routing.cli._tickets import Record, TicketReader, record_from_data
from routing.errors import TicketError
from routing.model.ticket import Ticket

_PREFIXES = (b'{"ticket"', b'{"now"')


def reference(number: int, line: bytes) -> Record:
    """The record of one stripped, non-blank line, read the general way (as before)."""

    def envelope() -> Record | None:
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or "ticket" not in data:
            return None
        return record_from_data(number, data)

    if not line.startswith(_PREFIXES):
        try:
            return Record(number, Ticket.from_json(line))
        except TicketError as exc:
            bad = _tickets._not_utf8(line)
            if bad is not None:
                return Record(number, None, None, bad)
            record = envelope()
            return record if record is not None else Record(number, None, None, str(exc))
    record = envelope()
    if record is None:
        try:
            Ticket.from_json(line)
        except TicketError as exc:
            return Record(number, None, None, str(exc))
    assert record is not None
    return record


def comparable(record: Record) -> tuple[Any, ...]:
    """A record with its ticket's set fields too (pydantic equality leaves them out)."""
    ticket = record.ticket
    fields_set = None if ticket is None else sorted(ticket.model_fields_set)
    return (record, fields_set)


def same(actual: list[Record], wanted: list[Record]) -> list[int]:
    """The positions where two lists of records differ (NaN equal to NaN: by repr then)."""
    pairs = zip(map(comparable, actual), map(comparable, wanted), strict=False)
    differ = [i for i, (a, b) in enumerate(pairs) if a != b and repr(a) != repr(b)]
    return differ + ([-1] if len(actual) != len(wanted) else [])


def read(tmp_path: Path, lines: list[bytes]) -> list[Record]:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with TicketReader(str(path), "jsonl") as reader:
        return list(reader)


def expected(lines: list[bytes]) -> list[Record]:
    out = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if line:
            out.append(reference(number, line))
    return out


TICKET = '{"id": "T-1", "subject": "Hi", "requester": {"email": "a@B.example"}}'
_ODD: list[str | bytes] = [
    TICKET,
    '{"ticket": ' + TICKET + "}",
    '{"ticket": ' + TICKET + ', "now": "2026-11-23T10:00:00+01:00", "event": "updated"}',
    '{"now": "2026-11-23T10:00:00Z", "ticket": ' + TICKET + "}",
    '{ "ticket": ' + TICKET + "}",  # spaced-out envelope: the plain path's fallback
    '{"ticket": {"id": "a"}, "ticket": {"id": "b"}}',  # duplicate keys: the last wins
    '{"ticket": {"id": "a", "id": "b", "fields": {"x": 1, "y": 2, "x": 3}}}',
    '{"ticket": {"id": "a"}, "history": [{"to": "x", "at": "2026-01-01T00:00:00Z"}]}',
    '{"ticket": {"id": "a"}, "history": [{"to": "x", "to": "y", "n": 123456789012345678901}]}',
    '{"ticket": {"id": "a"}, "history": [{"at": NaN, "x": 1e400, "y": -0.0, "z": 1e-320}]}',
    '{"ticket": {"id": "a", "fields": {"n": NaN, "big": 123456789012345678901234567890}}}',
    '{"ticket": {"id": "a", "subject": "\\ud800 lone"}}',  # a lone surrogate escape
    '{"ticket": {"id": "a", "subject": "\\ud83d\\ude00 pair"}}',
    '{"id": "a", "subject": "\\ud800 lone"}',
    '{"ticket": {"id": "a"}, "history": [{"to": "\\udfff"}]}',
    b'{"ticket": {"id": "a", "subject": "caf\xe9"}}',  # not UTF-8
    b'{"id": "a", "subject": "caf\xe9"}',
    '{"ticket": {"id": "a"}, "colour": "red"}',
    '{"ticket": {"id": "a"}, "now": 5}',
    '{"ticket": {"id": "a"}, "now": "2026-11-23T10:00:00"}',
    '{"ticket": {"id": "a"}, "now": "tomorrow"}',
    '{"ticket": {"id": "a"}, "now": null, "event": null, "history": null}',
    '{"ticket": {"id": "a"}, "event": "deleted"}',
    '{"ticket": {"id": "a"}, "event": ["created"]}',
    '{"ticket": {"id": "a"}, "history": {"to": "x"}}',
    '{"ticket": {"id": "a"}, "history": [1]}',
    '{"ticket": [1]}',
    '{"ticket": {"id": ""}, "now": "bad"}',
    '{"ticket": {"id": 5, "priority": "later"}}',
    '{"now": "2026-11-23T10:00:00Z"}',
    '{"now": "2026-11-23T10:00:00Z", "id": "x"}',
    '{"ticket": {"id": "a"}',
    '{"ticket": {"id": "a"}} trailing',
    '{"id": "a", "spam_score": 1}',
    '{"ticket": {"id": "a", "spam_score": 1, "spam": true}}',
    '{"ticket": {"id": "a", "created_at": 1700000000}}',
    '{"ticket": {"id": "a", "created_at": "2026-11-23T10:00:00.123456789+05:30"}}',
    '{"ticket": {"id": "a", "tags": ["X ", "x", " \\u00c9T\\u00c9 "]}}',
    '{"ticket": {"id": "a", "headers": {"List-Id": "x", "list-id": "y"}}}',
    "[1, 2]",
    "not json",
    "",
    "   ",
]
ODD_LINES: list[bytes] = [
    line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line for line in _ODD
]


def test_odd_lines_read_as_the_general_way_reads_them(tmp_path: Path) -> None:
    lines = [b"\xef\xbb\xbf" + ODD_LINES[1], *ODD_LINES]
    assert same(read(tmp_path, lines), expected(lines)) == []


def test_the_envelope_fast_path_is_taken_for_valid_envelopes() -> None:
    """The differential test above must compare the fast path, not the fallback, with it."""
    line = ODD_LINES[2]
    data = _tickets._envelope_validator().validate_json(line)
    record = _tickets._valid_envelope(3, data)
    assert record is not None
    assert same([record], [reference(3, line)]) == []


events = st.sampled_from(["created", "updated", "replied", "status_changed", "deleted", 5])
instants = st.sampled_from(
    ["2026-11-23T10:00:00Z", "2026-11-23T10:00:00+05:30", "2026-11-23T10:00:00", "x", 7]
)
histories = st.lists(
    st.dictionaries(
        st.sampled_from(["to", "at", "template"]),
        st.text(max_size=8) | st.integers() | st.floats(),
        max_size=3,
    ),
    max_size=3,
) | st.sampled_from([[1], {"to": "x"}, "x"])
envelopes = st.fixed_dictionaries(
    {"ticket": ticket_dicts()},
    optional={"now": st.none() | instants, "event": st.none() | events, "history": histories},
)


def _plain(value: Any) -> Any:
    """What json.dumps cannot write as it is: sets as lists, date-times as ISO text."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value.isoformat()


@settings(max_examples=200, deadline=None)
@given(st.lists(envelopes | ticket_dicts(), min_size=1, max_size=6), st.booleans())
def test_any_lines_read_as_the_general_way_reads_them(
    tmp_path_factory: Any, items: list[dict[str, Any]], ascii_only: bool
) -> None:
    lines = [json.dumps(i, default=_plain, ensure_ascii=ascii_only) for i in items]
    raw = [line.encode("utf-8", "surrogatepass") for line in lines]
    tmp_path = tmp_path_factory.mktemp("lines")
    assert same(read(tmp_path, raw), expected(raw)) == []
