"""The checker's work grows linearly with the rules (issue 6), counted, never timed.

check_conflicts and check_reachability compare rules by the events they listen to; the
tests count those comparisons (calls of `rule_events`) on large synthetic stages, and
check_conflicts is compared with the pairwise definition of its warning on random stages.
"""

from __future__ import annotations

import difflib
import random
from typing import Any

import pytest
from tests.checking import diagnostics_through

from routing.dsl import ast
from routing.dsl import suggest as suggest_module
from routing.dsl.loader import load_text
from routing.dsl.passes import check_conflicts as conflicts_module
from routing.dsl.passes import check_reachability as reachability_module
from routing.dsl.passes._context import rule_events

HINT = "make the conditions exclusive, or use a 'first' stage"


def _file(mode: str, rules: list[tuple[str, str, str]], *, true: str = "") -> str:
    """One stage of (name, events, then) rules, each `when: spam` but rule `true`'s (always
    true); rule i is on line 7 + i."""
    lines = "".join(
        f"      - {{name: {name}, on: [{events}], "
        f"when: {TRUE if name == true else 'spam'}, then: {then}}}\n"
        for name, events, then in rules
    )
    return (
        "version: 1\nqueues: [a, b]\nsla_policies: [{name: p, targets: {}}]\n"
        f"stages:\n  - name: s\n    mode: {mode}\n    rules:\n{lines}"
    )


TRUE = "'true'"


def _counting(monkeypatch: pytest.MonkeyPatch, module: object) -> list[int]:
    calls = [0]

    def counted(rule: ast.Rule) -> frozenset[str]:
        calls[0] += 1
        return rule_events(rule)

    monkeypatch.setattr(module, "rule_events", counted)
    return calls


def _found(text: str, pass_name: str) -> list[tuple[str, str, tuple[str, ...], str]]:
    return [
        (d.code, d.message, d.notes, f"{d.line}:{d.column}")
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


def _conflict(text: str, earlier: str, later: str) -> tuple[object, ...]:
    """The warning for rule `later` (its route action's place) naming rule `earlier`."""
    lines = text.splitlines()

    def line_of(name: str) -> int:
        return next(i for i, t in enumerate(lines, 1) if f"{{name: {name}," in t)

    line = line_of(later)
    return (
        "action/conflicting-set",
        f"rules '{earlier}' and '{later}' both set 'queue' in 'all' stage 's'; the later one wins",
        (f"'{earlier}' is at r.yaml:{line_of(earlier)}:16",),
        f"{line}:{lines[line - 1].index('route:') + 1}",
    )


def test_check_conflicts_looks_at_each_rule_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """n rules on `updated`, then n on `created`, all routing: each rule's events are read
    once (the pairwise scan read the n `updated` writers again for every `created` rule)."""
    n = 300
    rules = [(f"u{i:03}", "updated", "[{route: a}]") for i in range(n)]
    rules += [(f"c{i:03}", "created", "[{route: a}]") for i in range(n)]
    rules.append(("both", "created, updated", "[{route: b}]"))
    text = _file("all", rules)
    calls = _counting(monkeypatch, conflicts_module)
    found = _found(text, "check_conflicts")
    assert calls[0] == 2 * n + 1
    want = [_conflict(text, "u000", f"u{i:03}") for i in range(1, n)]
    want += [_conflict(text, "c000", f"c{i:03}") for i in range(1, n)]
    want.append(_conflict(text, "u000", "both"))
    assert found == want


def test_check_reachability_looks_at_each_rule_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catch-all rule, then n rules it blocks: one comparison per blocked rule."""
    n = 300
    rules = [("catch", "created", "[{route: a}]")]
    rules += [(f"r{i:03}", "created", "[{route: a}]") for i in range(n)]
    text = _file("first", rules, true="catch")
    calls = _counting(monkeypatch, reachability_module)
    found = _found(text, "check_reachability")
    assert calls[0] == 1 + 2 * n  # each rule's events, and the catch-all's once per rule
    assert [f[0] for f in found] == ["rule/unreachable"] * n


def _pairwise(stage: ast.Stage) -> list[tuple[str, str, str]]:
    """check_conflicts by its definition: for each rule and field it sets, the first
    earlier enabled rule that sets the field and shares an event (earlier, later, field)."""
    out = []
    enabled = [r for r in stage.rules if r.enabled]
    for i, rule in enumerate(enabled):
        names = dict.fromkeys(n for a in rule.then for n, _ in conflicts_module.fields_set(a))
        for name in names:
            for earlier in enabled[:i]:
                sets = {n for a in earlier.then for n, _ in conflicts_module.fields_set(a)}
                if name in sets and rule_events(rule) & rule_events(earlier):
                    out.append((earlier.name.value, rule.name.value, name))
                    break
    return out


@pytest.mark.parametrize("seed", range(20))
def test_check_conflicts_finds_what_the_pairwise_definition_finds(seed: int) -> None:
    rng = random.Random(seed)
    events = ["created", "updated", "replied", "status_changed"]
    thens = ["{route: a}", "{priority: high}", "{set: {status: open}}", "{tag: x}", "{sla: p}"]
    rules = []
    for i in range(rng.randint(1, 40)):
        on = ", ".join(rng.sample(events, rng.randint(1, 3)))
        then = "[" + ", ".join(rng.sample(thens, rng.randint(1, 3))) + "]"
        enabled = "" if rng.random() < 0.9 else ", enabled: false"
        rules.append((f"r{i:02}", on, then + enabled))
    text = _file("all", rules)
    rule_file, diagnostics = load_text(text, "r.yaml")
    assert diagnostics == []
    assert rule_file is not None
    want = _pairwise(rule_file.stages[0])
    found = [
        d
        for d in diagnostics_through("check_conflicts", ("r.yaml", text))
        if d.code == "action/conflicting-set"
    ]
    got = [(_quoted(d.message, 0), _quoted(d.message, 1), _quoted(d.message, 2)) for d in found]
    assert sorted(got, key=_by_later) == sorted(want, key=_by_later)


def _by_later(found: tuple[str, str, str]) -> tuple[str, str]:
    return found[1], found[2]


def _quoted(message: str, k: int) -> str:
    return message.split("'")[2 * k + 1]


def test_a_misspelling_repeated_in_every_rule_is_looked_up_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """n rules name one undeclared list among 300 declared ones: every rule gets the hint,
    and the candidates are searched once, not n times."""
    n = 200
    lists = "".join(f"  list_{i:03}: [x]\n" for i in range(300)) + "  vip_customers: [a]\n"
    rules = "".join(
        f"      - {{name: r{i:03}, when: 'requester.domain in $vip_customer', "
        "then: [{tag: t}]}\n"
        for i in range(n)
    )
    text = f"version: 1\nlists:\n{lists}stages:\n  - name: s\n    mode: all\n    rules:\n{rules}"
    searches = [0]
    close_matches = difflib.get_close_matches

    def counted(*args: Any, **kwargs: Any) -> list[str]:
        searches[0] += 1
        found: list[str] = close_matches(*args, **kwargs)
        return found

    suggest_module._closest.cache_clear()
    monkeypatch.setattr(difflib, "get_close_matches", counted)
    found = [(d.code, d.hint) for d in diagnostics_through("resolve_names", ("r.yaml", text))]
    assert found == [("name/unknown-list", "did you mean '$vip_customers'?")] * n
    assert searches[0] == 1
