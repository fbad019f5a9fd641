"""The recorded tickets of the Acme Cloud example (examples/helpdesk/tickets.jsonl).

They are the input of the README's dry-run and of benchmarks, so their shape is pinned:
every line is one ticket (DESIGN section 3) or a ``{"ticket": ..., "now": ...}`` envelope,
ids are unique, and the file is exactly what ``gen_tickets.py`` produces.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "helpdesk"
TICKETS = EXAMPLE / "tickets.jsonl"
GENERATOR = EXAMPLE / "gen_tickets.py"

REQUIRED = {
    "id",
    "subject",
    "body",
    "channel",
    "status",
    "priority",
    "requester",
    "tags",
    "headers",
    "attachments",
    "created_at",
    "fields",
}
ALLOWED = REQUIRED | {"updated_at", "queue", "assignee", "spam", "spam_score"}
CHANNELS = {"email", "chat", "phone", "web", "social", "api"}
STATUSES = {"new", "open", "pending", "on_hold", "solved", "closed"}
PRIORITIES = {"low", "normal", "high", "urgent"}
REQUESTER = {"email", "name", "language", "timezone", "organization"}
FIELDS = {"plan", "mrr", "order_id", "product"}
PLANS = {"free", "pro", "enterprise"}
PRODUCTS = {"compute", "storage", "database", "network", "other"}
BERLIN = timezone(timedelta(hours=1))  # Berlin's offset throughout Nov-Dec 2026


def _aware(text: object) -> datetime:
    assert isinstance(text, str)
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"naive datetime {text!r}"
    return value


def _lines() -> list[str]:
    return TICKETS.read_text(encoding="utf-8").splitlines()


def _tickets() -> list[tuple[dict[str, Any], datetime | None]]:
    out = []
    for line in _lines():
        obj = json.loads(line)
        if "ticket" in obj:
            out.append((obj["ticket"], _aware(obj["now"])))
        else:
            out.append((obj, None))
    return out


def _check_ticket(t: dict[str, Any]) -> None:
    assert t.keys() >= REQUIRED, f"{t.get('id')}: missing {REQUIRED - t.keys()}"
    assert t.keys() <= ALLOWED, f"{t['id']}: unexpected {t.keys() - ALLOWED}"
    assert isinstance(t["id"], str)
    assert t["id"]
    assert isinstance(t["subject"], str)
    assert isinstance(t["body"], str)
    assert t["channel"] in CHANNELS
    assert t["status"] in STATUSES
    assert t["priority"] in PRIORITIES
    req = t["requester"]
    assert isinstance(req, dict)
    assert req.keys() == REQUESTER
    assert "@" in req["email"]
    assert req["language"]
    assert req["timezone"]
    assert isinstance(t["tags"], list)
    assert all(isinstance(tag, str) and tag == tag.lower() for tag in t["tags"])
    assert isinstance(t["headers"], dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in t["headers"].items())
    if t["channel"] == "email":
        assert "Message-ID" in t["headers"]
    for att in t["attachments"]:
        assert att.keys() == {"filename", "content_type", "size"}
        assert isinstance(att["size"], int)
    created = _aware(t["created_at"])
    assert (created.year, created.month) in {(2026, 11), (2026, 12)}
    if "updated_at" in t:
        assert _aware(t["updated_at"]) >= created
    fields = t["fields"]
    assert fields.keys() == FIELDS
    assert fields["plan"] in PLANS
    assert isinstance(fields["mrr"], int | float)
    assert fields["mrr"] >= 0
    assert isinstance(fields["order_id"], str)
    assert fields["product"] in PRODUCTS


def test_every_line_is_a_ticket_or_an_envelope() -> None:
    for number, line in enumerate(_lines(), 1):
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {number}"
        if "ticket" in obj:
            assert obj.keys() == {"ticket", "now"}, f"line {number}"
            _check_ticket(obj["ticket"])
            assert _aware(obj["now"]) >= _aware(obj["ticket"]["created_at"]), f"line {number}"
        else:
            _check_ticket(obj)


def test_size_and_unique_ids() -> None:
    tickets = _tickets()
    assert len(tickets) >= 1000
    ids = [t["id"] for t, _ in tickets]
    assert len(set(ids)) == len(ids)


def test_envelopes_are_about_fifteen_percent() -> None:
    tickets = _tickets()
    share = sum(now is not None for _, now in tickets) / len(tickets)
    assert 0.10 <= share <= 0.20


def test_languages_channels_and_kinds_are_varied() -> None:
    tickets = [t for t, _ in _tickets()]
    languages = Counter(t["requester"]["language"] for t in tickets)
    assert {"en", "de", "fr", "es", "pt", "ja"} <= languages.keys()
    assert all(languages[lang] >= 30 for lang in ("en", "de", "fr", "es", "pt", "ja"))
    assert Counter(t["channel"] for t in tickets).keys() == CHANNELS
    assert Counter(t["fields"]["plan"] for t in tickets).keys() == PLANS
    headers = Counter(k for t in tickets for k in t["headers"])
    for name in ("Auto-Submitted", "Precedence", "List-Id", "X-Loop"):
        assert headers[name] > 0, name
    senders = {t["requester"]["email"].split("@")[0].lower() for t in tickets}
    assert {"mailer-daemon", "postmaster"} & senders
    assert len({t["subject"] for t in tickets}) > 300


def test_times_cover_nights_weekends_and_the_holiday() -> None:
    created = [_aware(t["created_at"]) for t, _ in _tickets()]
    berlin = [c.astimezone(BERLIN) for c in created]
    assert any(b.weekday() >= 5 for b in berlin)
    assert any(b.hour < 6 or b.hour >= 22 for b in berlin)
    assert any((b.month, b.day) == (12, 24) for b in berlin)
    assert {c.month for c in created} == {11, 12}


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    out = tmp_path / "tickets.jsonl"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)],
        check=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.read_bytes() == TICKETS.read_bytes()


@pytest.mark.parametrize("count", [0, 7])
def test_generator_count_option(tmp_path: Path, count: int) -> None:
    out = tmp_path / "t.jsonl"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), "--count", str(count)],
        check=True,
        timeout=120,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == count
    # A prefix of the full file: the generator draws tickets one after the other.
    assert lines == _lines()[:count]


def test_every_ticket_validates_as_a_routing_ticket() -> None:
    from routing.model.ticket import Ticket

    for t, _ in _tickets():
        ticket = Ticket.model_validate(t)
        assert ticket.id == t["id"]


# --------------------------------------------------------------------------- the rule sets
# The example is meant to show the whole language: these tests keep it that way, and keep
# the example and the starter set free of check findings.

RULE_SETS = [EXAMPLE / "rules", REPO / "rules" / "starter.yaml"]


def _checked(path: Path) -> Any:
    loader = pytest.importorskip("routing.dsl.loader")
    checker = pytest.importorskip("routing.dsl.checker")
    files, diagnostics = loader.load_path(path)
    return checker.check(files, extra=diagnostics)


@pytest.mark.parametrize("path", RULE_SETS, ids=lambda p: p.name)
def test_rule_sets_check_without_findings(path: Path) -> None:
    result = _checked(path)
    assert [str(d) for d in result.diagnostics] == []


def test_example_uses_every_operator_function_and_action() -> None:
    import dataclasses

    from routing.dsl import ast

    result = _checked(EXAMPLE / "rules")
    seen: set[str] = set()
    functions: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, ast.Call):
            functions.add(node.name)
        if isinstance(node, ast.Compare):
            seen.add(f"Compare{node.op}")
        elif isinstance(node, ast.MatchesTest):
            seen.add(f"MatchesTest/{node.regex.flags}")
        elif isinstance(node, ast.InTest | ast.EmptyTest):
            seen.add(f"{type(node).__name__}{' not' if node.negated else ''}")
        elif isinstance(node, ast.ContainsTest | ast.MentionsTest | ast.HasTest):
            seen.add(f"{type(node).__name__} {node.quantifier}")
        else:
            seen.add(type(node).__name__)
        assert dataclasses.is_dataclass(node)
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if (
                    dataclasses.is_dataclass(item)
                    and not isinstance(item, ast.PathPart | ast.RegexLit)
                    and type(item).__module__ == ast.__name__
                ):
                    walk(item)

    for expr in result.exprs.values():
        walk(expr)
    expected = {
        *(f"Compare{op}" for op in ("==", "!=", "<", "<=", ">", ">=")),
        *(f"{t} {q}" for t in ("ContainsTest", "MentionsTest") for q in ("None", "any", "all")),
        *(f"HasTest {q}" for q in ("None", "any", "all", "none")),
        "StartsWithTest",
        "EndsWithTest",
        "MatchesTest/i",
        "MatchesTest/im",
        "MatchesTest/is",
        "InTest",
        "InTest not",
        "EmptyTest",
        "EmptyTest not",
        "Not",
        "And",
        "Or",
        "ListRef",
        "ListLit",
        "DurationLit",
    }
    assert expected <= seen, expected - seen
    assert {"len", "lower", "since", "business_since", "is_open", "hour", "weekday"} <= functions

    actions = {
        type(a).__name__
        + ("/raise" if getattr(a, "raise_only", False) else "")
        + ("/remove" if getattr(a, "remove", False) else "")
        for stage in result.stages
        for rule in stage.rules
        for a in rule.then
    }
    assert actions == {
        "RouteAction",
        "AssignAction",
        "PriorityAction",
        "PriorityAction/raise",
        "TagAction",
        "TagAction/remove",
        "SetAction",
        "SpamScoreAction",
        "MarkSpamAction",
        "ReplyAction",
        "NotifyAction",
        "WebhookAction",
        "SlaAction",
        "NoReplyAction",
    }
    assert [s.name.value for s in result.stages] == ["spam", "triage", "enrich", "replies"]
    assert result.spam_threshold == 5
