"""`TemplateData`: template data made plain once per decision, per root a template reads.

Rendering with a `TemplateData` gives what rendering with the plain mapping gives: the same
text, or the same error.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.dsl.test_templates import (
    ERROR_CASES,
    RENDER_CASES,
    ErrorCase,
    RenderCase,
    compile_ok,
)

from routing.dsl.templates import TemplateData, TemplateRenderError


@pytest.mark.parametrize("case", RENDER_CASES, ids=[c.note for c in RENDER_CASES])
def test_template_data_renders_as_the_mapping(case: RenderCase) -> None:
    """The same text as `render(mapping)`."""
    template = compile_ok(case.text)
    assert template.render(TemplateData(case.data)) == case.want


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.note for c in ERROR_CASES])
def test_template_data_fails_as_the_mapping(case: ErrorCase) -> None:
    """The same error as `render(mapping)`."""
    template = compile_ok(case.text)
    with pytest.raises(TemplateRenderError) as info:
        template.render(TemplateData(case.data))
    assert str(info.value) == case.message


def test_template_data_shared_by_templates() -> None:
    """Several templates render from one `TemplateData`; each root is made plain once."""
    data = TemplateData(
        {
            "requester": {"name": "Ann", "tags": {"b", "a"}},
            "at": dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
            "unread": object(),  # not plain data, and no template reads it: no error
        }
    )
    greet = compile_ok("Hi {{ requester.name }} {{ requester.tags | join: ',' }}")
    when = compile_ok("{{ at | local: 'Europe/Berlin' }} for {{ requester.name }}")
    assert [greet.render(data), when.render(data), greet.render(data)] == [
        "Hi Ann a,b",
        "Monday 23 November 2026, 10:30 (CET) for Ann",
        "Hi Ann a,b",
    ]
    reads = frozenset({"requester", "at"})
    assert data.select(reads)["requester"] is data.select(reads)["requester"]


def test_template_data_computed_root_reads_every_root() -> None:
    """A template whose root is computed (``[name]``) sees every root."""
    template = compile_ok("{{ [name] }}")
    assert template.render(TemplateData({"name": "x", "x": "found"})) == "found"


def test_template_data_undefined_root_is_an_error() -> None:
    """A root the data lacks is undefined, as with a mapping."""
    template = compile_ok("{{ missing }}")
    with pytest.raises(TemplateRenderError) as info:
        template.render(TemplateData({"present": 1}))
    assert str(info.value) == "undefined variable 'missing' (line 1, column 4)"


def test_template_data_refuses_a_key_that_is_not_a_string() -> None:
    """Top-level keys are checked when the data is made."""
    with pytest.raises(TemplateRenderError) as info:
        TemplateData({1: "a"})  # type: ignore[dict-item]
    assert str(info.value) == "template data at '' has a int key, not a string"


def test_local_with_language_tells_repeated_wall_times_apart() -> None:
    """Localised texts are remembered by wall time, offset, zone and language: the two 02:30
    of the autumn change stay apart, in either order."""
    template = compile_ok("{{ at | local: 'Europe/Berlin', 'de' }}")
    instants = ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z"]
    assert [template.render({"at": at}) for at in instants] == [
        "Sonntag, 25. Oktober 2026, 02:30 MESZ",
        "Sonntag, 25. Oktober 2026, 02:30 MEZ",
        "Sonntag, 25. Oktober 2026, 02:30 MESZ",
    ]
    utc = compile_ok("{{ at | local: 'UTC', 'de' }}").render({"at": instants[0]})
    assert utc == "Sonntag, 25. Oktober 2026, 00:30 UTC"
