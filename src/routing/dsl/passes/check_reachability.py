"""Pass 7: in a `first` stage, rules after an unconditional rule can never fire."""

from __future__ import annotations

from routing.dsl import ast
from routing.dsl.passes._context import CheckContext

__all__ = ["always_true", "check_reachability"]


def always_true(expr: ast.Expr) -> bool:
    """Whether `expr` is true for every ticket, judged from its literals alone."""
    if isinstance(expr, ast.BoolLit):
        return expr.value
    if isinstance(expr, ast.Or):
        return any(always_true(e) for e in expr.operands)
    if isinstance(expr, ast.And):
        return all(always_true(e) for e in expr.operands)
    if isinstance(expr, ast.Not):
        return isinstance(expr.operand, ast.BoolLit) and not expr.operand.value
    return False


def _events(rule: ast.Rule) -> frozenset[str]:
    return frozenset(e.value for e in rule.on) or frozenset({"created"})


def check_reachability(ctx: CheckContext) -> None:
    """Report rules of a `first` stage that follow a rule that always fires."""
    for stage in ctx.stages:
        if stage.mode.value != "first":
            continue
        catch_all: list[ast.Rule] = []
        for rule in stage.rules:
            if not rule.enabled:
                continue
            events = _events(rule)
            blocker = next((c for c in catch_all if events <= _events(c)), None)
            if blocker is not None:
                ctx.report(
                    "rule/unreachable",
                    f"rule '{rule.name.value}' can never fire: rule "
                    f"'{blocker.name.value}' before it always fires in this 'first' stage",
                    rule.name.span,
                    notes=(f"'{blocker.name.value}' is at {blocker.name.span}",),
                    hint="move the catch-all rule to the end of the stage",
                )
                continue
            expr = ctx.exprs.get(id(rule.when))
            if expr is not None and always_true(expr):
                catch_all.append(rule)
