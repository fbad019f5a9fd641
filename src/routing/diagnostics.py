"""Diagnostics: located, coded findings about rule files, and their one text renderer.

A `Diagnostic` has a stable `code` (``<stage>/<slug>``, listed once in `CODES`), a
lower-case `message`, an optional `Span` into a `SourceFile`, a `Severity`, and an optional
`hint` (the "did you mean" suggestion, kept out of the message). `render_text` formats a
list of them the way editors and CI problem matchers expect::

    rules/triage.yaml:14:15: error[name/unknown-field]: unknown ticket field 'requestor'
       |
    14 |       when: requestor.domain in $vip_domains
       |             ^^^^^^^^^
       = help: did you mean 'requester'?
"""

from __future__ import annotations

import bisect
import enum
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "CODES",
    "CodeInfo",
    "Diagnostic",
    "Pos",
    "Severity",
    "SourceFile",
    "Span",
    "render_text",
    "sort_diagnostics",
]


class Severity(enum.Enum):
    """How bad a finding is: errors stop a rule set from loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Pos:
    """A place in a source: 1-based `line` and `column`, 0-based code-point `offset`."""

    line: int
    column: int
    offset: int


class SourceFile:
    """The text of one source (a rule file, or a string given to `loads`) with a line index."""

    __slots__ = ("_line_starts", "name", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                starts.append(i + 1)
        self._line_starts = starts

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r})"

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def pos(self, offset: int) -> Pos:
        """The `Pos` of a 0-based code-point offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Pos(line + 1, offset - self._line_starts[line] + 1, offset)

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column."""
        line = max(1, min(line, len(self._line_starts)))
        return self._line_starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def span(self, start: int, end: int) -> Span:
        """The `Span` between two offsets of this source."""
        return Span(self, self.pos(start), self.pos(max(start, end)))


@dataclass(frozen=True, slots=True)
class Span:
    """A range [start, end) of a `SourceFile`."""

    source: SourceFile = field(repr=False, compare=False)
    start: Pos
    end: Pos

    @property
    def file(self) -> str:
        return self.source.name

    def __str__(self) -> str:
        return f"{self.source.name}:{self.start.line}:{self.start.column}"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A registered diagnostic code: its title (for docs) and default severity."""

    title: str
    severity: Severity


def _e(title: str) -> CodeInfo:
    return CodeInfo(title, Severity.ERROR)


def _w(title: str) -> CodeInfo:
    return CodeInfo(title, Severity.WARNING)


#: Every diagnostic code, with its title and severity. Each has a page in docs/errors/.
CODES: dict[str, CodeInfo] = {
    # reading files and YAML (routing.dsl.loader)
    "file/not-found": _e("the rule path does not exist"),
    "file/unreadable": _e("a rule file cannot be read or decoded"),
    "file/empty": _e("a rule path holds no rule files"),
    "yaml/syntax": _e("the YAML is malformed"),
    "yaml/duplicate-key": _e("a mapping has the same key twice"),
    "yaml/alias": _e("YAML anchors and aliases are not allowed"),
    "yaml/ambiguous-scalar": _e("an unquoted value YAML 1.1 would read as another type"),
    "yaml/tag": _e("explicit YAML tags are not allowed"),
    # the shape of a rule file
    "file/unsupported-version": _e("the rule file version is missing or not supported"),
    "file/unknown-key": _e("a key the rule file format does not have"),
    "file/missing-key": _e("a required key is missing"),
    "file/wrong-type": _e("a value has the wrong YAML type"),
    "file/bad-value": _e("a value is out of its allowed set or range"),
    # declarations
    "name/duplicate": _e("two declarations share a name"),
    # expression syntax
    "syntax/unexpected-token": _e("the expression has a token where it cannot be"),
    "syntax/unexpected-character": _e("the expression has a character the language does not use"),
    "syntax/unexpected-end": _e("the expression ends too early"),
    "syntax/unterminated-string": _e("a string literal is not closed"),
    "syntax/unterminated-regex": _e("a regex literal is not closed with '/'"),
    # names
    "name/unknown-field": _e("an unknown ticket field"),
    "name/unknown-custom-field": _e("a custom field that is not declared"),
    "name/unknown-list": _e("a list that is not declared"),
    "name/unknown-queue": _e("a queue that is not declared"),
    "name/unknown-template": _e("a template that is not declared"),
    "name/unknown-template-variable": _e("a template uses a variable that does not exist"),
    "name/unknown-calendar": _e("a calendar that is not declared"),
    "name/unknown-function": _e("a function the language does not have"),
    "name/unknown-agent": _e("an agent that is not declared"),
    "name/unknown-policy": _e("an SLA policy that is not declared"),
    "name/define-cycle": _e("named conditions that refer to each other in a cycle"),
    # types
    "type/mismatch": _e("an operator applied to values of the wrong types"),
    "type/not-boolean": _e("a condition that is not a boolean"),
    "type/unknown-enum-value": _e("a value outside an enum's declared values"),
    "type/arguments": _e("a function called with the wrong number or types of arguments"),
    # literals
    "regex/invalid": _e("a regex that does not compile"),
    "regex/not-linear": _e("a regex feature without a linear-time guarantee"),
    "literal/bad-duration": _e("a malformed duration"),
    "literal/bad-timezone": _e("an unknown IANA time zone"),
    "literal/bad-datetime": _e("a malformed date or time"),
    "calendar/invalid": _e("a calendar spec is invalid"),
    "template/syntax": _e("a Liquid template does not parse"),
    # actions
    "action/unknown": _e("an action the rule file format does not have"),
    "action/bad-value": _e("an action value of the wrong type or shape"),
    "action/conflicting-set": _w("two rules of one 'all' stage set the same field"),
    # the replies section (auto-reply gate)
    "replies/bad-address": _e("a reply address that is not an e-mail address or *@domain"),
    "replies/bad-rate-limit": _e("a rate limit that is not a whole number per a positive window"),
    "replies/rate-limit-order": _e("rate-limit tiers whose windows or limits do not grow"),
    # rules
    "rule/unreachable": _e("a rule no ticket can reach"),
    "rule/constant-condition": _w("a condition that is always false"),
    # limits
    "limit/nesting-depth": _e("an expression nested too deeply"),
    "limit/expression-size": _e("an expression with too many terms"),
    "limit/pattern-size": _e("a regex or text pattern that is too long"),
    "limit/template-size": _e("a template that is too long"),
    "limit/rules-per-file": _e("a rule file with too many rules"),
    "limit/file-size": _e("a rule file that is too large"),
    "limit/list-size": _e("a declared list with too many items"),
    # rule test files (routing test)
    "test/bad-ticket": _e("a rule test's ticket is not a valid ticket"),
    "test/unknown-rule": _e("a rule test names a rule the rule set does not have"),
    # evaluation (in decisions, never raised)
    "eval/missing-field": _e("a rule read a custom field the ticket does not have"),
    "eval/type-error": _e("a ticket value had the wrong type at run time"),
    "eval/step-budget": _e("a ticket exceeded the evaluation step budget"),
    "eval/template-error": _e("a template failed to render"),
    "eval/calendar": _e("a calendar computation failed"),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a code, a message, where, how bad, and an optional hint."""

    code: str
    message: str
    span: Span | None = None
    severity: Severity = Severity.ERROR
    hint: str | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def make(
        cls,
        code: str,
        message: str,
        span: Span | None = None,
        *,
        hint: str | None = None,
        notes: Iterable[str] = (),
    ) -> Diagnostic:
        """A diagnostic with the severity registered for its code in `CODES`."""
        info = CODES.get(code)
        if info is None:  # pragma: no cover - a programming error caught by tests
            raise KeyError(f"unregistered diagnostic code {code!r}")
        return cls(code, message, span, info.severity, hint, tuple(notes))

    @property
    def file(self) -> str | None:
        return self.span.source.name if self.span else None

    @property
    def line(self) -> int | None:
        return self.span.start.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.start.column if self.span else None

    def location(self) -> str:
        """``file:line:col``, or just the file, or ``<input>``."""
        if self.span is None:
            return "<input>"
        return f"{self.span.source.name}:{self.span.start.line}:{self.span.start.column}"

    def headline(self) -> str:
        """The first line of the rendered diagnostic."""
        return f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}"

    def to_dict(self) -> dict[str, object]:
        """The JSON shape used by ``routing check --format json``."""
        span = self.span
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "file": span.source.name if span else None,
            "line": span.start.line if span else None,
            "column": span.start.column if span else None,
            "end_line": span.end.line if span else None,
            "end_column": span.end.column if span else None,
        }

    def __str__(self) -> str:
        return render_text([self])


def _sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    if d.span is None:
        return ("", 0, 0, d.code, d.message)
    return (d.span.source.name, d.span.start.line, d.span.start.column, d.code, d.message)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics sorted by (file, line, column, code), duplicates removed."""
    seen: set[tuple[object, ...]] = set()
    out: list[Diagnostic] = []
    for d in sorted(diagnostics, key=_sort_key):
        key = (*_sort_key(d), d.severity, d.hint)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _render_one(d: Diagnostic) -> list[str]:
    lines = [d.headline()]
    span = d.span
    if span is not None and span.source.text and span.start.line <= span.source.line_count:
        first, last = span.start.line, span.end.line
        shown = list(range(first, min(last, first + 2) + 1))
        gutter = len(str(shown[-1]))
        pad = " " * gutter
        lines.append(f"{pad} |")
        for n in shown:
            raw = span.source.line_text(n)
            text = raw.expandtabs(4)
            lines.append(f"{n:>{gutter}} | {text}".rstrip())
            start_col = span.start.column if n == first else 1
            if n == last:
                end_col = span.end.column
            else:
                end_col = len(raw) + 1
            before = raw[: start_col - 1].expandtabs(4)
            under = raw[: max(end_col - 1, start_col - 1)].expandtabs(4)
            lead = _display_width(before)
            width = max(1, _display_width(under) - lead)
            if n == last and end_col <= start_col and n == first:
                width = 1
            lines.append(f"{pad} | {' ' * lead}{'^' * width}")
        if last > shown[-1]:
            lines.append(f"{pad} | ...")
        for note in d.notes:
            lines.append(f"{pad} = note: {note}")
        if d.hint:
            lines.append(f"{pad} = help: {d.hint}")
    else:
        for note in d.notes:
            lines.append(f"  = note: {note}")
        if d.hint:
            lines.append(f"  = help: {d.hint}")
    return lines


def render_text(diagnostics: Sequence[Diagnostic], *, max_errors: int = 100) -> str:
    """Render diagnostics as text: sorted, with snippet and carets, truncated after `max_errors`.

    Args:
        diagnostics: the findings, in any order.
        max_errors: how many to show before a "N more ... not shown" line (0 shows all).

    Returns:
        The text, ending without a newline (empty for no diagnostics).
    """
    ordered = sort_diagnostics(diagnostics)
    shown = ordered if max_errors <= 0 else ordered[:max_errors]
    blocks = ["\n".join(_render_one(d)) for d in shown]
    rest = ordered[len(shown) :]
    if rest:
        errors = sum(d.severity is Severity.ERROR for d in rest)
        counts = [
            f"{n} more {word}{'' if n == 1 else 's'}"
            for n, word in ((errors, "error"), (len(rest) - errors, "warning"))
            if n
        ]
        blocks.append(f"{' and '.join(counts)} not shown")
    return "\n\n".join(blocks)
