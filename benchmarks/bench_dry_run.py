"""``routing dry-run`` end to end: tickets per second, and where the time goes (issue 6).

Run: ``python benchmarks/bench_dry_run.py [--tickets 100000] [--repeat 3] [--profile]``

1. Makes a JSON Lines file of ``--tickets`` tickets (default 100,000) by repeating
   ``examples/helpdesk/tickets.jsonl`` (each copy in an order shuffled by ``--seed``) with
   fresh ids ``T-000001``, ...; about 15% of the lines are envelopes with their own ``now``.
   The file is written to ``--work`` (a temporary folder by default) and never committed.
2. Runs ``routing dry-run examples/helpdesk/rules --tickets FILE --format jsonl --jobs 1
   --now 2026-11-23T10:00:00Z --output OUT`` ``--repeat`` times in this process
   (`routing.cli.main.main`) and as many times as a subprocess (``python -m routing``),
   alternating, and reports the median wall time and tickets/s of each; for the
   subprocess also its CPU time (tickets per CPU second, i.e. per core). The subprocess
   runs with routing's bytecode compiled and cached, as an installed copy has it, even where
   the environment sets ``PYTHONDONTWRITEBYTECODE``.
3. Times the three parts of the path separately, in this process, median of ``--repeat``:
   read and parse (`routing.cli._tickets.TicketReader`, streamed as dry-run reads), evaluate
   (`Ruleset.evaluate` on the records, read again and held, the heap frozen as dry-run
   freezes it), write (the ``jsonl`` projection of each decision, written to a file).
4. With ``--profile``: a cProfile run of the in-process dry-run, its own time grouped by
   area (rule conditions, pipeline, SLA, templates, intake, JSON, ...), as in
   docs/performance.md "Dry-run end to end".
5. With ``--instructions`` (needs valgrind): instructions counted by cachegrind, which do
   not depend on what else the machine is doing. Three subprocess dry-runs, of the first
   1, 2,000 and 6,000 tickets: the per-ticket cost in the steady state is (6,000-run -
   2,000-run) / 4,000, and the fixed cost (start-up, loading and compiling the rules, and
   the work done once on first use: babel's locale data, template code, calendar tables)
   is the 2,000-run less 2,000 tickets at that cost. A difference against the 1-ticket run
   would count the first-use work as per-ticket work.

The machine is shared and noisy: compare figures of one run, and prefer CPU times.
"""

from __future__ import annotations

import argparse
import collections
import compileall
import cProfile
import gc
import json
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "helpdesk"
NOW = "2026-11-23T10:00:00Z"


def make_tickets(path: Path, count: int, seed: int) -> None:
    """Write `count` tickets: copies of the example tickets, shuffled per copy, fresh ids."""
    source = [line for line in (EXAMPLE / "tickets.jsonl").read_text("utf-8").splitlines() if line]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        written = 0
        while written < count:
            batch = source[:]
            rng.shuffle(batch)
            for line in batch[: count - written]:
                written += 1
                data = json.loads(line)
                ticket = data.get("ticket", data)
                ticket["id"] = f"T-{written:06d}"
                out.write(json.dumps(data, ensure_ascii=False) + "\n")


def _argv(tickets: Path, output: Path) -> list[str]:
    return [
        "dry-run",
        str(EXAMPLE / "rules"),
        "--tickets",
        str(tickets),
        "--format",
        "jsonl",
        "--jobs",
        "1",
        "--now",
        NOW,
        "--no-progress",
        "--output",
        str(output),
    ]


def run_in_process(tickets: Path, output: Path) -> float:
    """Wall seconds of one in-process ``routing dry-run`` (the rule set loaded each time)."""
    from routing.cli.main import main

    start = time.perf_counter()
    code = main(_argv(tickets, output))
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"routing dry-run exited with {code}")
    return elapsed


def _child_env() -> dict[str, str]:
    """The environment of a measured subprocess: this one without ``PYTHONDONTWRITEBYTECODE``.

    An installed routing has its bytecode compiled (pip compiles at install time); a
    machine that sets ``PYTHONDONTWRITEBYTECODE`` (some containers and CI images do) would
    otherwise make every measured run compile all of routing's modules from source again,
    about 0.1 s of start-up that no installed copy pays.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_subprocess(tickets: Path, output: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``python -m routing dry-run`` (start-up included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "routing", *_argv(tickets, output)], check=True, env=_child_env()
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _cachegrind(tickets: Path, work: Path) -> int:
    """Instructions executed by one ``python -m routing dry-run`` of `tickets` (cachegrind)."""
    out = work / f"cachegrind-{tickets.stem}.out"
    env = _child_env()
    env["PYTHONHASHSEED"] = "0"  # the same dict layouts, run after run
    subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={out}",
            sys.executable,
            "-m",
            "routing",
            *_argv(tickets, work / "cachegrind.jsonl"),
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for line in out.read_text().splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise SystemExit(f"no summary line in {out}")


def instructions(tickets: Path, work: Path) -> dict[str, float]:
    """Steady-state instructions per ticket and the fixed instructions of a run (see 5.)."""
    lines = tickets.read_bytes().splitlines(keepends=True)
    if len(lines) < 6000:
        raise SystemExit("--instructions needs --tickets 6000 or more")
    counts: dict[int, int] = {}
    for n in (1, 2000, 6000):
        part = work / f"head-{n}.jsonl"
        part.write_bytes(b"".join(lines[:n]))
        counts[n] = _cachegrind(part, work)
    per_ticket = (counts[6000] - counts[2000]) / 4000
    return {
        "per ticket, steady state": per_ticket,
        "fixed (start-up, rules, first use)": counts[2000] - 2000 * per_ticket,
        "start-up and one ticket": counts[1],
    }


def split(tickets: Path, work: Path, repeat: int) -> dict[str, float]:
    """Median CPU seconds of reading, evaluating and writing, each timed on its own."""
    import routing
    from routing.cli._tickets import TicketReader
    from routing.cli.dry_run import jsonl_bytes

    ruleset = routing.load(EXAMPLE / "rules")
    now = datetime.fromisoformat(NOW)
    times: dict[str, list[float]] = {"read": [], "evaluate": [], "write": []}
    for _ in range(repeat):
        # Reading is timed streamed, as dry-run reads (a record dropped once it is
        # evaluated); then the records are read again and kept for the other two parts,
        # with the heap frozen as dry-run freezes it (`routing.cli._parallel`), so that
        # collections do not walk 20,000 held records, which a streamed run never holds.
        start = time.process_time()
        with TicketReader(str(tickets), "jsonl") as reader:
            for _record in reader:
                pass
        times["read"].append(time.process_time() - start)
        with TicketReader(str(tickets), "jsonl") as reader:
            records = list(reader)
        gc.freeze()
        start = time.process_time()
        decisions = [
            ruleset.evaluate(r.ticket, r.now or now, event=r.event, history=r.history)
            for r in records
            if r.ticket is not None
        ]
        times["evaluate"].append(time.process_time() - start)
        start = time.process_time()
        with (work / "split.jsonl").open("wb") as out:  # as dry-run writes: bytes
            for decision in decisions:
                out.write(jsonl_bytes(decision, False) + b"\n")
        times["write"].append(time.process_time() - start)
        gc.unfreeze()
        del records, decisions
    return {name: statistics.median(values) for name, values in times.items()}


#: Profile areas: (label, predicate on a profiled function's file name).
AREAS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("rule conditions and index (routing.compiler)", lambda f: "/routing/compiler/" in f),
    ("regexes (re2)", lambda f: "re2" in f),
    ("pipeline, Ruleset (routing.engine)", lambda f: "/routing/engine/" in f),
    ("SLA clocks and calendars (routing.sla)", lambda f: "/routing/sla/" in f),
    ("Liquid rendering (liquid, babel)", lambda f: "/liquid/" in f or "/babel/" in f),
    ("template data (routing.dsl.templates)", lambda f: "/routing/dsl/templates" in f),
    (
        "ticket intake (pydantic, routing.model.ticket)",
        lambda f: "pydantic" in f or "ticket.py" in f,
    ),
    ("decision objects (routing.model.decision)", lambda f: "/routing/model/decision" in f),
    ("JSON writing (json encoder)", lambda f: "json/encoder" in f or "encode" in f),
    (
        "reading lines, envelopes (routing.cli._tickets, json decoder)",
        lambda f: "_tickets" in f or "json/decoder" in f or "loads" in f,
    ),
    ("dry-run loop, sinks (routing.cli)", lambda f: "/routing/cli/" in f),
)


def _area(filename: str, name: str) -> str:
    key = f"{filename} {name}"
    for label, test in AREAS:
        if test(key):
            return label
    return "other (start-up, loading the rules, builtins)"


def profile(tickets: Path, output: Path, count: int) -> list[str]:
    """cProfile of one in-process dry-run: own time per area, and µs per ticket."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_in_process(tickets, output)
    profiler.disable()
    stats = pstats.Stats(profiler)
    areas: collections.Counter[str] = collections.Counter()
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if filename != "~":
            areas[_area(filename, name)] += row[2]
            continue
        # A built-in (isinstance, dict.get, a C method) counts for the area that called it.
        callers = row[4]
        for (caller_file, _caller_line, caller_name), edge in callers.items():
            areas[_area(caller_file, caller_name)] += edge[2]
        if not callers:
            areas[_area(filename, name)] += row[2]
    total = sum(areas.values())
    lines = [
        "| area (own time under cProfile) | share | µs per ticket (profiled) |",
        "|---|---:|---:|",
    ]
    for label, seconds in areas.most_common():
        lines.append(f"| {label} | {100 * seconds / total:.1f}% | {seconds / count * 1e6:.1f} |")
    lines.append(f"| total | 100% | {total / count * 1e6:.1f} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (median)")
    parser.add_argument("--seed", type=int, default=2026, help="shuffles each copy")
    parser.add_argument("--work", type=Path, help="folder for the ticket file and outputs")
    parser.add_argument("--profile", action="store_true", help="also profile one run")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions (valgrind)"
    )
    args = parser.parse_args(argv)
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind on PATH")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-dry-run-"))
    work.mkdir(parents=True, exist_ok=True)
    tickets = work / f"tickets-{args.tickets}.jsonl"
    if not tickets.exists():
        make_tickets(tickets, args.tickets, args.seed)
    n = args.tickets
    size = os.path.getsize(tickets) / 1e6
    print(f"{n:,} tickets, {size:.0f} MB: {tickets}")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

    # the bytecode of routing as an installed copy has it (see `_child_env`)
    import routing

    compileall.compile_dir(Path(routing.__file__).parent, quiet=1)
    inproc: list[float] = []
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(args.repeat):
        inproc.append(run_in_process(tickets, work / "in-process.jsonl"))
        wall, cpu = run_subprocess(tickets, work / "subprocess.jsonl")
        walls.append(wall)
        cpus.append(cpu)
    same = (work / "in-process.jsonl").read_bytes() == (work / "subprocess.jsonl").read_bytes()

    def row(label: str, values: list[float]) -> str:
        cells = " | ".join(f"{v:.1f} s" for v in values)
        median = statistics.median(values)
        return f"| {label} | {cells} | {median:.1f} s | {n / median:,.0f} |"

    runs = " | ".join(f"run {i + 1}" for i in range(args.repeat))
    print(f"\n| dry-run, --jobs 1 | {runs} | median | tickets/s |")
    print("|---|" + "---:|" * (args.repeat + 2))
    print(row("in-process, wall", inproc))
    print(row("subprocess, wall", walls))
    print(row("subprocess, CPU", cpus))
    print(f"\noutputs of the two kinds identical: {same}")

    parts = split(tickets, work, args.repeat)
    total = sum(parts.values())
    print("\n| part (CPU, median) | seconds | µs per ticket | share |")
    print("|---|---:|---:|---:|")
    for name, seconds in parts.items():
        share = 100 * seconds / total
        print(f"| {name} | {seconds:.2f} | {seconds / n * 1e6:.1f} | {share:.0f}% |")
    print(f"| sum | {total:.2f} | {total / n * 1e6:.1f} | {n / total:,.0f} tickets/s |")

    if args.profile:
        print()
        print("\n".join(profile(tickets, work / "profiled.jsonl", n)))
    if args.instructions:
        print("\n| instructions (cachegrind) | count |")
        print("|---|---:|")
        for name, count in instructions(tickets, work).items():
            shown = f"{count / 1e3:,.1f} k" if count < 1e7 else f"{count / 1e9:.3f} G"
            print(f"| {name} | {shown} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
