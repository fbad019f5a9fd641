"""Sandboxed Liquid templates: the bodies of replies, notifications and webhooks.

Templates are Liquid (python-liquid 2.x), parsed once by `parse_template` when a rule set is
checked and rendered per ticket by `CompiledTemplate.render`.

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
  it never opens), ``.is_open`` (at ``now``) and ``.timezone``; the engine computes them only
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

import datetime as dt
import enum
import functools
import zoneinfo
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from liquid import BoundTemplate, Environment, RenderContext, StrictDefaultUndefined
from liquid.builtin.filters.misc import date as _liquid_date
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

from routing.diagnostics import Diagnostic
from routing.dsl.ast import SpanMap
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
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise FilterArgumentError(f"local: unknown time zone '{zone}'", token=None) from None


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


def _localised(local: dt.datetime, language: object) -> str:
    """Full date, short time and the zone's short name, in `language` (CLDR via babel)."""
    tag = language if isinstance(language, str) else ""
    # The text depends on the wall time, its offset (the ISO text holds both), the zone
    # (its names) and the language: renders of one run share instants such as a calendar's
    # next opening, and babel takes tens of microseconds per call.
    return _localised_text(local.isoformat(), local.tzinfo, tag, local)


@functools.lru_cache(maxsize=4096)
def _localised_text(_iso: str, _zone: object, language: str, local: dt.datetime) -> str:
    locale = _locale(language)
    zone = local.tzinfo
    date = format_date(local.date(), "full", locale=locale)
    time = format_time(local, "short", tzinfo=zone, locale=locale)
    name = format_time(local, "z", tzinfo=zone, locale=locale)
    if name[:1] in "+-":  # the language has no short name for this zone: GMT+01:00
        name = format_time(local, "OOOO", tzinfo=zone, locale=locale)
    pattern = str(locale.datetime_formats["full"]).replace("'", "")
    return pattern.replace("{1}", date).replace("{0}", f"{time} {name}")


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
    local = _instant(value).astimezone(_zone(zone))
    if language is not _NO_LANGUAGE:
        return _localised(local, language)
    return (
        f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
        f"{local.hour:02d}:{local.minute:02d} ({local.tzname()})"
    )


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


def _plain(value: object, where: str, depth: int) -> object:
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


class TemplateData:
    """Template data shared by the templates rendered for one decision, made plain lazily.

    `CompiledTemplate.render` copies a plain mapping into plain data on every call. Given a
    `TemplateData` instead, it copies only the roots that template reads (its `variables`),
    each root once for all the templates rendered with the same `TemplateData`. The values
    must not change after it is made; a root no template reads is never looked at, so a
    value that is not plain data there is no error.

    Raises:
        TemplateRenderError: (when made) a key of `data` is not a string.
    """

    __slots__ = ("_plain", "_raw")

    def __init__(self, data: Mapping[str, object]) -> None:
        for key in data:
            if not isinstance(key, str):
                raise TemplateRenderError(
                    f"template data at '' has a {type(key).__name__} key, not a string"
                )
        self._raw = data
        self._plain: dict[str, object] = {}

    def select(self, roots: frozenset[str] | None) -> dict[str, object]:
        """Plain data of the given roots (those present), or of every root for None."""
        raw, plain = self._raw, self._plain
        out: dict[str, object] = {}
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_reads", _roots(self.variables))

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
        try:
            return self._bound.render(plain)
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
