"""Reading test files: the tests they hold, and located diagnostics for every mistake."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from tests.testing.helpers import write

from routing.diagnostics import render_text
from routing.testing.suite import Expectation, find_test_files, load_suites


def _load_one(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """The rendered file diagnostics and, per test, its rendered problems."""
    monkeypatch.chdir(path.parent)
    suites, problems = load_suites(path.name)
    assert problems == []
    (suite,) = suites
    return render_text(suite.diagnostics), [render_text(t.problems) for t in suite.tests]


def test_a_valid_file_becomes_tests_with_merged_defaults(tmp_path: Path) -> None:
    """Defaults merge under each ticket, `id` defaults to the name, `now` to the file's."""
    path = write(
        tmp_path,
        """\
        rules: rules.yaml
        now: "2026-11-23T10:00:00+01:00"
        defaults:
          ticket: {channel: email, requester: {email: ann@shop.example, name: Ann}}
        tests:
          - name: refund
            ticket: {subject: Refund please, requester: {name: Ann B}}
            expect:
              queue: billing
              tags: [Refund]
              fired: {includes: [refunds], excludes: [tech]}
          - name: later
            now: "2026-11-24T09:00:00Z"
            event: updated
            ticket: {id: T-9, subject: hi}
            history: [{to: ann@shop.example, at: "2026-11-23T10:00:00Z", template: refund-ack}]
            agents: {load: {}, cursors: {}}
            expect: {spam: false}
            skip: not ready
        """,
    )
    suites, problems = load_suites(path)
    assert problems == []
    (suite,) = suites
    assert suite.ok
    assert suite.rules == str(tmp_path / "rules.yaml")
    first, second = suite.tests
    assert first.ticket is not None
    assert first.ticket.id == "refund"
    assert first.ticket.requester.model_dump(exclude_none=True) == {
        "email": "ann@shop.example",
        "name": "Ann B",
        "domain": "shop.example",
    }
    assert first.now == datetime.fromisoformat("2026-11-23T10:00:00+01:00")
    assert first.expect == (
        Expectation("queue", "billing", first.expect[0].span),
        Expectation("tags", frozenset({"refund"}), first.expect[1].span),
        Expectation("fired", None, first.expect[2].span, True, ("refunds",), ("tech",)),
    )
    assert (first.line, first.problems, first.skip) == (6, (), None)
    assert second.ticket is not None
    assert (second.ticket.id, second.event, second.skip) == ("T-9", "updated", "not ready")
    assert second.now == datetime.fromisoformat("2026-11-24T09:00:00+00:00")
    assert second.history == (
        {
            "to": "ann@shop.example",
            "at": datetime.fromisoformat("2026-11-23T10:00:00+00:00"),
            "template": "refund-ack",
        },
    )


@dataclass(frozen=True)
class BrokenTest:
    note: str
    test: str  # the YAML of one test (indented under `tests:`)
    output: str  # its rendered problems


BROKEN_TESTS = (
    BrokenTest(
        "an empty ticket is 'nothing', as in rule files",
        """\
          - name: t
            ticket:
            expect: {queue: billing}
        """,
        """\
tests.yaml:5:12: error[file/wrong-type]: expected a ticket mapping, found nothing
  |
5 |     ticket:
  |            ^""",
    ),
    BrokenTest(
        "unknown key in a test, with did-you-mean",
        """\
          - name: t
            ticket: {subject: x}
            expct: {queue: billing}
        """,
        """\
tests.yaml:4:5: error[file/missing-key]: a test has no 'expect' key
  |
4 |   - name: t
  |     ^^^^^^^
5 |     ticket: {subject: x}
  | ^^^^^^^^^^^^^^^^^^^^^^^^
6 |     expct: {queue: billing}
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^

tests.yaml:6:5: error[file/unknown-key]: unknown key 'expct' in a test
  |
6 |     expct: {queue: billing}
  |     ^^^^^
  = help: did you mean 'expect'?""",
    ),
    BrokenTest(
        "bad ticket field",
        """\
          - name: t
            ticket: {subject: x, requester: {emial: a@b.example}}
            expect: {queue: billing}
        """,
        """\
tests.yaml:5:38: error[test/bad-ticket]: invalid ticket: requester.emial: unknown field (did \
you mean 'email'?)
  |
5 |     ticket: {subject: x, requester: {emial: a@b.example}}
  |                                      ^^^^^""",
    ),
    BrokenTest(
        "naive now",
        """\
          - name: t
            now: "2026-11-23T10:00:00"
            ticket: {subject: x}
            expect: {queue: billing}
        """,
        """\
tests.yaml:5:10: error[literal/bad-datetime]: 'now' '2026-11-23T10:00:00' has no UTC offset
  |
5 |     now: "2026-11-23T10:00:00"
  |          ^^^^^^^^^^^^^^^^^^^^^
  = help: give one, e.g. 2026-11-23T10:00:00+00:00""",
    ),
    BrokenTest(
        "unknown rule in fired",
        """\
          - name: t
            ticket: {subject: x}
            expect: {fired: [refund]}
        """,
        """\
tests.yaml:6:22: error[test/unknown-rule]: no rule is named 'refund'
  |
6 |     expect: {fired: [refund]}
  |                      ^^^^^^
  = help: did you mean 'refunds'?""",
    ),
    BrokenTest(
        "unknown queue and priority",
        """\
          - name: t
            ticket: {subject: x}
            expect: {queue: biling, priority: hihg}
        """,
        """\
tests.yaml:6:21: error[name/unknown-queue]: queue 'biling' is not declared
  |
6 |     expect: {queue: biling, priority: hihg}
  |                     ^^^^^^
  = help: did you mean 'billing'?

tests.yaml:6:39: error[type/unknown-enum-value]: 'hihg' is not a priority; expected one of: \
low, normal, high, urgent
  |
6 |     expect: {queue: biling, priority: hihg}
  |                                       ^^^^
  = help: did you mean 'high'?""",
    ),
    BrokenTest(
        "wrong shapes in expect",
        """\
          - name: t
            ticket: {subject: x}
            expect: {tags: refund, spam: "no", effects: [{type: mail}], sla: {due: x}}
        """,
        """\
tests.yaml:6:20: error[file/wrong-type]: expected a list of tags, or {includes: [...], \
excludes: [...]}, found a string
  |
6 |     expect: {tags: refund, spam: "no", effects: [{type: mail}], sla: {due: x}}
  |                    ^^^^^^

tests.yaml:6:34: error[file/wrong-type]: expected true or false, found a string
  |
6 |     expect: {tags: refund, spam: "no", effects: [{type: mail}], sla: {due: x}}
  |                                  ^^^^

tests.yaml:6:57: error[file/bad-value]: 'mail' is not an effect type; expected one of: reply, \
notify, webhook
  |
6 |     expect: {tags: refund, spam: "no", effects: [{type: mail}], sla: {due: x}}
  |                                                         ^^^^

tests.yaml:6:71: error[file/unknown-key]: unknown key 'due' in 'expect.sla'
  |
6 |     expect: {tags: refund, spam: "no", effects: [{type: mail}], sla: {due: x}}
  |                                                                       ^^^
  = help: expected one of: policy, calendar, first_reply_due, next_reply_due, \
periodic_update_due, resolution_due, remaining, breached, warning, paused""",
    ),
    BrokenTest(
        "duplicate test name",
        """\
          - name: t
            ticket: {subject: x}
            expect: {spam: false}
          - name: t
            ticket: {subject: other}
            expect: {spam: false}
        """,
        """\
tests.yaml:7:11: error[name/duplicate]: duplicate test name 't'
  |
7 |   - name: t
  |           ^
  = note: the first test of that name is on line 4""",
    ),
)


@pytest.mark.parametrize("case", BROKEN_TESTS, ids=[c.note for c in BROKEN_TESTS])
def test_a_broken_test_has_located_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: BrokenTest
) -> None:
    """Each mistake in one test is a located diagnostic of that test; the file loads."""
    body = textwrap.indent(textwrap.dedent(case.test), "  ")
    text = 'rules: rules.yaml\nnow: "2026-11-23T10:00:00Z"\ntests:\n' + body
    path = write(tmp_path, text)
    file_diags, problems = _load_one(path, monkeypatch)
    assert file_diags == ""
    assert problems[-1] == case.output


@dataclass(frozen=True)
class BrokenFile:
    note: str
    text: str
    output: str


BROKEN_FILES = (
    BrokenFile(
        "unknown top-level key and no tests",
        'rule: rules.yaml\nnow: "2026-11-23T10:00:00Z"\n',
        """\
tests.yaml:1:1: error[file/missing-key]: a test file has no 'rules' key
  |
1 | rule: rules.yaml
  | ^^^^^^^^^^^^^^^^
2 | now: "2026-11-23T10:00:00Z"
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^

tests.yaml:1:1: error[file/missing-key]: a test file has no 'tests' key
  |
1 | rule: rules.yaml
  | ^^^^^^^^^^^^^^^^
2 | now: "2026-11-23T10:00:00Z"
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^

tests.yaml:1:1: error[file/unknown-key]: unknown key 'rule' in a test file
  |
1 | rule: rules.yaml
  | ^^^^
  = help: did you mean 'rules'?""",
    ),
    BrokenFile(
        "rules that do not exist",
        "rules: nowhere/\ntests: [{name: t, ticket: {}, expect: {}}]\n",
        """\
tests.yaml:1:8: error[file/not-found]: no such rule file or directory: 'nowhere/'
  |
1 | rules: nowhere/
  |        ^^^^^^^^
  = help: 'rules' is relative to the test file""",
    ),
    BrokenFile(
        "malformed yaml",
        "rules: rules.yaml\ntests: [\n",
        """\
tests.yaml:3:1: error[yaml/syntax]: expected the node content, but found '<stream end>'
  |
3 |
  | ^
  = note: while parsing a flow node that starts on line 3""",
    ),
)


@pytest.mark.parametrize("case", BROKEN_FILES, ids=[c.note for c in BROKEN_FILES])
def test_a_broken_file_has_located_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: BrokenFile
) -> None:
    """A mistake outside the tests stops the whole file, with located diagnostics."""
    path = write(tmp_path, case.text)
    file_diags, problems = _load_one(path, monkeypatch)
    assert (file_diags, problems) == (case.output, [])


def test_rule_errors_point_into_the_rule_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule set that does not load is reported with the rule checker's diagnostics."""
    (tmp_path / "bad.yaml").write_text(
        "version: 1\nqueues: [a]\nstages: [{name: s, mode: all, rules: "
        "[{name: r, when: 'subjekt == \"x\"', then: [{route: a}]}]}]\n",
        encoding="utf-8",
    )
    path = write(tmp_path, "rules: bad.yaml\ntests: [{name: t, ticket: {}, expect: {}}]\n")
    file_diags, _ = _load_one(path, monkeypatch)
    assert file_diags.splitlines()[0] == (
        "bad.yaml:3:56: error[name/unknown-field]: unknown ticket field or define 'subjekt'"
    )


def test_the_rules_option_replaces_the_files_rules(tmp_path: Path) -> None:
    """`rules=` tests another rule set; the file then needs no `rules` key."""
    path = write(
        tmp_path, 'now: "2026-11-23T10:00:00Z"\ntests: [{name: t, ticket: {}, expect: {}}]\n'
    )
    suites, _ = load_suites(path, rules=str(tmp_path / "rules.yaml"))
    assert (suites[0].ok, suites[0].rules) == (True, str(tmp_path / "rules.yaml"))


def test_a_directory_is_read_file_by_file_in_path_order(tmp_path: Path) -> None:
    """Every *.yaml / *.yml below a directory, sorted; other files are ignored."""
    (tmp_path / "sub").mkdir()
    for name in ("b.yaml", "a.yml", "sub/c.yaml", "notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert find_test_files(tmp_path) == [
        str(tmp_path / "a.yml"),
        str(tmp_path / "b.yaml"),
        str(tmp_path / "sub" / "c.yaml"),
    ]


def test_a_missing_path_and_an_empty_directory_are_reported(tmp_path: Path) -> None:
    """The path itself: not found, or no test files in it."""
    _, missing = load_suites(tmp_path / "nope")
    _, empty = load_suites(tmp_path)
    assert [d.headline() for d in (*missing, *empty)] == [
        f"{tmp_path / 'nope'}:1:1: error[file/not-found]: no such file or directory: "
        f"'{tmp_path / 'nope'}'",
        f"{tmp_path}:1:1: error[file/empty]: no test files (*.yaml, *.yml) in '{tmp_path}'",
    ]
