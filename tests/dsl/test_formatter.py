"""`routing.dsl.formatter`: canonical, idempotent, comment-keeping, meaning-preserving."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.dsl.test_robustness import SEEDS
from tests.strategies import MUTATIONS, Mutation, mutate

from routing.diagnostics import SourceFile
from routing.dsl.ast import Condition, YMapping, YScalar
from routing.dsl.expr_parser import parse_expression
from routing.dsl.formatter import format_text
from routing.dsl.loader import load_text

if TYPE_CHECKING:
    from tests.conftest import Golden

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "fmt"
INPUTS = sorted(GOLDEN.glob("*.yaml"))


def _formatted(path: Path) -> Path:
    return path.with_name(path.name + ".formatted")


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_golden(path: Path, golden: Golden) -> None:
    """Each input formats to exactly its .formatted golden."""
    out, diagnostics = format_text(path.read_text(encoding="utf-8"), path.name)
    assert diagnostics == []
    assert out is not None
    golden.check(_formatted(path), out)


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_golden_is_idempotent(path: Path) -> None:
    """Formatting a formatted file changes nothing."""
    text = _formatted(path).read_text(encoding="utf-8")
    assert format_text(text, path.name) == (text, [])


def _meaning(node: object) -> object:
    """A loaded tree with expressions as syntax trees and YAML scalar styles left out."""
    if isinstance(node, Condition):
        expr, _ = parse_expression(node.text, SourceFile("<expr>", node.text))
        return ("condition", expr if expr is not None else node.text)
    if isinstance(node, YScalar):
        return ("scalar", node.value)
    if isinstance(node, YMapping):  # calendar specs: plain data, keys in any order
        return ("mapping", sorted((str(k.value), repr(_meaning(v))) for k, v in node.items))
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        values = [_meaning(getattr(node, f.name)) for f in dataclasses.fields(node) if f.compare]
        return (type(node).__name__, *values)
    if isinstance(node, tuple | list):
        return tuple(_meaning(item) for item in node)
    return node


LOADABLE = [p for p in INPUTS if p.stem != "yaml11_quoting"]


@pytest.mark.parametrize("path", LOADABLE, ids=[p.stem for p in LOADABLE])
def test_formatting_keeps_the_meaning(path: Path) -> None:
    """The loader reads the same rule file, with the same diagnostics, before and after."""
    before, before_diagnostics = load_text(path.read_text(encoding="utf-8"), path.name)
    after, after_diagnostics = load_text(_formatted(path).read_text(encoding="utf-8"), path.name)
    assert _meaning(after) == _meaning(before)
    assert sorted((d.code, d.message) for d in after_diagnostics) == sorted(
        (d.code, d.message) for d in before_diagnostics
    )


def test_quoting_settles_what_yaml_1_1_would_misread() -> None:
    """After fmt, the loader finds no ambiguous scalar left but the numbers meant as strings."""
    path = GOLDEN / "yaml11_quoting.yaml.formatted"
    _, diagnostics = load_text(path.read_text(encoding="utf-8"), path.name)
    assert [d.message for d in diagnostics] == [
        "'1.10' is read as the number 1.1 here, not as a string",
        "'3' is read as the number 3 here, not as a string",
        "'true' is read as the boolean true here, not as a string",
        "'null' is read as null here, not as a string",
        "'~' is read as null here, not as a string",
    ]


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    want: str


CASES = (
    Case("empty text stays empty", "", ""),
    Case("a final newline is added", "version: 1", "version: 1\n"),
    Case("trailing spaces go", "version: 1   \nqueues: [a]  \n", "version: 1\nqueues: [a]\n"),
    Case("only comments", "# a\n\n\n# b\n", "# a\n\n# b\n"),
    # found by fuzzing: a file that ends in a block scalar without a final line break was
    # refused as "formatting would change what the file means (a bug)": the added line break
    # went into the value. Such a block is now written with "strip" chomping.
    Case(
        "a literal block at the end without a final line break",
        "templates:\n  t: |\n    hello\n    world",
        "templates:\n  t: |-\n    hello\n    world\n",
    ),
    Case(
        "a folded block at the end without a final line break",
        "templates:\n  t: >\n    hello",
        "templates:\n  t: >-\n    hello\n",
    ),
    Case(
        "a keep block at the end without a final line break",
        "templates:\n  t: |+\n    hello",
        "templates:\n  t: |-\n    hello\n",
    ),
    Case(
        # found by fuzzing: the line of spaces was dropped as a trailing empty line
        "a last line of spaces beyond the block's indentation is content",
        "templates:\n  t: |\n    a\n     \n  u: x\n",
        "templates:\n  t: |\n    a\n     \n\n  u: x\n",
    ),
    Case(
        # found by fuzzing: the empty value's comment position was the next line's, so the
        # next entry's comment moved up to it, and on a second run moved again
        "an empty value does not take the next line's comment",
        "a:\n  special:\nx: 1  # c\n",
        "a:\n  special:\nx: 1  # c\n",
    ),
    Case(
        "a literal block at the end with its line break keeps its header",
        "templates:\n  t: |\n    hello\n",
        "templates:\n  t: |\n    hello\n",
    ),
    Case(
        "sequences are indented under their key",
        "queues:\n- a\n-   b\n",
        "queues:\n  - a\n  - b\n",
    ),
    Case(
        "mappings are indented by two",
        "calendars:\n    eu:\n        timezone: UTC\n        hours: {}\n",
        "calendars:\n  eu:\n    timezone: UTC\n    hours: {}\n",
    ),
    Case(
        "blank lines collapse and leave the start of a block",
        "queues:\n\n  - a\n\n\n\n  - b\n",
        "queues:\n  - a\n\n  - b\n",
    ),
    Case(
        "a define is an expression",
        "define:\n  vip: a  and  (b)\n",
        "define:\n  vip: a and b\n",
    ),
    Case(
        "an expression that cannot be plain is quoted",
        'define:\n  x: \'"a" in tags\'\n  y: \'subject == "re: x"\'\n  z: "[1] has x"\n',
        'define:\n  x: \'"a" in tags\'\n  y: \'subject == "re: x"\'\n  z: "[1] has x"\n',
    ),
    Case(
        "an expression with a quote and an apostrophe is double-quoted",
        """define:\n  x: '"a" == "it''s"'\n""",
        """define:\n  x: "\\"a\\" == \\"it's\\""\n""",
    ),
    Case(
        "when outside a rule is not an expression",
        "custom:\n  when: a  and b\n",
        "custom:\n  when: a  and b\n",
    ),
    Case(
        "a flow collection with an empty value becomes a block",
        "lists: {a: [x], b: }\n",
        "lists:\n  a: [x]\n  b:\n",
    ),
    Case(
        "a document start marker goes",
        "---\nversion: 1\n...\n",
        "version: 1\n",
    ),
    Case(
        "a header comment without a blank line stays with the first key",
        "# about stages\nstages: []\nversion: 1\n",
        "version: 1\n# about stages\nstages: []\n",
    ),
    Case(
        "a block scalar keeps its chomping and text",
        "templates:\n      t: |+\n         a\n           b\n\n"
        "      u: >-\n         c\n         d\n",
        "templates:\n  t: |+\n    a\n      b\n\n  u: >-\n    c\n    d\n",
    ),
    Case(
        "a block scalar with an indentation indicator is written again as a literal",
        "templates:\n  t: |4\n       a\n      b\n",
        "templates:\n  t: |2\n     a\n    b\n",
    ),
    Case(
        "a single-quoted value with an escape-worthy character stays single-quoted",
        "lists:\n  x: ['it''s', 'a\\b']\n",
        "lists:\n  x: ['it''s', 'a\\b']\n",
    ),
    Case(
        "a multi-line plain value is joined",
        "templates:\n  t: one\n    two\n",
        "templates:\n  t: one two\n",
    ),
    Case(
        "a comment after a multi-line quoted value stays on its line",
        'templates:\n  t: "multi\n    line # not"  # yes\n',
        'templates:\n  t: "multi line # not"  # yes\n',
    ),
    Case(
        "an end-of-line comment on a flow collection keeps it flow",
        "queues: [a, b]  # the queues\n",
        "queues: [a, b]  # the queues\n",
    ),
    Case(
        "a comment inside a multi-line flow collection makes it a block",
        "queues: [a,\n  # second\n  b]\n",
        "queues:\n  - a\n  # second\n  - b\n",
    ),
    Case(
        "comments of a moved first rule key stay before its dash",
        "stages:\n  - mode: all\n    # the name\n    name: s\n    rules: []\n",
        "stages:\n  # the name\n  - name: s\n    mode: all\n    rules: []\n",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_format_text(case: Case) -> None:
    """Small inputs format to exactly the expected text, and that text is a fixed point."""
    assert format_text(case.text, "t.yaml") == (case.want, [])
    assert format_text(case.want, "t.yaml") == (case.want, [])


@dataclass(frozen=True)
class Bad:
    note: str
    text: str
    want: list[str]


BAD = (
    Bad(
        "a YAML syntax error",
        "version: 1\nqueues: [a\n",
        ["t.yaml:3:1: error[yaml/syntax]: expected ',' or ']', but got '<stream end>'"],
    ),
    Bad(
        "an anchor",
        "lists:\n  a: &x [1]\n",
        ["t.yaml:2:6: error[yaml/alias]: YAML anchors and aliases are not allowed"],
    ),
    Bad(
        "an explicit tag",
        "version: !!int 1\n",
        ["t.yaml:1:10: error[yaml/tag]: explicit YAML tags are not allowed"],
    ),
    Bad(
        "two documents",
        "version: 1\n---\nversion: 1\n",
        ["t.yaml:2:1: error[yaml/syntax]: a rule file holds one YAML document"],
    ),
    Bad(
        "a collection as a key",
        "? [a]\n: b\n",
        ["t.yaml:1:3: error[yaml/syntax]: a mapping key must be a one-line string"],
    ),
)


@pytest.mark.parametrize("case", BAD, ids=[c.note for c in BAD])
def test_format_text_refuses(case: Bad) -> None:
    """Text a rule file may not hold gives no output and a located diagnostic."""
    out, diagnostics = format_text(case.text, "t.yaml")
    assert (out, [d.headline() for d in diagnostics]) == (None, case.want)


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_formatting_mutated_rule_files_keeps_the_meaning(seed: Path) -> None:
    """Deleted, duplicated, swapped, edited and re-indented lines of a real rule file: what
    `format_text` formats it formats once for all, and the loader reads the same rule file
    with the same diagnostics from both. (This found the block scalar at the end of a file
    without a final line break.)"""
    original = seed.read_text(encoding="utf-8")

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(MUTATIONS, min_size=1, max_size=4))
    def run(mutations: list[Mutation]) -> None:
        text = mutate(original, mutations)
        formatted, _ = format_text(text, seed.name)
        if formatted is None:
            return
        assert format_text(formatted, seed.name) == (formatted, [])
        before, before_diagnostics = load_text(text, seed.name)
        after, after_diagnostics = load_text(formatted, seed.name)
        assert _meaning(after) == _meaning(before)
        assert sorted((d.code, d.message) for d in after_diagnostics) == sorted(
            (d.code, d.message) for d in before_diagnostics
        )

    run()


@pytest.mark.parametrize("depth", [100, 101, 5000])
def test_nesting_is_limited_as_the_loader_limits_it(depth: int) -> None:
    """Collections nested beyond `MAX_YAML_DEPTH` are the loader's located `yaml/syntax`
    error, not a RecursionError ("maximum recursion depth exceeded"); up to it, formatted."""
    inner = depth - 2  # the root mapping and `lists:` are two levels
    text = "version: 1\nlists:\n  a: " + "[" * inner + "x" + "]" * inner + "\n"
    formatted, diagnostics = format_text(text, "deep.yaml")
    if depth <= 100:
        assert (formatted is not None, diagnostics) == (True, [])
        return
    assert formatted is None
    assert [(d.code, d.message, str(d.span)) for d in diagnostics] == [
        ("yaml/syntax", "collections nested more than 100 levels deep", "deep.yaml:3:104")
    ]
