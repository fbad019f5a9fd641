"""routing: compiled, testable help desk automation from rule files."""

from routing.diagnostics import Diagnostic, Severity
from routing.errors import RoutingError, RuleError

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "RoutingError",
    "RuleError",
    "Severity",
    "__version__",
]
