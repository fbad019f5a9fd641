"""Durations as written in rule files and expressions: ``30s 15m 2h 3d 1w 1h30m``.

A duration is an exact amount of time: ``3d`` is 72 hours, also where it is counted in
business time. Units run from the largest to the smallest, each at most once.
"""

from __future__ import annotations

import re

__all__ = ["UNIT_SECONDS", "format_duration", "parse_duration"]

UNIT_SECONDS: dict[str, int] = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> int | None:
    """Seconds of a duration such as ``1h30m``, or None if `text` is not one."""
    m = _DURATION.match(text.strip())
    if m is None or not any(m.groups()) or len(text.strip()) > 40:
        return None
    return sum(int(g) * s for g, s in zip(m.groups(), UNIT_SECONDS.values(), strict=True) if g)


def format_duration(seconds: int) -> str:
    """The canonical text of a duration: largest units first, ``0s`` for zero.

    Weeks are not used in canonical form (``2w`` prints as ``14d``), so durations read as
    days and hours, the way SLA targets are usually stated.
    """
    if seconds <= 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = UNIT_SECONDS[unit]
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)
