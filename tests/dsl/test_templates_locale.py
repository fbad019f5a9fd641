"""The ``local`` filter with a language: dates the way the requester's language writes them."""

from __future__ import annotations

import pytest

from routing.diagnostics import SourceFile
from routing.dsl.templates import CompiledTemplate, TemplateVariable, parse_template

INSTANT = "2026-11-23T09:00:00+00:00"  # a Monday, 10:00 in Berlin


def _template(text: str) -> CompiledTemplate:
    template, diagnostics = parse_template(text, SourceFile("t.liquid", text))
    assert diagnostics == []
    assert template is not None
    return template


LOCALISED = _template("{{ at | local: zone, language }}")


@pytest.mark.parametrize(
    ("zone", "language", "want"),
    [
        ("Europe/Berlin", "de", "Montag, 23. November 2026, 10:00 MEZ"),
        ("Europe/Vienna", "de-AT", "Montag, 23. November 2026, 10:00 MEZ"),
        ("Europe/Paris", "fr", "lundi 23 novembre 2026, 10:00 UTC+01:00"),
        ("America/Toronto", "fr_CA", "lundi 23 novembre 2026, 04 h 00 HNE"),
        ("Asia/Tokyo", "ja", "2026年11月23日月曜日 18:00 JST"),
        ("America/New_York", "en", "Monday, November 23, 2026, 4:00\u202fAM EST"),
        ("Europe/London", "EN-gb", "Monday, 23 November 2026, 09:00 GMT"),
        ("Europe/Lisbon", "pt-PT", "segunda-feira, 23 de novembro de 2026, 09:00 WET"),
        ("Europe/Berlin", "xx", "Monday, November 23, 2026, 10:00\u202fAM GMT+01:00"),
        ("Europe/Berlin", "de-XX", "Montag, 23. November 2026, 10:00 MEZ"),
        ("Europe/Berlin", "", "Monday, November 23, 2026, 10:00\u202fAM GMT+01:00"),
        ("Europe/Berlin", None, "Monday, November 23, 2026, 10:00\u202fAM GMT+01:00"),
        ("Europe/Berlin", 42, "Monday, November 23, 2026, 10:00\u202fAM GMT+01:00"),
        (None, "de", "Montag, 23. November 2026, 09:00 UTC"),
    ],
    ids=[
        "de",
        "de-AT",
        "fr",
        "fr_CA",
        "ja",
        "en",
        "en-GB in other case",
        "pt-PT",
        "unknown language",
        "unknown region of a known language",
        "empty language",
        "null language",
        "not a string",
        "no zone is UTC",
    ],
)
def test_local_with_language(zone: str | None, language: object, want: str) -> None:
    data = {"at": INSTANT, "zone": zone, "language": language}
    assert LOCALISED.render(data) == want


def test_local_without_language_keeps_its_own_english_format() -> None:
    template = _template("{{ at | local: 'Europe/Berlin' }}")
    assert template.render({"at": INSTANT}) == "Monday 23 November 2026, 10:00 (CET)"


def test_local_with_language_renders_null_as_empty() -> None:
    assert LOCALISED.render({"at": None, "zone": "Europe/Berlin", "language": "de"}) == ""


def test_calendar_paths_are_listed_as_variables() -> None:
    text = '{{ calendars["support-eu"].next_open | local: requester.timezone, "de" }}'
    assert _template(text).variables == (
        TemplateVariable(("calendars", "support-eu", "next_open"), 3, 36),
        TemplateVariable(("requester", "timezone"), 46, 64),
    )
