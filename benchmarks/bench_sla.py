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
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import time
from collections.abc import Callable, Sequence
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer starts and repeats")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
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
