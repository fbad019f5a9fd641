"""Pausing Python's cyclic garbage collector while a rule set is read and checked.

Reading and checking allocate many small objects that all stay alive (YAML nodes, AST
nodes, spans, types), so every collection the allocations trigger finds nothing to free
and walks a heap that keeps growing: at 10,000 rules that was half of the time of
`load_text` and `check`. Reference counting still frees everything that is not in a cycle
at once; cycles made meanwhile are collected after the pause. docs/performance.md
("Building rule sets") has the figures.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its state after it.

    Nested uses are fine: only the outermost block that found the collector enabled
    enables it again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
