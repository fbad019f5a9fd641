"""Due-time computations per second: routing.sla.Calendar against other ways of doing it.

Run: ``python benchmarks/bench_sla.py [--quick]``. One run measures side by side, on the same
random starts in 2026 and one calendar (Europe/Berlin, Mon-Fri 09:00-17:00, Berlin public
holidays):

- ``routing.sla``: our Calendar (per-year interval tables + bisect), tables warm;
- ``routing.sla (cold)``: a new Calendar per call, so the table build is included;
- ``interval walker``: the straightforward way, day by day over the open intervals;
- ``minute oracle``: a minute-stepping loop (short targets only);
- peers where they install: pandas ``CustomBusinessHour``, ``businesstimedelta``,
  ``workclock``.

Targets: 1 hour and 60 business days (480 hours). Each cell is the median of several
repeats; ratios are ours / theirs in speed ("12x" = ours is 12 times faster). ``agree`` is
the share of due instants equal to ours (peers differ on a due that lands on 17:00: some
return the next morning).

``python benchmarks/bench_sla.py --step [--tickets FILE] [--against SRC]`` measures instead the
SLA step of an evaluation (``routing.engine.sla_step.sla_of``) on the example rules: every
ticket of FILE (default examples/helpdesk/tickets.jsonl, evaluated at its own ``now`` or at
2026-11-23T10:00Z) is evaluated once while the arguments of its SLA step are recorded; then
the recorded steps are replayed, in µs per ticket: ``step`` is the whole call, ``when`` the
policy pick alone (the policies' ``when`` conditions, not this step's cost), ``own`` their
difference. ``distinct`` replays the same steps with every ``created_at`` moved by a random
number of seconds (up to a few days), so no two tickets share an instant and caches keyed on
instants cannot pay off by repetition. With ``--against SRC`` (e.g. a worktree's ``src`` at
the base commit) the measurement alternates between SRC and this tree in fresh processes and
prints the medians side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import holidays

from routing.sla import Calendar

TZ_NAME = "Europe/Berlin"
TZ = ZoneInfo(TZ_NAME)
OPEN, CLOSE = dt.time(9), dt.time(17)
SPEC = {
    "timezone": TZ_NAME,
    "hours": {"mon-fri": "09:00-17:00"},
    "holidays": {"country": "DE", "subdivision": "BE"},
}
HOLIDAYS = sorted(holidays.country_holidays("DE", subdiv="BE", years=range(2025, 2030)))
HOLIDAY_SET = frozenset(HOLIDAYS)
TARGETS = {"1h": dt.timedelta(hours=1), "60d": dt.timedelta(hours=60 * 8)}

Due = Callable[[dt.datetime, dt.timedelta], dt.datetime]


def interval_walker(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Walk local dates; on each working day take [09:00, 17:00) in UTC and consume it."""
    rest = delta
    day = start.astimezone(TZ).date()
    while True:
        if day.weekday() < 5 and day not in HOLIDAY_SET:
            lo = dt.datetime.combine(day, OPEN, TZ).astimezone(dt.UTC)
            hi = dt.datetime.combine(day, CLOSE, TZ).astimezone(dt.UTC)
            lo = max(lo, start)
            if lo < hi:
                if hi - lo >= rest and (rest > dt.timedelta(0) or lo < hi):
                    return lo + rest
                rest -= hi - lo
        day += dt.timedelta(days=1)


def minute_oracle(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Step UTC minutes; a minute counts when its local wall time is open."""
    minute = dt.timedelta(minutes=1)
    t = start.astimezone(dt.UTC)
    need = delta // minute

    def is_open(u: dt.datetime) -> bool:
        local = u.astimezone(TZ)
        return (
            local.weekday() < 5 and local.date() not in HOLIDAY_SET and OPEN <= local.time() < CLOSE
        )

    while not is_open(t):
        t += minute
    counted = 0
    while counted < need:
        if is_open(t):
            counted += 1
        t += minute
    return t


def peers() -> dict[str, Due]:
    found: dict[str, Due] = {}
    try:
        import pandas as pd

        offsets = {
            d: pd.offsets.CustomBusinessHour(
                n=int(d.total_seconds() // 3600), start="09:00", end="17:00", holidays=HOLIDAYS
            )
            for d in TARGETS.values()
        }

        def pandas_due(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
            local = pd.Timestamp(start.astimezone(TZ).replace(tzinfo=None))
            out = (local + offsets[delta]).to_pydatetime()
            return out.replace(tzinfo=TZ).astimezone(dt.UTC)

        found[f"pandas {pd.__version__} CustomBusinessHour"] = pandas_due
    except ImportError:
        pass
    try:
        import businesstimedelta as btd

        rules = btd.Rules(
            [
                btd.WorkDayRule(start_time=OPEN, end_time=CLOSE, working_days=[0, 1, 2, 3, 4]),
                btd.HolidayRule(HOLIDAYS),
            ]
        )

        def btd_due(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
            local = start.astimezone(TZ).replace(tzinfo=None)
            out = local + btd.BusinessTimeDelta(rules, hours=int(delta.total_seconds() // 3600))
            return out.replace(tzinfo=TZ).astimezone(dt.UTC)

        found["businesstimedelta"] = btd_due
    except ImportError:
        pass
    try:
        import workclock

        schedule = workclock.Schedule(
            [workclock.WorkDay(OPEN, CLOSE), workclock.Holidays(HOLIDAYS)], time_zone=TZ_NAME
        )

        def workclock_due(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
            return schedule.add(start, delta).astimezone(dt.UTC)

        found["workclock (native extension)"] = workclock_due
    except ImportError:
        pass
    return found


def measure(fn: Due, starts: Sequence[dt.datetime], delta: dt.timedelta, repeats: int) -> float:
    """Median operations per second over `repeats` passes over `starts`."""
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for s in starts:
            fn(s, delta)
        rates.append(len(starts) / (time.perf_counter() - t0))
    return statistics.median(rates)


ROOT = Path(__file__).resolve().parent.parent
STEP_NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


def step_measure(tickets: Path, repeats: int, seed: int) -> dict[str, float]:
    """µs per ticket of the SLA step on the example rules (see the module docstring)."""
    import routing
    from routing.engine import pipeline, sla_step
    from routing.model.ticket import Ticket

    ruleset = routing.load(ROOT / "examples" / "helpdesk" / "rules")
    compiled = ruleset._compiled
    calls: list[tuple[object, object, dt.datetime, object]] = []
    original = pipeline.sla_of

    def recording(c: object, s: object, ticket: object, now: dt.datetime, h: object, e: object):  # type: ignore[no-untyped-def]
        out = original(c, s, ticket, now, h, e)  # type: ignore[arg-type]
        calls.append((s, ticket, now, out))
        return out

    pipeline.sla_of = recording  # type: ignore[assignment]
    try:
        for line in tickets.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            data = record.get("ticket", record)
            now = record.get("now")
            at = dt.datetime.fromisoformat(now) if isinstance(now, str) else STEP_NOW
            ruleset.evaluate(Ticket.from_dict(data), at)
    finally:
        pipeline.sla_of = original

    sla_of, pick = sla_step.sla_of, sla_step._pick_policy
    for s, ticket, now, out in calls:  # the replay gives what the evaluation gave
        assert sla_of(compiled, s, ticket, now, None, []) == out  # type: ignore[arg-type]
    rng = random.Random(seed)
    distinct = [
        (
            s,
            SimpleNamespace(
                created_at=None
                if t.created_at is None  # type: ignore[attr-defined]
                else t.created_at + dt.timedelta(seconds=rng.randrange(-3 * 86400, 3 * 86400))  # type: ignore[attr-defined]
            ),
            now,
        )
        for s, t, now, _ in calls
    ]
    plain = [(s, t, now) for s, t, now, _ in calls]

    def run_steps(items: list[tuple[object, object, dt.datetime]]) -> float:
        errors: list[object] = []
        t0 = time.process_time()
        for s, t, now in items:
            sla_of(compiled, s, t, now, None, errors)  # type: ignore[arg-type]
        return (time.process_time() - t0) / len(items) * 1e6

    def run_pick(items: list[tuple[object, object, dt.datetime]]) -> float:
        errors: list[object] = []
        t0 = time.process_time()
        for s, _, _ in items:
            pick(compiled, s, errors)  # type: ignore[arg-type]
        return (time.process_time() - t0) / len(items) * 1e6

    samples: dict[str, list[float]] = {k: [] for k in ("step", "when", "distinct")}
    run_steps(plain)
    run_steps(distinct)
    for _ in range(repeats):
        samples["step"].append(run_steps(plain))
        samples["when"].append(run_pick(plain))
        samples["distinct"].append(run_steps(distinct))
    out = {k: statistics.median(v) for k, v in samples.items()}
    out["own"] = out["step"] - out["when"]
    out["distinct own"] = out["distinct"] - out["when"]
    out["tickets"] = len(calls)
    return out


def step_main(args: argparse.Namespace) -> None:
    """``--step``: the SLA step alone, or A/B against another source tree."""
    tickets = Path(args.tickets)
    if args.against is None:
        result = step_measure(tickets, args.repeat, args.seed)
        print(json.dumps(result) if args.json else _step_table({"this tree": [result]}))
        return
    trees = {"base": str(Path(args.against).resolve()), "this tree": str(ROOT / "src")}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):  # alternate, so both see the same machine load
        for name, src in trees.items():
            env = {**os.environ, "PYTHONPATH": src}
            cmd = [sys.executable, __file__, "--step", "--json", "--tickets", str(tickets)]
            cmd += ["--repeat", str(args.repeat), "--seed", str(args.seed)]
            done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            runs[name].append(json.loads(done.stdout))
    print(_step_table(runs))


def _step_table(runs: dict[str, list[dict[str, float]]]) -> str:
    keys = ("step", "when", "own", "distinct", "distinct own")
    lines = [
        f"SLA step, µs per ticket (process time, median of {len(next(iter(runs.values())))}"
        " runs, each the median of its repeats)",
        "",
        "| tree | " + " | ".join(keys) + " |",
        "|---|" + "---:|" * len(keys),
    ]
    for name, results in runs.items():
        cells = [f"{statistics.median(r[k] for r in results):.2f}" for k in keys]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer starts and repeats")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--step", action="store_true", help="the SLA step of an evaluation")
    parser.add_argument("--tickets", default=str(ROOT / "examples" / "helpdesk" / "tickets.jsonl"))
    parser.add_argument("--against", help="--step: A/B against this source tree")
    parser.add_argument("--rounds", type=int, default=5, help="--step --against: runs per tree")
    parser.add_argument("--repeat", type=int, default=7, help="--step: passes per run")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step_main(args)
        return
    rng = random.Random(args.seed)
    n, repeats = (200, 3) if args.quick else (1000, 5)
    year = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    starts = [year + dt.timedelta(minutes=rng.randrange(365 * 1440)) for _ in range(n)]

    calendar = Calendar.from_dict(SPEC)
    for s in starts:  # warm the per-year tables
        calendar.add_business_time(s, TARGETS["60d"])

    def cold(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        return Calendar.from_dict(SPEC).add_business_time(start, delta)

    impls: list[tuple[str, Due, int]] = [  # name, function, how many starts it gets
        ("routing.sla Calendar", calendar.add_business_time, n),
        ("routing.sla Calendar (cold, new per call)", cold, max(20, n // 50)),
        ("interval walker (day by day)", interval_walker, n),
        ("minute oracle", minute_oracle, max(20, n // 20)),
    ]
    impls += [(name, fn, n) for name, fn in peers().items()]

    ours: dict[str, float] = {}
    rows = []
    for name, fn, count in impls:
        cells = []
        for label, delta in TARGETS.items():
            if name == "minute oracle" and label != "1h":
                cells.append(("n/a", "", ""))
                continue
            sample = starts[:count]
            rate = measure(fn, sample, delta, repeats)
            if name.startswith("routing.sla Calendar") and "cold" not in name:
                ours[label] = rate
            agree = sum(fn(s, delta) == calendar.add_business_time(s, delta) for s in sample)
            ratio = f"{ours[label] / rate:.1f}x"
            cells.append((f"{rate:,.0f}", ratio, f"{100 * agree / len(sample):.0f}%"))
        rows.append((name, cells))

    print(
        f"SLA due-time benchmark, {dt.date.today().isoformat()}, Python "
        f"{platform.python_version()}, {platform.machine()}, {n} random starts in 2026, "
        f"median of {repeats}"
    )
    print()
    print(
        "| implementation | 1h ops/s | ours vs it | agree | 60 business days ops/s "
        "| ours vs it | agree |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, cells in rows:
        flat = " | ".join(" | ".join(c) for c in cells)
        print(f"| {name} | {flat} |")


if __name__ == "__main__":
    main()
