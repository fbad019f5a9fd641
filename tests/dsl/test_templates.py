"""Sandboxed Liquid templates: parsing, variables, rendering, limits and the local filter."""

from __future__ import annotations

import datetime as dt
import enum
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from routing.diagnostics import SourceFile, render_text
from routing.dsl.limits import MAX_TEMPLATE
from routing.dsl.templates import (
    CompiledTemplate,
    TemplateRenderError,
    TemplateVariable,
    _local_filter,
    parse_template,
    template_data,
)


def compile_ok(text: str) -> CompiledTemplate:
    template, diagnostics = parse_template(text, SourceFile("t.liquid", text))
    assert diagnostics == []
    assert template is not None
    return template


class Priority(enum.Enum):
    HIGH = "high"


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class RenderCase:
    note: str
    text: str
    data: dict[str, object]
    want: str


RENDER_CASES = (
    RenderCase(
        "numbers and booleans stay numbers and booleans",
        "{{ n | plus: 1 }} {{ f | times: 2 }} {% if b %}yes{% endif %}",
        {"n": 3, "f": 1.25, "b": True},
        "4 2.5 yes",
    ),
    RenderCase(
        "a set of mixed types is sorted by its items' repr",
        '{{ s | join: "," }}',
        {"s": {1, "a"}},
        "a,1",
    ),
    RenderCase(
        "closed-ack from DESIGN.md renders with the local filter",
        "Hello {{ requester.name }}, we will answer by\n"
        "{{ sla.first_reply_due | local: requester.timezone }}.",
        {
            "requester": {"name": "Ann", "timezone": "Europe/Berlin"},
            "sla": {"first_reply_due": "2026-11-23T09:30:00+00:00"},
        },
        "Hello Ann, we will answer by\nMonday 23 November 2026, 10:30 (CET).",
    ),
    RenderCase(
        "loops, standard filters and forloop",
        "{% for t in tags %}{{ forloop.index }}={{ t | upcase }}{% unless forloop.last %}, "
        "{% endunless %}{% endfor %}",
        {"tags": ["vip", "outage"]},
        "1=VIP, 2=OUTAGE",
    ),
    RenderCase(
        "default fills an absent key",
        '{{ fields.order_id | default: "-" }}',
        {"fields": {}},
        "-",
    ),
    RenderCase(
        "default fills a null value",
        '{{ fields.order_id | default: "-" }}',
        {"fields": {"order_id": None}},
        "-",
    ),
    RenderCase(
        "date formats the now variable",
        '{{ now | date: "%Y-%m-%d %H:%M" }}',
        {"now": "2026-11-23T09:00:00+01:00"},
        "2026-11-23 09:00",
    ),
    RenderCase(
        "a set becomes a sorted list, an enum its value, a datetime ISO 8601",
        '{{ tags | join: "," }} {{ priority }} {{ at }}',
        {
            "tags": frozenset({"b", "a"}),
            "priority": Priority.HIGH,
            "at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        },
        "a,b high 2026-01-02T03:04:00+00:00",
    ),
    RenderCase(
        "assign and capture are local to the template",
        "{% assign n = name | upcase %}{% capture g %}Hi {{ n }}{% endcapture %}{{ g }}!",
        {"name": "ann"},
        "Hi ANN!",
    ),
)


@pytest.mark.parametrize("case", RENDER_CASES, ids=[c.note for c in RENDER_CASES])
def test_render_exact_output(case: RenderCase) -> None:
    """A template renders the plain data it is given, exactly."""
    assert compile_ok(case.text).render(case.data) == case.want


# --------------------------------------------------------------------------- local filter


@dataclass(frozen=True)
class LocalCase:
    note: str
    instant: object
    zone: object
    want: str


LOCAL_CASES = (
    LocalCase(
        "Berlin winter",
        "2026-11-23T09:30:00Z",
        "Europe/Berlin",
        "Monday 23 November 2026, 10:30 (CET)",
    ),
    LocalCase(
        "Berlin before spring gap",
        "2026-03-29T00:59:00Z",
        "Europe/Berlin",
        "Sunday 29 March 2026, 01:59 (CET)",
    ),
    LocalCase(
        "Berlin after spring gap",
        "2026-03-29T01:00:00Z",
        "Europe/Berlin",
        "Sunday 29 March 2026, 03:00 (CEST)",
    ),
    LocalCase(
        "Berlin autumn first 02:30",
        "2026-10-25T00:30:00Z",
        "Europe/Berlin",
        "Sunday 25 October 2026, 02:30 (CEST)",
    ),
    LocalCase(
        "Berlin autumn second 02:30",
        "2026-10-25T01:30:00Z",
        "Europe/Berlin",
        "Sunday 25 October 2026, 02:30 (CET)",
    ),
    LocalCase(
        "New York spring gap",
        "2026-03-08T07:00:00+00:00",
        "America/New_York",
        "Sunday 8 March 2026, 03:00 (EDT)",
    ),
    LocalCase(
        "offset other than UTC in the instant",
        "2026-11-23T10:30:00+01:00",
        "Asia/Tokyo",
        "Monday 23 November 2026, 18:30 (JST)",
    ),
    LocalCase(
        "null zone is UTC",
        "2026-11-23T10:30:00+01:00",
        None,
        "Monday 23 November 2026, 09:30 (UTC)",
    ),
    LocalCase(
        "empty zone is UTC", "2026-11-23T10:30:00+01:00", "", "Monday 23 November 2026, 09:30 (UTC)"
    ),
    LocalCase("null instant renders empty", None, "Europe/Berlin", ""),
)


@pytest.mark.parametrize("case", LOCAL_CASES, ids=[c.note for c in LOCAL_CASES])
def test_local_filter_formats_instant_in_zone(case: LocalCase) -> None:
    """`local` shows an instant as wall-clock time in a zone, across DST changes."""
    template = compile_ok("{{ at | local: zone }}")
    assert template.render({"at": case.instant, "zone": case.zone}) == case.want


def test_local_filter_accepts_an_aware_datetime() -> None:
    """Called from Python, `local` also takes an aware datetime."""
    instant = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert _local_filter(instant, "Europe/Berlin") == "Wednesday 1 July 2026, 10:00 (CEST)"


# --------------------------------------------------------------------------- render errors


def nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {}
    for _ in range(depth):
        value = {"k": value}
    return value


DEEP = nested(40)


@dataclass(frozen=True)
class ErrorCase:
    note: str
    text: str
    data: dict[str, object] = field(default_factory=dict)
    message: str = ""


ERROR_CASES = (
    ErrorCase(
        "instant that is a number",
        "{{ 5 | local }}",
        {},
        "local expected an ISO 8601 instant, found int (line 1, column 8)",
    ),
    ErrorCase(
        "zone that is a number",
        "{{ at | local: 5 }}",
        {"at": "2026-01-01T00:00:00Z"},
        "local expected an IANA time zone name, found int (line 1, column 9)",
    ),
    ErrorCase(
        "data nested too deeply",
        "{{ x }}",
        {"x": DEEP},
        "template data at 'x.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k' "
        "nests too deeply",
    ),
    ErrorCase(
        "loops nested too deeply",
        "{% for a in (1..1) %}" * 29 + "{% endfor %}" * 29,
        {},
        "the template nests scopes more than 30 deep (line 1, column 4)",
    ),
    ErrorCase(
        "undefined root",
        "Hi\n  {{ requester.name }}",
        {},
        "undefined variable 'requester' (line 2, column 6)",
    ),
    ErrorCase(
        "undefined key",
        "{{ requester.nam }}",
        {"requester": {"name": "A"}},
        "undefined variable 'requester.nam' (line 1, column 4)",
    ),
    ErrorCase(
        "undefined in a condition",
        "{% if vip %}x{% endif %}",
        {},
        "undefined variable 'vip' (line 1, column 7)",
    ),
    ErrorCase(
        "loop over a huge range",
        "{% for i in (1..1000000000) %}x{% endfor %}",
        {},
        "a loop would run more than 10000 iterations (line 1, column 4)",
    ),
    ErrorCase(
        "nested loops multiply",
        "{% for i in (1..200) %}{% for j in (1..200) %}{% endfor %}{% endfor %}",
        {},
        "a loop would run more than 10000 iterations (line 1, column 4)",
    ),
    ErrorCase(
        "output bomb",
        "{% for i in (1..100) %}{% for j in (1..100) %}0123456789A{% endfor %}{% endfor %}",
        {},
        "the output is longer than 100000 characters (line 1, column 4)",
    ),
    ErrorCase(
        "many loops in a row",
        "{% for i in (1..9999) %}{% endfor %}" * 11,
        {},
        "the loops of the template run more than 100000 iterations (line 1, column 364)",
    ),
    ErrorCase(
        "assigned values grow too large",
        "{% assign s = 'xxxxxxxx' %}{% for i in (1..30) %}"
        "{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
        {},
        "values assigned in the template take more than 65536 bytes (line 1, column 31)",
    ),
    ErrorCase(
        "unknown zone",
        "{{ at | local: 'Mars/Olympus' }}",
        {"at": "2026-01-01T00:00:00Z"},
        "local: unknown time zone 'Mars/Olympus' (line 1, column 9)",
    ),
    ErrorCase(
        "instant without offset",
        "{{ at | local }}",
        {"at": "2026-01-01T00:00:00"},
        "local: the instant 2026-01-01T00:00:00 has no UTC offset (line 1, column 9)",
    ),
    ErrorCase(
        "instant that is not a date",
        "{{ at | local }}",
        {"at": "soon"},
        "local expected an ISO 8601 instant, found 'soon' (line 1, column 9)",
    ),
    ErrorCase(
        "instant whose local time is after the year 9999",
        "{{ at | local: 'Pacific/Kiritimati' }}",
        {"at": "9999-12-31T23:30:00+00:00"},
        "local: 9999-12-31T23:30:00+00:00 has no local time in Pacific/Kiritimati: it is after"
        " the year 9999 there (line 1, column 9)",
    ),
    ErrorCase(
        "instant whose local time is before the year 1",
        "{{ at | local: 'America/Los_Angeles', 'de' }}",
        {"at": "0001-01-01T00:10:00+00:00"},
        "local: 0001-01-01T00:10:00+00:00 has no local time in America/Los_Angeles: it is before"
        " the year 1 there (line 1, column 9)",
    ),
    ErrorCase(
        "date of now reads the clock",
        "{{ 'now' | date: '%Y' }}",
        {},
        "date: 'now' reads the clock; use the 'now' variable (line 1, column 12)",
    ),
    ErrorCase(
        "filter error",
        "{{ 1 | divided_by: 0 }}",
        {},
        "divided_by: can't divide by 0 (line 1, column 8)",
    ),
    ErrorCase(
        "python object in the data",
        "{{ x }}",
        {"x": {"y": [object()]}},
        "template data at 'x.y[0]' is of type 'object', not plain data",
    ),
    ErrorCase(
        "non-string key in the data",
        "{{ x }}",
        {"x": {1: "a"}},
        "template data at 'x' has a int key, not a string",
    ),
)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.note for c in ERROR_CASES])
def test_render_error_is_clear_and_fast(case: ErrorCase) -> None:
    """Undefined variables, limits and filter errors raise TemplateRenderError within a second."""
    template = compile_ok(case.text)
    started = time.perf_counter()
    with pytest.raises(TemplateRenderError) as info:
        template.render(case.data)
    assert time.perf_counter() - started < 1.0
    assert str(info.value) == case.message


def test_render_is_thread_safe() -> None:
    """One compiled template renders different data from many threads at once."""
    template = compile_ok("{% for i in (1..50) %}{{ name }}{% endfor %}")
    names = [f"n{i}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(lambda n: template.render({"name": n}), names))
    assert outputs == [n * 50 for n in names]


# --------------------------------------------------------------------------- syntax


@dataclass(frozen=True)
class SyntaxCase:
    note: str
    text: str
    want: str


SYNTAX_CASES = (
    SyntaxCase(
        "unclosed block",
        "Hello\n{% if x %}",
        "t.liquid:2:11: error[template/syntax]: expected tag endif, found the end of the template\n"
        "  |\n"
        "2 | {% if x %}\n"
        "  |           ^",
    ),
    SyntaxCase(
        "unknown tag",
        "a {% frobnicate %}",
        "t.liquid:1:6: error[template/syntax]: unexpected tag 'frobnicate'\n"
        "  |\n"
        "1 | a {% frobnicate %}\n"
        "  |      ^^^^^^^^^^",
    ),
    SyntaxCase(
        "unclosed output",
        "Hi {{ name",
        "t.liquid:1:4: error[template/syntax]: expected '}}', found end of file\n"
        "  |\n"
        "1 | Hi {{ name\n"
        "  |    ^^^^^^^",
    ),
    SyntaxCase(
        "bad expression",
        "{{ a..b }}",
        "t.liquid:1:5: error[template/syntax]: expected end of expression, found '..'\n"
        "  |\n"
        "1 | {{ a..b }}\n"
        "  |     ^^",
    ),
    SyntaxCase(
        "include is not available",
        "x\n{% include 'footer' %}",
        "t.liquid:2:4: error[template/syntax]: the 'include' tag is not available in templates\n"
        "  |\n"
        "2 | {% include 'footer' %}\n"
        "  |    ^^^^^^^\n"
        "  = help: a template cannot read other templates; write the text inline",
    ),
    SyntaxCase(
        "render is not available",
        "{% render 'footer' %}",
        "t.liquid:1:4: error[template/syntax]: the 'render' tag is not available in templates\n"
        "  |\n"
        "1 | {% render 'footer' %}\n"
        "  |    ^^^^^^\n"
        "  = help: a template cannot read other templates; write the text inline",
    ),
    SyntaxCase(
        "every unknown filter is reported, with a suggestion",
        "{{ a | upcasee }}\n{{ b | upcasee }}",
        "t.liquid:1:8: error[template/syntax]: unknown filter 'upcasee'\n"
        "  |\n"
        "1 | {{ a | upcasee }}\n"
        "  |        ^^^^^^^\n"
        "  = help: did you mean 'upcase'?\n"
        "\n"
        "t.liquid:2:8: error[template/syntax]: unknown filter 'upcasee'\n"
        "  |\n"
        "2 | {{ b | upcasee }}\n"
        "  |        ^^^^^^^\n"
        "  = help: did you mean 'upcase'?",
    ),
)


@pytest.mark.parametrize("case", SYNTAX_CASES, ids=[c.note for c in SYNTAX_CASES])
def test_parse_template_syntax_error_is_located(case: SyntaxCase) -> None:
    """A template that does not parse gives located template/syntax diagnostics and no template."""
    template, diagnostics = parse_template(case.text, SourceFile("t.liquid", case.text))
    assert template is None
    assert render_text(diagnostics) == case.want


def test_parse_template_too_long() -> None:
    """A template longer than MAX_TEMPLATE is refused before Liquid sees it."""
    text = "x" * (MAX_TEMPLATE + 1)
    template, diagnostics = parse_template(text, SourceFile("t.liquid", text))
    assert template is None
    assert [d.to_dict() for d in diagnostics] == [
        {
            "code": "limit/template-size",
            "severity": "error",
            "message": "the template is 65537 characters long, more than the limit of 65536",
            "hint": None,
            "file": "t.liquid",
            "line": 1,
            "column": 1,
            "end_line": 1,
            "end_column": 1,
        }
    ]


# --------------------------------------------------------------------------- variables


@dataclass(frozen=True)
class VariablesCase:
    note: str
    text: str
    want: tuple[TemplateVariable, ...]


V = TemplateVariable
VARIABLES_CASES = (
    VariablesCase(
        "closed-ack",
        "Hello {{ requester.name }}, by {{ sla.first_reply_due | local: requester.timezone }}.",
        (
            V(("requester", "name"), 9, 23),
            V(("sla", "first_reply_due"), 34, 53),
            V(("requester", "timezone"), 63, 81),
        ),
    ),
    VariablesCase(
        "loop and assigned names are local",
        "{% for t in tags %}{{ t }}{{ forloop.index }}{% endfor %}{% assign s = subject %}{{ s }}",
        (V(("tags",), 12, 16), V(("subject",), 71, 78)),
    ),
    VariablesCase(
        "a path stops at an index or a computed key",
        "{{ tags[0] }} {{ fields[key].x }} {{ ticket['the id'] }} {{ tags.size }}",
        (
            V(("tags",), 3, 10),
            V(("fields",), 17, 30),
            V(("key",), 24, 27),
            V(("ticket", "the id"), 37, 53),
            V(("tags", "size"), 60, 69),
        ),
    ),
    VariablesCase(
        "conditions and filter arguments are read too",
        '{% if priority == "urgent" %}{{ now | date: fmt }}{% endif %}',
        (V(("priority",), 6, 14), V(("now",), 32, 35), V(("fmt",), 44, 47)),
    ),
    VariablesCase(
        "nested and quoted brackets",
        "{{ a[b[0]].c }} {{ t['x]y'] }}",
        (V(("a",), 3, 12), V(("b",), 5, 9), V(("t", "x]y"), 19, 27)),
    ),
    VariablesCase("plain text reads nothing", "Thank you.", ()),
)


@pytest.mark.parametrize("case", VARIABLES_CASES, ids=[c.note for c in VARIABLES_CASES])
def test_variables_lists_every_global_path(case: VariablesCase) -> None:
    """`variables` lists each global path a template reads with its offsets, in text order."""
    template = compile_ok(case.text)
    assert template.variables == case.want


def test_template_data_roots() -> None:
    """The data has the ticket's fields at top level and the reserved roots win."""
    ticket: dict[str, object] = {
        "id": "T-1",
        "subject": "Down",
        "requester": {"email": "a@x.org"},
        "now": "shadowed",
    }
    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert template_data(ticket=ticket, decision={"queue": "q"}, sla=None, now=now) == {
        "id": "T-1",
        "subject": "Down",
        "requester": {"email": "a@x.org"},
        "now": "2026-11-23T09:00:00+00:00",
        "ticket": ticket,
        "decision": {"queue": "q"},
        "sla": None,
    }
