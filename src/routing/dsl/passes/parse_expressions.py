"""Pass 2: parse every condition and template; report every syntax error, not the first."""

from __future__ import annotations

from routing.dsl.expr_parser import parse_expression
from routing.dsl.passes._context import CheckContext
from routing.dsl.templates import parse_template

__all__ = ["parse_expressions"]


def parse_expressions(ctx: CheckContext) -> None:
    """Parse `when`, `define` and `pause_when` expressions, and Liquid templates."""
    for site in ctx.conditions():
        cond = site.condition
        expr, diags = parse_expression(cond.text, cond.source)
        ctx.diagnostics.extend(diags)
        if expr is None:
            ctx.invalid.add(id(cond))
        else:
            ctx.exprs[id(cond)] = expr
    for name, decl in ctx.templates.items():
        compiled, diags = parse_template(decl.text, decl.source)
        ctx.diagnostics.extend(diags)
        if compiled is not None:
            ctx.compiled_templates[name] = compiled
