"""Issue 2 finding: type messages build plurals by appending "s" to a described type, which
yields "not a prioritys", "not a queues", "looks for a numbers" and "cannot order a booleans".

Message conventions (STYLE.md 3.5) ask for plain lower-case English; the expected texts
below are the obvious grammatical forms of the current messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import routing

RULES = """\
version: 1
fields:
  vip: {type: boolean}
lists:
  prios: [high, urgnt]
  domains: [bigcorp.com]
  nums: [1, 2]
queues: [billing]
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: 'WHEN'
        then: [{tag: x}]
"""


@dataclass(frozen=True)
class Case:
    note: str
    when: str
    want: tuple[str, str, str]  # code, message, line:column


CASES = (
    Case(
        "a $list with a value that is not a priority",
        "priority in $prios",
        (
            "type/unknown-enum-value",
            "list '$prios' has values that are not priorities: 'urgnt'",
            "14:28",
        ),
    ),
    Case(
        "a $list with values that are not queues",
        "queue in $domains",
        (
            "name/unknown-queue",
            "list '$domains' has values that are not queues: 'bigcorp.com'",
            "14:25",
        ),
    ),
    Case(
        "has all of numbers in a list of strings",
        "tags has all of $nums",
        ("type/mismatch", "'has all of' looks for numbers in a list of strings", "14:16"),
    ),
    Case(
        "ordering booleans",
        "fields.vip > true",
        ("type/mismatch", "'>' cannot order booleans", "14:16"),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_type_messages_use_grammatical_plurals(case: Case) -> None:
    """A message that talks about several values of a type uses the plural of its name."""
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(RULES.replace("WHEN", case.when))
    assert [(d.code, d.message, f"{d.line}:{d.column}") for d in caught.value.diagnostics] == [
        case.want
    ]
