"""Tools that run rule sets as a whole: rule unit tests (``routing test``) and more.

Rule tests: `load_suites` reads test files into `Suite` objects, `run_suites` runs them
into a `Report` (results and `Coverage`); `routing.testing.formats` and
`routing.testing.junit` render a report as text, JSON or JUnit XML.
"""

from routing.testing.coverage import Coverage
from routing.testing.runner import Report, TestResult, run_suites
from routing.testing.suite import RuleTest, Suite, load_suites

__all__ = ["Coverage", "Report", "RuleTest", "Suite", "TestResult", "load_suites", "run_suites"]
