"""`Ruleset`: the compiled, immutable, thread-safe object users cache and evaluate with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from routing.compiler.actions import AgentState
from routing.compiler.compiler import CompiledRuleset, compile_ruleset
from routing.diagnostics import Diagnostic
from routing.dsl.checker import CheckedRuleset
from routing.engine.pipeline import run
from routing.engine.replies import ReplyRecord
from routing.errors import EvaluationError
from routing.model.decision import Decision
from routing.model.ticket import Ticket
from routing.sla import TicketHistory

__all__ = ["EVENTS", "Ruleset"]

EVENTS: tuple[str, ...] = ("created", "updated", "replied", "status_changed")


def _ticket(ticket: Ticket | Mapping[str, Any]) -> Ticket:
    if isinstance(ticket, Ticket):
        return ticket
    if isinstance(ticket, Mapping):
        return Ticket.from_dict(ticket)
    raise EvaluationError(f"a ticket is a dict or a routing.Ticket, found {type(ticket).__name__}")


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    if not isinstance(now, datetime):
        raise EvaluationError(f"'now' must be a datetime, found {type(now).__name__}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise EvaluationError("'now' must be an aware datetime (with a time zone)")
    return now


def _history(history: Sequence[ReplyRecord | Mapping[str, Any]]) -> tuple[ReplyRecord, ...]:
    if isinstance(history, str | bytes | Mapping) or not isinstance(history, Iterable):
        raise EvaluationError(
            f"'history' is a list of reply records, found {type(history).__name__}"
        )
    out = []
    for h in history:
        if isinstance(h, ReplyRecord):
            out.append(h)
            continue
        if not isinstance(h, Mapping):
            raise EvaluationError(
                "a reply history entry is a dict {to, at, template} or a ReplyRecord, "
                f"found {type(h).__name__}"
            )
        at = h.get("at")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                raise EvaluationError(
                    f"a reply history entry's 'at' is not an ISO 8601 date-time: {at!r}"
                ) from None
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise EvaluationError("a reply history entry needs an aware 'at' datetime")
        out.append(ReplyRecord(str(h.get("to", "")), at, h.get("template")))
    return tuple(out)


def _check_extras(agents: object, sla_history: object) -> None:
    """`agents` and `sla_history` are what their names say, or None."""
    if agents is not None and not isinstance(agents, AgentState):
        raise EvaluationError(
            "'agents' is a routing.compiler.actions.AgentState or None, "
            f"found {type(agents).__name__}"
        )
    if sla_history is not None and not isinstance(sla_history, TicketHistory):
        raise EvaluationError(
            "'sla_history' is a routing.sla.TicketHistory or None, "
            f"found {type(sla_history).__name__}"
        )


class Ruleset:
    """A loaded, checked and compiled rule set. Immutable; share it between threads.

    Create it with `routing.load` or `routing.loads`. With `index` (the default) evaluation
    visits only the rules a ticket can match (`routing.compiler.index`); ``index=False``
    visits every rule, with the very same decisions: tests compare the two paths.
    """

    __slots__ = ("_checked", "_compiled", "_explain")

    def __init__(self, checked: CheckedRuleset, *, index: bool = True) -> None:
        self._checked = checked
        self._compiled: CompiledRuleset = compile_ruleset(checked, index=index)
        self._explain: CompiledRuleset | None = None

    @property
    def indexed(self) -> bool:
        """Whether evaluation uses the rule index."""
        return self._compiled.index is not None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Warnings found while checking (errors would have stopped loading)."""
        return self._checked.diagnostics

    @property
    def rule_names(self) -> tuple[str, ...]:
        """Every rule, in evaluation order."""
        return tuple(r.name for s in self._compiled.stages for r in s.rules)

    @property
    def checked(self) -> CheckedRuleset:
        return self._checked

    def evaluate(
        self,
        ticket: Ticket | Mapping[str, Any],
        now: datetime | None = None,
        *,
        event: str = "created",
        history: Sequence[ReplyRecord | Mapping[str, Any]] = (),
        agents: AgentState | None = None,
        sla_history: TicketHistory | None = None,
        trace: bool = False,
    ) -> Decision:
        """Decide what happens to a ticket at `now`.

        Args:
            ticket: a `routing.Ticket`, or a dict in its shape.
            now: the evaluation instant (aware); defaults to the current minute.
            event: which rules listen: created, updated, replied or status_changed.
            history: earlier auto-replies (`ReplyRecord` or {"to", "at", "template"}).
            agents: open tickets per agent and round-robin cursors for `assign`.
            sla_history: status and priority changes, for exact SLA clocks.
            trace: record what happened to every rule in `Decision.trace`.

        Raises:
            TicketError: the ticket dict is malformed.
            EvaluationError: `now`, `event` or `history` is misused.
        """
        # `_run`, with its checks inline for the common call (a `Ticket`, an aware `now`):
        # three Python calls fewer per ticket; anything else goes through the helpers
        if event not in EVENTS:
            raise EvaluationError(f"unknown event '{event}'; expected one of {', '.join(EVENTS)}")
        if type(ticket) is not Ticket:
            ticket = _ticket(ticket)
        if type(now) is not datetime or now.tzinfo is None or now.utcoffset() is None:
            now = _now(now)
        if agents is not None or sla_history is not None:
            _check_extras(agents, sla_history)
        return run(
            self._compiled,
            ticket,
            now,
            event=event,
            history=_history(history) if history else (),
            agents=agents,
            sla_history=sla_history,
            trace=trace,
        )

    def explain(
        self,
        ticket: Ticket | Mapping[str, Any],
        now: datetime | None = None,
        *,
        event: str = "created",
        history: Sequence[ReplyRecord | Mapping[str, Any]] = (),
        agents: AgentState | None = None,
        sla_history: TicketHistory | None = None,
    ) -> Decision:
        """Like `evaluate`, with a full trace: per rule, its outcome and every sub-test's value.

        It runs the same compiled closures as `evaluate`, each wrapped in a recorder.
        """
        if self._explain is None:
            self._explain = compile_ruleset(self._checked, observe=True)
        return self._run(self._explain, ticket, now, event, history, agents, sla_history, True)

    @staticmethod
    def _run(
        compiled: CompiledRuleset,
        ticket: Ticket | Mapping[str, Any],
        now: datetime | None,
        event: str,
        history: Sequence[ReplyRecord | Mapping[str, Any]],
        agents: AgentState | None,
        sla_history: TicketHistory | None,
        trace: bool,
    ) -> Decision:
        if event not in EVENTS:
            raise EvaluationError(f"unknown event '{event}'; expected one of {', '.join(EVENTS)}")
        _check_extras(agents, sla_history)
        return run(
            compiled,
            _ticket(ticket),
            _now(now),
            event=event,
            history=_history(history) if history else (),
            agents=agents,
            sla_history=sla_history,
            trace=trace,
        )
