"""Rule and branch coverage of a rule set, from the engine's own observed evaluation.

Rule coverage: which enabled rules fired in at least one test. Branch coverage (condition
coverage): each operand of every ``and``, ``or`` and ``not`` of a rule's condition, and the
condition as a whole, should be seen both true and false across the tests. An operand that
short-circuiting skipped, or that failed at run time, counts as neither. A named condition
(a ``define``) counts as one operand where a rule uses it. Literals (``when: "true"``)
cannot vary and are not counted.

The values come from `Ruleset.explain`, which runs the compiled conditions with a recorder
around each node: `RuleTrace.tests` holds one value per node of
`routing.compiler.compiler.observed_nodes`, in that order, so a value is paired with its
node (and its source span) by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from routing.compiler.compiler import observed_nodes
from routing.diagnostics import Span
from routing.dsl import ast
from routing.dsl.printer import print_expr
from routing.engine.ruleset import Ruleset
from routing.model.decision import Decision

__all__ = ["Branch", "Coverage", "CoverageRecorder", "RuleCoverage", "percent"]

#: What the engine records for a sub-test that short-circuiting skipped.
_NOT_EVALUATED: Final = "(not evaluated)"
_LITERALS = (
    ast.StringLit,
    ast.NumberLit,
    ast.BoolLit,
    ast.NullLit,
    ast.DurationLit,
    ast.RegexLit,
    ast.ListLit,
    ast.ListRef,
)


def percent(covered: int, total: int) -> float:
    """`covered` of `total` as a percentage; 100.0 when there is nothing to cover."""
    return 100.0 if total == 0 else 100.0 * covered / total


@dataclass(frozen=True, slots=True)
class RuleCoverage:
    """One rule: whether it is enabled, and in how many tests it was evaluated and fired."""

    stage: str
    rule: str
    span: Span = field(compare=False, repr=False)
    enabled: bool = True
    evaluated: int = 0
    fired: int = 0


@dataclass(frozen=True, slots=True)
class Branch:
    """One operand of a rule's condition (or the whole condition) and the values seen."""

    rule: str
    text: str
    span: Span = field(compare=False, repr=False)
    seen_true: bool = False
    seen_false: bool = False

    @property
    def missing(self) -> tuple[str, ...]:
        """The outcomes never seen: ``("true",)``, ``("false",)``, both or none."""
        out = []
        if not self.seen_true:
            out.append("true")
        if not self.seen_false:
            out.append("false")
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Coverage:
    """The coverage of one rule set by the tests that ran against it."""

    rules_path: str
    rules: tuple[RuleCoverage, ...]
    branches: tuple[Branch, ...]

    @property
    def enabled_rules(self) -> tuple[RuleCoverage, ...]:
        """The rules that count: disabled rules are left out of the denominator."""
        return tuple(r for r in self.rules if r.enabled)

    @property
    def disabled_rules(self) -> tuple[RuleCoverage, ...]:
        return tuple(r for r in self.rules if not r.enabled)

    @property
    def fired_rules(self) -> int:
        return sum(1 for r in self.enabled_rules if r.fired)

    @property
    def uncovered_rules(self) -> tuple[RuleCoverage, ...]:
        """Enabled rules that fired in no test, in evaluation order."""
        return tuple(r for r in self.enabled_rules if not r.fired)

    @property
    def rule_percent(self) -> float:
        return percent(self.fired_rules, len(self.enabled_rules))

    @property
    def branch_total(self) -> int:
        """Outcomes to cover: two (true and false) per branch."""
        return 2 * len(self.branches)

    @property
    def branch_covered(self) -> int:
        return sum(int(b.seen_true) + int(b.seen_false) for b in self.branches)

    @property
    def uncovered_branches(self) -> tuple[Branch, ...]:
        """Branches missing an outcome, in evaluation order."""
        return tuple(b for b in self.branches if b.missing)

    @property
    def branch_percent(self) -> float:
        return percent(self.branch_covered, self.branch_total)


def _branch_points(expr: ast.Expr) -> set[int]:
    """The ids of the condition and of every operand of its and/or/not structure."""
    points: set[int] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, _LITERALS):
            points.add(id(node))
        if isinstance(node, ast.And | ast.Or):
            stack.extend(node.operands)
        elif isinstance(node, ast.Not):
            stack.append(node.operand)
    return points


@dataclass(slots=True)
class _RuleState:
    stage: str
    rule: str
    span: Span
    enabled: bool
    nodes: int  # how many values a trace of this rule carries
    points: tuple[tuple[int, str, Span], ...]  # (position in the trace, text, span)
    evaluated: int = 0
    fired: int = 0
    seen: dict[int, set[bool]] = field(default_factory=dict)


class CoverageRecorder:
    """Accumulates coverage of one rule set from decisions made by `Ruleset.explain`."""

    def __init__(self, ruleset: Ruleset, rules_path: str) -> None:
        self.rules_path = rules_path
        checked = ruleset.checked
        self._rules: dict[str, _RuleState] = {}
        for stage in checked.stages:
            for rule in stage.rules:
                expr = checked.expr(rule.when)
                nodes = observed_nodes(expr)
                wanted = _branch_points(expr)
                points = tuple(
                    (i, print_expr(n), n.span) for i, n in enumerate(nodes) if id(n) in wanted
                )
                self._rules[rule.name.value] = _RuleState(
                    stage.name.value,
                    rule.name.value,
                    rule.name.span,
                    rule.enabled,
                    len(nodes),
                    points,
                )

    def record(self, decision: Decision) -> None:
        """Count one decision (it must carry the trace `Ruleset.explain` makes)."""
        for trace in decision.trace:
            state = self._rules.get(trace.rule)
            if state is None or trace.outcome not in ("fired", "not-matched", "error"):
                continue
            state.evaluated += 1
            if trace.fired:
                state.fired += 1
            if not trace.tests:
                continue
            if len(trace.tests) != state.nodes:  # pragma: no cover - the engine's contract
                raise RuntimeError(
                    f"the trace of rule '{trace.rule}' has {len(trace.tests)} values for "
                    f"{state.nodes} observed nodes"
                )
            for position, _text, _span in state.points:
                outcome = _truth(trace.tests[position][1])
                if outcome is not None:
                    state.seen.setdefault(position, set()).add(outcome)

    def result(self) -> Coverage:
        """The coverage so far."""
        rules = []
        branches = []
        for s in self._rules.values():
            rules.append(RuleCoverage(s.stage, s.rule, s.span, s.enabled, s.evaluated, s.fired))
            if not s.enabled:
                continue
            for position, text, span in s.points:
                seen = s.seen.get(position, set())
                branches.append(Branch(s.rule, text, span, True in seen, False in seen))
        return Coverage(self.rules_path, tuple(rules), tuple(branches))


def _truth(value: Any) -> bool | None:
    """A recorded value as an outcome: None when it was not evaluated or failed."""
    if isinstance(value, Exception):
        return None
    if isinstance(value, str) and value == _NOT_EVALUATED:
        return None
    return bool(value)
