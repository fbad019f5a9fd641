"""The examples in docs/ run: every rules/ticket/decision triple, every check error, every
Python block.

Conventions (described for readers at the top of docs/language.md):

- A ```` ```yaml title="rules" ```` block is a rule set. Each ```` ```json title="ticket" ````
  block after it (up to the next rules block or heading) is evaluated against it; the
  ```` ```json title="decision" ```` block that follows holds a *subset* of
  ``decision.to_dict(trace=True)``: every key shown must match (recursively for objects;
  lists must have the same length, item by item). The ticket block is either a ticket, or
  ``{"ticket": {...}, "now": "...", "event": "...", "history": [...]}`` (the JSON Lines
  form of ``routing dry-run``). Without ``now`` the instant is `DEFAULT_NOW`.
- A ```` ```yaml title="rules (error)" ```` block is followed by a
  ```` ```text title="routing check" ```` block: the exact standard output of
  ``routing check rules.yaml`` on it, run in a directory holding only that file; the exit
  status must be 1. ```` ```yaml title="rules (warning)" ```` is the same with exit status 0.
- ```` ```python ```` blocks in `PYTHON_DOCS` run top to bottom in one namespace per page;
  blocks that hold ``>>>`` prompts run as doctests.

Expected values are written by the library, never by hand:
``python tests/test_docs.py --update`` re-runs every example and rewrites the values of the
keys each decision block already shows, and every ``routing check`` block, in place.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import routing
from routing.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLE_DOCS = ("language.md", "concepts/pipeline.md")
PYTHON_DOCS = ("index.md", "quickstart.md", "api.md")
DEFAULT_NOW = "2026-11-23T10:00:00+00:00"  # a Monday

_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```\s*$", re.M | re.S
)
_HEADING = re.compile(r"^(#{1,6}) +(.+?)\s*$", re.M)
_TITLE = re.compile(r'title="([^"]*)"')


@dataclass
class Block:
    lang: str
    title: str
    body: str
    start: int  # offset of the body in the page
    end: int
    heading: str


@dataclass
class Case:
    page: str
    heading: str
    rules: Block
    ticket: Block | None = None
    expected: Block | None = None
    index: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")
        return f"{self.page}::{slug}::{self.index}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(2)) for m in _HEADING.finditer(text)]
    out = []
    # headings inside code blocks are not headings: drop those that fall inside a fence
    fences = list(_FENCE.finditer(text))
    headings = [
        (pos, h) for pos, h in headings if not any(f.start() < pos < f.end() for f in fences)
    ]
    for m in fences:
        info = m.group("info").strip()
        lang = info.split()[0] if info else ""
        title_m = _TITLE.search(info)
        heading = ""
        for pos, h in headings:
            if pos < m.start():
                heading = h
        out.append(
            Block(
                lang=lang,
                title=title_m.group(1) if title_m else "",
                body=m.group("body"),
                start=m.start("body"),
                end=m.end("body"),
                heading=heading,
            )
        )
    return out


def cases(page_name: str) -> list[Case]:
    """Pair every rules block with the ticket/decision blocks that follow it."""
    out: list[Case] = []
    rules: Block | None = None
    pending: Case | None = None
    seen: dict[str, int] = {}

    def add(case: Case) -> None:
        key = f"{case.page}::{case.heading}"
        case.index = seen.get(key, 0)
        seen[key] = case.index + 1
        out.append(case)

    for b in blocks(DOCS / page_name):
        if b.title == "rules":
            rules = b
            pending = None
        elif b.title in ("rules (error)", "rules (warning)"):
            rules = None
            pending = Case(page_name, b.heading, b)
        elif b.title == "routing check":
            assert pending is not None, f"{page_name}: a check block without rules: {b.body[:60]}"
            pending.expected = b
            add(pending)
            pending = None
        elif b.title == "ticket":
            assert rules is not None, f"{page_name}: a ticket block without rules: {b.body[:60]}"
            pending = Case(page_name, b.heading, rules, ticket=b)
        elif b.title == "decision":
            message = f"{page_name}: a decision block without a ticket: {b.body[:60]}"
            assert pending is not None, message
            assert pending.ticket is not None, message
            pending.expected = b
            add(pending)
            pending = None
    return out


def all_cases() -> list[Case]:
    return [c for page in EXAMPLE_DOCS for c in cases(page)]


# ------------------------------------------------------------------------------ running


def evaluate(case: Case) -> dict[str, Any]:
    assert case.ticket is not None
    ruleset = routing.loads(case.rules.body, name="rules.yaml")
    data = json.loads(case.ticket.body)
    if "ticket" in data:
        ticket = data["ticket"]
        now = datetime.fromisoformat(data.get("now", DEFAULT_NOW))
        kwargs: dict[str, Any] = {}
        if "event" in data:
            kwargs["event"] = data["event"]
        if "history" in data:
            kwargs["history"] = data["history"]
    else:
        ticket, now, kwargs = data, datetime.fromisoformat(DEFAULT_NOW), {}
    decision = ruleset.evaluate(ticket, now, trace=True, **kwargs)
    # the round trip through JSON is what a reader of the docs sees
    result: dict[str, Any] = json.loads(json.dumps(decision.to_dict(trace=True)))
    return result


def check_output(rules_text: str, *, expect_exit: int = 1) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "rules.yaml").write_text(rules_text, encoding="utf-8")
        cwd = os.getcwd()
        out = io.StringIO()
        try:
            os.chdir(tmp)
            with contextlib.redirect_stdout(out):
                code = cli_main(["check", "rules.yaml"])
        finally:
            os.chdir(cwd)
    assert code == expect_exit, f"routing check exited {code}:\n{out.getvalue()}"
    return out.getvalue()


def _exit(case: Case) -> int:
    """`rules (error)` blocks make routing check exit 1; `rules (warning)` blocks exit 0."""
    return 0 if case.rules.title == "rules (warning)" else 1


def subset_mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """None when `expected` is a subset of `actual`, else where they differ."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, found {actual!r}"
        for k, v in expected.items():
            if k not in actual:
                return f"{where}.{k}: missing"
            problem = subset_mismatch(v, actual[k], f"{where}.{k}")
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected {json.dumps(expected)}, found {json.dumps(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problem = subset_mismatch(e, a, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if expected != actual or type(expected) is not type(actual):
        numbers = isinstance(expected, int | float) and isinstance(actual, int | float)
        if numbers and expected == actual and not isinstance(expected, bool | type(None)):
            return None
        return f"{where}: expected {json.dumps(expected)}, found {json.dumps(actual)}"
    return None


CASES = all_cases()


def test_there_are_enough_examples() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_example(case: Case) -> None:
    assert case.expected is not None
    if case.ticket is None:
        assert check_output(case.rules.body, expect_exit=_exit(case)) == case.expected.body
        return
    actual = evaluate(case)
    expected = json.loads(case.expected.body)
    problem = subset_mismatch(expected, actual)
    assert problem is None, f"{problem}\nfull decision:\n{json.dumps(actual, indent=2)}"


# ------------------------------------------------------------------------------ python blocks


def python_blocks(page_name: str) -> list[Block]:
    return [b for b in blocks(DOCS / page_name) if b.lang in ("python", "pycon")]


@pytest.mark.parametrize("page_name", PYTHON_DOCS)
def test_python_blocks(page_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Python block of the page runs, in order, in one namespace, in a scratch
    directory where the page's ```` ```yaml title="rules.yaml" ```` files are written."""
    page = DOCS / page_name
    monkeypatch.chdir(tmp_path)
    for b in blocks(page):
        if b.lang == "yaml" and b.title.endswith((".yaml", ".yml")):
            target = tmp_path / b.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(b.body, encoding="utf-8")
    found = python_blocks(page_name)
    assert found, f"{page_name} has no python blocks"
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    for b in found:
        if ">>>" in b.body:
            parser = doctest.DocTestParser()
            test = parser.get_doctest(b.body, namespace, f"{page_name}:{b.heading}", str(page), 0)
            runner = doctest.DocTestRunner(
                optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
            )
            out = io.StringIO()
            runner.run(test, out=out.write, clear_globs=False)
            assert runner.failures == 0, out.getvalue()
            namespace.update(test.globs)
        else:
            exec(compile(b.body, f"{page_name}:{b.heading}", "exec"), namespace)


@pytest.mark.parametrize("page_name", PYTHON_DOCS)
def test_shell_check_blocks(
    page_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ```` ```console ```` block that runs ``routing check FILE`` shows its real output."""
    page = DOCS / page_name
    monkeypatch.chdir(tmp_path)
    for b in blocks(page):
        if b.lang == "yaml" and b.title.endswith((".yaml", ".yml")):
            (tmp_path / b.title).write_text(b.body, encoding="utf-8")
    for b in blocks(page):
        if b.lang != "console" or not b.body.startswith("$ routing check "):
            continue
        command, _, shown = b.body.partition("\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli_main(command.removeprefix("$ routing ").split())
        assert out.getvalue() == shown


# ------------------------------------------------------------------------------ --update


def _fill(expected: Any, actual: Any) -> Any:
    """The actual value, restricted to the keys `expected` shows (all of them when it shows
    none: an empty object or null means "show everything")."""
    if isinstance(expected, dict) and isinstance(actual, dict) and expected:
        return {k: _fill(v, actual.get(k)) for k, v in expected.items()}
    return actual


def update() -> int:
    """Rewrite expected values in place from what the library does now."""
    changed = 0
    for page_name in EXAMPLE_DOCS:
        page = DOCS / page_name
        text = page.read_text(encoding="utf-8")
        edits: list[tuple[int, int, str]] = []
        for case in cases(page_name):
            assert case.expected is not None
            if case.ticket is None:
                new = check_output(case.rules.body, expect_exit=_exit(case))
            else:
                try:
                    actual = evaluate(case)
                except routing.RoutingError as exc:
                    raise SystemExit(f"{case.id}: {exc}") from exc
                shown = json.loads(case.expected.body)
                new = _dump(_fill(shown, actual)) + "\n"
            if new != case.expected.body:
                edits.append((case.expected.start, case.expected.end, new))
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        if edits:
            page.write_text(text, encoding="utf-8")
            changed += len(edits)
    print(f"updated {changed} example(s)")
    return 0


def _dump(value: Any) -> str:
    """JSON in a compact, readable form: short values on one line."""
    one = json.dumps(value, ensure_ascii=False)
    if len(one) <= 88:
        return one
    if isinstance(value, dict):
        items = [f"  {json.dumps(k)}: {_indent(_dump(v))}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(value, list):
        items = [f"  {_indent(_dump(v))}" for v in value]
        return "[\n" + ",\n".join(items) + "\n]"
    return one


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        raise SystemExit(update())
    print(__doc__)
    raise SystemExit(2)
