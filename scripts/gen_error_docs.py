#!/usr/bin/env python
"""Refresh the error catalog in docs/errors/ from the real behaviour of `routing`.

Each page ``docs/errors/<stage>/<slug>.md`` documents one code of `routing.diagnostics.CODES`
and is written by hand, except for two generated blocks that this script rewrites:

- ``<!-- message -->``: the message of the first diagnostic (or decision error) with the
  page's code that the example produces;
- ``<!-- output -->``: the exact output of ``routing check`` on the example (or, for
  ``eval/*`` codes, the ``errors`` of the decision).

The example is described by HTML comments (invisible in the rendered page), each followed by
a fenced block where one is needed:

- ``<!-- example: PATH [encoding=NAME] -->`` + a ``yaml`` block: a rule file written to PATH
  (relative to a scratch directory); several of them make a rule directory;
- ``<!-- script -->`` + a ``python`` block: run in the scratch directory to write files that
  are too large to show (limits);
- ``<!-- mkdir: PATH -->``: an empty directory;
- ``<!-- check: PATH -->``: the path given to ``routing check`` (default: the only example);
- ``<!-- test: PATH -->``: run ``routing test PATH`` instead (for ``test/*`` codes: the
  example files are a rule set and a rule test file); the output shows what it prints;
- ``<!-- ticket -->`` + a ``json`` block, and ``<!-- now: ISO -->``: for ``eval/*`` codes, the
  ticket evaluated against the rule set at that instant;
- ``<!-- known-issue: TEXT -->``: the example does not produce the code yet (a code nothing
  emits, or a bug); the catalog test expects it to fail, strictly, until the marker goes.

It also rewrites ``docs/errors/index.md`` from `CODES`. Usage::

    python scripts/gen_error_docs.py          # rewrite the generated parts
    python scripts/gen_error_docs.py --check  # exit 1 if any page is out of date

`tests/test_error_catalog.py` imports this module to run every example.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "errors"

_MARKER = re.compile(r"<!--\s*([a-z-]+)(?::\s*(.*?))?\s*-->")
_BODY = r"((?:(?!```$)[^\n]*\n)*)```$"  # lines up to the closing fence
_FENCE = re.compile(r"^```([a-z]*)\n" + _BODY, re.M)
_GENERATED = re.compile(r"(<!-- (message|output) -->\n)```([a-z]*)\n" + _BODY, re.M)


@dataclass
class Example:
    """What a page's example consists of, as read from its markers."""

    files: list[tuple[str, str, str]] = field(default_factory=list)  # path, text, encoding
    scripts: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    check: str | None = None
    test: str | None = None
    ticket: dict[str, object] | None = None
    now: str | None = None

    @property
    def target(self) -> str:
        if self.check is not None:
            return self.check
        if len(self.files) == 1:
            return self.files[0][0]
        raise ValueError("an example with several files needs <!-- check: PATH -->")


@dataclass
class Result:
    """What running an example gave: the codes seen, the shown output, first messages."""

    codes: list[str]
    output: str
    messages: dict[str, str]
    exit_code: int | None = None


def page_path(code: str) -> Path:
    """The page of a code: docs/errors/<stage>/<slug>.md."""
    stage, slug = code.split("/", 1)
    return DOCS / stage / f"{slug}.md"


def pages() -> dict[str, Path]:
    """Every page under docs/errors/<stage>/, keyed by the code its location names."""
    return {f"{p.parent.name}/{p.stem}": p for p in sorted(DOCS.glob("*/*.md"))}


def _block_after(text: str, pos: int) -> tuple[str, str]:
    match = _FENCE.search(text, pos)
    if match is None:
        raise ValueError(f"no fenced block after the marker at offset {pos}")
    return match.group(1), match.group(2)


def parse_example(text: str) -> Example:
    """Read the example markers of a page."""
    ex = Example()
    for m in _MARKER.finditer(text):
        kind, arg = m.group(1), (m.group(2) or "").strip()
        if kind == "example":
            path, _, opts = arg.partition(" ")
            encoding = "utf-8"
            if opts.startswith("encoding="):
                encoding = opts.removeprefix("encoding=")
            ex.files.append((path, _block_after(text, m.end())[1], encoding))
        elif kind == "script":
            ex.scripts.append(_block_after(text, m.end())[1])
        elif kind == "mkdir":
            ex.dirs.append(arg)
        elif kind == "check":
            ex.check = arg
        elif kind == "test":
            ex.test = arg
        elif kind == "ticket":
            ex.ticket = json.loads(_block_after(text, m.end())[1])
        elif kind == "now":
            ex.now = arg
    return ex


def _materialize(ex: Example, where: Path) -> None:
    for d in ex.dirs:
        (where / d).mkdir(parents=True, exist_ok=True)
    for path, body, encoding in ex.files:
        target = where / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.encode(encoding))
    for script in ex.scripts:
        subprocess.run([sys.executable, "-c", script], cwd=where, check=True)


@contextlib.contextmanager
def _chdir(path: Path):  # type: ignore[no-untyped-def]
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_example(ex: Example) -> Result:
    """Run an example in a scratch directory: `routing check`, or an evaluation."""
    import routing
    import routing.cli.check as check_cli
    from routing.cli.main import main

    with tempfile.TemporaryDirectory() as tmp, _chdir(Path(tmp)):
        _materialize(ex, Path(tmp))
        if ex.test is not None:
            return _run_test_example(ex.test)
        if ex.ticket is not None:
            if ex.now is None:
                raise ValueError("an eval example needs <!-- now: ISO -->")
            rules = routing.load(ex.target)
            decision = rules.evaluate(ex.ticket, now=datetime.fromisoformat(ex.now))
            errors = decision.to_dict()["errors"]
            assert isinstance(errors, list)
            messages: dict[str, str] = {}
            for e in errors:
                messages.setdefault(e["code"], e["message"])
            output = json.dumps(errors, indent=2, ensure_ascii=False) + "\n"
            return Result([e["code"] for e in errors], output, messages)
        seen: list[Diagnostic] = []
        real = check_cli.check_path

        def recording(path: str) -> list[Diagnostic]:
            found = real(path)
            seen.extend(found)
            return found

        out = io.StringIO()
        check_cli.check_path = recording
        try:
            with contextlib.redirect_stdout(out):
                exit_code = main(["check", ex.target])
        finally:
            check_cli.check_path = real
    diagnostics = seen
    messages = {}
    for d in diagnostics:
        messages.setdefault(d.code, d.message)
    shown = f"$ routing check {ex.target}\n{out.getvalue()}"
    return Result([d.code for d in diagnostics], shown, messages, exit_code)


def _run_test_example(path: str) -> Result:
    """``routing test PATH`` in the current directory, and the diagnostics its files have."""
    from routing.cli.main import main
    from routing.testing.suite import load_suites

    suites, problems = load_suites(path)
    diagnostics = [*problems]
    for suite in suites:
        diagnostics.extend(suite.diagnostics)
        for test in suite.tests:
            diagnostics.extend(test.problems)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        exit_code = main(["test", path])
    messages: dict[str, str] = {}
    for d in diagnostics:
        messages.setdefault(d.code, d.message)
    shown = f"$ routing test {path}\n{out.getvalue()}"
    return Result([d.code for d in diagnostics], shown, messages, exit_code)


def refresh(code: str, text: str) -> str:
    """The page text with its generated blocks rewritten from a fresh run."""
    result = run_example(parse_example(text))

    def repl(m: re.Match[str]) -> str:
        if m.group(2) == "message":
            message = result.messages.get(code, "(not reported by this release)")
            return f"{m.group(1)}```text\n{message}\n```"
        return f"{m.group(1)}```{m.group(3)}\n{result.output.rstrip(chr(10))}\n```"

    return _GENERATED.sub(repl, text)


def index_text() -> str:
    """docs/errors/index.md: every code with its title and severity, by stage."""
    from routing.diagnostics import CODES

    lines = [
        "# Error catalog",
        "",
        "Every diagnostic `routing check` reports, and every error a decision can carry, has a",
        "stable code `<stage>/<slug>` and a page here with an example and how to fix it.",
        "Errors stop a rule set from loading; warnings do not (`routing check --fail-on warning`",
        "makes them fail CI too). `eval/*` codes never come from `check`: they appear in the",
        "`errors` of a decision when a rule fails at run time for one ticket.",
        "",
        "This page is generated by `python scripts/gen_error_docs.py` from",
        "`routing.diagnostics.CODES`.",
    ]
    stage = None
    for code, info in sorted(CODES.items()):
        here = code.split("/", 1)[0]
        if here != stage:
            stage = here
            lines += ["", f"## {stage}", "", "| code | title | severity |", "|---|---|---|"]
        link = page_path(code).relative_to(DOCS).as_posix()
        lines.append(f"| [`{code}`]({link}) | {info.title} | {info.severity.value} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report stale pages")
    parser.add_argument("codes", nargs="*", help="refresh only these codes")
    args = parser.parse_args(argv)
    stale = []
    failed = False
    targets = {(DOCS / "index.md"): index_text()}
    for code, path in pages().items():
        if args.codes and code not in args.codes:
            continue
        try:
            targets[path] = refresh(code, path.read_text(encoding="utf-8"))
        except Exception as exc:  # report the page, keep refreshing the others
            print(f"error: {code}: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed = True
    for path, text in targets.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path.relative_to(REPO).as_posix())
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for name in stale:
        print(("stale: " if args.check else "wrote: ") + name)
    return 1 if failed or (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
