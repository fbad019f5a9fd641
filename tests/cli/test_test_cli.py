"""``routing test``: whole text output, JSON shape, JUnit XML, --run, coverage gates, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.testing.helpers import write

from routing.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"

TESTS = """\
rules: rules.yaml
now: "2026-11-23T10:00:00Z"
defaults:
  ticket: {requester: {email: ann@shop.example}}
tests:
  - name: refund goes to billing
    ticket: {subject: Refund please}
    expect: {queue: billing, tags: [refund], fired: [refunds, ack]}
  - name: error goes to tech
    ticket: {subject: Error 500}
    expect: {queue: billing, tags: [billing]}
  - name: broken ticket
    ticket: {subject: x, priority: hihg}
    expect: {queue: general}
"""

TEXT = """\
tests.yaml
  PASS   refund goes to billing
  FAIL   error goes to tech  (tests.yaml:9)
         expected queue 'billing', got 'tech'
         expected tags ['billing'], got ['technical']
           - billing
           + technical
  ERROR  broken ticket  (tests.yaml:12)
         tests.yaml:13:36: error[test/bad-ticket]: invalid ticket: priority: expected a \
priority (low, normal, high, urgent), found 'hihg'
            |
         13 |     ticket: {subject: x, priority: hihg}
            |                                    ^^^^

3 tests: 1 passed, 1 failed, 1 error, 0 skipped

rule coverage of rules.yaml: 3 of 4 enabled rules fired (75.0%)
  not fired: 'everything else' (rules.yaml:17:15)
  disabled: 'old' (rules.yaml:26:15)
branch coverage: 10 of 16 outcomes (62.5%)
  rules.yaml:12:42: never false: not channel == "phone"  (rule 'refunds')
  rules.yaml:12:47: never true: channel == "phone"  (rule 'refunds')
  rules.yaml:15:15: never false: text mentions "error" or channel == "api"  (rule 'tech')
  rules.yaml:15:15: never false: text mentions "error"  (rule 'tech')
  rules.yaml:15:40: never true or false: channel == "api"  (rule 'tech')
"""


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, TESTS)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["test", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_shows_each_test_the_summary_and_coverage(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing test shows where it is and what differs; coverage lists what is missing."""
    assert _run(["tests.yaml"], capsys) == (1, TEXT, "")


def test_run_selects_tests_and_all_passing_exits_zero(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only tests whose name the regex finds run; all of them passing exits 0."""
    code, out, err = _run(["tests.yaml", "--run", "^refund"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[:4] == [
        "tests.yaml",
        "  PASS   refund goes to billing",
        "",
        "1 test: 1 passed, 0 failed, 0 errors, 0 skipped",
    ]


def test_run_matching_nothing_is_a_finding(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --run pattern that selects no test fails rather than passing vacuously."""
    code, _, err = _run(["tests.yaml", "--run", "nothing-like-this"], capsys)
    assert (code, err) == (
        1,
        "routing test: error: no test name matches --run 'nothing-like-this'\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tests.yaml", "--run", "("],
            "routing test: error: --run: bad regular expression '(': "
            "missing ), unterminated subpattern at position 0\n",
        ),
        (["missing.yaml"], "routing test: error: no such test file or directory: 'missing.yaml'\n"),
        (
            ["tests.yaml", "--rules", "nowhere"],
            "routing test: error: --rules: no such file or directory: 'nowhere'\n",
        ),
        (
            ["tests.yaml", "--output", "no/such/dir/out.xml"],
            "routing test: error: --output: cannot write 'no/such/dir/out.xml': "
            "No such file or directory\n",
        ),
    ],
    ids=["bad regex", "missing tests", "missing rules", "unwritable output"],
)
def test_usage_errors_exit_2_with_one_line(
    suite: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Bad options are one line on stderr and exit 2, never a traceback."""
    assert _run(args, capsys) == (2, "", message)


@pytest.mark.parametrize("value", ["101", "-1", "lots"])
def test_a_coverage_minimum_is_a_percentage(
    suite: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """--coverage-min takes 0..100; anything else is a usage error."""
    with pytest.raises(SystemExit) as info:
        main(["test", "tests.yaml", "--coverage-min", value])
    assert info.value.code == 2
    assert "--coverage-min: expected a percentage" in capsys.readouterr().err


def test_coverage_below_the_minimum_fails(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Passing tests with too little coverage still exit 1, saying which minimum failed."""
    code, out, _ = _run(
        ["tests.yaml", "--run", "refund", "--coverage-min", "60", "--branch-coverage-min", "40"],
        capsys,
    )
    assert code == 1
    assert out.splitlines()[-3:] == [
        "error: rule coverage of rules.yaml is 50.0%, below the minimum of 60%",
        "",
        "error: branch coverage of rules.yaml is 31.2%, below the minimum of 40%",
    ]
    code, _, _ = _run(["tests.yaml", "--run", "refund", "--coverage-min", "50"], capsys)
    assert code == 0


def test_json_report_shape(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON object: format_version, summary, files with tests, coverage, minimums."""
    code, out, _ = _run(["tests.yaml", "--format", "json", "--coverage-min", "80"], capsys)
    data = json.loads(out)
    for test in data["files"][0]["tests"]:
        assert isinstance(test.pop("time"), float)
    failing = data["files"][0]["tests"][1]
    decision = failing.pop("decision")
    assert (decision["ticket_id"], decision["queue"]) == ("error goes to tech", "tech")
    problems = data["files"][0]["tests"][2].pop("problems")
    assert [p["code"] for p in problems] == ["test/bad-ticket"]
    coverage = data.pop("coverage")
    assert code == 1
    assert data == {
        "format_version": 1,
        "summary": {"tests": 3, "passed": 1, "failed": 1, "errors": 1, "skipped": 0},
        "files": [
            {
                "file": "tests.yaml",
                "rules": "rules.yaml",
                "diagnostics": [],
                "tests": [
                    {"name": "refund goes to billing", "line": 6, "status": "pass"},
                    {
                        "name": "error goes to tech",
                        "line": 9,
                        "status": "fail",
                        "mismatches": [
                            {
                                "path": "queue",
                                "message": "expected queue 'billing', got 'tech'",
                                "expected": "billing",
                                "actual": "tech",
                                "diff": [],
                            },
                            {
                                "path": "tags",
                                "message": "expected tags ['billing'], got ['technical']",
                                "expected": ["billing"],
                                "actual": ["technical"],
                                "diff": ["- billing", "+ technical"],
                            },
                        ],
                    },
                    {"name": "broken ticket", "line": 12, "status": "error"},
                ],
            }
        ],
        "coverage_min": {
            "rule": 80.0,
            "branch": None,
            "failures": ["rule coverage of rules.yaml is 75.0%, below the minimum of 80%"],
        },
    }
    (cov,) = coverage
    assert {k: v for k, v in cov.items() if k != "uncovered_branches"} == {
        "rules": "rules.yaml",
        "rules_enabled": 4,
        "rules_fired": 3,
        "rule_percent": 75.0,
        "not_fired": [
            {"stage": "triage", "rule": "everything else", "file": "rules.yaml", "line": 17}
        ],
        "disabled": ["old"],
        "branch_outcomes": 16,
        "branch_outcomes_covered": 10,
        "branch_percent": 62.5,
    }
    assert cov["uncovered_branches"][-1] == {
        "rule": "tech",
        "test": 'channel == "api"',
        "file": "rules.yaml",
        "line": 15,
        "column": 40,
        "missing": ["true", "false"],
    }


def test_junit_report_parses_with_one_case_per_test(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JUnit XML: counts on the root and per suite, failure/error elements, coverage cases."""
    code, out, err = _run(
        ["tests.yaml", "--format", "junit", "--output", "report.xml", "--coverage-min", "100"],
        capsys,
    )
    assert (code, out, err) == (1, "", "")
    root = ET.parse("report.xml").getroot()
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5",
        "failures": "2",
        "errors": "1",
        "skipped": "0",
    }
    suite_el, coverage_el = root.findall("testsuite")
    assert (suite_el.get("name"), suite_el.get("tests"), suite_el.get("failures")) == (
        "tests.yaml",
        "3",
        "1",
    )
    cases = [
        (c.get("classname"), c.get("name"), c.get("line"), [e.tag for e in c])
        for c in suite_el.findall("testcase")
    ]
    assert cases == [
        ("tests", "refund goes to billing", "6", []),
        ("tests", "error goes to tech", "9", ["failure"]),
        ("tests", "broken ticket", "12", ["error"]),
    ]
    failure = suite_el.findall("testcase")[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "expected queue 'billing', got 'tech'"
    assert failure.text == (
        "tests.yaml:9: error goes to tech\n"
        "expected queue 'billing', got 'tech'\n"
        "expected tags ['billing'], got ['technical']\n"
        "  - billing\n"
        "  + technical"
    )
    error = suite_el.findall("testcase")[2].find("error")
    assert error is not None
    assert error.get("type") == "test/bad-ticket"
    assert [c.get("name") for c in coverage_el.findall("testcase")] == [
        "rule coverage of rules.yaml",
        "branch coverage of rules.yaml",
    ]
    rule_failure = coverage_el.findall("testcase")[0].find("failure")
    assert rule_failure is not None
    assert rule_failure.get("message") == "rule coverage is 75.0%, below the minimum of 100%"
    props = {p.get("name"): p.get("value") for p in coverage_el.iter("property")}
    assert props == {
        "rule coverage of rules.yaml": "75.00",
        "branch coverage of rules.yaml": "62.50",
    }


def test_a_test_file_that_does_not_load_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its diagnostics are shown under the file, it counts as one error, and exits 1."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "rules: rules.yaml\ntests: {}\n")
    code, out, _ = _run(["tests.yaml"], capsys)
    assert code == 1
    assert out == (
        "tests.yaml\n"
        "  ERROR  the test file did not load\n"
        "         tests.yaml:2:8: error[file/wrong-type]: "
        "expected a list of tests, found a mapping\n"
        "           |\n"
        "         2 | tests: {}\n"
        "           |        ^^\n"
        "\n"
        "1 test: 0 passed, 0 failed, 1 error, 0 skipped\n"
    )


def test_the_example_suite_covers_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """examples/helpdesk/tests passes with 100% rule coverage (what scripts/check runs)."""
    code, out, _ = _run([str(EXAMPLES / "tests"), "--coverage-min", "100"], capsys)
    assert code == 0, out
    assert "0 failed, 0 errors" in out
    assert "(100.0%)" in out


def test_text_report_lists_at_most_ten_uncovered_rules_and_branches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Regression: --run on a big suite printed hundreds of uncovered outcomes."""
    code, out, _ = _run([str(EXAMPLES / "tests"), "--run", "^churn risk in English$"], capsys)
    assert code == 0, out
    coverage = out[out.index("rule coverage of") :].splitlines()
    not_fired = [line for line in coverage if line.startswith("  not fired: ")]
    never = [line for line in coverage if ": never " in line]
    assert (len(not_fired), len(never)) == (10, 10)
    assert [line for line in coverage if line.startswith("  ... and ")] == [
        "  ... and 41 more rules not fired (--format json lists every one)",
        "  ... and 145 more conditions not fully covered (--format json lists every one)",
    ]
