"""``routing test TESTS``: run rule unit tests written in YAML, with rule and branch coverage.

TESTS is a test file or a directory of them (every ``*.yaml``/``*.yml`` below it, sorted).
Each test gives a ticket and an instant and says what the decision must hold; the format
is in docs/testing.md. Every test is reported as PASS, FAIL (with what differs), ERROR
(it could not run: a broken test, an invalid ticket) or SKIP. Coverage says which rules no
test fired and which operands of the rules' conditions were never seen true or false.

Exit codes: 0 every test passed and coverage is at its minimums; 1 a test failed or
errored, a test file did not load, no test matched ``--run``, or coverage is below
``--coverage-min`` / ``--branch-coverage-min``; 2 usage error (bad option, bad ``--run``
pattern, missing TESTS or ``--rules`` path, unwritable ``--output``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from routing.cli.main import EXIT_FINDING, EXIT_OK, EXIT_USAGE

__all__ = ["register"]

FORMATS = ("text", "json", "junit")


class _UsageError(Exception):
    """A bad argument: one line on stderr and exit code 2."""


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage, found '{text}'") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, found '{text}'")
    return value


def register(subparsers: Any) -> None:
    """Add ``routing test``."""
    p = subparsers.add_parser(
        "test",
        help="run rule unit tests (YAML) with rule and branch coverage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("tests", metavar="TESTS", help="a test file or a directory of them")
    p.add_argument(
        "--rules",
        metavar="RULES",
        help="test this rule file or directory instead of the one each test file names",
    )
    p.add_argument("--run", metavar="REGEX", help="run only the tests whose name this regex finds")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument("--output", metavar="PATH", help="write the report here (default: stdout)")
    p.add_argument(
        "--coverage-min",
        type=_percent,
        metavar="PCT",
        help="fail when the rule coverage of a rule set is below PCT percent",
    )
    p.add_argument(
        "--branch-coverage-min",
        type=_percent,
        metavar="PCT",
        help="fail when the branch coverage of a rule set is below PCT percent",
    )
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _UsageError as exc:
        sys.stderr.write(f"routing test: error: {exc}\n")
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from routing.diagnostics import render_text
    from routing.testing.formats import CoverageGate, render_json, render_text_report
    from routing.testing.junit import render_junit
    from routing.testing.runner import run_suites
    from routing.testing.suite import load_suites

    select = None
    if args.run is not None:
        try:
            select = re.compile(args.run)
        except re.error as exc:
            raise _UsageError(f"--run: bad regular expression '{args.run}': {exc}") from None
    if not os.path.exists(args.tests):
        raise _UsageError(f"no such test file or directory: '{args.tests}'")
    if args.rules is not None and not os.path.exists(args.rules):
        raise _UsageError(f"--rules: no such file or directory: '{args.rules}'")

    suites, problems = load_suites(args.tests, rules=args.rules)
    if problems:
        sys.stderr.write(render_text(problems) + "\n")
        return EXIT_FINDING
    report = run_suites(suites, select=select)
    gate = CoverageGate(args.coverage_min, args.branch_coverage_min)
    if args.format == "json":
        text = render_json(report, gate)
    elif args.format == "junit":
        text = render_junit(report, gate)
    else:
        from routing.cli.output import printable

        text = printable(render_text_report(report, gate))
    no_match = select is not None and report.total == 0
    if args.output is not None:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise _UsageError(
                f"--output: cannot write '{args.output}': {exc.strerror or exc}"
            ) from None
    else:
        sys.stdout.write(text)
    if no_match:
        sys.stderr.write(f"routing test: error: no test name matches --run '{args.run}'\n")
    failed = not report.ok or bool(gate.failures(report.coverage)) or no_match
    return EXIT_FINDING if failed else EXIT_OK
