"""routing: compiled, testable help desk automation from rule files.

>>> import routing
>>> rules = routing.loads('''
... version: 1
... queues: [billing]
... stages:
...   - name: triage
...     mode: first
...     rules:
...       - name: refunds
...         when: text mentions "refund"
...         then: [{route: billing}, {raise_priority: high}]
... ''')
>>> from datetime import UTC, datetime
>>> d = rules.evaluate({"id": "T-1", "subject": "Refund"}, now=datetime(2026, 11, 23, tzinfo=UTC))
>>> (d.queue, d.priority, d.fired)
('billing', 'high', ('refunds',))
"""

from typing import TYPE_CHECKING, Any

from routing.errors import RoutingError, RuleError, TicketError

if TYPE_CHECKING:
    from routing._api import load, loads
    from routing.diagnostics import Diagnostic, Severity
    from routing.engine.ruleset import Ruleset
    from routing.model.decision import Decision
    from routing.model.ticket import Ticket

__version__ = "0.1.0"

# The names below come from the modules that define them on first use (PEP 562), so
# ``import routing`` (and every ``import routing.x``, which imports this package first)
# costs next to nothing, and ``import routing.sla`` does not import the rule compiler
# (decision 0023). `load` and `loads` bring in the reader, checker, compiler and engine.
_LAZY: dict[str, str] = {
    "Decision": "routing.model.decision",
    "Diagnostic": "routing.diagnostics",
    "Ruleset": "routing.engine.ruleset",
    "Severity": "routing.diagnostics",
    "Ticket": "routing.model.ticket",
    "load": "routing._api",
    "loads": "routing._api",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'routing' has no attribute {name!r}")
    import gc
    import importlib

    # Importing the engine creates many objects that all stay alive (modules, classes,
    # pydantic's validators): cyclic collections meanwhile free nothing and walk a growing
    # heap, about 6% of the import's time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        value = getattr(importlib.import_module(module_name), name)
    finally:
        if enabled:
            gc.enable()
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
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
]
