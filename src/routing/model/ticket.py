"""The ticket: what the engine reads, built from a plain dict (DESIGN.md section 3).

`Ticket.from_dict(data)` (or `Ticket.from_json(text)` for a JSON line) is the way in from
outside (adapters, the CLI, tests). It is a single pass of pydantic-core over the input; the
few checks written in Python (id, date-times, time zone, requester domain, tags) are plain
functions, and headers are wrapped without copying, so reading a ticket costs about ten
microseconds (benchmarks/bench_ticket_intake.py). A malformed ticket raises `TicketError`
with one message that names every failing field path::

    ticket 'T-1': requester.email: expected a string, found 5; created_at: naive datetime,
    give a time zone offset

Decisions taken here (see the class docstrings):

- `id` accepts an integer and keeps it as its decimal string, because help desk exports
  often number their tickets; every other string field takes strings only.
- `created_at` and `updated_at` are optional (`None`): the engine falls back to `now`.
  When given they must be aware date-times, or ISO 8601 strings with an offset.
- A ticket is immutable. `fields` is a plain dict for speed; treat it as read-only.
"""

from __future__ import annotations

import difflib
import enum
import functools
import json
import math
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    JsonValue,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)
from pydantic_core import CoreSchema, ErrorDetails, PydanticCustomError, core_schema

from routing.errors import TicketError

__all__ = [
    "Attachment",
    "Channel",
    "Headers",
    "Priority",
    "Requester",
    "Status",
    "Ticket",
]

# The error type of every check written here; its message is used as it is.
_ERROR_TYPE: Final = "ticket"


class Channel(enum.StrEnum):
    """Where a ticket came in."""

    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    WEB = "web"
    SOCIAL = "social"
    API = "api"


class Status(enum.StrEnum):
    """Where a ticket is in its life."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(enum.StrEnum):
    """How urgent a ticket is: ordered ``low < normal < high < urgent``.

    Members are strings (``Priority.HIGH == "high"``, hashable like ``"high"``), but `<`, `<=`,
    `>` and `>=` compare by `rank`, and only with other priorities: comparing with a plain
    string raises `TypeError` rather than silently comparing letters.
    """

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for urgent."""
        return _PRIORITY_RANK[self]

    def _rank_of(self, other: object, op: str) -> int:
        if isinstance(other, Priority):
            return _PRIORITY_RANK[other]
        raise TypeError(
            f"'{op}' not supported between instances of 'Priority' and {type(other).__name__!r}"
        )

    def __lt__(self, other: str) -> bool:
        return _PRIORITY_RANK[self] < self._rank_of(other, "<")

    def __le__(self, other: str) -> bool:
        return _PRIORITY_RANK[self] <= self._rank_of(other, "<=")

    def __gt__(self, other: str) -> bool:
        return _PRIORITY_RANK[self] > self._rank_of(other, ">")

    def __ge__(self, other: str) -> bool:
        return _PRIORITY_RANK[self] >= self._rank_of(other, ">=")


_PRIORITY_RANK: Final[dict[Priority, int]] = {p: i for i, p in enumerate(Priority)}


class Headers(Mapping[str, str]):
    """An immutable mapping of header names to values, looked up without regard to case.

    ``headers["auto-submitted"]`` finds ``Auto-Submitted``; iteration, `items()` and
    `to_dict()` keep the names exactly as given. Equality ignores the case of names, like
    lookup. When two given names differ only in case, lookups see the later value (both
    are kept for output).

    The case-folded index is built on the first lookup, so tickets whose headers no rule
    reads cost nothing extra at intake. Compiled rules read a header whose name they fold
    at compile time as ``(headers._folded or headers._index()).get(name)``: no Python call
    once the index is built (`routing.compiler.codegen`).
    """

    __slots__ = ("_folded", "_pairs")

    _pairs: dict[str, str]  # as given
    _folded: dict[str, str] | None  # casefolded name -> value, built on first lookup

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = dict(headers)
        for name, value in pairs.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(
                    f"header names and values must be strings, found {name!r}: {value!r}"
                )
        self._pairs = pairs
        self._folded = None

    @classmethod
    def _from_validated(cls, pairs: dict[str, str]) -> Headers:
        """Wrap a fresh dict whose keys and values are known to be strings (from pydantic)."""
        headers = cls.__new__(cls)
        headers._pairs = pairs
        headers._folded = None
        return headers

    def _index(self) -> dict[str, str]:
        folded = self._folded
        if folded is None:
            folded = self._folded = {name.casefold(): v for name, v in self._pairs.items()}
        return folded

    def __getitem__(self, name: str) -> str:
        try:
            return self._index()[name.casefold()]
        except (AttributeError, KeyError):
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.casefold() in self._index()

    def get(self, name: str, default: Any = None) -> Any:
        """The value of header `name` (any case), or `default` when it is absent."""
        if not isinstance(name, str):
            return default
        return self._index().get(name.casefold(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._index() == other._index()
        if isinstance(other, Mapping):
            try:
                return self == Headers(other)
            except TypeError:
                return False
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._index().items()))

    def __repr__(self) -> str:
        return f"Headers({self._pairs!r})"

    def to_dict(self) -> dict[str, str]:
        """The headers as a new plain dict, names as given."""
        return dict(self._pairs)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # A dict of str -> str (any Mapping, a Headers included, in Python mode), then this
        # class; serialized back to a plain dict.
        return core_schema.no_info_after_validator_function(
            cls._from_validated,
            core_schema.dict_schema(core_schema.str_schema(), core_schema.str_schema()),
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls.to_dict, return_schema=core_schema.dict_schema()
            ),
        )


_EMPTY_HEADERS: Final = Headers()


# --- plain-function validators (one Python call each; no wrap chains) ------------------------


def _id_input(value: object) -> object:
    """Numeric ids from exports become their decimal string; anything else goes on as is."""
    if type(value) is int:
        return str(value)
    if value == "":
        raise PydanticCustomError(_ERROR_TYPE, "expected a non-empty string, found ''")
    return value


def _datetime_input(value: object) -> object:
    """Refuse numbers: epoch seconds and epoch milliseconds cannot be told apart safely."""
    if type(value) is int or type(value) is float:
        raise PydanticCustomError(
            _ERROR_TYPE, f"expected an ISO 8601 date-time with offset, found {_show(value)}"
        )
    return value


@functools.cache
def _zone_names() -> frozenset[str]:
    """Every IANA zone name known here (read once per process, on first use)."""
    return frozenset(zoneinfo.available_timezones())


def _check_timezone(value: str) -> str:
    if value in _zone_names():
        return value
    raise PydanticCustomError(
        _ERROR_TYPE, f"expected an IANA time zone such as 'Europe/Berlin', found {_show(value)}"
    )


def _normalize_tags(tags: frozenset[str]) -> frozenset[str]:
    if not tags:  # most tickets: nothing to normalize
        return tags
    normalized = frozenset([tag.strip().lower() for tag in tags])
    if "" in normalized:
        raise PydanticCustomError(_ERROR_TYPE, "empty tag")
    return normalized


def _finite_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Refuse NaN and the infinities anywhere in `fields`: JSON has no such numbers, and a
    decision that carried one would be written as ``NaN``, which no JSON reader takes.
    (The JSON reader takes ``NaN``, ``Infinity`` and ``1e999``, as Python's ``json`` does.)
    Strings, the common values, cost one type test each."""
    for value in fields.values():
        kind = type(value)
        if kind is str or (kind is float and value - value == 0.0):  # NaN - NaN, inf - inf: NaN
            continue
        if kind is float or kind is dict or kind is list:
            break
    else:
        return fields
    for key, value in fields.items():  # the slow way, to say where
        where = _not_finite(value, key)
        if where is not None:
            path, found = where
            raise PydanticCustomError(
                _ERROR_TYPE,
                "expected a finite number, found {found}",
                {"found": found, "subpath": path},
            )
    return fields


def _not_finite(value: Any, path: str) -> tuple[str, str] | None:
    """(the path below `fields`, the number) of the first NaN or infinity in `value`."""
    kind = type(value)
    if kind is float:
        return None if value - value == 0.0 else (path, str(value))  # NaN - NaN, inf - inf: NaN
    if kind is dict:
        for key, item in value.items():
            found = _not_finite(item, f"{path}.{key}")
            if found is not None:
                return found
    elif kind is list:
        for i, item in enumerate(value):
            found = _not_finite(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


class _JsonFields:
    """`Ticket.fields` as read from JSON text: the values as parsed, with no second look
    but for numbers that JSON cannot write (`_finite_fields`).

    Every value parsed from JSON text is a valid `JsonValue`, so in JSON mode the check of
    each value (a tagged union per value, nested) can only give back what it was given;
    ``dict[str, Any]`` gives the same dict without it. From Python objects (`from_dict`) the
    values are checked as `JsonValue` as before. tests/model/test_ticket.py compares the two.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            _finite_fields,
            core_schema.json_or_python_schema(
                json_schema=core_schema.dict_schema(
                    core_schema.str_schema(), core_schema.any_schema()
                ),
                python_schema=handler(source),
            ),
        )


_TicketId = Annotated[str, BeforeValidator(_id_input)]
_Timestamp = Annotated[AwareDatetime | None, BeforeValidator(_datetime_input)]
_TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
_Tags = Annotated[frozenset[str], AfterValidator(_normalize_tags)]


class Requester(BaseModel):
    """The customer who opened the ticket.

    `domain` is the lower-cased part of `email` after its last ``@``, unless given explicitly
    (then it is lower-cased as given). `timezone` is an IANA zone name such as
    ``Europe/Berlin``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str | None = None
    name: str | None = None
    # Declared after `email` so its validator sees the validated email.
    domain: str | None = Field(default=None, validate_default=True)
    language: str | None = None
    timezone: _TimeZoneName | None = None
    organization: str | None = None

    @field_validator("domain", mode="after")
    @classmethod
    def _derive_domain(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            return value.lower()
        email = info.data.get("email")
        if email is None:
            return None
        _, at, domain = email.rpartition("@")
        domain = domain.strip().lower()
        return domain if at and domain else None


class Attachment(BaseModel):
    """A file attached to a ticket (its metadata; the engine never reads the content)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    filename: str
    content_type: str
    size: StrictInt = Field(ge=0)


_EMPTY_REQUESTER: Final = Requester()


class Ticket(BaseModel):
    """A help desk ticket (DESIGN.md section 3). Immutable; build it with `from_dict`.

    - `id` is required; an integer id is accepted and kept as its decimal string.
    - `tags` are stripped and lower-cased; give them as a list, tuple or set of strings.
    - `headers` look names up without regard to case (`Headers`).
    - `created_at` / `updated_at` are aware date-times (or ISO 8601 strings with an offset),
      or `None` when unknown: the engine then uses its `now`.
    - `fields` holds custom fields as plain JSON values; date-times in it stay strings, the
      engine converts them to the types the rule files declare.
    - `text` is ``subject + "\\n" + body`` (a property; not part of `to_dict`).

    A ticket compares equal to another with the same field values. It hashes by `id` only,
    since `fields` is a dict.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _TicketId
    subject: str = ""
    body: str = ""
    channel: Channel = Channel.EMAIL
    status: Status = Status.NEW
    priority: Priority = Priority.NORMAL
    queue: str | None = None
    assignee: str | None = None
    requester: Requester = _EMPTY_REQUESTER
    tags: _Tags = frozenset()
    headers: Headers = _EMPTY_HEADERS
    attachments: tuple[Attachment, ...] = ()
    created_at: _Timestamp = None
    updated_at: _Timestamp = None
    fields: Annotated[dict[str, JsonValue], _JsonFields] = Field(default_factory=dict)
    spam: StrictBool = False
    spam_score: StrictFloat = Field(default=0.0, allow_inf_nan=False)

    def __hash__(self) -> int:
        return hash((Ticket, self.id))

    @property
    def text(self) -> str:
        """The subject and the body, joined by a newline: what `mentions` and `matches` read."""
        return self.subject + "\n" + self.body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ticket:
        """Validate a plain dict (as read from JSON) into a ticket.

        Raises:
            TicketError: one message naming every failing field path and why.
        """
        try:
            return cls.__pydantic_validator__.validate_python(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise TicketError(_describe_errors(data, exc.errors(include_url=False))) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Ticket:
        """Parse and validate one JSON object (a JSON Lines line) into a ticket.

        The same as ``Ticket.from_dict(json.loads(text))``, and faster: pydantic-core reads
        the JSON and validates in one pass.

        Raises:
            TicketError: the text is not JSON, or as `from_dict`.
        """
        try:
            return cls.__pydantic_validator__.validate_json(text)  # type: ignore[no-any-return]
        except ValidationError as exc:
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):  # not JSON, or nested beyond json's reach
                data = None
            raise TicketError(_describe_errors(data, exc.errors(include_url=False))) from None

    def to_dict(self) -> dict[str, Any]:
        """The ticket as plain JSON values: ISO 8601 times with offset, sorted tags.

        ``Ticket.from_dict(t.to_dict()) == t`` for every ticket.
        """
        return self.model_dump(mode="json")

    @field_serializer("tags", when_used="json")
    def _tags_json(self, tags: frozenset[str]) -> list[str]:
        return sorted(tags)

    @field_serializer("created_at", "updated_at", when_used="json-unless-none")
    def _time_json(self, value: datetime) -> str:
        return value.isoformat()


# --- error messages ---------------------------------------------------------------------------

_MAX_SHOWN: Final = 40

# The enum each enum-typed field takes.
_ENUM_FIELDS: Final[dict[str, type[enum.StrEnum]]] = {
    "channel": Channel,
    "status": Status,
    "priority": Priority,
}

_EXPECTED: Final[dict[str, str]] = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "float_type": "a number",
    "dict_type": "an object",
    "model_type": "an object",
    "tuple_type": "a list",
    "frozen_set_type": "a list of strings",
    "datetime_type": "an ISO 8601 date-time with offset",
    "datetime_parsing": "an ISO 8601 date-time with offset",
    "datetime_from_date_parsing": "an ISO 8601 date-time with offset",
    "datetime_object_invalid": "an ISO 8601 date-time with offset",
}


def _describe_errors(data: object, errors: list[ErrorDetails]) -> str:
    """One message for a ticket that failed validation: ``ticket 'ID': path: reason; ...``."""
    ticket_id = data.get("id") if isinstance(data, Mapping) else None
    if (type(ticket_id) is str and ticket_id) or type(ticket_id) is int:
        head = f"ticket {str(ticket_id)!r}"
    else:
        head = "ticket"
    parts = []
    for error in errors:
        path = _path(error["loc"])
        subpath = error.get("ctx", {}).get("subpath")
        if subpath:  # a place inside a field that its validator names (`_finite_fields`)
            path = f"{path}.{subpath}" if path else subpath
        reason = _reason(error)
        parts.append(f"{path}: {reason}" if path else reason)
    return f"{head}: " + "; ".join(parts)


def _path(loc: tuple[int | str, ...]) -> str:
    if loc[:1] == ("fields",) and len(loc) > 2:
        # Inside a JSON value pydantic names the union member ('dict', 'list') before each
        # key or index: fields.x.dict.y.list.0 -> fields.x.y[0].
        loc = loc[:2] + loc[3::2]
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _reason(error: ErrorDetails) -> str:
    kind = error["type"]
    found = error["input"]
    ctx = error.get("ctx", {})
    if kind == _ERROR_TYPE:
        return error["msg"]
    if kind == "string_type" and error["loc"] == ("id",):
        return f"expected a string or an integer, found {_show(found)}"
    if kind == "json_invalid":
        return f"not JSON: {ctx.get('error', error['msg'])}"
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        return "unknown field" + _did_you_mean(error["loc"])
    if kind == "timezone_aware":
        return "naive datetime, give a time zone offset"
    if kind == "enum":
        field = str(error["loc"][-1])
        values = ", ".join(str(m.value) for m in _ENUM_FIELDS[field])
        return f"expected a {field} ({values}), found {_show(found)}"
    if kind == "greater_than_equal":
        return f"expected a number >= {ctx['ge']}, found {_show(found)}"
    if kind == "invalid-json-value":
        return f"expected a JSON value, found {_show(found)}"
    if kind == "finite_number":
        return f"expected a finite number, found {_show(found)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {_show(found)}"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}, found {_show(found)}"


def _did_you_mean(loc: tuple[int | str, ...]) -> str:
    name = loc[-1]
    if len(loc) == 1:
        known: Iterable[str] = Ticket.model_fields
    elif len(loc) == 2 and loc[0] == "requester":
        known = Requester.model_fields
    elif len(loc) == 3 and loc[0] == "attachments":
        known = Attachment.model_fields
    else:  # pragma: no cover - every model of the ticket is listed above
        return ""
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _show(value: object) -> str:
    """A value as the JSON it most likely came from, short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if len(value) > _MAX_SHOWN:
            value = value[: _MAX_SHOWN - 3].rstrip() + "..."
        return repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a value of type {type(value).__name__!r}"
