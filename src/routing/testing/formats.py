"""A test `Report` as text for people and as JSON for programs (docs/cli/test.md).

The JSON object carries ``format_version`` (1); a change that removes or renames a key
raises it, additions do not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from routing.diagnostics import Diagnostic, render_text, sort_diagnostics
from routing.model.decision import jsonable
from routing.testing.coverage import Branch, Coverage
from routing.testing.runner import Mismatch, Report, TestResult

__all__ = [
    "FORMAT_VERSION",
    "TEXT_COVERAGE_LIMIT",
    "CoverageGate",
    "coverage_lines",
    "mismatch_lines",
    "pct",
    "render_json",
    "render_text_report",
    "report_dict",
    "summary_line",
]

#: The version of the JSON shape of `report_dict`.
FORMAT_VERSION: Final = 1
_LABELS: Final = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP"}
_INDENT: Final = " " * 9
_MAX_TEXT: Final = 72


@dataclass(frozen=True, slots=True)
class CoverageGate:
    """The minimum coverages asked for (percent; None: no minimum)."""

    rule_min: float | None = None
    branch_min: float | None = None

    def failures(self, coverage: Sequence[Coverage]) -> list[str]:
        """One message per rule set and kind of coverage that is below its minimum."""
        out = []
        for c in coverage:
            if self.rule_min is not None and c.rule_percent < self.rule_min:
                out.append(
                    f"rule coverage of {c.rules_path} is {pct(c.rule_percent)}, "
                    f"below the minimum of {self.rule_min:g}%"
                )
            if self.branch_min is not None and c.branch_percent < self.branch_min:
                out.append(
                    f"branch coverage of {c.rules_path} is {pct(c.branch_percent)}, "
                    f"below the minimum of {self.branch_min:g}%"
                )
        return out


def pct(value: float) -> str:
    """A percentage rounded down to one decimal, so 99.96% never shows as 100.0%."""
    return f"{math.floor(value * 10) / 10:.1f}%"


def summary_line(report: Report) -> str:
    """``N tests: a passed, b failed, c errors, d skipped``."""
    n = report.total
    errors = report.count("error")
    return (
        f"{n} test{'' if n == 1 else 's'}: {report.count('pass')} passed, "
        f"{report.count('fail')} failed, {errors} error{'' if errors == 1 else 's'}, "
        f"{report.count('skip')} skipped"
    )


# --------------------------------------------------------------------------- text


def _indent(text: str, prefix: str = _INDENT) -> list[str]:
    return [(prefix + line).rstrip() for line in text.splitlines()]


def mismatch_lines(m: Mismatch) -> list[str]:
    """A mismatch as text lines: the message, then its diff lines indented."""
    return [m.message, *(f"  {line}" for line in m.diff)]


def _test_lines(r: TestResult) -> list[str]:
    t = r.test
    label = _LABELS[r.status].ljust(6)
    head = f"  {label} {t.name}"
    if r.status == "skip":
        return [f"{head}  (skipped: {t.skip})"]
    if r.status == "pass":
        return [head]
    lines = [f"{head}  ({t.file}:{t.line})"]
    for m in r.mismatches:
        for line in mismatch_lines(m):
            lines.append((_INDENT + line).rstrip())
    if r.error is not None:
        lines.append(_INDENT + r.error)
    if r.problems:
        lines.extend(_indent(render_text(r.problems)))
    if r.status == "fail" and r.decision is not None and r.decision.errors:
        lines.append(_INDENT + "run-time errors in the decision:")
        for e in r.decision.errors:
            where = f"rule '{e.rule}': " if e.rule else ""
            lines.append(f"{_INDENT}  {where}error[{e.code}]: {e.message}")
    return lines


def _branch_line(b: Branch) -> str:
    missing = " or ".join(b.missing)
    text = b.text if len(b.text) <= _MAX_TEXT else b.text[: _MAX_TEXT - 1] + "…"
    return f"  {b.span}: never {missing}: {text}  (rule '{b.rule}')"


#: How many uncovered rules, and how many uncovered branches, the text report lists.
TEXT_COVERAGE_LIMIT = 10


def _capped(lines: list[str], limit: int | None, what: str) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    rest = len(lines) - limit
    return [*lines[:limit], f"  ... and {rest} more {what} (--format json lists every one)"]


def coverage_lines(c: Coverage, *, limit: int | None = None) -> list[str]:
    """Rule and branch coverage of one rule set, with what is not covered.

    Args:
        c: the coverage of one rule set.
        limit: list at most this many rules not fired, and as many branches not covered,
            then say how many more there are; None lists all.
    """
    enabled = len(c.enabled_rules)
    head = (
        f"rule coverage of {c.rules_path}: {c.fired_rules} of {enabled} enabled rules fired "
        f"({pct(c.rule_percent)})"
    )
    lines = [head]
    not_fired = [f"  not fired: '{r.rule}' ({r.span})" for r in c.uncovered_rules]
    lines.extend(_capped(not_fired, limit, "rules not fired"))
    lines.extend(f"  disabled: '{r.rule}' ({r.span})" for r in c.disabled_rules)
    lines.append(
        f"branch coverage: {c.branch_covered} of {c.branch_total} outcomes "
        f"({pct(c.branch_percent)})"
    )
    branches = [_branch_line(b) for b in c.uncovered_branches]
    lines.extend(_capped(branches, limit, "conditions not fully covered"))
    return lines


def render_text_report(
    report: Report, gate: CoverageGate | None = None, *, coverage: bool = True
) -> str:
    """The whole report as text: per file its tests, the summary, then the coverage."""
    lines: list[str] = []
    for s in report.suites:
        if s.suite.ok and not s.results:
            continue
        lines.append(s.suite.file)
        if not s.suite.ok:
            lines.append(f"  {'ERROR'.ljust(6)} the test file did not load")
            lines.extend(_indent(render_text(s.suite.diagnostics)))
        for r in s.results:
            lines.extend(_test_lines(r))
        lines.append("")
    lines.append(summary_line(report))
    if coverage and report.coverage:
        for c in report.coverage:
            lines.append("")
            lines.extend(coverage_lines(c, limit=TEXT_COVERAGE_LIMIT))
    for failure in (gate or CoverageGate()).failures(report.coverage):
        lines.append("")
        lines.append(f"error: {failure}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- json


def _diagnostics(diags: Sequence[Diagnostic]) -> list[dict[str, object]]:
    return [d.to_dict() for d in sort_diagnostics(diags)]


def _test_dict(r: TestResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": r.test.name,
        "line": r.test.line,
        "status": r.status,
        "time": round(r.duration, 6),
    }
    if r.status == "skip":
        out["skip"] = r.test.skip
    if r.mismatches:
        out["mismatches"] = [
            {
                "path": m.path,
                "message": m.message,
                "expected": jsonable(m.expected),
                "actual": jsonable(m.actual),
                "diff": list(m.diff),
            }
            for m in r.mismatches
        ]
    if r.problems:
        out["problems"] = _diagnostics(r.problems)
    if r.error is not None:
        out["error"] = r.error
    if r.status == "fail" and r.decision is not None:
        out["decision"] = r.decision.to_dict()
    return out


def _coverage_dict(c: Coverage) -> dict[str, Any]:
    return {
        "rules": c.rules_path,
        "rules_enabled": len(c.enabled_rules),
        "rules_fired": c.fired_rules,
        "rule_percent": round(c.rule_percent, 2),
        "not_fired": [
            {"stage": r.stage, "rule": r.rule, "file": r.span.file, "line": r.span.start.line}
            for r in c.uncovered_rules
        ],
        "disabled": [r.rule for r in c.disabled_rules],
        "branch_outcomes": c.branch_total,
        "branch_outcomes_covered": c.branch_covered,
        "branch_percent": round(c.branch_percent, 2),
        "uncovered_branches": [
            {
                "rule": b.rule,
                "test": b.text,
                "file": b.span.file,
                "line": b.span.start.line,
                "column": b.span.start.column,
                "missing": list(b.missing),
            }
            for b in c.uncovered_branches
        ],
    }


def report_dict(report: Report, gate: CoverageGate | None = None) -> dict[str, Any]:
    """The report as the JSON object of ``routing test --format json``."""
    gate = gate or CoverageGate()
    return {
        "format_version": FORMAT_VERSION,
        "summary": {
            "tests": report.total,
            "passed": report.count("pass"),
            "failed": report.count("fail"),
            "errors": report.count("error"),
            "skipped": report.count("skip"),
        },
        "files": [
            {
                "file": s.suite.file,
                "rules": s.suite.rules,
                "diagnostics": _diagnostics(s.suite.diagnostics),
                "tests": [_test_dict(r) for r in s.results],
            }
            for s in report.suites
        ],
        "coverage": [_coverage_dict(c) for c in report.coverage],
        "coverage_min": {
            "rule": gate.rule_min,
            "branch": gate.branch_min,
            "failures": gate.failures(report.coverage),
        },
    }


def render_json(report: Report, gate: CoverageGate | None = None) -> str:
    """`report_dict` as indented JSON text."""
    return json.dumps(report_dict(report, gate), ensure_ascii=False, indent=2) + "\n"
