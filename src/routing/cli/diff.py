"""``routing diff --base OLD --head NEW --tickets FILE``: what a rule change does to tickets.

Every recorded ticket is evaluated with both rule sets, at the same instant, and the report
shows which tickets would be routed, prioritised, tagged, flagged, answered or due
differently, and which rules are responsible. OLD and NEW are each a rule file or
directory, or a git revision's copy of one: ``git:REV:PATH`` (``git:main:rules``,
``git:HEAD~1:rules/triage.yaml``; PATH is relative to the repository's top directory, or
to the current directory when it starts with ``./`` or ``../``).

Formats (``--format``): ``text`` (default, a plan to read top to bottom), ``markdown``
(a pull-request comment), ``json`` (``format_version`` 1, every ticket) and ``html`` (one
self-contained page with charts).

Limits (``--fail-on``, repeatable): ``KIND>N``, ``KIND>=N``, ``KIND>N%`` or ``KIND>=N%``,
e.g. ``--fail-on 'rerouted>2%' --fail-on 'new-replies>0'``. Kinds: changed, rerouted,
reprioritised, retagged, spam, new-spam, replies, new-replies, notifications, sla,
reassigned, status, fields, fired, errors, new-errors.

Exit codes: 0 the report was written (and no limit is exceeded); 1 a limit is exceeded, a
rule set does not load, a ticket line could not be compared, or git failed; 2 usage error.
With ``--detailed-exitcode``: 0 no ticket changes, 2 some tickets change, 1 any error
(usage errors found after the options are read included).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from routing.cli._tickets import INPUT_FORMATS, TicketSourceError
from routing.cli.dry_run import (
    MAX_LINE_ERRORS,
    _default_now,
    _isatty,
    _open_output,
    _Progress,
    _UsageError,
    ticket_source,
)
from routing.cli.main import EXIT_FINDING, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from routing.testing.diff import Limit, LimitResult

# routing.testing.diff and tarfile are imported where they are used: every routing command
# imports this module to register its options, and only `routing diff` needs them.

__all__ = ["GitError", "GitSpecError", "RuleSource", "materialise", "register"]

OUTPUT_FORMATS: Final = ("text", "markdown", "json", "html")
#: ``--detailed-exitcode``: some tickets change.
EXIT_CHANGES: Final = 2
_GIT_PREFIX: Final = "git:"
_GIT_TIMEOUT: Final = 120


class GitError(Exception):
    """A ``git:REV:PATH`` rule set cannot be read: not a repository, unknown revision, ..."""


class GitSpecError(GitError):
    """A ``git:`` argument that is not of the form ``git:REV:PATH`` (a usage error)."""


@dataclass(frozen=True, slots=True)
class RuleSource:
    """A rule set on disk, and how to show its file names (a git copy shows ``git:REV:``)."""

    spec: str
    path: str
    prefix: str = ""
    replacement: str = ""

    def rename(self, name: str) -> str:
        """The name reports show for a file of this rule set."""
        if self.prefix and name.startswith(self.prefix):
            return self.replacement + name[len(self.prefix) :]
        return name

    def rename_text(self, text: str) -> str:
        """Rendered diagnostics with the temporary copy's file names replaced."""
        return text.replace(self.prefix, self.replacement) if self.prefix else text


def register(subparsers: Any) -> None:
    """Add ``routing diff``."""
    p = subparsers.add_parser(
        "diff",
        help="what a rule change does to recorded tickets",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--base",
        required=True,
        metavar="OLD",
        help="the rules before the change: a file, a directory or git:REV:PATH",
    )
    p.add_argument(
        "--head",
        required=True,
        metavar="NEW",
        help="the rules after the change: a file, a directory or git:REV:PATH",
    )
    p.add_argument(
        "--tickets",
        required=True,
        metavar="FILE",
        help="JSON Lines (.jsonl, .ndjson, .json-lines), CSV (.csv), or - for JSON Lines on stdin",
    )
    p.add_argument(
        "--input-format", choices=INPUT_FORMATS, help="the tickets' format (default: by extension)"
    )
    p.add_argument(
        "--now", metavar="T", help="evaluation instant, ISO 8601 with offset (default: this minute)"
    )
    p.add_argument(
        "--format", choices=OUTPUT_FORMATS, default="text", help="report format (default: text)"
    )
    p.add_argument("--output", metavar="PATH", help="write the report to PATH, not stdout")
    p.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="LIMIT",
        help="exit 1 when a limit is exceeded: KIND>N, KIND>=N, KIND>N%%, KIND>=N%% "
        "(repeatable; e.g. 'rerouted>2%%', 'new-replies>0')",
    )
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when no ticket changes, 2 when some do, 1 on any error",
    )
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: every CPU; 1: no worker processes)",
    )
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar on stderr")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _UsageError as exc:
        sys.stderr.write(f"routing diff: error: {exc}\n")
        return EXIT_FINDING if args.detailed_exitcode else EXIT_USAGE
    except GitError as exc:
        sys.stderr.write(f"routing diff: error: {exc}\n")
        return EXIT_FINDING


def _limits(texts: Sequence[str]) -> list[Limit]:
    from routing.testing.diff import Limit

    limits = []
    for text in texts:
        try:
            limits.append(Limit.parse(text))
        except ValueError as exc:
            raise _UsageError(f"--fail-on: {exc}") from None
    return limits


def _run(args: argparse.Namespace) -> int:
    import routing
    from routing.cli._parallel import Evaluation, WorkerError, outcomes
    from routing.cli.output import render
    from routing.testing.diff import DiffBuilder, describe_ruleset

    now = _default_now(args.now)
    limits = _limits(args.fail_on)
    fmt_in = ticket_source(args)

    with contextlib.ExitStack() as stack:
        sides: list[RuleSource] = []
        loaded = []
        infos = []
        for option, spec in (("--base", args.base), ("--head", args.head)):
            source = _source(option, spec, stack)
            try:
                ruleset = routing.load(source.path)
            except routing.RuleError as exc:
                side = option.removeprefix("--")
                sys.stderr.write(source.rename_text(render(exc.diagnostics, "text")) + "\n")
                sys.stderr.write(
                    f"routing diff: error: the {side} rule set '{spec}' does not load\n"
                )
                return EXIT_FINDING
            sides.append(source)
            loaded.append(ruleset)
            infos.append(describe_ruleset(ruleset, spec, rename=source.rename))
        builder = DiffBuilder(infos[0], infos[1])
        out, close = _open_output(args.output)
        stack.callback(close)
        name = "<stdin>" if args.tickets == "-" else args.tickets
        skipped = 0
        progress: _Progress | None = None
        try:
            evaluation = stack.enter_context(
                Evaluation(
                    [s.path for s in sides],
                    args.tickets,
                    fmt_in,
                    now=now,
                    jobs=args.jobs,
                    rulesets=loaded,
                )
            )
            if not args.no_progress and _isatty(sys.stderr) and not os.environ.get("CI"):
                progress = _Progress(evaluation, "diff")
                stack.callback(progress.stop)
            for outcome in outcomes(evaluation, progress.update if progress else None):
                if outcome.error is not None or outcome.ticket_id is None:
                    skipped += 1
                    error = outcome.error or "no decision"
                    builder.skip(outcome.line, error)
                    if skipped <= MAX_LINE_ERRORS:
                        sys.stderr.write(f"{name}:{outcome.line}: error: {error}\n")
                    continue
                base, head = outcome.decisions
                builder.add(outcome.line, outcome.ticket_id, outcome.subject, base, head)
        except TicketSourceError as exc:  # a CSV header that cannot be used
            raise _UsageError(str(exc)) from None
        except routing.RuleError as exc:  # pragma: no cover - loaded above
            sys.stderr.write(render(exc.diagnostics, "text") + "\n")
            return EXIT_FINDING
        except WorkerError as exc:
            sys.stderr.write(f"routing diff: error: {exc}\n")
            return EXIT_FINDING
        if skipped > MAX_LINE_ERRORS:
            sys.stderr.write(
                f"{name}: {skipped - MAX_LINE_ERRORS} more unreadable lines not shown\n"
            )
        report = builder.finish()
        if skipped:
            sys.stderr.write(
                f"{name}: skipped {skipped} unreadable line{'s' if skipped != 1 else ''}, "
                f"compared {report.compared} ticket{'s' if report.compared != 1 else ''}\n"
            )
        results = [limit.check(report) for limit in limits]
        out.write(_render(args.format, report, results))
    return _exit_code(args.detailed_exitcode, report.changed, skipped, results)


def _exit_code(detailed: bool, changed: int, skipped: int, limits: Sequence[LimitResult]) -> int:
    if skipped or any(r.exceeded for r in limits):
        return EXIT_FINDING
    if detailed and changed:
        return EXIT_CHANGES
    return EXIT_OK


def _render(fmt: str, report: Any, limits: Sequence[LimitResult]) -> str:
    if fmt == "json":
        import json

        return json.dumps(report.to_dict(limits), indent=2, ensure_ascii=False) + "\n"
    from routing.cli.output import printable

    if fmt == "markdown":
        from routing.testing.report_markdown import render_markdown

        return printable(render_markdown(report, limits))
    if fmt == "html":
        from routing.testing.report_html import render_html

        return printable(render_html(report, limits))
    from routing.testing.report_text import render_text

    return printable(render_text(report, limits))


def _source(option: str, spec: str, stack: contextlib.ExitStack) -> RuleSource:
    if not spec.startswith(_GIT_PREFIX):
        if not os.path.exists(spec):
            raise _UsageError(f"{option}: rule file or directory '{spec}' not found")
        return RuleSource(spec, spec)
    directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="routing-diff-"))
    try:
        return materialise(spec, directory)
    except GitSpecError as exc:
        raise _UsageError(f"{option} {spec}: {exc}") from None
    except GitError as exc:
        raise GitError(f"{option} {spec}: {exc}") from None


# ---------------------------------------------------------------------------- git


def _git(argv: Sequence[str], cwd: str, *, text: bool = True) -> subprocess.CompletedProcess[Any]:
    try:
        return subprocess.run(
            ["git", *argv],
            cwd=cwd,
            capture_output=True,
            text=text,
            check=False,
            timeout=_GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed for git:REV:PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {argv[0]} took longer than {_GIT_TIMEOUT}s") from None


def _stderr_line(result: subprocess.CompletedProcess[Any]) -> str:
    err = (
        result.stderr if isinstance(result.stderr, str) else result.stderr.decode(errors="replace")
    )
    lines = [line for line in err.splitlines() if line.strip()]
    return lines[0].removeprefix("fatal: ") if lines else f"exit status {result.returncode}"


def materialise(spec: str, directory: str, *, cwd: str | None = None) -> RuleSource:
    """Copy the rule file or directory a ``git:REV:PATH`` names into `directory`.

    Git runs with an argument list (never a shell) in `cwd` (default: the current
    directory). The copy keeps PATH under `directory`, so file names map back to
    ``git:REV:PATH``.

    Raises:
        GitError: `spec` is malformed, `cwd` is not in a git repository, REV is not a
            revision, or PATH is not in it.
    """
    cwd = os.getcwd() if cwd is None else cwd
    rev, sep, path = spec.removeprefix(_GIT_PREFIX).partition(":")
    if not sep or not rev or not path.strip("/"):
        raise GitSpecError(
            "expected git:REV:PATH, e.g. git:main:rules or git:HEAD~1:rules/triage.yaml"
        )
    if rev.startswith("-"):
        raise GitError(f"unknown revision '{rev}'")
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise GitError(f"'{os.path.abspath(cwd)}' is not in a git repository")
    root = top.stdout.strip()
    commit = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd
    )
    if commit.returncode != 0:
        raise GitError(f"unknown revision '{rev}'")
    oid = commit.stdout.strip()
    if path.startswith(("./", "../")) or path in (".", ".."):
        relative = os.path.relpath(
            os.path.join(os.path.realpath(cwd), path), os.path.realpath(root)
        )
        if relative == ".." or relative.startswith("../"):
            raise GitError(f"path '{path}' is outside the repository")
    else:
        relative = os.path.normpath(path)
    relative = relative.replace(os.sep, "/").strip("/")
    if relative in ("", "."):
        raise GitError("expected a rule file or directory in the repository, not its top")
    kind = _git(["cat-file", "-t", f"{oid}:{relative}"], cwd)
    if kind.returncode != 0:
        raise GitError(f"path '{relative}' is not in revision '{rev}'")
    target = os.path.join(directory, *relative.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    object_type = kind.stdout.strip()
    if object_type == "blob":
        blob = _git(["cat-file", "blob", f"{oid}:{relative}"], cwd, text=False)
        if blob.returncode != 0:  # pragma: no cover - the object exists
            raise GitError(_stderr_line(blob))
        with open(target, "wb") as handle:
            handle.write(blob.stdout)
    elif object_type == "tree":
        archive = _git(["archive", "--format=tar", f"{oid}:{relative}"], cwd, text=False)
        if archive.returncode != 0:  # pragma: no cover - the object exists
            raise GitError(_stderr_line(archive))
        os.makedirs(target, exist_ok=True)
        _extract(archive.stdout, target)
    else:
        raise GitError(f"path '{relative}' in revision '{rev}' is a {object_type}, not a file")
    return RuleSource(spec, target, prefix=directory + os.sep, replacement=f"git:{rev}:")


def _extract(data: bytes, target: str) -> None:
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        archive.extractall(target, filter="data")
