"""Building rule sets (issue 6): the time `routing.loads` takes, split into its three steps.

Run: ``python benchmarks/bench_build.py [--rules 100,1000,10000] [--repeat 3] [--passes]``

For each rule count N, the seeded rule set of the rules workload (``benchmarks/workload.py``,
``make_rules(N, seed)`` written out by ``routing_yaml``, as ``bench_rules.py`` does) is built
``--repeat`` times, each time as ``routing.loads`` builds it:

- load: ``routing.dsl.loader.load_text`` (strict YAML reading and the rule file builder);
- check: ``routing.dsl.checker.check`` (every pass, expressions parsed in the first ones);
- compile: ``routing.engine.ruleset.Ruleset`` on the checked rule set.

Each cell is the median over the repeats; ``--passes`` adds the median of every checker
pass. Sizes are interleaved within each repeat (100, 1,000, 10,000, then again), so that
load on a shared machine hits them alike. The generated rule sets load without a
diagnostic; the script stops with a message if one does not.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload as wl  # the sibling module, found through the line above


def build_once(text: str) -> dict[str, float]:
    """Seconds of load, check and compile (and of every checker pass) for one build."""
    from routing.dsl.checker import check
    from routing.dsl.loader import load_text
    from routing.engine.ruleset import Ruleset

    gc.collect()
    t0 = time.perf_counter()
    rule_file, diagnostics = load_text(text, "bench.yaml")
    t1 = time.perf_counter()
    if rule_file is None or diagnostics:
        raise SystemExit(f"the generated rule file does not load cleanly: {diagnostics[:3]}")
    checked = check([rule_file], extra=diagnostics)
    t2 = time.perf_counter()
    if checked.diagnostics:
        raise SystemExit(f"the generated rule set has diagnostics: {checked.diagnostics[:3]}")
    Ruleset(checked)
    t3 = time.perf_counter()
    passes = {f"check.{name}": seconds for name, seconds in checked.timings.items()}
    return {"load": t1 - t0, "check": t2 - t1, "compile": t3 - t2, "total": t3 - t0, **passes}


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas: {text!r}"
        ) from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"rule counts must be 1 or more: {text!r}")
    return sizes


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more: {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=_sizes, default=[100, 1000, 10_000], metavar="N,N")
    parser.add_argument("--repeat", type=_positive, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--passes", action="store_true", help="show every checker pass too")
    args = parser.parse_args(argv)

    texts = {n: wl.routing_yaml(*wl.make_rules(n, args.seed)) for n in args.rules}
    build_once(wl.routing_yaml(*wl.make_rules(3, args.seed)))  # imports, lark tables
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in args.rules}
    for _ in range(args.repeat):
        for n in args.rules:
            runs[n].append(build_once(texts[n]))

    keys = ["load", "check", "compile", "total"]
    if args.passes:
        keys += [k for k in runs[args.rules[0]][0] if k.startswith("check.")]
    print(f"Seconds, median of {args.repeat} (Python {sys.version.split()[0]})\n")
    print("| step | " + " | ".join(f"{n:,} rules" for n in args.rules) + " |")
    print("|---|" + "---:|" * len(args.rules))
    for key in keys:
        cells = [f"{statistics.median(r[key] for r in runs[n]):.3f}" for n in args.rules]
        print(f"| {key} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
