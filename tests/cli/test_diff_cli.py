"""``routing diff`` on a small fixture: each format's whole output, exit codes with
``--fail-on`` and ``--detailed-exitcode``, usage errors, rule set errors, unreadable lines,
and ``--jobs``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from routing.cli.main import main

DATA = Path(__file__).parent / "data"
NOW = "2026-11-24T12:00:00Z"

#: The head rule set: "refunds" also fires on "money back"; "vip" sets high, not urgent.
CHANGES = (
    ('when: text mentions "refund"', 'when: text mentions any of ["refund", "money back"]'),
    (
        "then: [{route: tech}, {priority: urgent}, {tag: vip}]",
        "then: [{route: tech}, {priority: high}, {tag: vip}]",
    ),
)

TICKETS = [
    {
        "id": "T-1",
        "subject": "Refund please",
        "requester": {"email": "ann@shop.com"},
        "fields": {"mrr": 50},
    },
    {"id": "T-2", "subject": "Money back now", "requester": {"email": "cy@shop.com"}, "fields": {}},
    {
        "id": "T-3",
        "subject": "<script>alert(1)</script> | `pwn` **x**",
        "requester": {"email": "bob@bigcorp.com"},
        "fields": {"mrr": 5000},
    },
    {"id": "T-4", "subject": "Hello", "fields": {}},
]


@pytest.fixture
def fixture_dir(tmp_path, monkeypatch):
    """base.yaml, head.yaml and tickets.jsonl in the current directory."""
    base = (DATA / "rules.yaml").read_text(encoding="utf-8")
    head = base
    for old, new in CHANGES:
        assert old in head
        head = head.replace(old, new)
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(head, encoding="utf-8")
    lines = "".join(json.dumps(t) + "\n" for t in TICKETS)
    (tmp_path / "tickets.jsonl").write_text(lines, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(
    capsys,
    *argv: str,
    base: str = "base.yaml",
    head: str = "head.yaml",
    tickets: str = "tickets.jsonl",
) -> tuple[int, str, str]:
    args = ["diff", "--base", base, "--head", head, "--tickets", tickets, "--now", NOW]
    code = main([*args, "--jobs", "1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


TEXT = (
    "routing diff: base base.yaml -> head head.yaml\n"
    "4 tickets compared\n"
    "\n"
    "Rules\n"
    "  ~ vip  (changed: then; triage, head.yaml:28)\n"
    "      then: priority: urgent\n"
    "            -> priority: high\n"
    "      fires on the same tickets (1)\n"
    "  ~ refunds  (changed: when; triage, head.yaml:31)\n"
    '      when: text mentions "refund"\n'
    '            -> text mentions any of ["refund", "money back"]\n'
    "      now fires on 1 ticket: T-2\n"
    "  = everything else  (unchanged; triage, head.yaml:34)\n"
    "      no longer fires on 1 ticket: T-2\n"
    "\n"
    "Tickets\n"
    "  ~ T-2  queue general -> billing, priority normal -> high, replies (none) -> refund-ack, "
    'sla first reply due -3h  (rule "refunds" changed, now fires; rule "everything else" no '
    "longer fires)\n"
    '  ~ T-3  priority urgent -> high, sla first reply due +30m  (rule "vip" changed)\n'
    "\n"
    "Route matrix (rows: base queue, columns: head queue)\n"
    "  base \\ head  billing  general  tech\n"
    "  billing            1        .     .\n"
    "  general            1        1     .\n"
    "  tech               .        .     1\n"
    "\n"
    "Queue volume\n"
    "  queue    base  head  change\n"
    "  billing     1     2      +1\n"
    "  general     2     1      -1\n"
    "  tech        1     1       0\n"
    "\n"
    "Changes\n"
    "  changed        2  50.0%\n"
    "  rerouted       1  25.0%\n"
    "  reprioritised  2  50.0%\n"
    "  replies        1  25.0%\n"
    "  new-replies    1  25.0%\n"
    "  sla            2  50.0%\n"
    "  fired          1  25.0%\n"
    "\n"
    "Diff: 2 of 4 tickets change (1 rerouted, 2 reprioritised, 1 replies, 1 new-replies, 2 sla, 1 "
    "fired).\n"
)

MARKDOWN = (
    "### routing diff: 2 of 4 tickets change\n"
    "\n"
    "base <code>base.yaml</code> → head <code>head.yaml</code>\n"
    "\n"
    "| change | tickets | share |\n"
    "|---|--:|--:|\n"
    "| changed | 2 | 50.0% |\n"
    "| rerouted | 1 | 25.0% |\n"
    "| reprioritised | 2 | 50.0% |\n"
    "| replies | 1 | 25.0% |\n"
    "| new-replies | 1 | 25.0% |\n"
    "| sla | 2 | 50.0% |\n"
    "| fired | 1 | 25.0% |\n"
    "\n"
    "#### Rules responsible\n"
    "\n"
    "| rule | status | what changed | fired on (base → head) | now fires on | no longer fires on "
    "|\n"
    "|---|---|---|--:|---|---|\n"
    "| ~ <code>vip</code> | changed | then: <code>priority: urgent</code> → <code>priority: "
    "high</code> | 1 → 1 | 0 | 0 |\n"
    "| ~ <code>refunds</code> | changed | when: <code>text mentions &quot;refund&quot;</code> → "
    "<code>text mentions any of [&quot;refund&quot;, &quot;money back&quot;]</code> | 1 → 2 | 1: "
    "T-2 | 0 |\n"
    "| = <code>everything else</code> | unchanged | - | 2 → 1 | 0 | 1: T-2 |\n"
    "\n"
    "#### Route matrix\n"
    "\n"
    "| base ↓ / head → | <code>billing</code> | <code>general</code> |\n"
    "|---|--:|--:|\n"
    "| <code>billing</code> | 1 | · |\n"
    "| <code>general</code> | **1** | 1 |\n"
    "\n"
    "| queue | base | head | change |\n"
    "|---|--:|--:|--:|\n"
    "| <code>billing</code> | 1 | 2 | +1 |\n"
    "| <code>general</code> | 2 | 1 | -1 |\n"
    "\n"
    "Only queues that gain or lose tickets are shown.\n"
    "\n"
    "<details><summary>2 tickets changed</summary>\n"
    "\n"
    "| ticket | subject | changes | why |\n"
    "|---|---|---|---|\n"
    "| <code>T-2</code> | Money back now | queue general → billing<br>priority normal → "
    'high<br>replies (none) → refund-ack<br>sla first reply due -3h | rule "refunds" changed, now '
    'fires<br>rule "everything else" no longer fires |\n'
    "| <code>T-3</code> | &lt;script&gt;alert(1)&lt;/script&gt; \\| \\`pwn\\` \\*\\*x\\*\\* | "
    'priority urgent → high<br>sla first reply due +30m | rule "vip" changed |\n'
    "\n"
    "</details>\n"
)

JSON = {
    "format_version": 1,
    "base": "base.yaml",
    "head": "head.yaml",
    "tickets": {"compared": 4, "changed": 2, "unchanged": 2, "skipped": 0},
    "counts": {
        "changed": 2,
        "rerouted": 1,
        "reprioritised": 2,
        "retagged": 0,
        "spam": 0,
        "new-spam": 0,
        "replies": 1,
        "new-replies": 1,
        "notifications": 0,
        "sla": 2,
        "reassigned": 0,
        "status": 0,
        "fields": 0,
        "fired": 1,
        "errors": 0,
        "new-errors": 0,
    },
    "route_matrix": [
        {"base": "billing", "head": "billing", "count": 1},
        {"base": "general", "head": "billing", "count": 1},
        {"base": "general", "head": "general", "count": 1},
        {"base": "tech", "head": "tech", "count": 1},
    ],
    "volume": [
        {"queue": "billing", "base": 1, "head": 2},
        {"queue": "general", "base": 2, "head": 1},
        {"queue": "tech", "base": 1, "head": 1},
    ],
    "sla_shift_minutes": {"first_reply_due": [-180, 30], "resolution_due": []},
    "rules": [
        {
            "name": "vip",
            "status": "changed",
            "stage": "triage",
            "location": "head.yaml:28",
            "changes": [{"aspect": "then", "base": "priority: urgent", "head": "priority: high"}],
            "fired": {"base": 1, "head": 1},
            "now_fires": [],
            "no_longer_fires": [],
        },
        {
            "name": "refunds",
            "status": "changed",
            "stage": "triage",
            "location": "head.yaml:31",
            "changes": [
                {
                    "aspect": "when",
                    "base": 'text mentions "refund"',
                    "head": 'text mentions any of ["refund", "money back"]',
                }
            ],
            "fired": {"base": 1, "head": 2},
            "now_fires": ["T-2"],
            "no_longer_fires": [],
        },
        {
            "name": "everything else",
            "status": "unchanged",
            "stage": "triage",
            "location": "head.yaml:34",
            "changes": [],
            "fired": {"base": 2, "head": 1},
            "now_fires": [],
            "no_longer_fires": ["T-2"],
        },
    ],
    "declarations": [],
    "changes": [
        {
            "line": 2,
            "ticket_id": "T-2",
            "subject": "Money back now",
            "changes": [
                {"kind": "route", "before": "general", "after": "billing"},
                {"kind": "priority", "before": "normal", "after": "high"},
                {"kind": "replies", "before": [], "after": ["refund-ack"]},
                {
                    "kind": "sla",
                    "before": {"first_reply_due": "2026-11-24T16:00:00+00:00"},
                    "after": {"first_reply_due": "2026-11-24T13:00:00+00:00"},
                },
                {"kind": "fired", "before": ["everything else"], "after": ["refunds"]},
            ],
            "reasons": [
                {"kind": "rule", "name": "refunds", "why": "changed, now fires"},
                {"kind": "rule", "name": "everything else", "why": "no longer fires"},
            ],
        },
        {
            "line": 3,
            "ticket_id": "T-3",
            "subject": "<script>alert(1)</script> | `pwn` **x**",
            "changes": [
                {"kind": "priority", "before": "urgent", "after": "high"},
                {
                    "kind": "sla",
                    "before": {"first_reply_due": "2026-11-24T12:30:00+00:00"},
                    "after": {"first_reply_due": "2026-11-24T13:00:00+00:00"},
                },
            ],
            "reasons": [{"kind": "rule", "name": "vip", "why": "changed"}],
        },
    ],
    "skipped": [],
    "limits": [],
}


def test_text(fixture_dir, capsys):
    assert run(capsys) == (0, TEXT, "")


def test_markdown(fixture_dir, capsys):
    assert run(capsys, "--format", "markdown") == (0, MARKDOWN, "")


def test_json(fixture_dir, capsys):
    code, out, err = run(capsys, "--format", "json")
    assert (code, json.loads(out), err) == (0, JSON, "")


def test_json_with_limits(fixture_dir, capsys):
    code, out, _ = run(
        capsys, "--format", "json", "--fail-on", "rerouted>25%", "--fail-on", "new-replies>0"
    )
    assert code == 1
    assert json.loads(out)["limits"] == [
        {
            "limit": "rerouted>25%",
            "kind": "rerouted",
            "count": 1,
            "percent": 25.0,
            "exceeded": False,
        },
        {
            "limit": "new-replies>0",
            "kind": "new-replies",
            "count": 1,
            "percent": 25.0,
            "exceeded": True,
        },
    ]


def test_text_limits_section(fixture_dir, capsys):
    code, out, _ = run(capsys, "--fail-on", "rerouted>=25%", "--fail-on", "new-spam>0")
    assert code == 1
    assert out.endswith(
        "Limits\n"
        "  ! rerouted>=25%: 1 ticket (25.0%), over the limit\n"
        "  ok new-spam>0: 0 tickets (0.0%), within the limit\n"
        "\n"
        "Diff: 2 of 4 tickets change (1 rerouted, 2 reprioritised, 1 replies, 1 new-replies, "
        "2 sla, 1 fired).\n"
    )


def test_html_is_self_contained_escaped_and_deterministic(fixture_dir, capsys):
    code, first, err = run(capsys, "--format", "html")
    assert (code, err) == (0, "")
    assert run(capsys, "--format", "html") == (0, first, "")
    assert first.startswith("<!DOCTYPE html>\n")
    assert "<title>routing diff: 2 of 4 tickets change</title>" in first
    for chart in ("route-matrix", "queue-volume", "sla-shift"):
        assert f'<figure id="{chart}"><svg ' in first
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | `pwn` **x**" in first
    assert "<script" not in first
    assert "<image" not in first  # vector charts, no embedded raster
    for needle in ("src=", 'href="http', "@import", "url(http", "url(//", "<link"):
        assert needle not in first
    # references stay inside the page: url(#id) and xlink:href="#id" only
    assert re.findall(r"url\(([^)]*)\)", first) == re.findall(r"url\((#[^)]*)\)", first)
    assert re.findall(r'href="([^"]*)"', first) == re.findall(r'href="(#[^"]*)"', first)


def test_output_file(fixture_dir, capsys):
    assert run(capsys, "--output", "report.md", "--format", "markdown") == (0, "", "")
    assert (fixture_dir / "report.md").read_text(encoding="utf-8") == MARKDOWN


EXIT_CASES = [
    ("changes", (), 0),
    ("detailed, changes", ("--detailed-exitcode",), 2),
    ("limit not reached", ("--fail-on", "rerouted>25%"), 0),
    ("limit at, >=", ("--fail-on", "rerouted>=25%"), 1),
    ("count limit", ("--fail-on", "new-replies>0"), 1),
    ("detailed and limit", ("--detailed-exitcode", "--fail-on", "changed>1"), 1),
    ("detailed, limits kept", ("--detailed-exitcode", "--fail-on", "changed>2"), 2),
]


@pytest.mark.parametrize(
    ("argv", "code"), [c[1:] for c in EXIT_CASES], ids=[c[0] for c in EXIT_CASES]
)
def test_exit_codes(fixture_dir, capsys, argv, code):
    assert run(capsys, *argv)[0] == code


def test_detailed_exitcode_without_changes(fixture_dir, capsys):
    code, out, _ = run(capsys, "--detailed-exitcode", head="base.yaml")
    assert code == 0
    assert out.endswith("\nDiff: no change in 4 tickets.\n")


KINDS = (
    "changed, rerouted, reprioritised, retagged, spam, new-spam, replies, new-replies, "
    "notifications, sla, reassigned, status, fields, fired, errors, new-errors"
)
USAGE_CASES = [
    (
        "bad limit",
        ("--fail-on", "rerouted=2"),
        '--fail-on: bad limit "rerouted=2": expected KIND>N, KIND>=N, KIND>N% or KIND>=N%, '
        f"e.g. 'rerouted>2%' or 'new-replies>0'; kinds: {KINDS}",
    ),
    (
        "unknown kind",
        ("--fail-on", "reroutd>2"),
        f'--fail-on: unknown kind "reroutd" in limit "reroutd>2" (did you mean \'rerouted\'?); '
        f"kinds: {KINDS}",
    ),
    ("jobs", ("--jobs", "0"), "--jobs: expected a number of processes >= 1, found 0"),
    (
        "naive now",
        ("--now", "2026-11-24T12:00:00"),
        '--now: "2026-11-24T12:00:00" has no UTC offset; give one, e.g. 2026-11-24T12:00:00+00:00',
    ),
    (
        "bad git spec",
        ("--base", "git:HEAD"),
        "--base git:HEAD: expected git:REV:PATH, e.g. git:main:rules or "
        "git:HEAD~1:rules/triage.yaml",
    ),
    (
        "missing head",
        ("--head", "nope.yaml"),
        "--head: rule file or directory 'nope.yaml' not found",
    ),
    ("missing tickets", ("--tickets", "nope.jsonl"), "tickets file 'nope.jsonl' not found"),
]


@pytest.mark.parametrize(
    ("argv", "message"), [c[1:] for c in USAGE_CASES], ids=[c[0] for c in USAGE_CASES]
)
def test_usage_errors(fixture_dir, capsys, argv, message):
    assert run(capsys, *argv) == (2, "", f"routing diff: error: {message}\n")


def test_usage_error_with_detailed_exitcode_is_1(fixture_dir, capsys):
    code, out, err = run(capsys, "--detailed-exitcode", "--fail-on", "nonsense")
    assert (code, out) == (1, "")
    assert err.startswith('routing diff: error: --fail-on: bad limit "nonsense"')


def test_argparse_error_with_detailed_exitcode_is_1(fixture_dir, capsys):
    """Regression: argparse errors exited 2, which --detailed-exitcode means "changes"."""
    code, out, err = run(capsys, "--detailed-exitcode", "--format", "pdf")
    assert (code, out) == (1, "")
    assert "argument --format: invalid choice: 'pdf'" in err


def test_bad_format_is_an_argparse_error(fixture_dir, capsys):
    with pytest.raises(SystemExit) as info:
        run(capsys, "--format", "pdf")
    assert info.value.code == 2
    assert "argument --format: invalid choice: 'pdf'" in capsys.readouterr().err


@pytest.mark.parametrize("side", ["base", "head"])
def test_rule_set_error_names_the_side(fixture_dir, capsys, side):
    text = (fixture_dir / "base.yaml").read_text(encoding="utf-8")
    (fixture_dir / "bad.yaml").write_text(text.replace("{route: tech}", "{route: tek}"))
    code, out, err = run(capsys, **{side: "bad.yaml"})
    assert (code, out) == (1, "")
    assert err == (
        "bad.yaml:30:24: error[name/unknown-queue]: queue 'tek' is not declared\n"
        "   |\n"
        "30 |         then: [{route: tek}, {priority: urgent}, {tag: vip}]\n"
        "   |                        ^^^\n"
        "   = help: declare it under 'queues:'\n"
        f"routing diff: error: the {side} rule set 'bad.yaml' does not load\n"
    )


def test_unreadable_lines_are_reported_and_fail(fixture_dir, capsys):
    with (fixture_dir / "tickets.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("not json\n")
    code, out, err = run(capsys, "--format", "json")
    assert code == 1
    assert err == (
        "tickets.jsonl:5: error: ticket: not JSON: expected ident at line 1 column 2\n"
        "tickets.jsonl: skipped 1 unreadable line, compared 4 tickets\n"
    )
    report = json.loads(out)
    assert report["skipped"] == [
        {"line": 5, "error": "ticket: not JSON: expected ident at line 1 column 2"}
    ]
    assert report["tickets"] == {"compared": 4, "changed": 2, "unchanged": 2, "skipped": 1}


def test_jobs_give_identical_output(fixture_dir, capsys):
    many = [dict(t, id=f"{t['id']}-{i}") for i in range(300) for t in TICKETS]
    (fixture_dir / "many.jsonl").write_text("".join(json.dumps(t) + "\n" for t in many))
    outputs = set()
    for jobs in ("1", "2"):
        args = ["diff", "--base", "base.yaml", "--head", "head.yaml", "--tickets", "many.jsonl"]
        code = main([*args, "--now", NOW, "--jobs", jobs, "--format", "json"])
        out, _ = capsys.readouterr()
        assert code == 0
        outputs.add(out)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["tickets"] == {
        "compared": 1200,
        "changed": 600,
        "unchanged": 600,
        "skipped": 0,
    }


def test_stdin_tickets(fixture_dir, capsys, monkeypatch):
    import io
    import sys

    data = (fixture_dir / "tickets.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert run(capsys, tickets="-") == (0, TEXT, "")


def test_directories(fixture_dir, capsys):
    for name in ("base", "head"):
        (fixture_dir / f"{name}-dir").mkdir()
        shutil.copy(fixture_dir / f"{name}.yaml", fixture_dir / f"{name}-dir" / "rules.yaml")
    code, out, _ = run(capsys, base="base-dir", head="head-dir")
    assert code == 0
    assert out.splitlines()[0] == "routing diff: base base-dir -> head head-dir"
    assert "(changed: when; triage, head-dir/rules.yaml:31)" in out


def test_progress_bar_on_a_terminal_only(fixture_dir, capsys, monkeypatch):
    """A long diff shows a progress bar on a terminal (DESIGN section 9), never in CI or with
    --no-progress, and the report is the same either way."""
    import routing.cli.diff as diff_cli

    bars: list[str] = []

    class Bar:
        def __init__(self, evaluation, description):
            bars.append(description)
            self.updates: list[int] = []

        def update(self, tickets):
            self.updates.append(tickets)

        def stop(self):
            bars.append("stopped")

    monkeypatch.setattr(diff_cli, "_Progress", Bar)
    monkeypatch.setattr(diff_cli, "_isatty", lambda stream: True)
    monkeypatch.delenv("CI", raising=False)
    plain = run(capsys, "--no-progress")
    assert bars == []
    assert run(capsys) == plain
    assert bars == ["diff", "stopped"]
    monkeypatch.setenv("CI", "true")
    assert run(capsys) == plain
    assert bars == ["diff", "stopped"]
