"""Tools that run rule sets as a whole: rule unit tests (``routing test``) and more.

Rule tests: `load_suites` reads test files into `Suite` objects, `run_suites` runs them
into a `Report` (results and `Coverage`); `routing.testing.formats` and
`routing.testing.junit` render a report as text, JSON or JUnit XML.

Rule changes (``routing diff``): `DiffBuilder` turns pairs of decisions and two
`describe_ruleset` descriptions into a `DiffReport`; `Limit` is a ``--fail-on`` limit;
`routing.testing.report_text`, `report_markdown` and `report_html` render a report.
"""

from routing.testing.coverage import Coverage
from routing.testing.diff import DiffBuilder, DiffReport, Limit, describe_ruleset
from routing.testing.runner import Report, TestResult, run_suites
from routing.testing.suite import RuleTest, Suite, load_suites

__all__ = [
    "Coverage",
    "DiffBuilder",
    "DiffReport",
    "Limit",
    "Report",
    "RuleTest",
    "Suite",
    "TestResult",
    "describe_ruleset",
    "load_suites",
    "run_suites",
]
