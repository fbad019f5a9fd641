"""`Ticket.fields` read from JSON text: the same values as the `JsonValue` check gives."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import JsonValue, TypeAdapter

from routing.errors import TicketError
from routing.model import Ticket

_JSON_VALUE_FIELDS: TypeAdapter[dict[str, JsonValue]] = TypeAdapter(dict[str, JsonValue])


def reference(text: str) -> str:
    """The fields of ``{"id": "T", "fields": TEXT}`` as `JsonValue` reads them, but that a
    NaN or an infinity anywhere is an error (JSON has no such numbers: decision 0030)."""
    try:
        fields = _JSON_VALUE_FIELDS.validate_json(text)
    except ValueError:
        return "error"
    return "error" if _has_non_finite(fields) else repr(fields)


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    return False


def actual(text: str) -> str:
    try:
        return repr(Ticket.from_json('{"id": "T", "fields": ' + text + "}").fields)
    except TicketError:
        return "error"


ODD = [
    "{}",
    '{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e400, "e": -0.0, "f": 5e-324}',
    '{"e": -0.0, "f": 5e-324, "g": 1.7976931348623157e308}',
    '{"a": [1, {"b": NaN}]}',
    '{"n": 123456789012345678901234567890, "m": -9223372036854775809}',
    '{"x": 1, "y": 2, "x": 3}',
    '{"x": {"k": 1, "k": [1, {"k": null}]}}',
    '{"s": "\\u00e9\\ud83d\\ude00", "t": "\\n\\t\\"", "u": ""}',
    '{"deep": [[[[[[[[[[1]]]]]]]]]]}',
    '{"b": true, "n": null, "l": [], "o": {}}',
    "5",
    "[1]",
    '"text"',
    "null",
]


def test_odd_fields_read_as_json_value_reads_them() -> None:
    assert [actual(t) for t in ODD] == [reference(t) if t.startswith("{") else "error" for t in ODD]


json_texts = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=10,
).map(lambda v: json.dumps({"v": v}, ensure_ascii=False))


@settings(max_examples=300)
@given(json_texts)
def test_any_fields_read_as_json_value_reads_them(text: Any) -> None:
    assert actual(text) == reference(text)
