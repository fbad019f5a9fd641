"""Pass 4, check_types: operators get the types they take, enum literals are values of
their enum, and a comparison of different types is an error, never a silent false."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.checking import diagnostics_through

Found = tuple[str, str, str | None, str]

HEAD = """\
version: 1
fields:
  plan: {type: enum, values: [free, pro, enterprise]}
  mrr: {type: number}
  vip: {type: boolean}
  renew: {type: datetime}
  order_id: {type: string}
  labels: {type: list}
lists:
  vip_domains: [bigcorp.com, example.org]
  prios: [high, urgent]
  plans: [free, pro]
  nums: [1, 2]
  queues: [tech]
queues: [billing, tech]
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: '{when}'
        then: [{tag: x}]
"""
LINE = 21  # the expression starts at column 16 of this line

MISMATCH = "type/mismatch"
ENUM = "type/unknown-enum-value"
PRIORITIES = "expected a priority (low, normal, high, urgent)"
HINT_QUOTES = "remove the quotes around the number, or compare with a string"
HINT_ORDER = "use '==', '!=' or 'in'"


def _through(pass_name: str, text: str) -> list[Found]:
    return [
        (d.code, d.message, d.hint, f"{d.line}:{d.column}")
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


@dataclass(frozen=True)
class Case:
    note: str
    when: str
    want: tuple[Found, ...]


def _one(code: str, message: str, col: int, hint: str | None = None) -> tuple[Found, ...]:
    return ((code, message, hint, f"{LINE}:{col}"),)


CLEAN = (
    'subject == "a"',
    "fields.mrr > 1",
    'priority > "high"',
    'priority in ["low", "high"]',
    "priority in $prios",
    "fields.plan in $plans",
    'fields.plan == "pro"',
    'queue == "billing"',
    'created_at > "2026-01-01T00:00:00Z"',
    "since(created_at) > 3h",
    "subject == null",
    "fields.mrr != null",
    "fields.mrr in $nums",
    'tags has "vip"',
    'tags has any of ["a", "b"]',
    "tags is empty",
    'subject contains any of ["a"]',
    "subject mentions all of $vip_domains",
    'subject starts with "re:" or subject ends with "!"',
    "subject matches /x/",
    'weekday(now, "UTC") == "mon" and hour(now, "UTC") > 8',
    "fields.vip and not spam",
    'fields.labels has "a"',
)

CASES = (
    *(Case(f"clean: {w}", w, ()) for w in CLEAN),
    # ------------------------------------------------------------------ comparisons
    Case(
        "== string with number",
        "subject == 1",
        _one(MISMATCH, "'==' compares a string with a number", 16, HINT_QUOTES),
    ),
    Case(
        "> number with string",
        'fields.mrr > "1"',
        _one(MISMATCH, "'>' compares a number with a string", 16, HINT_QUOTES),
    ),
    Case(
        "> datetime with duration",
        "created_at > 3h",
        _one(
            MISMATCH,
            "'>' compares a datetime with a duration",
            16,
            "use since(t) to compare the age of a datetime with a duration",
        ),
    ),
    Case(
        "> duration with number",
        "since(created_at) > 3",
        _one(
            MISMATCH,
            "'>' compares a duration with a number",
            16,
            "write the duration with a unit, such as 30m or 2h",
        ),
    ),
    Case(
        "< with null",
        "fields.mrr < null",
        _one(MISMATCH, "'<' cannot order null", 16, "use '==' or '!='"),
    ),
    Case(
        "== priority with a custom enum",
        "priority == fields.plan",
        _one(MISMATCH, "'==' compares a priority with a value of 'fields.plan'", 16),
    ),
    Case(
        "> on an enum without order",
        'fields.plan > "pro"',
        _one(
            MISMATCH,
            "'>' cannot order values of fields.plan: it has no declared order",
            16,
            HINT_ORDER,
        ),
    ),
    Case(
        "> on status",
        'status > "open"',
        _one(
            MISMATCH, "'>' cannot order values of status: it has no declared order", 16, HINT_ORDER
        ),
    ),
    Case(
        "> on channel",
        'channel > "email"',
        _one(
            MISMATCH,
            "'>' cannot order values of channel: it has no declared order",
            16,
            HINT_ORDER,
        ),
    ),
    # ------------------------------------------------------------------ enum values
    Case(
        "priority literal misspelt",
        'priority == "hihg"',
        _one(ENUM, f"{PRIORITIES}, found 'hihg'", 28, "did you mean 'high'?"),
    ),
    Case(
        "priority literal on the left",
        '"urgnet" == priority',
        _one(ENUM, f"{PRIORITIES}, found 'urgnet'", 16, "did you mean 'urgent'?"),
    ),
    Case(
        "status literal misspelt",
        'status == "opn"',
        _one(
            ENUM,
            "expected a status (new, open, pending, on_hold, solved, closed), found 'opn'",
            26,
            "did you mean 'open'?",
        ),
    ),
    Case(
        "channel literal misspelt",
        'channel != "emial"',
        _one(
            ENUM,
            "expected a channel (email, chat, phone, web, social, api), found 'emial'",
            27,
            "did you mean 'email'?",
        ),
    ),
    Case(
        "custom enum literal misspelt",
        'fields.plan == "entreprise"',
        _one(
            ENUM,
            "expected a value of 'fields.plan' (free, pro, enterprise), found 'entreprise'",
            31,
            "did you mean 'enterprise'?",
        ),
    ),
    Case(
        "custom enum literal with nothing close",
        'fields.plan in ["free", "zzz"]',
        _one(ENUM, "expected a value of 'fields.plan' (free, pro, enterprise), found 'zzz'", 40),
    ),
    Case(
        "weekday literal",
        'weekday(now, "UTC") == "monday"',
        _one(
            ENUM,
            "expected a weekday (mon, tue, wed, thu, fri, sat, sun), found 'monday'",
            39,
            "did you mean 'mon'?",
        ),
    ),
    Case(
        "queue literal is a declared queue",
        'queue == "biling"',
        _one("name/unknown-queue", "queue 'biling' is not declared", 25, "did you mean 'billing'?"),
    ),
    Case(
        "in a list literal of priorities",
        'priority in ["hihg", "low"]',
        _one(ENUM, f"{PRIORITIES}, found 'hihg'", 29, "did you mean 'high'?"),
    ),
    Case(
        "every bad item of an in list is reported",
        'priority in ["hihg", "norml"]',
        (
            (ENUM, f"{PRIORITIES}, found 'hihg'", "did you mean 'high'?", f"{LINE}:29"),
            (ENUM, f"{PRIORITIES}, found 'norml'", "did you mean 'normal'?", f"{LINE}:37"),
        ),
    ),
    # ------------------------------------------------------------------ datetime literals
    Case(
        "a date without a time",
        'created_at > "2026-01-01"',
        _one(
            "literal/bad-datetime",
            "expected an ISO 8601 date-time with an offset, found '2026-01-01'",
            29,
            'for example "2026-11-23T09:00:00+01:00"',
        ),
    ),
    Case(
        "a date-time without an offset",
        'fields.renew < "2026-01-01T10:00:00"',
        _one(
            "literal/bad-datetime",
            "expected an ISO 8601 date-time with an offset, found '2026-01-01T10:00:00'",
            31,
            'for example "2026-11-23T09:00:00+01:00"',
        ),
    ),
    Case(
        "not a date at all, on the left",
        '"yesterday" < created_at',
        _one(
            "literal/bad-datetime",
            "expected an ISO 8601 date-time with an offset, found 'yesterday'",
            16,
            'for example "2026-11-23T09:00:00+01:00"',
        ),
    ),
    # ------------------------------------------------------------------ membership
    Case(
        "in a string",
        'subject in "abc"',
        _one(
            MISMATCH,
            "'in' needs a list on its right, found a string",
            27,
            "use 'contains' to test for a substring",
        ),
    ),
    Case(
        "a number in a list of strings",
        'fields.mrr in ["a"]',
        _one(MISMATCH, "'in' looks for a number in a list of strings", 16),
    ),
    Case(
        "a list mixing types",
        '[1, "a"] has 1',
        _one(MISMATCH, "a list mixes a number and a string", 20),
    ),
    # ------------------------------------------------------------------ text tests
    Case(
        "contains on a list",
        'tags contains "x"',
        _one(
            MISMATCH,
            "'contains' tests text, found a list of strings",
            16,
            "use 'has' to test a list for an item",
        ),
    ),
    Case(
        "contains a number",
        "subject contains 1",
        _one(MISMATCH, "'contains' looks for a string, found a number", 33),
    ),
    Case(
        "contains any of a string",
        'subject contains any of "x"',
        _one(MISMATCH, "'contains any of' needs a list of strings, found a string", 40),
    ),
    Case(
        "mentions a list without a quantifier",
        'subject mentions ["a"]',
        _one(
            MISMATCH,
            "'mentions' looks for a string, found a list of strings",
            33,
            "use 'mentions any of' or 'mentions all of' with a list",
        ),
    ),
    Case(
        "mentions any of numbers",
        "subject mentions any of [1]",
        _one(MISMATCH, "'mentions any of' needs a list of strings, found a list of numbers", 40),
    ),
    Case(
        "mentions on a number",
        'fields.mrr mentions "x"',
        _one(MISMATCH, "'mentions' tests text, found a number", 16),
    ),
    Case(
        "starts with a number",
        "subject starts with 1",
        _one(MISMATCH, "'starts with' tests text, found a number", 36),
    ),
    Case(
        "ends with on a number",
        'fields.mrr ends with "x"',
        _one(MISMATCH, "'ends with' tests text, found a number", 16),
    ),
    Case(
        "matches on a number",
        "fields.mrr matches /x/",
        _one(MISMATCH, "'matches' tests text, found a number", 16),
    ),
    # ------------------------------------------------------------------ lists
    Case(
        "has on a string",
        'subject has "x"',
        _one(MISMATCH, "'has' tests a list, found a string", 16, "use 'contains' to test text"),
    ),
    Case(
        "has a number in tags",
        "tags has 1",
        _one(MISMATCH, "'has' looks for a number in a list of strings", 16),
    ),
    Case(
        "has a list",
        'tags has ["a"]',
        _one(
            MISMATCH,
            "'has' looks for one item, found a list of strings",
            25,
            "use 'has any of', 'has all of' or 'has none of' with a list",
        ),
    ),
    Case(
        "has any of a string",
        'tags has any of "a"',
        _one(MISMATCH, "'has any of' needs a list, found a string", 32),
    ),
    Case(
        "is empty on a number",
        "fields.mrr is empty",
        _one(MISMATCH, "'is empty' tests text, lists and null, found a number", 16),
    ),
    # ------------------------------------------------------------------ conditions
    Case(
        "a number as a condition",
        "fields.mrr",
        _one(
            "type/not-boolean",
            "the condition of rule 'r' needs a true/false test, found a number",
            16,
            "compare it, for example '> 0'",
        ),
    ),
    Case(
        "a string as a condition",
        "fields.order_id",
        _one(
            "type/not-boolean",
            "the condition of rule 'r' needs a true/false test, found a string",
            16,
            "use 'is not empty', or compare it with '=='",
        ),
    ),
    Case(
        "null as a condition",
        "null",
        _one(
            "type/not-boolean",
            "the condition of rule 'r' needs a true/false test, found null",
            16,
        ),
    ),
    Case(
        "a string operand of and",
        "spam and subject",
        _one(
            "type/not-boolean",
            "'and' needs a true/false test, found a string",
            25,
            "use 'is not empty', or compare it with '=='",
        ),
    ),
    # ------------------------------------------------------------------ functions
    Case(
        "too few arguments",
        "is_open()",
        _one("type/arguments", "'is_open' takes 1 or 2 arguments, found 0", 16),
    ),
    Case(
        "too many arguments",
        "since(now, now) > 1h",
        _one("type/arguments", "'since' takes 1 argument, found 2", 16),
    ),
    Case(
        "two arguments required",
        "hour(now) > 1",
        _one("type/arguments", "'hour' takes 2 arguments, found 1", 16),
    ),
    Case(
        "since of a string",
        "since(subject) > 1h",
        _one("type/arguments", "'since' expects a datetime, found a string", 22),
    ),
    Case(
        "len of a number",
        "len(fields.mrr) > 1",
        _one("type/arguments", "'len' expects a string or a list, found a number", 20),
    ),
    Case(
        "lower of a number",
        'lower(fields.mrr) == "a"',
        _one("type/arguments", "'lower' expects a string, found a number", 22),
    ),
    Case(
        "a calendar that is not a literal",
        "is_open(queue)",
        _one("type/arguments", "'is_open' expects a calendar name in quotes, found a queue", 24),
    ),
    Case(
        "a time zone that is a number",
        "hour(now, 1) > 1",
        _one("type/arguments", "'hour' expects a time zone name, found a number", 26),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_check_types_reports_type_errors(case: Case) -> None:
    """Each type error is located at the operand or test at fault, with a hint when useful."""
    assert _through("check_types", HEAD.replace("{when}", case.when)) == list(case.want)


@dataclass(frozen=True)
class ListCase:
    note: str
    when: str
    want: tuple[Found, ...]


LIST_CASES = (
    ListCase("a $list of priorities: clean", "priority in $prios", ()),
    ListCase("a $list of custom enum values: clean", "fields.plan in $plans", ()),
    ListCase("a $list of queues: clean", 'queue in ["billing"] or queue in $queues', ()),
)


@pytest.mark.parametrize("case", LIST_CASES, ids=[c.note for c in LIST_CASES])
def test_check_types_checks_list_values_against_an_enum(case: ListCase) -> None:
    """Every value of a $list tested against an enum must be a value of that enum."""
    assert _through("check_types", HEAD.replace("{when}", case.when)) == list(case.want)


def test_check_types_checks_every_kind_of_condition() -> None:
    """Defines and SLA `when`/`pause_when` are typed too, and named in the message."""
    text = """\
version: 1
define:
  d: subject
sla_policies:
  - name: p
    when: priority
    pause_when: 'status == "opn"'
    targets: {normal: {first_reply: 1h}}
stages: []
"""
    assert _through("check_types", text) == [
        (
            "type/not-boolean",
            "define 'd' needs a true/false test, found a string",
            "use 'is not empty', or compare it with '=='",
            "3:6",
        ),
        (
            "type/not-boolean",
            "the 'when' of SLA policy 'p' needs a true/false test, found a priority",
            "use 'is not empty', or compare it with '=='",
            "6:11",
        ),
        (
            ENUM,
            "expected a status (new, open, pending, on_hold, solved, closed), found 'opn'",
            "did you mean 'open'?",
            "7:28",
        ),
    ]
