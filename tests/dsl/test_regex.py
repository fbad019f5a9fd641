"""`compile_regex`: user patterns compile under RE2 with flags i, m, s, or come back as a
`RegexProblem` that says whether the cause is a construct with no linear-time match."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.dsl.regex import RegexProblem, compile_regex, regex_test


@dataclass(frozen=True)
class MatchCase:
    note: str
    pattern: str
    flags: str
    text: str
    found: str | None


MATCHES = (
    MatchCase("a plain search finds inside the text", "5\\d\\d", "", "error 503 now", "503"),
    MatchCase("case matters without i", "Outage", "", "outage", None),
    MatchCase("i ignores case", "Outage", "i", "OUTAGE", "OUTAGE"),
    MatchCase("^ is the text start without m", "^b", "", "a\nb", None),
    MatchCase("m makes ^ a line start", "^b$", "m", "a\nb\nc", "b"),
    MatchCase("dot skips a line break without s", "a.b", "", "a\nb", None),
    MatchCase("s lets dot match a line break", "a.b", "s", "a\nb", "a\nb"),
    MatchCase("flags combine in any order", "A.B", "si", "a\nb", "a\nb"),
    MatchCase("a repeated flag is harmless", "x", "ii", "X", "X"),
    MatchCase("Unicode classes work", "\\p{Greek}+", "", "abc αβγ", "αβγ"),
    MatchCase("nested quantifiers are fine under RE2", "(a+)+$", "", "aaaa!", None),
)


@pytest.mark.parametrize("case", MATCHES, ids=[c.note for c in MATCHES])
def test_compile_regex_searches_with_flags(case: MatchCase) -> None:
    """A compiled pattern searches anywhere in the text, with the flags applied."""
    compiled = compile_regex(case.pattern, case.flags)
    m = compiled.search(case.text)
    assert (m.group(0) if m else None) == case.found


@pytest.mark.parametrize("case", MATCHES, ids=[c.note for c in MATCHES])
def test_regex_test_answers_as_search_does(case: MatchCase) -> None:
    """`regex_test` is the boolean of `search`, without match objects."""
    assert regex_test(compile_regex(case.pattern, case.flags))(case.text) is (
        case.found is not None
    )


_PATTERNS = ("^$", "\\bé", "x*", "[^a]$", "(?s).{3}", "^\\p{Lu}{2}", "ab|ß", "\\d{2,}$")


@given(st.sampled_from(_PATTERNS), st.sampled_from(("", "i", "m", "ims")), st.text(max_size=30))
def test_regex_test_agrees_with_search_on_any_text(pattern: str, flags: str, text: str) -> None:
    """Empty matches, anchors and multi-byte text: the byte-level test never disagrees."""
    compiled = compile_regex(pattern, flags)
    try:
        expected = compiled.search(text) is not None
    except UnicodeEncodeError:  # a lone surrogate: both refuse it the same way
        with pytest.raises(UnicodeEncodeError):
            regex_test(compiled)(text)
        return
    assert regex_test(compiled)(text) is expected


@dataclass(frozen=True)
class ProblemCase:
    note: str
    pattern: str
    want: RegexProblem


def _nl(kind: str, what: str) -> RegexProblem:
    return RegexProblem(
        f"{kind} ('{what}') has no linear-time match; RE2 does not support it", True
    )


PROBLEMS = (
    ProblemCase("unclosed group", "(", RegexProblem("missing ): (", False)),
    ProblemCase("unclosed class", "[a", RegexProblem("missing ]: [a", False)),
    ProblemCase(
        "nothing to repeat", "*a", RegexProblem("no argument for repetition operator: *", False)
    ),
    ProblemCase("backreference", "(a)\\1", _nl("a backreference", "\\1")),
    ProblemCase("named backreference", "(?<n>a)\\k<n>", _nl("a backreference", "\\k<")),
    ProblemCase("Python named backreference", "(?P<n>a)(?P=n)", _nl("a backreference", "(?P=")),
    ProblemCase("look-ahead", "a(?=b)", _nl("look-around", "(?=")),
    ProblemCase("negative look-ahead", "a(?!b)", _nl("look-around", "(?!")),
    ProblemCase("look-behind", "(?<=a)b", _nl("look-around", "(?<=")),
    ProblemCase("negative look-behind", "(?<!a)b", _nl("look-around", "(?<!")),
    ProblemCase("atomic group", "(?>a)", _nl("an atomic group or possessive quantifier", "(?>")),
    ProblemCase(
        "possessive quantifier", "a*+", _nl("an atomic group or possessive quantifier", "*+")
    ),
)


@pytest.mark.parametrize("case", PROBLEMS, ids=[c.note for c in PROBLEMS])
def test_compile_regex_explains_a_refused_pattern(case: ProblemCase) -> None:
    """A refused pattern says why: RE2's reason, or the construct with no linear match."""
    assert compile_regex(case.pattern) == case.want
