"""``routing check RULES``: parse and check rule files; exit 1 on errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from routing.cli.output import FORMATS, render
from routing.diagnostics import Diagnostic, Severity, sort_diagnostics

__all__ = ["check_path", "register"]


def check_path(path: str) -> list[Diagnostic]:
    """Every diagnostic of the rule set at `path` (loader and checker)."""
    from routing.dsl.checker import check
    from routing.dsl.loader import load_path

    files, diagnostics = load_path(path)
    if not files:
        return diagnostics
    return list(check(files, extra=diagnostics).diagnostics)


def _run(args: argparse.Namespace) -> int:
    found: list[Diagnostic] = []
    for path in args.paths:
        found.extend(check_path(path))
    # the same finding twice (a path given twice) is shown once, so it is counted once
    diagnostics = sort_diagnostics(found)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    fail = errors > 0 or (args.fail_on == "warning" and warnings > 0)
    text = render(diagnostics, args.format, max_errors=args.max_errors)
    if args.format == "text":
        if text:
            sys.stdout.write(text + "\n\n")
        summary = (
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
        sys.stdout.write(("" if diagnostics else "ok: ") + summary + "\n")
    elif text:
        sys.stdout.write(text + "\n")
    return 1 if fail else 0


def _count(text: str) -> int:
    """The value of ``--max-errors``: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {value}")
    return value


def register(sub: Any) -> None:
    """Add ``routing check``."""
    p = sub.add_parser(
        "check",
        help="parse and check rule files",
        description="Parse and check rule files; exit 1 with located diagnostics on error.",
    )
    p.add_argument("paths", nargs="+", metavar="RULES", help="a rule file or directory")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument(
        "--max-errors",
        type=_count,
        default=100,
        metavar="N",
        help="text format: show at most N diagnostics (0: all; default 100)",
    )
    p.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 on errors only (default) or on warnings too",
    )
    p.set_defaults(func=_run)
