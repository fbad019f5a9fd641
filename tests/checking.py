"""Running the checker up to one named pass, for the per-pass tests in tests/dsl/."""

from __future__ import annotations

from routing.diagnostics import Diagnostic, sort_diagnostics
from routing.dsl.checker import PASSES
from routing.dsl.loader import load_text
from routing.dsl.passes._context import CheckContext

__all__ = ["diagnostics_through"]


def diagnostics_through(pass_name: str, *files: tuple[str, str]) -> list[Diagnostic]:
    """Loader diagnostics plus those of every pass up to and including `pass_name`, sorted.

    Args:
        pass_name: a name from `routing.dsl.checker.PASSES`.
        files: (file name, YAML text) pairs, merged as one rule set in this order.
    """
    rule_files, found = [], []
    for name, text in files:
        rule_file, diags = load_text(text, name)
        found.extend(diags)
        if rule_file is not None:
            rule_files.append(rule_file)
    ctx = CheckContext(files=rule_files)
    ctx.diagnostics.extend(found)
    names = [n for n, _ in PASSES]
    for _, run in PASSES[: names.index(pass_name) + 1]:
        run(ctx)
    return sort_diagnostics(ctx.diagnostics)
