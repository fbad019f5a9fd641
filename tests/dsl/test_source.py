"""EmbeddedSource: offsets in a YAML scalar's value map to the right places of the file."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.diagnostics import SourceFile
from routing.dsl.ast import YMapping, YScalar
from routing.dsl.loader import read_yaml
from routing.dsl.source import EmbeddedSource


def _scalar(text: str, key: str = "when") -> YScalar:
    tree, diags = read_yaml(text, SourceFile("r.yaml", text))
    assert diags == []
    assert isinstance(tree, YMapping)
    node = tree.get(key)
    assert isinstance(node, YScalar)
    return node


def _where(source: EmbeddedSource, start: int, end: int) -> tuple[int, int, int, int]:
    span = source.span(start, end)
    return (span.start.line, span.start.column, span.end.line, span.end.column)


@dataclass(frozen=True)
class Case:
    note: str
    yaml: str
    value: str
    needle: str  # the first occurrence of this text in the value is located
    where: tuple[int, int, int, int]  # start line, column, end line, column (1-based)


CASES = (
    Case("plain one line", "when: vip and spam\n", "vip and spam", "spam", (1, 15, 1, 19)),
    Case(
        "plain folded over two lines",
        "when: vip and\n  requester.domain == x\n",
        "vip and requester.domain == x",
        "requester",
        (2, 3, 2, 12),
    ),
    Case(
        "plain: the folded space is the line break",
        "when: vip and\n  spam\n",
        "vip and spam",
        "and spam",
        (1, 11, 2, 7),
    ),
    Case(
        "plain: a blank line is a newline",
        "when: a\n\n  b\n",
        "a\nb",
        "b",
        (3, 3, 3, 4),
    ),
    Case(
        "single-quoted with '' escapes",
        "when: 'subject == ''x'' and spam'\n",
        "subject == 'x' and spam",
        "spam",
        (1, 29, 1, 33),
    ),
    Case(
        "single-quoted: '' covers both quotes",
        "when: 'a == ''x'''\n",
        "a == 'x'",
        "'x'",
        (1, 13, 1, 18),
    ),
    Case(
        "single-quoted folded",
        "when: 'vip and\n   spam'\n",
        "vip and spam",
        "spam",
        (2, 4, 2, 8),
    ),
    Case(
        "double-quoted with escapes",
        'when: "subject == \\"a\\tb\\" and spam"\n',
        'subject == "a\tb" and spam',
        "spam",
        (1, 32, 1, 36),
    ),
    Case(
        "double-quoted: an escape spans its backslash sequence",
        'when: "x == \\"a\\tb\\""\n',
        'x == "a\tb"',
        '"a\tb"',
        (1, 13, 1, 21),
    ),
    Case(
        "double-quoted: \\u escape",
        'when: "name == \\u00e9t\\u00e9 and x"\n',
        "name == été and x",
        "été",
        (1, 16, 1, 29),
    ),
    Case(
        "double-quoted: escaped line break joins without a space",
        'when: "spa\\\n   m and x"\n',
        "spam and x",
        "and",
        (2, 6, 2, 9),
    ),
    Case(
        "double-quoted: folded line",
        'when: "vip and\n  spam"\n',
        "vip and spam",
        "spam",
        (2, 3, 2, 7),
    ),
    Case(
        "literal block",
        "when: |\n  vip and\n  spam\n",
        "vip and\nspam\n",
        "spam",
        (3, 3, 3, 7),
    ),
    Case(
        "literal block keeps more-indented text",
        "when: |\n  vip and\n    spam\n",
        "vip and\n  spam\n",
        "spam",
        (3, 5, 3, 9),
    ),
    Case(
        "literal block with an indentation indicator",
        "when: |2\n    vip\n   and spam\n",
        "  vip\n and spam\n",
        "and",
        (3, 4, 3, 7),
    ),
    Case(
        "literal block, strip chomping",
        "when: |-\n  a and\n  b\n",
        "a and\nb",
        "b",
        (3, 3, 3, 4),
    ),
    Case(
        "folded block over several lines",
        "when: >\n  vip and\n  requester.domain\n  == x\n",
        "vip and requester.domain == x\n",
        "requester",
        (3, 3, 3, 12),
    ),
    Case(
        "folded block: blank line and more-indented line",
        "when: >-\n  a\n\n  b\n    c\n  d\n",
        "a\nb\n  c\nd",
        "c",
        (5, 5, 5, 6),
    ),
    Case(
        "folded block: keep chomping and a comment in the header",
        "when: >+ # note\n  a\n  b\n\n",
        "a b\n\n",
        "b",
        (3, 3, 3, 4),
    ),
    Case(
        "nested in a sequence item",
        "rules:\n  - x\nwhen: >\n    deep\n     and\n",
        "deep\n and\n",
        "and",
        (5, 6, 5, 9),
    ),
    Case(
        "windows line endings",
        "when: 'a\r\n  and b'\r\n",
        "a and b",
        "and",
        (2, 3, 2, 6),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_embedded_source_locates_value_characters(case: Case) -> None:
    node = _scalar(case.yaml)
    assert node.value == case.value
    source = EmbeddedSource.for_scalar(node)
    start = case.value.index(case.needle)
    assert (source.exact, _where(source, start, start + len(case.needle))) == (True, case.where)


@dataclass(frozen=True)
class EdgeCase:
    note: str
    yaml: str
    start: int
    end: int
    where: tuple[int, int, int, int]


EDGES = (
    EdgeCase(
        "an empty span at the end is after the last character", "when: a b\n", 3, 3, (1, 10, 1, 10)
    ),
    EdgeCase("offsets past the end are clamped", "when: a b\n", 2, 99, (1, 9, 1, 10)),
    EdgeCase("negative offsets are clamped", "when: a b\n", -5, 1, (1, 7, 1, 8)),
    EdgeCase("end before start is empty", "when: a b\n", 2, 1, (1, 9, 1, 9)),
    EdgeCase("an empty quoted value", "when: ''\n", 0, 0, (1, 8, 1, 8)),
)


@pytest.mark.parametrize("case", EDGES, ids=[c.note for c in EDGES])
def test_embedded_source_span_edges(case: EdgeCase) -> None:
    source = EmbeddedSource.for_scalar(_scalar(case.yaml))
    assert _where(source, case.start, case.end) == case.where


def test_embedded_source_boolean_is_mapped_onto_its_text() -> None:
    """`when: True` is the condition "true"; its characters map onto the written word."""
    source = EmbeddedSource.for_scalar(_scalar("when: True\n"))
    assert (source.exact, _where(source, 0, 4)) == (False, (1, 7, 1, 11))


def test_embedded_source_falls_back_inside_the_scalar() -> None:
    """A value the decoder cannot reproduce still maps inside the scalar, never beyond it."""
    text = "when: 'abc'\n"
    source = EmbeddedSource.from_text(SourceFile("r.yaml", text), "something else", "'", 6, 11)
    assert (source.exact, _where(source, 0, 2), _where(source, 10, 14)) == (
        False,
        (1, 8, 1, 10),
        (1, 11, 1, 11),
    )


_SCALAR_TEXT = st.text(alphabet=st.sampled_from(list("ab '\"\\\n\t#:-é")), min_size=0, max_size=30)


@settings(max_examples=300, deadline=None)
@given(value=_SCALAR_TEXT, style=st.sampled_from(["'", '"', "|", ">", None]))
def test_embedded_source_is_exact_for_what_pyyaml_emits(value: str, style: str | None) -> None:
    """Every scalar PyYAML writes, in any style, is decoded exactly and maps in order."""
    try:
        text = yaml.safe_dump({"when": value}, default_style=style, width=12, allow_unicode=True)
    except yaml.YAMLError:
        return
    tree, _ = read_yaml(text, SourceFile("r.yaml", text))
    assert isinstance(tree, YMapping)
    node = tree.get("when")
    assert isinstance(node, YScalar)
    if node.value != value:  # a plain "yes" and the like: not a string when read back
        return
    source = EmbeddedSource.for_scalar(node)
    offsets = [source.offset(i) for i in range(len(value))]
    assert (source.exact, offsets) == (True, sorted(offsets))
