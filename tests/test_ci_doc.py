"""docs/ci.md shows real output: every command block is re-run and compared.

The page walks through a pull request on a copy of examples/helpdesk. Its fenced blocks are
read in order, by title:

- ``title="edit PATH"`` (a ``diff`` block): lines starting with ``-`` or ``+`` are removed or
  added, lines starting with a space are context; the edit is applied to PATH and committed.
- ``title="file PATH"``: the block is written to PATH.
- ``title="$ routing ARGS [| head -n N]  # exit CODE"``: the command runs in the repository;
  its standard output (the first N lines with ``| head``) must equal the block, and its exit
  status CODE.

Test reports carry run times; those are compared as ``TIME``.
``python tests/test_ci_doc.py --update`` rewrites every output block from a real run and
re-takes the HTML report's screenshot (docs/img/ci-diff-report.png) when Chromium is there.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from routing.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ci.md"
EXAMPLE = ROOT / "examples" / "helpdesk"
SCREENSHOT = ROOT / "docs" / "img" / "ci-diff-report.png"
CHROMIUM = "/usr/bin/chromium"

_FENCE = re.compile(
    r"^(?P<fence>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
_TITLE = re.compile(r'title="([^"]*)"')
_COMMAND = re.compile(r"^\$ (?P<cmd>.+?)(?: \| head -n (?P<head>\d+))?  # exit (?P<exit>\d+)$")
_TIMES = (
    (re.compile(r'("time": )[0-9.e-]+'), r"\1TIME"),
    (re.compile(r'( time=")[0-9.e-]+(")'), r"\1TIME\2"),
)

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ops",
    "GIT_AUTHOR_EMAIL": "ops@acme.example",
    "GIT_COMMITTER_NAME": "Ops",
    "GIT_COMMITTER_EMAIL": "ops@acme.example",
    "GIT_AUTHOR_DATE": "2026-11-23T09:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-11-23T09:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass(frozen=True)
class Block:
    title: str
    body: str
    start: int  # offsets of the body in the page
    end: int


def blocks(text: str) -> list[Block]:
    found = []
    for m in _FENCE.finditer(text):
        title = _TITLE.search(m.group("info"))
        if title:
            found.append(Block(title.group(1), m.group("body"), m.start("body"), m.end("body")))
    return found


def apply_edit(path: Path, diff: str) -> None:
    old, new = [], []
    for line in diff.splitlines(keepends=True):
        mark, rest = line[:1], line[1:]
        if mark in (" ", "-"):
            old.append(rest)
        if mark in (" ", "+"):
            new.append(rest)
    text = path.read_text(encoding="utf-8")
    before = "".join(old)
    assert text.count(before) == 1, f"the edit's context is not found once in {path}"
    path.write_text(text.replace(before, "".join(new)), encoding="utf-8")


def git(repo: Path, *argv: str) -> None:
    env = {**os.environ, **_GIT_ENV, "GIT_CEILING_DIRECTORIES": str(repo.parent)}
    subprocess.run(["git", *argv], cwd=repo, env=env, check=True, capture_output=True)


def make_repo(where: Path) -> Path:
    repo = where / "helpdesk"
    repo.mkdir()
    shutil.copytree(EXAMPLE / "rules", repo / "rules")
    shutil.copytree(EXAMPLE / "tests", repo / "tests")
    shutil.copy(EXAMPLE / "tickets.jsonl", repo / "tickets.jsonl")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "the help desk's rules")
    return repo


def run_command(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli_main(argv)
    return code, out.getvalue()


def normalise(text: str) -> str:
    for pattern, replacement in _TIMES:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Result:
    block: Block
    want_exit: int
    exit: int
    output: str


def walk(repo: Path) -> list[Result]:
    """Replay the page in `repo` (the current directory must be `repo`)."""
    results = []
    for block in blocks(DOC.read_text(encoding="utf-8")):
        kind, _, rest = block.title.partition(" ")
        if kind == "edit":
            apply_edit(repo / rest, block.body)
            git(repo, "commit", "-q", "-am", f"edit {rest}")
        elif kind == "file":
            (repo / rest).write_text(block.body, encoding="utf-8")
        elif kind == "$":
            m = _COMMAND.match(block.title)
            assert m, f"bad command title {block.title!r}"
            argv = shlex.split(m.group("cmd"))
            assert argv[0] == "routing", block.title
            code, out = run_command(argv[1:])
            if m.group("head"):
                out = "".join(out.splitlines(keepends=True)[: int(m.group("head"))])
            results.append(Result(block, int(m.group("exit")), code, out))
    return results


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> list[Result]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = make_repo(tmp_path_factory.mktemp("ci-doc"))
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        return walk(repo)
    finally:
        os.chdir(cwd)


def test_the_page_has_every_format(replayed: list[Result]) -> None:
    shown = {(r.block.title.split()[2], _format(r.block.title)) for r in replayed}
    assert shown == {
        ("check", "text"),
        ("check", "github"),
        ("check", "json"),
        ("check", "sarif"),
        ("test", "text"),
        ("test", "junit"),
        ("test", "json"),
        ("diff", "text"),
        ("diff", "markdown"),
        ("diff", "json"),
    }


def _format(title: str) -> str:
    m = re.search(r"--format (\w+)", title)
    return m.group(1) if m else "text"


def test_every_command_prints_what_the_page_shows(replayed: list[Result]) -> None:
    for r in replayed:
        assert (r.exit, normalise(r.output)) == (r.want_exit, normalise(r.block.body)), (
            r.block.title
        )


def update() -> None:  # pragma: no cover - a maintainer's tool
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(Path(tmp))
        cwd = os.getcwd()
        os.chdir(repo)
        try:
            results = walk(repo)
            text = DOC.read_text(encoding="utf-8")
            for r in sorted(results, key=lambda r: -r.block.start):
                text = text[: r.block.start] + r.output + text[r.block.end :]
                if r.exit != r.want_exit:
                    print(f"exit {r.exit}, the page says {r.want_exit}: {r.block.title}")
            DOC.write_text(text, encoding="utf-8")
            if os.path.exists(CHROMIUM):
                _screenshot(repo)
        finally:
            os.chdir(cwd)


def _screenshot(repo: Path) -> None:  # pragma: no cover - a maintainer's tool
    from playwright.sync_api import sync_playwright

    run_command(
        [
            "diff",
            *("--base", "git:HEAD~1:rules", "--head", "rules", "--tickets", "tickets.jsonl"),
            *("--now", "2026-11-23T10:00:00Z", "--format", "html", "--output", "diff.html"),
        ]
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((repo / "diff.html").as_uri())
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        browser.close()


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        sys.exit(pytest.main([__file__, "-q"]))
