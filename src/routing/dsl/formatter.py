"""The canonical text of a rule file (``routing fmt``): layout, key order, expressions.

`format_text` reads the YAML event stream with ruamel.yaml (which marks where every node
starts and ends), rebuilds a small tree, attaches each comment and blank line of the source
to the entry it belongs to, and prints the tree again in one canonical layout:

- two-space indentation; a sequence is indented under its key (``- `` at +2);
- known keys in the order of DESIGN.md section 4 (top level, stages, rules, SLA policies,
  agents, calendars, custom fields, the ``replies`` section and its rate limits); unknown
  keys keep their positions;
- every ``when``/``define``/``pause_when`` expression that parses is printed again with
  `routing.dsl.printer.print_expr`: one line, or a folded ``>-`` block when the line would
  be wider than `WIDTH`; an expression that does not parse is kept as written;
- other scalars keep their style; a plain value that YAML 1.1 would read as another type
  (``no``, ``12:30``, ``2026-12-24``) is double-quoted;
- a flow collection stays flow when it fits on one line and holds no comment;
- comments stay with their entries; runs of blank lines become one blank line; a final
  newline and no trailing spaces (except inside block scalars, whose text is kept).

The output is read again and compared with the input (values, and expressions as syntax
trees), so formatting never changes what a rule file means. docs/cli/fmt.md has the rules.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.reader import ReaderError

from routing.diagnostics import Diagnostic, SourceFile
from routing.dsl.ast import Expr
from routing.dsl.expr_parser import parse_expression
from routing.dsl.loader import MAX_YAML_DEPTH, resolve_scalar
from routing.dsl.printer import print_expr

__all__ = ["KEY_ORDER", "WIDTH", "format_text"]

#: Lines are kept within this many columns where the layout allows it.
WIDTH = 90

#: The canonical key order of each kind of mapping (DESIGN.md section 4).
KEY_ORDER: dict[str, tuple[str, ...]] = {
    "root": (
        "version",
        "fields",
        "lists",
        "queues",
        "define",
        "calendars",
        "templates",
        "replies",
        "sla_policies",
        "agents",
        "stages",
        "spam_threshold",
    ),
    "stage": ("name", "description", "mode", "rules"),
    "rule": ("name", "description", "on", "enabled", "when", "then", "stop"),
    "sla_policy": ("name", "when", "calendar", "clock", "targets", "pause_when", "warn_at"),
    "agent": ("id", "queues", "skills", "calendar"),
    "calendar": ("timezone", "hours", "holidays", "closed", "special"),
    "field": ("type", "values", "items"),
    "replies": ("from", "own_addresses", "rate_limits"),
    "rate_limit": ("limit", "per"),
}

# (role of a mapping, key) -> role of the value; "seq:X" is a sequence of X, "map:X" a
# mapping whose values are X; "expr" is an expression scalar.
_CHILD_ROLES = {
    ("root", "fields"): "map:field",
    ("root", "define"): "map:expr",
    ("root", "calendars"): "map:calendar",
    ("root", "sla_policies"): "seq:sla_policy",
    ("root", "agents"): "seq:agent",
    ("root", "stages"): "seq:stage",
    ("root", "replies"): "replies",
    ("replies", "rate_limits"): "seq:rate_limit",
    ("stage", "rules"): "seq:rule",
    ("rule", "when"): "expr",
    ("sla_policy", "when"): "expr",
    ("sla_policy", "pause_when"): "expr",
}

_BLANK = ""  # a blank line in a list of trivia; comments start with "#"
_MODELINE = "# yaml-language-server:"


class _FormatError(Exception):
    def __init__(self, code: str, message: str, index: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index


# --------------------------------------------------------------------------- the tree


@dataclass(eq=False)
class _Scalar:
    value: str
    style: str  # "" plain, "'", '"', "|" or ">"
    start: int
    end: int
    line: int
    end_line: int
    expr: str | None = None  # the canonical text, for an expression that parses


@dataclass(eq=False)
class _Coll:
    kind: str  # "map" or "seq"
    flow: bool
    start: int
    line: int
    column: int
    parent: _Entry | None
    end: int = 0
    end_line: int = 0
    entries: list[_Entry] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)

    @property
    def outer(self) -> _Coll | None:
        return self.parent.parent if self.parent is not None else None


_Node = _Scalar | _Coll


@dataclass(eq=False)
class _Entry:
    parent: _Coll
    line: int
    column: int
    key: _Scalar | None  # None for a sequence item
    value: _Node | None = None
    leading: list[str] = field(default_factory=list)
    eol: str | None = None

    @property
    def node(self) -> _Node:
        assert self.value is not None
        return self.value

    def collections(self) -> Iterator[_Coll]:
        """The collections this entry is in, innermost first."""
        coll: _Coll | None = self.parent
        while coll is not None:
            yield coll
            coll = coll.outer

    def flow_owner(self) -> _Coll | None:
        """The outermost flow collection this entry is in, if any."""
        owner = None
        for coll in self.collections():
            if coll.flow:
                owner = coll
        return owner


class _Builder:
    """Builds the tree from ruamel's event stream, refusing what rule files forbid."""

    def __init__(self, events: Iterator[Event]) -> None:
        self.events = events
        self.entries: list[_Entry] = []  # in document order, parents before children
        self.scalars: list[_Scalar] = []

    def build(self) -> _Node | None:
        root: _Node | None = None
        ev = next(self.events)
        assert isinstance(ev, StreamStartEvent)
        ev = next(self.events)
        if isinstance(ev, DocumentStartEvent):
            root = self.node(next(self.events), None)
            ev = next(self.events)
            assert isinstance(ev, DocumentEndEvent)
            ev = next(self.events)
        if not isinstance(ev, StreamEndEvent):
            raise _FormatError(
                "yaml/syntax", "a rule file holds one YAML document", ev.start_mark.index
            )
        return root

    def node(self, ev: Event, parent: _Entry | None, depth: int = 0) -> _Node:
        mark = ev.start_mark
        if isinstance(ev, AliasEvent) or getattr(ev, "anchor", None):
            raise _FormatError("yaml/alias", "YAML anchors and aliases are not allowed", mark.index)
        if getattr(ev, "tag", None) is not None:
            raise _FormatError("yaml/tag", "explicit YAML tags are not allowed", mark.index)
        if isinstance(ev, ScalarEvent):
            end = ev.end_mark
            scalar = _Scalar(ev.value, ev.style or "", mark.index, end.index, mark.line, end.line)
            self.scalars.append(scalar)
            return scalar
        assert isinstance(ev, MappingStartEvent | SequenceStartEvent)
        if depth >= MAX_YAML_DEPTH:  # as the loader says it; deeper would exhaust the stack
            message = f"collections nested more than {MAX_YAML_DEPTH} levels deep"
            raise _FormatError("yaml/syntax", message, mark.index)
        kind = "map" if isinstance(ev, MappingStartEvent) else "seq"
        coll = _Coll(kind, bool(ev.flow_style), mark.index, mark.line, mark.column, parent)
        while True:
            ev = next(self.events)
            if isinstance(ev, MappingEndEvent | SequenceEndEvent):
                coll.end, coll.end_line = ev.end_mark.index, ev.end_mark.line
                return coll
            if kind == "map":
                key = self.node(ev, None, depth + 1)
                if not isinstance(key, _Scalar) or key.style in ("|", ">"):
                    raise _FormatError(
                        "yaml/syntax", "a mapping key must be a one-line string", key.start
                    )
                entry = _Entry(coll, key.line, ev.start_mark.column, key)
                self.entries.append(entry)
                entry.value = self.node(next(self.events), entry, depth + 1)
            else:
                column = ev.start_mark.column if coll.flow else coll.column
                entry = _Entry(coll, ev.start_mark.line, column, None)
                self.entries.append(entry)
                entry.value = self.node(ev, entry, depth + 1)
            coll.entries.append(entry)


# --------------------------------------------------------------------------- scalars

_YAML11_NOT_STRING = re.compile(
    r"""(?x) y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|~|null|Null|NULL
    |[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
    |[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
     (([Tt]|[\ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\.[0-9]*)?
      ([\ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)?
    |<<|="""
)
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r"[\r\n\x85\u2028\u2029]")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _is_string(text: str) -> bool:
    """Whether a plain scalar reads as a string (YAML 1.2 core, as the loader reads it)."""
    return isinstance(resolve_scalar(text, ""), str)


def _plain_ok(text: str, flow: bool, key: bool = False) -> bool:
    """Whether `text` reads back as this same string when written as a plain scalar."""
    if not text or text != text.strip(" \t") or _UNSAFE.search(text) or _BREAKS.search(text):
        return False
    if not _is_string(text) or (not key and _YAML11_NOT_STRING.fullmatch(text)):
        return False
    if text[0] in ",[]{}#&*!|>'\"%@`" or text.startswith(("---", "...")):
        return False
    if text[0] in "-?:" and (len(text) == 1 or text[1] in " \t,[]{}"):
        return False
    if any(s in text for s in (": ", ":\t", " #", "\t#")) or text.endswith(":"):
        return False
    return not (flow and any(c in text for c in ",[]{}"))


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _UNSAFE.match(ch):
            out.append(f"\\x{ord(ch):02X}" if ord(ch) < 0x100 else f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _single_quoted(text: str) -> str | None:
    if _UNSAFE.search(text) or _BREAKS.search(text) or text != text.strip(" \t"):
        return None
    return "'" + text.replace("'", "''") + "'"


def _quote_expression(text: str) -> str:
    """An expression that cannot be plain: double quotes, or single ones to avoid escapes."""
    if any(c in _ESCAPES for c in text) and "'" not in text:
        single = _single_quoted(text)
        if single is not None:
            return single
    return _double_quoted(text)


def _inline(s: _Scalar, flow: bool, key: bool = False) -> str | None:
    """The one-line text of a scalar, or None for a block scalar."""
    if s.expr is not None:
        return s.expr if _plain_ok(s.expr, flow) else _quote_expression(s.expr)
    if s.style == "":
        if not _is_string(s.value) or _plain_ok(s.value, flow, key):
            return s.value
        return _double_quoted(s.value)
    if s.style == "'":
        return _single_quoted(s.value) or _double_quoted(s.value)
    if s.style == '"':
        return _double_quoted(s.value)
    return None


_BLOCK_HEADER = re.compile(r"[|>]([-+]?)([1-9]?)([-+]?)")


def _block(s: _Scalar, text: str, indent: int) -> tuple[str, list[str]]:
    """The header and content lines of a block scalar, its text moved to `indent`."""
    header = _BLOCK_HEADER.match(text, s.start)
    assert header is not None
    chomp = header.group(1) or header.group(3)
    pad = " " * indent
    if chomp != "-" and not s.value.endswith("\n"):
        # a block at the end of a file without a final line break has none in its value;
        # the formatted file ends with one, which "clip" or "keep" would add to the value
        chomp = "-"
    if not header.group(2):  # the indentation comes from the first line: move the lines
        raw = text[_body_start(text, s) : s.end].split("\n")
        content = [line for line in raw if line.strip(" ")]
        old = len(content[0]) - len(content[0].lstrip(" ")) if content else 0
        if chomp != "+":
            # trailing empty lines are not in the value, but a line of spaces beyond the
            # block's indentation is: a space (or more) and a line break
            while raw and not raw[-1].strip(" ") and len(raw[-1]) <= old:
                raw.pop()
        elif raw and not raw[-1].strip(" "):
            raw.pop()  # the line the next node starts on
        return s.style + chomp, [pad + line[old:] if len(line) > old else "" for line in raw]
    # an explicit indentation indicator: write the value again as a literal block
    value = s.value
    if value.endswith("\n\n") or value == "\n":
        chomp, lines = "+", value.split("\n")[:-1]
    elif value.endswith("\n"):
        chomp, lines = "", value[:-1].split("\n")
    else:
        chomp, lines = "-", value.split("\n") if value else []
    first = next((line for line in lines if line), "")
    indicator = "2" if first.startswith(" ") else ""
    return "|" + indicator + chomp, [pad + line if line else "" for line in lines]


def _body_start(text: str, s: _Scalar) -> int:
    newline = text.find("\n", s.start, s.end)
    return s.end if newline < 0 else newline + 1


def _literal_spans(text: str) -> list[tuple[int, int]]:
    """Where the string and regex literals of a printed expression are."""
    spans = []
    i = 0
    while i < len(text):
        quote = text[i]
        if quote in "\"'/":
            j = i + 1
            while j < len(text) and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            spans.append((i, j))
            i = j + 1
        else:
            i += 1
    return spans


def _fold(expr: str, width: int) -> list[str] | None:
    """`expr` as the lines of a folded block, broken only before `and`/`or` so that no
    test is split across lines; a line stays longer than `width` when a test is."""
    if _UNSAFE.search(expr) or _BREAKS.search(expr):
        return None
    literals = _literal_spans(expr)
    breaks = [
        i
        for i, ch in enumerate(expr)
        if ch == " "
        and 0 < i < len(expr) - 1
        and expr[i - 1] != " "
        and expr[i + 1] != " "
        and expr.startswith(("and ", "or "), i + 1)
        and not any(a < i < b for a, b in literals)
    ]
    lines: list[str] = []
    start = 0
    last = None
    for i in [*breaks, len(expr)]:
        if i - start > width and last is not None:
            lines.append(expr[start:last])
            start = last + 1
        last = i
    lines.append(expr[start:])
    return lines if len(lines) > 1 else None


# --------------------------------------------------------------------------- trivia


class _Trivia:
    """Finds the comments and blank lines of a text and attaches them to the tree."""

    def __init__(self, text: str, builder: _Builder, root: _Node | None) -> None:
        self.text = text
        self.root = root
        ranges = []
        for s in builder.scalars:
            if s.style in ("|", ">"):
                header = _BLOCK_HEADER.match(text, s.start)
                end = s.end
                if header is None or "+" not in header.group(0):
                    while end > s.start and text[end - 1] in " \n":
                        end -= 1
                ranges.append((_body_start(text, s) - 1, end))
            else:
                ranges.append((s.start, s.end))
        self.ranges = sorted(ranges)
        self.starts = [r[0] for r in self.ranges]
        self.anchors = sorted(builder.entries, key=lambda e: e.line)
        self.anchor_lines = [e.line for e in self.anchors]
        self.depth = {id(e): len(list(e.collections())) for e in builder.entries}
        self.eol_targets: dict[int, list[_Entry]] = {}
        for e in builder.entries:
            line = _eol_line(e)
            if line is not None:
                self.eol_targets.setdefault(line, []).append(e)

    def _range_of(self, index: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.starts, index) - 1
        return self.ranges[i] if i >= 0 and index < self.ranges[i][1] else None

    def _comment_column(self, line: str, line_start: int) -> int | None:
        for i, ch in enumerate(line):
            at_word = ch == "#" and (i == 0 or line[i - 1] in " \t")
            if at_word and self._range_of(line_start + i) is None:
                return i
        return None

    def attach(self) -> list[str]:
        """Attach every comment and blank line; returns those with nowhere to go."""
        found: list[tuple[int, int, int, str]] = []  # line, column, offset, trivia
        offset = 0
        for number, line in enumerate(self.text.split("\n")):
            line_start, offset = offset, offset + len(line) + 1
            inside = self._range_of(line_start)
            continued = inside is not None and inside[0] < line_start  # in a multi-line scalar
            if not line.strip(" \t\r"):
                if not continued:
                    found.append((number, 0, line_start, _BLANK))
                continue
            col = self._comment_column(line, line_start)
            if col is None:
                continue
            comment = line[col:].rstrip(" \t\r")
            if line[:col].strip(" \t"):
                target = self._eol_target(number, line_start + col)
                if target is not None:
                    target.eol = comment
                    continue
            found.append((number, col, line_start + col, comment))
        orphans: list[str] = []
        after: list[str] | None = None  # where the next comment of this gap goes
        gap_end = -1
        for number, col, index, trivia in reversed(found):
            i = bisect.bisect_right(self.anchor_lines, number)
            gap = self.anchor_lines[i] if i < len(self.anchor_lines) else -2
            if gap != gap_end:
                after, gap_end = None, gap
            if trivia == _BLANK and after is not None:
                where: list[str] | None = after
            else:
                where = self._target(col, index, trivia, i)
            if trivia != _BLANK:
                after = where
            (orphans if where is None else where).insert(0, trivia)
        return orphans

    def _eol_target(self, line: int, index: int) -> _Entry | None:
        best: _Entry | None = None
        for e in self.eol_targets.get(line, []):
            owner = e.flow_owner()
            if owner is not None and index >= owner.end:
                continue
            if e.eol is None and (best is None or self.depth[id(e)] >= self.depth[id(best)]):
                best = e
        return best

    def _target(self, col: int, index: int, trivia: str, i: int) -> list[str] | None:
        """Where a full-line comment or blank line goes: before an entry, or ending a collection."""
        following: _Entry | None = None
        for e in self.anchors[i:]:
            owner = e.flow_owner()
            if owner is None or owner.start < index < owner.end:
                following = e
                break
        previous = self.anchors[i - 1] if i > 0 else None
        if trivia != _BLANK and previous is not None:
            around = {id(c) for c in following.collections()} if following else set()
            for coll in previous.collections():
                if id(coll) in around:
                    break
                inside_flow = coll.flow and coll.start < index < coll.end
                if inside_flow or (
                    not coll.flow
                    and coll.column <= col
                    and (following is None or col > following.column)
                ):
                    return coll.trailing
        if following is not None:
            return following.leading
        if isinstance(self.root, _Coll):
            return self.root.trailing
        return None


def _eol_line(e: _Entry) -> int | None:
    """The line whose end-of-line comment belongs to this entry."""
    v = e.node
    if isinstance(v, _Coll):
        if v.flow:
            return v.end_line
        return e.line if v.line > e.line else None
    if v.style in ("|", ">"):
        return v.line
    if v.start == v.end:
        # an empty value (null): the parser puts it where the next token starts, maybe on
        # a later line whose comment belongs to the entry there
        return e.line
    return v.end_line


# --------------------------------------------------------------------------- canonical form


def _canonical_expression(text: str) -> str | None:
    """The canonical text of an expression, or None when it does not parse."""
    expr = _parse(text)
    if expr is None:
        return None
    try:
        printed = print_expr(expr)
    except ValueError:  # pragma: no cover - the parser builds only printable trees
        return None
    return printed if _parse(printed) == expr else None


def _parse(text: str) -> Expr | None:
    return parse_expression(text, SourceFile("<expression>", text))[0]


def _child_role(role: str, key: str) -> str:
    if role.startswith("map:"):
        return role[4:]
    return _CHILD_ROLES.get((role, key), "")


def _prepare(node: _Node | None, role: str) -> None:
    """Put keys in canonical order and expressions in canonical text."""
    if isinstance(node, _Scalar):
        if role == "expr" and isinstance(_value(node), str):
            node.expr = _canonical_expression(node.value)
        return
    if node is None:
        return
    if node.kind == "seq":
        item_role = role[4:] if role.startswith("seq:") else ""
        for e in node.entries:
            _prepare(e.node, item_role)
        return
    order = KEY_ORDER.get(role)
    if order is not None:
        slots = [i for i, e in enumerate(node.entries) if _key(e) in order]
        known = sorted((node.entries[i] for i in slots), key=lambda e: order.index(_key(e)))
        for i, e in zip(slots, known, strict=True):
            node.entries[i] = e
    for e in node.entries:
        _prepare(e.node, _child_role(role, _key(e)))


def _value(s: _Scalar) -> str | int | float | bool | None:
    """The value of a scalar as the loader reads it (YAML 1.2 core)."""
    return resolve_scalar(s.value, "" if s.style == "" else "quoted")


def _key(e: _Entry) -> str:
    return e.key.value if e.key is not None else ""


# --------------------------------------------------------------------------- printing


class _Printer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = []

    def trivia(self, items: list[str], indent: int, first: bool) -> None:
        for item in items:
            if item == _BLANK:
                if not first and self.lines and self.lines[-1] != "":
                    self.lines.append("")
            else:
                self.lines.append(" " * indent + item)
                first = False

    def collection(self, coll: _Coll, indent: int) -> None:
        for i, e in enumerate(coll.entries):
            self.trivia(e.leading, indent, i == 0)
            if e.key is None:
                self.item(e, indent)
            else:
                self.pair(e, indent)
        trailing = list(coll.trailing)
        while trailing and trailing[-1] == _BLANK:
            trailing.pop()
        self.trivia(trailing, indent, False)

    def eol(self, e: _Entry, line: str) -> str:
        return line + "  " + e.eol if e.eol else line

    def pair(self, e: _Entry, indent: int) -> None:
        assert e.key is not None
        head = " " * indent + (_inline(e.key, False, key=True) or "") + ":"
        v = e.node
        if isinstance(v, _Coll):
            flow = self.flow(v, len(head) + 1)
            if flow is not None:
                self.lines.append(self.eol(e, head + " " + flow))
            else:
                self.lines.append(self.eol(e, head))
                self.collection(v, indent + 2)
            return
        if v.expr is not None:
            one = head + " " + (_inline(v, False) or "")
            folded = _fold(v.expr, WIDTH - indent - 2) if len(one) > WIDTH else None
            if folded is None:
                self.lines.append(self.eol(e, one))
            else:
                self.lines.append(self.eol(e, head + " >-"))
                self.lines.extend(" " * (indent + 2) + line for line in folded)
            return
        self.scalar(e, v, head, indent)

    def scalar(self, e: _Entry, v: _Scalar, head: str, indent: int) -> None:
        text = _inline(v, False)
        if text is None:
            header, body = _block(v, self.text, indent + 2)
            self.lines.append(self.eol(e, head + " " + header))
            self.lines.extend(body)
        else:
            self.lines.append(self.eol(e, head + " " + text if text else head))

    def item(self, e: _Entry, indent: int) -> None:
        v = e.node
        pad = " " * indent
        if isinstance(v, _Scalar):
            self.scalar(e, v, pad + "-", indent)
            return
        flow = self.flow(v, indent + 2)
        if flow is not None:
            self.lines.append(self.eol(e, pad + "- " + flow))
            return
        first = v.entries[0]
        self.trivia(first.leading, indent, True)
        first.leading = []
        at = len(self.lines)
        self.collection(v, indent + 2)
        self.lines[at] = pad + "- " + self.lines[at][indent + 2 :]
        if e.eol:
            self.lines[at] = self.eol(e, self.lines[at])

    def flow(self, coll: _Coll, column: int) -> str | None:
        """The one-line flow text of a collection, or None when it is printed as a block."""
        if not coll.flow and coll.entries:
            return None
        if not coll.entries:
            return "{}" if coll.kind == "map" else "[]"
        if _has_comments(coll):
            return None
        text = _flow_text(coll)
        if text is None or column + len(text) > WIDTH:
            return None
        return text


def _has_comments(coll: _Coll) -> bool:
    if any(t != _BLANK for t in coll.trailing):
        return True
    for e in coll.entries:
        if e.eol or any(t != _BLANK for t in e.leading):
            return True
        if isinstance(e.value, _Coll) and _has_comments(e.value):
            return True
    return False


def _flow_text(coll: _Coll) -> str | None:
    parts = []
    for e in coll.entries:
        v = e.node
        if isinstance(v, _Coll):
            value = "{}" if v.kind == "map" and not v.entries else "[]" if not v.entries else None
            value = value or _flow_text(v)
        else:
            value = _inline(v, True)
        if not value:
            return None  # an empty plain scalar (null) has no flow form we keep
        if e.key is None:
            parts.append(value)
        else:
            key = _inline(e.key, True, key=True)
            if not key:
                return None
            parts.append(f"{key}: {value}")
    inner = ", ".join(parts)
    return "{" + inner + "}" if coll.kind == "map" else "[" + inner + "]"


# --------------------------------------------------------------------------- the meaning


def _meaning(node: _Node | None, role: str) -> object:
    """What a tree means: values (YAML 1.2 core) and expressions as syntax trees."""
    if node is None:
        return None
    if isinstance(node, _Scalar):
        value = _value(node)
        if role == "expr" and isinstance(value, str):
            expr = _parse(value)
            if expr is not None:
                return ("expr", expr)
        return (type(value).__name__, value)
    if node.kind == "seq":
        item_role = role[4:] if role.startswith("seq:") else ""
        return [_meaning(e.value, item_role) for e in node.entries]
    pairs = [(_key(e), _meaning(e.value, _child_role(role, _key(e)))) for e in node.entries]
    return sorted(pairs, key=lambda p: p[0])


def _read(text: str) -> tuple[_Builder, _Node | None]:
    yaml = YAML(typ="safe", pure=True)
    builder = _Builder(iter(yaml.parse(text)))
    return builder, builder.build()


def _format(text: str) -> tuple[str, _Node | None]:
    builder, root = _read(text)
    orphans = _Trivia(text, builder, root).attach()
    printer = _Printer(text)
    if isinstance(root, _Coll) and root.entries and not root.flow:
        lead = root.entries[0].leading
        cut = max(
            (i for i, t in enumerate(lead) if t == _BLANK or t.startswith(_MODELINE)),
            default=-1,
        )
        root.entries[0].leading = lead[cut + 1 :]
        printer.trivia(lead[: cut + 1], 0, True)
    _prepare(root, "root")
    if isinstance(root, _Coll):
        flow = printer.flow(root, 0)
        if flow is None:
            printer.collection(root, 0)
        else:
            printer.lines.append(flow)
    elif isinstance(root, _Scalar):
        one = _inline(root, False)
        if one is None:
            header, body = _block(root, text, 2)
            printer.lines.extend([header, *body])
        elif one:
            printer.lines.append(one)
    printer.trivia(orphans, 0, not printer.lines)
    while printer.lines and printer.lines[-1] == "":
        printer.lines.pop()
    out = "\n".join(printer.lines)
    return (out + "\n" if out else ""), root


def format_text(text: str, name: str = "<string>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical text of a rule file.

    Args:
        text: the rule file as written.
        name: the file name used in diagnostics.

    Returns:
        ``(formatted, [])``, or ``(None, diagnostics)`` when the text is not YAML a rule file
        may hold (a syntax error, an anchor or alias, an explicit tag, several documents).

    Raises:
        RuntimeError: when the formatted text would mean something else than `text` (a bug
            in the formatter: it never writes such a text).
    """
    source = SourceFile(name, text)
    try:
        formatted, root = _format(text)
    except _FormatError as error:
        span = source.span(error.index, error.index + 1)
        return None, [Diagnostic.make(error.code, error.message, span)]
    except YAMLError as error:
        return None, [_syntax(error, source)]
    try:
        again = _read(formatted)[1]
    except YAMLError as error:  # pragma: no cover - a bug in the formatter
        raise RuntimeError(f"{name}: the formatted text does not parse (a bug)") from error
    if _meaning(again, "root") != _meaning(root, "root"):  # pragma: no cover - a bug
        raise RuntimeError(f"{name}: formatting would change what the file means (a bug)")
    return formatted, []


def _syntax(error: YAMLError, source: SourceFile) -> Diagnostic:
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        offset = source.offset(mark.line + 1, mark.column + 1)
        message = str(error.problem or "malformed YAML")
        return Diagnostic.make("yaml/syntax", message, source.span(offset, offset + 1))
    if isinstance(error, ReaderError):  # a character YAML does not allow (a NUL, say)
        message = f"unacceptable character #x{error.character:04x}: {error.reason}"
        return Diagnostic.make(
            "yaml/syntax", message, source.span(error.position, error.position + 1)
        )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else "malformed YAML"
    return Diagnostic.make("yaml/syntax", first_line)
