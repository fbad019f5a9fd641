"""Did-you-mean suggestions drawn from a candidate set scoped to the role of a name."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

__all__ = ["did_you_mean", "suggest"]


def suggest(word: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """The one candidate closest to `word`, or None when none is close enough.

    Case differences alone always match (``Billing`` suggests ``billing``). The answers
    for the latest few (word, candidates) are kept: a rule set that repeats one misspelt
    name in many rules pays for the search over its candidates once, not once per rule.
    """
    return _closest(word, tuple(candidates), cutoff)


@functools.lru_cache(maxsize=64)
def _closest(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    pool = sorted(set(candidates))
    if not pool or not word:
        return None
    folded = word.casefold()
    for c in pool:
        if c.casefold() == folded and c != word:
            return c
    best = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    if best:
        return best[0]
    lowered = {c.casefold(): c for c in pool}
    best = difflib.get_close_matches(folded, list(lowered), n=1, cutoff=cutoff)
    if best:
        return lowered[best[0]]
    # a misspelt ending of a short name: 'lenght' -> 'len', 'prio' -> 'priority'
    prefixed = [
        c
        for c in pool
        if len(c) >= 3 and (folded.startswith(c.casefold()) or c.casefold().startswith(folded))
    ]
    if len(folded) >= 3 and len(prefixed) == 1:
        return prefixed[0]
    return None


def did_you_mean(word: str, candidates: Iterable[str], *, prefix: str = "") -> str | None:
    """The hint text ``did you mean 'x'?`` for the closest candidate, or None."""
    best = suggest(word, candidates)
    return f"did you mean '{prefix}{best}'?" if best is not None else None
