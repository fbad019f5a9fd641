"""``routing schema``: the JSON Schema on stdout."""

from __future__ import annotations

import json

import pytest

from routing.cli.main import main
from routing.dsl.jsonschema import rule_file_schema


def test_schema_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """The output is the schema as two-space JSON, in its stable key order, and exit 0."""
    code = main(["schema"])
    captured = capsys.readouterr()
    want = json.dumps(rule_file_schema(), indent=2, ensure_ascii=False) + "\n"
    assert (code, captured.out, captured.err) == (0, want, "")
    assert list(json.loads(captured.out))[:3] == ["$schema", "$id", "title"]


def test_schema_rejects_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    """An unexpected argument is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["schema", "extra"])
    assert (exit_info.value.code, capsys.readouterr().out) == (2, "")
