"""Issue 2 finding: a calendar `hours` key that is not a day (`mondy`) is reported at the
value of that key (`"09:00-17:00"`), not at the key that is wrong."""

from __future__ import annotations

import pytest

import routing

RULES = """\
version: 1
calendars:
  xx:
    timezone: UTC
    hours: {mondy: "09:00-17:00"}
stages: []
"""


@pytest.mark.xfail(
    strict=True,
    reason="check_literals.locate_key_path returns the value node for a bad mapping key (issue 2)",
)
def test_a_bad_day_name_is_located_at_the_key() -> None:
    """The caret of 'mondy is not a day' is under `mondy` (line 5, column 13)."""
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(RULES)
    assert [(d.code, d.message, f"{d.line}:{d.column}") for d in caught.value.diagnostics] == [
        (
            "calendar/invalid",
            "calendar 'xx': hours.mondy: 'mondy' is not a day or day range "
            "(mon, tue, wed, thu, fri, sat, sun, mon-fri)",
            "5:13",
        )
    ]
