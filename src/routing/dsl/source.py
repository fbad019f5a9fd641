"""Positions of text embedded in YAML scalars: expression offsets -> places in the .yaml file.

A ``when:`` condition or a template is parsed as its own text: the *value* of a YAML scalar,
after unquoting, escapes, line folding, indentation and chomping. `EmbeddedSource` maps an
offset in that value back to the characters of the rule file it came from, so a diagnostic
about ``requestor`` in ``when: requestor.domain == "x"`` underlines ``requestor`` in the file.

The map is built once per scalar by decoding the raw slice of the file the way PyYAML's
scanner does, keeping for every value character the file range it came from (an escape
such as ``\\u00e9`` maps to its whole six characters, a folded line break to the break).
If the decoded text does not equal the scalar's value (a case the decoder does not know),
the map degrades to a linear one clamped to the scalar: positions stay inside the right
scalar, never point elsewhere, and nothing raises.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.diagnostics import Pos, SourceFile, Span
from routing.dsl.ast import YScalar

__all__ = ["EmbeddedSource", "SourceFile"]

_BREAKS = "\r\n\x85\u2028\u2029"
_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\x09",
    "\t": "\x09",
    "n": "\x0a",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\x0d",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_ESCAPE_CODES = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")
#: How many candidate parent indentations are tried for a block scalar with an explicit
#: indentation indicator (the parent indentation is not recorded by the YAML parser).
_MAX_INDENT_TRIES = 64


class _Out:
    """Decoded characters with the file range [start, end) each came from."""

    __slots__ = ("chars", "ends", "starts")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, ch: str, start: int, end: int) -> None:
        self.chars.append(ch)
        self.starts.append(start)
        self.ends.append(end)

    def add_run(self, text: str, start: int, end: int) -> None:
        for k in range(start, end):
            self.add(text[k], k, k + 1)

    def text(self) -> str:
        return "".join(self.chars)


def _line_break(text: str, i: int, stop: int) -> tuple[str, int]:
    """The value of the line break at `i` (CRLF, CR, LF and NEL read as LF) and its end."""
    ch = text[i]
    if ch == "\r" and i + 1 < stop and text[i + 1] == "\n":
        return "\n", i + 2
    if ch in "\r\n\x85":
        return "\n", i + 1
    return ch, i + 1


def _flow_breaks(text: str, i: int, stop: int, out: list[tuple[str, int, int]]) -> int:
    """Skip indentation and collect further line breaks (PyYAML scan_flow_scalar_breaks)."""
    while True:
        while i < stop and text[i] in " \t":
            i += 1
        if i < stop and text[i] in _BREAKS:
            at = i
            ch, i = _line_break(text, i, stop)
            out.append((ch, at, i))
        else:
            return i


def _decode_flow(text: str, begin: int, stop: int, kind: str) -> _Out | None:
    """Decode a plain (`kind` ""), single- or double-quoted scalar's content [begin, stop)."""
    out = _Out()
    i = begin
    while i < stop:
        ch = text[i]
        if ch in " \t":
            j = i
            while j < stop and text[j] in " \t":
                j += 1
            if j >= stop or text[j] not in _BREAKS:
                out.add_run(text, i, j)
            i = j
        elif ch in _BREAKS:
            at = i
            first, i = _line_break(text, i, stop)
            first_end = i
            breaks: list[tuple[str, int, int]] = []
            i = _flow_breaks(text, i, stop, breaks)
            if first != "\n":
                out.add(first, at, first_end)
            elif not breaks:
                out.add(" ", at, first_end)
            for b, b_start, b_end in breaks:
                out.add(b, b_start, b_end)
        elif kind == "'" and ch == "'":
            if i + 1 >= stop or text[i + 1] != "'":
                return None
            out.add("'", i, i + 2)
            i += 2
        elif kind == '"' and ch == "\\":
            if i + 1 >= stop:
                return None
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.add(_ESCAPES[nxt], i, i + 2)
                i += 2
            elif nxt in _ESCAPE_CODES:
                digits = text[i + 2 : i + 2 + _ESCAPE_CODES[nxt]]
                if len(digits) != _ESCAPE_CODES[nxt] or not _HEX.issuperset(digits):
                    return None
                code = int(digits, 16)
                if code > 0x10FFFF:
                    return None
                end = i + 2 + len(digits)
                out.add(chr(code), i, end)
                i = end
            elif nxt in _BREAKS:
                _, i = _line_break(text, i + 1, stop)
                escaped: list[tuple[str, int, int]] = []
                i = _flow_breaks(text, i, stop, escaped)
                for b, b_start, b_end in escaped:
                    out.add(b, b_start, b_end)
            else:
                return None
        else:
            out.add(ch, i, i + 1)
            i += 1
    return out


def _verbatim(text: str, begin: int, stop: int, style: str, value: str) -> bool:
    """Whether a flow scalar's content [begin, stop) is its value character for character:
    one line, no escape or doubled quote, no trailing blank (what `_decode_flow` would map
    one to one)."""
    if stop - begin != len(value) or not text.startswith(value, begin):
        return False
    if value and value[-1] in " \t":
        return False
    if any(b in value for b in _BREAKS):
        return False
    return not ((style == "'" and "'" in value) or (style == '"' and "\\" in value))


class _Cursor:
    """A reading position with a column, bounded by `stop` (read as end of input)."""

    __slots__ = ("col", "i", "stop", "text")

    def __init__(self, text: str, i: int, stop: int) -> None:
        self.text = text
        self.i = i
        self.stop = stop
        self.col = 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < self.stop else "\0"

    def forward(self) -> None:
        self.i += 1
        self.col += 1

    def line_break(self) -> str:
        ch = self.peek()
        if ch == "\0" or ch not in _BREAKS:
            return ""
        value, self.i = _line_break(self.text, self.i, self.stop)
        self.col = 0
        return value


def _block_breaks(
    c: _Cursor, indent: int, breaks: list[tuple[str, int, int]]
) -> list[tuple[str, int, int]]:
    """PyYAML scan_block_scalar_breaks: blank lines up to the content indentation."""
    while c.col < indent and c.peek() == " ":
        c.forward()
    while c.peek() != "\0" and c.peek() in _BREAKS:
        at = c.i
        ch = c.line_break()
        breaks.append((ch, at, c.i))
        while c.col < indent and c.peek() == " ":
            c.forward()
    return breaks


def _decode_block(text: str, begin: int, stop: int, min_indent: int) -> _Out | None:
    """Decode a ``|`` or ``>`` block scalar at [begin, stop), given its parent's indentation.

    A port of PyYAML's ``scan_block_scalar`` that records where each character came from.
    """
    c = _Cursor(text, begin, stop)
    folded = c.peek() == ">"
    c.forward()
    chomping: bool | None = None
    increment: int | None = None
    for _ in range(2):
        ch = c.peek()
        if ch in "+-" and chomping is None:
            chomping = ch == "+"
            c.forward()
        elif ch in "123456789" and increment is None:
            increment = int(ch)
            c.forward()
    while c.peek() == " ":
        c.forward()
    if c.peek() == "#":
        while c.peek() != "\0" and c.peek() not in _BREAKS:
            c.forward()
    if c.peek() != "\0" and c.peek() not in _BREAKS:
        return None
    c.line_break()

    breaks: list[tuple[str, int, int]] = []
    if increment is None:
        max_indent = 0
        while c.peek() != "\0" and c.peek() in " " + _BREAKS:
            if c.peek() == " ":
                c.forward()
                max_indent = max(max_indent, c.col)
            else:
                at = c.i
                ch = c.line_break()
                breaks.append((ch, at, c.i))
        indent = max(min_indent, max_indent)
    else:
        indent = min_indent + increment - 1
        _block_breaks(c, indent, breaks)

    out = _Out()
    line_break: tuple[str, int, int] = ("", c.i, c.i)
    while c.col == indent and c.peek() != "\0":
        for b in breaks:
            out.add(*b)
        leading_non_space = c.peek() not in " \t"
        start = c.i
        while c.peek() != "\0" and c.peek() not in _BREAKS:
            c.forward()
        out.add_run(text, start, c.i)
        at = c.i
        line_break = (c.line_break(), at, c.i)
        breaks = _block_breaks(c, indent, [])
        if c.col == indent and c.peek() != "\0":
            if folded and line_break[0] == "\n" and leading_non_space and c.peek() not in " \t":
                if not breaks:
                    out.add(" ", line_break[1], line_break[2])
            else:
                out.add(*line_break)
        else:
            break
    if chomping is not False and line_break[0]:
        out.add(*line_break)
    if chomping is True:
        for b in breaks:
            out.add(*b)
    return out


def _first_content_indent(text: str, begin: int, stop: int) -> int:
    """The indentation of the first non-blank line after a block scalar's header."""
    i = begin
    while i < stop and text[i] not in _BREAKS:
        i += 1
    best = 0
    while i < stop:
        while i < stop and text[i] in _BREAKS:
            i += 1
        j = i
        while j < stop and text[j] == " ":
            j += 1
        if j < stop and text[j] not in _BREAKS:
            return j - i
        best = max(best, j - i)
        i = j
    return best


class EmbeddedSource:
    """Maps offsets in the value of one YAML scalar to spans of its rule file.

    Implements the `routing.dsl.ast.SpanMap` protocol. Build one with `for_scalar` (or
    `from_text`); `span(start, end)` takes offsets into the scalar's value.
    """

    __slots__ = ("_end", "_ends", "_line", "_starts", "exact", "source")

    def __init__(
        self,
        source: SourceFile,
        starts: Sequence[int],
        ends: Sequence[int],
        end: int,
        *,
        exact: bool,
    ) -> None:
        self.source = source
        self._starts = starts
        self._ends = ends
        self._end = end
        #: Whether every character is mapped exactly (False: the linear fallback is used).
        self.exact = exact
        #: (line, offset where it starts) when the value was written on one line as it is
        self._line: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"EmbeddedSource({self.source.name!r}, {len(self._starts)} chars)"

    @classmethod
    def for_scalar(cls, node: YScalar) -> EmbeddedSource:
        """The map of a located scalar; a non-string value is mapped as its text."""
        value = node.value
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif value is None:
            text = ""
        else:
            text = str(value)
        span = node.span
        return cls.from_text(span.source, text, node.style, span.start.offset, span.end.offset)

    @classmethod
    def from_text(
        cls, source: SourceFile, value: str, style: str, start: int, end: int
    ) -> EmbeddedSource:
        """The map of a scalar with `value` and `style` written at [start, end) of `source`."""
        text = source.text
        end = max(start, min(end, len(text)))
        out: _Out | None = None
        begin = start
        if style in ("", "'", '"'):
            stop = end
            if style and end - start >= 2 and text[start] == style and text[end - 1] == style:
                begin, stop = start + 1, end - 1
            if (style == "" or begin != start) and _verbatim(text, begin, stop, style, value):
                # each character is itself: ranges, not per-character lists (issue 6)
                last = stop if stop > begin else begin
                mapped = cls(
                    source, range(begin, stop), range(begin + 1, stop + 1), last, exact=True
                )
                at = source.pos(begin)
                mapped._line = (at.line, begin - at.column + 1)
                return mapped
            if style == "" or begin != start:
                out = _decode_flow(text, begin, stop, style)
            if out is None or out.text() != value:
                out = None
                start, end = begin, stop
        elif style in ("|", ">") and start < end and text[start] == style:
            tries = [
                1,
                *range(2, min(_first_content_indent(text, start, end) + 1, _MAX_INDENT_TRIES) + 1),
            ]
            for min_indent in tries:
                out = _decode_block(text, start, end, min_indent)
                if out is not None and out.text() == value:
                    break
                out = None
        if out is not None:
            last = out.ends[-1] if out.ends else begin
            return cls(source, out.starts, out.ends, last, exact=True)
        n = len(value)
        starts = [min(start + k, end) for k in range(n)]
        ends = [min(start + k + 1, end) for k in range(n)]
        return cls(source, starts, ends, min(start + n, end), exact=False)

    def __len__(self) -> int:
        return len(self._starts)

    def offset(self, index: int) -> int:
        """The file offset where value character `index` starts (the end for len(value))."""
        if 0 <= index < len(self._starts):
            return self._starts[index]
        return (
            self._end
            if index >= len(self._starts)
            else self._starts[0]
            if self._starts
            else self._end
        )

    def span(self, start: int, end: int) -> Span:
        """The span of the file that value characters [start, end) came from."""
        n = len(self._starts)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        first = self._starts[start] if start < n else self._end
        last = max(first, self._ends[end - 1] if end > start else first)
        if self._line is not None:  # one line: SourceFile.span without its line search
            line, line_start = self._line
            return Span(
                self.source,
                Pos(line, first - line_start + 1, first),
                Pos(line, last - line_start + 1, last),
            )
        return self.source.span(first, last)
