"""The conformance corpus: every case of ``tests/cases/**/*.yaml``, run through the engine and
through the reference evaluator (`tests/oracle.py`), which must agree.

Case schema (STYLE.md section 3.6), one file holding many cases::

    preamble: |             # optional, per file: declarations for the `when` shorthand
      lists: {vip: [a.com]}
    cases:
      - note: what the case shows (unique in its file)
        rules: |            # an inline rule file ...
          version: 1
          stages: [...]
        when: 'text mentions "refund"'   # ... or only a condition (see below)
        ticket: {id: T1, subject: "..."}
        now: 2026-11-23T09:00:00+00:00
        event: created      # optional
        history: [{to: a@x.com, at: 2026-11-23T08:00:00+00:00, template: ack}]  # optional
        agents: {load: {ann: 1}, cursors: {billing: ann}}                      # optional
        want: {fired: [], tags: []}      # a subset of Decision.to_dict(trace=True)
        oracle: false       # optional: this case is judged through the engine only
        xfail: "tests/issues/test_issue_x.py: why"   # optional: a known engine bug
      - note: a check error
        rules: ...
        want_error_code: name/unknown-list

The `when` shorthand stands for ``version: 1``, the file's `preamble`, and one `all` stage
named ``s`` with one rule ``r`` that has that condition and tags the ticket ``hit``.

Each key of `want` is compared as a whole value. Case ids are ``<file>::<note>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import routing
from routing.compiler.actions import AgentState
from routing.model.ticket import Ticket
from tests.oracle import compare_keys, engine_view, run_oracle

CASES_DIR = Path(__file__).parent / "cases"

#: Engine variants every case runs through: the compiled engine with its rule index on
#: (the default) and off (``index=False``, STYLE 3.6).
ENGINES: tuple[str, ...] = ("indexed", "unindexed")


@dataclass(frozen=True)
class Case:
    id: str
    spec: dict[str, Any]
    rules: str


def when_rules(condition: str, preamble: str) -> str:
    """The rule file of the `when` shorthand."""
    return (
        "version: 1\n"
        + preamble
        + "stages:\n"
        + "  - name: s\n"
        + "    mode: all\n"
        + "    rules:\n"
        + "      - name: r\n"
        + f"        when: {json.dumps(condition, ensure_ascii=False)}\n"
        + "        then: [{tag: hit}]\n"
    )


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        rel = path.relative_to(CASES_DIR).as_posix()
        preamble = doc.get("preamble", "")
        if preamble and not preamble.endswith("\n"):
            preamble += "\n"
        seen: set[str] = set()
        for spec in doc["cases"]:
            note = spec["note"]
            assert note not in seen, f"{rel}: duplicate note {note!r}"
            seen.add(note)
            assert ("rules" in spec) != ("when" in spec), f"{rel}::{note}: rules xor when"
            assert ("want" in spec) != ("want_error_code" in spec), f"{rel}::{note}: want xor error"
            rules = spec["rules"] if "rules" in spec else when_rules(spec["when"], preamble)
            cases.append(Case(f"{rel}::{note}", spec, rules))
    return cases


CASES = load_cases()


def _params(cases: list[Case]) -> list[Any]:
    """Cases as pytest params; a case with `xfail` is a strict expected failure."""
    return [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=c.spec["xfail"])]
            if "xfail" in c.spec
            else [],
        )
        for c in cases
    ]


def _now(spec: dict[str, Any]) -> datetime:
    now = spec.get("now", "2026-11-23T09:00:00+00:00")
    return now if isinstance(now, datetime) else datetime.fromisoformat(now)


def _agents(spec: dict[str, Any]) -> AgentState | None:
    agents = spec.get("agents")
    if agents is None:
        return None
    return AgentState(load=agents.get("load", {}), cursors=agents.get("cursors", {}))


def _history(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for h in spec.get("history", ()):
        at = h["at"] if isinstance(h["at"], datetime) else datetime.fromisoformat(h["at"])
        out.append({**h, "at": at})
    return out


def evaluate(case: Case, engine: str) -> dict[str, Any]:
    assert engine in ENGINES
    ruleset = routing.loads(case.rules, index=engine == "indexed")
    spec = case.spec
    decision = ruleset.evaluate(
        spec.get("ticket", {"id": "T1"}),
        _now(spec),
        event=spec.get("event", "created"),
        history=_history(spec),
        agents=_agents(spec),
        trace="trace" in spec.get("want", {}),
    )
    return decision.to_dict(trace=True)


def check_error_code(case: Case) -> None:
    with pytest.raises(routing.RuleError) as info:
        routing.loads(case.rules)
    codes = sorted({d.code for d in info.value.diagnostics})
    assert case.spec["want_error_code"] in codes, codes


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", _params(CASES))
def test_engine(case: Case, engine: str) -> None:
    """The engine's decision has every value the case wants, each key as a whole."""
    if "want_error_code" in case.spec:
        check_error_code(case)
        return
    got = evaluate(case, engine)
    want = case.spec["want"]
    assert {k: got[k] for k in want} == want


@pytest.mark.parametrize(
    "case", _params([c for c in CASES if "want" in c.spec and c.spec.get("oracle", True)])
)
def test_oracle_agrees(case: Case) -> None:
    """The reference evaluator reaches the engine's decision on every compared key."""
    spec = case.spec
    ruleset = routing.loads(case.rules)
    result = run_oracle(
        ruleset.checked,
        Ticket.from_dict(spec.get("ticket", {"id": "T1"})),
        _now(spec),
        event=spec.get("event", "created"),
        history=_history(spec),
    )
    mine, theirs = compare_keys(result, engine_view(evaluate(case, "indexed")))
    assert mine == theirs


def test_corpus_size() -> None:
    """The corpus stays large enough to mean something."""
    assert len(CASES) >= 250
