"""EmbeddedSource's shortcut for scalars written verbatim (one line, no escapes) maps every
offset exactly as the character-by-character decoder does."""

from __future__ import annotations

import pytest

from routing.diagnostics import SourceFile
from routing.dsl import source as source_module
from routing.dsl.ast import YamlNode, YMapping, YScalar, YSequence
from routing.dsl.loader import read_yaml
from routing.dsl.source import EmbeddedSource

TEXT = """\
a: plain text here
b: 'single quoted'
c: "double quoted"
d: 'it''s doubled'
e: "tab\\there"
f: "trailing   "
g: 'trailing  '
h: 'quoted	with tab'
i: 'ü and 二段階 and 😀'
j: "folded
  over lines"
k: ''
l: ""
m: [x == 1, 'y in $z', "w"]
n: {o: p q}
r: '  leading spaces'
"""


def _scalars(node: YamlNode) -> list[YScalar]:
    if isinstance(node, YScalar):
        return [node]
    if isinstance(node, YMapping):
        return [s for k, v in node.items for s in (*_scalars(k), *_scalars(v))]
    assert isinstance(node, YSequence)
    return [s for item in node.items for s in _scalars(item)]


def _every_span(em: EmbeddedSource) -> tuple[object, ...]:
    n = len(em)
    spans = [
        (i, j, em.span(i, j).start, em.span(i, j).end)
        for i in range(-1, n + 2)
        for j in range(-1, n + 2)
    ]
    offsets = [em.offset(i) for i in range(-1, n + 2)]
    return (spans, offsets, em.exact, len(em))


def test_the_shortcut_maps_like_the_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    tree, diagnostics = read_yaml(TEXT, SourceFile("s.yaml", TEXT))
    assert diagnostics == []
    assert tree is not None
    scalars = [s for s in _scalars(tree) if isinstance(s.value, str)]
    fast = [_every_span(EmbeddedSource.for_scalar(s)) for s in scalars]
    shortcut = [s.value for s in scalars if isinstance(EmbeddedSource.for_scalar(s)._starts, range)]
    monkeypatch.setattr(source_module, "_verbatim", lambda *args: False)
    slow = [_every_span(EmbeddedSource.for_scalar(s)) for s in scalars]
    assert fast == slow
    # the shortcut is taken where it applies, and only there
    assert shortcut == [
        "a", "plain text here", "b", "single quoted", "c", "double quoted", "d", "e", "f",
        "g", "h", "quoted\twith tab", "i", "ü and 二段階 and 😀", "j", "k", "", "l", "",
        "m", "x == 1", "y in $z", "w", "n", "o", "p q", "r", "  leading spaces",
    ]  # fmt: skip
