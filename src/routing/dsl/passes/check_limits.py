"""Pass 9: limits that keep loading and evaluation bounded."""

from __future__ import annotations

from routing.dsl.limits import MAX_LIST_ITEMS, MAX_RULES_PER_FILE
from routing.dsl.passes._context import CheckContext

__all__ = ["check_limits"]


def check_limits(ctx: CheckContext) -> None:
    """Rules per file and items per list. (Expression depth and size are checked by the
    parser, which must refuse a too-deep expression before building it.)"""
    for f in ctx.files:
        count = sum(len(s.rules) for s in f.stages)
        if count > MAX_RULES_PER_FILE:
            ctx.report(
                "limit/rules-per-file",
                f"the file has {count} rules; the limit is {MAX_RULES_PER_FILE}",
                f.span,
                hint="split the rules over several files in one directory",
            )
    for name, decl in ctx.lists.items():
        if len(decl.items) > MAX_LIST_ITEMS:
            ctx.report(
                "limit/list-size",
                f"list '{name}' has {len(decl.items)} items; the limit is {MAX_LIST_ITEMS}",
                decl.name.span,
            )
