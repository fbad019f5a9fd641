"""The effects step of the pipeline: replies (gated, rendered, threaded), notifications and
webhooks, from the effects the fired rules queued."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from routing.compiler.actions import PendingEffect
from routing.compiler.compiler import CompiledRuleset
from routing.compiler.state import State
from routing.dsl import ast
from routing.dsl.durations import format_duration
from routing.dsl.templates import TemplateData, TemplateRenderError, template_data
from routing.engine.replies import DEFAULT_RATE_LIMITS, ReplyRecord, reply_gate, reply_headers
from routing.errors import CalendarError
from routing.model.decision import DecisionError, Effect, SentReply, Suppressed
from routing.model.ticket import Ticket

__all__ = ["effects_of"]


def _failure(code: str, message: str, rule: str | None) -> DecisionError:
    return DecisionError(code, message, rule)


def _calendar_data(
    compiled: CompiledRuleset, now: datetime, errors: list[DecisionError]
) -> dict[str, Any]:
    """``calendars[name]`` for templates: only the calendars some template reads."""
    out: dict[str, Any] = {}
    for name in sorted(compiled.template_calendars):
        cal = compiled.calendars[name]
        try:
            opening = cal.next_open(now).astimezone(cal.timezone).isoformat()
        except (CalendarError, ValueError) as exc:
            errors.append(_failure("eval/calendar", f"calendar '{name}': {exc}", None))
            opening = None
        out[name] = {
            "next_open": opening,
            "is_open": cal.is_open(now),
            "timezone": cal.timezone.key,
        }
    return out


def effects_of(
    compiled: CompiledRuleset,
    s: State,
    ticket: Ticket,
    now: datetime,
    history: Sequence[ReplyRecord],
    sla: dict[str, Any] | None,
    tags: tuple[str, ...],
    fired: list[str],
    effects: list[Effect],
    suppressed: list[Suppressed],
    sent: list[SentReply],
    errors: list[DecisionError],
) -> None:
    data: TemplateData | None = None

    def render(rule: str, template: str) -> str | None:
        nonlocal data
        if data is None:
            decision = {
                "ticket_id": ticket.id,
                "queue": s.queue,
                "priority": s.priority,
                "status": s.status,
                "assignee": s.assignee,
                "tags": list(tags),
                "spam": s.spam,
                "spam_score": s.spam_score,
                "fields": dict(s.fields),
                "fired": list(fired),
            }
            plain = ticket.to_dict()
            plain.update(
                queue=s.queue,
                priority=s.priority,
                status=s.status,
                assignee=s.assignee,
                tags=list(tags),
                fields=dict(s.fields),
                spam=s.spam,
                spam_score=s.spam_score,
                text=ticket.text,
            )
            raw = template_data(ticket=plain, decision=decision, sla=sla, now=now)
            raw["calendars"] = _calendar_data(compiled, now, errors)
            data = TemplateData(raw)  # made plain once, per root a template reads
        try:
            return str(compiled.templates[template].render(data))
        except TemplateRenderError as exc:
            errors.append(_failure("eval/template-error", f"template '{template}': {exc}", rule))
            return None

    policy = compiled.replies
    tiers = DEFAULT_RATE_LIMITS if policy.rate_limits is None else policy.rate_limits
    # Replies this decision sends count in the rate-limit tiers of its later replies (they go
    # out at `now`): the tiers cap what the requester receives, however many rules ask.
    issued = 0
    for pending in s.effects:
        assert isinstance(pending, PendingEffect)
        action = pending.action
        if isinstance(action, ast.ReplyAction):
            template = action.template.value
            to = ticket.requester.email
            gate = reply_gate(
                spam=s.spam,
                no_reply=s.no_reply,
                headers=ticket.headers,
                recipient=to,
                template=template,
                now=now,
                once_per=timedelta(seconds=action.once_per) if action.once_per else None,
                history=history,
                own_addresses=policy.own_addresses,
                rate_limits=tiers,
                sent_now=issued,
            )
            reason = gate.suppression
            if reason is not None or to is None:  # reply_gate suppresses a missing address
                assert reason is not None
                suppressed.append(Suppressed(pending.rule, template, reason.code, reason.reason))
                continue
            body = render(pending.rule, template)
            if body is None:
                continue
            subject = ticket.subject.strip() or f"ticket {ticket.id}"
            headers = reply_headers(
                ticket.headers.get("Message-ID"),
                ticket.headers.get("References"),
                sender=policy.sender,
            )
            effects.append(
                Effect(
                    type="reply",
                    rule=pending.rule,
                    template=template,
                    to=to,
                    subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
                    body=body,
                    headers=tuple(headers.items()),
                )
            )
            issued += 1
            sent.append(
                SentReply(
                    pending.rule,
                    template,
                    to,
                    gate.passed,
                    tuple(
                        (t.limit, format_duration(int(t.window.total_seconds())), t.count)
                        for t in gate.tiers
                    ),
                )
            )
        elif isinstance(action, ast.NotifyAction):
            body = render(pending.rule, action.template.value)
            if body is not None:
                effects.append(
                    Effect(
                        type="notify",
                        rule=pending.rule,
                        template=action.template.value,
                        to=str(action.to.value),
                        body=body,
                    )
                )
        elif isinstance(action, ast.WebhookAction):
            body = render(pending.rule, action.body.value) if action.body is not None else None
            if action.body is not None and body is None:
                continue
            effects.append(
                Effect(
                    type="webhook",
                    rule=pending.rule,
                    template=action.body.value if action.body else None,
                    url=str(action.url.value),
                    body=body,
                )
            )
