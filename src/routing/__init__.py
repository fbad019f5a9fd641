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

from routing._api import load, loads
from routing.diagnostics import Diagnostic, Severity
from routing.engine.ruleset import Ruleset
from routing.errors import RoutingError, RuleError, TicketError
from routing.model.decision import Decision
from routing.model.ticket import Ticket

__version__ = "0.1.0"

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
