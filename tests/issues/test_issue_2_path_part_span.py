"""Issue 2 finding: a diagnostic about the second part of a dotted path is located at the
dot, not at the name, so the caret underlines `.paln` instead of `paln`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import routing

RULES = """\
version: 1
fields:
  plan: {{type: string}}
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: '{when}'
        then: [{{tag: x}}]
"""


@dataclass(frozen=True)
class Case:
    note: str
    when: str
    want: tuple[str, str, int, int]  # code, message, column, end column


# the expression starts at line 9, column 16
CASES = (
    Case(
        "unknown custom field",
        'fields.paln == "x"',
        ("name/unknown-custom-field", "custom field 'paln' is not declared", 23, 27),
    ),
    Case(
        "unknown requester attribute",
        'requester.nmae == "x"',
        ("name/unknown-field", "requester has no field 'nmae'", 26, 30),
    ),
    Case(
        "a path below a plain field",
        'subject.x == "x"',
        ("name/unknown-field", "'subject' has no field 'x'", 24, 25),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_unknown_path_part_is_located_at_its_name(case: Case) -> None:
    """The column and the caret of an unknown path part are those of the name itself."""
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(RULES.format(when=case.when))
    assert [
        (d.code, d.message, d.column, d.span.end.column if d.span else None)
        for d in caught.value.diagnostics
    ] == [case.want]
