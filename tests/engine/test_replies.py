"""The auto-reply gate: RFC 3834 mail checks, once_per, rate limits and reply headers."""

from __future__ import annotations

import email
import email.policy
import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from tests.email.corpus import SPAMASSASSIN, require_corpus

from routing.engine.replies import (
    ReplyRecord,
    Suppression,
    history_suppression,
    mail_suppression,
    reply_headers,
    ticket_suppression,
)
from routing.errors import EvaluationError

NICE = SPAMASSASSIN / "nice"

OWN = frozenset({"Support@Example.com"})


# --------------------------------------------------------------------------- mail checks


@dataclass(frozen=True)
class MailCase:
    note: str
    headers: dict[str, str]
    sender: str | None
    want: Suppression | None


S = Suppression
MAIL_CASES = (
    MailCase("Auto-Submitted auto-replied", {"Auto-Submitted": "auto-replied"}, "a@x.org",
             S("auto-submitted", "Auto-Submitted is 'auto-replied'")),
    MailCase("Auto-Submitted auto-generated, name and value in other case",
             {"AUTO-SUBMITTED": "Auto-Generated"}, "a@x.org",
             S("auto-submitted", "AUTO-SUBMITTED is 'Auto-Generated'")),
    MailCase("Auto-Submitted with parameters", {"auto-submitted": "auto-replied; owner=x@y"},
             "a@x.org", S("auto-submitted", "auto-submitted is 'auto-replied; owner=x@y'")),
    MailCase("Auto-Submitted empty", {"Auto-Submitted": ""}, "a@x.org",
             S("auto-submitted", "Auto-Submitted is ''")),
    MailCase("Auto-Submitted no", {"Auto-Submitted": "no"}, "a@x.org", None),
    MailCase("Auto-Submitted NO with spaces", {"Auto-Submitted": "  NO "}, "a@x.org", None),
    MailCase("Precedence bulk", {"Precedence": "bulk"}, "a@x.org",
             S("precedence", "Precedence is 'bulk'")),
    MailCase("Precedence LIST", {"precedence": "LIST"}, "a@x.org",
             S("precedence", "precedence is 'LIST'")),
    MailCase("Precedence junk", {"Precedence": " junk"}, "a@x.org",
             S("precedence", "Precedence is 'junk'")),
    MailCase("Precedence auto_reply", {"Precedence": "Auto_Reply"}, "a@x.org",
             S("precedence", "Precedence is 'Auto_Reply'")),
    MailCase("Precedence first-class", {"Precedence": "first-class"}, "a@x.org", None),
    MailCase("List-Id", {"Subject": "x", "List-Id": "<l.example.org>"}, "a@x.org",
             S("list-header", "the mail has a List-Id header")),
    MailCase("list-unsubscribe lower case", {"list-unsubscribe": "<mailto:u@x>"}, "a@x.org",
             S("list-header", "the mail has a list-unsubscribe header")),
    MailCase("X-Auto-Response-Suppress All", {"X-Auto-Response-Suppress": "All"}, "a@x.org",
             S("x-auto-response-suppress", "X-Auto-Response-Suppress is 'All'")),
    MailCase("X-Auto-Response-Suppress OOF, DR", {"x-auto-response-suppress": "OOF, DR"},
             "a@x.org", S("x-auto-response-suppress", "x-auto-response-suppress is 'OOF, DR'")),
    MailCase("X-Auto-Response-Suppress None", {"X-Auto-Response-Suppress": "None"}, "a@x.org",
             None),
    MailCase("X-Loop", {"X-Loop": "helpdesk@example.com"}, "a@x.org",
             S("x-loop", "X-Loop is 'helpdesk@example.com'")),
    MailCase("null Return-Path", {"Return-Path": "<>"}, "a@x.org",
             S("null-return-path", "Return-Path is the null path '<>'")),
    MailCase("null Return-Path with space", {"return-path": " < > "}, "a@x.org",
             S("null-return-path", "return-path is the null path '<>'")),
    MailCase("ordinary Return-Path", {"Return-Path": "<a@x.org>"}, "a@x.org", None),
    MailCase("MAILER-DAEMON", {}, "MAILER-DAEMON@mx.example.org",
             S("robot-sender", "the sender 'mailer-daemon@mx.example.org' is a program "
               "('mailer-daemon')")),
    MailCase("postmaster with display name", {}, "Mail System <Postmaster@x.org>",
             S("robot-sender", "the sender 'postmaster@x.org' is a program ('postmaster')")),
    MailCase("no-reply with a +tag", {}, "no-reply+abc@x.org",
             S("robot-sender", "the sender 'no-reply+abc@x.org' is a program ('no-reply')")),
    MailCase("noreply", {}, "NoReply@x.org",
             S("robot-sender", "the sender 'noreply@x.org' is a program ('noreply')")),
    MailCase("do-not-reply", {}, "do-not-reply@x.org",
             S("robot-sender", "the sender 'do-not-reply@x.org' is a program ('do-not-reply')")),
    MailCase("donotreply", {}, "DoNotReply@x.org",
             S("robot-sender", "the sender 'donotreply@x.org' is a program ('donotreply')")),
    MailCase("a robot word as a whole part is a robot", {}, "noreply.fan@x.org",
             S("robot-sender", "the sender 'noreply.fan@x.org' is a program ('noreply.fan')")),
    MailCase("a robot word inside a word is a person", {}, "noreplyfan@x.org", None),
    MailCase("robot domain is a person", {}, "ann@noreply.x.org", None),
    MailCase("own address", {}, "Desk <SUPPORT@example.com>",
             S("own-address", "the sender 'support@example.com' is one of our addresses")),
    MailCase("no sender, no headers", {}, None, None),
    MailCase("a person's ordinary mail",
             {"From": "Ann <ann@x.org>", "Subject": "Refund", "Return-Path": "<ann@x.org>"},
             "Ann <ann@x.org>", None),
    MailCase("order: Auto-Submitted before Precedence and List-*",
             {"List-Id": "<l>", "Precedence": "bulk", "Auto-Submitted": "auto-generated"},
             "noreply@x.org", S("auto-submitted", "Auto-Submitted is 'auto-generated'")),
    MailCase("order: List-* before X-Loop",
             {"X-Loop": "l", "List-Post": "<mailto:l@x>"}, "a@x.org",
             S("list-header", "the mail has a List-Post header")),
    MailCase("order: headers before the sender",
             {"Return-Path": "<>"}, "MAILER-DAEMON@x.org",
             S("null-return-path", "Return-Path is the null path '<>'")),
)  # fmt: skip


@pytest.mark.parametrize("case", MAIL_CASES, ids=[c.note for c in MAIL_CASES])
def test_mail_suppression_rules(case: MailCase) -> None:
    """Each RFC 3834 / common-practice rule suppresses, case-insensitively, in a fixed order."""
    assert mail_suppression(case.headers, case.sender, own_addresses=OWN) == case.want


@dataclass(frozen=True)
class TicketCase:
    note: str
    spam: bool
    no_reply: bool
    want: Suppression | None


TICKET_CASES = (
    TicketCase("spam", True, False, S("spam", "the ticket is spam")),
    TicketCase("spam wins over no_reply", True, True, S("spam", "the ticket is spam")),
    TicketCase("no_reply", False, True, S("no-reply", "a rule set no_reply")),
    TicketCase("neither", False, False, None),
)


@pytest.mark.parametrize("case", TICKET_CASES, ids=[c.note for c in TICKET_CASES])
def test_ticket_suppression(case: TicketCase) -> None:
    """Spam and no_reply tickets never get auto-replies."""
    assert ticket_suppression(spam=case.spam, no_reply=case.no_reply) == case.want


# --------------------------------------------------------------------------- history

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def sent(to: str, before: timedelta, template: str | None = "ack") -> ReplyRecord:
    return ReplyRecord(to, NOW - before, template)


@dataclass(frozen=True)
class HistoryCase:
    note: str
    once_per: timedelta | None
    history: tuple[ReplyRecord, ...]
    want: Suppression | None
    rate_limits: tuple[tuple[int, timedelta], ...] = field(default=())


TEN_MIN = timedelta(minutes=10)
TEN_H = timedelta(hours=10)
TIERS = ((3, TEN_MIN), (5, TEN_H))

HISTORY_CASES = (
    HistoryCase("no history suppresses nothing", DAY, (), None),
    HistoryCase("no once_per suppresses nothing", None, (sent("a@x.org", timedelta(0)),), None),
    HistoryCase("reply inside the window", DAY, (sent("a@x.org", timedelta(hours=3)),),
                S("once-per", "a reply ('ack') went to 'a@x.org' at 2026-11-23T09:00:00+00:00, "
                  "within once_per 1d of 'closed-ack'")),
    HistoryCase("reply exactly at the window start is inside", DAY, (sent("a@x.org", DAY),),
                S("once-per", "a reply ('ack') went to 'a@x.org' at 2026-11-22T12:00:00+00:00, "
                  "within once_per 1d of 'closed-ack'")),
    HistoryCase("reply exactly now is inside", DAY, (sent("a@x.org", timedelta(0), None),),
                S("once-per", "a reply went to 'a@x.org' at 2026-11-23T12:00:00+00:00, "
                  "within once_per 1d of 'closed-ack'")),
    HistoryCase("reply one second before the window is outside", DAY,
                (sent("a@x.org", DAY + timedelta(seconds=1)),), None),
    HistoryCase("reply after now is ignored", DAY, (sent("a@x.org", -timedelta(seconds=1)),),
                None),
    HistoryCase("address compared case-insensitively, any template, latest named", DAY,
                (sent("A@X.ORG", timedelta(hours=5), "other"),
                 sent("Ann <a@x.org>", timedelta(hours=2), "thanks")),
                S("once-per", "a reply ('thanks') went to 'a@x.org' at 2026-11-23T10:00:00+00:00, "
                  "within once_per 1d of 'closed-ack'")),
    HistoryCase("replies to others do not count", DAY, (sent("b@x.org", timedelta(hours=1)),),
                None),
    HistoryCase("below the first tier", None, (sent("a@x.org", timedelta(minutes=1)),) * 2,
                None, TIERS),
    HistoryCase("first tier reached", None, (sent("a@x.org", timedelta(minutes=1)),) * 3,
                S("rate-limit", "3 replies went to 'a@x.org' in the last 10m, the limit is 3"),
                TIERS),
    HistoryCase("first tier window edge is inside", None,
                (sent("a@x.org", TEN_MIN),) * 3,
                S("rate-limit", "3 replies went to 'a@x.org' in the last 10m, the limit is 3"),
                TIERS),
    HistoryCase("second tier reached over hours", None,
                (sent("a@x.org", timedelta(hours=1)),) * 4 + (sent("a@x.org", TEN_H),),
                S("rate-limit", "5 replies went to 'a@x.org' in the last 10h, the limit is 5"),
                TIERS),
    HistoryCase("old replies fall out of every tier", None,
                (sent("a@x.org", TEN_H + timedelta(seconds=1)),) * 9, None, TIERS),
    HistoryCase("once_per is reported before a rate limit", DAY,
                (sent("a@x.org", timedelta(minutes=1)),) * 3,
                S("once-per", "a reply ('ack') went to 'a@x.org' at 2026-11-23T11:59:00+00:00, "
                  "within once_per 1d of 'closed-ack'"),
                TIERS),
)  # fmt: skip


@pytest.mark.parametrize("case", HISTORY_CASES, ids=[c.note for c in HISTORY_CASES])
def test_history_suppression(case: HistoryCase) -> None:
    """once_per and rate-limit tiers count earlier replies to the requester in closed windows."""
    got = history_suppression(
        "A@x.org", "closed-ack", NOW, case.once_per, case.history, rate_limits=case.rate_limits
    )
    assert got == case.want


@dataclass(frozen=True)
class MisuseCase:
    note: str
    now: datetime
    once_per: timedelta | None
    history: tuple[ReplyRecord, ...]
    rate_limits: tuple[tuple[int, timedelta], ...]
    message: str


MISUSE_CASES = (
    MisuseCase("naive now", datetime(2026, 1, 1), DAY, (), (), "now must be an aware datetime"),
    MisuseCase("negative once_per", NOW, -DAY, (), (), "once_per must not be negative"),
    MisuseCase("zero limit", NOW, None, (), ((0, DAY),),
               "a rate limit needs a limit of at least 1 and a window of at least 0s, "
               "got 0 per 1d"),
    MisuseCase("negative window", NOW, None, (), ((1, -TEN_MIN),),
               "a rate limit needs a limit of at least 1 and a window of at least 0s, "
               "got 1 per -10m"),
    MisuseCase("naive record", NOW, DAY, (ReplyRecord("a@x.org", datetime(2026, 1, 1)),), (),
               "reply record at 2026-01-01T00:00:00 is naive"),
)  # fmt: skip


@pytest.mark.parametrize("case", MISUSE_CASES, ids=[c.note for c in MISUSE_CASES])
def test_history_suppression_misuse(case: MisuseCase) -> None:
    """Naive times and invalid windows are API misuse: EvaluationError."""
    with pytest.raises(EvaluationError) as info:
        history_suppression(
            "a@x.org", "t", case.now, case.once_per, case.history, rate_limits=case.rate_limits
        )
    assert str(info.value) == case.message


# --------------------------------------------------------------------------- reply headers


@dataclass(frozen=True)
class HeadersCase:
    note: str
    in_reply_to: str | None
    references: str | None
    want: dict[str, str]


BASE = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
HEADERS_CASES = (
    HeadersCase("nothing known", None, None, BASE),
    HeadersCase("message id only", "<m1@x>", None,
                {**BASE, "In-Reply-To": "<m1@x>", "References": "<m1@x>"}),
    HeadersCase("message id and references", " <m2@x> ", "<m0@x>\r\n <m1@x>",
                {**BASE, "In-Reply-To": "<m2@x>", "References": "<m0@x> <m1@x> <m2@x>"}),
    HeadersCase("references only", "", "<m0@x>", {**BASE, "References": "<m0@x>"}),
)  # fmt: skip


@pytest.mark.parametrize("case", HEADERS_CASES, ids=[c.note for c in HEADERS_CASES])
def test_reply_headers(case: HeadersCase) -> None:
    """An auto-reply marks itself auto-replied and threads under the answered mail."""
    assert reply_headers(case.in_reply_to, case.references) == case.want


# --------------------------------------------------------------------------- corpus


@functools.cache
def corpus_messages() -> dict[str, tuple[dict[str, str], str | None]]:
    """Every message under nice/, by relative path: its headers (first of each) and From."""
    out: dict[str, tuple[dict[str, str], str | None]] = {}
    for path in sorted(p for p in NICE.rglob("*") if p.is_file()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        headers: dict[str, str] = {}
        for name, value in message.items():
            headers.setdefault(name, str(value))
        sender = headers.get("From") or None
        out[path.relative_to(NICE).as_posix()] = (headers, sender)
    return out


def is_list_or_automatic(headers: dict[str, str]) -> bool:
    names = {name.casefold() for name in headers}
    return bool(names & {"precedence", "auto-submitted"}) or any(
        name.startswith("list-") for name in names
    )


@pytest.fixture
def _needs_corpus() -> None:
    require_corpus()  # fails in CI, skips elsewhere, when the corpus is missing


needs_corpus = pytest.mark.usefixtures("_needs_corpus")

#: The corpus messages that carry List-* or Precedence headers, and the code each gets.
LIST_OR_AUTOMATIC = {
    "001": "precedence",
    "002": "precedence",
    "005": "list-header",
    "authres": "precedence",
    "base64.txt": "precedence",
    "cjk/big5-base64.1": "precedence",
    "cjk/gb2312.2": "precedence",
    "cjk/iso-2022-jp.1": "precedence",
    "cjk/iso-2022-jp.2": "precedence",
    "mailman_message.txt": "precedence",
}


@needs_corpus
def test_corpus_list_and_automatic_mail_is_suppressed() -> None:
    """Every mailing-list or bulk mail of the SpamAssassin 'nice' corpus gets no auto-reply."""
    got: dict[str, str | None] = {}
    for name, (headers, sender) in corpus_messages().items():
        if is_list_or_automatic(headers):
            suppression = mail_suppression(headers, sender)
            got[name] = suppression.code if suppression else None
    assert got == LIST_OR_AUTOMATIC


#: Corpus messages without list headers sent by a program ("newsalerts-noreply@...").
ROBOTS = (
    "spf1",
    "spf2",
    "spf3",
    "spf3-received-spf",
    "spf4",
    "spf4-received-spf-nofold",
    "spf5-received-spf-crlf",
    "spf6-received-spf-crlf2",
)


@needs_corpus
def test_corpus_people_mail_is_answered() -> None:
    """The rest of the corpus (people's mail, CJK encodings, CRLF, no body) passes, except the
    news alerts of a ``...-noreply`` sender."""
    messages = corpus_messages()
    assert len(messages) == 61
    got = {
        name: mail_suppression(headers, sender)
        for name, (headers, sender) in messages.items()
        if name not in LIST_OR_AUTOMATIC
    }
    want: dict[str, Suppression | None] = dict.fromkeys(
        sorted(set(messages) - set(LIST_OR_AUTOMATIC))
    )
    for name in ROBOTS:
        address = messages[name][1]
        assert address is not None
        domain = address.partition("@")[2]
        want[name] = S(
            "robot-sender",
            f"the sender 'newsalerts-noreply@{domain}' is a program ('newsalerts-noreply')",
        )
    assert got == want


PINNED = (
    ("001", S("precedence", "Precedence is 'bulk'")),
    ("005", S("list-header", "the mail has a List-Archive header")),
    ("cjk/gb2312.2", S("precedence", "Precedence is 'list'")),
    ("cjk/iso-2022-jp.2", S("precedence", "Precedence is 'list'")),
    ("mailman_message.txt", S("precedence", "Precedence is 'bulk'")),
)


@needs_corpus
@pytest.mark.parametrize(("name", "want"), PINNED, ids=[name for name, _ in PINNED])
def test_corpus_pinned_reasons(name: str, want: Suppression) -> None:
    """Chosen corpus messages are suppressed with exactly this code and reason."""
    headers, sender = corpus_messages()[name]
    assert mail_suppression(headers, sender) == want
