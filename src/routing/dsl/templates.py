"""Sandboxed Liquid templates: the bodies of replies, notifications and webhooks.

Templates are Liquid (python-liquid 2.x), parsed once by `parse_template` when a rule set is
checked and rendered per ticket by `CompiledTemplate.render`. A template made only of text,
output statements and ``if``/``unless`` renders through one Python function generated from
its parsed tree, which gives python-liquid's text or hands the render to python-liquid (see
"fast renderer" below, docs/decisions/0015-fast-template-renderer.md and
docs/decisions/0021-effects-generated-templates-and-plain-roots.md).

**The sandbox.** Every template is parsed by one module-level environment, configured once:

- *Strict undefined.* Reading a variable that is not in the data, or a key a mapping does not
  have, is an error (`TemplateRenderError`), not an empty string. The one exception is
  Liquid's own `default` filter: ``{{ fields.order_id | default: "-" }}`` is how a template
  says a value may be absent (python-liquid's ``StrictDefaultUndefined``).
- *No other files.* The ``include`` and ``render`` tags are not registered, so a template that
  uses them does not parse (``template/syntax``); there is no file system loader.
- *Limits.* A loop (or nest of loops) may run at most `LOOP_ITERATION_LIMIT` iterations, one
  render at most `TOTAL_ITERATION_LIMIT` iterations over all its loops, the output is at most
  `OUTPUT_LIMIT` characters, values assigned in the template at most `LOCAL_NAMESPACE_LIMIT`
  bytes, contexts nest at most `CONTEXT_DEPTH_LIMIT` deep and blocks `BLOCK_NESTING_LIMIT`
  deep. Reaching any of them is a `TemplateRenderError`, quickly: loop lengths are checked
  before a loop starts.
- *Plain data only.* `render` copies its data into dicts, lists, strings, numbers, booleans
  and None before Liquid sees it (datetimes become ISO 8601 strings, enums their values,
  sets sorted lists). Any other Python object is refused, so no template can reach an
  attribute of a Python object.
- *Deterministic.* ``"now" | date`` and ``"today" | date`` would read the clock; they are an
  error. Templates use the ``now`` variable instead.

**Filters.** Liquid's standard filters (``date``, ``default``, ``upcase``, ``join``, ...) plus:

- ``local`` - ``{{ sla.first_reply_due | local: requester.timezone }}`` formats an ISO 8601
  instant (or a datetime) in an IANA time zone as ``Monday 23 November 2026, 10:30 (CET)``.
  A null or empty zone means UTC; an unknown zone, or an instant without a UTC offset, is a
  render error; a null instant renders as the empty string (as Liquid filters do with nil).
  A second argument names a language (``de``, ``fr-CA``, ``pt_BR``):
  ``{{ calendars["support-eu"].next_open | local: requester.timezone, requester.language }}``
  formats the instant the way that language writes dates, with babel (CLDR): the full date,
  the short time and the zone's short name, ``Montag, 23. November 2026, 10:00 MEZ``. A
  language babel does not know, or a null or empty one, falls back to English
  (``Monday, November 23, 2026, 10:00 AM GMT+01:00``), never an error.

**Variables.** The data a template sees (built by `template_data`) has these roots:

- ``ticket`` - the whole ticket, as in the ticket schema;
- every field of the ticket again at top level (``subject``, ``id``, ``queue``, ``priority``,
  ``tags``, ``fields``, ...), so ``{{ subject }}`` is ``{{ ticket.subject }}``;
- ``requester`` - the ticket's requester (``ticket.requester``);
- ``decision`` - the decision so far (the shape of DESIGN.md section 7);
- ``sla`` - the decision's SLA object (``first_reply_due``, ``resolution_due``, ...) or null;
- ``now`` - the evaluation instant, an ISO 8601 string with offset;
- ``calendars`` - per declared calendar a template names, ``calendars["NAME"].next_open``
  (the earliest open instant at or after ``now``, ISO 8601 in the calendar's zone, null if
  it never opens), ``.is_open`` (at ``now``; null, like ``next_open``, with an
  ``eval/calendar`` error, when ``now`` is outside the years the calendar covers) and
  ``.timezone``; the engine computes them only
  for the calendars some template reads (the engine adds this root to `template_data`'s).

The names in `RESERVED_ROOTS` win over a ticket field of the same name. `CompiledTemplate.
variables` lists every global variable path a template reads, with its place in the
template text, for the checker to validate against the ticket schema. A path stops at its
first index or computed segment: ``tags[0]`` is ``("tags",)``, ``fields[name]`` is
``("fields",)`` (and ``name`` is a variable of its own). Liquid's ``size``, ``first`` and
``last`` appear as written (``("tags", "size")``). Variables bound inside the template
(``assign``, ``capture``, ``for``, ``forloop``) are not listed.
"""

from __future__ import annotations

import ast
import datetime as dt
import enum
import functools
import re
import string
import zoneinfo
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, cast

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from liquid import BoundTemplate, Environment, RenderContext, StrictDefaultUndefined
from liquid.ast import BlockNode, ConditionalBlockNode
from liquid.builtin.content import ContentNode
from liquid.builtin.expressions import (
    BooleanExpression,
    FilteredExpression,
    KeywordArgument,
    Nil,
    Path,
    PositionalArgument,
)
from liquid.builtin.expressions.logical import (
    ContainsExpression,
    EqExpression,
    GeExpression,
    GtExpression,
    LeExpression,
    LogicalAndExpression,
    LogicalNotExpression,
    LogicalOrExpression,
    LtExpression,
    NeExpression,
    _contains,
    _eq,
    _le,
    _lt,
    is_truthy,
)
from liquid.builtin.expressions.primitive import (
    Blank,
    Empty,
    FalseLiteral,
    FloatLiteral,
    IntegerLiteral,
    StringLiteral,
    TrueLiteral,
)
from liquid.builtin.filters.misc import date as _liquid_date
from liquid.builtin.output import OutputNode
from liquid.builtin.tags.comment_tag import CommentNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.unless_tag import UnlessNode
from liquid.exceptions import (
    BlockNestingError,
    ContextDepthError,
    FilterArgumentError,
    LiquidError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    UndefinedError,
)
from liquid.filter import with_environment
from liquid.mode import Mode
from liquid.stringify import to_liquid_string

from routing.diagnostics import Diagnostic
from routing.dsl.ast import SpanMap
from routing.dsl.functions import no_local_time
from routing.dsl.limits import MAX_TEMPLATE
from routing.dsl.suggest import did_you_mean

__all__ = [
    "BLOCK_NESTING_LIMIT",
    "CALENDAR_KEYS",
    "CONTEXT_DEPTH_LIMIT",
    "FALLBACK_LANGUAGE",
    "LOCAL_NAMESPACE_LIMIT",
    "LOOP_ITERATION_LIMIT",
    "OUTPUT_LIMIT",
    "RESERVED_ROOTS",
    "TOTAL_ITERATION_LIMIT",
    "CompiledTemplate",
    "TemplateData",
    "TemplateRenderError",
    "TemplateVariable",
    "as_plain",
    "parse_template",
    "template_data",
]

#: Most iterations of one loop, or of the product of nested loops (checked before it starts).
LOOP_ITERATION_LIMIT = 10_000
#: Most loop iterations of one render, over every loop of the template.
TOTAL_ITERATION_LIMIT = 100_000
#: Longest rendered output, in characters.
OUTPUT_LIMIT = 100_000
#: Most bytes (by ``sys.getsizeof``) of the values a template assigns.
LOCAL_NAMESPACE_LIMIT = 64 * 1024
#: Deepest nesting of render contexts.
CONTEXT_DEPTH_LIMIT = 30
#: Deepest nesting of blocks (``if`` inside ``for`` inside ...), checked when parsing.
BLOCK_NESTING_LIMIT = 30
#: Deepest nesting of the data given to `CompiledTemplate.render`.
_DATA_DEPTH_LIMIT = 32

#: The roots `template_data` sets besides the ticket's own fields; they win over a field.
RESERVED_ROOTS: frozenset[str] = frozenset(
    {"ticket", "requester", "decision", "sla", "now", "calendars"}
)
#: What a template may read of ``calendars["NAME"]``.
CALENDAR_KEYS: tuple[str, ...] = ("next_open", "is_open", "timezone")
#: The language a ``local`` filter falls back to.
FALLBACK_LANGUAGE = "en"

_PYTHON_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, RecursionError)
_DISABLED_TAGS = ("include", "render")
_UNDEFINED_SUFFIX = " is undefined"
_CLOCK_WORDS = frozenset({"now", "today"})
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class TemplateRenderError(Exception):
    """A template failed to render: an undefined variable, a limit, a filter error.

    The message is lower-case and, where Liquid knows it, ends with the place in the
    template text: ``'requester.nam' is undefined (line 1, column 10)``. The engine turns it
    into an ``eval/template-error`` in the decision.
    """


@dataclass(frozen=True, slots=True)
class TemplateVariable:
    """A global variable path a template reads, and where: offsets [start, end) in its text."""

    path: tuple[str, ...]
    start: int
    end: int


# --------------------------------------------------------------------------- the sandbox


class _BudgetContext(RenderContext):
    """A render context that also counts loop iterations over the whole render."""

    __slots__ = ("_iterations",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._iterations = 0

    def raise_for_loop_limit(self, length: int = 1) -> None:
        super().raise_for_loop_limit(length)
        self._iterations += length
        if self._iterations > TOTAL_ITERATION_LIMIT:
            raise LoopIterationLimitError("total loop iteration limit reached", token=None)


class _SandboxTemplate(BoundTemplate):
    context_class = _BudgetContext


class _SandboxEnvironment(Environment):
    loop_iteration_limit = LOOP_ITERATION_LIMIT
    output_stream_limit = OUTPUT_LIMIT
    local_namespace_limit = LOCAL_NAMESPACE_LIMIT
    context_depth_limit = CONTEXT_DEPTH_LIMIT
    block_nesting_limit = BLOCK_NESTING_LIMIT
    template_class = _SandboxTemplate


def _instant(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        instant = value
    elif isinstance(value, str):
        try:
            instant = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise FilterArgumentError(
                f"local expected an ISO 8601 instant, found {value!r}", token=None
            ) from None
    else:
        raise FilterArgumentError(
            f"local expected an ISO 8601 instant, found {type(value).__name__}", token=None
        )
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise FilterArgumentError(f"local: the instant {value!s} has no UTC offset", token=None)
    return instant


def _zone(zone: object) -> dt.tzinfo:
    if zone is None or zone == "":
        return dt.UTC
    if not isinstance(zone, str):
        raise FilterArgumentError(
            f"local expected an IANA time zone name, found {type(zone).__name__}", token=None
        )
    try:
        return _zone_info(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise FilterArgumentError(f"local: unknown time zone '{zone}'", token=None) from None


# ZoneInfo(key) keeps its own cache, but its constructor is still a call with a lock and a
# weak-value lookup; a zone name is read on every ``local``. (Failures are not remembered.)
_zone_info = functools.lru_cache(maxsize=256)(zoneinfo.ZoneInfo)


@functools.lru_cache(maxsize=256)
def _locale(language: str) -> Locale:
    """The babel locale of a language tag (``de``, ``de-AT``, ``pt_BR``), else English."""
    tag = language.strip().replace("-", "_")
    if tag:
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError, TypeError):
            pass
        base = tag.partition("_")[0]
        if base != tag:
            return _locale(base)
    return Locale.parse(FALLBACK_LANGUAGE)


@dataclass(frozen=True, slots=True)
class _Language:
    """What formatting an instant in one language needs, worked out once per language tag."""

    locale: Locale
    #: The language's full date-time pattern, ``{1}`` the date and ``{0}`` the time.
    pattern: str
    #: The short time pattern reads only the hour and minute (``HH:mm``, ``h:mm a``, ...),
    #: so its text can be shared by every instant with the same wall-clock hour and minute.
    by_minute: bool


_QUOTED = re.compile(r"'[^']*'")
_MINUTE_FIELDS = frozenset("HhKkma")  # hour, minute and am/pm: nothing finer, no zone


@functools.lru_cache(maxsize=256)
def _language(language: str) -> _Language:
    locale = _locale(language)
    short = str(locale.time_formats["short"].pattern)
    fields = set(_QUOTED.sub("", short)) & set(string.ascii_letters)
    pattern = str(locale.datetime_formats["full"]).replace("'", "")
    return _Language(locale, pattern, fields <= _MINUTE_FIELDS)


def _localised(local: dt.datetime, language: object) -> str:
    """Full date, short time and the zone's short name, in `language` (CLDR via babel)."""
    tag = language if isinstance(language, str) else ""
    # The text depends on the wall time, its offset (the ISO text holds both), the zone
    # (its names) and the language: renders of one run share instants such as a calendar's
    # next opening.
    return _localised_text(local.isoformat(), local.tzinfo, tag, local)


@functools.lru_cache(maxsize=4096)
def _localised_text(_iso: str, _zone: object, language: str, local: dt.datetime) -> str:
    # babel takes about 20 us for the three parts of a new instant. Each part depends on
    # less than the whole instant, so each is remembered on its own (bounded) key: distinct
    # instants of one day, of one minute or of one zone offset share their texts.
    lang = _language(language)
    zone = local.tzinfo
    key: tuple[object, ...] = (local.date(), language)
    date = _DATES.get(key)
    if date is None:  # babel's full date: a function of the calendar date and language
        date = format_date(local.date(), "full", locale=lang.locale)
        _remember(_DATES, key, date)
    if lang.by_minute:  # the short time reads only the hour, minute and am/pm
        key = (local.hour, local.minute, language)
        time = _TIMES.get(key)
        if time is None:
            time = format_time(local, "short", tzinfo=zone, locale=lang.locale)
            _remember(_TIMES, key, time, _TIMES_SIZE)
    else:
        time = format_time(local, "short", tzinfo=zone, locale=lang.locale)
    # babel's zone name (``z``) is a function of the zone, whether daylight saving time is
    # in force and, for a zone the language has no name for, the UTC offset; ``OOOO`` of
    # the offset alone.
    key = (zone, bool(local.dst()), local.utcoffset(), language)
    name = _ZONE_NAMES.get(key)
    if name is None:
        name = format_time(local, "z", tzinfo=zone, locale=lang.locale)
        if name[:1] in "+-":  # the language has no short name for this zone: GMT+01:00
            name = format_time(local, "OOOO", tzinfo=zone, locale=lang.locale)
        _remember(_ZONE_NAMES, key, name)
    return lang.pattern.replace("{1}", date).replace("{0}", f"{time} {name}")


#: Bounded memos of the parts of a localised instant (see `_localised_text`).
_DATES: dict[tuple[object, ...], str] = {}
_TIMES: dict[tuple[object, ...], str] = {}
_ZONE_NAMES: dict[tuple[object, ...], str] = {}
_MEMO_SIZE = 4096


#: The time texts hold every minute of a day per language (1,440 each): room for 16.
_TIMES_SIZE = 16 * 1440


def _remember(
    memo: dict[tuple[object, ...], str], key: tuple[object, ...], text: str, size: int = _MEMO_SIZE
) -> None:
    """Store `text` under `key`, emptying `memo` first when it is full (single dict
    operations: safe from many threads, and at worst a text is computed twice)."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = text


_NO_LANGUAGE = object()


def _local_filter(value: object, zone: object = None, language: object = _NO_LANGUAGE) -> str:
    """The ``local`` filter: an instant in a time zone, ``Monday 23 November 2026, 10:30 (CET)``.

    Args:
        value: an ISO 8601 instant with a UTC offset, or an aware datetime; None gives "".
        zone: an IANA time zone name; None or "" means UTC.
        language: a language tag; when given, the instant is written the way that language
            writes dates (English when it is unknown, null or empty).

    Raises:
        FilterArgumentError: the instant is malformed or naive, or the zone is unknown.
    """
    if value is None:
        return ""
    # The text is a function of the three arguments; texts (what templates and the engine
    # pass) are remembered as they are. A run's instants repeat: a calendar's next opening.
    key = (
        (value, zone, language)
        if type(value) is str
        and type(zone) in _TEXT_OR_NONE
        and (language is _NO_LANGUAGE or type(language) in _TEXT_OR_NONE)
        else None
    )
    if key is not None:
        text = _LOCAL_TEXTS.get(key)
        if text is not None:
            return text
    instant, tz = _instant(value), _zone(zone)
    try:
        local = instant.astimezone(tz)
    except OverflowError:  # the wall-clock time there is before the year 1 or after 9999
        message = f"local: {no_local_time(instant, str(zone or 'UTC'))}"
        raise FilterArgumentError(message, token=None) from None
    if language is not _NO_LANGUAGE:
        text = _localised(local, language)
    else:
        text = (
            f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
            f"{local.hour:02d}:{local.minute:02d} ({local.tzname()})"
        )
    if key is not None:
        _remember(_LOCAL_TEXTS, key, text)
    return text


_LOCAL_TEXTS: dict[tuple[object, ...], str] = {}
_TEXT_OR_NONE = frozenset({str, type(None)})


@with_environment
def _date_filter(value: object, fmt: object, *, environment: Environment) -> str:
    """Liquid's ``date``, refusing ``"now"``/``"today"`` (renders never read the clock)."""
    if isinstance(value, str) and value.strip().casefold() in _CLOCK_WORDS:
        raise FilterArgumentError(
            f"date: '{value}' reads the clock; use the 'now' variable", token=None
        )
    result: str = _liquid_date(value, fmt, environment=environment)
    return result


def _make_environment() -> Environment:
    env = _SandboxEnvironment(
        tolerance=Mode.STRICT,
        undefined=StrictDefaultUndefined,
        strict_filters=True,
        autoescape=False,
    )
    for tag in _DISABLED_TAGS:
        env.tags.pop(tag, None)
    env.add_filter("local", _local_filter)
    env.add_filter("date", _date_filter)
    return env


_ENV = _make_environment()


# --------------------------------------------------------------------------- parsing


def _path_end(text: str, start: int) -> int:
    """The end of the variable path written at `start` (best effort: dots and brackets)."""
    n = len(text)
    i = start
    while i < n and (text[i].isalnum() or text[i] in "_-"):
        i += 1
    while i < n:  # pragma: no branch - a parsed path is always followed by more text
        if text[i] == "." and i + 1 < n and (text[i + 1].isalnum() or text[i + 1] == "_"):
            i += 1
            while i < n and (text[i].isalnum() or text[i] in "_-"):
                i += 1
        elif text[i] == "[":
            depth, quote, j = 0, "", i
            while j < n:
                c = text[j]
                if quote:
                    quote = "" if c == quote else quote
                elif c in "'\"":
                    quote = c
                elif c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:  # pragma: no cover - Liquid rejects an unclosed bracket
                return i
            i = j + 1
        else:
            break
    return i


def _path(segments: Sequence[object]) -> tuple[str, ...]:
    out: list[str] = []
    for segment in segments:
        if not isinstance(segment, str):
            break
        out.append(segment)
    return tuple(out)


def _syntax_diagnostic(err: LiquidError, text: str, spans: SpanMap) -> Diagnostic:
    token = err.token
    message = str(err.message).rstrip(".")
    hint: str | None = None
    if token is not None and 0 <= token.start_index <= len(text) and token.source == text:
        start = token.start_index
        end = start + max(1, len(token.value))
        if token.kind == "tag" and token.value in _DISABLED_TAGS:
            message = f"the '{token.value}' tag is not available in templates"
            hint = "a template cannot read other templates; write the text inline"
    else:
        start = end = len(text)
        message = message.replace("found end of expression", "found the end of the template")
    return Diagnostic.make(
        "template/syntax", message, spans.span(start, min(end, len(text))), hint=hint
    )


def parse_template(text: str, spans: SpanMap) -> tuple[CompiledTemplate | None, list[Diagnostic]]:
    """Parse a template in the sandbox.

    Args:
        text: the Liquid source.
        spans: maps offsets in `text` to spans in its file (a `SourceFile` for a template that
            is a whole source, an `EmbeddedSource` for one inside a YAML scalar).

    Returns:
        The compiled template and no diagnostics, or None and the diagnostics:
        ``limit/template-size`` for a text longer than `MAX_TEMPLATE` characters,
        ``template/syntax`` for a syntax error (Liquid stops at the first) and for each use
        of an unknown filter.
    """
    if len(text) > MAX_TEMPLATE:
        message = (
            f"the template is {len(text)} characters long, more than the limit of {MAX_TEMPLATE}"
        )
        return None, [Diagnostic.make("limit/template-size", message, spans.span(0, 0))]
    try:
        bound = _ENV.from_string(text)
    except LiquidError as err:
        return None, [_syntax_diagnostic(err, text, spans)]
    analysis = bound.analyze(include_partials=False)
    diagnostics: list[Diagnostic] = []
    for name, places in analysis.filters.items():
        if name in _ENV.filters:
            continue
        hint = did_you_mean(name, _ENV.filters)
        for place in places:
            where = spans.span(place.index, place.index + len(name))
            diagnostics.append(
                Diagnostic.make("template/syntax", f"unknown filter '{name}'", where, hint=hint)
            )
    if diagnostics:
        return None, diagnostics
    found = {
        TemplateVariable(_path(var.segments), var.span.index, _path_end(text, var.span.index))
        for uses in analysis.globals.values()
        for var in uses
    }
    variables = tuple(sorted(found, key=lambda v: (v.start, v.end, v.path)))
    return CompiledTemplate(text, variables, bound), []


# --------------------------------------------------------------------------- rendering


#: Exact built-in types that are plain data as they are: `_plain` returns such a value
#: itself (``str.__str__``, ``int`` and ``float`` of an exact instance are the instance).
_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})
_STR: frozenset[type] = frozenset({str})


def _plain(value: object, where: str, depth: int) -> object:
    cls = type(value)
    if cls in _SCALARS:
        return value
    # Exact dicts with text keys and exact lists (JSON data) are copied in C, then only the
    # items that are not scalars are made plain, in order (only they can fail, so the first
    # error is the one the general path reports). Anything else takes the general path.
    keys = _STR.issuperset(map(type, value)) if cls is dict else False  # type: ignore[call-overload]
    if keys and depth < _DATA_DEPTH_LIMIT:
        out: dict[str, object] = dict(value)  # type: ignore[call-overload]
        for key in [k for k, v in out.items() if type(v) not in _SCALARS]:
            out[key] = _plain(out[key], f"{where}.{key}" if where else key, depth + 1)
        return out
    if (cls is list or cls is tuple) and depth < _DATA_DEPTH_LIMIT:
        if _SCALARS.issuperset(map(type, value)):  # type: ignore[call-overload]
            return list(value)  # type: ignore[call-overload]
        return [
            item if type(item) in _SCALARS else _plain(item, f"{where}[{i}]", depth + 1)
            for i, item in enumerate(cast("list[object]", value))
        ]
    return _plain_general(value, where, depth)


def _plain_general(value: object, where: str, depth: int) -> object:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value, where, depth)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if depth >= _DATA_DEPTH_LIMIT:
        raise TemplateRenderError(f"template data at '{where}' nests too deeply")
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TemplateRenderError(
                    f"template data at '{where}' has a {type(key).__name__} key, not a string"
                )
            out[str.__str__(key)] = _plain(item, f"{where}.{key}" if where else key, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, Set):
        items = [_plain(item, f"{where}[]", depth + 1) for item in value]
        try:
            return sorted(items)  # type: ignore[type-var]
        except TypeError:
            return sorted(items, key=repr)
    raise TemplateRenderError(
        f"template data at '{where}' is of type '{type(value).__name__}', not plain data"
    )


def _is_plain(value: object, depth: int) -> bool:
    """Whether `value` (at `depth`) is plain data as it is: `_plain` would return an equal
    value and change nothing (exact built-in types, text keys, not nested too deeply)."""
    cls = type(value)
    if cls in _SCALARS:
        return True
    if depth >= _DATA_DEPTH_LIMIT:
        return False
    depth += 1
    # One loop with the scalar test inline (the usual items are texts and numbers): one
    # pass over a dict's keys and values together, a call only for a nested container.
    if cls is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                return False
            if type(item) not in _SCALARS and not _is_plain(item, depth):
                return False
        return True
    if cls is list:
        for item in value:  # type: ignore[attr-defined]
            if type(item) not in _SCALARS and not _is_plain(item, depth):
                return False
        return True
    return False


def as_plain(value: object, root: str) -> object:
    """The value of the data root `root` as plain data (see the module docstring).

    A value that is plain data already is returned as it is, not copied (the caller must
    not change it while templates read it); anything else is copied into plain data as
    `CompiledTemplate.render` copies its data.

    Raises:
        TemplateRenderError: the value is not plain data and cannot be made so.
    """
    if _is_plain(value, 1):
        return value
    return _plain(value, root, 1)


def _render_message(err: LiquidError) -> str:
    if isinstance(err, LoopIterationLimitError):
        if "total" in str(err.message):
            message = f"the loops of the template run more than {TOTAL_ITERATION_LIMIT} iterations"
        else:
            message = f"a loop would run more than {LOOP_ITERATION_LIMIT} iterations"
    elif isinstance(err, OutputStreamLimitError):
        message = f"the output is longer than {OUTPUT_LIMIT} characters"
    elif isinstance(err, LocalNamespaceLimitError):
        message = f"values assigned in the template take more than {LOCAL_NAMESPACE_LIMIT} bytes"
    elif isinstance(err, ContextDepthError | BlockNestingError):
        message = f"the template nests scopes more than {CONTEXT_DEPTH_LIMIT} deep"
    elif isinstance(err, UndefinedError) and str(err.message).endswith(_UNDEFINED_SUFFIX):
        name = str(err.message).removesuffix(_UNDEFINED_SUFFIX).strip("'")
        message = f"undefined variable '{name}'"
    else:
        message = str(err.message).rstrip(".")
    context = err.context()
    if context is not None:  # pragma: no branch - Liquid locates errors at the node
        line, column = context[0], context[1] + 1
        message = f"{message} (line {line}, column {column})"
    return message


# --------------------------------------------------------------------------- fast renderer
#
# python-liquid renders a template by walking its tree with a render context: a chain of
# namespaces, a path resolver that handles drops, undefined values and ``size``/``first``/
# ``last``, an output stream that counts bytes. For the templates of replies (text, output
# statements with filters, ``if`` on the data) that machinery costs 20-50 us per render.
# `_fast_renderer` turns such a tree, once, into one Python function (`_Codegen`, built
# from `ast` nodes: the template's texts and names are constants in it, never source) that
# reads the plain data with dict lookups, each path once where it is sure to have been
# read, and calls the same Liquid helpers for what they mean (`is_truthy`, `_eq`, `_lt`,
# `_le`, `_contains`, `to_liquid_string`, the filter functions). It renders only the
# straightforward case: whenever anything is not - a missing key, a value that is not an
# exact dict or list on a path, a filter that raises, output over the limit - it raises
# `_Fallback` and `CompiledTemplate.render` renders the template with python-liquid again,
# which gives the output or the error. So a fast render is either python-liquid's output or
# not used; tests/dsl/test_templates_fast.py checks this on every template of the
# repository and on generated data (docs/decisions/0015-fast-template-renderer.md).


class _Fallback(Exception):
    """The fast renderer cannot tell what python-liquid does here; it must render."""


class _Unsupported(Exception):
    """A node or expression the fast renderer does not compile (the template keeps Liquid)."""


_Data = dict[str, object]

#: Roots Liquid's render context binds before the data (``partial`` is in its namespace).
_SHADOWED_ROOTS = frozenset({"partial"})


def _lookup(obj: object, key: object) -> object:
    """``obj[key]`` where Liquid reads exactly that: a key of a dict, an index of a list."""
    cls = type(obj)
    if cls is dict and type(key) is str:
        return obj[key]  # type: ignore[index]
    if cls is list and type(key) is int:
        return obj[key]  # type: ignore[index]
    raise _Fallback


#: Exact types whose Liquid equality and truth are Python's ``==`` and "not None" (no bool:
#: Liquid's ``1 == true`` is false; no drops, no undefined).
_SIMPLE = frozenset({str, int, float, type(None)})
_TRUE = frozenset({str, int, float, dict, list})
#: The exact types of plain data: Liquid's ``==`` between one of them and a text is
#: Python's (`_eq` swaps or converts nothing for them; a bool equals no text either way).
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dict, list})


def _liquid_eq(left: object, right: object) -> bool:
    """Liquid's ``==`` (`_eq`), without its checks for values that cannot need them."""
    if type(left) in _SIMPLE and type(right) in _SIMPLE:
        return left == right
    return _eq(left, right)


def _truthy(value: object) -> bool:
    """Liquid's truth (`is_truthy`): everything but false, nil and undefined."""
    cls = type(value)
    if cls is bool:
        return value  # type: ignore[return-value]
    if cls in _TRUE:
        return True
    return is_truthy(value)


def _fail() -> object:
    raise _Fallback


_COMPARISONS = (
    EqExpression,
    NeExpression,
    LeExpression,
    GeExpression,
    LtExpression,
    GtExpression,
    ContainsExpression,
    LogicalAndExpression,
    LogicalOrExpression,
    LogicalNotExpression,
    BooleanExpression,
)


def _name(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def _call(func: str, *args: ast.expr, keywords: Sequence[ast.keyword] = ()) -> ast.Call:
    return ast.Call(_name(func), list(args), list(keywords))


def _is_type(value: ast.expr, name: str, op: ast.cmpop | None = None) -> ast.Compare:
    """``type(value) is name`` (or another operator: ``in``)."""
    return ast.Compare(_call("type", value), [op or ast.Is()], [_name(name)])


class _Codegen:
    """Compiles a template tree (the node kinds the fast renderer does) into the body of one
    Python function, as `ast` nodes: no template text is ever parsed as Python, every
    literal is a constant node or a value bound in the function's namespace.

    The function appends the output to the list ``out`` (``out += (...)``). A path is read
    once per place where it is sure to have been read already (a block and what follows it
    in the block, not a branch or the right of ``and``/``or``), into a local; any read
    that is not a dict key or a list index as Liquid reads it fails to `_Fallback`.
    """

    def __init__(self) -> None:
        self.namespace: dict[str, object] = {
            "_Fallback": _Fallback,
            "_fail": _fail,
            "_lookup": _lookup,
            "_tls": to_liquid_string,
            "_truthy": _truthy,
            "_liquid_eq": _liquid_eq,
            "_eq": _eq,
            "_lt": _lt,
            "_le": _le,
            "_contains": _contains,
            "_PLAIN_TYPES": _PLAIN_TYPES,
            "dict": dict,
            "list": list,
            "str": str,
            "int": int,
            "type": type,
        }
        self.count = 0
        #: path key -> local holding its value, for the reads sure to have happened
        self.known: dict[tuple[object, ...], str] = {}

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def bind(self, value: object, prefix: str = "_k") -> ast.Name:
        """A name in the function's namespace holding `value`."""
        name = self.fresh(prefix)
        self.namespace[name] = value
        return _name(name)

    # ----------------------------------------------------------------- expressions

    def path(self, path: Path) -> ast.expr:
        segments = path.path
        root = segments[0]
        if type(root) is not str or root in _SHADOWED_ROOTS:
            raise _Unsupported
        key: tuple[object, ...] = (root,)
        value: ast.expr = ast.Subscript(_name("data"), ast.Constant(root), ast.Load())
        cached = self.known.get(key)
        if cached is not None:
            value = _name(cached)
        for segment in segments[1:]:
            if isinstance(segment, Path):  # a computed key: Liquid reads dicts and lists
                value = _call("_lookup", value, self.path(segment))
                key = (*key, None, id(segment))  # (never shared)
                continue
            if type(segment) is str:
                kind = "dict"
            elif type(segment) is int:
                kind = "list"
            else:  # pragma: no cover - python-liquid's path segments are str, int or Path
                raise _Unsupported
            key = (*key, segment)
            cached = self.known.get(key)
            if cached is not None:
                value = _name(cached)
                continue
            # (obj[segment] if type(obj := value) is dict else _fail())
            temp = self.fresh("_o")
            value = ast.IfExp(
                _is_type(ast.NamedExpr(_store(temp), value), kind),
                ast.Subscript(_name(temp), ast.Constant(segment), ast.Load()),
                _call("_fail"),
            )
        if self.known.get(key) is not None:
            return value
        if isinstance(value, ast.Name):
            return value
        local = self.fresh("_p")
        self.known[key] = local
        return ast.NamedExpr(_store(local), value)

    def filtered(self, expr: Any) -> ast.expr:
        value = self.value(expr.left)
        for flt in expr.filters or ():
            func = _ENV.filters.get(flt.name)
            if func is None or getattr(func, "with_context", False):
                raise _Unsupported
            if getattr(func, "with_environment", False):
                func = functools.partial(func, environment=_ENV)
            args: list[ast.expr] = [value]
            keywords: list[ast.keyword] = []
            for arg in flt.args:
                if isinstance(arg, KeywordArgument):
                    keywords.append(ast.keyword(arg.name, self.value(arg.value)))
                elif isinstance(arg, PositionalArgument):
                    args.append(self.value(arg.value))
                else:  # pragma: no cover - python-liquid has only these two
                    raise _Unsupported
            value = ast.Call(self.bind(func, "_f"), args, keywords)
        return value

    def truth(self, expr: object) -> ast.expr:
        """The Liquid truth of `expr`, as a Python bool."""
        if isinstance(expr, _COMPARISONS):
            return self.value(expr)  # already True or False
        return _call("_truthy", self.value(expr))

    def branch(self, expr: object) -> ast.expr:
        """`expr` compiled where it may not run (the right of ``and``/``or``): the paths it
        reads are not known to have been read after it."""
        known = self.known
        self.known = dict(known)
        try:
            return self.truth(expr)
        finally:
            self.known = known

    def equal(self, left: object, right: object) -> ast.expr:
        a, b = self.value(left), self.value(right)
        text_a, text_b = type(left) is StringLiteral, type(right) is StringLiteral
        if text_a or text_b:  # a text on one side: Python's == for plain values
            other = self.fresh("_e")
            named = ast.NamedExpr(_store(other), b if text_a else a)
            const = a if text_a else b
            return ast.IfExp(
                _is_type(named, "_PLAIN_TYPES", ast.In()),
                ast.Compare(_name(other), [ast.Eq()], [const]),
                _call("_eq", *((const, _name(other)) if text_a else (_name(other), const))),
            )
        return _call("_liquid_eq", a, b)

    def value(self, expr: object) -> ast.expr:
        """Python computing a Liquid expression from plain data, as python-liquid does."""
        cls = type(expr)
        if cls is Path:
            return self.path(expr)  # type: ignore[arg-type]
        if cls is StringLiteral:  # autoescape is off: the text itself
            return ast.Constant(expr.value)  # type: ignore[attr-defined]
        if cls in (IntegerLiteral, FloatLiteral, TrueLiteral, FalseLiteral):
            return ast.Constant(expr.value)  # type: ignore[attr-defined]
        if cls is Nil:
            return ast.Constant(None)
        if cls in (Empty, Blank):  # they evaluate to themselves
            return self.bind(expr)
        if cls is FilteredExpression:
            return self.filtered(expr)
        if cls is BooleanExpression:
            return self.truth(expr.expression)  # type: ignore[attr-defined]
        if cls is LogicalNotExpression:
            return ast.UnaryOp(ast.Not(), self.truth(expr.right))  # type: ignore[attr-defined]
        if cls in (LogicalAndExpression, LogicalOrExpression):
            op = ast.And() if cls is LogicalAndExpression else ast.Or()
            left = self.truth(expr.left)  # type: ignore[attr-defined]
            return ast.BoolOp(op, [left, self.branch(expr.right)])  # type: ignore[attr-defined]
        if cls is EqExpression:
            return self.equal(expr.left, expr.right)  # type: ignore[attr-defined]
        if cls is NeExpression:
            return ast.UnaryOp(ast.Not(), self.equal(expr.left, expr.right))  # type: ignore[attr-defined]
        if cls in (LeExpression, GeExpression, LtExpression, GtExpression, ContainsExpression):
            left = self.value(expr.left)  # type: ignore[attr-defined]
            right = self.value(expr.right)  # type: ignore[attr-defined]
            if cls is LeExpression:
                return _call("_le", left, right)
            if cls is GeExpression:  # (both sides are computed first: `_le(b, a)`)
                a, b = self.fresh("_c"), self.fresh("_c")
                return ast.Subscript(
                    ast.Tuple(
                        [
                            ast.NamedExpr(_store(a), left),
                            ast.NamedExpr(_store(b), right),
                            _call("_le", _name(b), _name(a)),
                        ],
                        ast.Load(),
                    ),
                    ast.Constant(2),
                    ast.Load(),
                )
            token = self.bind(expr.token)  # type: ignore[attr-defined]
            if cls is LtExpression:
                return _call("_lt", token, left, right)
            if cls is GtExpression:
                a, b = self.fresh("_c"), self.fresh("_c")
                return ast.Subscript(
                    ast.Tuple(
                        [
                            ast.NamedExpr(_store(a), left),
                            ast.NamedExpr(_store(b), right),
                            _call("_lt", token, _name(b), _name(a)),
                        ],
                        ast.Load(),
                    ),
                    ast.Constant(2),
                    ast.Load(),
                )
            return _call("_contains", token, left, right)
        raise _Unsupported

    # ----------------------------------------------------------------- statements

    def block(self, nodes: Sequence[object], blank: bool, out: str) -> list[ast.stmt]:
        """Statements appending a block's output to the list named `out`; a blank block
        (whitespace and tags) is run and its text dropped, as python-liquid does
        (``suppress_blank_control_flow_blocks``)."""
        if blank and _ENV.suppress_blank_control_flow_blocks:
            sink = self.fresh("_blank")
            return [
                ast.Assign([_store(sink)], ast.List([], ast.Load())),
                *self.block(nodes, False, sink),
            ]
        body: list[ast.stmt] = []
        parts: list[ast.expr] = []

        def flush() -> None:
            if parts:
                body.append(
                    ast.AugAssign(_store(out), ast.Add(), ast.Tuple(list(parts), ast.Load()))
                )
                parts.clear()

        for node in nodes:
            cls = type(node)
            if cls is ContentNode:
                if node.text:  # type: ignore[attr-defined]
                    parts.append(ast.Constant(node.text))  # type: ignore[attr-defined]
            elif cls is OutputNode:
                parts.append(self.output(node))  # type: ignore[arg-type]
            elif cls is IfNode or cls is UnlessNode:
                flush()
                body.append(self.branches(node))  # type: ignore[arg-type]
            elif cls is CommentNode:
                pass
            else:
                raise _Unsupported
        flush()
        return body

    def output(self, node: OutputNode) -> ast.expr:
        value = self.value(node.expression)
        if type(node.expression) is StringLiteral:
            return value
        temp = self.fresh("_v")
        # (v if type(v := value) is str else to_liquid_string(v, False))
        return ast.IfExp(
            _is_type(ast.NamedExpr(_store(temp), value), "str"),
            _name(temp),
            _call("_tls", _name(temp), ast.Constant(False)),
        )

    def nested(self, nodes: Sequence[object], blank: bool, out: str) -> list[ast.stmt]:
        """A block that may not run: what it reads is not known after it."""
        known = self.known
        self.known = dict(known)
        try:
            return self.block(nodes, blank, out) or [ast.Pass()]
        finally:
            self.known = known

    def branches(self, node: IfNode | UnlessNode) -> ast.stmt:
        if type(node.consequence) is not BlockNode or (
            node.default is not None and type(node.default) is not BlockNode
        ):
            raise _Unsupported
        if type(node.condition) is not BooleanExpression:  # (its value is True or False)
            raise _Unsupported
        out = "out"
        test = self.value(node.condition)
        if type(node) is UnlessNode:
            test = ast.UnaryOp(ast.Not(), test)
        first = self.nested(node.consequence.nodes, node.consequence.blank, out)
        # Each ``elsif`` test runs only when the tests before it are false: what a test
        # reads is known to the later tests and branches, not after the ``if``.
        known = self.known
        self.known = dict(known)
        try:
            chain: list[tuple[ast.expr, list[ast.stmt]]] = []
            for alt in node.alternatives:
                if type(alt) is not ConditionalBlockNode:
                    raise _Unsupported
                alt_test = self.value(alt.expression)
                chain.append((alt_test, self.nested(alt.block.nodes, alt.block.blank, out)))
            default = (
                self.nested(node.default.nodes, node.default.blank, out)
                if node.default is not None
                else []
            )
        finally:
            self.known = known
        for alt_test, alt_body in reversed(chain):
            default = [ast.If(alt_test, alt_body, default)]
        return ast.If(test, first, default)

    def function(self, nodes: Sequence[object]) -> Callable[[_Data], str]:
        body = [
            ast.Assign([_store("out")], ast.List([], ast.Load())),
            *self.block(nodes, False, "out"),
            ast.Return(
                ast.Call(ast.Attribute(ast.Constant(""), "join", ast.Load()), [_name("out")], [])
            ),
        ]
        args = ast.arguments([], [ast.arg("data")], None, [], [], None, [])
        func = ast.FunctionDef("render", args, body, [], None)
        module = ast.fix_missing_locations(ast.Module([func], []))
        code = compile(module, "<template>", "exec")
        namespace = self.namespace
        exec(code, namespace)  # noqa: S102 - our own tree: names we made, values as constants
        return cast("Callable[[_Data], str]", namespace["render"])


def _fast_renderer(bound: BoundTemplate) -> Callable[[_Data], str] | None:
    """The template as one Python function over plain data, or None if it has a node the
    function does not do.

    The returned function raises `_Fallback` where python-liquid must render instead.
    """
    try:
        render = _Codegen().function(bound.nodes)
    except _Unsupported:
        return None
    quick = OUTPUT_LIMIT // 4  # at most 4 UTF-8 bytes a character

    def fast(data: _Data) -> str:
        try:
            text = render(data)
        except Exception:  # a read, filter or comparison Liquid must do itself
            raise _Fallback from None
        # Liquid's output limit counts UTF-8 bytes as they are written; the count only grows,
        # so the output stays within the limit exactly when the whole text does.
        if len(text) > quick and len(text.encode("utf-8")) > OUTPUT_LIMIT:
            raise _Fallback
        return text

    return fast


class TemplateData:
    """Template data shared by the templates rendered for one decision, made plain lazily.

    `CompiledTemplate.render` copies a plain mapping into plain data on every call. Given a
    `TemplateData` instead, it copies only the roots that template reads (its `variables`),
    each root once for all the templates rendered with the same `TemplateData`. The values
    must not change after it is made; a root no template reads is never looked at, so a
    value that is not plain data there is no error. `data` may be any mapping: one that
    computes a value when it is read (the engine's) computes only the roots read.

    Args:
        data: the roots.
        plain: roots of `data` the caller has made plain data already (the engine's
            ``calendars``, remembered for every decision at one instant); they are used as
            they are, and must not change.

    Raises:
        TemplateRenderError: (when made) a key of `data` is not a string.
    """

    __slots__ = ("_plain", "_raw")

    def __init__(
        self, data: Mapping[str, object], plain: Mapping[str, object] | None = None
    ) -> None:
        if set(map(type, data)) - {str}:  # (one pass in C over the keys)
            for key in data:
                if not isinstance(key, str):
                    raise TemplateRenderError(
                        f"template data at '' has a {type(key).__name__} key, not a string"
                    )
        self._raw = data
        self._plain: dict[str, object] = {} if plain is None else dict(plain)

    def select(self, roots: frozenset[str] | None) -> dict[str, object]:
        """Plain data of the given roots (those present), or of every root for None.

        The roots are made plain in the order of the data, so of two roots that are not
        plain data the error names the first.
        """
        raw, plain = self._raw, self._plain
        if roots is not None:
            # The roots a template reads are few and the data has many: look them up, in
            # any order. Only for an error does the order matter; then the loop below
            # makes them plain again in the data's order and raises the first error.
            out: dict[str, object] = {}
            try:
                for key in roots:
                    value = plain.get(key, _MISSING)
                    if value is _MISSING:
                        if key not in raw:
                            continue
                        value = plain[key] = _plain(raw[key], key, 1)
                    out[str.__str__(key)] = value
                return out
            except TemplateRenderError:
                pass
        out = {}
        for key in raw if roots is None else (r for r in raw if r in roots):
            value = plain.get(key, _MISSING)
            if value is _MISSING:
                value = plain[key] = _plain(raw[key], key, 1)
            out[str.__str__(key)] = value
        return out


_MISSING = object()


def _roots(variables: Sequence[TemplateVariable]) -> frozenset[str] | None:
    """The data roots a template reads; None when one is computed (read every root)."""
    roots = set()
    for variable in variables:
        if not variable.path:
            return None
        roots.add(variable.path[0])
    return frozenset(roots)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledTemplate:
    """A parsed template: immutable, and safe to render from many threads at once.

    Attributes:
        text: the template source.
        variables: every global variable path the template reads, in text order.
    """

    text: str
    variables: tuple[TemplateVariable, ...]
    _bound: BoundTemplate = field(repr=False)
    _reads: frozenset[str] | None = field(init=False, repr=False)
    _fast: Callable[[_Data], str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_reads", _roots(self.variables))
        object.__setattr__(self, "_fast", _fast_renderer(self._bound))

    def render(self, data: Mapping[str, object] | TemplateData) -> str:
        """Render with `data` (plain data, see the module docstring), or a `TemplateData`.

        Raises:
            TemplateRenderError: an undefined variable, a limit, a filter error, or data that
                is not plain.
        """
        if isinstance(data, TemplateData):
            plain: object = data.select(self._reads)
        else:
            plain = _plain(data, "", 0)
        assert isinstance(plain, dict)
        return self.render_plain(plain)

    @property
    def roots(self) -> frozenset[str] | None:
        """The data roots the template reads (the first names of its `variables`), or
        None when it computes one (``{{ [name] }}``): then it may read any root."""
        return self._reads

    def render_plain(self, data: dict[str, object]) -> str:
        """Render with roots that are plain data already (as `as_plain` gives them).

        `data` needs only the `roots` the template reads (all when they are None); a root
        it reads and `data` lacks is undefined, as in `render`.

        Raises:
            TemplateRenderError: an undefined variable, a limit, a filter error.
        """
        fast = self._fast
        if fast is not None:
            try:
                return fast(data)
            except _Fallback:
                pass
        try:
            return self._bound.render(data)
        except LiquidError as err:
            raise TemplateRenderError(_render_message(err)) from err
        except _PYTHON_ERRORS as err:  # pragma: no cover - Liquid wraps its filters' errors
            raise TemplateRenderError(f"the template failed: {err}") from err


def template_data(
    *,
    ticket: Mapping[str, object],
    decision: Mapping[str, object],
    sla: Mapping[str, object] | None,
    now: dt.datetime,
) -> dict[str, object]:
    """The data a template sees: the ticket's fields at top level, then `RESERVED_ROOTS`.

    Args:
        ticket: the ticket as plain data (its ``requester`` becomes the ``requester`` root).
        decision: the decision so far, as plain data.
        sla: the decision's SLA object, or None.
        now: the evaluation instant (aware); it becomes an ISO 8601 string.
    """
    data: dict[str, object] = dict(ticket)
    data["ticket"] = ticket
    data["requester"] = ticket.get("requester")
    data["decision"] = decision
    data["sla"] = sla
    data["now"] = now.isoformat()
    return data
