"""Pass 8 (warnings): two rules of one `all` stage that set the same field."""

from __future__ import annotations

from routing.diagnostics import Span
from routing.dsl import ast
from routing.dsl.passes._context import CheckContext, rule_events

__all__ = ["check_conflicts", "fields_set"]


def fields_set(action: ast.Action) -> list[tuple[str, Span]]:
    """The ticket fields an action overwrites (last writer wins), with their spans."""
    if isinstance(action, ast.RouteAction):
        return [("queue", action.span)]
    if isinstance(action, ast.PriorityAction) and not action.raise_only:
        return [("priority", action.span)]
    if isinstance(action, ast.AssignAction):
        return [("assignee", action.span)]
    if isinstance(action, ast.SlaAction):
        return [("sla", action.span)]
    if isinstance(action, ast.SetAction):
        return [(item.target.value, item.span) for item in action.items]
    return []


def check_conflicts(ctx: CheckContext) -> None:
    """Warn where a later rule of an `all` stage overwrites what an earlier one set.

    The earlier rule named is the first one of the stage that sets the field and listens to
    an event the later one listens to. It is found in one look-up per event: each field
    keeps the first writer (and its place in the stage) per event, so a stage of n rules
    costs n steps, not n * n.
    """
    for stage in ctx.stages:
        if stage.mode.value != "all":
            continue
        # field -> event -> (place in the stage, first rule setting the field on that event)
        first: dict[str, dict[str, tuple[int, ast.Rule]]] = {}
        for place, rule in enumerate(stage.rules):
            if not rule.enabled:
                continue
            events = rule_events(rule)
            mine: dict[str, Span] = {}
            for action in rule.then:
                for name, span in fields_set(action):
                    mine.setdefault(name, span)
            for name, span in mine.items():
                # rules that listen to different events never run in the same evaluation
                by_event = first.setdefault(name, {})
                found = [by_event[e] for e in events if e in by_event]
                for e in events:
                    by_event.setdefault(e, (place, rule))
                if found:
                    earlier = min(found, key=lambda item: item[0])[1]
                    ctx.report(
                        "action/conflicting-set",
                        f"rules '{earlier.name.value}' and '{rule.name.value}' both set "
                        f"'{name}' in 'all' stage '{stage.name.value}'; the later one wins",
                        span,
                        notes=(f"'{earlier.name.value}' is at {earlier.name.span}",),
                        hint="make the conditions exclusive, or use a 'first' stage",
                    )
