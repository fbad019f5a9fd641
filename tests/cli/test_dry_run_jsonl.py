"""The ``jsonl`` projection of ``routing dry-run``: orjson where it writes what json writes.

`jsonl_line` must give exactly the text of the stdlib encoder on ``decision.to_dict()``
(or raise what it raises) for every decision; orjson only writes the decisions whose every
value it writes byte for byte the same. These tests compare the two on whole lines.
"""

from __future__ import annotations

import enum
import io
import json
import math
import random
import struct
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import routing
from routing.cli import dry_run
from routing.cli._tickets import TicketReader
from routing.model.decision import Decision, DecisionError, Effect

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
_stdlib = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Colour(enum.Enum):
    RED = 1


class Level(enum.StrEnum):
    HIGH = "high"


def decision(**changes: Any) -> Decision:
    base: dict[str, Any] = {
        "ticket_id": "T-1",
        "queue": "billing",
        "priority": "high",
        "status": "open",
        "assignee": None,
        "tags": ("a", "b"),
        "spam": False,
        "spam_score": 1.5,
        "fields": {"plan": "pro", "mrr": 800.0},
        "fired": ("r1",),
        "effects": (),
        "sla": {"policy": "p", "remaining": {"first_reply": 28800.0}, "breached": []},
        "errors": (),
    }
    return Decision(**(base | changes))


def expected(d: Decision) -> str | type[BaseException]:
    """The stdlib encoder's line for `d`, or the type of what it raises."""
    try:
        return _stdlib(d.to_dict())
    except (TypeError, ValueError, RecursionError) as exc:
        return type(exc)


def actual(d: Decision) -> str | type[BaseException]:
    try:
        return dry_run.jsonl_line(d, False)
    except (TypeError, ValueError, RecursionError) as exc:
        return type(exc)


def test_every_example_decision_is_written_as_json_writes_it() -> None:
    ruleset = routing.load(EXAMPLE / "rules")
    with TicketReader(str(EXAMPLE / "tickets.jsonl"), "jsonl") as reader:
        decisions = [
            ruleset.evaluate(r.ticket, r.now or NOW, event=r.event, history=r.history)
            for r in reader
            if r.ticket is not None
        ]
    fast = [dry_run._orjson_object(d) is not None for d in decisions]
    assert (
        [actual(d) for d in decisions],
        all(fast),
        any(d.effects for d in decisions),
    ) == ([expected(d) for d in decisions], True, True)


# Values orjson writes otherwise than json, or writes where json refuses, or refuses.
ODD: list[tuple[str, Any]] = [
    ("1e16", 1e16),
    ("-1e16", -1e16),
    ("1e-05", 1e-05),
    ("-9.999e-05", -9.999e-05),
    ("5e-324", 5e-324),
    ("1.5e+300", 1.5e300),
    ("nan", math.nan),
    ("inf", math.inf),
    ("-inf", -math.inf),
    ("int beyond 64 bits", 1 << 64),
    ("int below -2**63", -(1 << 63) - 1),
    ("int key", {1: "a"}),
    ("None key", {None: "a"}),
    ("lone surrogate", "\ud800"),
    ("plain enum", Colour.RED),
    ("str enum", Level.HIGH),
    ("uuid", uuid.UUID(int=7)),
    ("datetime", NOW),
    ("set", {"a"}),
    ("bytes", b"a"),
    ("float subclass", type("F", (float,), {})(2.5)),
    ("nested nan", [[{"x": math.nan}]]),
]


@pytest.mark.parametrize("value", [v for _, v in ODD], ids=[n for n, _ in ODD])
@pytest.mark.parametrize("where", ["fields", "sla", "spam_score", "tags", "queue", "effects"])
def test_odd_values_give_the_stdlib_text_or_its_error(where: str, value: Any) -> None:
    d = odd_decision(where, value)
    assert actual(d) == expected(d)


def odd_decision(where: str, value: Any) -> Decision:
    """A decision holding `value` at `where` (a field, the SLA object, the spam score, a
    tag, the queue or a reply's body)."""
    if where == "fields":
        return decision(fields={"x": value})
    if where == "sla":
        return decision(sla={"policy": "p", "remaining": {"first_reply": value}})
    if where == "spam_score":
        return decision(spam_score=value)
    if where == "tags":
        return decision(tags=("a", value))
    if where == "queue":
        return decision(queue=value)
    return decision(effects=(Effect("reply", "r1", body=value),))


def test_a_cycle_gives_the_stdlib_error() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    d = decision(fields=cyclic)
    assert (actual(d), expected(d)) == (ValueError, ValueError)


def test_errors_and_effects_are_written_as_json_writes_them() -> None:
    d = decision(
        effects=(Effect("notify", "r1", to="ops", headers=(("X-A", "1"),)),),
        errors=(DecisionError("E1", "bad \u2028 thing\x1f", "r1"),),
    )
    assert (dry_run._orjson_object(d) is not None, actual(d)) == (True, expected(d))


def test_orjson_writes_floats_in_range_as_repr_does() -> None:
    """The premise of `_plain`: in [1e-4, 1e16) and zero, orjson's digits are repr's."""
    rng = random.Random(6)
    values = [0.0, -0.0, 1e-4, -1e-4, 9999999999999998.0, 0.1, 1 / 3, 2.0**53, 123456.789]
    while len(values) < 100_000:
        x = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        x = math.ldexp(math.frexp(x)[0], rng.randint(-14, 53)) if math.isfinite(x) else 1.0
        values.append(x)
    inside = [x for x in values if x == 0.0 or 1e-4 <= abs(x) < 1e16]
    assert [orjson.dumps(x).decode() for x in inside] == [_stdlib(x) for x in inside]


json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(1 << 70), max_value=1 << 70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e20, max_value=1e20),
    st.text(),
    st.sampled_from([Level.HIGH, Colour.RED, NOW]),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(fields=st.dictionaries(st.text(max_size=5), json_values, max_size=5), score=json_leaves)
def test_any_decision_is_written_as_json_writes_it(fields: dict[str, Any], score: Any) -> None:
    d = decision(fields=fields, spam_score=score, sla={"remaining": {"x": score}, "v": fields})
    assert actual(d) == expected(d)


def actual_bytes(d: Any) -> bytes | type[BaseException]:
    try:
        return dry_run.jsonl_bytes(d, False)
    except (TypeError, ValueError, RecursionError) as exc:
        return type(exc)


def encoded(result: str | type[BaseException]) -> bytes | type[BaseException]:
    """The stdlib line as UTF-8 (a lone surrogate cannot be encoded: that error)."""
    if not isinstance(result, str):
        return result
    try:
        return result.encode()
    except UnicodeEncodeError as exc:
        return type(exc)


@pytest.mark.parametrize("value", [v for _, v in ODD], ids=[n for n, _ in ODD])
@pytest.mark.parametrize("where", ["fields", "sla", "spam_score", "tags", "effects"])
def test_jsonl_bytes_are_the_stdlib_text_encoded(where: str, value: Any) -> None:
    d = odd_decision(where, value)
    assert actual_bytes(d) == encoded(expected(d))


@settings(max_examples=200)
@given(fields=st.dictionaries(st.text(max_size=5), json_values, max_size=5), score=json_leaves)
def test_any_decision_gives_the_stdlib_bytes(fields: dict[str, Any], score: Any) -> None:
    d = decision(fields=fields, spam_score=score, sla={"remaining": {"x": score}, "v": fields})
    assert actual_bytes(d) == encoded(expected(d))


class LookAlike:
    """Not a Decision, with a Decision's attributes (the writer reads them one by one)."""

    def __init__(self, d: Decision) -> None:
        self.__dict__.update(d.__dict__)
        self.values = d

    def to_dict(self, *, trace: bool = False) -> dict[str, Any]:
        return self.values.to_dict(trace=trace)


@pytest.mark.parametrize("score", [1.5, 1e-05, math.nan, 3, Level.HIGH])
def test_a_decision_look_alike_is_written_as_the_decision(score: Any) -> None:
    d = decision(spam_score=score, fields={"mrr": 800.0, "odd": 1e20})
    assert (actual_bytes(LookAlike(d)), actual_bytes(d)) == (encoded(expected(d)),) * 2


def test_jsonl_to_a_text_only_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard output without a binary buffer (an io.StringIO) gets the same text."""
    from routing.cli.main import main

    tickets = str(EXAMPLE / "tickets.jsonl")
    argv = [
        "dry-run",
        str(EXAMPLE / "rules"),
        "--tickets",
        tickets,
        "--now",
        "2026-11-23T10:00:00Z",
    ]
    text = io.StringIO()
    monkeypatch.setattr(sys, "stdout", text)
    assert main([*argv, "--format", "jsonl"]) == 0
    ruleset = routing.load(EXAMPLE / "rules")
    with TicketReader(tickets, "jsonl") as reader:
        lines = [
            _stdlib(
                ruleset.evaluate(r.ticket, r.now or NOW, event=r.event, history=r.history).to_dict()
            )
            + "\n"
            for r in reader
            if r.ticket is not None
        ]
    assert text.getvalue() == "".join(lines)


@pytest.mark.parametrize("where", ["tags", "fired"])
@pytest.mark.parametrize("value", ["ab", {"a": 1}, frozenset({"a"}), ["a", "b"]])
def test_tags_and_fired_of_any_collection_are_written_as_lists(where: str, value: Any) -> None:
    """Regression: a text or a dict as the tags (or fired rules) went to orjson as it was
    (``"ab"``, ``{"a":1}``) where ``to_dict`` writes the list of its items."""
    d = decision(**{where: value})
    assert (actual(d), actual_bytes(d)) == (expected(d), encoded(expected(d)))
