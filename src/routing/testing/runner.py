"""Running rule tests: evaluate each test's ticket, compare with its ``expect``, record coverage.

`run_suites` returns a `Report`: per test a `TestResult` with a status (``pass``, ``fail``,
``error`` or ``skip``), the `Mismatch` of each failing key with a readable message and,
for lists, diff lines, and per rule set its `Coverage`.

Matching (docs/testing.md): keys not given are not checked; strings that are ISO 8601
instants on both sides compare as instants (any offset); numbers compare by value; a
mapping matches when each of its keys matches (``sla``, ``fields``, and the patterns of
``effects``, ``suppressed`` and ``errors``); a list matches item by item with the same
length.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from routing.diagnostics import Diagnostic
from routing.model.decision import Decision
from routing.testing.coverage import Coverage, CoverageRecorder
from routing.testing.suite import Expectation, RuleTest, Suite

__all__ = [
    "STATUSES",
    "Mismatch",
    "Report",
    "SuiteResult",
    "TestResult",
    "compare",
    "matches",
    "run_suites",
    "run_test",
    "show",
]

#: Test statuses, in the order summaries list them.
STATUSES: Final = ("pass", "fail", "error", "skip")
_ABSENT: Final = object()


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a decision differs from a test's expectation.

    `path` is where (``queue``, ``sla.first_reply_due``, ``effects[1].template``);
    `message` says it in one line; `diff` holds unified-diff-like lines for lists
    (`` `` both, ``-`` expected only, ``+`` actual only).
    """

    path: str
    message: str
    expected: Any
    actual: Any
    diff: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TestResult:
    """The outcome of one test."""

    __test__ = False  # not a pytest test class

    test: RuleTest
    status: str
    mismatches: tuple[Mismatch, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    error: str | None = None
    decision: Decision | None = None
    duration: float = 0.0


@dataclass(frozen=True, slots=True)
class SuiteResult:
    """The results of one test file (none when the file did not load)."""

    suite: Suite
    results: tuple[TestResult, ...]

    @property
    def duration(self) -> float:
        return sum(r.duration for r in self.results)

    def count(self, status: str) -> int:
        """How many tests of this file have `status` (a file that did not load is one error)."""
        n = sum(1 for r in self.results if r.status == status)
        if status == "error" and not self.suite.ok:
            n += 1
        return n


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a run found: per file its results, per rule set its coverage."""

    suites: tuple[SuiteResult, ...]
    coverage: tuple[Coverage, ...] = ()

    @property
    def results(self) -> tuple[TestResult, ...]:
        return tuple(r for s in self.suites for r in s.results)

    def count(self, status: str) -> int:
        """How many tests have `status`; every file that did not load counts as an error."""
        return sum(s.count(status) for s in self.suites)

    @property
    def total(self) -> int:
        return sum(self.count(s) for s in STATUSES)

    @property
    def ok(self) -> bool:
        """True when nothing failed or errored and every file loaded."""
        return self.count("fail") == 0 and self.count("error") == 0


# --------------------------------------------------------------------------- running


def run_suites(suites: Sequence[Suite], *, select: re.Pattern[str] | None = None) -> Report:
    """Run the tests of `suites` (only those whose name `select` finds, when given).

    Each ticket is evaluated with `Ruleset.explain`: the decision is the one `evaluate`
    makes, and its trace feeds the coverage of the suite's rule set. Rule sets shared by
    several files (the same path) have one coverage.
    """
    recorders: dict[str, CoverageRecorder] = {}
    out: list[SuiteResult] = []
    for suite in suites:
        if not suite.ok or suite.ruleset is None:
            out.append(SuiteResult(suite, ()))
            continue
        key = suite.rules or suite.file
        recorder = recorders.get(key)
        if recorder is None:
            recorder = recorders[key] = CoverageRecorder(suite.ruleset, key)
        results = []
        for test in suite.tests:
            if select is not None and not select.search(test.name):
                continue
            result = run_test(suite, test)
            if result.decision is not None:
                recorder.record(result.decision)
            results.append(result)
        out.append(SuiteResult(suite, tuple(results)))
    return Report(tuple(out), tuple(r.result() for r in recorders.values()))


def run_test(suite: Suite, test: RuleTest) -> TestResult:
    """Run one test of a loaded suite."""
    if test.problems:
        return TestResult(test, "error", problems=test.problems)
    if test.skip is not None:
        return TestResult(test, "skip")
    assert suite.ruleset is not None
    assert test.ticket is not None
    started = time.perf_counter()
    try:
        decision = suite.ruleset.explain(
            test.ticket,
            test.now,
            event=test.event,
            history=test.history,
            agents=test.agents,
        )
    except Exception as exc:  # an error of the engine must not stop the other tests
        return TestResult(
            test,
            "error",
            error=f"evaluation failed: {type(exc).__name__}: {exc}",
            duration=time.perf_counter() - started,
        )
    mismatches = compare(test.expect, decision)
    return TestResult(
        test,
        "fail" if mismatches else "pass",
        mismatches,
        decision=decision,
        duration=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------- comparing


def show(value: Any) -> str:
    """A value as the messages show it: ``'text'``, ``null``, ``true``, ``3``, ``[...]``."""
    if value is _ABSENT:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return "[" + ", ".join(show(v) for v in items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 16 or value[4:5] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def matches(expected: Any, actual: Any) -> bool:
    """Whether `actual` matches `expected` (subset for mappings, instants for times)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and matches(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(actual) == len(expected)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    e_time, a_time = _instant(expected), _instant(actual)
    if e_time is not None and a_time is not None:
        return e_time == a_time
    return bool(expected == actual)


def _diff(expected: Sequence[str], actual: Sequence[str]) -> tuple[str, ...]:
    """Lines of expected vs actual: ``  x`` in both, ``- x`` expected only, ``+ x`` actual only."""
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(a=list(expected), b=list(actual), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(f"  {x}" for x in expected[i1:i2])
            continue
        lines.extend(f"- {x}" for x in expected[i1:i2])
        lines.extend(f"+ {x}" for x in actual[j1:j2])
    return tuple(lines)


def _project(item: Any, keys: Sequence[str]) -> Any:
    if not isinstance(item, dict):
        return item
    return {k: item[k] for k in keys if k in item}


def _pattern_keys(patterns: Sequence[Any], default: Sequence[str]) -> list[str]:
    keys: list[str] = []
    for p in patterns:
        if isinstance(p, dict):
            keys.extend(k for k in p if k not in keys)
    return keys or list(default)


_SHOWN_KEYS: Final = {
    "effects": ("type", "rule", "template"),
    "suppressed": ("rule", "template", "code"),
    "errors": ("rule", "code"),
}


def compare(expect: Sequence[Expectation], decision: Decision) -> tuple[Mismatch, ...]:
    """Every way `decision` differs from `expect`, in the order the keys were written."""
    actual = decision.to_dict(trace=True)
    out: list[Mismatch] = []
    for e in expect:
        value: Any = actual.get(e.key)
        if e.partial:
            out.extend(_partial(e, value))
        elif e.key == "tags":
            out.extend(_tags(e.value, value))
        elif e.key == "fired":
            out.extend(_sequence(e.key, e.value, value))
        elif e.key in ("fields", "sla"):
            out.extend(_mapping(e.key, e.value, value))
        elif e.key in _SHOWN_KEYS:
            out.extend(_items(e.key, e.value, value))
        elif not matches(e.value, value):
            out.append(
                Mismatch(
                    e.key, f"expected {e.key} {show(e.value)}, got {show(value)}", e.value, value
                )
            )
    return tuple(out)


def _tags(expected: frozenset[str], actual: list[str]) -> list[Mismatch]:
    if expected == set(actual):
        return []
    union = sorted(expected | set(actual))
    lines = tuple(
        f"  {t}" if t in expected and t in actual else f"- {t}" if t in expected else f"+ {t}"
        for t in union
    )
    want = sorted(expected)
    return [
        Mismatch("tags", f"expected tags {show(want)}, got {show(actual)}", want, actual, lines)
    ]


def _sequence(key: str, expected: Sequence[str], actual: list[str]) -> list[Mismatch]:
    if list(expected) == list(actual):
        return []
    return [
        Mismatch(
            key,
            f"expected {key} {show(list(expected))}, got {show(actual)}",
            list(expected),
            actual,
            _diff(list(expected), actual),
        )
    ]


def _mapping(key: str, expected: dict[str, Any], actual: Any) -> list[Mismatch]:
    have = actual if isinstance(actual, dict) else {}
    out = []
    for k, v in expected.items():
        got = have.get(k, _ABSENT)
        if got is _ABSENT or not matches(v, got):
            path = f"{key}.{k}"
            out.append(Mismatch(path, f"expected {path} {show(v)}, got {show(got)}", v, got))
    return out


def _items(key: str, expected: Sequence[Any], actual: list[Any]) -> list[Mismatch]:
    if len(expected) != len(actual):
        keys = _pattern_keys(expected, _SHOWN_KEYS[key])
        return [
            Mismatch(
                key,
                f"expected {len(expected)} {key}, got {len(actual)}",
                list(expected),
                actual,
                _diff([show(p) for p in expected], [show(_project(a, keys)) for a in actual]),
            )
        ]
    out = []
    for i, (pattern, item) in enumerate(zip(expected, actual, strict=True)):
        for k, v in pattern.items():
            got = item.get(k, _ABSENT)
            if got is _ABSENT or not matches(v, got):
                path = f"{key}[{i}].{k}"
                out.append(Mismatch(path, f"expected {path} {show(v)}, got {show(got)}", v, got))
    return out


def _partial(e: Expectation, actual: Any) -> list[Mismatch]:
    items = list(actual or ())
    key = e.key
    out = []
    if key in _SHOWN_KEYS:
        keys = _pattern_keys([*e.includes, *e.excludes], _SHOWN_KEYS[key])
        shown = tuple(f"  {show(_project(a, keys))}" for a in items)
        for pattern in e.includes:
            if not any(matches(pattern, a) for a in items):
                got = f"; the {key} are:" if items else ", got none"
                message = f"expected {key} to include {show(pattern)}{got}"
                out.append(Mismatch(key, message, pattern, items, shown))
        for pattern in e.excludes:
            hits = [i for i, a in enumerate(items) if matches(pattern, a)]
            if hits:
                message = f"expected {key} to exclude {show(pattern)}, found {key}[{hits[0]}]"
                out.append(Mismatch(key, message, pattern, items, shown))
        return out
    for value in e.includes:
        if value not in items:
            message = f"expected {key} to include {show(value)}, got {show(items)}"
            out.append(Mismatch(key, message, value, items))
    for value in e.excludes:
        if value in items:
            message = f"expected {key} to exclude {show(value)}, got {show(items)}"
            out.append(Mismatch(key, message, value, items))
    return out
