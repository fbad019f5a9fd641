"""The error catalog in docs/errors/ matches the code registry, and its examples stay true.

Each page runs its example through `routing check` (or, for ``eval/*`` codes, through an
evaluation) with `scripts/gen_error_docs.py`, which also writes the generated blocks; after a
change of a message, run ``python scripts/gen_error_docs.py``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from routing.diagnostics import CODES

REPO = Path(__file__).resolve().parent.parent


def _load_generator() -> ModuleType:
    path = REPO / "scripts" / "gen_error_docs.py"
    spec = importlib.util.spec_from_file_location("gen_error_docs", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
PAGES: dict[str, Path] = gen.pages()
SLOW = {"limit/rules-per-file", "limit/file-size", "limit/list-size", "eval/step-budget"}
_KNOWN_ISSUE = re.compile(r"<!-- known-issue: (.*?) -->")


def _page_param(code: str) -> object:
    marks: list[pytest.MarkDecorator] = []
    if code in SLOW:
        marks.append(pytest.mark.slow)
    known = _KNOWN_ISSUE.search(PAGES[code].read_text(encoding="utf-8"))
    if known:
        marks.append(pytest.mark.xfail(reason=known.group(1), strict=True))
    return pytest.param(code, marks=marks, id=code)


PAGE_CODES = [_page_param(code) for code in sorted(PAGES)]


def test_catalog_pages_match_codes_one_to_one() -> None:
    """Every registered code has a page, and every page documents a registered code."""
    assert sorted(PAGES) == sorted(CODES)


@pytest.mark.parametrize("code", sorted(PAGES))
def test_catalog_page_names_its_code(code: str) -> None:
    """A page's title and table name its code, stage and severity."""
    text = PAGES[code].read_text(encoding="utf-8")
    stage = code.split("/", 1)[0]
    info = CODES[code]
    assert text.startswith(f"# `{code}`: {info.title}\n")
    assert f"| `{stage}` | `{code}` | {info.severity.value} |" in text
    for heading in ("## Message", "## Example", "## Output", "## How to fix"):
        assert heading in text


def test_catalog_index_lists_every_code() -> None:
    """docs/errors/index.md is the generated table of every code, linked to its page."""
    index = (REPO / "docs" / "errors" / "index.md").read_text(encoding="utf-8")
    assert index == gen.index_text(), "run python scripts/gen_error_docs.py"
    for code in CODES:
        assert f"[`{code}`]({code}.md)" in index


@pytest.mark.parametrize("code", PAGE_CODES)
def test_catalog_example_produces_its_code(code: str) -> None:
    """Checking (or evaluating) a page's example still produces the page's code, and the
    page shows exactly the output and message of that run."""
    text = PAGES[code].read_text(encoding="utf-8")
    example = gen.parse_example(text)
    result = gen.run_example(example)
    assert code in result.codes
    if code.startswith("eval/"):
        assert example.ticket is not None
    else:
        assert result.exit_code == (0 if CODES[code].severity.value == "warning" else 1)
    assert gen.refresh(code, text) == text, (
        f"{PAGES[code]} is out of date; run python scripts/gen_error_docs.py {code}"
    )
