"""Rules workload (issue 6): routing against hand-written Python and the peers, side by side.

Run: ``python benchmarks/bench_rules.py [--quick] [--rules 10,100,1000,10000]``
(peers: ``pip install -r benchmarks/requirements.txt``; a missing one is reported as
"not installed"). ``--profile N`` prints a cProfile of routing on the N-rule workload instead.

For every rule set size N, one run builds the same seeded rules (benchmarks/workload.py) for
every engine and evaluates the same ticket dicts:

- ``routing``: ``routing.loads(yaml)`` once, then ``ruleset.evaluate(ticket_dict, now=...)``
  per ticket, matches read from ``decision.fired``; the load is also timed phase by phase
  (read YAML and parse expressions, check, compile);
- ``hand-written``: one Python function per rule taking the same dict (the baseline);
- the peers where installed: business-rules, json-logic, rule-engine, CEL
  (common-expression-language) and zen-engine (one decision table, hit policy ``collect``).
  Each peer gets the flat `workload.facts` dict, built from the ticket dict once per ticket
  inside the timed loop.

Every engine's matches are compared with the baseline's on every ticket it ran (mismatches
are counted and the first few printed). Timing: several repeats, engines interleaved within
each repeat so that load on a shared machine hits them alike; a cell is the median time per
ticket. Engines slower than ``--budget`` seconds per repeat run on the first K tickets only
(routing and the baseline always run all of them); the tables say so. Memory per rule is the
Python heap that building the engine keeps (tracemalloc), so it does not see what the Rust
cores of CEL and zen-engine allocate.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import importlib.metadata
import json
import os
import platform
import pstats
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload as wl  # the sibling module, found through the line above

Evaluator = Callable[[dict[str, Any]], Sequence[str]]

NOW = datetime.fromisoformat(wl.NOW)
#: Issue 6's targets: routing time per ticket / hand-written, at most, per rule count.
TARGET_RATIO = {100: 1.5, 1000: 0.6, 10_000: 0.3}
#: Issue 6's targets: load, check and compile, in seconds, at most.
TARGET_LOAD = {1000: 1.0, 10_000: 10.0}


class NotInstalled(Exception):
    """A peer's package cannot be imported."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise NotInstalled(str(exc)) from None


# ---------------------------------------------------------------------------- engines


def build_routing(text: str) -> Evaluator:
    """``routing.loads`` on the YAML text; matches from ``decision.fired``."""
    import routing

    ruleset = routing.loads(text, name="bench.yaml")

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        return ruleset.evaluate(ticket, now=NOW).fired

    return evaluate


def build_baseline(source: str) -> Evaluator:
    """The hand-written functions, compiled from their source text."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<hand-written>", "exec"), namespace)
    pairs: list[tuple[str, Callable[[dict[str, Any]], Any]]] = namespace["RULES"]

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        return [name for name, fn in pairs if fn(ticket)]

    return evaluate


def build_business_rules(text: str) -> Evaluator:
    """business-rules: its JSON rules read, a variables class over the facts, one ``fire``
    action per rule."""
    rule_list = json.loads(text)
    ops = _module("business_rules.operators")
    fields = _module("business_rules.fields")
    variables = _module("business_rules.variables")
    actions = _module("business_rules.actions")
    engine = _module("business_rules.engine")

    def not_equal_to(self: Any, other: Any) -> bool:
        return bool(self.value != other)

    def is_in(self: Any, values: Any) -> bool:
        return self.value in values

    def not_in(self: Any, values: Any) -> bool:
        return self.value not in values

    def does_not_contain(self: Any, other: Any) -> bool:
        return other not in self.value

    def not_matches_regex(self: Any, regex: Any) -> bool:
        return re.search(regex, self.value) is None

    text = ops.export_type(
        type(
            "TextType",
            (ops.StringType,),
            {
                "not_equal_to": ops.type_operator(fields.FIELD_TEXT)(not_equal_to),
                "is_in": ops.type_operator(
                    fields.FIELD_SELECT_MULTIPLE, assert_type_for_arguments=False
                )(is_in),
                "not_in": ops.type_operator(
                    fields.FIELD_SELECT_MULTIPLE, assert_type_for_arguments=False
                )(not_in),
                "does_not_contain": ops.type_operator(fields.FIELD_TEXT)(does_not_contain),
                "not_matches_regex": ops.type_operator(fields.FIELD_TEXT)(not_matches_regex),
            },
        )
    )
    kinds = {
        "channel": text,
        "priority": text,
        "language": text,
        "domain": text,
        "plan": text,
        "region": text,
        "subject": text,
        "subject_lower": text,
        "body_lower": text,
        "mrr": ops.NumericType,
        "seats": ops.NumericType,
        "tags": ops.SelectType,
    }

    def getter(key: str) -> Callable[[Any], Any]:
        def get(self: Any) -> Any:
            return self.facts[key]

        get.__name__ = key
        return get

    def init_vars(self: Any, facts: dict[str, Any]) -> None:
        self.facts = facts

    members: dict[str, Any] = {"__init__": init_vars}
    for key, kind in kinds.items():
        members[key] = variables.rule_variable(kind, label=key)(getter(key))
    ticket_variables = type("TicketVariables", (variables.BaseVariables,), members)

    def init_actions(self: Any, fired: list[str]) -> None:
        self.fired = fired

    def fire(self: Any, rule: str) -> None:
        self.fired.append(rule)

    ticket_actions = type(
        "TicketActions",
        (actions.BaseActions,),
        {
            "__init__": init_actions,
            "fire": actions.rule_action(params={"rule": fields.FIELD_TEXT})(fire),
        },
    )
    run_all = engine.run_all

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        fired: list[str] = []
        run_all(rule_list, ticket_variables(wl.facts(ticket)), ticket_actions(fired))
        return fired

    return evaluate


def build_json_logic(text: str) -> Evaluator:
    """json-logic (panzi-json-logic): the JSON rules read, ``jsonLogic(rule, facts,
    operations)`` per rule."""
    logic = list(json.loads(text).items())
    jl = _module("json_logic")
    builtins = _module("json_logic.builtins")
    compiled: dict[str, re.Pattern[str]] = {}

    def regex(data: Any, pattern: str, text: str, *_ignored: Any) -> bool:
        rx = compiled.get(pattern)
        if rx is None:
            rx = compiled[pattern] = re.compile(pattern)
        return rx.search(text) is not None

    operations = {**builtins.BUILTINS, "regex": regex}
    apply, to_bool = jl.jsonLogic, builtins.to_bool

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        data = wl.facts(ticket)
        return [name for name, rule in logic if to_bool(apply(rule, data, operations))]

    return evaluate


def build_rule_engine(texts: list[tuple[str, str]]) -> Evaluator:
    """rule-engine: one ``Rule`` per rule, ``rule.matches(facts)``."""
    re_ = _module("rule_engine")
    context = re_.Context()
    compiled = [(name, re_.Rule(text, context=context)) for name, text in texts]

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        data = wl.facts(ticket)
        return [name for name, rule in compiled if rule.matches(data)]

    return evaluate


def build_cel(texts: list[tuple[str, str]]) -> Evaluator:
    """CEL (common-expression-language): one program per rule, one ``Context`` per ticket."""
    cel = _module("cel")
    programs = [(name, cel.compile(text)) for name, text in texts]
    context = cel.Context

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        ctx = context(wl.facts(ticket))
        return [name for name, program in programs if program.execute(ctx) is True]

    return evaluate


def build_zen(content: str) -> Evaluator:
    """zen-engine: one decision table (an expression cell per rule, hit policy collect)."""
    zen = _module("zen")
    decision = zen.ZenEngine().create_decision(content)

    def evaluate(ticket: dict[str, Any]) -> Sequence[str]:
        result = decision.evaluate(wl.facts(ticket))["result"]
        return [row["rule"] for row in result]

    return evaluate


Rules = tuple[wl.Rule, ...]
Lists = dict[str, tuple[str, ...]]


def _named(text: Callable[[wl.Node], str]) -> Callable[[Rules, Lists], list[tuple[str, str]]]:
    return lambda rules, lists: [(rule.name, text(rule.when)) for rule in rules]


@dataclass(frozen=True)
class Engine:
    """A contender: its table name, the rules in its own form (what a user keeps in files;
    not timed), the build from that form (timed), and the distribution its version is of."""

    name: str
    form: Callable[[Rules, Lists], Any]
    build: Callable[[Any], Evaluator]
    package: str | None
    full: bool = False  # always run every ticket (routing and the baseline)


ENGINES: tuple[Engine, ...] = (
    Engine("hand-written Python", wl.python_source, build_baseline, None, full=True),
    Engine("routing", wl.routing_yaml, build_routing, "routing", full=True),
    Engine(
        "business-rules",
        lambda rules, lists: json.dumps([wl.business_rules_rule(rule) for rule in rules]),
        build_business_rules,
        "business-rules",
    ),
    Engine(
        "json-logic",
        lambda rules, lists: json.dumps(
            {rule.name: wl.json_logic_rule(rule.when) for rule in rules}
        ),
        build_json_logic,
        "panzi-json-logic",
    ),
    Engine("rule-engine", _named(wl.rule_engine_text), build_rule_engine, "rule-engine"),
    Engine("CEL", _named(wl.cel_text), build_cel, "common-expression-language"),
    Engine("zen-engine", lambda rules, lists: wl.zen_decision(rules), build_zen, "zen-engine"),
)
BASELINE = ENGINES[0].name


# ---------------------------------------------------------------------------- measuring


@dataclass
class Cell:
    """One engine at one rule count."""

    engine: str
    n_rules: int
    status: str = "ok"  # ok | not installed | error: ...
    build_s: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    bytes_per_rule: float | None = None
    tickets: int = 0
    times: list[float] = field(default_factory=list)  # seconds per ticket, per repeat
    mismatches: int = 0
    examples: list[str] = field(default_factory=list)
    matches_per_ticket: float = 0.0

    @property
    def per_ticket(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def _timed_build(engine: Engine, form: Any) -> tuple[Evaluator, float]:
    gc.collect()
    start = time.perf_counter()
    evaluate = engine.build(form)
    return evaluate, time.perf_counter() - start


def _heap_per_rule(engine: Engine, rules: Rules, lists: Lists) -> float:
    """Python heap kept by an engine built from the rules, per rule: its own form of the
    rules counts if (and only if) the built engine keeps it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = engine.build(engine.form(rules, lists))
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return (after - before) / len(rules)


def routing_phases(text: str) -> dict[str, float]:
    """Seconds for each step of ``routing.loads``: YAML + expressions, check, compile."""
    from routing.dsl.checker import check
    from routing.dsl.loader import load_text
    from routing.engine.ruleset import Ruleset

    t0 = time.perf_counter()
    rule_file, diagnostics = load_text(text, "bench.yaml")
    t1 = time.perf_counter()
    if rule_file is None:  # routing.loads already accepted this text
        raise RuntimeError(f"the generated rule file does not load: {diagnostics}")
    checked = check([rule_file], extra=diagnostics)
    t2 = time.perf_counter()
    Ruleset(checked)
    t3 = time.perf_counter()
    passes = {f"check.{name}": seconds for name, seconds in checked.timings.items()}
    return {"load": t1 - t0, "check": t2 - t1, "compile": t3 - t2, **passes}


def _run(evaluate: Evaluator, tickets: Sequence[dict[str, Any]]) -> float:
    gc.collect()
    start = time.perf_counter()
    for ticket in tickets:
        evaluate(ticket)
    return (time.perf_counter() - start) / len(tickets)


def _verify(
    cell: Cell,
    evaluate: Evaluator,
    tickets: Sequence[dict[str, Any]],
    expected: Sequence[frozenset[str]],
) -> None:
    total = 0
    for ticket, want in zip(tickets, expected, strict=False):
        got = frozenset(evaluate(ticket))
        total += len(got)
        if got != want:
            cell.mismatches += 1
            if len(cell.examples) < 3:
                missing, extra = sorted(want - got)[:5], sorted(got - want)[:5]
                cell.examples.append(f"{ticket['id']}: missing {missing}, extra {extra}")
    cell.matches_per_ticket = total / max(len(tickets), 1)


def warm_up(engines: Sequence[Engine], ticket: dict[str, Any], seed: int) -> None:
    """Import every engine and run it once, so that no build time includes an import."""
    rules, lists = wl.make_rules(3, seed)
    for engine in engines:
        try:
            engine.build(engine.form(rules, lists))(ticket)
        except NotInstalled:
            continue


def measure(
    n_rules: int,
    tickets: tuple[dict[str, Any], ...],
    engines: Sequence[Engine],
    *,
    seed: int,
    repeat: int,
    budget: float,
    min_tickets: int,
    memory: bool,
    log: Callable[[str], None],
) -> list[Cell]:
    """Every engine on the N-rule workload: build, verify, then interleaved timed repeats."""
    rules, lists = wl.make_rules(n_rules, seed)
    expected: list[frozenset[str]] = []
    cells: list[Cell] = []
    runners: list[tuple[Cell, Evaluator, Sequence[dict[str, Any]]]] = []
    for engine in engines:
        cell = Cell(engine.name, n_rules)
        cells.append(cell)
        form = engine.form(rules, lists)
        try:
            evaluate, cell.build_s = _timed_build(engine, form)
        except NotInstalled as exc:
            cell.status = "not installed"
            log(f"  {engine.name}: not installed ({exc})")
            continue
        if engine.name == BASELINE:
            expected = [frozenset(evaluate(t)) for t in tickets]
        subset: Sequence[dict[str, Any]] = tickets
        if not engine.full:
            pilot = tickets[: min(10, len(tickets))]
            cost = _run(evaluate, pilot)
            want = max(min_tickets, int(budget / cost)) if cost > 0 else len(tickets)
            subset = tickets[: min(len(tickets), want)]
        _verify(cell, evaluate, subset, expected)
        cell.tickets = len(subset)
        if engine.name == "routing":
            cell.phases = routing_phases(form)
        if memory:
            cell.bytes_per_rule = _heap_per_rule(engine, rules, lists)
        log(
            f"  {engine.name}: built in {cell.build_s:.3f} s, {cell.tickets} tickets, "
            f"{cell.mismatches} mismatches"
        )
        runners.append((cell, evaluate, subset))
    for r in range(repeat):
        for cell, evaluate, subset in runners:
            cell.times.append(_run(evaluate, subset))
        log(f"  repeat {r + 1}/{repeat} done")
    return cells


# ---------------------------------------------------------------------------- reporting


def _us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:,.1f}" if us < 100 else f"{us:,.0f}"


def report(
    cells: dict[int, list[Cell]], sizes: Sequence[int], n_tickets: int, repeat: int
) -> list[str]:
    """Markdown tables: time per ticket and ratio, growth, load time, memory, agreement."""
    names = [c.engine for c in next(iter(cells.values()))]
    by = {(c.engine, n): c for n in sizes for c in cells[n]}
    lines = [
        f"Time per ticket (µs, median of {repeat} repeats) and ratio to hand-written Python "
        "(lower is better; * = run on the first K tickets only, see the agreement table)",
        "",
        "| engine | " + " | ".join(f"{n:,} rules" for n in sizes) + " | growth |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for name in names:
        row = [name]
        for n in sizes:
            c, base = by[(name, n)], by[(BASELINE, n)]
            if c.status != "ok":
                row.append(c.status)
                continue
            star = "" if c.tickets == n_tickets else "*"
            row.append(f"{_us(c.per_ticket)}{star} ({c.per_ticket / base.per_ticket:.2f}x)")
        first, last = by[(name, sizes[0])], by[(name, sizes[-1])]
        ok = first.status == last.status == "ok" and len(sizes) > 1
        row.append(f"{last.per_ticket / first.per_ticket:,.0f}x" if ok else "")
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        f"growth: time per ticket at {sizes[-1]:,} rules / at {sizes[0]:,} rules "
        f"({sizes[-1] // sizes[0]:,}x the rules)",
        "",
        "Build time (s): routing is `routing.loads` (read YAML and parse, check, compile); "
        "hand-written is compiling its source; business-rules and json-logic read their JSON; "
        "rule-engine and CEL parse every expression; zen-engine loads its decision",
        "",
        "| engine | " + " | ".join(f"{n:,} rules" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name in names:
        row = [name]
        for n in sizes:
            c = by[(name, n)]
            row.append(f"{c.build_s:.3f}" if c.status == "ok" else c.status)
        lines.append("| " + " | ".join(row) + " |")
    phases = [by[("routing", n)].phases for n in sizes]
    if all(phases):
        lines.append(
            "| routing: load / check / compile | "
            + " | ".join(f"{p['load']:.3f} / {p['check']:.3f} / {p['compile']:.3f}" for p in phases)
            + " |"
        )
    if any(c.bytes_per_rule is not None for n in sizes for c in cells[n]):
        lines += [
            "",
            "Memory per rule (KiB of Python heap kept by the built engine, tracemalloc; "
            "CEL and zen-engine keep most of theirs in Rust, which this does not see)",
            "",
            "| engine | " + " | ".join(f"{n:,} rules" for n in sizes) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        for name in names:
            row = [name]
            for n in sizes:
                c = by[(name, n)]
                ok = c.status == "ok" and c.bytes_per_rule is not None
                row.append(f"{(c.bytes_per_rule or 0) / 1024:.1f}" if ok else c.status)
            lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Agreement with hand-written Python: tickets run / tickets whose matches differ; "
        "mean matches per ticket",
        "",
        "| engine | " + " | ".join(f"{n:,} rules" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name in names:
        row = [name]
        for n in sizes:
            c = by[(name, n)]
            row.append(
                f"{c.tickets} / {c.mismatches}; {c.matches_per_ticket:.2f}"
                if c.status == "ok"
                else c.status
            )
        lines.append("| " + " | ".join(row) + " |")
    return lines


def targets(cells: dict[int, list[Cell]]) -> list[str]:
    """Issue 6's done-when lines for the sizes that were run."""
    out = []
    for n, limit in TARGET_RATIO.items():
        if n not in cells:
            continue
        by = {c.engine: c for c in cells[n]}
        ratio = by["routing"].per_ticket / by[BASELINE].per_ticket
        verdict = "met" if ratio <= limit and by["routing"].mismatches == 0 else "NOT met"
        out.append(
            f"- {n:,} rules: routing / hand-written = {ratio:.2f}x (target <= {limit}x), "
            f"{by['routing'].mismatches} mismatches: {verdict}"
        )
    for n, limit in TARGET_LOAD.items():
        if n not in cells:
            continue
        build = {c.engine: c for c in cells[n]}["routing"].build_s
        verdict = "met" if build < limit else "NOT met"
        out.append(
            f"- {n:,} rules: load + check + compile {build:.2f} s (target < {limit:g} s): {verdict}"
        )
    return out


def environment() -> list[str]:
    """Date, machine, Python and the version of every engine."""
    versions = []
    for engine in ENGINES:
        if engine.package is None:
            continue
        try:
            versions.append(f"{engine.name} {importlib.metadata.version(engine.package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{engine.name} not installed")
    return [
        f"Date: {datetime.now(UTC):%Y-%m-%d}; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.system()}; Python {platform.python_version()}",
        "Versions: " + ", ".join(versions),
    ]


# ---------------------------------------------------------------------------- command line


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected rule counts separated by commas, like 10,100,1000; found {text!r}"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"rule counts must be positive; found {text!r}")
    return sizes


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a positive number, found {text!r}"
            ) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, found {text!r}")
        return value

    return parse


def _engines(text: str) -> list[Engine]:
    known = {e.name.lower(): e for e in ENGINES}
    chosen = [known.get(part.strip().lower()) for part in text.split(",")]
    if None in chosen:
        raise argparse.ArgumentTypeError(
            f"unknown engine in {text!r}; expected some of: " + ", ".join(e.name for e in ENGINES)
        )
    names = {e.name for e in chosen if e is not None}
    return [e for e in ENGINES if e.name in names | {BASELINE}]


def _per_ticket(call: Callable[[Any], object], items: Sequence[Any], repeat: int = 5) -> float:
    """Median seconds per item of `call` over `items`."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for item in items:
            call(item)
        times.append((time.perf_counter() - start) / len(items))
    return statistics.median(times)


def breakdown(n_rules: int, tickets: tuple[dict[str, Any], ...], seed: int) -> list[str]:
    """Where routing's time per ticket goes, measured without a profiler by subtraction:
    ticket intake, the fixed cost of one evaluation (one rule that never matches), the rules'
    conditions, and what firing adds (actions, decision) over the same conditions unmatched."""
    import routing
    from routing.model.ticket import Ticket

    rules, lists = wl.make_rules(n_rules, seed)
    ruleset = routing.loads(wl.routing_yaml(rules, lists))
    empty = routing.loads(wl.routing_yaml((wl.Rule("r1", wl.Cmp("mrr", "<", 0)),), {}))
    # the same conditions, each then `and fields.mrr < 0`: never fire, same tests before it
    never = tuple(wl.Rule(r.name, wl.And((r.when, wl.Cmp("mrr", "<", 0)))) for r in rules)
    unfired = routing.loads(wl.routing_yaml(never, lists))
    models = [Ticket.from_dict(t) for t in tickets]
    decisions = [ruleset.evaluate(t, now=NOW) for t in models]
    cases: dict[str, tuple[Callable[[Any], object], Sequence[Any]]] = {
        "intake": (Ticket.from_dict, tickets),
        "whole": (lambda t: ruleset.evaluate(t, now=NOW), tickets),
        "fixed": (lambda t: empty.evaluate(t, now=NOW), models),
        "model": (lambda t: ruleset.evaluate(t, now=NOW), models),
        "conditions": (lambda t: unfired.evaluate(t, now=NOW), models),
        "to_dict": (lambda d: d.to_dict(), decisions),
    }
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(8):  # interleaved, so that load on the machine hits every case alike
        for name, (call, items) in cases.items():
            seconds = _per_ticket(call, items, repeat=1)
            if round_:  # the first round warms up
                runs[name].append(seconds)
    m = {name: statistics.median(times) for name, times in runs.items()}
    intake, whole, fixed, model = m["intake"], m["whole"], m["fixed"], m["model"]
    conditions, to_dict = m["conditions"], m["to_dict"]
    fired = statistics.mean(len(d.fired) for d in decisions)
    rows = [
        ("evaluate(dict), whole", whole),
        ("  Ticket.from_dict (intake)", intake),
        ("  evaluate(Ticket), whole", model),
        ("    fixed cost per call (1 rule, never matches)", fixed),
        ("    conditions of every rule (none fires), less the fixed cost", conditions - fixed),
        (f"    firing {fired:.1f} rules (tag action, fired list)", model - conditions),
        ("decision.to_dict() (not part of evaluate)", to_dict),
    ]
    phases = routing_phases(wl.routing_yaml(rules, lists))
    out = [f"routing.loads, {n_rules:,} rules: seconds per phase (check passes, slowest first)"]
    out += [f"  {name:<66} {phases[name]:9.3f}" for name in ("load", "check", "compile")]
    passes = sorted((k for k in phases if k.startswith("check.")), key=lambda k: -phases[k])
    out += [f"    {name[6:]:<64} {phases[name]:9.3f}" for name in passes[:4]]
    out.append(f"routing, {n_rules:,} rules, {len(tickets)} tickets: µs per ticket, median of 7")
    out += [f"  {label:<66} {seconds * 1e6:9.1f}" for label, seconds in rows]
    per_rule = (conditions - fixed) / n_rules
    out.append(f"  {'per rule (conditions / rules)':<66} {per_rule * 1e6:9.3f}")
    return out


def profile(n_rules: int, tickets: tuple[dict[str, Any], ...], seed: int, top: int) -> None:
    """A breakdown, then cProfile of routing evaluating every ticket on the N-rule workload."""
    print("\n".join(breakdown(n_rules, tickets, seed)))
    rules, lists = wl.make_rules(n_rules, seed)
    evaluate = build_routing(wl.routing_yaml(rules, lists))
    for ticket in tickets[:20]:
        evaluate(ticket)
    profiler = cProfile.Profile()
    profiler.enable()
    for ticket in tickets:
        evaluate(ticket)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"routing, {n_rules:,} rules, {len(tickets)} tickets (cProfile, by own time)")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench_rules.py", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--rules", type=_sizes, help="rule counts (default 10,100,1000,10000)")
    parser.add_argument("--tickets", type=_positive(int), help="tickets (default 500)")
    parser.add_argument("--repeat", type=_positive(int), help="timed repeats (default 5)")
    parser.add_argument(
        "--budget",
        type=_positive(float),
        default=1.0,
        help="seconds per repeat before a peer runs on fewer tickets (default 1.0)",
    )
    parser.add_argument(
        "--min-tickets", type=_positive(int), default=20, help="fewest tickets a peer runs"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", type=_engines, help="comma-separated (default: all)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc builds")
    parser.add_argument(
        "--quick", action="store_true", help="10,100,1000 rules, 300 tickets, 3 repeats"
    )
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    parser.add_argument(
        "--profile", type=_positive(int), metavar="N", help="profile routing at N rules"
    )
    parser.add_argument("--top", type=_positive(int), default=30, help="profile lines")
    args = parser.parse_args(argv)
    if args.json is not None and not args.json.parent.is_dir():
        parser.error(f"argument --json: no such directory: {args.json.parent}")

    sizes = args.rules or ([10, 100, 1000] if args.quick else [10, 100, 1000, 10_000])
    n_tickets = args.tickets or (300 if args.quick else 500)
    repeat = args.repeat or (3 if args.quick else 5)
    engines = args.engines or list(ENGINES)
    tickets = wl.make_tickets(n_tickets, args.seed)
    if args.profile:
        profile(args.profile, tickets, args.seed, args.top)
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    warm_up(engines, tickets[0], args.seed)
    cells: dict[int, list[Cell]] = {}
    for n in sizes:
        log(f"{n:,} rules, {n_tickets} tickets")
        cells[n] = measure(
            n,
            tickets,
            engines,
            seed=args.seed,
            repeat=repeat,
            budget=args.budget,
            min_tickets=args.min_tickets,
            memory=not args.no_memory,
            log=log,
        )
    lines = environment()
    lines += [f"Workload: seed {args.seed}, {n_tickets} tickets, now {wl.NOW}", ""]
    lines += report(cells, sizes, n_tickets, repeat)
    lines += ["", "Issue 6 targets:", *targets(cells)]
    bad = [c for n in sizes for c in cells[n] if c.mismatches]
    for c in bad:
        lines.append(f"MISMATCH {c.engine} at {c.n_rules:,} rules: {c.mismatches} tickets")
        lines += [f"    {example}" for example in c.examples]
    print("\n".join(lines))
    if args.json:
        raw = {
            str(n): [
                {
                    "engine": c.engine,
                    "status": c.status,
                    "build_s": c.build_s,
                    "phases": c.phases,
                    "bytes_per_rule": c.bytes_per_rule,
                    "tickets": c.tickets,
                    "seconds_per_ticket": c.times,
                    "mismatches": c.mismatches,
                    "matches_per_ticket": c.matches_per_ticket,
                }
                for c in cells[n]
            ]
            for n in sizes
        }
        try:
            args.json.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"bench_rules.py: cannot write {args.json}: {exc.strerror}", file=sys.stderr)
            return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
