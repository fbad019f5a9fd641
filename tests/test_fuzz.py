"""Hostile input end to end: mutated tickets through the example rules (evaluate, explain, the
JSON Lines writer), CSV files through `routing dry-run`, mutated rule tests through
`routing test`, and odd arguments through `routing sla`. Nothing may escape as a traceback,
no decision may carry a Python exception's text, and every JSON line must be strict JSON.

Longer runs of these harnesses found the bugs of decisions 0028 and 0030 and the explain
fixes of that session. CI runs a few examples of each; ``ROUTING_FUZZ_EXAMPLES=5000`` runs
more on demand (and ``tests/dsl/test_robustness.py`` / ``test_formatter.py`` fuzz the rule
files themselves).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing
from routing.cli.dry_run import jsonl_bytes
from routing.cli.explain import render_text
from routing.cli.main import main
from routing.errors import TicketError
from routing.model.ticket import Ticket
from tests.strategies import MUTATIONS, Mutation, mutate

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "helpdesk"
FUZZ = settings(
    max_examples=int(os.environ.get("ROUTING_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
#: what a decision error must not look like: a Python exception's own text
PYTHON_ERROR = re.compile(r"^(?:[A-Z]\w*(?:Error|Exception)\b|Traceback)")


@pytest.fixture(scope="module")
def example() -> routing.Ruleset:
    return routing.load(EXAMPLE / "rules")


def _example_tickets() -> list[dict[str, Any]]:
    out = []
    for line in (EXAMPLE / "tickets.jsonl").read_text(encoding="utf-8").splitlines()[:200]:
        data = json.loads(line)
        out.append(data.get("ticket", data))
    return out


TICKETS = _example_tickets()
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [
            *("", "free", "pro", "enterprise", "de", "ja", "x@y", "@", "2026-11-23T10:00:00Z"),
            *("2026-02-30", "Europe/Berlin", "urgent", "vip", "http://x", "İ", "\x00", "[/x]"),
            *(float("nan"), float("-inf"), 1e308),
            # a CRM's "never" and the first instant: outside the years a calendar covers,
            # and without a local time in some zones
            *("9999-12-31T23:30:00+00:00", "0001-01-01T00:10:00+00:00"),
        ]
    ),
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_PATHS = st.sampled_from(
    [
        *("fields.plan", "fields.mrr", "fields.order_id", "fields.product", "fields.new"),
        *("requester.email", "requester.name", "requester.language", "requester.timezone"),
        *("requester.domain", "tags", "headers", "subject", "body", "created_at", "updated_at"),
        *("priority", "status", "channel", "queue", "assignee", "spam", "spam_score"),
        *("attachments", "fields", "requester"),
    ]
)
_EVENTS = st.sampled_from(["created", "updated", "replied", "status_changed"])


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    data[last] = value


def _no_python_errors(decision: routing.Decision) -> None:
    assert [e.message for e in decision.errors if PYTHON_ERROR.match(e.message)] == []


@FUZZ
@given(
    st.sampled_from(TICKETS),
    st.lists(st.tuples(_PATHS, _JSON), min_size=1, max_size=4),
    _EVENTS,
    st.integers(-400, 400),
)
def test_mutated_tickets_decide_explain_and_write_strict_json(
    example: routing.Ruleset,
    ticket: dict[str, Any],
    edits: list[tuple[str, Any]],
    event: str,
    hours: int,
) -> None:
    data = json.loads(json.dumps(ticket))
    for path, value in edits:
        _set(data, path, value)
    try:
        parsed = Ticket.from_dict(data)
    except TicketError:
        return
    now = NOW + timedelta(hours=hours)
    decision = example.evaluate(parsed, now, event=event)
    _no_python_errors(decision)
    orjson.loads(jsonl_bytes(decision, False))
    explained = example.explain(parsed, now, event=event)
    assert explained.fired == decision.fired
    orjson.loads(jsonl_bytes(explained, True))
    render_text(explained, now)


# The ends of the datetime range: a CRM's "never" (9999-12-31) and the first years, with
# offsets that push the wall-clock time or the UTC instant over the edge. Calendars cover
# the years 2 to 9997; `hour`/`weekday` need a local time in years 1 to 9999.
_EDGE_INSTANTS = st.sampled_from(
    [
        *("9999-12-31T23:30:00+00:00", "9999-12-31T10:00:00-12:00", "9998-06-01T10:00:00+00:00"),
        *("9997-12-31T23:59:59+00:00", "0001-01-01T00:10:00+00:00", "0001-01-01T23:00:00+14:00"),
        "0002-01-01T00:00:00+00:00",
        # in UTC, the year 10000 and the year 0: outside what `datetime` holds
        *("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"),
    ]
)
_EDGE_NOWS = st.sampled_from(
    [NOW, datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, 0, 30, tzinfo=UTC)]
)


@FUZZ
@given(
    st.sampled_from(TICKETS),
    st.sampled_from(["created_at", "updated_at", "fields.due"]),
    _EDGE_INSTANTS,
    _EDGE_NOWS,
    _EVENTS,
)
def test_instants_at_the_ends_of_the_datetime_range_are_decided(
    example: routing.Ruleset,
    ticket: dict[str, Any],
    path: str,
    instant: str,
    now: datetime,
    event: str,
) -> None:
    """Every ticket is decided whatever its instants and `now`: calendar and local-time
    failures are located errors in the decision, never an exception or Python's text."""
    data = json.loads(json.dumps(ticket))
    _set(data, path, instant)
    parsed = Ticket.from_dict(data)
    decision = example.evaluate(parsed, now, event=event)
    _no_python_errors(decision)
    orjson.loads(jsonl_bytes(decision, False))
    explained = example.explain(parsed, now, event=event)
    assert (explained.fired, explained.errors) == (decision.fired, decision.errors)
    orjson.loads(jsonl_bytes(explained, True))
    render_text(explained, now)


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


_CELLS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(['"', '""', "\n", "\r\n", "\x00", "\ufeff", "nan", "1e999", "true"])
    | st.sampled_from(["2026-11-23T10:00:00Z", "[1]", "{}", "web", "urgent", "\x1b[2J"]),
)
_COLUMNS = st.sampled_from(
    [
        *("id", "subject", "body", "channel", "priority", "tags", "fields.plan", "fields.mrr"),
        *("requester.email", "created_at", "headers.X-A", "spam_score", "queue", "bogus", ""),
    ]
)


@FUZZ
@given(
    st.lists(_COLUMNS, max_size=6),
    st.lists(st.lists(_CELLS, max_size=7), max_size=4),
    st.sampled_from(["utf-8", "utf-16", "latin-1"]),
    st.booleans(),
)
def test_any_csv_file_gives_located_errors_and_strict_json(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list[str]],
    encoding: str,
    unquote: bool,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue().replace('"', "") if unquote else buffer.getvalue()
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    rules = str(EXAMPLE / "rules")
    argv = ["--tickets", str(path), "--format", "jsonl", "--now", "2026-11-23T10:00:00Z"]
    code, out, err = _cli(["dry-run", rules, *argv, "--no-progress", "--jobs", "1"])
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    assert "evaluation failed" not in err
    for line in out.split("\n"):
        if line:
            orjson.loads(line)


_TEST_FILES = sorted((EXAMPLE / "tests").glob("*.yaml"))


@pytest.mark.parametrize("seed", _TEST_FILES, ids=[p.name for p in _TEST_FILES])
def test_mutated_rule_tests_run_or_say_why(
    seed: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    original = seed.read_text(encoding="utf-8")
    directory = tmp_path_factory.mktemp("tests")

    @FUZZ
    @given(st.lists(MUTATIONS, min_size=1, max_size=4), st.sampled_from(["text", "json"]))
    def run(mutations: list[Mutation], fmt: str) -> None:
        path = directory / seed.name
        path.write_text(mutate(original, mutations), encoding="utf-8")
        argv = ["test", str(path), "--rules", str(EXAMPLE / "rules"), "--format", fmt]
        code, out, err = _cli(argv)
        assert code in (0, 1, 2)
        assert "Traceback" not in out + err

    run()


_ARGS = st.one_of(
    st.text(max_size=25),
    st.sampled_from(["2026-11-23T10:00:00Z", "2026-11-23T10:00", "2026-13-01T00:00:00Z"])
    | st.sampled_from(["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00", "4h", "3d"])
    | st.sampled_from(["-1h", "99999999999999d", "1w", "", "x", "1e9h", "24:00", "0s"]),
)
_SLA = st.sampled_from(
    [
        lambda a, b: ["due", "--start", a, "--target", b],
        lambda a, b: ["between", "--start", a, "--end", b],
        lambda a, b: ["next-open", "--at", a],
        lambda a, b: ["show", "--from", a, "--days", b],
    ]
)


@FUZZ
@given(_SLA, _ARGS, _ARGS)
def test_routing_sla_takes_any_argument_without_a_traceback(command: Any, a: str, b: str) -> None:
    calendar = ["--calendar", f"{EXAMPLE / 'rules'}#support-eu"]
    subcommand, *options = command(a, b)
    code, _, err = _cli(["sla", subcommand, *calendar, *options])
    assert code in (0, 1, 2)
    assert "Traceback" not in err
