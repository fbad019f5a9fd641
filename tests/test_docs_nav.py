"""mkdocs.yml's nav and the pages under docs/ are the same set: no page is unreachable and no
nav entry points at a page that is gone (regression: the nav kept errors/name/unknown-stage.md
after the code was removed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _pages(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node] if node.endswith(".md") else []
    if isinstance(node, list):
        return [page for item in node for page in _pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in _pages(value)]
    return []


def test_nav_lists_every_page_once_and_nothing_else() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _pages(config["nav"])
    on_disk = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(set(nav)) == sorted(nav), "a page is listed twice"
    assert (sorted(set(on_disk) - set(nav)), sorted(set(nav) - set(on_disk))) == ([], [])
