"""`routing check` on the golden corpus: exact output in every format, and exit codes.

Each case in tests/golden/check/ is a broken rule file (``<name>.yaml``) or a rule directory
(``<name>/``) with several mistakes of the kind people really make. Its goldens sit next to
it: ``<case>.out`` (text), ``<case>.json``, ``<case>.github`` and ``<case>.sarif``. Re-create
them with ``pytest tests/cli/test_check_golden.py --update-goldens`` and review the diff.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from routing.cli.main import main

if TYPE_CHECKING:
    from tests.conftest import Golden

REPO = Path(__file__).resolve().parent.parent.parent
CORPUS = Path("tests") / "golden" / "check"  # relative: paths in outputs must be stable

#: format -> suffix of its golden file
SUFFIXES = {"text": ".out", "json": ".json", "github": ".github", "sarif": ".sarif"}

#: Cases whose check only warns, so it exits 0 (every other broken case exits 1).
EXIT_ZERO = {"clean.yaml", "conflicting-sets.yaml"}

#: Cases that do not run today: case -> (exception, reason). strict xfail: remove on a fix.
KNOWN_CRASHES: dict[str, tuple[type[BaseException], str]] = {}


def _cases() -> list[str]:
    root = REPO / CORPUS
    files = [p.name for p in root.glob("*.yaml") if p.is_file()]
    dirs = [p.name for p in root.iterdir() if p.is_dir()]
    return sorted(files + dirs)


CASES = _cases()


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str


def _check(*args: str) -> Run:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", *args])
    return Run(code, out.getvalue())


def _params() -> list[object]:
    params = []
    for case in CASES:
        marks = []
        if case in KNOWN_CRASHES:
            exc, reason = KNOWN_CRASHES[case]
            marks.append(pytest.mark.xfail(raises=exc, reason=reason, strict=True))
        for fmt in SUFFIXES:
            params.append(pytest.param(case, fmt, marks=marks, id=f"{case}-{fmt}"))
    return params


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_corpus_has_a_clean_case_and_about_twenty_broken_ones() -> None:
    """The corpus keeps its shape: one clean file, a directory case, ~20 broken files."""
    assert "clean.yaml" in CASES
    assert any((REPO / CORPUS / c).is_dir() for c in CASES)
    assert len(CASES) >= 20


@pytest.mark.parametrize(("case", "fmt"), _params())
def test_check_output_matches_golden(case: str, fmt: str, golden: Golden) -> None:
    """`routing check CASE --format FMT` prints exactly the golden, and exits 1 on errors."""
    path = (CORPUS / case).as_posix()
    run = _check(path, "--format", fmt)
    golden.check(REPO / CORPUS / f"{case}{SUFFIXES[fmt]}", run.stdout)
    assert run.exit_code == (0 if case in EXIT_ZERO else 1)


@pytest.mark.parametrize(
    ("case", "want"),
    [("conflicting-sets.yaml", 1), ("clean.yaml", 0), ("enum-typos.yaml", 1)],
    ids=["warnings-fail", "clean-passes", "errors-fail"],
)
def test_check_fail_on_warning_exit_code(case: str, want: int) -> None:
    """`--fail-on warning` makes warnings fail too; a clean rule set still passes."""
    run = _check((CORPUS / case).as_posix(), "--fail-on", "warning")
    assert run.exit_code == want


def test_check_max_errors_truncates_text(golden: Golden) -> None:
    """`--max-errors 2` shows two diagnostics, a line counting the rest, and the full summary."""
    case = "enum-typos.yaml"
    run = _check((CORPUS / case).as_posix(), "--max-errors", "2")
    golden.check(REPO / CORPUS / f"{case}.max-errors-2.out", run.stdout)
    assert run.exit_code == 1
    assert run.stdout.count("error[") == 2
    assert "\n5 more errors not shown\n" in run.stdout
    assert run.stdout.endswith("\n7 errors, 0 warnings\n")
