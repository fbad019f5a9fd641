"""``routing fmt``: in place, --check, --diff, exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from routing.cli.main import main

UGLY = "stages: []\nversion:   1\n"
PRETTY = "version: 1\nstages: []\n"


def _tree(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "sub").mkdir()
    files = {
        "rules/a.yaml": UGLY,
        "rules/b.yml": PRETTY,
        "rules/sub/c.yaml": UGLY,
        "rules/notes.txt": UGLY,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return files


def _contents(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    return {name: (tmp_path / name).read_text(encoding="utf-8") for name in files}


@dataclass(frozen=True)
class Case:
    note: str
    flags: tuple[str, ...]
    code: int
    out: str
    changed: bool


CASES = (
    Case(
        "formats in place",
        (),
        0,
        "reformatted {d}/a.yaml\nreformatted {d}/sub/c.yaml\n",
        True,
    ),
    Case(
        "check lists and fails",
        ("--check",),
        1,
        "would reformat {d}/a.yaml\nwould reformat {d}/sub/c.yaml\n",
        False,
    ),
    Case(
        "diff prints and writes nothing",
        ("--diff",),
        0,
        "--- {d}/a.yaml\t(original)\n+++ {d}/a.yaml\t(formatted)\n@@ -1,2 +1,2 @@\n"
        "+version: 1\n stages: []\n-version:   1\n"
        "--- {d}/sub/c.yaml\t(original)\n+++ {d}/sub/c.yaml\t(formatted)\n@@ -1,2 +1,2 @@\n"
        "+version: 1\n stages: []\n-version:   1\n",
        False,
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_fmt_directory(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory formats every *.yaml/*.yml below it, in name order."""
    files = _tree(tmp_path)
    rules = tmp_path / "rules"
    code = main(["fmt", *case.flags, str(rules)])
    captured = capsys.readouterr()
    want = dict(files)
    if case.changed:
        want["rules/a.yaml"] = want["rules/sub/c.yaml"] = PRETTY
    assert (code, captured.out, captured.err, _contents(tmp_path, files)) == (
        case.code,
        case.out.format(d=rules),
        "",
        want,
    )


def test_check_passes_when_formatted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--check on formatted files prints nothing and exits 0."""
    path = tmp_path / "ok.yaml"
    path.write_text(PRETTY, encoding="utf-8")
    code = main(["fmt", "--check", str(path)])
    assert (code, capsys.readouterr().out) == (0, "")


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist exits 2 with a one-line message, and nothing is written."""
    path = tmp_path / "ok.yaml"
    path.write_text(UGLY, encoding="utf-8")
    code = main(["fmt", str(path), str(tmp_path / "missing.yaml")])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err, path.read_text(encoding="utf-8")) == (
        2,
        "",
        f"routing fmt: {tmp_path / 'missing.yaml'}: no such file or directory\n",
        UGLY,
    )


def test_unparsable_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not YAML gets a rendered diagnostic, exit 1; the others are formatted."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nqueues: [a\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(UGLY, encoding="utf-8")
    code = main(["fmt", str(bad), str(good)])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err, good.read_text(encoding="utf-8")) == (
        1,
        f"reformatted {good}\n",
        f"{bad}:3:1: error[yaml/syntax]: expected ',' or ']', but got '<stream end>'\n"
        "  |\n3 |\n  | ^\n",
        PRETTY,
    )


def test_a_character_yaml_forbids_is_located_and_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A NUL in a rule file is the same located `yaml/syntax` error as `routing check`
    gives (it had no file or place: "<input>: error[...]"), and the snippet shows it
    escaped, not as a raw control character on the terminal."""
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"version: 1\nqueues: [a\x00b]\n")
    code = main(["fmt", "--check", str(path)])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (
        1,
        "",
        f"{path}:2:11: error[yaml/syntax]: unacceptable character #x0000: special characters"
        " are not allowed\n  |\n2 | queues: [a\\x00b]\n  |           ^\n",
    )
