"""Issue 2 finding: `render_text` truncation calls every hidden diagnostic an error, so a
hidden warning is announced as "1 more error not shown"."""

from __future__ import annotations

from routing.diagnostics import Diagnostic, SourceFile, render_text


def test_a_hidden_warning_is_not_called_an_error() -> None:
    """With one error shown and one warning hidden, the last line does not say "error"."""
    source = SourceFile("f.yaml", "a\nb\n")
    error = Diagnostic.make("type/mismatch", "e", source.span(0, 1))
    warning = Diagnostic.make("action/conflicting-set", "w", source.span(2, 3))
    assert render_text([error, warning], max_errors=1).split("\n")[-1] == (
        "1 more warning not shown"
    )
