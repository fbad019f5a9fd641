"""Issue: an unknown function name crashes `routing.loads` with KeyError.

`resolve_names` reports ``name/unknown-function`` and marks the condition invalid, but
`check_types` walks invalid conditions too (``parsed(include_invalid=True)``) and
`_Typer._call` looks the name up with ``FUNCTIONS[node.name]``: a KeyError escapes instead
of the located diagnostic (DESIGN section 5: "an unknown ... function ... is an error with
file, line, column"). Fixed in check_types; this test keeps it fixed.
"""

from __future__ import annotations

import pytest

import routing

RULES = """\
version: 1
stages: [{name: s, mode: all, rules: [{name: a, when: 'upper(subject) == "X"', then: [{tag: x}]}]}]
"""


def test_unknown_function_is_a_located_check_error() -> None:
    """An unknown function is reported as name/unknown-function, with a hint."""
    with pytest.raises(routing.RuleError) as info:
        routing.loads(RULES)
    assert [(d.code, d.line, d.column) for d in info.value.diagnostics] == [
        ("name/unknown-function", 2, 56)
    ]
