"""The default spam rule set, rules/spam.yaml: measured on the SpamAssassin corpus, and rule
by rule on small tickets.

The corpus figures are pinned whole (every cell of the confusion matrix); a change of a rule
that moves one message changes them, and docs/spam.md must then be regenerated with
``python scripts/spam_report.py`` (a test below keeps the page equal to the script's output).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.email.corpus import require_corpus

import routing
from routing.email import parse_message

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules" / "spam.yaml"
DOCS = REPO / "docs" / "spam.md"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def _load_report_script() -> ModuleType:
    path = REPO / "scripts" / "spam_report.py"
    spec = importlib.util.spec_from_file_location("spam_report", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


report_script = _load_report_script()


@pytest.fixture(scope="module")
def rules() -> routing.Ruleset:
    return routing.load(RULES)


@dataclass(frozen=True)
class Verdict:
    name: str
    is_spam: bool
    marked: bool
    score: float
    fired: tuple[str, ...]


@pytest.fixture(scope="module")
def verdicts(rules: routing.Ruleset) -> list[Verdict]:
    """Every corpus file parsed and evaluated (one message per file)."""
    corpus = require_corpus()
    out = []
    for folder, is_spam in (("spam", True), ("nice", False)):
        for path in sorted((corpus / folder).rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(corpus).as_posix()
            mail = parse_message(path.read_bytes(), received_at=NOW, source=name)
            decision = rules.evaluate(mail.ticket, now=NOW)
            out.append(Verdict(name, is_spam, decision.spam, decision.spam_score, decision.fired))
    return out


# --- the rule set itself ------------------------------------------------------------------


def test_spam_rules_check_clean(rules: routing.Ruleset) -> None:
    """rules/spam.yaml loads without a single warning, threshold 5, one stage named spam."""
    stages = [(s.name.value, s.mode.value) for s in rules.checked.stages]
    assert (rules.diagnostics, rules.checked.spam_threshold, stages) == ((), 5.0, [("spam", "all")])


def test_spam_rules_every_rule_is_described(rules: routing.Ruleset) -> None:
    """Every rule says what it catches and why its score is what it is."""
    undescribed = [
        r.name.value for s in rules.checked.stages for r in s.rules if not (r.description or "")
    ]
    assert undescribed == []


# --- the corpus ---------------------------------------------------------------------------


def test_spam_rules_confusion_matrix(verdicts: list[Verdict]) -> None:
    """The whole confusion matrix on the SpamAssassin corpus (73 spam, 61 legitimate files)."""
    matrix = {
        "TP": sum(v.is_spam and v.marked for v in verdicts),
        "FN": sum(v.is_spam and not v.marked for v in verdicts),
        "FP": sum(not v.is_spam and v.marked for v in verdicts),
        "TN": sum(not v.is_spam and not v.marked for v in verdicts),
    }
    assert matrix == {"TP": 15, "FN": 58, "FP": 0, "TN": 61}


def test_spam_rules_no_legitimate_message_is_marked_spam(verdicts: list[Verdict]) -> None:
    """The engine must not lose a customer's ticket: no file under nice/ is spam."""
    offenders = [(v.name, v.score, v.fired) for v in verdicts if not v.is_spam and v.marked]
    assert offenders == []


def test_spam_rules_legitimate_mail_keeps_a_margin(verdicts: list[Verdict]) -> None:
    """The highest-scoring legitimate messages (DKIM test mails whose text is pharmacy
    spam) stay 1.5 points below the threshold."""
    top = max(v.score for v in verdicts if not v.is_spam)
    names = sorted(v.name for v in verdicts if not v.is_spam and v.score == top)
    assert (top, names) == (
        3.5,
        ["nice/005", "nice/dkim/MIMEnowsp_05", "nice/dkim/MIMEsimple_04"],
    )


def test_spam_rules_caught_spam(verdicts: list[Verdict]) -> None:
    """Which spam files are caught, by name: a rule change that trades one for another shows."""
    caught = sorted(v.name for v in verdicts if v.is_spam and v.marked)
    assert caught == [
        "spam/001",
        "spam/002",
        "spam/003",
        "spam/004",
        "spam/007",
        "spam/009",
        "spam/010",
        "spam/014",
        "spam/018",
        "spam/bsmtp",
        "spam/dnsbl.eml",
        "spam/gtube.eml",
        "spam/gtubedcc.eml",
        "spam/gtubedcc_crlf.eml",
        "spam/pyzor",
    ]


def test_spam_rules_gtube_in_the_corpus(verdicts: list[Verdict]) -> None:
    """Every corpus message with GTUBE in its text scores at least 1000; 'Not The GTUBE'
    does not fire the rule."""
    gtube = {v.name: v.score >= 1000 for v in verdicts if "gtube" in v.fired}
    not_gtube = next(v for v in verdicts if v.name == "nice/not_gtube.eml")
    assert (gtube, not_gtube.fired) == (
        {
            "spam/014": True,
            "spam/018": True,
            "spam/gtube.eml": True,
            "spam/gtubedcc.eml": True,
            "spam/gtubedcc_crlf.eml": True,
            "spam/pyzor": True,
        },
        (),
    )


# --- the report script and the page that shows it -------------------------------------------


def test_spam_report_matches_docs(rules: routing.Ruleset) -> None:
    """docs/spam.md shows exactly what scripts/spam_report.py prints today."""
    corpus = require_corpus()
    text = report_script.render(report_script.evaluate_corpus(rules, corpus))
    page = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- spam-report -->\n(.*?)\n<!-- /spam-report -->", page, re.S)
    assert found is not None, "docs/spam.md has no <!-- spam-report --> block"
    assert found.group(1) == text, "run python scripts/spam_report.py and paste its output"


def test_spam_report_main_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    """Two runs print the same report, the confusion matrix as pinned above."""
    corpus = require_corpus()
    outputs = []
    for _ in range(2):
        assert report_script.main(["--corpus", str(corpus), "--messages"]) == 0
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]
    assert outputs[0].err == ""
    assert "| spam | 15 (TP) | 58 (FN) | 73 |\n| legitimate | 0 (FP) | 61 (TN) | 61 |" in (
        outputs[0].out
    )


def test_spam_report_missing_corpus_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        report_script.main(["--corpus", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()[-1]
    assert (exc.value.code, err) == (
        2,
        f"spam_report.py: error: '{tmp_path}' is not a corpus folder: "
        "it has no spam/ or nice/ folder",
    )


def test_spam_report_broken_rules_print_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "spam").mkdir()
    (tmp_path / "nice").mkdir()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nstages:\n  - name: spam\n    mode: all\n    rules:\n"
        "      - name: r\n        when: subjet contains 'x'\n        then: [{spam_score: 1}]\n",
        encoding="utf-8",
    )
    code = report_script.main(["--corpus", str(tmp_path), "--rules", str(bad)])
    out, err = capsys.readouterr()
    assert (code, out, err.splitlines()[0]) == (
        1,
        "",
        f"{bad}:7:15: error[name/unknown-field]: unknown ticket field or define 'subjet'",
    )


# --- rule by rule -------------------------------------------------------------------------

HEADERS = {
    "Received": "from mail.example.org ([192.0.2.7]) by mx.acme.example; 23 Nov 2026 09:00 +0100",
    "From": "Ann Lee <ann@example.org>",
    "To": "support@acme.example",
    "Date": "Mon, 23 Nov 2026 09:00:00 +0100",
    "Message-ID": "<a1@example.org>",
}
BODY = (
    "Hello, since this morning the printer in room 4 shows error 42 and prints nothing. "
    "We restarted it twice and changed the toner, the error stays. Could somebody have a "
    "look, please? Thanks, Ann"
)
LINKS = " ".join(f"https://docs.example.org/page/{i}" for i in range(12))


@dataclass(frozen=True)
class Case:
    note: str
    fired: tuple[str, ...]
    score: float
    subject: str = "Printer shows error 42"
    body: str = BODY
    headers: dict[str, str | None] = field(default_factory=dict)
    email: str | None = "ann@example.org"
    name: str | None = "Ann Lee"
    channel: str = "email"


def _ticket(case: Case) -> dict[str, Any]:
    base = HEADERS if case.channel == "email" else {}
    headers = {k: v for k, v in {**base, **case.headers}.items() if v is not None}
    requester = {k: v for k, v in (("email", case.email), ("name", case.name)) if v is not None}
    return {
        "id": "T-1",
        "channel": case.channel,
        "subject": case.subject,
        "body": case.body,
        "headers": headers,
        "requester": requester,
    }


CASES = (
    Case("an ordinary ticket fires nothing", (), 0),
    # 1. test string and verdicts
    Case("GTUBE in the body", ("gtube",), 1000, body=f"test\n{GTUBE}\n"),
    Case("GTUBE in the subject", ("gtube", "subject in capitals"), 1001.5, subject=GTUBE),
    Case("a piece of GTUBE", (), 0, body="XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE " + BODY),
    Case(
        "X-Spam-Flag YES",
        ("upstream filter says spam",),
        4,
        headers={"X-Spam-Flag": "YES"},
    ),
    Case(
        "X-Spam-Status Yes",
        ("upstream filter says spam",),
        4,
        headers={"X-Spam-Status": "Yes, score=7.1 required=5.0"},
    ),
    Case("X-Spam-Status No", (), 0, headers={"X-Spam-Status": "No, score=1.2 required=5.0"}),
    Case(
        "subject tagged SPAM",
        ("subject tagged by a filter",),
        3,
        subject="*****SPAM***** cheap ink",
    ),
    Case("[SPAM] tag", ("subject tagged by a filter",), 3, subject="[SPAM] cheap ink"),
    Case("a forwarded tagged mail", (), 0, subject="Fwd: [SPAM] is this from you?"),
    # 2. headers
    Case("no Date", ("no date",), 1, headers={"Date": None}),
    Case(
        "an e-mail ticket whose help desk kept no mail headers scores nothing for them",
        (),
        0,
        subject="",
        email=None,
        headers=dict.fromkeys(HEADERS),
    ),
    Case("no Message-ID", ("no message id",), 0.5, headers={"Message-ID": None}),
    Case(
        "Date without a zone",
        ("date without a time zone",),
        1.5,
        headers={"Date": "Fri, 7 Dec 2001 07:01:03"},
    ),
    Case("Date with a zone name", (), 0, headers={"Date": "Mon, 09 Feb 04 23:17:44 GMT"}),
    Case("Date with (UTC)", (), 0, headers={"Date": "Thu, 16 Jun 2016 00:41:19 (UTC)"}),
    Case("no To", ("no recipient",), 1, headers={"To": None}),
    Case(
        "undisclosed recipients", ("no recipient",), 1, headers={"To": "undisclosed-recipients:;"}
    ),
    Case(
        "ten addresses in Cc",
        ("many recipients",),
        1,
        headers={"Cc": ", ".join(f"u{i}@example.com" for i in range(10))},
    ),
    Case("nine addresses in Cc", (), 0, headers={"Cc": ", ".join(f"u{i}@x.com" for i in range(9))}),
    Case("no sender address", ("no sender address",), 1.5, email=None),
    Case("no subject", ("no subject",), 1, subject=""),
    Case("ADV: label", ("advertisement label",), 2.5, subject="ADV: toner at half price"),
    Case("Advice is no label", (), 0, subject="Advice: which toner fits?"),
    Case(
        "bulk mailing program",
        ("bulk mailing program",),
        3,
        headers={"X-Mailer": "Group Mail 5.0.1"},
    ),
    Case("an ordinary mailer", (), 0, headers={"X-Mailer": "Microsoft Outlook 16.0"}),
    # 3. sender
    Case(
        "another address in the display name",
        ("address hidden in the display name",),
        2.5,
        name="support@bank.example",
        email="x9@elsewhere.example",
    ),
    Case("own address as display name", (), 0, name="Ann@Example.org", email="ann@example.org"),
    Case(
        "long number in the local part",
        ("long number in the sender's address",),
        1,
        email="sb123456789@example.org",
    ),
    Case("a year in the local part", (), 0, email="ann1985@example.org"),
    Case(
        "official name from free mail",
        ("official name from free mail",),
        2,
        name="PayPal Security",
        email="paypal.sec@gmail.com",
    ),
    Case("official name from its own domain", (), 0, name="PayPal", email="info@paypal.com"),
    Case(
        "Reply-To another free mail box",
        ("replies go to another free mail box",),
        2,
        headers={"Reply-To": "claims.dept@yahoo.com"},
    ),
    Case(
        "Reply-To the sender's own free mail box",
        (),
        0,
        headers={"Reply-To": "Ann <Ann.Lee@gmail.com>"},
        email="ann.lee@gmail.com",
    ),
    # 4. subject
    Case("subject in capitals", ("subject in capitals",), 1.5, subject="PRINTER BROKEN AGAIN"),
    Case("one word in capitals", (), 0, subject="Printer BROKEN again"),
    Case("Chinese subject", (), 0, subject="装硬碟问题装硬碟问题装硬碟问题"),
    Case("dollars in the subject", ("money words in the subject",), 1, subject="Save $$$ today"),
    Case("FREE in the subject", ("money words in the subject",), 1, subject="FREE toner"),
    Case("Free trial in the subject", (), 0, subject="Free trial ends too early"),
    Case("!! in the subject", ("exclamation marks in the subject",), 1, subject="Help!!"),
    Case("one ! in the subject", (), 0, subject="Help!"),
    # 5. body phrases
    Case(
        "bulk footer without List-Unsubscribe",
        ("bulk mail footer without list headers",),
        1.5,
        body=BODY + "\nTo be removed from our list, reply with REMOVE.",
    ),
    Case(
        "newsletter footer with List-Unsubscribe",
        (),
        0,
        body=BODY + "\nTo be removed from our list, reply with REMOVE.",
        headers={"List-Unsubscribe": "<mailto:leave@news.example>"},
    ),
    Case("claims not spam", ("claims not to be spam",), 2.5, body="This is not spam. " + BODY),
    Case("asks whether it is spam", (), 0, body="Is this spam? " + BODY),
    Case("sales pressure", ("sales pressure",), 1.5, body="Act now: 100% free! " + BODY),
    Case("a customer ordering", (), 0, body="Can I order now and pay later? " + BODY),
    Case("money for nothing", ("money for nothing",), 1.5, body="Make money from your sofa."),
    Case("working from home", (), 0, body="I work from home and the VPN drops. " + BODY),
    Case("medicine", ("medicine by mail",), 2, body="Cheap Viagra, no prescription. " + BODY),
    Case("a prescription", (), 0, body="I need a new prescription for glasses. " + BODY),
    Case(
        "disguised medicine",
        ("disguised medicine names",),
        2.5,
        body="Get V1agra and C1a115 here. " + BODY,
    ),
    Case("via.gra", ("disguised medicine names",), 2.5, subject="via.gra"),
    Case("via Graham", (), 0, body="Send it via Graham, please. " + BODY),
    Case("adult", ("adult content",), 2.5, body="Hot teens, live sex. " + BODY),
    Case("xxx as a placeholder", (), 0, body="My account number is XXX-123. " + BODY),
    Case(
        "advance-fee fraud",
        ("advance-fee fraud",),
        2.5,
        body="I am the barrister of your late client. " + BODY,
    ),
    Case("prize", ("prize or lottery",), 2.5, body="You have won a car! " + BODY),
    Case("we won", (), 0, body="We won the tender, great news. " + BODY),
    Case("phishing", ("account phishing",), 2, body="Verify your account today. " + BODY),
    Case("my account", (), 0, body="I cannot verify my account. " + BODY),
    Case("service pitch", ("service pitch",), 2, body="We offer SEO services. " + BODY),
    Case("crypto", ("crypto scheme",), 2, body="Double your Bitcoin in a day. " + BODY),
    Case("paid in bitcoin", (), 0, body="I paid in bitcoin yesterday. " + BODY),
    Case("mass greeting", ("mass greeting",), 1, body="Dear friend,\n" + BODY),
    Case("click here", ("click here",), 0.5, body="Click here to see. " + BODY),
    Case(
        "large sum",
        ("large sums of money",),
        1.5,
        body="A sum of US$ 10,500,000.00 awaits. " + BODY,
    ),
    Case("an invoice amount", (), 0, body="Invoice of $1,200 was paid twice. " + BODY),
    # 6. links and layout
    Case(
        "five links",
        ("many links",),
        1,
        body=BODY + "\n" + " ".join(LINKS.split()[:5]),
    ),
    Case("four links", (), 0, body=BODY + "\n" + " ".join(LINKS.split()[:4])),
    Case("twelve links", ("many links", "very many links"), 2, body=BODY + "\n" + LINKS),
    Case(
        "link to a public IP address",
        ("link to a numeric address",),
        1.5,
        body=BODY + " http://62.16.101.59/offer.htm",
    ),
    Case("link to the router", (), 0, body=BODY + " http://192.168.1.1/admin"),
    Case("shortened link", ("shortened link",), 1, body=BODY + " https://bit.ly/3xYz"),
    Case(
        "nothing but a link",
        ("nothing but a link",),
        1,
        body="See https://example.org/offer",
    ),
    Case("a link in a real message", (), 0, body=BODY + " https://example.org/manual"),
    Case("!!!", ("many exclamation marks",), 0.5, body="It works!!! " + BODY),
    Case("!!", (), 0, body="It works!! " + BODY),
    Case(
        "html only",
        ("html only",),
        0.5,
        headers={"Content-Type": "text/html; charset=utf-8"},
    ),
    Case("multipart", (), 0, headers={"Content-Type": "multipart/alternative; boundary=x"}),
    # 7. signs of legitimate mail
    Case(
        "discussion list",
        ("discussion list",),
        -2,
        headers={"List-Id": "<users.lists.example>", "List-Post": "<mailto:users@lists.example>"},
    ),
    Case("a newsletter is no discussion", (), 0, headers={"List-Id": "<news.example>"}),
    Case(
        "reply in a thread",
        ("reply in a thread",),
        -1,
        subject="Re: Printer shows error 42",
        headers={"In-Reply-To": "<t1@acme.example>"},
    ),
    Case("Re: without a reference", (), 0, subject="Re: Printer shows error 42"),
    # tickets as a whole
    Case(
        "a web form without headers, subject or address is no mail",
        (),
        0,
        channel="web",
        subject="",
        email=None,
        body="see https://example.org/x",
    ),
    Case("a chat message with a link", (), 0, channel="chat", body="https://example.org/x"),
    Case(
        "a mail with nothing but headers missing is spam",
        ("no date", "no message id", "no recipient", "no sender address", "no subject"),
        5,
        subject="",
        email=None,
        headers={"Date": None, "Message-ID": None, "To": None, "From": None},
    ),
    Case(
        "a customer forwarding a phishing mail stays",
        ("account phishing", "nothing but a link"),
        3,
        subject="Fwd: Your account has been suspended",
        body="Is this from you? It says: verify your account at https://login.example.net/x",
    ),
    Case(
        "an SEO pitch from free mail with links is spam",
        (
            "official name from free mail",
            "service pitch",
            "mass greeting",
            "click here",
            "many links",
        ),
        6.5,
        subject="Website growth",
        name="SEO Team Support",
        email="rankfast@gmail.com",
        body="Dear friend,\nWe offer guest post and backlinks. Click here:\n" + LINKS[:200],
    ),
)


def test_spam_rules_every_rule_has_cases() -> None:
    """Each rule of rules/spam.yaml fires in some case below and stays quiet in another."""
    rules = routing.load(RULES)
    names = set(rules.rule_names)
    fired = {name for case in CASES for name in case.fired}
    assert names - fired == set()
    assert fired - names == set()


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_spam_rules_case(rules: routing.Ruleset, case: Case) -> None:
    decision = rules.evaluate(_ticket(case), now=NOW)
    want = (case.fired, case.score, case.score >= 5)
    assert (decision.fired, decision.spam_score, decision.spam) == want
