"""One `Ruleset` shared by many threads decides exactly as one thread does."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import routing

HELPDESK = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
THREADS = 8
TICKETS = 500


def _inputs() -> list[tuple[dict[str, Any], datetime]]:
    out = []
    lines = (HELPDESK / "tickets.jsonl").read_text(encoding="utf-8").splitlines()[:TICKETS]
    for i, line in enumerate(lines):
        record = json.loads(line)
        ticket = record.get("ticket", record)
        # spread the instants over a week, so calendars, SLA clocks and caches all vary
        out.append((ticket, NOW + timedelta(minutes=97 * i)))
    return out


def test_threads_decide_as_one_thread() -> None:
    """8 threads over 500 tickets (each thread interleaving all of them) give the same
    decisions, trace included, as a single thread."""
    shared = routing.load(HELPDESK / "rules")  # cold: the threads fill its caches
    alone = routing.load(HELPDESK / "rules")
    inputs = _inputs()
    assert len(inputs) == TICKETS

    def decide(rules: routing.Ruleset, item: tuple[dict[str, Any], datetime]) -> dict[str, Any]:
        ticket, now = item
        return rules.evaluate(ticket, now, trace=True).to_dict(trace=True)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        # every thread gets every ticket, in a different rotation
        rotations = [inputs[k * 61 :] + inputs[: k * 61] for k in range(THREADS)]
        results = list(pool.map(lambda items: [decide(shared, i) for i in items], rotations))
    expected = [decide(alone, item) for item in inputs]
    for k, got in enumerate(results):
        unrotated = got[len(got) - k * 61 :] + got[: len(got) - k * 61]
        assert unrotated == expected, f"thread {k} differs"
