"""``routing schema``: print the JSON Schema of rule files (for editors and validators)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from routing.dsl.jsonschema import rule_file_schema

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``schema`` sub-command."""
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of rule files",
        description="Print the JSON Schema (draft 2020-12) of rule files, for editors and CI.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the schema as JSON (two-space indent, stable key order); returns 0."""
    sys.stdout.write(json.dumps(rule_file_schema(), indent=2, ensure_ascii=False) + "\n")
    return 0
