"""``routing diff --base git:REV:PATH``: the issue's done-when test (a rule edited in a
temporary git repository) and the git errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from routing.cli.diff import GitError, materialise
from routing.cli.main import main

DATA = Path(__file__).parent / "data"
NOW = "2026-11-24T12:00:00Z"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TICKETS = [
    {"id": "T-1", "subject": "Refund please", "requester": {"email": "ann@shop.com"}},
    {"id": "T-2", "subject": "Money back, now", "requester": {"email": "cy@shop.com"}},
    {"id": "T-3", "subject": "Server down", "requester": {"email": "bob@bigcorp.com"}},
    {"id": "T-4", "subject": "I want my money back", "fields": {"mrr": 2000}},
]


def git(repo: Path, *argv: str) -> str:
    result = subprocess.run(["git", *argv], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository: rules/ committed, then the rule "refunds" edited and committed."""
    for key, value in {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    (root / "rules").mkdir(parents=True)
    text = (DATA / "rules.yaml").read_text(encoding="utf-8")
    (root / "rules" / "routing.yaml").write_text(text, encoding="utf-8")
    (root / "tickets.jsonl").write_text("".join(json.dumps(t) + "\n" for t in TICKETS))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "rules", "tickets.jsonl")
    git(root, "commit", "-q", "-m", "rules")
    edited = text.replace(
        'when: text mentions "refund"', 'when: text mentions any of ["refund", "money back"]'
    )
    assert edited != text
    (root / "rules" / "routing.yaml").write_text(edited, encoding="utf-8")
    git(root, "commit", "-q", "-am", "refunds: also money back")
    monkeypatch.chdir(root)
    return root


def diff(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["diff", "--tickets", "tickets.jsonl", "--now", NOW, "--jobs", "1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _sla(due: str) -> dict[str, str]:
    return {"first_reply_due": due}


def test_edited_rule_reports_exactly_the_tickets_that_change(repo, capsys):
    code, out, err = diff(
        capsys, "--base", "git:HEAD~1:rules", "--head", "rules", "--format", "json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "format_version": 1,
        "base": "git:HEAD~1:rules",
        "head": "rules",
        "tickets": {"compared": 4, "changed": 2, "unchanged": 2, "skipped": 0},
        "counts": {
            "changed": 2,
            "rerouted": 2,
            "reprioritised": 2,
            "retagged": 0,
            "spam": 0,
            "new-spam": 0,
            "replies": 1,  # T-4 has no requester to answer
            "new-replies": 1,
            "notifications": 0,
            "sla": 2,
            "reassigned": 0,
            "status": 0,
            "fields": 0,
            "fired": 2,
            "errors": 0,
            "new-errors": 0,
        },
        "route_matrix": [
            {"base": "billing", "head": "billing", "count": 1},
            {"base": "general", "head": "billing", "count": 2},
            {"base": "tech", "head": "tech", "count": 1},
        ],
        "volume": [
            {"queue": "billing", "base": 1, "head": 3},
            {"queue": "general", "base": 2, "head": 0},
            {"queue": "tech", "base": 1, "head": 1},
        ],
        "sla_shift_minutes": {"first_reply_due": [-180, -180], "resolution_due": []},
        "rules": [
            {
                "name": "refunds",
                "status": "changed",
                "stage": "triage",
                "location": "rules/routing.yaml:31",
                "changes": [
                    {
                        "aspect": "when",
                        "base": 'text mentions "refund"',
                        "head": 'text mentions any of ["refund", "money back"]',
                    }
                ],
                "fired": {"base": 1, "head": 3},
                "now_fires": ["T-2", "T-4"],
                "no_longer_fires": [],
            },
            {
                "name": "everything else",
                "status": "unchanged",
                "stage": "triage",
                "location": "rules/routing.yaml:34",
                "changes": [],
                "fired": {"base": 2, "head": 0},
                "now_fires": [],
                "no_longer_fires": ["T-2", "T-4"],
            },
        ],
        "declarations": [],
        "changes": [
            {
                "line": 2,
                "ticket_id": "T-2",
                "subject": "Money back, now",
                "changes": [
                    {"kind": "route", "before": "general", "after": "billing"},
                    {"kind": "priority", "before": "normal", "after": "high"},
                    {"kind": "replies", "before": [], "after": ["refund-ack"]},
                    {
                        "kind": "sla",
                        "before": _sla("2026-11-24T16:00:00+00:00"),
                        "after": _sla("2026-11-24T13:00:00+00:00"),
                    },
                    {"kind": "fired", "before": ["everything else"], "after": ["refunds"]},
                ],
                "reasons": [
                    {"kind": "rule", "name": "refunds", "why": "changed, now fires"},
                    {"kind": "rule", "name": "everything else", "why": "no longer fires"},
                ],
            },
            {
                "line": 4,
                "ticket_id": "T-4",
                "subject": "I want my money back",
                "changes": [
                    {"kind": "route", "before": "general", "after": "billing"},
                    {"kind": "priority", "before": "normal", "after": "high"},
                    {
                        "kind": "sla",
                        "before": _sla("2026-11-24T16:00:00+00:00"),
                        "after": _sla("2026-11-24T13:00:00+00:00"),
                    },
                    {
                        "kind": "fired",
                        "before": ["everything else", "big spender"],
                        "after": ["refunds", "big spender"],
                    },
                ],
                "reasons": [
                    {"kind": "rule", "name": "refunds", "why": "changed, now fires"},
                    {"kind": "rule", "name": "everything else", "why": "no longer fires"},
                ],
            },
        ],
        "skipped": [],
        "limits": [],
    }


def test_text_names_the_git_side(repo, capsys):
    code, out, _ = diff(capsys, "--base", "git:HEAD~1:rules", "--head", "rules")
    assert code == 0
    assert out.splitlines()[:9] == [
        "routing diff: base git:HEAD~1:rules -> head rules",
        "4 tickets compared",
        "",
        "Rules",
        "  ~ refunds  (changed: when; triage, rules/routing.yaml:31)",
        '      when: text mentions "refund"',
        '            -> text mentions any of ["refund", "money back"]',
        "      now fires on 2 tickets: T-2, T-4",
        "  = everything else  (unchanged; triage, rules/routing.yaml:34)",
    ]


def test_both_sides_from_git_and_detailed_exitcode(repo, capsys):
    assert (
        diff(capsys, "--base", "git:HEAD:rules", "--head", "rules", "--detailed-exitcode")[0] == 0
    )
    code, out, _ = diff(
        capsys,
        "--base",
        "git:main~1:rules/routing.yaml",
        "--head",
        "git:main:rules",
        "--detailed-exitcode",
    )
    assert code == 2
    assert out.endswith(
        "Diff: 2 of 4 tickets change (2 rerouted, 2 reprioritised, 1 replies, 1 new-replies, "
        "2 sla, 2 fired).\n"
    )


def test_rule_errors_name_the_git_file(repo, capsys):
    path = repo / "rules" / "routing.yaml"
    path.write_text(path.read_text().replace("{route: general}", "{route: genral}"))
    git(repo, "commit", "-q", "-am", "typo")
    code, out, err = diff(capsys, "--base", "git:HEAD:rules", "--head", "git:HEAD~1:rules")
    assert (code, out) == (1, "")
    assert err.startswith(
        "git:HEAD:rules/routing.yaml:36:24: error[name/unknown-queue]: "
        "queue 'genral' is not declared\n"
    )
    assert err.endswith("routing diff: error: the base rule set 'git:HEAD:rules' does not load\n")


GIT_ERRORS = [
    ("git:nope:rules", "--base git:nope:rules: unknown revision 'nope'"),
    ("git:HEAD~1:missing", "--base git:HEAD~1:missing: path 'missing' is not in revision 'HEAD~1'"),
    ("git:--output=x:rules", "--base git:--output=x:rules: unknown revision '--output=x'"),
    ("git:HEAD:../x", "--base git:HEAD:../x: path '../x' is outside the repository"),
]


@pytest.mark.parametrize(("spec", "message"), GIT_ERRORS, ids=[c[0] for c in GIT_ERRORS])
def test_git_errors(repo, capsys, spec, message):
    assert diff(capsys, "--base", spec, "--head", "rules") == (
        1,
        "",
        f"routing diff: error: {message}\n",
    )


def test_not_a_git_repository(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    monkeypatch.chdir(tmp_path / "plain")
    shutil.copy(DATA / "rules.yaml", "rules.yaml")
    Path("tickets.jsonl").write_text(json.dumps(TICKETS[0]) + "\n")
    here = str(tmp_path / "plain")
    assert diff(capsys, "--base", "git:main:rules.yaml", "--head", "rules.yaml") == (
        1,
        "",
        f"routing diff: error: --base git:main:rules.yaml: '{here}' is not in a git repository\n",
    )


def test_materialise_relative_to_a_subdirectory(repo, tmp_path):
    sub = repo / "rules"
    out = tmp_path / "copy"
    out.mkdir()
    source = materialise("git:HEAD~1:./routing.yaml", str(out), cwd=str(sub))
    assert source.path == str(out / "rules" / "routing.yaml")
    assert 'mentions "refund"' in Path(source.path).read_text()
    assert source.rename(source.path) == "git:HEAD~1:rules/routing.yaml"
    tree = materialise("git:HEAD:rules", str(tmp_path / "tree"), cwd=str(repo))
    assert sorted(p.name for p in Path(tree.path).iterdir()) == ["routing.yaml"]
    with pytest.raises(GitError) as info:
        materialise("git:HEAD:rules/routing.yaml/x", str(out), cwd=str(repo))
    assert str(info.value) == "path 'rules/routing.yaml/x' is not in revision 'HEAD'"


DOC = Path(__file__).resolve().parents[2] / "docs" / "cli" / "diff.md"
DOC_TICKETS = [
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


def _doc_block(heading: str, fence: str, lang: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = (
        text.index(f"\n{fence}{lang}\n", text.index(f"\n### {heading}\n"))
        + len(fence)
        + len(lang)
        + 2
    )
    return text[start : text.index(f"\n{fence}\n", start) + 1]


def test_docs_show_real_output(repo, capsys):
    """docs/cli/diff.md shows the real text and markdown output of its example."""
    path = repo / "rules" / "routing.yaml"
    text = path.read_text(encoding="utf-8")
    vip = "then: [{route: tech}, {priority: urgent}, {tag: vip}]"
    assert vip in text
    path.write_text(text.replace(vip, vip.replace("urgent", "high")), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "vip: high")
    git(repo, "reset", "-q", "--soft", "HEAD~2")
    git(repo, "commit", "-q", "-m", "refunds and vip")
    (repo / "tickets.jsonl").write_text("".join(json.dumps(t) + "\n" for t in DOC_TICKETS))
    limits = ("--fail-on", "rerouted>2%", "--fail-on", "new-spam>0")
    args = ("--base", "git:HEAD~1:rules", "--head", "rules", *limits)
    code, out, _ = diff(capsys, *args)
    assert code == 1
    assert out == _doc_block("text", "```", "text")
    code, out, _ = diff(capsys, *args, "--format", "markdown")
    assert code == 1
    assert out == _doc_block("markdown", "````", "markdown")
