"""Properties: no input makes `parse_message` raise; every result is a valid, JSON-safe ticket."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.email.corpus import SPAMASSASSIN, corpus_names

from routing.email import WARNING_CODES, ParsedMail, parse_message
from routing.model.ticket import Ticket

RECEIVED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

# Seeds: the corpus (when present) and a few hand-made shapes, so that mutations start from
# real structure.
_SEEDS: list[bytes] = [(SPAMASSASSIN / name).read_bytes() for name in corpus_names()[::4]] + [
    b"From: a@b\nSubject: =?utf-8?b?5pel?= =?gb2312?q?=D7=B0?=\nDate: Tue, 1 Sep 2026 1:0:0 +0000\n"
    b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/html; '
    b"charset=big5\nContent-Transfer-Encoding: base64\n\nwWPF6Q==\n--B\nContent-Type: "
    b'application/pdf; name="=?utf-8?q?x?="\n\nxyz\n--B--\n',
]

# Pieces of MIME syntax that mutations splice in.
_PIECES = st.sampled_from(
    [
        b"=?",
        b"?=",
        b"=?utf-8?B?",
        b"=?iso-2022-jp?Q?=1B$B",
        b"=?utf-7?q?+2D3-?=",
        b"\n--",
        b"\n\n",
        b"\r",
        b"\x00",
        b"\xff\xfe",
        b"Content-Type: multipart/mixed; boundary=x\n",
        b"Content-Type: message/rfc822\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"; charset=hex",
        b"; charset=utf-16",
        b"; filename*=utf-8''%ff",
        b"Date: ",
        b"From: ",
        b"Message-ID: ",
        b"\n\tfolded",
        b"<",
        b">",
    ]
)


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["byte", "insert", "delete"]))
        if action == "byte" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(_PIECES | st.binary(max_size=8))
        else:
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def _check(mail: ParsedMail) -> None:
    ticket = mail.ticket
    text = json.dumps(ticket.to_dict(), ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogates anywhere
    assert Ticket.from_dict(json.loads(text)) == ticket
    assert (ticket.channel, ticket.status) == ("email", "new")
    assert ticket.created_at is not None
    assert ticket.created_at.utcoffset() is not None
    assert all(w.code in WARNING_CODES and "\n" not in w.message for w in mail.warnings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check(parse_message(data, received_at=RECEIVED))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_messages())
def test_mutated_messages_never_raise(data: bytes) -> None:
    _check(parse_message(data, received_at=RECEIVED))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(parse_message(text, received_at=RECEIVED))
