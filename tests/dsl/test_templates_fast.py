"""The fast template renderer against python-liquid (docs/decisions/0015).

`CompiledTemplate.render` first tries closures compiled from the template's tree and falls
back to python-liquid whenever they cannot tell. These tests render every template of the
repository, the template cases of tests/dsl/test_templates.py and generated templates on
generated data both ways, and require the same outcome: the same text, or the same
`TemplateRenderError` message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.dsl.test_templates import ERROR_CASES, RENDER_CASES, compile_ok

from routing.dsl.templates import (
    OUTPUT_LIMIT,
    CompiledTemplate,
    TemplateData,
    TemplateRenderError,
    template_data,
)

ROOT = Path(__file__).resolve().parents[2]


def outcome(template: CompiledTemplate, data: object) -> tuple[str, str]:
    """``("ok", text)`` or ``("error", message)`` of one render."""
    try:
        return ("ok", template.render(data))  # type: ignore[arg-type]
    except TemplateRenderError as err:
        return ("error", str(err))


def liquid_only(template: CompiledTemplate) -> CompiledTemplate:
    """The same template without its fast renderer: python-liquid renders every time."""
    copy = dataclasses.replace(template)
    object.__setattr__(copy, "_fast", None)
    return copy


def both(text: str, data: object) -> tuple[tuple[str, str], tuple[str, str]]:
    template = compile_ok(text)
    return outcome(template, data), outcome(liquid_only(template), data)


def _templates_in(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "templates" and isinstance(value, dict):
                yield from (v for v in value.values() if isinstance(v, str))
            else:
                yield from _templates_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _templates_in(item)


def repository_templates() -> list[str]:
    """Every template written in a YAML file of the repository (rules, test cases, docs)."""
    found: set[str] = set()
    for path in sorted(ROOT.glob("**/*.yaml")):
        if any(part.startswith(".") or part == "node_modules" for part in path.parts):
            continue
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # test data that is broken on purpose
        for doc in docs:
            found.update(_templates_in(doc))
    return sorted(found)


REPOSITORY_TEMPLATES = repository_templates()


def example_data() -> list[dict[str, object]]:
    """Template data of the example tickets as the engine makes it (plus calendars)."""
    from routing import load
    from routing.engine import effects
    from routing.model.ticket import Ticket

    made: list[dict[str, object]] = []
    real = effects._Data.__init__

    def spy(self: Any, roots: Any, calendars: Any) -> None:
        made.append(dict(roots))
        real(self, roots, calendars)

    ruleset = load(ROOT / "examples/helpdesk/rules")
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    lines = (ROOT / "examples/helpdesk/tickets.jsonl").read_text(encoding="utf-8").splitlines()
    effects._Data.__init__ = spy  # type: ignore[method-assign]
    try:
        for line in lines[:300]:
            record = json.loads(line)
            at = record.get("now") if "ticket" in record else None
            when = dt.datetime.fromisoformat(at.replace("Z", "+00:00")) if at else now
            ruleset.evaluate(Ticket.from_dict(record.get("ticket", record)), when)
    finally:
        effects._Data.__init__ = real  # type: ignore[method-assign]
    return made


def test_the_repository_has_templates_and_the_examples_render_fast() -> None:
    """The collection finds the templates, and every example template has a fast renderer."""
    assert len(REPOSITORY_TEMPLATES) >= 10
    text = (ROOT / "examples/helpdesk/rules/02-templates.yaml").read_text(encoding="utf-8")
    examples = yaml.safe_load(text)["templates"]
    fast = {name: compile_ok(t)._fast is not None for name, t in examples.items()}
    assert fast == dict.fromkeys(examples, True)


@pytest.mark.parametrize("text", REPOSITORY_TEMPLATES)
def test_repository_templates_render_as_liquid_on_the_example_data(text: str) -> None:
    template = _compiled(text)
    if template is None:  # a template written to fail the check
        return
    reference = liquid_only(template)
    for data in EXAMPLE_DATA:
        assert outcome(template, TemplateData(data)) == outcome(reference, TemplateData(data))


EXAMPLE_DATA = example_data()


def test_example_data_gives_fast_renders() -> None:
    """The example templates render without falling back on the example data (else the
    tests above would compare python-liquid with itself)."""
    text = (ROOT / "examples/helpdesk/rules/02-templates.yaml").read_text(encoding="utf-8")
    examples = yaml.safe_load(text)["templates"]
    assert len(EXAMPLE_DATA) > 20
    for source in examples.values():
        template = compile_ok(source)
        fast = template._fast
        assert fast is not None
        for data in EXAMPLE_DATA[:20]:
            plain = TemplateData(data).select(template._reads)
            assert fast(plain) == liquid_only(template).render(plain)


@pytest.mark.parametrize("case", RENDER_CASES, ids=[c.note for c in RENDER_CASES])
def test_render_cases_render_as_liquid(case: Any) -> None:
    fast, reference = both(case.text, case.data)
    assert fast == reference == ("ok", case.want)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.note for c in ERROR_CASES])
def test_error_cases_fail_as_liquid(case: Any) -> None:
    fast, reference = both(case.text, case.data)
    assert fast == reference == ("error", case.message)


# --------------------------------------------------------------------------- generated

NAMES = ("a", "b", "name", "size", "first", "partial", "x")
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.5, -2.25, 1e16]),
    st.sampled_from(["", " ", "de", "a", "B", "2026-11-23T10:00:00+01:00", "ü"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(NAMES), inner, max_size=4),
    ),
    max_leaves=8,
)
datas = st.dictionaries(st.sampled_from(NAMES), values, max_size=5)


@st.composite
def paths(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(NAMES))
    for _ in range(draw(st.integers(0, 2))):
        text += draw(
            st.sampled_from(
                [".a", ".b", ".name", ".size", ".first", "[0]", "[-1]", '["a"]', "[b]", "[x.a]"]
            )
        )
    return text


literals = st.sampled_from(['"de"', "'a'", "1", "0", "-2", "1.5", "true", "false", "nil"])
literals_and_words = st.sampled_from(["empty", "blank"])
operands = st.one_of(paths(), literals, literals_and_words)
filters = st.sampled_from(
    [
        "",
        " | upcase",
        ' | default: "-"',
        " | size",
        ' | join: ","',
        ' | append: "!"',
        " | plus: 1",
        " | first",
        ' | local: "Europe/Berlin"',
        ' | local: "Europe/Berlin", "de"',
        " | local: x, a",
        ' | date: "%Y-%m-%d"',
        " | escape",
        " | downcase | capitalize",
        " | times: b",
    ]
)


@st.composite
def conditions(draw: st.DrawFn) -> str:
    left = draw(operands)
    if draw(st.booleans()):
        return left
    op = draw(st.sampled_from(["==", "!=", "<", ">", "<=", ">=", "contains", "and", "or"]))
    return f"{left} {op} {draw(operands)}"  # (the sandbox has no "not" and no parentheses)


@st.composite
def templates(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "output", "if", "comment"] if depth < 2 else ["text"]))
        ws = draw(st.sampled_from(["", "-"]))
        if kind == "text":
            parts.append(draw(st.sampled_from(["", " ", "\n", "hi ", "\n  x\n", "Ä"])))
        elif kind == "output":
            parts.append(f"{{{{{ws} {draw(operands)}{draw(filters)} {ws}}}}}")
        elif kind == "comment":
            parts.append("{% comment %}note{% endcomment %}")
        else:
            tag = draw(st.sampled_from(["if", "unless"]))
            text = f"{{%{ws} {tag} {draw(conditions())} %}}{draw(templates(depth + 1))}"
            for _ in range(draw(st.integers(0, 2))):
                text += f"{{% elsif {draw(conditions())} {ws}%}}{draw(templates(depth + 1))}"
            if draw(st.booleans()):
                text += f"{{%- else %}}{draw(templates(depth + 1))}"
            parts.append(text + f"{{% end{tag} %}}")
    return "".join(parts)


def _compiled(text: str) -> CompiledTemplate | None:
    from routing.diagnostics import SourceFile
    from routing.dsl.templates import parse_template

    template, _ = parse_template(text, SourceFile("t.liquid", text))
    return template


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=templates(), data=datas)
def test_generated_templates_render_as_liquid(text: str, data: dict[str, object]) -> None:
    template = _compiled(text)
    if template is None:  # e.g. elsif after else is a syntax error
        return
    assert outcome(template, data) == outcome(liquid_only(template), data)
    assert outcome(template, TemplateData(data)) == outcome(liquid_only(template), data)


def test_generated_templates_are_mostly_fast() -> None:
    """The generator writes templates the fast renderer compiles (no loops, no assign)."""
    template = compile_ok("{% if a == 'de' %}{{ a | upcase }}{% else %}{{ b.name }}{% endif %}")
    assert template._fast is not None
    assert template._fast({"a": "de", "b": {}}) == "DE"


def test_templates_it_does_not_compile_still_render() -> None:
    """Loops and assignments stay with python-liquid."""
    template = compile_ok("{% assign n = a | size %}{% for i in a %}{{ i }}{% endfor %}={{ n }}")
    assert template._fast is None
    assert template.render({"a": [1, 2]}) == "12=2"


def test_output_over_the_limit_is_liquid_s_error() -> None:
    """The limit counts UTF-8 bytes, as python-liquid's stream does."""
    text = "{{ a }}{{ a }}"
    under = "ä" * (OUTPUT_LIMIT // 4)  # 2 bytes a character: exactly the limit
    over = under + "ä"
    fast, reference = both(text, {"a": under})
    assert fast == reference == ("ok", under * 2)
    fast, reference = both(text, {"a": over})
    assert fast == reference
    assert fast[0] == "error"


def test_the_partial_root_is_liquid_s_own() -> None:
    """Liquid binds ``partial`` before the data; the fast renderer leaves that to it."""
    fast, reference = both("{{ partial }}", {"partial": "mine"})
    assert fast == reference == ("ok", "false")


def test_template_data_of_the_engine_renders_as_liquid() -> None:
    data = template_data(
        ticket={"id": "T-1", "subject": "Hi", "requester": {"name": "Ann"}},
        decision={"queue": "billing"},
        sla=None,
        now=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
    )
    text = "{{ requester.name }} {{ decision.queue }} {{ sla.policy | default: 'none' }} {{ now }}"
    fast, reference = both(text, data)
    assert fast == reference == ("ok", "Ann billing none 2026-11-23T10:00:00+00:00")


# --------------------------------------------------------------------------- localised texts


def babel_reference(local: dt.datetime, language: str) -> str:
    """The ``local`` filter's localised text as babel gives it, with nothing remembered."""
    from babel.dates import format_date, format_time

    from routing.dsl.templates import _locale

    locale = _locale(language)
    zone = local.tzinfo
    date = format_date(local.date(), "full", locale=locale)
    time = format_time(local, "short", tzinfo=zone, locale=locale)
    name = format_time(local, "z", tzinfo=zone, locale=locale)
    if name[:1] in "+-":
        name = format_time(local, "OOOO", tzinfo=zone, locale=locale)
    pattern = str(locale.datetime_formats["full"]).replace("'", "")
    return pattern.replace("{1}", date).replace("{0}", f"{time} {name}")


ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/Dublin",
    "America/New_York",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Africa/Casablanca",
)
LANGUAGES = ("en", "de", "fr", "es", "ja", "zh_Hant", "ar", "ko", "fi", "pt-BR", "xx", "")


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(
        min_value=dt.datetime(1960, 1, 1),
        max_value=dt.datetime(2090, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    zone=st.sampled_from(ZONES),
    language=st.sampled_from(LANGUAGES),
    minutes=st.sampled_from([0, 1, 59, 60 * 24 * 182]),
)
def test_localised_text_is_babel_s(
    instant: dt.datetime, zone: str, language: str, minutes: int
) -> None:
    """The date, time and zone-name parts are remembered on their own keys; the text is
    what babel writes for the whole instant, also for a second instant sharing parts."""
    import zoneinfo

    from routing.dsl.templates import _localised

    for at in (instant, instant + dt.timedelta(minutes=minutes, seconds=7)):
        local = at.astimezone(zoneinfo.ZoneInfo(zone))
        assert _localised(local, language) == babel_reference(local, language)


def test_template_data_takes_plain_roots_as_they_are() -> None:
    """Roots given as ``plain`` are used as they are; the others are copied into plain data."""
    calendars = {"eu": {"is_open": True, "next_open": None}}
    sla = {"policy": "standard"}
    data = TemplateData({"calendars": calendars, "sla": sla}, plain={"calendars": calendars})
    out = data.select(frozenset({"calendars", "sla", "missing"}))
    assert out == {"calendars": calendars, "sla": sla}
    assert out["calendars"] is calendars
    assert out["sla"] is not sla


# --------------------------------------------------------------------------- generated code

#: Templates and data the generated function must render itself (no fallback), as Liquid:
#: a path read once is reused only where it is sure to have been read (a fallback would
#: hide a mistake there, so these call the function directly).
FAST_CASES = [
    ("{% if a %}{{ b.name }}{% endif %}{{ b.name }}", {"a": False, "b": {"name": "x"}}, "x"),
    ("{% if a and b.name %}1{% endif %}{{ b.name }}", {"a": False, "b": {"name": "x"}}, "x"),
    ("{% if a or b.name %}1{% endif %}{{ b.name }}", {"a": True, "b": {"name": "x"}}, "1x"),
    (
        "{% if a == 'z' %}1{% elsif b.name == 'x' %}{{ b.name }}!{% else %}{{ a }}{% endif %}"
        "{{ b.name }}",
        {"a": "y", "b": {"name": "x"}},
        "x!x",
    ),
    (
        "{% if a == 'z' %}1{% elsif b.name == 'q' %}2{% else %}{{ b.name }}{% endif %}",
        {"a": "y", "b": {"name": "x"}},
        "x",
    ),
    ("{% unless a %}{{ b.name }}{% endunless %}{{ a | upcase }}", {"a": "q", "b": {}}, "Q"),
    (
        "{% if b.name >= 'a' %}ge{% endif %}{% if b.name > 'x' %}gt{% endif %}"
        "{% if b.name <= 'x' %}le{% endif %}{% if b.name < 'y' %}lt{% endif %}"
        "{% if b.name contains 'x' %}in{% endif %}{% if b.name != 'x' %}ne{% endif %}",
        {"b": {"name": "x"}},
        "geleltin",
    ),
    (
        "{{ l[0] }} {{ l[-1] }} {{ b[k] }} {{ b[k] }}",
        {"l": [1, 2], "b": {"n": 3}, "k": "n"},
        "1 2 3 3",
    ),
    ("{% if a %}  {% if c %} {% endif %} {% endif %}x", {"a": True, "c": True}, "x"),
    ("{{ 'lit' }}{{ 1 }}{{ 1.5 }}{{ nil }}{{ true }}{{ l }}", {"l": ["a", 1]}, "lit11.5truea1"),
    ("{{ a | default: 'd' }} {{ n | plus: 2 | times: k }}", {"a": None, "n": 1, "k": 2}, "d 6"),
    ("{% if 1 == a %}i{% endif %}{% if 'x' == a %}s{% endif %}", {"a": 1}, "i"),
    ("{% if a == true %}t{% endif %}{% if a == 1 %}1{% endif %}", {"a": True}, "t"),
    ("{% if a == empty %}e{% endif %}{% if l == empty %}E{% endif %}", {"a": "", "l": [1]}, "e"),
    (
        '{{ t | local: "Europe/Berlin", "de" }}',
        {"t": "2026-11-23T10:00:00+00:00"},
        "Montag, 23. November 2026, 11:00 MEZ",
    ),
]


@pytest.mark.parametrize(("text", "data", "want"), FAST_CASES)
def test_generated_function_renders_itself(text: str, data: dict[str, object], want: str) -> None:
    template = compile_ok(text)
    assert template._fast is not None
    assert template._fast(data) == want
    assert outcome(liquid_only(template), data) == ("ok", want)


def test_generated_function_reads_no_template_text_as_code() -> None:
    """Texts and names of the template are values in the function, never Python source."""
    text = '{{ a["\'); import os #"] }}"""{% if a.__class__ == \'x\' %}{% endif %}'
    data: dict[str, object] = {"a": {"'); import os #": "v", "__class__": "y"}}
    template = compile_ok(text)
    assert template._fast is not None
    assert template._fast(data) == outcome(liquid_only(template), data)[1] == 'v"""'


def test_as_plain_shares_plain_data_and_copies_the_rest() -> None:
    """`as_plain` returns plain data as it is and anything else as `render` copies it."""
    from routing.dsl.templates import _DATA_DEPTH_LIMIT, as_plain

    plain = {"a": [1, "x", None, {"b": True}], "c": 1.5}
    assert as_plain(plain, "r") is plain
    assert as_plain(("a", 1), "r") == ["a", 1]
    when = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    assert as_plain({"a": [when]}, "r") == {"a": ["2026-11-23T10:00:00+00:00"]}
    deep: object = "leaf"
    for _ in range(_DATA_DEPTH_LIMIT):
        deep = [deep]
    with pytest.raises(TemplateRenderError, match="nests too deeply"):
        as_plain(deep, "r")
    with pytest.raises(TemplateRenderError, match=r"'r\.a' is of type 'object'"):
        as_plain({"a": object()}, "r")


class _Text(str):
    """A text that is not an exact `str` (not plain data as it is)."""


def _is_plain_oracle(value: object, depth: int) -> bool:
    """What `_is_plain` answered before it became one loop (the general definition)."""
    from routing.dsl.templates import _DATA_DEPTH_LIMIT

    if type(value) in {str, int, float, bool, type(None)}:
        return True
    if depth >= _DATA_DEPTH_LIMIT:
        return False
    if type(value) is dict:
        if not all(type(k) is str for k in value):  # type: ignore[attr-defined]
            return False
        items: Any = list(value.values())  # type: ignore[attr-defined]
    elif type(value) is list:
        items = value
    else:
        return False
    return all(_is_plain_oracle(item, depth + 1) for item in items)


_plain_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.builds(_Text, st.text(max_size=3)),
    st.just(dt.date(2026, 11, 23)),
)
_plain_trees = st.recursive(
    _plain_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.dictionaries(st.one_of(st.integers(), st.builds(_Text, st.text(max_size=2))), inner),
    ),
    max_leaves=10,
)


@settings(max_examples=400)
@given(value=_plain_trees, depth=st.integers(min_value=0, max_value=34))
def test_is_plain_is_the_general_definition(value: object, depth: int) -> None:
    """`_is_plain` (one loop over a dict's keys and values) answers as the general
    definition, deep or not; and plain data is what `as_plain` shares as it is."""
    from routing.dsl.templates import _is_plain, as_plain

    verdict = _is_plain(value, depth)
    assert verdict == _is_plain_oracle(value, depth)
    if _is_plain(value, 1):
        assert as_plain(value, "r") is value
