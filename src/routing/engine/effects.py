"""The effects step of the pipeline: replies (gated, rendered, threaded), notifications and
webhooks, from the effects the fired rules queued.

Most decisions queue no effect; a reply costs its gate, its template data and its render,
so each of those does only what the reply needs:

- the template data (`_Data`) makes a root only when a template reads it, once per
  decision, and straight as plain data (`as_plain`: the value itself when its types say
  it is plain, the requester's own field values, a text) instead of copying it through
  `TemplateData`; the ticket's own fields come straight from the ticket where that is
  plain (``id``, ``subject``, ``requester``, ...) instead of `Ticket.to_dict`; the
  template renders from those roots (`CompiledTemplate.render_plain`);
- the ``calendars`` root and its errors are remembered per rule set and evaluation
  instant (a dry run has one ``now`` for every ticket), in small bounded memos;
- the gate's fixed arguments (``once_per`` as a timedelta, the tiers' texts) are worked out
  once per value, and the gate remembers its outcome without history per rule set's tiers
  (docs/decisions/0021-effects-generated-templates-and-plain-roots.md).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from routing.compiler.actions import PendingEffect
from routing.compiler.compiler import CompiledRuleset
from routing.compiler.state import State
from routing.dsl import ast
from routing.dsl.durations import format_duration
from routing.dsl.templates import TemplateData, TemplateRenderError, as_plain
from routing.engine.replies import (
    DEFAULT_RATE_LIMITS,
    ReplyRecord,
    TierCount,
    gate_reply,
    reply_headers,
)
from routing.errors import CalendarError
from routing.model.decision import DecisionError, Effect, SentReply, Suppressed
from routing.model.ticket import Ticket

__all__ = ["effects_of"]


def _failure(code: str, message: str, rule: str | None) -> DecisionError:
    return DecisionError(code, message, rule)


# --------------------------------------------------------------------------- calendars

#: ``calendars[name]`` per (calendar, instant): the value and the error text, if any.
_CALENDAR_MEMO: dict[tuple[int, datetime], tuple[object, dict[str, Any], str | None]] = {}
_CALENDAR_MEMO_SIZE = 256


def _calendar_error(name: str, exc: Exception) -> str:
    """The error text of calendar `name`, named once (a calendar's own errors name it)."""
    text = str(exc)
    prefix = f"calendar '{name}'"
    return text if text.startswith(prefix) else f"{prefix}: {text}"


def _calendar_entry(name: str, cal: Any, now: datetime) -> tuple[dict[str, Any], str | None]:
    """``calendars[name]`` at `now` and the error text of a calendar that fails, remembered.

    The key holds the calendar's identity (the entry keeps the calendar alive, and the
    `is` check makes a reused id a miss) and the instant: the value depends on nothing
    else. Equal instants in other zones share an entry; the value is the same for them.
    """
    key = (id(cal), now)
    hit = _CALENDAR_MEMO.get(key)
    if hit is not None and hit[0] is cal:
        return hit[1], hit[2]
    error: str | None = None
    try:
        opening: str | None = cal.next_open(now).astimezone(cal.timezone).isoformat()
    except (CalendarError, ValueError) as exc:
        error = _calendar_error(name, exc)
        opening = None
    try:
        is_open: bool | None = bool(cal.is_open(now))
    except CalendarError as exc:  # `now` outside the years the calendar covers
        error = error or _calendar_error(name, exc)
        is_open = None
    # Plain data by construction: `str` and `bool` of the calendar's answers (what the
    # copy into plain data would keep of a str or a bool, exactly).
    entry = {
        "next_open": None if opening is None else str.__str__(opening),
        "is_open": is_open,
        "timezone": str.__str__(cal.timezone.key),
    }
    if len(_CALENDAR_MEMO) >= _CALENDAR_MEMO_SIZE:
        _CALENDAR_MEMO.clear()
    _CALENDAR_MEMO[key] = (cal, entry, error)
    return entry, error


def _calendar_data(
    compiled: CompiledRuleset, now: datetime, errors: list[DecisionError]
) -> dict[str, Any]:
    """``calendars[name]`` for templates: only the calendars some template reads.

    The value is plain data (texts, a bool, None), so `TemplateData` takes it as it is;
    the entries are shared by the decisions at one instant and never changed. The whole
    root and its errors are remembered per rule set and instant (a dry run has one).
    """
    key = (id(compiled), now)
    hit = _CALENDAR_DATA.get(key)
    if hit is not None and hit[0] is compiled:
        errors.extend(hit[2])
        return hit[1]
    out: dict[str, Any] = {}
    failures: list[DecisionError] = []
    for name in sorted(compiled.template_calendars):
        entry, error = _calendar_entry(name, compiled.calendars[name], now)
        if error is not None:
            failures.append(_failure("eval/calendar", error, None))
        out[name] = entry
    if len(_CALENDAR_DATA) >= _CALENDAR_MEMO_SIZE:
        _CALENDAR_DATA.clear()
    _CALENDAR_DATA[key] = (compiled, out, tuple(failures))
    errors.extend(failures)
    return out


#: `_calendar_data` per (rule set, instant): the entry keeps the rule set alive, so its id
#: is not reused while it is there (its calendars and their names do not change).
_CALENDAR_DATA: dict[
    tuple[int, datetime], tuple[object, dict[str, Any], tuple[DecisionError, ...]]
] = {}


# --------------------------------------------------------------------------- template data

#: Values of the decision that stand in for the ticket's own, in the order
#: `routing.dsl.templates.template_data` receives them.
_DECISION_KEYS = ("queue", "priority", "status", "assignee", "tags", "fields", "spam")
_OVERRIDES = (*_DECISION_KEYS, "spam_score", "text")
#: The roots `template_data` adds after the ticket's fields, in its order.
_RESERVED = ("ticket", "requester", "decision", "sla", "now", "calendars")


_TEXT_OR_NONE = frozenset({str, type(None)})


def _requester(ticket: Ticket) -> object:
    """``to_dict()["requester"]``: the requester's fields, which are texts or None.

    A pydantic model keeps its field values in its ``__dict__``, in declaration order; when
    all are texts or None they are their own JSON dump (about 2 us saved). Anything else
    is dumped by pydantic.
    """
    requester = ticket.requester
    values = vars(requester)
    if _TEXT_OR_NONE.issuperset(map(type, values.values())):
        return values  # read only: `TemplateData` copies it into plain data
    return requester.model_dump(mode="json")


#: Ticket fields made straight from the ticket: each gives what ``Ticket.to_dict()`` has
#: under its key (tests/engine/test_effects_data.py holds them to it), without the ~10 us
#: of dumping the whole ticket.
_DIRECT: dict[str, Callable[[Ticket], object]] = {
    "id": lambda t: t.id,
    "subject": lambda t: t.subject,
    "body": lambda t: t.body,
    "requester": _requester,
}


_LAYOUTS: dict[type, tuple[str, ...]] = {}


def _roots_of(ticket: Ticket) -> tuple[str, ...]:
    """The roots of a decision's template data, in the order `template_data` makes them.

    The ticket's fields (``to_dict`` of a pydantic model has the same keys in the same
    order for every ticket of a class, so the first ticket of a class tells them), the
    decision's values that are not ticket fields, then the reserved roots.
    """
    cls = type(ticket)
    roots = _LAYOUTS.get(cls)
    if roots is None:
        keys = dict.fromkeys(ticket.to_dict())
        keys.update(dict.fromkeys(_OVERRIDES))
        keys.update(dict.fromkeys(_RESERVED))
        roots = _LAYOUTS[cls] = tuple(keys)
    return roots


_ROOT_SETS: dict[type, frozenset[str]] = {}


def _root_set(ticket: Ticket) -> frozenset[str]:
    cls = type(ticket)
    roots = _ROOT_SETS.get(cls)
    if roots is None:
        roots = _ROOT_SETS[cls] = frozenset(_roots_of(ticket))
    return roots


class _DecisionRoots(Mapping[str, object]):
    """The template data of one decision (`routing.dsl.templates.template_data` plus
    ``calendars``), computing each root only when it is read.

    `TemplateData` reads each root at most once, and only the roots of the templates it
    renders; the values are those of ``template_data(ticket=merged, ...)`` where
    ``merged`` is ``ticket.to_dict()`` updated with the decision's values.
    """

    __slots__ = ("_calendars", "_fired", "_merged", "_now", "_s", "_sla", "_tags", "_ticket")

    def __init__(
        self,
        s: State,
        ticket: Ticket,
        now: datetime,
        sla: dict[str, Any] | None,
        tags: tuple[str, ...],
        fired: list[str],
        calendars: dict[str, Any],
    ) -> None:
        self._s = s
        self._ticket = ticket
        self._now = now
        self._sla = sla
        self._tags = tags
        self._fired = fired
        self._calendars = calendars
        self._merged: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[str]:
        return iter(_roots_of(self._ticket))

    def __len__(self) -> int:
        return len(_roots_of(self._ticket))

    def __contains__(self, key: object) -> bool:
        return key in _root_set(self._ticket)

    def _override(self, key: str) -> object:
        s = self._s
        if key == "tags":
            return list(self._tags)
        if key == "fields":
            return dict(s.fields)
        if key == "spam_score":
            return s.spam_score
        if key == "text":
            return self._ticket.text
        return getattr(s, key)

    def _ticket_dict(self) -> dict[str, Any]:
        merged = self._merged
        if merged is None:
            merged = self._ticket.to_dict()
            for key in _OVERRIDES:
                merged[key] = self._override(key)
            self._merged = merged
        return merged

    def __getitem__(self, key: str) -> object:
        if key in _RESERVED:
            if key == "decision":
                s = self._s
                return {
                    "ticket_id": self._ticket.id,
                    "queue": s.queue,
                    "priority": s.priority,
                    "status": s.status,
                    "assignee": s.assignee,
                    "tags": list(self._tags),
                    "spam": s.spam,
                    "spam_score": s.spam_score,
                    "fields": dict(s.fields),
                    "fired": list(self._fired),
                }
            if key == "sla":
                return self._sla
            if key == "now":
                return self._now.isoformat()
            if key == "calendars":
                return self._calendars
            if key == "ticket":
                return self._ticket_dict()
            # requester: the merged ticket's, which is the ticket's own (not overridden)
        if key in _OVERRIDES:
            return self._override(key)
        direct = _DIRECT.get(key)
        if direct is not None:
            return direct(self._ticket)
        return self._ticket_dict()[key]


# --------------------------------------------------------------------------- plain roots
#
# `TemplateData` reads a root from `_DecisionRoots` and copies it into plain data. For the
# roots the engine makes itself that is wasted work: their values are plain data as they
# are, or nearly, so each maker below gives the root straight as plain data (the value
# itself when a cheap check of its types says it is plain, else `as_plain`'s copy).
# A maker gives what ``as_plain(roots[key], key)`` gives (tests/engine/test_effects_data.py
# holds them to it); a root without a maker takes that path.


def _ticket_text(name: str) -> Callable[[_DecisionRoots], object]:
    """The maker of a ticket field that is a text: the text itself (one call per root)."""
    get = operator.attrgetter(name)

    def make(r: _DecisionRoots) -> object:
        value = get(r._ticket)
        return value if type(value) in _TEXT_OR_NONE else as_plain(value, name)

    return make


def _plain_sla(r: _DecisionRoots) -> object:
    return as_plain(r._sla, "sla")


def _plain_requester(r: _DecisionRoots) -> object:
    requester = r._ticket.requester
    values = vars(requester)
    if _TEXT_OR_NONE.issuperset(map(type, values.values())):
        return values  # its own plain data (read only): see `_requester`
    return as_plain(requester.model_dump(mode="json"), "requester")


def _plain_decision(r: _DecisionRoots) -> object:
    s = r._s
    return as_plain(
        {
            "ticket_id": r._ticket.id,
            "queue": s.queue,
            "priority": s.priority,
            "status": s.status,
            "assignee": s.assignee,
            "tags": list(r._tags),
            "spam": s.spam,
            "spam_score": s.spam_score,
            "fields": dict(s.fields),
            "fired": list(r._fired),
        },
        "decision",
    )


_MAKERS: dict[str, Callable[[_DecisionRoots], object]] = {
    "id": _ticket_text("id"),
    "subject": _ticket_text("subject"),
    "body": _ticket_text("body"),
    "text": _ticket_text("text"),
    "requester": _plain_requester,
    "sla": _plain_sla,
    "now": lambda r: r._now.isoformat(),
    "decision": _plain_decision,
}


def _plain_root(r: _DecisionRoots, key: str) -> object:
    """Root `key` of the decision's template data as plain data."""
    make = _MAKERS.get(key)
    if make is not None:
        return make(r)
    return as_plain(r[key], key)


class _Data:
    """The template data of one decision, made at its first render: the roots made plain
    so far, shared by its templates (each root is made once per decision)."""

    __slots__ = ("plain", "roots")

    def __init__(self, roots: _DecisionRoots, calendars: dict[str, Any]) -> None:
        self.roots = roots
        self.plain: dict[str, object] = {"calendars": calendars}

    def select(self, reads: frozenset[str] | None) -> dict[str, object]:
        """The plain roots a template reads (those the data has), as `TemplateData.select`.

        Raises:
            TemplateRenderError: a root that is not plain data; of two, the first in the
                data's order (as `TemplateData` names it).
        """
        plain = self.plain
        if reads is not None:
            out: dict[str, object] = {}
            roots = self.roots
            present = _root_set(roots._ticket)
            try:
                for key in reads:
                    value = plain.get(key, _MISSING)
                    if value is _MISSING:
                        if key not in present:
                            continue
                        make = _MAKERS.get(key)  # `_plain_root`, inline
                        value = plain[key] = (
                            as_plain(roots[key], key) if make is None else make(roots)
                        )
                    out[key] = value
                return out
            except TemplateRenderError:
                pass  # `TemplateData` finds the first failing root in the data's order
        return TemplateData(self.roots, plain=plain).select(reads)


_MISSING = object()


# --------------------------------------------------------------------------- replies


@functools.lru_cache(maxsize=64)
def _once_per(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


@functools.lru_cache(maxsize=64)
def _window_text(window: timedelta) -> str:
    return format_duration(int(window.total_seconds()))


def _sent_tiers(tiers: tuple[TierCount, ...]) -> tuple[tuple[int, str, int], ...]:
    """A sent reply's tiers as the decision records them. The gate gives one tuple per
    rule set's tiers and count (`reply_gate` remembers it), so the text is remembered by
    the tuple's identity (the entry keeps it alive)."""
    hit = _SENT_TIERS.get(id(tiers))
    if hit is not None and hit[0] is tiers:
        return hit[1]
    out = tuple((t.limit, _window_text(t.window), t.count) for t in tiers)
    if len(_SENT_TIERS) >= 256:
        _SENT_TIERS.clear()
    _SENT_TIERS[id(tiers)] = (tiers, out)
    return out


_SENT_TIERS: dict[int, tuple[tuple[TierCount, ...], tuple[tuple[int, str, int], ...]]] = {}


def _render(
    compiled: CompiledRuleset, data: _Data, rule: str, template: str, errors: list[DecisionError]
) -> str | None:
    """The text of `template` with the decision's data, or None after adding its
    ``eval/template-error`` to `errors`."""
    compiled_template = compiled.templates[template]
    try:
        return str(compiled_template.render_plain(data.select(compiled_template.roots)))
    except TemplateRenderError as exc:
        errors.append(_failure("eval/template-error", f"template '{template}': {exc}", rule))
        return None


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
    """Gate, render and record the effects the fired rules queued (`State.effects`).

    Appends to `effects`, `suppressed`, `sent` and `errors`; a template that fails to
    render is an ``eval/template-error`` of its rule and its effect is dropped.
    """
    # The template data, made at the decision's first render (calendar errors too). Plain
    # code rather than a closure over the arguments: every name below stays a local.
    data: _Data | None = None
    policy = compiled.replies
    tiers = DEFAULT_RATE_LIMITS if policy.rate_limits is None else policy.rate_limits
    # Replies this decision sends count in the rate-limit tiers of its later replies (they go
    # out at `now`): the tiers cap what the requester receives, however many rules ask.
    issued = 0
    for pending in s.effects:
        assert isinstance(pending, PendingEffect)
        action = pending.action
        rule = pending.rule
        if isinstance(action, ast.ReplyAction):
            template = action.template.value
            to = ticket.requester.email
            gate = gate_reply(
                s.spam,
                s.no_reply,
                ticket.headers,
                to,
                template,
                now,
                _once_per(action.once_per) if action.once_per else None,
                history,
                policy.own_addresses,
                tiers,
                issued,
            )
            reason = gate.suppression
            if reason is not None or to is None:  # the gate suppresses a missing address
                assert reason is not None
                suppressed.append(Suppressed(rule, template, reason.code, reason.reason))
                continue
            if data is None:
                data = _new_data(compiled, s, ticket, now, sla, tags, fired, errors)
            body = _render(compiled, data, rule, template, errors)
            if body is None:
                continue
            subject = ticket.subject.strip() or f"ticket {ticket.id}"
            headers = ticket.headers
            effects.append(
                Effect(
                    "reply",
                    rule,
                    template,
                    to,
                    subject if subject.lower().startswith("re:") else f"Re: {subject}",
                    body,
                    None,
                    tuple(
                        reply_headers(
                            headers.get("Message-ID"),
                            headers.get("References"),
                            sender=policy.sender,
                        ).items()
                    ),
                )
            )
            issued += 1
            sent.append(SentReply(rule, template, to, gate.passed, _sent_tiers(gate.tiers)))
        elif isinstance(action, ast.NotifyAction):
            template = action.template.value
            if data is None:
                data = _new_data(compiled, s, ticket, now, sla, tags, fired, errors)
            body = _render(compiled, data, rule, template, errors)
            if body is not None:
                effects.append(Effect("notify", rule, template, str(action.to.value), None, body))
        elif isinstance(action, ast.WebhookAction):
            if action.body is None:
                effects.append(
                    Effect("webhook", rule, None, None, None, None, str(action.url.value))
                )
                continue
            template = action.body.value
            if data is None:
                data = _new_data(compiled, s, ticket, now, sla, tags, fired, errors)
            body = _render(compiled, data, rule, template, errors)
            if body is not None:
                effects.append(
                    Effect("webhook", rule, template, None, None, body, str(action.url.value))
                )


def _new_data(
    compiled: CompiledRuleset,
    s: State,
    ticket: Ticket,
    now: datetime,
    sla: dict[str, Any] | None,
    tags: tuple[str, ...],
    fired: list[str],
    errors: list[DecisionError],
) -> _Data:
    """The decision's template data (``calendars`` adds its errors, once per decision)."""
    calendars = _calendar_data(compiled, now, errors)
    return _Data(_DecisionRoots(s, ticket, now, sla, tags, fired, calendars), calendars)
