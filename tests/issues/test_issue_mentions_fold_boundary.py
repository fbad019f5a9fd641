"""Issue: `mentions` judges word boundaries on the case-folded text, not on the ticket's text.

DESIGN section 5: "a match is whole when the characters on both sides of it are not letters,
digits or `_`". `compiler/predicates.py` folds the whole text first (`_folded`, `_collapse`)
and then tests `_is_word` on the folded neighbours in `mentions()`. Folding can turn a letter
into a letter plus a combining mark: "İ" (U+0130) folds to "i" + U+0307, and U+0307 is not a
word character, so in "İrefund" the letter "İ" right before "refund" is not seen and
`text mentions "refund"` is true.
"""

from __future__ import annotations

from datetime import UTC, datetime

import routing

RULES = """\
version: 1
stages: [{name: s, mode: all, rules: [{name: a, when: 'text mentions "refund"', then: [{tag: x}]}]}]
"""
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_letter_that_folds_to_a_combining_mark_is_still_a_word_character() -> None:
    """'İrefund' does not mention 'refund': 'İ' is a letter right before it."""
    decision = routing.loads(RULES).evaluate({"id": "T1", "subject": "İrefund"}, NOW)
    assert (decision.fired, decision.tags) == ((), ())


def test_the_same_word_after_a_space_is_mentioned() -> None:
    """'İ refund' mentions 'refund' (control: the fix must keep this)."""
    decision = routing.loads(RULES).evaluate({"id": "T1", "subject": "İ refund"}, NOW)
    assert (decision.fired, decision.tags) == (("a",), ("x",))
