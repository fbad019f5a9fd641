"""``routing fmt PATH... [--check] [--diff]``: write rule files in their canonical form.

Formats each file in place (a directory: every ``*.yaml``/``*.yml`` below it). ``--check``
writes nothing and lists the files that would change; ``--diff`` writes nothing and prints a
unified diff. Exit codes: 0 nothing (more) to do, 1 a file would change under ``--check`` or a
file could not be formatted, 2 a path that does not exist.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Any

from routing.cli.output import printable
from routing.diagnostics import render_text

__all__ = ["register", "run"]

_SUFFIXES = (".yaml", ".yml")


def register(subparsers: Any) -> None:
    """Add the ``fmt`` sub-command."""
    parser = subparsers.add_parser(
        "fmt",
        help="format rule files canonically",
        description="Format rule files canonically (in place, unless --check or --diff).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list files that would change and exit 1 if any",
    )
    parser.add_argument(
        "--diff", action="store_true", help="write nothing; print a unified diff of the changes"
    )
    parser.set_defaults(func=run)


def _files(paths: list[str]) -> list[Path] | None:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            below = (p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            files.extend(sorted(below))
        elif path.is_file():
            files.append(path)
        else:
            sys.stderr.write(f"routing fmt: {raw}: no such file or directory\n")
            return None
    return list(dict.fromkeys(files))


def run(args: argparse.Namespace) -> int:
    """Format, check or diff the files named by ``args.paths``; returns the exit code."""
    # Imported here: the formatter (and ruamel.yaml) are start-up cost for every other
    # routing command, which imports this module only to register its options.
    from routing.dsl.formatter import format_text

    files = _files(args.paths)
    if files is None:
        return 2
    write = not (args.check or args.diff)
    failed = changed = False
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            sys.stderr.write(f"routing fmt: {path}: cannot read: {error}\n")
            failed = True
            continue
        try:
            formatted, diagnostics = format_text(text, str(path))
        except RuntimeError as error:  # a formatter bug: never write such a file
            sys.stderr.write(f"routing fmt: {error}\n")
            failed = True
            continue
        if formatted is None:
            sys.stderr.write(printable(render_text(diagnostics)) + "\n")
            failed = True
            continue
        if formatted == text:
            continue
        changed = True
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    f"{path}\t(original)",
                    f"{path}\t(formatted)",
                )
            )
        if args.check:
            sys.stdout.write(f"would reformat {path}\n")
        if write:
            path.write_text(formatted, encoding="utf-8", newline="")
            sys.stdout.write(f"reformatted {path}\n")
    return 1 if failed or (args.check and changed) else 0
