"""Pass 6: action values have the types their targets take."""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from routing.dsl import ast
from routing.dsl.durations import format_duration
from routing.dsl.limits import MAX_SPAM_SCORE_STEP
from routing.dsl.passes._context import CheckContext
from routing.dsl.passes.check_types import parse_datetime_literal
from routing.dsl.suggest import did_you_mean
from routing.model.schema import PRIORITIES, REQUESTER_FIELDS
from routing.model.types import Kind, Type

__all__ = ["STRATEGIES", "check_actions", "is_address", "is_domain_pattern"]

STRATEGIES: tuple[str, ...] = ("round_robin", "least_loaded", "skills")
MODES: tuple[str, ...] = ("first", "all")

_LOCAL = r"[^\s@<>()\[\],;:\"*]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*"
_ADDRESS = re.compile(rf"{_LOCAL}@{_DOMAIN}")
_DOMAIN_PATTERN = re.compile(rf"\*@{_DOMAIN}")


def is_address(text: str) -> bool:
    """Whether `text` is a bare e-mail address (``local@domain``, no display name)."""
    return _ADDRESS.fullmatch(text) is not None


def is_domain_pattern(text: str) -> bool:
    """Whether `text` is a ``*@domain`` pattern (every address of one domain)."""
    return _DOMAIN_PATTERN.fullmatch(text) is not None


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
        # finite: a decision holding NaN or an infinity could not be written as JSON
        if not isinstance(value, int | float) or isinstance(value, bool):
            return "a number"
        return None if math.isfinite(value) else "a finite number"
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


def _check_replies(ctx: CheckContext, replies: ast.RepliesDecl) -> None:
    sender = replies.sender
    if sender is not None and not is_address(sender.value):
        pattern = is_domain_pattern(sender.value)
        ctx.report(
            "replies/bad-address",
            f"'from' takes the one address replies are sent from, found '{sender.value}'",
            sender.span,
            hint="list patterns under 'own_addresses'"
            if pattern
            else "write a bare address such as support@example.com",
        )
    for own in replies.own_addresses:
        if not is_address(own.value) and not is_domain_pattern(own.value):
            ctx.report(
                "replies/bad-address",
                f"expected an e-mail address or a *@domain pattern, found '{own.value}'",
                own.span,
                hint="write a bare address (support@example.com) or a whole domain "
                "(*@example.com), without a display name",
            )
    previous: ast.RateLimit | None = None
    for i, tier in enumerate(replies.rate_limits or (), start=1):
        bad = False
        if tier.limit < 1:
            bad = True
            ctx.report(
                "replies/bad-rate-limit",
                f"a rate limit allows at least 1 reply, found {tier.limit}",
                tier.limit_span,
                hint="to send no auto-replies at all, set 'no_reply: true' in a rule",
            )
        if tier.per <= 0:
            bad = True
            ctx.report(
                "replies/bad-rate-limit",
                f"a rate limit counts over a window longer than 0s, found "
                f"'{format_duration(tier.per)}'",
                tier.per_span,
            )
        if bad:
            continue
        if previous is not None:
            window, earlier = format_duration(tier.per), format_duration(previous.per)
            if tier.per <= previous.per:
                ctx.report(
                    "replies/rate-limit-order",
                    f"tier {i} counts over {window}, not longer than the {earlier} of the tier "
                    "before it",
                    tier.per_span,
                    hint="list the tiers from the shortest window to the longest",
                )
            elif tier.limit <= previous.limit:
                ctx.report(
                    "replies/rate-limit-order",
                    f"tier {i} allows {tier.limit} replies per {window}, not more than the "
                    f"{previous.limit} per {earlier} of the tier before it, which could never "
                    "apply",
                    tier.limit_span,
                    hint="a longer window needs a higher limit",
                )
        previous = tier


def check_actions(ctx: CheckContext) -> None:
    """Check stage modes, the values of every action and the ``replies:`` section."""
    if ctx.replies is not None:
        _check_replies(ctx, ctx.replies)
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
            elif isinstance(action, ast.SpamScoreAction):
                # bounded, so that no sum of steps overflows into an infinite score
                if not abs(action.amount) <= MAX_SPAM_SCORE_STEP:  # NaN too
                    ctx.report(
                        "action/bad-value",
                        f"'spam_score' adds a number from {-MAX_SPAM_SCORE_STEP:,} to "
                        f"{MAX_SPAM_SCORE_STEP:,}, found {action.amount!r}",
                        action.span,
                    )
            elif isinstance(action, ast.ReplyAction):
                if action.once_per is not None and action.once_per <= 0:
                    ctx.report(
                        "action/bad-value", "'once_per' must be a positive duration", action.span
                    )
            elif isinstance(action, ast.WebhookAction):
                url = action.url.value
                problem = _url_problem(url)
                if problem is not None:
                    ctx.report(
                        "action/bad-value",
                        f"expected an http or https URL, found {url!r}{problem}",
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


def _url_problem(url: object) -> str | None:
    """None for an http or https URL with a host; else what to add to the message ("" when
    the scheme or the host says it all, ": REASON" when `urlsplit` refuses the text)."""
    if not isinstance(url, str):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL" for an unmatched '[' or ']' in the host
        return f": {exc}"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return None
