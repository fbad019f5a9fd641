"""Did-you-mean: at most one candidate, from the set scoped to the role of the name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from routing.dsl.suggest import did_you_mean, suggest


@dataclass(frozen=True)
class Case:
    note: str
    word: str
    candidates: tuple[str, ...]
    want: str | None


CASES = (
    Case("a typo", "requestor", ("requester", "subject"), "requester"),
    Case("a transposition", "hihg", ("low", "normal", "high", "urgent"), "high"),
    Case("case only", "Billing", ("billing", "tech"), "billing"),
    Case("case only, upper candidate", "vip", ("VIP", "tech"), "VIP"),
    Case("nothing close", "xyzzy", ("requester", "subject"), None),
    Case("no candidates", "x", (), None),
    Case("an empty word", "", ("a",), None),
    Case("a far short word", "ue", ("eu",), None),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_suggest_offers_one_close_candidate(case: Case) -> None:
    """The closest candidate, or None when none is close enough."""
    assert suggest(case.word, case.candidates) == case.want


def test_did_you_mean_wraps_the_suggestion_with_its_prefix() -> None:
    """The hint quotes the name as it would be written, prefix included."""
    assert (
        did_you_mean("paln", ["plan"], prefix="fields."),
        did_you_mean("vip_domian", ["vip_domains"], prefix="$"),
        did_you_mean("xyzzy", ["plan"]),
    ) == ("did you mean 'fields.plan'?", "did you mean '$vip_domains'?", None)
