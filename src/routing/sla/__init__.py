"""Business-hours calendars and SLA clocks, usable alone: ``from routing.sla import Calendar``.

Imports only `routing.errors`, the standard library, ``holidays`` and ``zoneinfo``.
"""

from routing.sla.calendar import Calendar, DayInfo
from routing.sla.clock import METRICS, MetricStatus, SlaClock, SlaResult, TicketHistory
from routing.sla.intervals import Pause

__all__ = [
    "METRICS",
    "Calendar",
    "DayInfo",
    "MetricStatus",
    "Pause",
    "SlaClock",
    "SlaResult",
    "TicketHistory",
]
