"""A test `Report` as JUnit XML, the format GitHub, GitLab and Jenkins test reporters read.

The shape follows the common JUnit schema (Jenkins' ``junit-10.xsd``, which the others
accept): a ``<testsuites>`` root, one ``<testsuite>`` per test file, one ``<testcase>``
per test with ``classname`` (the file path with dots), ``name``, ``file``, ``line`` and
``time``; a failing test carries ``<failure>``, an erroring one ``<error>``, a skipped one
``<skipped>``. A test file that did not load is a ``<testcase>`` with an ``<error>``.
Coverage is one more ``<testsuite name="coverage">`` with a test case per rule set and kind
(it fails when the coverage is below the minimum asked for) and the uncovered rules and
branches in ``<system-out>``; the figures are also ``<properties>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final

from routing.diagnostics import render_text
from routing.testing.formats import (
    TEXT_COVERAGE_LIMIT,
    CoverageGate,
    coverage_lines,
    mismatch_lines,
    pct,
)
from routing.testing.runner import Report, SuiteResult, TestResult

__all__ = ["render_junit"]

_TAG: Final = "routing test"


def _classname(file: str) -> str:
    stem = file.rsplit(".", 1)[0] if file.endswith((".yaml", ".yml")) else file
    return stem.replace("\\", "/").strip("/").replace("/", ".")


def _time(seconds: float) -> str:
    return f"{seconds:.3f}"


def _counts(el: ET.Element, tests: int, failures: int, errors: int, skipped: int) -> None:
    el.set("tests", str(tests))
    el.set("failures", str(failures))
    el.set("errors", str(errors))
    el.set("skipped", str(skipped))


def _testcase(parent: ET.Element, r: TestResult) -> None:
    t = r.test
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": _classname(t.file),
            "name": t.name,
            "file": t.file,
            "line": str(t.line),
            "time": _time(r.duration),
        },
    )
    if r.status == "skip":
        ET.SubElement(case, "skipped", {"message": t.skip or ""})
    elif r.status == "fail":
        lines = [line for m in r.mismatches for line in mismatch_lines(m)]
        first = r.mismatches[0].message if r.mismatches else "the decision differs"
        failure = ET.SubElement(case, "failure", {"message": first, "type": "mismatch"})
        failure.text = f"{t.file}:{t.line}: {t.name}\n" + "\n".join(lines)
    elif r.status == "error":
        if r.problems:
            problem = r.problems[0]
            attrs = {"message": problem.message, "type": problem.code}
            error = ET.SubElement(case, "error", attrs)
            error.text = render_text(r.problems)
        else:
            error = ET.SubElement(
                case, "error", {"message": r.error or "error", "type": "evaluation"}
            )
            error.text = f"{t.file}:{t.line}: {r.error}"


def _suite(root: ET.Element, s: SuiteResult) -> None:
    el = ET.SubElement(root, "testsuite", {"name": s.suite.file, "file": s.suite.file})
    _counts(
        el,
        len(s.results) + (0 if s.suite.ok else 1),
        s.count("fail"),
        s.count("error"),
        s.count("skip"),
    )
    el.set("time", _time(s.duration))
    if not s.suite.ok:
        case = ET.SubElement(
            el,
            "testcase",
            {"classname": _classname(s.suite.file), "name": "(load)", "file": s.suite.file},
        )
        first = s.suite.diagnostics[0]
        error = ET.SubElement(case, "error", {"message": first.message, "type": first.code})
        error.text = render_text(s.suite.diagnostics)
    for r in s.results:
        _testcase(el, r)


def _coverage(root: ET.Element, report: Report, gate: CoverageGate) -> tuple[int, int]:
    el = ET.SubElement(root, "testsuite", {"name": "coverage"})
    props = ET.SubElement(el, "properties")  # first, as the schema orders the children
    tests = failures = 0
    out: list[str] = []
    for c in report.coverage:
        for kind, value, minimum in (
            ("rule", c.rule_percent, gate.rule_min),
            ("branch", c.branch_percent, gate.branch_min),
        ):
            name = f"{kind} coverage of {c.rules_path}"
            ET.SubElement(props, "property", {"name": name, "value": f"{value:.2f}"})
            tests += 1
            case = ET.SubElement(el, "testcase", {"classname": "coverage", "name": name})
            if minimum is not None and value < minimum:
                failures += 1
                message = f"{kind} coverage is {pct(value)}, below the minimum of {minimum:g}%"
                failure = ET.SubElement(case, "failure", {"message": message, "type": "coverage"})
                failure.text = "\n".join(coverage_lines(c, limit=TEXT_COVERAGE_LIMIT))
        out.extend(coverage_lines(c, limit=TEXT_COVERAGE_LIMIT))
    _counts(el, tests, failures, 0, 0)
    el.set("time", "0.000")
    system_out = ET.SubElement(el, "system-out")
    system_out.text = "\n".join(out)
    return tests, failures


def render_junit(report: Report, gate: CoverageGate | None = None) -> str:
    """The report as a JUnit XML document (UTF-8, with an XML declaration)."""
    gate = gate or CoverageGate()
    root = ET.Element("testsuites", {"name": _TAG})
    for s in report.suites:
        _suite(root, s)
    cov_tests, cov_failures = (0, 0)
    if report.coverage:
        cov_tests, cov_failures = _coverage(root, report, gate)
    _counts(
        root,
        report.total + cov_tests,
        report.count("fail") + cov_failures,
        report.count("error"),
        report.count("skip"),
    )
    root.set("time", _time(sum(s.duration for s in report.suites)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
