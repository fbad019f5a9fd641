"""The public names are pinned: adding or removing one is a deliberate change."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest

import routing


@dataclass(frozen=True)
class Case:
    note: str
    module: str
    names: tuple[str, ...]


CASES = (
    Case(
        "routing",
        "routing",
        (
            "Decision",
            "Diagnostic",
            "RoutingError",
            "RuleError",
            "Ruleset",
            "Severity",
            "Ticket",
            "TicketError",
            "__version__",
            "load",
            "loads",
        ),
    ),
    Case(
        "routing.sla",
        "routing.sla",
        (
            "Calendar",
            "DayInfo",
            "METRICS",
            "MetricStatus",
            "Pause",
            "SlaClock",
            "SlaResult",
            "TicketHistory",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_all_is_pinned(case: Case) -> None:
    """`__all__` holds exactly the pinned names (sorted here; the module keeps ruff's order)."""
    exported = importlib.import_module(case.module).__all__
    assert (sorted(exported), len(set(exported))) == (list(case.names), len(exported))


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_every_exported_name_is_importable(case: Case) -> None:
    """Every name in `__all__` is an attribute of its module."""
    module = importlib.import_module(case.module)
    assert [n for n in case.names if not hasattr(module, n)] == []


def test_exceptions_share_one_root() -> None:
    """Every public exception derives from RoutingError."""
    import routing

    assert (
        issubclass(routing.RuleError, routing.RoutingError),
        issubclass(routing.TicketError, routing.RoutingError),
        issubclass(routing.RoutingError, Exception),
    ) == (True, True, True)


def test_loads_gives_the_garbage_collector_back_even_on_error() -> None:
    """Building pauses the cyclic collector (docs/performance.md); it must come back."""
    import gc

    assert gc.isenabled()
    routing.loads("version: 1\nqueues: [a]\n")
    assert gc.isenabled()
    with pytest.raises(routing.RuleError):
        routing.loads("version: 1\nstages: [{name: s, rules: [{name: r, when: nope}]}]\n")
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: routing.loads(b"version: 1\nstages: []\n"),  # type: ignore[arg-type]
            "loads takes the rules as a str, found bytes: decode it first (rule files are UTF-8)",
        ),
        (lambda: routing.loads(None), "loads takes the rules as a str, found NoneType"),  # type: ignore[arg-type]
        (
            lambda: routing.loads("version: 1\nstages: []\n", name=3),  # type: ignore[arg-type]
            "loads takes a str name, found int",
        ),
        (lambda: routing.load(None), "load takes a path (str or os.PathLike), found NoneType"),  # type: ignore[arg-type]
    ],
    ids=["loads bytes", "loads None", "loads name", "load None"],
)
def test_load_and_loads_say_what_they_take(call: Any, message: str) -> None:
    """A wrong argument type is a TypeError that says what was expected (it was "a
    bytes-like object is required, not 'str'" or "'NoneType' object is not iterable")."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message
