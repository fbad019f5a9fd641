"""The auto-reply gate on real mail: every message of the SpamAssassin corpus, parsed with
`routing.email.parse_message` and evaluated with a rule set that always replies.

Each mailing-list, bulk or automatic message is pinned with the code and reason that stopped
its reply (reviewed by reading the headers of each: Precedence bulk/list/junk, List-*, a
``...-noreply`` sender); messages without such a header, or a sender the gate can see, get
their reply (the spam ones too: this rule set has no spam rules; rules/spam.yaml is measured
in docs/spam.md). Three messages have no readable From and so no recipient. Every reply
threads under the answered mail (In-Reply-To is its Message-ID) and says Auto-Submitted:
auto-replied. The whole mapping is asserted, so a new message or a changed outcome fails.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.email.corpus import SPAMASSASSIN, require_corpus

import routing
from routing.email import parse_message

CORPUS = SPAMASSASSIN
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RULES = """\
version: 1
templates: {ack: "We got your message."}
stages:
  - name: replies
    mode: all
    rules:
      - name: acknowledge
        when: true
        then: [{reply: ack}]
"""


@pytest.fixture(autouse=True)
def _corpus() -> None:
    require_corpus()  # fails in CI, skips elsewhere, when the corpus is missing


def _robot(host: str) -> str:
    address = f"newsalerts-noreply@{host}.spamassassin.org"
    return f"the sender '{address}' is a program ('newsalerts-noreply')"


#: Corpus file -> (code, reason) of the suppression that stopped its reply.
SUPPRESSED: dict[str, tuple[str, str]] = {
    "nice/001": ("precedence", "Precedence is 'bulk'"),
    "nice/002": ("precedence", "Precedence is 'bulk'"),
    "nice/005": ("list-header", "the mail has a List-Archive header"),
    "nice/authres": ("precedence", "Precedence is 'bulk'"),
    "nice/base64.txt": ("precedence", "Precedence is 'bulk'"),
    "nice/cjk/big5-base64.1": ("precedence", "Precedence is 'bulk'"),
    "nice/cjk/gb2312.2": ("precedence", "Precedence is 'list'"),
    "nice/cjk/iso-2022-jp.1": ("precedence", "Precedence is 'bulk'"),
    "nice/cjk/iso-2022-jp.2": ("precedence", "Precedence is 'list'"),
    "nice/mailman_message.txt": ("precedence", "Precedence is 'bulk'"),
    "nice/spf1": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/spf2": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/spf3": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/spf3-received-spf": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/spf4": (
        "robot-sender",
        _robot("txttcp"),
    ),
    "nice/spf4-received-spf-nofold": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/spf5-received-spf-crlf": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/spf6-received-spf-crlf2": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "nice/unicode2": ("no-recipient", "the requester has no e-mail address"),
    "spam/bsmtp": ("no-recipient", "the requester has no e-mail address"),
    "spam/bsmtpnull": ("no-recipient", "the requester has no e-mail address"),
    "spam/dmarc/nodmarc.eml": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "spam/razor2": ("precedence", "Precedence is 'junk'"),
    "spam/spf1": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "spam/spf2": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
    "spam/spf3": (
        "robot-sender",
        _robot("dnsbltest"),
    ),
}
#: Corpus files whose reply was sent.
SENT: tuple[str, ...] = (
    "nice/003",
    "nice/004",
    "nice/006",
    "nice/007",
    "nice/008",
    "nice/009",
    "nice/010",
    "nice/011",
    "nice/012",
    "nice/013",
    "nice/014",
    "nice/015",
    "nice/016",
    "nice/cjk/gb2312.1",
    "nice/crlf-endings",
    "nice/dkim/AddedVtag_07",
    "nice/dkim/BasicTest_01",
    "nice/dkim/MIMEnowsp_05",
    "nice/dkim/MIMEsimple_04",
    "nice/dkim/MultipleAuthRes_10",
    "nice/dkim/MultipleReceived_08",
    "nice/dkim/MultipleSig_06",
    "nice/dkim/NonExistingHeader_09",
    "nice/dkim/Nowsp_03",
    "nice/dkim/Simple_02",
    "nice/dmarc/noneok.eml",
    "nice/dmarc/quarok.eml",
    "nice/dmarc/rejectok.eml",
    "nice/dmarc/strictrejectok.eml",
    "nice/mime1",
    "nice/mime2",
    "nice/mime3",
    "nice/mime4",
    "nice/mime5",
    "nice/mime6",
    "nice/mime7",
    "nice/mime8",
    "nice/mime9",
    "nice/no_body",
    "nice/not_gtube.eml",
    "nice/orig_ip_hdr.eml",
    "nice/unicode1",
    "spam/001",
    "spam/002",
    "spam/003",
    "spam/004",
    "spam/005",
    "spam/006",
    "spam/007",
    "spam/008",
    "spam/009",
    "spam/010",
    "spam/011",
    "spam/012",
    "spam/013",
    "spam/014",
    "spam/015",
    "spam/016",
    "spam/017",
    "spam/018",
    "spam/badctype1",
    "spam/badctype2",
    "spam/badmime.txt",
    "spam/badmime2.txt",
    "spam/badmime3.txt",
    "spam/base64.txt",
    "spam/decodeshorturl/anchor.eml",
    "spam/decodeshorturl/base.eml",
    "spam/decodeshorturl/base2.eml",
    "spam/decodeshorturl/chain.eml",
    "spam/decodeshorturl/doubleslash.eml",
    "spam/decodeshorturl/params.eml",
    "spam/dmarc/noneko.eml",
    "spam/dmarc/quarko.eml",
    "spam/dmarc/rejectko.eml",
    "spam/dmarc/strictrejectko.eml",
    "spam/dnsbl.eml",
    "spam/dnsbl_domsonly.eml",
    "spam/dnsbl_ipsonly.eml",
    "spam/extracttext/gtube_b64_oct.eml",
    "spam/extracttext/gtube_pdf.eml",
    "spam/extracttext/gtube_png.eml",
    "spam/freemail1",
    "spam/freemail2",
    "spam/freemail3",
    "spam/fromnamespoof/spoof1",
    "spam/gtube.eml",
    "spam/gtubedcc.eml",
    "spam/gtubedcc_crlf.eml",
    "spam/hashbl",
    "spam/olevbmacro/encrypted.eml",
    "spam/olevbmacro/goodcsv.eml",
    "spam/olevbmacro/macro.eml",
    "spam/olevbmacro/malicemacro.eml",
    "spam/olevbmacro/nomacro.eml",
    "spam/olevbmacro/renamedmacro.eml",
    "spam/olevbmacro/target_uri.eml",
    "spam/olevbmacro/zippwmacro.eml",
    "spam/phishing_openphish.eml",
    "spam/phishing_phishtank.eml",
    "spam/pyzor",
    "spam/redirectors/base.eml",
    "spam/redirectors/base2.eml",
    "spam/relayUS.eml",
    "spam/unicode1",
    "spam/unicode2",
    "spam/urilocalbl_net.eml",
    "spam/utf16.eml",
)


def _outcomes() -> dict[str, tuple[str, str] | None]:
    ruleset = routing.loads(RULES)
    out: dict[str, tuple[str, str] | None] = {}
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.parent != CORPUS):
        ticket = parse_message(path.read_bytes(), received_at=NOW).ticket
        decision = ruleset.evaluate(ticket, NOW)
        name = path.relative_to(CORPUS).as_posix()
        if decision.suppressed:
            (first,) = decision.suppressed
            assert decision.effects == ()
            out[name] = (first.code, first.reason)
        else:
            (reply,) = decision.effects
            headers = dict(reply.headers)
            parent = ticket.headers.get("Message-ID")
            assert (reply.type, headers["Auto-Submitted"], headers.get("In-Reply-To")) == (
                "reply",
                "auto-replied",
                parent.strip() if parent else None,
            )
            out[name] = None
    return out


def test_every_corpus_message_gets_its_reply_or_a_pinned_suppression() -> None:
    want: dict[str, tuple[str, str] | None] = {**dict.fromkeys(SENT), **SUPPRESSED}
    assert _outcomes() == dict(sorted(want.items()))


def test_no_list_bulk_or_automatic_message_gets_a_reply() -> None:
    """Messages whose raw headers mark them as list, bulk or automatic mail, read without
    routing.email (stdlib only), are all among the suppressed."""
    import email
    import email.policy

    marked = set()
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.parent != CORPUS):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        names = {name.casefold() for name in message}
        if names & {"precedence", "auto-submitted", "x-loop"} or any(
            n.startswith("list-") for n in names
        ):
            marked.add(path.relative_to(CORPUS).as_posix())
    assert len(marked) == 11
    assert marked <= set(SUPPRESSED)
