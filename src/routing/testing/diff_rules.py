"""Rule sets as ``routing diff`` compares them: normalised rule definitions and declarations.

`describe_ruleset` turns a loaded `routing.Ruleset` into a `RuleSetInfo`: each rule's
definition with its condition printed canonically and its actions written the way a rule
file writes them, and a canonical text of every declaration. `classify_rules` and
`classify_declarations` say what is added, removed or changed between two of them.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from routing.dsl import ast
from routing.dsl.durations import format_duration
from routing.dsl.printer import print_expr

__all__ = [
    "ASPECTS",
    "RuleDef",
    "RuleSetInfo",
    "classify_declarations",
    "classify_rules",
    "describe_ruleset",
]

#: The parts of a rule whose difference makes it "changed" (besides its order).
ASPECTS: Final = ("when", "then", "stage", "mode", "enabled", "on", "stop")
_NONE: Final = "(none)"


@dataclass(frozen=True, slots=True)
class RuleDef:
    """One rule's normalised definition: what decides whether two versions behave alike.

    `when` is the condition printed canonically; `then` the actions, one canonical text each.
    `location` (``file:line``) and `position` (index in its stage) are not compared.
    """

    name: str
    stage: str
    mode: str
    when: str
    then: tuple[str, ...]
    enabled: bool
    on: tuple[str, ...]
    stop: bool
    location: str
    position: int


@dataclass(frozen=True, slots=True)
class RuleSetInfo:
    """What a diff needs of one rule set: a label, its rules in order, its declarations.

    `declarations` maps (kind, name) — kind being a rule file key such as ``lists``,
    ``defines``, ``sla_policies`` — to a canonical text of the declaration.
    """

    label: str
    rules: tuple[RuleDef, ...]
    declarations: Mapping[tuple[str, str], str]


def describe_ruleset(
    ruleset: Any, label: str, *, rename: Callable[[str], str] | None = None
) -> RuleSetInfo:
    """Describe a loaded `routing.Ruleset` for `DiffBuilder`.

    Args:
        ruleset: the rule set.
        label: how reports name it (``rules/``, ``git:main:rules``).
        rename: maps a rule file's name to the name reports show (for a temporary copy).
    """
    checked = ruleset.checked
    show = rename or (lambda name: name)

    def condition(c: ast.Condition) -> str:
        try:
            return print_expr(checked.expr(c))
        except (KeyError, ValueError):
            return " ".join(c.text.split())

    rules = []
    for stage in checked.stages:
        for position, rule in enumerate(stage.rules):
            span = rule.span
            rules.append(
                RuleDef(
                    name=rule.name.value,
                    stage=stage.name.value,
                    mode=stage.mode.value,
                    when=condition(rule.when),
                    then=tuple(_action_text(a) for a in rule.then),
                    enabled=rule.enabled,
                    on=tuple(n.value for n in rule.on),
                    stop=rule.stop,
                    location=f"{show(span.source.name)}:{span.start.line}",
                    position=position,
                )
            )
    declarations: dict[tuple[str, str], str] = {}
    skip = {"source", "version", "stages", "span"}
    for rule_file in checked.files:
        for f in dataclasses.fields(rule_file):
            if f.name in skip:
                continue
            value = getattr(rule_file, f.name)
            if value is None:
                continue
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                key = _declaration_name(item, f.name)
                declarations[(f.name, key)] = json.dumps(
                    _canon(item, condition), sort_keys=True, ensure_ascii=False
                )
    return RuleSetInfo(label=label, rules=tuple(rules), declarations=declarations)


def _declaration_name(item: Any, kind: str) -> str:
    if isinstance(item, ast.Name):  # queues
        return item.value
    for attr in ("name", "id"):
        name = getattr(item, attr, None)
        if isinstance(name, ast.Name):
            return name.value
    return kind  # a single value: spam_threshold, replies


def _canon(node: Any, condition: Callable[[ast.Condition], str]) -> Any:
    """A JSON-able value of an AST node without positions (conditions printed canonically)."""
    if isinstance(node, ast.Condition):
        return condition(node)
    if isinstance(node, ast.Name | ast.Scalar | ast.YScalar):
        return node.value
    if isinstance(node, tuple):
        return [_canon(n, condition) for n in node]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        out: dict[str, Any] = {"_": type(node).__name__}
        for f in dataclasses.fields(node):
            if f.compare and f.name != "span":
                out[f.name] = _canon(getattr(node, f.name), condition)
        return out
    return node


def _flow(value: Any) -> str:
    """A value as YAML flow text: plain words bare, everything else as JSON."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.@/+-][A-Za-z0-9_.@/+ -]*", value):
        return value.strip() if value == value.strip() else json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _action_text(action: Any) -> str:
    """An action as it reads in a rule file, in flow style: ``route: billing``."""
    if isinstance(action, ast.RouteAction):
        return f"route: {_flow(action.queue.value)}"
    if isinstance(action, ast.PriorityAction):
        key = "raise_priority" if action.raise_only else "priority"
        return f"{key}: {_flow(action.priority.value)}"
    if isinstance(action, ast.TagAction):
        key = "untag" if action.remove else "tag"
        return f"{key}: {_flow([t.value for t in action.tags])}"
    if isinstance(action, ast.AssignAction):
        spec: dict[str, Any] = {}
        if action.agent is not None:
            spec["agent"] = action.agent.value
        if action.strategy is not None:
            spec["strategy"] = action.strategy.value
        if action.skills:
            spec["skills"] = [s.value for s in action.skills]
        return f"assign: {_flow(spec)}"
    if isinstance(action, ast.SetAction):
        return f"set: {_flow({i.target.value: i.value.value for i in action.items})}"
    if isinstance(action, ast.ReplyAction):
        if action.once_per is None:
            return f"reply: {_flow(action.template.value)}"
        once = format_duration(action.once_per)
        return f"reply: {_flow({'template': action.template.value, 'once_per': once})}"
    if isinstance(action, ast.NotifyAction):
        return f"notify: {_flow({'to': action.to.value, 'template': action.template.value})}"
    if isinstance(action, ast.WebhookAction):
        hook: dict[str, Any] = {"url": action.url.value}
        if action.body is not None:
            hook["body"] = action.body.value
        return f"webhook: {_flow(hook)}"
    if isinstance(action, ast.SlaAction):
        return f"sla: {_flow(action.policy.value)}"
    if isinstance(action, ast.SpamScoreAction):
        return f"spam_score: {_flow(action.amount)}"
    if isinstance(action, ast.MarkSpamAction | ast.NoReplyAction):
        key = "mark_spam" if isinstance(action, ast.MarkSpamAction) else "no_reply"
        return f"{key}: {_flow(action.value)}"
    kind = re.sub(r"(?<!^)(?=[A-Z])", "_", type(action).__name__.removesuffix("Action")).lower()
    return f"{kind}: {json.dumps(_canon(action, lambda c: c.text), sort_keys=True)}"


def _aspect_text(rule: RuleDef, aspect: str) -> str:
    value = getattr(rule, aspect)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "; ".join(value) if aspect == "then" else ", ".join(value)
    return str(value)


def _aspect_change(old: RuleDef, new: RuleDef, aspect: str) -> tuple[str, str, str]:
    """(aspect, base text, head text); for ``then`` only the actions that differ."""
    if aspect == "then":
        removed = Counter(old.then) - Counter(new.then)
        added = Counter(new.then) - Counter(old.then)
        if removed or added:  # else the same actions in another order: show both in full
            before = "; ".join(a for a in old.then if removed[a]) or _NONE
            after = "; ".join(a for a in new.then if added[a]) or _NONE
            return aspect, before, after
    return aspect, _aspect_text(old, aspect), _aspect_text(new, aspect)


def classify_rules(
    base: Sequence[RuleDef], head: Sequence[RuleDef]
) -> tuple[dict[str, str], dict[str, tuple[tuple[str, str, str], ...]]]:
    """Each rule's status (added, removed, changed, unchanged) and the aspects that differ."""
    by_base = {r.name: r for r in base}
    by_head = {r.name: r for r in head}
    status: dict[str, str] = {}
    details: dict[str, tuple[tuple[str, str, str], ...]] = {}
    moved = _moved(base, head)
    for name, rule in by_head.items():
        old = by_base.get(name)
        if old is None:
            status[name] = "added"
            continue
        found = [
            _aspect_change(old, rule, a) for a in ASPECTS if getattr(old, a) != getattr(rule, a)
        ]
        if name in moved:
            found.append(("order", str(old.position + 1), str(rule.position + 1)))
        status[name] = "changed" if found else "unchanged"
        if found:
            details[name] = tuple(found)
    for name in by_base:
        if name not in by_head:
            status[name] = "removed"
    return status, details


def _moved(base: Sequence[RuleDef], head: Sequence[RuleDef]) -> set[str]:
    """Rules kept in the same stage whose order relative to the others kept there changed."""
    moved: set[str] = set()
    stages = {r.stage for r in head}
    head_names = {(r.stage, r.name) for r in head}
    base_names = {(r.stage, r.name) for r in base}
    for stage in sorted(stages):
        b = [r.name for r in base if r.stage == stage and (stage, r.name) in head_names]
        h = [r.name for r in head if r.stage == stage and (stage, r.name) in base_names]
        kept: set[str] = set()
        for block in difflib.SequenceMatcher(a=b, b=h, autojunk=False).get_matching_blocks():
            kept.update(b[block.a : block.a + block.size])
        moved.update(n for n in h if n not in kept)
    return moved


def classify_declarations(
    base: Mapping[tuple[str, str], str], head: Mapping[tuple[str, str], str]
) -> tuple[tuple[str, str, str], ...]:
    """(kind, name, status) of each declaration added, removed or changed, sorted."""
    out = []
    for key in sorted(set(base) | set(head)):
        if key not in base:
            out.append((*key, "added"))
        elif key not in head:
            out.append((*key, "removed"))
        elif base[key] != head[key]:
            out.append((*key, "changed"))
    return tuple(out)
