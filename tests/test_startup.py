"""Start-up: what ``import routing`` and loading well-formed rules leave out of the process.

lark (with its parser tables) is imported only when an expression needs it: a syntax error
or something the fast reader declines. Each check runs in a fresh interpreter and reads
``sys.modules``, so a module-level import that brings lark back fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE_RULES = Path(__file__).resolve().parent.parent / "examples" / "helpdesk" / "rules"


def _loaded(code: str) -> list[str]:
    """The lark modules in ``sys.modules`` after running `code` in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules"
    probe += " if m == 'lark' or m.startswith(('lark.', 'routing.dsl._lark_expr')))))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_import_routing_does_not_import_lark() -> None:
    assert _loaded("import routing, routing.cli.main") == []


def test_loading_the_example_rules_does_not_import_lark() -> None:
    assert _loaded(f"import routing\nrouting.load({str(EXAMPLE_RULES)!r})") == []


def test_a_syntax_error_still_imports_lark_and_explains_it() -> None:
    code = (
        "from routing.diagnostics import SourceFile\n"
        "from routing.dsl.expr_parser import parse_expression\n"
        "expr, diags = parse_expression('vip and', SourceFile('<t>', 'vip and'))\n"
        "assert expr is None\n"
        "assert [d.code for d in diags] == ['syntax/unexpected-end'], diags\n"
    )
    loaded = _loaded(code)
    assert {"lark", "routing.dsl._lark_expr"} <= set(loaded), loaded
