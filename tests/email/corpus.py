"""Where the shared mail corpus is (../shared/corpora beside the checkout, as in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SPAMASSASSIN = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "spamassassin"


def require_corpus() -> Path:
    """The SpamAssassin corpus folder; fails in CI (env CI set) and skips elsewhere if absent."""
    if not SPAMASSASSIN.is_dir():
        message = f"the mail corpus is missing: {SPAMASSASSIN}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SPAMASSASSIN


def corpus_names() -> list[str]:
    """Every message file under spam/ and nice/, as a path relative to the corpus folder."""
    if not SPAMASSASSIN.is_dir():
        return []
    return sorted(
        path.relative_to(SPAMASSASSIN).as_posix()
        for folder in ("spam", "nice")
        for path in (SPAMASSASSIN / folder).rglob("*")
        if path.is_file()
    )
