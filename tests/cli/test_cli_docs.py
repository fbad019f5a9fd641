"""docs/cli/check.md and docs/cli/sla.md show real output: every command block is re-run.

The pages use the block titles of docs/ci.md (read with `tests.test_ci_doc.blocks`):

- ``title="file PATH"``: the block is written to PATH;
- ``title="$ routing ARGS [2>&1] [| head -n N]  # exit CODE"``: the command runs and its
  standard output (with ``2>&1`` followed by its standard error; with ``| head`` only the
  first N lines) must equal the block, and its exit status CODE.

Each page runs in a scratch directory holding a copy of ``examples/helpdesk/rules`` at the
same relative path as in the repository, so a command reads as it would be typed at the
repository's top directory. Blocks run in page order; files a block writes stay for the
blocks after it.

``python -m tests.cli.test_cli_docs --update`` (from the repository's top directory)
rewrites every output block from a real run and prints the commands whose exit status is
not the one the page says.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.test_ci_doc import Block, blocks

from routing.cli.main import COMMAND_MODULES
from routing.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("check.md", "sla.md")
EXAMPLE_RULES = Path("examples") / "helpdesk" / "rules"

_COMMAND = re.compile(
    r"^\$ (?P<cmd>.+?)(?P<merge> 2>&1)?(?: \| head -n (?P<head>\d+))?  # exit (?P<exit>\d+)$"
)


@dataclass(frozen=True)
class Result:
    block: Block
    want_exit: int
    exit: int
    output: str


def run(argv: list[str], *, merge_stderr: bool) -> tuple[int, str]:
    """Exit status and standard output (then standard error, when merged) of `routing argv`;
    a usage error that argparse reports (SystemExit) gives its status like the shell."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue() + (err.getvalue() if merge_stderr else "")


def replay(page: str, where: Path) -> list[Result]:
    """Run the page's blocks in order in `where` (the current directory must be `where`)."""
    shutil.copytree(ROOT / EXAMPLE_RULES, where / EXAMPLE_RULES)
    results = []
    for block in blocks((ROOT / "docs" / "cli" / page).read_text(encoding="utf-8")):
        kind, _, rest = block.title.partition(" ")
        if kind == "file":
            target = where / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
        elif kind == "$":
            m = _COMMAND.match(block.title)
            assert m, f"{page}: bad command title {block.title!r}"
            argv = shlex.split(m.group("cmd"))
            assert argv[0] == "routing", f"{page}: {block.title}"
            code, out = run(argv[1:], merge_stderr=bool(m.group("merge")))
            if m.group("head"):
                out = "".join(out.splitlines(keepends=True)[: int(m.group("head"))])
            results.append(Result(block, int(m.group("exit")), code, out))
    return results


@pytest.fixture(scope="module", params=PAGES)
def replayed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, list[Result]]:
    page: str = request.param
    where = tmp_path_factory.mktemp(page.replace(".", "-"))
    cwd = os.getcwd()
    os.chdir(where)
    try:
        return page, replay(page, where)
    finally:
        os.chdir(cwd)


def test_every_command_prints_what_the_page_shows(replayed: tuple[str, list[Result]]) -> None:
    page, results = replayed
    assert results, f"{page} runs no command"
    for r in results:
        assert (r.exit, r.output) == (r.want_exit, r.block.body), f"{page}: {r.block.title}"


def _shown(results: list[Result]) -> set[tuple[str, ...]]:
    """(sub-command, format or sla sub-command, exit status) of each command run."""
    shown: set[tuple[str, ...]] = set()
    for r in results:
        argv = shlex.split(_COMMAND.match(r.block.title).group("cmd"))  # type: ignore[union-attr]
        if argv[1] == "check":
            fmt = argv[argv.index("--format") + 1] if "--format" in argv else "text"
            shown.add(("check", fmt, str(r.exit)))
        else:
            shown.add((argv[1], argv[2], str(r.exit)))
    return shown


def test_the_pages_show_every_format_sub_command_and_exit_status(
    replayed: tuple[str, list[Result]],
) -> None:
    page, results = replayed
    want = {
        "check.md": {
            ("check", "text", "0"),
            ("check", "text", "1"),
            ("check", "text", "2"),
            ("check", "github", "1"),
            ("check", "json", "0"),
            ("check", "json", "1"),
            ("check", "sarif", "0"),
        },
        "sla.md": {
            ("sla", "due", "0"),
            ("sla", "between", "0"),
            ("sla", "next-open", "0"),
            ("sla", "show", "0"),
            ("sla", "due", "2"),
            ("sla", "next-open", "2"),
        },
    }[page]
    assert want <= _shown(results)


def test_the_command_line_nav_follows_routing_help() -> None:
    """mkdocs.yml lists a page per command, in the order of `routing --help`."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    section = text.split("\n  - Command line:\n", 1)[1].splitlines()
    entries = []
    for line in section:
        m = re.fullmatch(r'      - "([^"]+)": (\S+)', line)
        if m is None:
            break
        entries.append((m.group(1), m.group(2)))
    assert entries == [
        (f"routing {name.replace('_', '-')}", f"cli/{name.replace('_', '-')}.md")
        for name in COMMAND_MODULES
    ]
    for _, page in entries:
        assert (ROOT / "docs" / page).is_file(), page


def update() -> None:  # pragma: no cover - a maintainer's tool
    """Rewrite every output block of the pages from a real run."""
    for page in PAGES:
        path = ROOT / "docs" / "cli" / page
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                results = replay(page, Path(tmp))
            finally:
                os.chdir(cwd)
        text = path.read_text(encoding="utf-8")
        for r in sorted(results, key=lambda r: -r.block.start):
            text = text[: r.block.start] + r.output + text[r.block.end :]
            if r.exit != r.want_exit:
                print(f"{page}: exit {r.exit}, the page says {r.want_exit}: {r.block.title}")
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        sys.exit(pytest.main([__file__, "-q"]))
