"""`parse_message`: each decision of docs/email.md, on small hand-made messages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import routing.email._message as message_module
from routing.email import WARNING_CODES, MailWarning, ParsedMail, parse_message

RECEIVED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RECEIPT = "created_at is the time of receipt, 2026-11-24T09:00:00+00:00"
HEAD = b"From: Ann <ann@example.org>\nDate: Tue, 24 Nov 2026 10:00:00 +0100\n"


def parse(data: bytes | str) -> ParsedMail:
    return parse_message(data, received_at=RECEIVED)


def warnings(mail: ParsedMail) -> list[tuple[str, str]]:
    return [(w.code, w.message) for w in mail.warnings]


def test_a_plain_message_becomes_a_whole_ticket() -> None:
    """Every ticket field a message sets, for a well-formed message."""
    mail = parse_message(
        b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jm@Example.DE>\n"
        b"To: help@shop.example\n"
        b"Subject: Refund please\n"
        b"Date: Tue, 24 Nov 2026 10:00:00 +0100\n"
        b"Message-ID: <abc.123@mail.example.de>\n"
        b"Content-Language: de-DE, en\n"
        b"Auto-Submitted: no\n"
        b"\n"
        b"Hello,\r\nplease refund order 42.\r\n\r\n",
        received_at=RECEIVED,
        source="inbox/1",
    )
    assert (mail.warnings, mail.source, mail.size) == ((), "inbox/1", 262)
    assert mail.ticket.to_dict() == {
        "id": "abc.123@mail.example.de",
        "subject": "Refund please",
        "body": "Hello,\nplease refund order 42.",
        "channel": "email",
        "status": "new",
        "priority": "normal",
        "queue": None,
        "assignee": None,
        "requester": {
            "email": "jm@Example.DE",
            "name": "Jürgen Müller",
            "domain": "example.de",
            "language": "de-DE",
            "timezone": None,
            "organization": None,
        },
        "tags": [],
        "headers": {
            "From": "Jürgen Müller <jm@Example.DE>",
            "To": "help@shop.example",
            "Subject": "Refund please",
            "Date": "Tue, 24 Nov 2026 10:00:00 +0100",
            "Message-ID": "<abc.123@mail.example.de>",
            "Content-Language": "de-DE, en",
            "Auto-Submitted": "no",
        },
        "attachments": [],
        "created_at": "2026-11-24T10:00:00+01:00",
        "updated_at": None,
        "fields": {},
        "spam": False,
        "spam_score": 0.0,
    }


def test_text_input_is_read_as_utf8() -> None:
    """A str message is the same as its UTF-8 bytes."""
    text = "From: a@b.example\nDate: Tue, 24 Nov 2026 10:00:00 +0000\nSubject: Grüße\n\nä"
    assert parse(text) == parse(text.encode("utf-8"))
    assert (parse(text).ticket.subject, parse(text).ticket.body) == ("Grüße", "ä")


def test_a_naive_received_at_is_the_callers_mistake() -> None:
    """received_at must be aware; the message itself is never the cause of an exception."""
    with pytest.raises(ValueError, match="received_at must be an aware datetime"):
        parse_message(b"", received_at=datetime(2026, 1, 1))


def test_without_received_at_the_current_time_is_used() -> None:
    """No Date and no received_at: created_at is now."""
    before = datetime.now(UTC)
    ticket = parse_message(b"From: a@b.example\n\nx").ticket
    assert ticket.created_at is not None
    assert before <= ticket.created_at <= datetime.now(UTC)


def test_every_warning_code_is_documented() -> None:
    """The codes that parse_message reports are exactly those listed in WARNING_CODES."""
    assert sorted(WARNING_CODES) == [
        "mail/bad-charset",
        "mail/bad-date",
        "mail/bad-html",
        "mail/bad-message-id",
        "mail/defect",
        "mail/no-from",
        "mail/too-large",
    ]


# --------------------------------------------------------------------------- ticket id


def test_without_message_id_the_id_is_a_hash_of_the_bytes() -> None:
    """The same bytes give the same id; other bytes another one."""
    raw = HEAD + b"\nbody"
    digest = hashlib.sha256(raw).hexdigest()[:20]
    assert parse(raw).ticket.id == f"mail-{digest}"
    assert parse(raw + b"!").ticket.id != f"mail-{digest}"


@dataclass(frozen=True)
class Case:
    note: str
    raw: bytes
    want: Any
    warnings: tuple[tuple[str, str], ...] = ()


ID_CASES = (
    Case("angle brackets removed", b"Message-ID: <a@b>\n", "a@b"),
    Case("comment around the id", b"Message-ID: (x) <a@b> (y)\n", "a@b"),
    Case("no angle brackets", b"Message-Id:  a@b \n", "a@b"),
    Case(
        "white space inside",
        b"Message-ID: not an id\n",
        "hash",
        (
            (
                "mail/bad-message-id",
                "Message-ID 'not an id' is not an id; the ticket id is a hash of the message",
            ),
        ),
    ),
    Case(
        "empty",
        b"Message-ID: <>\n",
        "hash",
        (
            (
                "mail/bad-message-id",
                "Message-ID '<>' is not an id; the ticket id is a hash of the message",
            ),
        ),
    ),
)


@pytest.mark.parametrize("case", ID_CASES, ids=[c.note for c in ID_CASES])
def test_ticket_id_from_message_id(case: Case) -> None:
    """The id is the Message-ID without <>; an unusable one gives the hash, with a warning."""
    raw = HEAD + case.raw + b"\nx"
    mail = parse(raw)
    want = "mail-" + hashlib.sha256(raw).hexdigest()[:20] if case.want == "hash" else case.want
    assert (mail.ticket.id, warnings(mail)) == (want, list(case.warnings))


# --------------------------------------------------------------------------- headers


def test_repeated_headers_are_joined_in_order_without_duplicates() -> None:
    """Received (and any repeated field) is one value: distinct values joined by newlines."""
    mail = parse(
        HEAD + b"Received: from a\n  by b; Tue, 24 Nov 2026 09:00:00 +0000\n"
        b"Received: from c by d\nRECEIVED: from a by b\nPrecedence: bulk\nprecedence: bulk\n"
        b"X-Tab:\tfolded\n\tvalue\n\nx"
    )
    assert mail.ticket.headers.to_dict() == {
        "From": "Ann <ann@example.org>",
        "Date": "Tue, 24 Nov 2026 10:00:00 +0100",
        "Received": "from a by b; Tue, 24 Nov 2026 09:00:00 +0000\nfrom c by d\nfrom a by b",
        "Precedence": "bulk",
        "X-Tab": "folded value",
    }
    assert (
        mail.ticket.headers["received"].splitlines()[0]
        == "from a by b; Tue, 24 Nov 2026 09:00:00 +0000"
    )


SUBJECT_CASES = (
    Case("plain", b"Subject: Hello  world\n", "Hello world"),
    Case(
        "q with underscores and blanks between words dropped",
        b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus?= =?utf-8?q?_K=C3=B6ln?= !\n",
        "Grüße aus Köln !",
    ),
    Case(
        "a character split across two words",
        b"Subject: =?utf-8?b?5pel5g==?= =?utf-8?b?nKzoqp4=?=\n",
        "日本語",
    ),
    Case("iso-2022-jp", b"Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=\n", "日本語の件名"),
    Case("shift_jis", b"Subject: =?shift_jis?B?k/qWe4zq?=\n", "日本語"),
    Case("euc-kr", b"Subject: =?euc-kr?B?x9Gxub7uIMGmuPE=?=\n", "한국어 제목"),
    Case("big5", b"Subject: =?big5?B?wWPF6aSkpOU=?=\n", "繁體中文"),
    Case("gb2312", b"Subject: =?gb2312?B?vPLM5dbQzsQ=?=\n", "简体中文"),
    Case("raw utf-8 (RFC 6532)", "Subject: Größe\n".encode(), "Größe"),
    Case(
        "unknown charset",
        b"Subject: =?x-klingon?q?Qapla=E2=80=99?=\n",
        "Qapla’",
        (
            (
                "mail/bad-charset",
                "header 'Subject': unknown charset 'x-klingon'; decoded as utf-8",
            ),
        ),
    ),
    Case(
        "not a text codec",
        b"Subject: =?hex?q?abc?=\n",
        "abc",
        (("mail/bad-charset", "header 'Subject': unknown charset 'hex'; decoded as utf-8"),),
    ),
    Case(
        "bytes not valid in the declared charset",
        b"Subject: =?utf-8?q?caf=E9?=\n",
        "caf\ufffd",
        (
            (
                "mail/bad-charset",
                "header 'Subject': not valid utf-8 (byte 0xe9 at offset 3); "
                "undecodable bytes replaced",
            ),
        ),
    ),
    Case(
        "raw 8-bit latin-1",
        b"Subject: caf\xe9\n",
        "café",
        (
            (
                "mail/bad-charset",
                "header 'Subject': 8-bit text without a charset; decoded as cp1252",
            ),
        ),
    ),
    Case(
        "malformed base64 word kept as written",
        b"Subject: =?utf-8?b?#?= ok\n",
        "=?utf-8?b?#?= ok",
        (("mail/defect", "header 'Subject': malformed encoded word '=?utf-8?b?#?='; kept"),),
    ),
    Case(
        "encoded newline becomes a space",
        b"Subject: =?utf-8?q?a=0D=0Ab?=\n",
        "a b",
    ),
)


@pytest.mark.parametrize("case", SUBJECT_CASES, ids=[c.note for c in SUBJECT_CASES])
def test_subject_decoding(case: Case) -> None:
    """RFC 2047 in any charset, raw 8-bit, fallbacks: the subject and its warnings."""
    mail = parse(HEAD + case.raw + b"\nx")
    assert (mail.ticket.subject, warnings(mail)) == (case.want, list(case.warnings))


# --------------------------------------------------------------------------- requester

REQUESTER_CASES = (
    Case(
        "From with a quoted name",
        b'From: "Doe, Jane" <jane@x.example>\n',
        {"email": "jane@x.example", "name": "Doe, Jane", "domain": "x.example"},
    ),
    Case(
        "From address only",
        b"From: jane@x.example\n",
        {"email": "jane@x.example", "domain": "x.example"},
    ),
    Case(
        "missing From: Reply-To",
        b"Reply-To: Desk <desk@y.example>\nSender: s@z.example\n",
        {"email": "desk@y.example", "name": "Desk", "domain": "y.example"},
        (("mail/no-from", "no From header; the requester is taken from Reply-To"),),
    ),
    Case(
        "From without an address: Sender",
        b"From: undisclosed\nSender: s@z.example\n",
        {"email": "s@z.example", "domain": "z.example"},
        (
            (
                "mail/no-from",
                "From 'undisclosed' has no usable address; the requester is taken from Sender",
            ),
        ),
    ),
    Case(
        "no address anywhere",
        b"To: x@y.example\n",
        {},
        (("mail/no-from", "no From header; the ticket has no requester"),),
    ),
    Case(
        "language from Content-Language",
        b"From: a@b.example\nContent-Language: fr\n",
        {"email": "a@b.example", "domain": "b.example", "language": "fr"},
    ),
    Case(
        "a Content-Language that is not a tag is ignored",
        b"From: a@b.example\nContent-Language: ???\n",
        {"email": "a@b.example", "domain": "b.example"},
    ),
)


@pytest.mark.parametrize("case", REQUESTER_CASES, ids=[c.note for c in REQUESTER_CASES])
def test_requester(case: Case) -> None:
    """From, else Reply-To, else Sender (with a warning); name decoded; language."""
    mail = parse(b"Date: Tue, 24 Nov 2026 10:00:00 +0100\n" + case.raw + b"\nx")
    requester = {k: v for k, v in mail.ticket.requester.model_dump().items() if v is not None}
    assert (requester, warnings(mail)) == (case.want, list(case.warnings))


# --------------------------------------------------------------------------- created_at

DATE_CASES = (
    Case(
        "aware",
        b"Date: Mon, 23 Nov 2026 23:30:00 -0500\n",
        datetime(2026, 11, 23, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
    ),
    Case(
        "-0000 is UTC",
        b"Date: Mon, 23 Nov 2026 23:30:00 -0000\n",
        datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
    ),
    Case(
        "no zone",
        b"Date: Mon, 23 Nov 2026 23:30:00\n",
        RECEIVED,
        (("mail/bad-date", f"Date 'Mon, 23 Nov 2026 23:30:00' has no time zone; {RECEIPT}"),),
    ),
    Case(
        "not a date",
        b"Date: yesterday\n",
        RECEIVED,
        (("mail/bad-date", f"Date 'yesterday' is not an RFC 5322 date; {RECEIPT}"),),
    ),
    Case(
        "out of range",
        b"Date: Mon, 99 Nov 2026 23:30:00 +0000\n",
        RECEIVED,
        (
            (
                "mail/bad-date",
                f"Date 'Mon, 99 Nov 2026 23:30:00 +0000' is not an RFC 5322 date; {RECEIPT}",
            ),
        ),
    ),
    Case("missing", b"", RECEIVED, (("mail/bad-date", f"no Date header; {RECEIPT}"),)),
)


@pytest.mark.parametrize("case", DATE_CASES, ids=[c.note for c in DATE_CASES])
def test_created_at(case: Case) -> None:
    """Date as an aware datetime; a missing, broken or zone-less one falls back to receipt."""
    mail = parse(b"From: a@b.example\n" + case.raw + b"\nx")
    assert (mail.ticket.created_at, warnings(mail)) == (case.want, list(case.warnings))


# --------------------------------------------------------------------------- body and parts


def _multipart(*parts: bytes, kind: bytes = b"mixed") -> bytes:
    body = b"".join(b"--B\n" + part + b"\n" for part in parts)
    return HEAD + b"Content-Type: multipart/" + kind + b'; boundary="B"\n\n' + body + b"--B--\n"


BODY_CASES = (
    Case(
        "text/plain preferred over html",
        _multipart(
            b"Content-Type: text/html\n\n<p>html</p>",
            b"Content-Type: text/plain\n\nplain",
            kind=b"alternative",
        ),
        ("plain", []),
    ),
    Case(
        "html only, converted",
        _multipart(
            b"Content-Type: text/html; charset=utf-8\n\n"
            b"<html><body><h1>Hi</h1><p>one&nbsp;two</p><ul><li>a</li></ul></body></html>"
        ),
        ("Hi\n\none two\n\n  * a", []),
    ),
    Case(
        "quoted-printable latin-1",
        HEAD + b"Content-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: quoted-printable\n\nna=EFve caf=E9=\n!",
        ("naïve café!", []),
    ),
    Case(
        "a text attachment is not the body",
        _multipart(
            b'Content-Type: text/plain\nContent-Disposition: attachment; filename="a.txt"\n\nfile',
            b"Content-Type: text/plain\n\nbody",
        ),
        ("body", [{"filename": "a.txt", "content_type": "text/plain", "size": 4}]),
    ),
    Case(
        "attachments: names decoded, sizes decoded, inline images included",
        _multipart(
            b"Content-Type: text/plain\n\nsee attached",
            b'Content-Type: application/pdf; name="=?utf-8?q?R=C3=A9sum=C3=A9.pdf?="\n'
            b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQ=",
            b"Content-Type: image/png\nContent-Disposition: inline\n"
            b"Content-Transfer-Encoding: base64\n\niVBORw==",
            b"Content-Type: application/octet-stream\n"
            b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.bin\n\nxyz",
            b"Content-Type: message/rfc822\nContent-Disposition: attachment\n\n"
            b"Subject: inner\n\ninner body",
        ),
        (
            "see attached",
            [
                {"filename": "Résumé.pdf", "content_type": "application/pdf", "size": 8},
                {"filename": "", "content_type": "image/png", "size": 4},
                {"filename": "€.bin", "content_type": "application/octet-stream", "size": 3},
                {"filename": "", "content_type": "message/rfc822", "size": 26},
            ],
        ),
    ),
    Case(
        "an attached message's text is not the body",
        _multipart(
            b"Content-Type: message/rfc822\nContent-Disposition: attachment\n\n"
            b"Content-Type: text/plain\n\nforwarded",
        ),
        ("", [{"filename": "", "content_type": "message/rfc822", "size": 35}]),
    ),
    Case(
        "an inline forwarded message is read",
        _multipart(b"Content-Type: message/rfc822\n\nContent-Type: text/plain\n\nforwarded"),
        ("forwarded", []),
    ),
)


@pytest.mark.parametrize("case", BODY_CASES, ids=[c.note for c in BODY_CASES])
def test_body_and_attachments(case: Case) -> None:
    """The first inline text/plain, else HTML as text; every other leaf part an attachment."""
    mail = parse(case.raw)
    ticket = mail.ticket.to_dict()
    assert ((ticket["body"], ticket["attachments"]), warnings(mail)) == (case.want, [])


CHARSET_CASES = (
    Case(
        "mislabelled utf-8",
        HEAD + b"Content-Type: text/plain; charset=us-ascii\n\nGr\xc3\xbc\xc3\x9fe",
        "Grüße",
    ),
    Case(
        "utf-8 labelled latin-1 is read as declared",
        HEAD + b"Content-Type: text/plain; charset=iso-8859-1\n\n\xc3\xa9",
        "Ã©",
    ),
    Case(
        "unknown charset",
        HEAD + b"Content-Type: text/plain; charset=x-unknown-thing\n\ncaf\xe9",
        "café",
        (
            (
                "mail/bad-charset",
                "the text/plain body: unknown charset 'x-unknown-thing'; decoded as cp1252",
            ),
        ),
    ),
    Case(
        "invalid bytes in the declared charset",
        HEAD + b"Content-Type: text/plain; charset=utf-8\n\nok \xff\xfe end",
        "ok \ufffd\ufffd end",
        (
            (
                "mail/bad-charset",
                "the text/plain body: not valid utf-8 (byte 0xff at offset 3); "
                "undecodable bytes replaced",
            ),
        ),
    ),
    Case(
        "euc-jp labelled iso-2022-jp",
        HEAD + b"Content-Type: text/plain; charset=iso-2022-jp\n\n" + "日本語".encode("euc_jp"),
        "日本語",
        (
            (
                "mail/bad-charset",
                "the text/plain body: not valid iso2022_jp_2 (byte 0xc6 at offset 0); "
                "decoded as euc_jp",
            ),
        ),
    ),
    Case(
        "utf-16",
        HEAD + b"Content-Type: text/plain; charset=utf-16\n"
        b"Content-Transfer-Encoding: base64\n\n//5oAGkA",
        "hi",
    ),
)


@pytest.mark.parametrize("case", CHARSET_CASES, ids=[c.note for c in CHARSET_CASES])
def test_body_charsets(case: Case) -> None:
    """The declared charset, with fallbacks that keep the text and say what they did."""
    mail = parse(case.raw)
    assert (mail.ticket.body, warnings(mail)) == (case.want, list(case.warnings))


def test_html_that_cannot_be_converted_is_kept_as_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """A converter failure never loses the text: the HTML source becomes the body."""
    import inscriptis  # type: ignore[import-untyped]

    def broken(html: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(inscriptis, "get_text", broken)
    mail = parse(HEAD + b"Content-Type: text/html\n\n<p>hi</p>")
    assert (mail.ticket.body, warnings(mail)) == (
        "<p>hi</p>",
        [("mail/bad-html", "the HTML body could not be converted (boom); kept as is")],
    )


def test_mime_defects_are_warnings() -> None:
    """A broken multipart keeps its text and reports what the parser found wrong."""
    mail = parse(HEAD + b"Content-Type: multipart/mixed; boundary=Q\n\nno boundary here")
    assert (mail.ticket.body, warnings(mail)) == (
        "no boundary here",
        [
            ("mail/defect", "malformed message: the claimed start boundary was never found"),
            (
                "mail/defect",
                "malformed message: a message claimed to be a multipart but no subparts were found",
            ),
        ],
    )


# --------------------------------------------------------------------------- limits


def test_a_message_over_the_byte_limit_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the first MAX_MESSAGE_BYTES are parsed."""
    monkeypatch.setattr(message_module, "MAX_MESSAGE_BYTES", 100)
    raw = HEAD + b"\n" + b"a" * 200
    mail = parse(raw)
    assert (len(mail.ticket.body), mail.size, warnings(mail)[0]) == (
        100 - len(HEAD) - 1,
        len(raw),
        ("mail/too-large", f"the message has {len(raw)} bytes; only the first 100 were read"),
    )


def test_a_long_body_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(message_module, "MAX_BODY_CHARS", 10)
    mail = parse(HEAD + b"\n" + b"0123456789abcdef")
    assert (mail.ticket.body, warnings(mail)) == (
        "0123456789",
        [("mail/too-large", "the body has 16 characters; kept the first 10")],
    )


def test_long_html_is_cut_before_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(message_module, "MAX_HTML_CHARS", 12)
    mail = parse(HEAD + b"Content-Type: text/html\n\n<b>abc</b><i>def</i>")
    assert (mail.ticket.body, warnings(mail)) == (
        "abc",
        [("mail/too-large", "the HTML body has 20 characters; converted the first 12")],
    )


def test_a_long_header_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(message_module, "MAX_HEADER_CHARS", 5)
    mail = parse(HEAD + b"Subject: abcdefgh\n\nx")
    assert (mail.ticket.subject, mail.ticket.headers["Subject"], warnings(mail)) == (
        "abcde",
        "abcde",
        [
            ("mail/too-large", "header 'From' has 21 characters; kept the first 5"),
            ("mail/too-large", "header 'Date' has 31 characters; kept the first 5"),
            ("mail/too-large", "header 'Subject' has 8 characters; kept the first 5"),
            ("mail/bad-date", f"Date 'Tue, ' is not an RFC 5322 date; {RECEIPT}"),
        ],
    )


def test_header_fields_beyond_the_limit_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(message_module, "MAX_HEADER_FIELDS", 2)
    mail = parse(HEAD + b"Subject: late\n\nx")
    assert (mail.ticket.subject, warnings(mail)) == (
        "",
        [("mail/too-large", "more than 2 header fields; the rest were not read")],
    )


def test_parts_beyond_the_limits_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Too many parts, too many attachments, too deep: cut, each with a warning."""
    monkeypatch.setattr(message_module, "MAX_PARTS", 4)
    monkeypatch.setattr(message_module, "MAX_ATTACHMENTS", 1)
    image = b"Content-Type: image/gif\n\nGIF"
    mail = parse(_multipart(image, image, image, image))
    assert (len(mail.ticket.attachments), warnings(mail)) == (
        1,
        [
            ("mail/too-large", "more than 4 MIME parts; the rest were not read"),
            ("mail/too-large", "2 more attachments than 1; they are not listed"),
        ],
    )


def test_deep_nesting_is_not_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(message_module, "MAX_DEPTH", 1)
    inner = (
        b'Content-Type: multipart/mixed; boundary="C"\n\n'
        b"--C\nContent-Type: text/plain\n\ndeep\n--C--"
    )
    mail = parse(_multipart(inner))
    assert (mail.ticket.body, warnings(mail)) == (
        "",
        [
            (
                "mail/too-large",
                "MIME parts nested more than 1 deep; the deeper ones were not read",
            )
        ],
    )


def test_nesting_too_deep_for_the_parser_keeps_the_headers() -> None:
    """Thousands of nested multiparts: headers read, the rest is the body, no exception."""
    raw = (
        HEAD
        + b"Subject: deep\n"
        + b"".join(
            b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(3000)
        )
    )
    mail = parse(raw)
    assert (mail.ticket.subject, warnings(mail)[0]) == (
        "deep",
        ("mail/defect", "MIME parts are nested too deeply to parse; only headers were read"),
    )


def test_warnings_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(message_module, "MAX_WARNINGS", 2)
    mail = parse(b"Date: x\nSubject: =?a?q?1?= =?b?q?2?= =?c?q?3?=\n\nx")
    assert mail.warnings == (
        MailWarning("mail/bad-charset", "header 'Subject': unknown charset 'a'; decoded as utf-8"),
        MailWarning("mail/bad-charset", "header 'Subject': unknown charset 'b'; decoded as utf-8"),
        MailWarning("mail/too-large", "3 more warnings not shown"),
    )


def test_a_long_run_of_blanks_in_html_is_quick() -> None:
    """Hostile layout (a million spaces) is converted in linear time."""
    mail = parse(HEAD + b"Content-Type: text/html\n\n<p>a" + b" " * 1_000_000 + b"<br>b</p>")
    assert mail.ticket.body == "a\nb"
