"""`Diagnostic` and `render_text`: the headline, the snippet and carets, truncation, JSON."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from routing.diagnostics import CODES, Diagnostic, Severity, SourceFile, render_text


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    start: int
    end: int
    want: str


CASES = (
    Case(
        "a plain span",
        "when: requestor.domain == 1\n",
        6,
        15,
        "f.yaml:1:7: error[type/mismatch]: m\n"
        "  |\n"
        "1 | when: requestor.domain == 1\n"
        "  |       ^^^^^^^^^",
    ),
    Case(
        "a tab before the span expands to the next stop of 4",
        "a:\tb == 1",
        3,
        9,
        "f.yaml:1:4: error[type/mismatch]: m\n  |\n1 | a:  b == 1\n  |     ^^^^^^",
    ),
    Case(
        "tabs before and inside the span",
        "\tx\t= y",
        1,
        6,
        "f.yaml:1:2: error[type/mismatch]: m\n  |\n1 |     x   = y\n  |     ^^^^^^^",
    ),
    Case(
        "East-Asian wide characters count two columns",
        "中文 x = 1",
        3,
        4,
        "f.yaml:1:4: error[type/mismatch]: m\n  |\n1 | 中文 x = 1\n  |      ^",
    ),
    Case(
        "a wide-character span gets two carets per character",
        'a == "返金"',
        5,
        9,
        'f.yaml:1:6: error[type/mismatch]: m\n  |\n1 | a == "返金"\n  |      ^^^^^^',
    ),
    Case(
        "an empty span gets one caret",
        "ab",
        2,
        2,
        "f.yaml:1:3: error[type/mismatch]: m\n  |\n1 | ab\n  |   ^",
    ),
    Case(
        "a span over two lines underlines both",
        "abc\ndefg\n",
        1,
        6,
        "f.yaml:1:2: error[type/mismatch]: m\n  |\n1 | abc\n  |  ^^\n2 | defg\n  | ^^",
    ),
    Case(
        "a long span shows three lines then an ellipsis",
        "l1\nl2\nl3\nl4\nl5\n",
        0,
        13,
        "f.yaml:1:1: error[type/mismatch]: m\n"
        "  |\n"
        "1 | l1\n"
        "  | ^^\n"
        "2 | l2\n"
        "  | ^^\n"
        "3 | l3\n"
        "  | ^^\n"
        "  | ...",
    ),
    Case(
        "the gutter is as wide as the largest line number",
        "\n" * 9 + "abc",
        10,
        11,
        "f.yaml:10:2: error[type/mismatch]: m\n   |\n10 | abc\n   |  ^",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_render_text_underlines_the_span(case: Case) -> None:
    """The snippet shows the line with tabs expanded; carets cover the span's display width."""
    source = SourceFile("f.yaml", case.text)
    d = Diagnostic.make("type/mismatch", "m", source.span(case.start, case.end))
    assert render_text([d]) == case.want


def test_render_text_adds_notes_and_help() -> None:
    """Notes, then the hint, follow the snippet; without a span they follow the headline."""
    source = SourceFile("f.yaml", "x\n")
    located = Diagnostic.make("name/unknown-field", "m", source.span(0, 1), hint="h", notes=["n"])
    floating = Diagnostic.make("file/empty", "nothing here", hint="add a file", notes=["n2"])
    assert render_text([located, floating]) == (
        "<input>: error[file/empty]: nothing here\n"
        "  = note: n2\n"
        "  = help: add a file\n"
        "\n"
        "f.yaml:1:1: error[name/unknown-field]: m\n"
        "  |\n"
        "1 | x\n"
        "  | ^\n"
        "  = note: n\n"
        "  = help: h"
    )


def _many(n: int) -> list[Diagnostic]:
    source = SourceFile("f.yaml", "x\n" * n)
    return [
        Diagnostic.make("type/mismatch", f"m{i}", source.span(2 * i, 2 * i + 1)) for i in range(n)
    ]


@dataclass(frozen=True)
class TruncCase:
    note: str
    count: int
    max_errors: int
    last: str
    blocks: int


TRUNCATION = (
    TruncCase("under the limit shows all", 3, 5, "  | ^", 3),
    TruncCase("one hidden", 4, 3, "1 more error not shown", 4),
    TruncCase("many hidden", 105, 100, "5 more errors not shown", 101),
    TruncCase("zero shows all", 105, 0, "    | ^", 105),
)


@pytest.mark.parametrize("case", TRUNCATION, ids=[c.note for c in TRUNCATION])
def test_render_text_truncates_after_max_errors(case: TruncCase) -> None:
    """After `max_errors` diagnostics, one line says how many more were not shown."""
    text = render_text(_many(case.count), max_errors=case.max_errors)
    assert (text.split("\n")[-1], len(text.split("\n\n"))) == (case.last, case.blocks)


def test_render_text_sorts_and_removes_duplicates() -> None:
    """Diagnostics come out sorted by (file, line, column, code), each once."""
    source = SourceFile("f.yaml", "ab\ncd\n")
    b = Diagnostic.make("type/mismatch", "b", source.span(3, 4))
    a = Diagnostic.make("name/unknown-field", "a", source.span(0, 1))
    assert [ln for ln in render_text([b, a, b]).split("\n") if ": error[" in ln] == [
        "f.yaml:1:1: error[name/unknown-field]: a",
        "f.yaml:2:1: error[type/mismatch]: b",
    ]


def test_render_text_of_nothing_is_empty() -> None:
    """No diagnostics render as the empty string."""
    assert render_text([]) == ""


def test_to_dict_has_the_documented_shape() -> None:
    """`to_dict` gives code, severity, message, hint, file, line, column and the end."""
    source = SourceFile("rules/a.yaml", "when: x\nmore")
    located = Diagnostic.make("type/mismatch", "m", source.span(6, 10), hint="h")
    floating = Diagnostic.make("action/conflicting-set", "w")
    assert (located.to_dict(), floating.to_dict()) == (
        {
            "code": "type/mismatch",
            "severity": "error",
            "message": "m",
            "hint": "h",
            "file": "rules/a.yaml",
            "line": 1,
            "column": 7,
            "end_line": 2,
            "end_column": 3,
        },
        {
            "code": "action/conflicting-set",
            "severity": "warning",
            "message": "w",
            "hint": None,
            "file": None,
            "line": None,
            "column": None,
            "end_line": None,
            "end_column": None,
        },
    )


@pytest.mark.parametrize("code", sorted(CODES), ids=sorted(CODES))
def test_make_works_for_every_registered_code(code: str) -> None:
    """Every code in CODES makes a diagnostic with its registered severity and renders."""
    d = Diagnostic.make(code, "msg")
    assert (d.code, d.severity, render_text([d])) == (
        code,
        CODES[code].severity,
        f"<input>: {CODES[code].severity.value}[{code}]: msg",
    )


def test_codes_are_stage_slash_kebab_with_known_severities() -> None:
    """Codes are `<stage>/<slug>` in lower kebab case; warnings are the documented few."""
    bad = [c for c in CODES if c.count("/") != 1 or c != c.lower() or " " in c or "_" in c]
    warnings = sorted(c for c, info in CODES.items() if info.severity is Severity.WARNING)
    assert (bad, warnings) == ([], ["action/conflicting-set", "rule/constant-condition"])
