"""Per-ticket text work (`routing.compiler.texts`) and the text semantics it rests on.

The fast paths are tested against their definitions: `folded_with_origin` and
`words_of` against a character-by-character reading, `required_literals` against RE2 itself
(whenever a pattern matches, one of its literals is in the folded text), the set scans
against plain substring tests, and the character tables against Python's own `str` methods.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import routing
from routing.compiler.predicates import _LONG_FOLDS, folded_with_origin, mentions, words_of
from routing.compiler.state import State
from routing.compiler.texts import TextSource, required_literals, whole_span
from routing.dsl.regex import RegexProblem, compile_regex, regex_test
from routing.model.ticket import Ticket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _reference_words(text: str) -> tuple[str, tuple[int, ...]]:
    """`words_of` as first written: character by character, the origin of each."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(i)
            continue
        for f in ch.casefold():
            chars.append(f)
            origin.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), tuple(origin)


_CHARS = st.sampled_from(list("aAbB_-. \t\n\u00a0\u2003ßẞİıﬀǰΐ5"))
_TEXT = st.lists(_CHARS, max_size=14).map("".join)


@settings(max_examples=500)
@given(_TEXT)
def test_words_of_reads_as_the_character_by_character_definition(text: str) -> None:
    """Same characters, and where folding changed lengths the same origins."""
    words, origin = _reference_words(text)
    got = words_of(text)
    assert str(got) == words
    if len(text.casefold()) != len(text):
        assert (got.original, got.origin) == (text, origin)  # type: ignore[attr-defined]


@settings(max_examples=500)
@given(_TEXT, st.lists(st.sampled_from(list("ab_5sßi\u0307")), min_size=1, max_size=3))
def test_mentions_on_the_folded_text_equals_mentions_on_the_words(
    text: str, needle_chars: list[str]
) -> None:
    """For a needle without spaces, the folded text with origins is as good as the words."""
    needle = "".join(needle_chars).casefold()
    assert mentions(folded_with_origin(text, text.casefold()), needle) is mentions(
        words_of(text), needle
    )


def test_the_character_tables_match_python() -> None:
    """`_LONG_FOLDS` holds exactly the characters whose fold is longer; `\\s`, `\\S` and
    `\\w` agree with `str` as assumed (the phrase and word regexes rest on them)."""
    every = [chr(c) for c in range(0x110000)]
    assert [c for c in every if _LONG_FOLDS.match(c)] == [c for c in every if len(c.casefold()) > 1]
    spaces = [c for c in every if c.isspace()]
    assert [c for c in every if not re.match(r"\S", c)] == spaces
    assert [c for c in every if re.match(r"\s", c)] == spaces
    assert [c for c in every if re.match(r"\w", c)] == [c for c in every if c.isalnum() or c == "_"]


# ---------------------------------------------------------------------------- prefilter

_PIECES = st.sampled_from(
    [
        "a", "b", "A", "ab", "ß", "K", "ſ", "s", "k", "\\.", "[ab]", "[^a]", "\\d", "\\s",
        "\\b", "\\B", ".", "^", "$", "(a|b)", "(?:ab)", "(ab|ba)", "(?P<n>ab)", "(a|)",
        "\\pL", "\\p{Lu}", "é", "É",
    ]
)  # fmt: skip
_QUANT = st.sampled_from(["", "", "", "?", "*", "+", "{2}", "{0,2}", "{2,}", "+?", "*?", "{1}"])
_PATTERN = st.lists(st.tuples(_PIECES, _QUANT), min_size=1, max_size=5).map(
    lambda parts: "".join(p + q for p, q in parts)
)
_FLAGS = st.sampled_from(["", "i", "m", "s", "is", "im"])
_SUBJECT = st.lists(st.sampled_from(list("aAbBsSkKſßẞéÉ 1.\n")), max_size=12).map("".join)


@settings(max_examples=3000)
@given(_PATTERN, _FLAGS, st.lists(_SUBJECT, min_size=1, max_size=5))
def test_required_literals_are_in_every_match(
    pattern: str, flags: str, subjects: list[str]
) -> None:
    """Sound: when RE2 finds a match, one of the literals is in the folded text."""
    compiled = compile_regex(pattern, flags)
    if isinstance(compiled, RegexProblem):
        return
    literals = required_literals(pattern, flags)
    if literals is None:
        return
    assert literals
    assert all(literals)
    test = regex_test(compiled)
    for text in subjects:
        if test(text):
            folded = text.casefold()
            assert any(lit in folded for lit in literals), (pattern, flags, text, literals)


@pytest.mark.parametrize(
    ("pattern", "flags", "want"),
    [
        (r"\b(abuse|dmca)\b", "i", ("abuse", "dmca")),
        (r"^\s*(to )?unsubscribe\b", "im", ("unsubscribe",)),
        (r"!{3,}", "", ("!!!",)),
        (r"(https?:\S+\s+){2,}https?:\S+", "is", ("http",)),
        (r"^(out of office|respuesta automática)", "i", ("out of office", "respuesta autom")),
        (r"größe", "", ("grösse",)),
        (r"^[\p{Lu}\d\s]{12,}$", "", None),
        (r"a|b", "", None),
        (r"(?i)ab", "", None),
        (r"\Qa.b\E", "", None),
        (r"x{,3}", "", None),
    ],
)
def test_required_literals_of_known_patterns(
    pattern: str, flags: str, want: tuple[str, ...] | None
) -> None:
    """What the reader takes from the example rules' patterns, and where it declines."""
    assert required_literals(pattern, flags) == want


# ---------------------------------------------------------------------------- whole-text classes

_ATOMS = st.sampled_from(
    [
        "[a-z]", "[A-Z]", "[^a-z]", "[]a]", "[^]a]", "[\\]\\d]", "[[:alpha:]_]",
        "[\\p{Lu}\\d\\s\\p{P}\\p{S}]", "[\\p{Lu}\\d\\s]", "\\d", "\\D", "\\s", "\\S", "\\w",
        "\\W", "\\pL", "\\p{Lu}", "\\PL", "\\P{Han}", "\\p{Han}", ".", "[k]", "[ſs]", "a",
        "[a]|b", "(a)",
    ]
)  # fmt: skip
_WHOLE_QUANT = st.sampled_from(
    ["+", "*", "{2}", "{0,3}", "{2,}", "{12,}", "+?", "{1,2}?", "", "{,3}", "?", "{3,2}"]
)
_WHOLE_TEXT = st.lists(
    st.sampled_from(list("aAzZkKsS_09 \t\n\v\x00\x7f!?]|\\-ſKéÉ漢\u2003")), max_size=14
).map("".join)


_ONE_MATCH = """\
version: 1
stages:
  - name: s
    mode: all
    rules:
      - {name: r, when: 'subject matches /PATTERN/FLAGS', then: [{tag: hit}]}
"""


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["^", ""]),
    _ATOMS,
    _WHOLE_QUANT,
    st.sampled_from(["$", "", "\\$"]),
    st.sampled_from(["", "i", "s", "m", "is"]),
    st.lists(_WHOLE_TEXT, min_size=1, max_size=8),
)
def test_whole_class_patterns_answer_as_re2(
    start: str, atom: str, quantifier: str, end: str, flags: str, texts: list[str]
) -> None:
    """A pattern `whole_span` reads is answered by the compiled rule (its length and
    `str.strip` test on ASCII texts, RE2 on the others) exactly as RE2 answers it; a
    pattern it does not read gives None."""
    pattern = start + atom + quantifier + end
    compiled = compile_regex(pattern, flags)
    if isinstance(compiled, RegexProblem):
        return
    span = whole_span(pattern, flags)
    if span is None:
        return
    assert (start, end, "m" in flags, "|" in atom) == ("^", "$", False, False)
    ruleset = routing.loads(_ONE_MATCH.replace("PATTERN", pattern).replace("FLAGS", flags))
    plain = regex_test(compiled)
    # and texts of the class's ASCII characters (the last, the first) at the lengths that
    # matter: one short, the lowest, one more
    low, high, chars = span
    for n in (low - 1, low, low + 1):
        if n >= 0 and chars:
            texts += [(chars[::-1] * n)[:n], (chars * n)[:n], (chars[::-1] * n)[:n] + "é"]
    # and each ASCII character repeated to an accepted length (in the class or not)
    if max(low, 1) <= high:
        texts += [chr(c) * max(low, 1) for c in range(128)]
    for text in texts:
        fired = ruleset.evaluate({"id": "T-1", "subject": text}, NOW).fired
        assert fired == (("r",) if plain(text) else ()), (pattern, flags, text, span)


@pytest.mark.parametrize(
    ("pattern", "flags", "want"),
    [
        (r"^[\p{Lu}\d]{12,}$", "", (12, math.inf, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
        (r"^\d{2,4}?$", "", (2, 4, "0123456789")),
        (r"^[a-c]+$", "i", (1, math.inf, "ABCabc")),
        (r"^\s*$", "", (0, math.inf, "\t\n\x0c\r ")),
        (r"^\p{Han}{3}$", "", (3, 3, "")),
        (r"^\d+$", "m", None),
        (r"^\d+\$", "", None),
        (r"^\d+|x$", "", None),
        (r"^(\d)+$", "", None),
        (r"^\d{,3}$", "", None),
        (r"^a+$", "", None),
        (r"\p{Lu}{4}", "", None),
    ],
)
def test_whole_span_of_known_patterns(
    pattern: str, flags: str, want: tuple[int, float, str] | None
) -> None:
    """What the reader takes from whole-text class patterns, and where it declines."""
    assert whole_span(pattern, flags) == want


# ---------------------------------------------------------------------------- scans


def _state(subject: str) -> State:
    return State(Ticket.from_dict({"id": "T-1", "subject": subject}), NOW)


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(["ab", "b a", "ß", "ss", "i̇", "k", "a b", "_", "\ud800x"]), max_size=5
    ),
    st.lists(st.sampled_from(["ab", "b a", "ss", "i̇", "k", "ab k", "_"]), max_size=4),
    st.lists(_CHARS | st.just("\udfff"), max_size=14).map("".join),
)
def test_the_set_scan_finds_what_substring_tests_find(
    contains: list[str], mentioned: list[str], subject: str
) -> None:
    """The needle scan (or the pyahocorasick automata, for a needle that is not UTF-8)
    reports exactly the needles that occur: contains needles in the folded text, mentions
    phrases in the words, lone surrogates in the text included."""
    source = TextSource("subject", lambda s: s.ticket.subject)
    source.add_contains(contains)
    source.add_mentions(mentioned)
    source.freeze()
    s = _state(subject)
    folded = subject.casefold()
    words = " ".join(folded.split())
    assert source.contained(s) == frozenset(n for n in contains if n in folded)
    assert source.mentioned(s) == frozenset(n for n in mentioned if n in words)


def test_a_needle_that_is_not_utf8_leaves_the_source_on_the_automata() -> None:
    """A needle with a lone surrogate is found by the pyahocorasick automata over `str`,
    with the answers the needle scan would give."""
    source = TextSource("subject", lambda s: s.ticket.subject)
    source.add_contains([*(f"word{i}x" for i in range(30)), "x\ud800"])
    source.add_mentions(["word7x and"])
    source.freeze()
    s = _state("… WORD7X  and word29x, word30 (no x) and word3word12x \ud800")
    assert (source.needle_set, source.contained(s), source.mentioned(s)) == (
        None,
        frozenset({"word7x", "word29x", "word12x"}),
        frozenset({"word7x and"}),
    )
    assert source.contained_key in s.cache


@settings(max_examples=500)
@given(_TEXT)
def test_folded_with_origin_knows_every_origin(text: str) -> None:
    """`folded_with_origin` gives, for every folded character, the index of the character
    it came from (as the character-by-character reading does), and nothing past the end."""
    got = folded_with_origin(text, text.casefold())
    want = tuple(i for i, ch in enumerate(text) for _ in ch.casefold())
    if len(want) == len(text):
        assert (type(got), got) == (str, text.casefold())
        return
    origin = got.origin  # type: ignore[attr-defined]
    assert (str(got), len(origin), tuple(origin[i] for i in range(len(origin)))) == (
        text.casefold(),
        len(want),
        want,
    )
    assert [origin[-i] for i in range(1, len(want) + 1)] == [
        want[-i] for i in range(1, len(want) + 1)
    ]
    with pytest.raises(IndexError):
        origin[len(want)]
