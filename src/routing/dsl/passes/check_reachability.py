"""Pass 7: in a `first` stage, rules after an unconditional rule can never fire."""

from __future__ import annotations

from routing.dsl import ast
from routing.dsl.passes._context import CheckContext, rule_events

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
        return always_false(expr.operand)
    return False


def always_false(expr: ast.Expr) -> bool:
    """Whether `expr` is false for every ticket, judged from its literals alone."""
    if isinstance(expr, ast.BoolLit):
        return not expr.value
    if isinstance(expr, ast.And):
        return any(always_false(e) for e in expr.operands)
    if isinstance(expr, ast.Or):
        return all(always_false(e) for e in expr.operands)
    if isinstance(expr, ast.Not):
        return always_true(expr.operand)
    return False


def check_reachability(ctx: CheckContext) -> None:
    """Report rules of a `first` stage that follow a rule that always fires, and rules
    whose condition is always false."""
    for stage in ctx.stages:
        if stage.mode.value != "first":
            continue
        catch_all: list[ast.Rule] = []
        for rule in stage.rules:
            if not rule.enabled:
                continue
            events = rule_events(rule)
            blocker = next((c for c in catch_all if events <= rule_events(c)), None)
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
    for _, rule in ctx.rules():
        expr = ctx.exprs.get(id(rule.when))
        if rule.enabled and expr is not None and always_false(expr):
            ctx.report(
                "rule/constant-condition",
                f"rule '{rule.name.value}' can never fire: its condition is always false",
                rule.when.span,
                hint="set 'enabled: false' to switch a rule off",
            )
