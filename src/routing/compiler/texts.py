"""Per-ticket text work shared by every condition of a rule set.

A *text source* is a ticket text that cannot change while a ticket is evaluated (``subject``,
``body``, ``text``, ``id``, a ``requester`` attribute, a header). For each source the rule
set reads, `TextSource` keeps, per ticket and only once something asks for it:

- the case-folded text (``contains`` and the regex prefilter read it), under the
  `State.cache` key ``fold:<source>`` (the rule index reads ``fold:text`` too);
- the ``mentions`` words, ``collapse(casefold(text))``, under ``words:<source>``;
- the needles present in the folded text, found by ONE scan over the constant needles of
  every ``contains``/``mentions`` test of the rule set on that source: an Aho-Corasick
  automaton (ahocorasick-rs, `_NeedleScan`; a ``mentions`` phrase is found by its longest
  word, then by a regex), or pyahocorasick automata over `str` for a needle that is not
  UTF-8. The needles found are cached as sets under ``contained:<source>`` and
  ``mentioned:<source>``; a test asks a set, and ``mentions`` confirms word boundaries
  only for the needles actually present. The rule index registers its guard words as
  ``contains`` needles of the ``text`` source and reads ``contained:text``, so one scan
  per ticket serves conditions and index (docs/decisions/0019-needle-scan.md);
- the results of every ``matches`` test on the source, from one RE2 set of its patterns.

`RegexTest` runs a ``matches`` test behind a literal prefilter: when every match of the
pattern must contain one of a few literals (`required_literals`) and the folded text holds
none of them, the answer is no without calling RE2.

Nothing here is keyed on ticket contents: the caches live in the per-ticket `State`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import ahocorasick  # type: ignore[import-not-found, import-untyped, unused-ignore]
import ahocorasick_rs
import re2

from routing.compiler.predicates import (
    collapse,
    folded_with_origin,
    mentions,
    words_of,
)
from routing.compiler.state import State
from routing.dsl.regex import RegexProblem, compile_regex, regex_test

__all__ = [
    "RegexTest",
    "TextSource",
    "WholeSpan",
    "literal_options",
    "required_literals",
    "whole_span",
]


_EMPTY: frozenset[str] = frozenset()


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """Finds ``phrase`` (a collapsed ``mentions`` needle) in a folded text exactly where its
    words hold it: its words with a run of white space for each space (``\\s`` is
    `str.isspace`, as tests/compiler pin)."""
    return re.compile(r"\s+".join(re.escape(word) for word in phrase.split(" ")))


def _utf8(text: str) -> bytes | None:
    """`text` as UTF-8, or None when it holds a lone surrogate."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


class _NeedleScan:
    """One Aho-Corasick automaton (ahocorasick-rs: a DFA over UTF-8) over the *patterns* of
    a text source: its ``contains`` needles, its ``mentions`` needles without spaces, and
    for each ``mentions`` phrase the longest of its words (the phrase itself is then looked
    for by `_phrase_regex`, only in a text that holds that word).

    The DFA (one table lookup per byte, byte classes keep it to a few hundred KB for the
    example's ~290 patterns) searches in about half the instructions of the contiguous NFA
    (about 45 per byte, following failure links), for about 15 more L2 misses per ticket
    in a dry-run; both are far smaller than the MB or so of states an RE2 set's DFA builds
    (docs/decisions/0019-needle-scan.md, 0025-text-conditions-third-round.md). The
    automaton gives the patterns found as the very `str` objects it was built from, and
    set intersections in C sort them into needles contained and mentioned. A text with a
    lone surrogate (not UTF-8) is scanned as ``surrogatepass`` bytes by a twin automaton:
    UTF-8 is self-synchronising, so a needle's bytes occur in a text's bytes exactly when
    the needle occurs in the text.
    """

    __slots__ = ("anchors", "bytes_find", "contains", "find", "mentions", "patterns", "phrases")

    def __init__(self, contains: Iterable[str], mentions_: Iterable[str]) -> None:
        phrases: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        words: set[str] = set()
        for needle in mentions_:
            if " " in needle:
                anchor = max(needle.split(" "), key=len)
                phrases.setdefault(anchor, []).append((needle, _phrase_regex(needle)))
            else:
                words.add(needle)
        #: the patterns, in the automata's order
        self.patterns = tuple(sorted({*contains, *words, *phrases}))
        impl = ahocorasick_rs.Implementation.DFA
        automaton = ahocorasick_rs.AhoCorasick(
            list(self.patterns), implementation=impl, store_patterns=True
        )
        #: ``find(text, True)``: the pattern of every occurrence in a `str`, overlapping
        #: (UnicodeEncodeError for a lone surrogate); a keyword argument would cost more
        #: than the whole search of a short text
        self.find: Callable[..., list[str]] = automaton.find_matches_as_strings
        twin = ahocorasick_rs.BytesAhoCorasick(
            [p.encode("utf-8") for p in self.patterns], implementation=impl
        )
        #: ``bytes_find(data, True)``: (pattern index, start, end) of every occurrence in
        #: UTF-8 bytes, overlapping
        self.bytes_find: Callable[..., list[tuple[int, int, int]]] = twin.find_matches_as_indexes
        #: the ``contains`` needles
        self.contains = frozenset(contains)
        #: the ``mentions`` needles without spaces
        self.mentions = frozenset(words)
        #: the phrases' longest words
        self.anchors = frozenset(phrases)
        #: for each of `anchors`, the phrases whose longest word it is, with their regexes
        self.phrases = {a: tuple(sorted(p)) for a, p in phrases.items()}

    def found(self, text: str) -> Iterable[str]:
        """The patterns that occur in `text` (with repeats)."""
        try:
            return self.find(text, True)
        except UnicodeEncodeError:  # a lone surrogate: it cannot take part in a match
            patterns = self.patterns
            data = text.encode("utf-8", "surrogatepass")
            return [patterns[i] for i, _start, _end in self.bytes_find(data, True)]


def _needle_scan(contains: Iterable[str], mentions_: Iterable[str]) -> _NeedleScan | None:
    """The scan of the needles; None when there is none, or when one holds a lone surrogate
    (not UTF-8: the pyahocorasick automata over `str` then find them)."""
    contains, mentions_ = list(contains), list(mentions_)
    if not (contains or mentions_) or any(_utf8(n) is None for n in (*contains, *mentions_)):
        return None
    return _NeedleScan(contains, mentions_)


def _options_key(options: Any) -> tuple[Any, ...]:
    return tuple(getattr(options, name) for name in re2.Options.NAMES)


def _regex_set(patterns: list[Any]) -> Any:
    """An RE2 set of compiled patterns, with their own pattern text and options (so each
    matches exactly as alone); None when RE2 will not build it. A compiled set cannot fail on a
    text."""
    options = patterns[0].options
    same = _options_key(options)
    try:
        scan = re2._re2.Set(re2._re2.RE2.Anchor.UNANCHORED, options)
        for compiled in patterns:
            if _options_key(compiled.options) != same:  # pragma: no cover - one options
                return None
            if scan.Add(compiled.pattern.encode()) < 0:  # pragma: no cover - it compiled alone
                return None
        if not scan.Compile():  # pragma: no cover - the DFA would not fit its memory
            return None
    except re2.error:  # pragma: no cover - it compiled alone
        return None
    return scan


def _automaton(needles: Iterable[str]) -> Any:
    words = sorted(set(needles))
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


class TextSource:
    """One fixed ticket text, and the per-ticket work on it (see the module docstring).

    `read` gives the text's value (a `str` or None, never anything else: null reads as
    ""); `key` names the
    source in `State.cache` keys. Needles are registered while the rule set compiles
    (`add_contains`, `add_mentions`) and the automata are built by `freeze`.
    """

    __slots__ = (
        "_contain_list",
        "_contains",
        "_encoded",
        "_exact",
        "_folded_words",
        "_mention_list",
        "_mentions",
        "_regex_hits",
        "_regexes",
        "contain_automaton",
        "contained_key",
        "fold_key",
        "halves",
        "key",
        "mention_automaton",
        "mentioned_key",
        "needle_set",
        "read",
        "regex_set",
        "words_key",
    )

    def __init__(
        self,
        key: str,
        read: Callable[[State], Any],
        halves: tuple[TextSource, TextSource] | None = None,
    ) -> None:
        self.key = key
        self.read = read
        #: for the ``text`` source, the ``subject`` and ``body`` sources it joins with a
        #: newline (`fold` joins their folds: each text is folded once per ticket)
        self.halves = halves
        self.fold_key = f"fold:{key}"
        self.words_key = f"words:{key}"
        self.contained_key = f"contained:{key}"
        self.mentioned_key = f"mentioned:{key}"
        self._exact = f"exact-words:{key}"
        self._folded_words = f"folded-words:{key}"
        self._encoded = f"utf8:{key}"
        self._regex_hits = f"regex-hits:{key}"
        self._regexes: list[Any] = []
        self.regex_set: Any = None
        self._contains: set[str] = set()
        self._mentions: set[str] = set()
        self._contain_list: tuple[str, ...] = ()
        self._mention_list: tuple[str, ...] = ()
        self.needle_set: _NeedleScan | None = None
        self.contain_automaton: Any = None
        self.mention_automaton: Any = None

    def add_contains(self, needles: Iterable[str]) -> None:
        """Register folded, non-empty ``contains`` needles."""
        self._contains.update(needles)

    def add_mentions(self, needles: Iterable[str]) -> None:
        """Register folded, collapsed, non-empty ``mentions`` needles."""
        self._mentions.update(needles)

    def add_regex(self, compiled: Any) -> int:
        """Register a compiled pattern some ``matches`` test runs on this text; its index."""
        self._regexes.append(compiled)
        return len(self._regexes) - 1

    def freeze(self) -> None:
        """Build the scans of the registered needles and patterns (once the rule set is
        compiled)."""
        if len(self._regexes) > 1:
            self.regex_set = _regex_set(self._regexes)
        self._contain_list = tuple(sorted(self._contains))
        self._mention_list = tuple(sorted(self._mentions))
        self.needle_set = _needle_scan(self._contain_list, self._mention_list)
        if self.needle_set is None:
            self.contain_automaton = _automaton(self._contains)
            self.mention_automaton = _automaton(self._mentions)

    # -- per ticket

    def fold(self, s: State) -> str:
        """The case-folded text."""
        cache = s.cache
        v: str | None = cache.get(self.fold_key)
        if v is None:
            if self.halves is not None:
                return self._fold_text(s)
            text = self.read(s) or ""
            v = cache[self.fold_key] = text.casefold()
            if len(v) == len(text):
                # one folded character per character: `_confirm`'s haystack is this very
                # text (the usual case; saves it reading and comparing the text again)
                cache[self._folded_words] = v
        return v

    def _fold_text(self, s: State) -> str:
        """The folded ``text`` (``f"{subject}\\n{body}"``), leaving the folds of its halves,
        the subject and the body sources, in the cache too when folding kept the length:
        they are its slices then (`str.casefold` maps each character on its own, without
        context, and never to nothing), so the regex prefilters on the subject and the body
        do not fold them again."""
        t = s.ticket
        subject, body = t.subject, t.body
        text = f"{subject}\n{body}"
        cache = s.cache
        v = cache[self.fold_key] = text.casefold()
        if len(v) == len(text):
            cache[self._folded_words] = v
            head, tail = self.halves  # type: ignore[misc]
            if type(subject) is str and type(body) is str:  # as a validated `Ticket`'s are
                n = len(subject)
                cache[head.fold_key] = cache[head._folded_words] = v[:n]
                cache[tail.fold_key] = cache[tail._folded_words] = v[n + 1 :]
        return v

    def words(self, s: State) -> str:
        """The ``mentions`` words: the folded text with white space collapsed."""
        cache = s.cache
        v: str | None = cache.get(self.words_key)
        if v is None:
            v = cache[self.words_key] = collapse(self.fold(s))
        return v

    def exact_words(self, s: State) -> str:
        """The words as `words_of` gives them: with the origin of every character when
        folding changed lengths (computed only when a phrase has to be confirmed)."""
        cache = s.cache
        exact: str | None = cache.get(self._exact)
        if exact is None:
            text = self.read(s) or ""
            exact = cache[self._exact] = (
                self.words(s) if len(self.fold(s)) == len(text) else words_of(text)
            )
        return exact

    def _confirm(self, s: State, needle: str) -> bool:
        """Whether a needle found in the folded text is mentioned (whole words).

        A needle without spaces is confirmed on the folded text itself: white space is
        never part of a word, so collapsing it changes no word boundary."""
        if " " in needle:
            return mentions(self.exact_words(s), needle)
        cache = s.cache
        hay: str | None = cache.get(self._folded_words)
        if hay is None:
            hay = cache[self._folded_words] = folded_with_origin((self.read(s) or ""), self.fold(s))
        return mentions(hay, needle)

    def encoded(self, s: State) -> bytes:
        """The text as UTF-8, as RE2 reads it (a lone surrogate raises, as RE2 tests do)."""
        cache = s.cache
        data: bytes | None = cache.get(self._encoded)
        if data is None:
            data = cache[self._encoded] = (self.read(s) or "").encode("utf-8")
        return data

    def regex_hits(self, s: State) -> frozenset[int]:
        """The indices of the registered patterns that match the text: one RE2 set match."""
        cache = s.cache
        hits: frozenset[int] | None = cache.get(self._regex_hits)
        if hits is None:
            hits = cache[self._regex_hits] = frozenset(self.regex_set.Match(self.encoded(s)))
        return hits

    def scan(self, s: State) -> frozenset[str]:
        """Find the registered needles in the folded text: one pass of the `needle_set`
        automaton (only when it is built). The ``contains`` needles found are cached under
        `contained_key` (the rule index reads its guard words there) and given back; the
        ``mentions`` needles found under `mentioned_key`."""
        text = self.fold(s)
        scan = self.needle_set
        assert scan is not None
        found = scan.found(text)
        cache = s.cache
        if not found:
            cache[self.contained_key] = cache[self.mentioned_key] = _EMPTY
            return _EMPTY
        contained = scan.contains.intersection(found)
        mentioned = scan.mentions.intersection(found)
        if scan.anchors:
            anchored = scan.anchors.intersection(found)
            if anchored:
                phrases = scan.phrases
                present = [
                    phrase
                    for anchor in anchored
                    for phrase, regex in phrases[anchor]
                    if regex.search(text) is not None
                ]
                if present:
                    mentioned = mentioned.union(present)
        cache[self.contained_key] = contained
        cache[self.mentioned_key] = mentioned
        return contained

    def contained(self, s: State) -> frozenset[str]:
        """The registered ``contains`` needles that occur in the folded text."""
        cache = s.cache
        found: frozenset[str] | None = cache.get(self.contained_key)
        if found is None:
            if self.needle_set is not None:
                self.scan(s)
                return cache[self.contained_key]  # type: ignore[no-any-return]
            automaton = self.contain_automaton
            found = cache[self.contained_key] = (
                frozenset([w for _end, w in automaton.iter(self.fold(s))])
                if automaton is not None
                else _EMPTY
            )
        return found

    def mentioned(self, s: State) -> frozenset[str]:
        """The registered ``mentions`` needles that occur in the words (as substrings:
        word boundaries are confirmed by the test that asks)."""
        cache = s.cache
        found: frozenset[str] | None = cache.get(self.mentioned_key)
        if found is None:
            if self.needle_set is not None:
                self.scan(s)
                return cache[self.mentioned_key]  # type: ignore[no-any-return]
            automaton = self.mention_automaton
            found = cache[self.mentioned_key] = (
                frozenset([w for _end, w in automaton.iter(self.words(s))])
                if automaton is not None
                else _EMPTY
            )
        return found

    # -- the tests (needles registered and folded at compile time)

    def contains_any(self, s: State, needles: frozenset[str]) -> bool:
        """``contains any of`` constant needles."""
        return not needles.isdisjoint(self.contained(s))

    def contains_all(self, s: State, needles: frozenset[str]) -> bool:
        """``contains all of`` constant needles."""
        return needles <= self.contained(s)

    def mentions_one(self, s: State, needle: str) -> bool:
        """``mentions`` one constant needle."""
        return needle in self.mentioned(s) and self._confirm(s, needle)

    def mentions_any(self, s: State, needles: frozenset[str]) -> bool:
        """``mentions any of`` constant needles."""
        found = s.cache.get(self.mentioned_key)
        present = needles & (found if found is not None else self.mentioned(s))
        if present:
            for needle in present:
                if self._confirm(s, needle):
                    return True
        return False

    def mentions_all(self, s: State, needles: frozenset[str]) -> bool:
        """``mentions all of`` constant needles."""
        if not needles <= self.mentioned(s):
            return False
        return all(self._confirm(s, n) for n in needles)


# ---------------------------------------------------------------------------- regexes


class RegexTest:
    """``matches`` of one pattern on one text source, behind a literal prefilter.

    `literals` are case-folded strings of which every match contains at least one (see
    `required_literals`); None means no prefilter. When a literal is there, the answer
    comes from the source's set of patterns (one RE2 call answers every ``matches`` test
    on the source) or, when RE2 would not build that set, from this pattern alone.
    """

    __slots__ = ("index", "literals", "source", "span", "test")

    def __init__(
        self,
        compiled: Any,
        literals: tuple[str, ...] | None,
        source: TextSource,
        span: WholeSpan | None = None,
    ) -> None:
        self.test: Callable[[str], bool] = regex_test(compiled)
        self.literals = literals
        self.source = source
        #: when the pattern matches a whole text of one character class (`whole_span`), the
        #: lengths and the ASCII characters of that class: the generated code answers an
        #: ASCII text by its length and `str.strip` (`codegen.CodeGen._whole`)
        self.span = span
        self.index = source.add_regex(compiled)

    def __call__(self, s: State) -> bool:
        source = self.source
        literals = self.literals
        if literals is not None:
            folded = source.fold(s)
            for lit in literals:
                if lit in folded:
                    break
            else:
                # no match is possible; but a text RE2 cannot take (a lone surrogate, never
                # in an ASCII fold) fails as it always did
                if not folded.isascii():
                    source.encoded(s)
                return False
        return self.matched(s)

    def matched(self, s: State) -> bool:
        """The test itself, once the prefilter let it through."""
        source = self.source
        if source.regex_set is None:
            return self.test(source.read(s) or "")
        hits = s.cache.get(source._regex_hits)
        if hits is None:
            hits = source.regex_hits(s)
        return self.index in hits

    def rejected(self, s: State) -> bool:
        """False, once the prefilter found no literal in a text that is not ASCII: a text
        RE2 cannot take (a lone surrogate) fails as it always did."""
        self.source.encoded(s)
        return False


_QUANTIFIERS = frozenset("?*+{")
_CLASS_ESCAPES = frozenset("dDsSwW")
_ASSERTION_ESCAPES = frozenset("bBAz")
_GROUP_SPECIALS = frozenset("\\.[](){}|?*+^$")


def _repetition(pattern: str, i: int) -> tuple[int, int] | None:
    """(lowest count, index after) of a ``{n}``, ``{n,}`` or ``{n,m}`` at `i`, else None."""
    end = pattern.find("}", i)
    if end < 0:
        return None
    body = pattern[i + 1 : end]
    low, comma, high = body.partition(",")
    if not low.isascii() or not low.isdigit() or (high and not (high.isascii() and high.isdigit())):
        return None
    if not comma and high:
        return None  # pragma: no cover - partition gives no high without a comma
    return int(low), end + 1


def _regex_items(pattern: str) -> list[list[str]] | None:
    """The pattern as a sequence of required items, each the list of literal alternatives
    one of which the text holds at that place (``[]``: the item tells nothing), or None
    when the reader does not follow the pattern (top-level ``|``, inline flags, ``\\Q``,
    escapes it does not know). Consecutive one-alternative items are adjacent in the text."""
    items: list[list[str]] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if not nxt or not nxt.isascii():
                return None
            if nxt.isalnum():
                if nxt in _CLASS_ESCAPES:
                    items.append([])
                    i += 2
                elif nxt in _ASSERTION_ESCAPES:
                    items.append([])  # zero width: read as a break, which is always sound
                    i += 2
                elif nxt in "pP":
                    if pattern[i + 2 : i + 3] == "{":
                        end = pattern.find("}", i + 3)
                        if end < 0:
                            return None
                        i = end + 1
                    elif i + 2 < n and pattern[i + 2].isascii() and pattern[i + 2].isalpha():
                        i += 3
                    else:
                        return None
                    items.append([])
                else:
                    return None  # \Q..\E, \x41, \n, octal...: not read here
            else:
                items.append([nxt])
                i += 2
        elif ch == "[":
            end = i + 1
            if pattern[end : end + 1] == "^":
                end += 1
            if pattern[end : end + 1] == "]":
                end += 1
            while end < n and pattern[end] != "]":
                if pattern[end] == "[":
                    return None  # [:alpha:] and friends: not read here
                end += 2 if pattern[end] == "\\" else 1
            if end >= n:
                return None
            items.append([])
            i = end + 1
        elif ch == "(":
            depth, end = 1, i + 1
            while end < n and depth:
                c = pattern[end]
                if c == "\\":
                    end += 1
                elif c == "[":
                    return None
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                end += 1
            if depth:
                return None
            body = pattern[i + 1 : end - 1]
            if body.startswith("?"):
                if body.startswith("?:"):
                    body = body[2:]
                elif body.startswith(("?P<", "?<")) and ">" in body:
                    body = body[body.index(">") + 1 :]
                else:
                    return None  # an inline flag group may change case sensitivity
            branches = body.split("|")
            plain = all(b and not (set(b) & _GROUP_SPECIALS) for b in branches)
            items.append(branches if plain else [])
            i = end
        elif ch in ")|}":
            return None
        elif ch in ".^$":
            items.append([])
            i += 1
        elif ch in _QUANTIFIERS:
            if not items:
                return None
            if ch == "{":
                rep = _repetition(pattern, i)
                if rep is None:
                    return None
                low, i = rep
            else:
                low = 0 if ch in "?*" else 1
                i += 1
            if low == 0:
                items[-1] = []  # optional: it says nothing
            elif len(items[-1]) == 1:
                items[-1] = [items[-1][0] * min(low, 8)]  # "!{3,}" holds "!!!"
            items.append([])  # repeated or optional: what follows need not be adjacent
            if pattern[i : i + 1] == "?":
                i += 1  # a lazy quantifier
        else:
            items.append([ch])
            i += 1
    return items


def literal_options(pattern: str) -> list[list[str]] | None:
    """What every match of `pattern` contains, as a list of options: each a list of literal
    alternatives (a run of adjacent one-alternative items joined, or a group's plain
    alternation), one of which every match holds. None when `_regex_items` cannot read it."""
    items = _regex_items(pattern)
    if items is None:
        return None
    options: list[list[str]] = []
    run = ""
    for alts in [*items, []]:
        if len(alts) == 1:
            run += alts[0]
            continue
        if run:
            options.append([run])
        run = ""
        if alts:
            options.append(alts)
    return options


def required_literals(pattern: str, flags: str) -> tuple[str, ...] | None:
    """Case-folded literals one of which every match of ``/pattern/flags`` contains, or
    None when none is known.

    Sound by construction: a literal run of the pattern's top-level concatenation (or an
    alternation of plain literals in a group) is in every match, and ``casefold`` maps a
    text holding it to a text holding its fold. Under the ``i`` flag only ASCII literals
    parts are used (the longest ASCII run of each literal, which the match holds too): RE2
    matches case-insensitively by Unicode simple folding, whose orbits of ASCII letters
    (k/K/KELVIN SIGN, s/S/LONG S, the rest two letters) `str.casefold` maps to the
    lower-case ASCII letter.
    """
    options = literal_options(pattern)
    if options is None:
        return None
    best: tuple[str, ...] | None = None
    for alts in options:
        if "i" in flags:
            alts = [_longest_ascii(a) for a in alts]  # noqa: PLW2901 - the usable part
        folded = tuple(sorted({a.casefold() for a in alts}))
        if "" in folded:
            continue
        if best is None or _selectivity(folded) > _selectivity(best):
            best = folded
    return best


def _longest_ascii(text: str) -> str:
    """The longest run of ASCII characters in `text`."""
    runs = "".join(ch if ch.isascii() else "\0" for ch in text).split("\0")
    return max(runs, key=len)


def _selectivity(literals: tuple[str, ...]) -> float:
    """Rough: longer literals, and fewer of them, are rarer in text."""
    return min(len(x) for x in literals) - 0.5 * (len(literals) - 1)


#: ``(lowest length, highest length, the ASCII characters of the class)`` of a pattern that
#: matches whole texts of one character class (`whole_span`)
WholeSpan = tuple[int, float, str]

_ESCAPE_CLASSES = frozenset("dDsSwW")


def _class_end(pattern: str, i: int) -> int | None:
    """The index after the character class ``[...]`` that opens at `i`, or None when it is
    not read here. RE2's syntax: a ``]`` right after ``[`` or ``[^`` is a literal, ``\\``
    escapes the next character, ``[:name:]`` names an ASCII class."""
    n = len(pattern)
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        j += 1
    while j < n:
        ch = pattern[j]
        if ch == "]":
            return j + 1
        if ch == "\\":
            j += 2
        elif pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            if end < 0:
                return None
            j = end + 2
        elif ch == "[":
            return None
        else:
            j += 1
    return None


def whole_span(pattern: str, flags: str) -> WholeSpan | None:
    """The lengths and ASCII characters of a pattern ``^C{n,m}$``: one character class
    ``C`` (``[...]``, ``\\d``-like, ``\\p{..}``, ``.``) repeated (``*``, ``+``, ``{n}``,
    ``{n,}``, ``{n,m}``, lazy or not) over the whole text. None for any other pattern, and
    under the ``m`` flag (``^``/``$`` at line ends).

    Such a pattern matches a text exactly when the text's length (in code points) is in the
    range and each character is in ``C``; which ASCII characters are in ``C`` is asked of
    RE2 itself (with the pattern's flags), so the answer for an ASCII text is RE2's. (A
    shouting-subject test, ``^[\\p{Lu}\\d\\s\\p{P}\\p{S}]{12,}$``, is then a length and a
    `str.strip`, not an RE2 call.)"""
    if "m" in flags or not (pattern.startswith("^") and pattern.endswith("$")):
        return None
    body = pattern[1:-1]
    if body.endswith("\\"):
        return None  # the ``$`` is escaped
    if body.startswith("["):
        end = _class_end(body, 0)
    elif body.startswith("\\") and body[1:2] in _ESCAPE_CLASSES:
        end = 2
    elif body.startswith(("\\p", "\\P")):
        if body[2:3] == "{":
            close = body.find("}", 3)
            end = close + 1 if close > 0 else None
        else:
            end = 3 if body[2:3].isascii() and body[2:3].isalpha() else None
    elif body.startswith("."):
        end = 1
    else:
        return None
    if end is None:
        return None
    atom, quantifier = body[:end], body[end:]
    if quantifier.endswith("?") and len(quantifier) > 1:
        quantifier = quantifier[:-1]  # lazy: the same whole-text matches
    low: int
    high: float
    if quantifier == "+":
        low, high = 1, math.inf
    elif quantifier == "*":
        low, high = 0, math.inf
    elif quantifier.startswith("{") and quantifier.endswith("}"):
        lo_text, comma, hi_text = quantifier[1:-1].partition(",")
        if not _decimal(lo_text) or (hi_text and not _decimal(hi_text)):
            return None
        low = int(lo_text)
        high = (int(hi_text) if hi_text else math.inf) if comma else low
    else:
        return None
    one = compile_regex(f"^{atom}$", flags)
    if isinstance(one, RegexProblem):  # pragma: no cover - a part of a valid pattern
        return None
    test = regex_test(one)
    chars = "".join(chr(c) for c in range(128) if test(chr(c)))
    return low, high, chars


def _decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()
