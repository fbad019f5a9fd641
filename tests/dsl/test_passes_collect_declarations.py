"""Pass 1, collect_declarations: one name, one declaration, across every file of a rule set."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.checking import diagnostics_through

Found = tuple[str, str, str | None, tuple[str, ...], str]


def _through(pass_name: str, *texts: tuple[str, str]) -> list[Found]:
    """Diagnostics of the loader and of every pass up to and including `pass_name`."""
    return [
        (d.code, d.message, d.hint, d.notes, str(d.span))
        for d in diagnostics_through(pass_name, *texts)
    ]


DECLARATIONS = """\
version: 1
fields:
  plan: {type: string}
lists:
  l: [a]
queues: [q1]
define:
  d: "true"
calendars:
  c: {timezone: UTC, hours: {mon: "09:00-10:00"}}
templates:
  t: "x"
sla_policies:
  - name: p
    targets: {normal: {first_reply: 1h}}
agents:
  - {id: ann, queues: [q1]}
spam_threshold: 3
stages:
  - name: s
    mode: first
    rules:
      - {name: r, when: "true", then: [{tag: x}]}
"""


@dataclass(frozen=True)
class Case:
    note: str
    files: tuple[tuple[str, str], ...]
    want: tuple[Found, ...]


def _dup(what: str, line: int, col: int) -> Found:
    return (
        "name/duplicate",
        f"{what} is declared twice",
        None,
        (f"first declared at a.yaml:{line}:{col}",),
        f"b.yaml:{line}:{col}",
    )


CASES = (
    Case("one file declares everything once: clean", (("a.yaml", DECLARATIONS),), ()),
    Case(
        "two files declaring the same names: every kind is a duplicate",
        (("a.yaml", DECLARATIONS), ("b.yaml", DECLARATIONS)),
        (
            _dup("custom field 'plan'", 3, 3),
            _dup("list 'l'", 5, 3),
            _dup("queue 'q1'", 6, 10),
            _dup("define 'd'", 8, 3),
            _dup("calendar 'c'", 10, 3),
            _dup("template 't'", 12, 3),
            _dup("SLA policy 'p'", 14, 11),
            _dup("agent 'ann'", 17, 10),
            (
                "name/duplicate",
                "'spam_threshold' is set in more than one file",
                None,
                ("first set at a.yaml:18:17",),
                "b.yaml:18:17",
            ),
            _dup("stage 's'", 20, 11),
            _dup("rule 'r'", 23, 16),
        ),
    ),
    Case(
        "one rule name in two stages of one file",
        (
            (
                "a.yaml",
                "version: 1\nstages:\n"
                "  - {name: s1, mode: all, rules: [{name: r, when: 'true', then: []}]}\n"
                "  - {name: s2, mode: all, rules: [{name: r, when: 'true', then: []}]}\n",
            ),
        ),
        (
            (
                "name/duplicate",
                "rule 'r' is declared twice",
                None,
                ("first declared at a.yaml:3:42",),
                "a.yaml:4:42",
            ),
        ),
    ),
    Case(
        "a queue listed twice in one file",
        (("a.yaml", "version: 1\nqueues: [a, b, a]\nstages: []\n"),),
        (
            (
                "name/duplicate",
                "queue 'a' is declared twice",
                None,
                ("first declared at a.yaml:2:10",),
                "a.yaml:2:16",
            ),
        ),
    ),
    Case(
        "a define named like a ticket field",
        (("a.yaml", "version: 1\ndefine:\n  subject: 'true'\nstages: []\n"),),
        (
            (
                "name/duplicate",
                "define 'subject' has the name of a ticket field",
                "rename the define",
                (),
                "a.yaml:3:3",
            ),
        ),
    ),
    Case(
        "a define named now",
        (("a.yaml", "version: 1\ndefine:\n  now: 'true'\nstages: []\n"),),
        (
            (
                "name/duplicate",
                "define 'now' has the name of a ticket field",
                "rename the define",
                (),
                "a.yaml:3:3",
            ),
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_collect_declarations_reports_duplicates(case: Case) -> None:
    """A name declared twice, in one file or across files, is located at the second one."""
    assert _through("collect_declarations", *case.files) == list(case.want)
