"""Pass 6: action values have the types their targets take."""

from __future__ import annotations

from urllib.parse import urlsplit

from routing.dsl import ast
from routing.dsl.passes._context import CheckContext
from routing.dsl.passes.check_types import parse_datetime_literal
from routing.dsl.suggest import did_you_mean
from routing.model.schema import PRIORITIES, REQUESTER_FIELDS
from routing.model.types import Kind, Type

__all__ = ["STRATEGIES", "check_actions"]

STRATEGIES: tuple[str, ...] = ("round_robin", "least_loaded", "skills")
MODES: tuple[str, ...] = ("first", "all")


def _priority(ctx: CheckContext, name: ast.Name) -> None:
    if name.value not in PRIORITIES:
        ctx.report(
            "type/unknown-enum-value",
            f"expected a priority ({', '.join(PRIORITIES)}), found '{name.value}'",
            name.span,
            hint=did_you_mean(name.value, PRIORITIES),
        )


def _value_fits(t: Type, value: object) -> str | None:
    """None when `value` fits type `t`, else what was expected."""
    if value is None:
        return None
    k = t.kind
    if k is Kind.ENUM:
        if isinstance(value, str) and value in t.values:
            return None
        return f"one of {', '.join(t.values)}"
    if k is Kind.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "a number"
    if k is Kind.BOOL:
        return None if isinstance(value, bool) else "true or false"
    if k is Kind.DATETIME:
        ok = isinstance(value, str) and parse_datetime_literal(value) is not None
        return None if ok else "an ISO 8601 date-time with an offset"
    if k is Kind.LIST:
        return "a list (set a list field from a rule is not supported)"
    return None if isinstance(value, str) else "a string"


def _check_set(ctx: CheckContext, action: ast.SetAction) -> None:
    settable = ctx.schema.settable()
    for item in action.items:
        target = item.target.value
        t = settable.get(target)
        if t is None:
            if target.startswith("fields."):
                ctx.report(
                    "name/unknown-custom-field",
                    f"custom field '{target[7:]}' is not declared",
                    item.target.span,
                    hint=did_you_mean(target[7:], ctx.fields, prefix="fields.")
                    or "declare it under 'fields:'",
                )
            else:
                hint = did_you_mean(target, settable)
                if hint is None and target in (*REQUESTER_FIELDS, "subject", "body", "channel"):
                    hint = "rules can set status, priority, queue, assignee and fields.NAME"
                ctx.report(
                    "name/unknown-field",
                    f"'{target}' cannot be set by a rule",
                    item.target.span,
                    hint=hint,
                )
            continue
        if target == "queue":
            continue  # resolve_names reports undeclared queues
        want = _value_fits(t, item.value.value)
        if want is not None:
            found = item.value.value
            code = "type/unknown-enum-value" if t.kind is Kind.ENUM else "action/bad-value"
            ctx.report(
                code,
                f"'{target}' takes {want}, found {found!r}",
                item.value.span,
                hint=did_you_mean(str(found), t.values) if t.kind is Kind.ENUM else None,
            )


def check_actions(ctx: CheckContext) -> None:
    """Check stage modes and the values of every action."""
    for stage in ctx.stages:
        if stage.mode.value not in MODES:
            ctx.report(
                "file/bad-value",
                f"expected a stage mode (first, all), found '{stage.mode.value}'",
                stage.mode.span,
                hint=did_you_mean(stage.mode.value, MODES),
            )
    for _, rule in ctx.rules():
        for action in rule.then:
            if isinstance(action, ast.PriorityAction):
                _priority(ctx, action.priority)
            elif isinstance(action, ast.SetAction):
                _check_set(ctx, action)
            elif isinstance(action, ast.AssignAction):
                s = action.strategy
                if s is not None and s.value not in STRATEGIES:
                    ctx.report(
                        "action/bad-value",
                        f"expected an assignment strategy ({', '.join(STRATEGIES)}), "
                        f"found '{s.value}'",
                        s.span,
                        hint=did_you_mean(s.value, STRATEGIES),
                    )
                if action.agent is None and not ctx.agents:
                    ctx.report(
                        "name/unknown-agent",
                        "'assign' picks among agents, but no agents are declared",
                        action.span,
                        hint="declare them under 'agents:'",
                    )
            elif isinstance(action, ast.ReplyAction):
                if action.once_per is not None and action.once_per <= 0:
                    ctx.report(
                        "action/bad-value", "'once_per' must be a positive duration", action.span
                    )
            elif isinstance(action, ast.WebhookAction):
                url = action.url.value
                parts = urlsplit(url) if isinstance(url, str) else None
                if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                    ctx.report(
                        "action/bad-value",
                        f"expected an http or https URL, found {url!r}",
                        action.url.span,
                    )
            elif isinstance(action, ast.NotifyAction):
                to = action.to.value
                if not isinstance(to, str) or not to.strip():
                    ctx.report(
                        "action/bad-value",
                        f"'notify' needs a recipient in 'to', found {to!r}",
                        action.to.span,
                    )
