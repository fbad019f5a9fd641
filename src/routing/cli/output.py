"""Renderers for diagnostics: text, json, github (workflow commands) and sarif."""

from __future__ import annotations

import json
from collections.abc import Sequence

from routing import __version__
from routing.diagnostics import CODES, Diagnostic, Severity, render_text, sort_diagnostics

__all__ = ["FORMATS", "printable", "render"]

FORMATS = ("text", "json", "github", "sarif")


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        level = "error" if d.severity is Severity.ERROR else "warning"
        props = []
        if d.span is not None:
            props += [
                f"file={_github_escape(d.span.source.name, prop=True)}",
                f"line={d.span.start.line}",
                f"col={d.span.start.column}",
                f"endLine={d.span.end.line}",
                f"endColumn={d.span.end.column}",
            ]
        props.append(f"title={_github_escape(d.code, prop=True)}")
        message = d.message + (f" ({d.hint})" if d.hint else "")
        lines.append(f"::{level} {','.join(props)}::{_github_escape(message)}")
    return "\n".join(lines)


def _sarif(diagnostics: Sequence[Diagnostic]) -> str:
    used = sorted({d.code for d in diagnostics})
    rules = [
        {
            "id": code,
            "shortDescription": {"text": CODES[code].title},
            "helpUri": f"docs/errors/{code}.md",
            "defaultConfiguration": {
                "level": "error" if CODES[code].severity is Severity.ERROR else "warning"
            },
        }
        for code in used
    ]
    results = []
    for d in diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
        }
        if d.span is not None:
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.span.source.name},
                        "region": {
                            "startLine": d.span.start.line,
                            "startColumn": d.span.start.column,
                            "endLine": d.span.end.line,
                            "endColumn": d.span.end.column,
                        },
                    }
                }
            ]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "routing",
                        "version": __version__,
                        "informationUri": "https://example.invalid/routing",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)


def render(diagnostics: Sequence[Diagnostic], fmt: str, *, max_errors: int = 100) -> str:
    """Render diagnostics in one of `FORMATS` (sorted; text is truncated at `max_errors`)."""
    ordered = sort_diagnostics(diagnostics)
    if fmt == "json":
        return json.dumps([d.to_dict() for d in ordered], indent=2)
    if fmt == "github":
        return printable(_github(ordered))
    if fmt == "sarif":
        return _sarif(ordered)
    return printable(render_text(ordered, max_errors=max_errors))


#: Characters a terminal acts on instead of showing: the C0 controls but tab and newline
#: (ESC starts colour, cursor and title sequences; CR and BS overwrite what was shown),
#: DEL, the C1 controls, and the bidirectional overrides and isolates that reorder how a
#: line reads. Each is written as its Python escape.
_UNPRINTABLE: dict[int, str] = {
    c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
    for c in (
        *range(0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


def printable(text: str) -> str:
    """`text` safe to show on a terminal or in a CI log: every control character that is
    not a tab or a newline written as its escape (``\\x1b``), so that ticket text (an
    e-mail subject is anyone's) cannot colour, move, retitle or hide what a report shows."""
    return text.translate(_UNPRINTABLE)
