"""The ``routing`` command line: global options, sub-command dispatch, exit codes.

Exit codes: 0 ok, 1 a finding (check error, failing test, diff over a limit), 2 usage error.
Each sub-command lives in its own module of `routing.cli` that defines
``register(subparsers) -> None``; the parser it adds sets ``func`` to a callable taking the
parsed `argparse.Namespace` and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from routing.dsl._gc import gc_paused

__all__ = ["EXIT_FINDING", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2

#: The option that makes exit status 2 mean "changes found" (``routing diff``).
DETAILED_EXITCODE = "--detailed-exitcode"

#: Sub-command modules, in the order `routing --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "check",
    "fmt",
    "test",
    "schema",
    "sla",
    "dry_run",
    "diff",
    "explain",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from routing import __version__

    parser = _Parser(
        prog="routing",
        description="Compiled, testable help desk automation from rule files.",
    )
    parser.add_argument("--version", action="version", version=f"routing {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"routing.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used as the process status)."""
    # Building the parser imports every command's modules, and with them the engine: the
    # objects this creates all stay alive, so cyclic collections meanwhile only cost time.
    with gc_paused():
        parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # With --detailed-exitcode, 2 means "changes": a usage error must not look like one.
        if exc.code == EXIT_USAGE and DETAILED_EXITCODE in argv:
            return EXIT_FINDING
        raise
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:  # pragma: no cover - output closed by a pager
        return EXIT_OK
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
