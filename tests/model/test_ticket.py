"""The ticket model: intake from dicts, exact error messages, to_dict, Priority and Headers."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from pydantic import ValidationError
from tests.model.strategies_ticket import ticket_dicts, tickets

import routing.model
from routing.errors import TicketError
from routing.model import Attachment, Channel, Headers, Priority, Requester, Status, Ticket

EMPTY_REQUESTER: dict[str, Any] = {
    "email": None,
    "name": None,
    "domain": None,
    "language": None,
    "timezone": None,
    "organization": None,
}


def dumped(**changes: Any) -> dict[str, Any]:
    """The to_dict() of a ticket with every field at its default, then `changes`."""
    base: dict[str, Any] = {
        "id": "T-1",
        "subject": "",
        "body": "",
        "channel": "email",
        "status": "new",
        "priority": "normal",
        "queue": None,
        "assignee": None,
        "requester": EMPTY_REQUESTER,
        "tags": [],
        "headers": {},
        "attachments": [],
        "created_at": None,
        "updated_at": None,
        "fields": {},
        "spam": False,
        "spam_score": 0.0,
    }
    return base | changes


class _BrokenTz(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("no offset")

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> None:
        return None


def _looping_fields() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


# --- valid tickets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Valid:
    note: str
    data: dict[str, Any]
    want: dict[str, Any]


VALID = (
    Valid("only an id", {"id": "T-1"}, dumped()),
    Valid("an integer id becomes its decimal string", {"id": 104233}, dumped(id="104233")),
    Valid(
        "every field given",
        {
            "id": "T-1",
            "subject": "Checkout down",
            "body": "Error 502",
            "channel": "chat",
            "status": "on_hold",
            "priority": "urgent",
            "queue": "tech-2",
            "assignee": "ann@example.com",
            "requester": {
                "email": "Bob@Example.COM",
                "name": "Bob",
                "language": "en",
                "timezone": "Europe/Berlin",
                "organization": "BigCorp",
            },
            "tags": ["outage", "vip"],
            "headers": {"Auto-Submitted": "no", "List-Id": "<x.example.com>"},
            "attachments": [{"filename": "a.png", "content_type": "image/png", "size": 10}],
            "created_at": "2026-11-23T09:00:00+01:00",
            "updated_at": "2026-11-23T09:30:00.250000-05:30",
            "fields": {"plan": "enterprise", "seats": 40, "renewal": "2027-01-01T00:00:00Z"},
            "spam": True,
            "spam_score": 0.75,
        },
        dumped(
            subject="Checkout down",
            body="Error 502",
            channel="chat",
            status="on_hold",
            priority="urgent",
            queue="tech-2",
            assignee="ann@example.com",
            requester={
                "email": "Bob@Example.COM",
                "name": "Bob",
                "domain": "example.com",
                "language": "en",
                "timezone": "Europe/Berlin",
                "organization": "BigCorp",
            },
            tags=["outage", "vip"],
            headers={"Auto-Submitted": "no", "List-Id": "<x.example.com>"},
            attachments=[{"filename": "a.png", "content_type": "image/png", "size": 10}],
            created_at="2026-11-23T09:00:00+01:00",
            updated_at="2026-11-23T09:30:00.250000-05:30",
            fields={"plan": "enterprise", "seats": 40, "renewal": "2027-01-01T00:00:00Z"},
            spam=True,
            spam_score=0.75,
        ),
    ),
    Valid(
        "tags are stripped, lower-cased, de-duplicated and sorted",
        {"id": "T-1", "tags": [" VIP", "Outage\t", "vip", "b2b"]},
        dumped(tags=["b2b", "outage", "vip"]),
    ),
    Valid("tags may be a tuple", {"id": "T-1", "tags": ("b", "a")}, dumped(tags=["a", "b"])),
    Valid("tags may be a set", {"id": "T-1", "tags": {"B"}}, dumped(tags=["b"])),
    Valid(
        "a Z suffix is written as +00:00",
        {"id": "T-1", "created_at": "2026-11-23T09:00:00Z"},
        dumped(created_at="2026-11-23T09:00:00+00:00"),
    ),
    Valid(
        "a datetime in an IANA zone keeps its offset",
        {"id": "T-1", "created_at": datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))},
        dumped(created_at="2026-07-01T12:00:00+02:00"),
    ),
    Valid(
        "enum members are accepted as well as their values",
        {"id": "T-1", "channel": Channel.API, "status": Status.SOLVED, "priority": Priority.LOW},
        dumped(channel="api", status="solved", priority="low"),
    ),
    Valid(
        "an integer spam score becomes a float",
        {"id": "T-1", "spam_score": 1},
        dumped(spam_score=1.0),
    ),
    Valid(
        "a Headers value is accepted",
        {"id": "T-1", "headers": Headers({"Precedence": "bulk"})},
        dumped(headers={"Precedence": "bulk"}),
    ),
    Valid(
        "header names that differ only in case are both kept",
        {"id": "T-1", "headers": {"X-A": "1", "x-a": "2"}},
        dumped(headers={"X-A": "1", "x-a": "2"}),
    ),
)


@pytest.mark.parametrize("case", VALID, ids=[c.note for c in VALID])
def test_ticket_from_dict_to_dict(case: Valid) -> None:
    """A valid dict reads into a ticket whose to_dict is the exact normalized dict."""
    assert Ticket.from_dict(case.data).to_dict() == case.want


@pytest.mark.parametrize("case", VALID, ids=[c.note for c in VALID])
def test_ticket_model_validate_agrees_with_from_dict(case: Valid) -> None:
    """pydantic's own entry point gives the same ticket as from_dict."""
    assert Ticket.model_validate(case.data) == Ticket.from_dict(case.data)


# --- invalid tickets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    note: str
    data: Any
    message: str


INVALID = (
    Invalid(
        "naive datetime",
        {"id": "T-1", "created_at": "2026-11-23T09:00:00"},
        "ticket 'T-1': created_at: naive datetime, give a time zone offset",
    ),
    Invalid(
        "naive datetime object",
        {"id": "T-1", "updated_at": datetime(2026, 11, 23, 9, 0)},
        "ticket 'T-1': updated_at: naive datetime, give a time zone offset",
    ),
    Invalid(
        "a date without a time is naive",
        {"id": "T-1", "created_at": "2026-11-23"},
        "ticket 'T-1': created_at: naive datetime, give a time zone offset",
    ),
    Invalid(
        "unknown channel",
        {"id": "T-1", "channel": "fax"},
        "ticket 'T-1': channel: expected a channel (email, chat, phone, web, social, api), "
        "found 'fax'",
    ),
    Invalid(
        "unknown status",
        {"id": "T-1", "status": "Open"},
        "ticket 'T-1': status: expected a status (new, open, pending, on_hold, solved, closed), "
        "found 'Open'",
    ),
    Invalid(
        "bad priority",
        {"id": "T-1", "priority": "hihg"},
        "ticket 'T-1': priority: expected a priority (low, normal, high, urgent), found 'hihg'",
    ),
    Invalid(
        "wrong type for a string field",
        {"id": "T-1", "subject": 5},
        "ticket 'T-1': subject: expected a string, found 5",
    ),
    Invalid(
        "tags given as one string",
        {"id": "T-1", "tags": "x"},
        "ticket 'T-1': tags: expected a list of strings, found 'x'",
    ),
    Invalid(
        "a tag that is not a string",
        {"id": "T-1", "tags": ["a", 1]},
        "ticket 'T-1': tags[1]: expected a string, found 1",
    ),
    Invalid(
        "an empty tag",
        {"id": "T-1", "tags": ["a", "  "]},
        "ticket 'T-1': tags: empty tag",
    ),
    Invalid(
        "extra key close to a field name",
        {"id": "T-1", "requestor": {}},
        "ticket 'T-1': requestor: unknown field (did you mean 'requester'?)",
    ),
    Invalid(
        "extra key far from every field name",
        {"id": "T-1", "colour": "red"},
        "ticket 'T-1': colour: unknown field",
    ),
    Invalid(
        "extra requester key",
        {"id": "T-1", "requester": {"emial": "a@b.c"}},
        "ticket 'T-1': requester.emial: unknown field (did you mean 'email'?)",
    ),
    Invalid(
        "extra attachment key",
        {
            "id": "T-1",
            "attachments": [{"filename": "a", "content_type": "b", "size": 1, "filenam": "a"}],
        },
        "ticket 'T-1': attachments[0].filenam: unknown field (did you mean 'filename'?)",
    ),
    Invalid(
        "unknown timezone",
        {"id": "T-1", "requester": {"timezone": "Mars/Olympus"}},
        "ticket 'T-1': requester.timezone: expected an IANA time zone such as 'Europe/Berlin', "
        "found 'Mars/Olympus'",
    ),
    Invalid(
        "several failures in one message, in field order",
        {"id": "T-1", "requester": {"email": 5}, "created_at": "2026-11-23T09:00:00"},
        "ticket 'T-1': requester.email: expected a string, found 5; "
        "created_at: naive datetime, give a time zone offset",
    ),
    Invalid(
        "null for a string field",
        {"id": "T-1", "subject": None},
        "ticket 'T-1': subject: expected a string, found null",
    ),
    Invalid("missing id", {"subject": "hi"}, "ticket: id: required field missing"),
    Invalid("empty id", {"id": ""}, "ticket: id: expected a non-empty string, found ''"),
    Invalid(
        "boolean id",
        {"id": True},
        "ticket: id: expected a string or an integer, found true",
    ),
    Invalid("not an object", ["T-1"], "ticket: expected an object, found a list"),
    Invalid(
        "integer id names the ticket",
        {"id": 7, "spam": "yes"},
        "ticket '7': spam: expected true or false, found 'yes'",
    ),
    Invalid(
        "epoch number for a date-time",
        {"id": "T-1", "created_at": 1700000000},
        "ticket 'T-1': created_at: expected an ISO 8601 date-time with offset, found 1700000000",
    ),
    Invalid(
        "unparseable date-time",
        {"id": "T-1", "created_at": "yesterday"},
        "ticket 'T-1': created_at: expected an ISO 8601 date-time with offset, found 'yesterday'",
    ),
    Invalid(
        "boolean date-time",
        {"id": "T-1", "created_at": False},
        "ticket 'T-1': created_at: expected an ISO 8601 date-time with offset, found false",
    ),
    Invalid(
        "datetime whose zone fails",
        {"id": "T-1", "created_at": datetime(2026, 1, 1, tzinfo=_BrokenTz())},
        "ticket 'T-1': created_at: expected an ISO 8601 date-time with offset, "
        "found a value of type 'datetime'",
    ),
    Invalid(
        "spam score not a number",
        {"id": "T-1", "spam_score": "0.5"},
        "ticket 'T-1': spam_score: expected a number, found '0.5'",
    ),
    Invalid(
        "spam score not finite",
        {"id": "T-1", "spam_score": float("nan")},
        "ticket 'T-1': spam_score: expected a finite number, found nan",
    ),
    Invalid(
        "attachments not a list",
        {"id": "T-1", "attachments": 5},
        "ticket 'T-1': attachments: expected a list, found 5",
    ),
    Invalid(
        "negative attachment size and missing keys",
        {"id": "T-1", "attachments": [{"size": -1}]},
        "ticket 'T-1': attachments[0].filename: required field missing; "
        "attachments[0].content_type: required field missing; "
        "attachments[0].size: expected a number >= 0, found -1",
    ),
    Invalid(
        "fractional attachment size",
        {"id": "T-1", "attachments": [{"filename": "a", "content_type": "b", "size": 1.5}]},
        "ticket 'T-1': attachments[0].size: expected an integer, found 1.5",
    ),
    Invalid(
        "requester not an object",
        {"id": "T-1", "requester": "bob@example.com"},
        "ticket 'T-1': requester: expected an object, found 'bob@example.com'",
    ),
    Invalid(
        "headers not an object",
        {"id": "T-1", "headers": [["A", "1"]]},
        "ticket 'T-1': headers: expected an object, found a list",
    ),
    Invalid(
        "header value not a string",
        {"id": "T-1", "headers": {"X-Count": 3}},
        "ticket 'T-1': headers.X-Count: expected a string, found 3",
    ),
    Invalid(
        "custom field value not JSON, deep inside",
        {"id": "T-1", "fields": {"x": {"y": [1, {"z": {1, 2}}]}}},
        "ticket 'T-1': fields.x.y[1].z: expected a JSON value, found a value of type 'set'",
    ),
    Invalid(
        "custom fields that contain themselves",
        {"id": "T-1", "fields": _looping_fields()},
        "ticket 'T-1': fields.self.self: recursion error - cyclic reference detected, "
        "found an object",
    ),
    Invalid(
        "an object where a string belongs",
        {"id": "T-1", "queue": {"name": "x"}},
        "ticket 'T-1': queue: expected a string, found an object",
    ),
    Invalid(
        "a NaN in a custom field",
        {"id": "T-1", "fields": {"plan": "pro", "mrr": float("nan")}},
        "ticket 'T-1': fields.mrr: expected a finite number, found nan",
    ),
    Invalid(
        "an infinity deep in a custom field",
        {"id": "T-1", "fields": {"seats": [1, {"max": float("-inf")}]}},
        "ticket 'T-1': fields.seats[1].max: expected a finite number, found -inf",
    ),
    Invalid(
        "long values are shortened",
        {"id": "T-1", "channel": "a very long channel name that nobody would ever use"},
        "ticket 'T-1': channel: expected a channel (email, chat, phone, web, social, api), "
        "found 'a very long channel name that nobody...'",
    ),
)


@pytest.mark.parametrize("case", INVALID, ids=[c.note for c in INVALID])
def test_ticket_from_dict_error_message(case: Invalid) -> None:
    """An invalid dict raises TicketError whose one message names each failing path."""
    with pytest.raises(TicketError) as caught:
        Ticket.from_dict(case.data)
    assert str(caught.value) == case.message


def _is_json(data: object) -> bool:
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


JSON_INVALID = tuple(c for c in INVALID if _is_json(c.data))


@pytest.mark.parametrize("case", JSON_INVALID, ids=[c.note for c in JSON_INVALID])
def test_ticket_from_json_error_message(case: Invalid) -> None:
    """Reading the same invalid ticket as JSON text gives the very same message."""
    with pytest.raises(TicketError) as caught:
        Ticket.from_json(json.dumps(case.data))
    assert str(caught.value) == case.message


@dataclass(frozen=True)
class BadJson:
    note: str
    text: str | bytes
    message: str


BAD_JSON = (
    BadJson(
        "truncated",
        '{"id": "T-1", "subject": "x"',
        "ticket: not JSON: EOF while parsing an object at line 1 column 28",
    ),
    BadJson("empty", b"", "ticket: not JSON: EOF while parsing a value at line 1 column 0"),
    BadJson(
        # JSON has no NaN, but the reader takes it as Python's json does: refused after
        "a NaN token in a custom field",
        '{"id": "T-1", "fields": {"mrr": NaN}}',
        "ticket 'T-1': fields.mrr: expected a finite number, found nan",
    ),
    BadJson(
        "a number too large for a float in a custom field",
        '{"id": "T-1", "fields": {"quota": {"max": 1e999}}}',
        "ticket 'T-1': fields.quota.max: expected a finite number, found inf",
    ),
    BadJson(
        "a JSON number for a date-time",
        '{"id": 9, "created_at": 1.5}',
        "ticket '9': created_at: expected an ISO 8601 date-time with offset, found 1.5",
    ),
)


@pytest.mark.parametrize("case", BAD_JSON, ids=[c.note for c in BAD_JSON])
def test_ticket_from_json_not_json(case: BadJson) -> None:
    """Text that is not one JSON object raises TicketError saying where parsing stopped."""
    with pytest.raises(TicketError) as caught:
        Ticket.from_json(case.text)
    assert str(caught.value) == case.message


# --- requester, text, identity -----------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    note: str
    requester: dict[str, Any]
    domain: str | None


DOMAINS = (
    Domain("derived and lower-cased", {"email": "Bob@Example.COM"}, "example.com"),
    Domain("after the last @", {"email": '"a@b"@Mail.Example.org'}, "mail.example.org"),
    Domain("explicit domain wins", {"email": "a@x.com", "domain": "BigCorp.COM"}, "bigcorp.com"),
    Domain("no email, no domain", {"name": "Bob"}, None),
    Domain("an email without @ has no domain", {"email": "bob"}, None),
    Domain("an email ending in @ has no domain", {"email": "bob@"}, None),
)


@pytest.mark.parametrize("case", DOMAINS, ids=[c.note for c in DOMAINS])
def test_requester_domain(case: Domain) -> None:
    """The requester's domain comes from the email unless given, always lower-cased."""
    assert Ticket.from_dict({"id": "T-1", "requester": case.requester}).requester.domain == (
        case.domain
    )


@dataclass(frozen=True)
class Text:
    note: str
    data: dict[str, Any]
    text: str


TEXTS = (
    Text(
        "subject and body",
        {"subject": "Refund", "body": "Please refund."},
        "Refund\nPlease refund.",
    ),
    Text("no body", {"subject": "Refund"}, "Refund\n"),
    Text("neither", {}, "\n"),
)


@pytest.mark.parametrize("case", TEXTS, ids=[c.note for c in TEXTS])
def test_ticket_text(case: Text) -> None:
    """`text` is the subject, a newline and the body."""
    assert Ticket.from_dict({"id": "T-1"} | case.data).text == case.text


def test_ticket_is_frozen() -> None:
    """A ticket cannot be changed after it is read."""
    ticket = Ticket.from_dict({"id": "T-1"})
    with pytest.raises(ValidationError, match="frozen_instance"):
        ticket.subject = "changed"  # type: ignore[misc]


def test_ticket_hashes_by_id() -> None:
    """Tickets are hashable although `fields` is a dict; equal tickets hash alike."""
    a = Ticket.from_dict({"id": "T-1", "fields": {"a": [1]}})
    b = Ticket.from_dict({"id": "T-1", "fields": {"a": [1]}})
    assert (a == b, hash(a) == hash(b), len({a, b})) == (True, True, 1)


def test_ticket_model_validate_keeps_a_ticket() -> None:
    """Validating a ticket gives back that very ticket (no copy)."""
    ticket = Ticket.from_dict({"id": "T-1", "tags": ["a"]})
    assert Ticket.from_dict(ticket) is ticket  # type: ignore[arg-type]


def test_ticket_nested_models_are_the_public_types() -> None:
    """Nested values are the public model types, with their defaults shared safely."""
    ticket = Ticket.from_dict(
        {"id": "T-1", "attachments": [{"filename": "a", "content_type": "b", "size": 0}]}
    )
    assert (ticket.requester, ticket.attachments, ticket.headers) == (
        Requester(),
        (Attachment(filename="a", content_type="b", size=0),),
        Headers(),
    )


def test_model_exports() -> None:
    """routing.model exports exactly the ticket's public names."""
    assert routing.model.__all__ == [
        "Attachment",
        "Channel",
        "Headers",
        "Priority",
        "Requester",
        "Status",
        "Ticket",
    ]


# --- enums -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    note: str
    op: Callable[[Any, Any], bool]
    left: Priority
    right: Priority
    want: bool


COMPARES = (
    Compare("low < normal", operator.lt, Priority.LOW, Priority.NORMAL, True),
    Compare("high < urgent", operator.lt, Priority.HIGH, Priority.URGENT, True),
    Compare("urgent < low is false", operator.lt, Priority.URGENT, Priority.LOW, False),
    Compare(
        "high > normal although 'high' < 'normal'",
        operator.gt,
        Priority.HIGH,
        Priority.NORMAL,
        True,
    ),
    Compare("normal <= normal", operator.le, Priority.NORMAL, Priority.NORMAL, True),
    Compare("urgent <= high is false", operator.le, Priority.URGENT, Priority.HIGH, False),
    Compare("low >= low", operator.ge, Priority.LOW, Priority.LOW, True),
    Compare("low >= high is false", operator.ge, Priority.LOW, Priority.HIGH, False),
)


@pytest.mark.parametrize("case", COMPARES, ids=[c.note for c in COMPARES])
def test_priority_order(case: Compare) -> None:
    """Priorities compare by rank, not alphabetically."""
    assert case.op(case.left, case.right) is case.want


def test_priority_sort_rank_and_strings() -> None:
    """Priorities sort by rank, expose it, and stay plain hashable strings."""
    got = (
        sorted([Priority.URGENT, Priority.LOW, Priority.HIGH, Priority.NORMAL]),
        max(Priority),
        [p.rank for p in Priority],
        [p == p.value for p in Priority],
        {"high": 1}[Priority.HIGH],
        str(Priority.HIGH),
        json.dumps(Priority.HIGH),
    )
    assert got == (
        [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT],
        Priority.URGENT,
        [0, 1, 2, 3],
        [True, True, True, True],
        1,
        "high",
        '"high"',
    )


@dataclass(frozen=True)
class BadCompare:
    note: str
    compare: Callable[[], object]
    message: str


BAD_COMPARES = (
    BadCompare(
        "priority < str",
        lambda: Priority.LOW < "normal",
        "'<' not supported between instances of 'Priority' and 'str'",
    ),
    BadCompare(
        "str > priority is reflected",
        lambda: operator.gt("normal", Priority.LOW),
        "'<' not supported between instances of 'Priority' and 'str'",
    ),
    BadCompare(
        "priority <= int",
        lambda: operator.le(Priority.LOW, 1),
        "'<=' not supported between instances of 'Priority' and 'int'",
    ),
    BadCompare(
        "priority > str",
        lambda: Priority.LOW > "a",
        "'>' not supported between instances of 'Priority' and 'str'",
    ),
    BadCompare(
        "priority >= str",
        lambda: Priority.LOW >= "a",
        "'>=' not supported between instances of 'Priority' and 'str'",
    ),
)


@pytest.mark.parametrize("case", BAD_COMPARES, ids=[c.note for c in BAD_COMPARES])
def test_priority_does_not_compare_with_other_types(case: BadCompare) -> None:
    """Ordering a priority against a plain string is a TypeError, never letter order."""
    with pytest.raises(TypeError) as caught:
        case.compare()
    assert str(caught.value) == case.message


def test_enum_values() -> None:
    """The enums are lower-case strings, in the order DESIGN.md lists them."""
    assert ([c.value for c in Channel], [s.value for s in Status]) == (
        ["email", "chat", "phone", "web", "social", "api"],
        ["new", "open", "pending", "on_hold", "solved", "closed"],
    )


# --- headers -----------------------------------------------------------------------------------

HEADERS = Headers({"Auto-Submitted": "auto-replied", "List-Id": "<news.example.com>"})


@dataclass(frozen=True)
class Lookup:
    note: str
    look: Callable[[Headers], object]
    want: object


LOOKUPS = (
    Lookup("exact case", lambda h: h["Auto-Submitted"], "auto-replied"),
    Lookup("lower case", lambda h: h["auto-submitted"], "auto-replied"),
    Lookup("upper case", lambda h: h["LIST-ID"], "<news.example.com>"),
    Lookup("get of a present name", lambda h: h.get("list-id"), "<news.example.com>"),
    Lookup("get of a missing name", lambda h: h.get("Precedence"), None),
    Lookup("get with a default", lambda h: h.get("Precedence", "-"), "-"),
    Lookup("get of a non-string", lambda h: h.get(5), None),  # type: ignore[arg-type]
    Lookup(
        "in, any case",
        lambda h: ("AUTO-SUBMITTED" in h, "Precedence" in h, operator.contains(h, 5)),
        (True, False, False),
    ),
    Lookup("names as given", list, ["Auto-Submitted", "List-Id"]),
    Lookup(
        "items as given",
        lambda h: list(h.items()),
        [("Auto-Submitted", "auto-replied"), ("List-Id", "<news.example.com>")],
    ),
    Lookup("len", len, 2),
    Lookup(
        "to_dict",
        Headers.to_dict,
        {"Auto-Submitted": "auto-replied", "List-Id": "<news.example.com>"},
    ),
    Lookup(
        "repr", repr, "Headers({'Auto-Submitted': 'auto-replied', 'List-Id': '<news.example.com>'})"
    ),
    Lookup(
        "equal ignoring the case of names",
        lambda h: h == Headers({"auto-submitted": "auto-replied", "list-id": "<news.example.com>"}),
        True,
    ),
    Lookup(
        "equal to a plain dict",
        lambda h: h == {"AUTO-SUBMITTED": "auto-replied", "List-Id": "<news.example.com>"},
        True,
    ),
    Lookup(
        "values are compared",
        lambda h: h == {"Auto-Submitted": "no", "List-Id": "<news.example.com>"},
        False,
    ),
    Lookup("not equal to a dict with other types", lambda h: h == {1: 2}, False),
    Lookup("not equal to a list", lambda h: h == [], False),
    Lookup(
        "hash ignores the case of names",
        lambda h: (
            hash(h)
            == hash(Headers({"auto-submitted": "auto-replied", "LIST-ID": "<news.example.com>"}))
        ),
        True,
    ),
    Lookup("built from pairs", lambda h: Headers([("A", "1")]).to_dict(), {"A": "1"}),
    Lookup(
        "later of two names that differ in case wins",
        lambda h: Headers({"X-A": "1", "x-a": "2"})["X-A"],
        "2",
    ),
)


@pytest.mark.parametrize("case", LOOKUPS, ids=[c.note for c in LOOKUPS])
def test_headers(case: Lookup) -> None:
    """Headers look names up without regard to case and keep them as given for output."""
    assert case.look(HEADERS) == case.want


@dataclass(frozen=True)
class Missing:
    note: str
    name: Any


MISSING = (Missing("absent name", "Precedence"), Missing("non-string name", 5))


@pytest.mark.parametrize("case", MISSING, ids=[c.note for c in MISSING])
def test_headers_missing_name_is_key_error(case: Missing) -> None:
    """Indexing a header that is not there raises KeyError naming it."""
    with pytest.raises(KeyError) as caught:
        HEADERS[case.name]
    assert caught.value.args == (case.name,)


def test_headers_constructor_checks_types() -> None:
    """Building Headers by hand refuses names or values that are not strings."""
    with pytest.raises(TypeError) as caught:
        Headers({"X-Count": 3})  # type: ignore[arg-type]
    assert str(caught.value) == "header names and values must be strings, found 'X-Count': 3"


# --- properties --------------------------------------------------------------------------------


@given(tickets())
def test_ticket_round_trips_through_to_dict(ticket: Ticket) -> None:
    """Reading a ticket's to_dict gives the same ticket."""
    assert Ticket.from_dict(ticket.to_dict()) == ticket


@given(tickets())
def test_ticket_round_trips_through_json(ticket: Ticket) -> None:
    """to_dict is JSON: dumping and reading it back gives the same ticket."""
    assert Ticket.from_dict(json.loads(json.dumps(ticket.to_dict()))) == ticket


@given(tickets())
def test_ticket_from_json_reads_to_dict(ticket: Ticket) -> None:
    """from_json of the JSON text of to_dict gives the same ticket."""
    assert Ticket.from_json(json.dumps(ticket.to_dict())) == ticket


@given(ticket_dicts())
def test_ticket_to_dict_is_normalized(data: dict[str, Any]) -> None:
    """to_dict is a fixed point: reading it and dumping again changes nothing."""
    once = Ticket.from_dict(data).to_dict()
    assert Ticket.from_dict(once).to_dict() == once
