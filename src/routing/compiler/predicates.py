"""The run-time helpers compiled conditions call, and the rule language's text semantics.

`routing.compiler.codegen` turns each condition into straight-line Python code; where a
node needs more than an operator (a custom field read with its type check, an ordered
comparison that must refuse ``null``, a text test on a value that may not be text), the
generated code calls one of the functions here, bound into its namespace as a value.

Run-time errors are `EvalFailure` exceptions: ``and``/``or`` absorb them where the result
does not depend on the failing operand (``false and <error>`` is false), as CEL does.

`words_of` and `mentions` define what ``mentions`` means: whole words and phrases on the
case-folded, space-collapsed text, word boundaries judged on the ticket's own characters
(so a fold that changes lengths, "İ" or "ß", cannot make or break a word).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NoReturn, Protocol

from routing.compiler.state import EvalFailure, State
from routing.dsl.passes.check_types import parse_datetime_literal
from routing.model.types import Kind, Type

__all__ = [
    "Fn",
    "collapse",
    "custom_reader",
    "list_equality",
    "mentions",
    "ordered",
    "ranked",
    "record",
    "show",
    "text_value",
    "to_datetime",
    "words_of",
]

Fn = Callable[[State], Any]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def collapse(text: str) -> str:
    """`text` with every run of white space made one space, stripped."""
    return " ".join(text.split())


class _Indexed(Protocol):
    """Origins by index: a tuple, or `_Origins`."""

    def __getitem__(self, i: int, /) -> int: ...

    def __len__(self) -> int: ...


class _Mapped(str):
    """A folded, space-collapsed text whose folding changed lengths ("İ" -> "i" + U+0307,
    "ß" -> "ss"): `origin[i]` is the index in `original` of the character that folded
    character i came from, so word boundaries are judged on the ticket's own text."""

    original: str
    origin: _Indexed


_TOKENS = re.compile(r"\S+")  # `\S` is exactly `not str.isspace()` (tests/compiler pin it)
#: the characters whose case fold is longer than one character (tests/compiler pin the list)
_LONG_FOLDS = re.compile(
    "[\u00df\u0130\u0149\u01f0\u0390\u03b0\u0587\u1e96-\u1e9a\u1e9e\u1f50\u1f52\u1f54"
    "\u1f56\u1f80-\u1faf\u1fb2-\u1fb4\u1fb6\u1fb7\u1fbc\u1fc2-\u1fc4\u1fc6\u1fc7\u1fcc"
    "\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2-\u1fe4\u1fe6\u1fe7\u1ff2-\u1ff4\u1ff6\u1ff7\u1ffc"
    "\ufb00-\ufb06\ufb13-\ufb17]"
)


def words_of(text: str) -> str:
    """`text` case-folded with every run of white space made one space, for `mentions`.

    The characters are always ``collapse(text.casefold())`` (no white space folds to
    anything else, no other character folds to white space); when folding changed lengths
    the result is a `_Mapped` that also knows where each character came from.
    """
    folded = text.casefold()
    if len(folded) == len(text):  # one folded character per character: positions agree
        return collapse(folded)
    # Token by token: most tokens fold one to one and take a range of origins at once.
    chars: list[str] = []
    origin: list[int] = []
    last_end = 0
    for m in _TOKENS.finditer(text):
        start, end = m.span()
        if chars:
            chars.append(" ")
            origin.append(last_end)  # the first white-space character after a token
        token = m.group()
        folded_token = token.casefold()
        chars.append(folded_token)
        if len(folded_token) == len(token):
            origin.extend(range(start, end))
        else:
            for i, ch in enumerate(token, start):
                origin.extend([i] * len(ch.casefold()))
        last_end = end
    out = _Mapped("".join(chars))
    out.original = text
    out.origin = tuple(origin)
    return out


class _Origins:
    """The origins of a folded text whose folding changed lengths at a few characters:
    `origins[i]` is the index in the original text of the character that folded character
    i came from, computed on demand from the few long folds (a `mentions` test reads four
    of them per occurrence: building every origin of a long text cost more than the test)."""

    __slots__ = ("_marks", "_n")

    def __init__(self, marks: tuple[tuple[int, int, int], ...], n: int) -> None:
        #: (first folded index, folded index after, original index) of each long fold
        self._marks = marks
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        shift = 0
        for first, after, at in self._marks:
            if i < first:
                break
            if i < after:
                return at
            shift += after - first - 1
        return i - shift


def folded_with_origin(text: str, folded: str) -> str:
    """`folded` (``text.casefold()``), knowing where each character came from when folding
    changed lengths: for `mentions` of a needle without spaces, which white space cannot
    affect, this is the same haystack as `words_of(text)` and much cheaper to build (only
    the few characters with a long fold break the one-to-one run of positions, and their
    places are all `_Origins` keeps)."""
    if len(folded) == len(text):
        return folded
    marks: list[tuple[int, int, int]] = []
    shift = 0
    for m in _LONG_FOLDS.finditer(text):
        at = m.start()
        size = len(m.group().casefold())
        marks.append((at + shift, at + shift + size, at))
        shift += size - 1
    out = _Mapped(folded)
    out.original = text
    out.origin = _Origins(tuple(marks), len(folded))
    return out


def mentions(haystack: str, needle: str) -> bool:
    """Whole-word/phrase test on a `words_of` text and a folded, collapsed needle."""
    if not needle:
        return False
    start = haystack.find(needle)
    n = len(needle)
    mapped = haystack if isinstance(haystack, _Mapped) else None
    while start >= 0:
        end = start + n
        if mapped is None:  # `_is_word` inlined: this is the hot path
            ch = haystack[start - 1] if start else " "
            before_ok = not (ch.isalnum() or ch == "_")
            ch = haystack[end] if end < len(haystack) else " "
            after_ok = not (ch.isalnum() or ch == "_")
        else:
            origin, text = mapped.origin, mapped.original
            first, last = origin[start], origin[end - 1]
            whole = (start == 0 or origin[start - 1] != first) and (
                end == len(origin) or origin[end] != last
            )
            before_ok = whole and (first == 0 or not _is_word(text[first - 1]))
            after_ok = whole and (last + 1 == len(text) or not _is_word(text[last + 1]))
        if before_ok and after_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def text_value(v: Any) -> str:
    """A value read as text: null is the empty text; anything else but text is an error."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    raise EvalFailure("eval/type-error", f"expected text, found {type(v).__name__}")


def show(value: Any) -> str:
    """A value as the rule language writes it, for run-time error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)[:200]


def record(s: State, nid: int, value: Any) -> Any:
    """Explain: note `value` as node `nid`'s value, and give it back."""
    observed = s.observed
    if observed is not None:
        observed[nid] = value
    return value


def record_failure(s: State, nid: int, exc: EvalFailure) -> NoReturn:
    """Explain: note that node `nid` failed, and raise the failure on."""
    observed = s.observed
    if observed is not None:
        observed[nid] = exc
    raise exc


def last(_first: Any, second: Any) -> Any:
    """The second of two values (both are evaluated, in order): explain records a text's
    value, then the generated code runs the test on the ticket's cached texts."""
    return second


# ---------------------------------------------------------------------------- custom fields


def custom_reader(name: str, t: Type) -> Callable[[Mapping[str, Any]], Any]:
    """The reader of custom field `name` (of type `t`) from the working fields: a missing
    field is ``eval/missing-field``, a value of another type ``eval/type-error``."""
    k = t.kind
    missing = f"the ticket has no custom field '{name}'"

    def wrong(v: Any) -> EvalFailure:
        return EvalFailure(
            "eval/type-error",
            f"custom field '{name}' should be {t.describe()}, found {show(v)}",
        )

    if k is Kind.NUMBER:

        def number(fields: Mapping[str, Any]) -> Any:
            try:
                v = fields[name]
            except KeyError:
                raise EvalFailure("eval/missing-field", missing) from None
            if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
                return v
            raise wrong(v)

        return number
    if k is Kind.DATETIME:

        def when(fields: Mapping[str, Any]) -> Any:
            try:
                v = fields[name]
            except KeyError:
                raise EvalFailure("eval/missing-field", missing) from None
            if v is None or isinstance(v, datetime):
                return v
            parsed = parse_datetime_literal(v) if isinstance(v, str) else None
            if parsed is None:
                raise wrong(v)
            return parsed

        return when
    if k is Kind.BOOL:
        accept: tuple[type, ...] = (bool,)
    elif k is Kind.LIST:
        accept = (list, tuple)
    else:
        accept = (str,)
    values = frozenset(t.values) if k is Kind.ENUM else None

    def plain(fields: Mapping[str, Any]) -> Any:
        try:
            v = fields[name]
        except KeyError:
            raise EvalFailure("eval/missing-field", missing) from None
        if v is None:
            return v
        if not isinstance(v, accept) or (values is not None and v not in values):
            raise wrong(v)
        return v

    return plain


# ---------------------------------------------------------------------------- comparisons


def ordered(op: Callable[[Any, Any], bool], symbol: str) -> Callable[[Any, Any], bool]:
    """An order comparison that refuses null and values of types that do not order."""

    def compare(a: Any, b: Any) -> bool:
        if a is None or b is None:
            raise EvalFailure("eval/type-error", f"cannot compare null with '{symbol}'")
        try:
            return op(a, b)
        except TypeError:
            raise EvalFailure(
                "eval/type-error",
                f"cannot compare {type(a).__name__} with {type(b).__name__}",
            ) from None

    return compare


def null_order(symbol: str) -> Callable[[], NoReturn]:
    """The failure of an order comparison with null (for inlined comparisons)."""

    def fail() -> NoReturn:
        raise EvalFailure("eval/type-error", f"cannot compare null with '{symbol}'")

    return fail


def ranked(
    op: Callable[[int, int], bool], ranks: Mapping[str, int], enum_name: str
) -> Callable[[Any, Any], bool]:
    """An order comparison of two values of an ordered enum, by declared rank."""

    def compare(a: Any, b: Any) -> bool:
        try:
            return op(ranks[a], ranks[b])
        except KeyError:
            raise EvalFailure(
                "eval/type-error", f"cannot order {show(a)} and {show(b)} as {enum_name}"
            ) from None

    return compare


def list_equality(as_set: bool, equal: bool) -> Callable[[Any, Any], bool]:
    """Lists compare item by item in order; tags, a set, compare as sets (lower case)."""

    def norm(v: Any) -> Any:
        if v is None:
            return None
        if as_set:
            return frozenset(x.strip().lower() if isinstance(x, str) else x for x in v)
        return tuple(v)

    return lambda a, b: (norm(a) == norm(b)) is equal


# ---------------------------------------------------------------------------- other tests


def is_empty(v: Any) -> bool:
    """``is empty``: null, or an empty text, list, set or mapping."""
    return v is None or (
        not v if isinstance(v, str | Mapping | set | frozenset | list | tuple) else False
    )


def collection(v: Any) -> Any:
    """A value read as a collection, for ``has`` and for a list computed per ticket on the
    right of ``in`` or ``any/all/none of``: null is the empty list."""
    if v is None:
        return ()
    return v


def has_dynamic(quantifier: str, norm: Callable[[Any], Any]) -> Callable[[Any, Any], bool]:
    """``has any/all/none of`` with a list computed per ticket."""

    def test(value: Any, items: Any) -> bool:
        have = collection(value)
        want = {norm(x) for x in collection(items)}
        if quantifier == "any":
            return not want.isdisjoint(have)
        if quantifier == "all":
            return want.issubset(have)
        return want.isdisjoint(have)

    return test


def fold_needles(fold: Callable[[str], str]) -> Callable[[Any], tuple[str, ...]]:
    """Needles computed per ticket, each read as text and folded; null is no needles."""
    return lambda items: tuple(fold(text_value(x)) for x in collection(items))


def fold_mention(x: str) -> str:
    """A `mentions` needle as `words_of` texts hold it."""
    return collapse(x.casefold())


def mentions_any(hay: str, needles: tuple[str, ...]) -> bool:
    """``mentions any of`` on a `words_of` text."""
    return any(n in hay and mentions(hay, n) for n in needles)


def mentions_all(hay: str, needles: tuple[str, ...]) -> bool:
    """``mentions all of`` on a `words_of` text."""
    return all(mentions(hay, n) for n in needles)


def any_in(needles: tuple[str, ...], hay: str) -> bool:
    """``contains any of`` on a folded text."""
    return any(n in hay for n in needles)


def all_in(needles: tuple[str, ...], hay: str) -> bool:
    """``contains all of`` on a folded text."""
    return all(n in hay for n in needles)


# ---------------------------------------------------------------------------- time


def to_datetime(v: Any) -> datetime:
    """A value read as a date and time."""
    if isinstance(v, datetime):
        return v
    raise EvalFailure("eval/type-error", f"expected a datetime, found {show(v)}")


def to_zone(name: Any) -> zoneinfo.ZoneInfo:
    """A value read as a time zone name."""
    if not isinstance(name, str) or not name:
        raise EvalFailure("eval/type-error", f"expected a time zone name, found {show(name)}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise EvalFailure("eval/type-error", f"unknown time zone '{name}'") from None
