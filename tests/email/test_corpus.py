"""Every message of the SpamAssassin corpus becomes a ticket; the interesting ones, pinned.

The pinned view of a ticket is whole: id, subject, requester, created_at, attachments, the
start and length of the body, and every warning (code and message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.email.corpus import corpus_names, require_corpus

from routing.email import ParsedMail, parse_message
from routing.model.ticket import Ticket

RECEIVED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NAMES = corpus_names()


@pytest.mark.parametrize("name", NAMES or ["(corpus missing)"])
def test_every_corpus_message_becomes_a_ticket(name: str) -> None:
    """No message of the corpus raises; each gives an e-mail ticket that survives JSON."""
    corpus = require_corpus()
    mail = parse_message((corpus / name).read_bytes(), received_at=RECEIVED, source=name)
    ticket = mail.ticket
    assert (ticket.channel, ticket.status, mail.source) == ("email", "new", name)
    assert Ticket.from_dict(ticket.to_dict()) == ticket


def test_the_corpus_is_all_there() -> None:
    """The corpus holds the 134 messages the pinned cases were chosen from."""
    require_corpus()
    assert len(NAMES) == 134


@dataclass(frozen=True)
class Case:
    note: str
    path: str
    want: dict[str, Any]


def _view(mail: ParsedMail) -> dict[str, Any]:
    t = mail.ticket.to_dict()
    return {
        "id": t["id"],
        "subject": t["subject"],
        "requester": {k: v for k, v in t["requester"].items() if v is not None},
        "created_at": t["created_at"],
        "attachments": t["attachments"],
        "body_start": t["body"][:120],
        "body_chars": len(t["body"]),
        "warnings": [(w.code, w.message) for w in mail.warnings],
    }


CASES = (
    Case(
        "gb2312 encoded words, name in a comment",
        "nice/cjk/gb2312.2",
        {
            "id": "E60F573776CE0148AD3E7FAB07E4C840CC79EC@mail03.quanta.corp",
            "subject": "RE: 装硬碟问题",
            "requester": {
                "email": "Jason_Lee@quantatw.com",
                "name": "Jason Lee (李展锋)",
                "domain": "quantatw.com",
            },
            "created_at": "2003-02-10T09:48:33+08:00",
            "attachments": [],
            "body_start": "假设你的硬碟是IDE介面(不是SCSI)\n"
            "请检查一下,你的硬碟的设定(master/slave/cable select),"
            '一般而言在硬碟"40PIN 插座"与"电源"附近....\n'
            "如果是Master,请改为slave或许就好了.\n"
            "\n"
            "附:敬",
            "body_chars": 901,
            "warnings": [],
        },
    ),
    Case(
        "raw 8-bit gb2312 headers read with the body's charset",
        "nice/cjk/gb2312.1",
        {
            "id": "1811099-2200312752653615@pc3",
            "subject": "全新原装进口，送货上门，货到付款－台湾鑫龙商贸集团公司向您拜年!",
            "requester": {
                "email": "1234@e34.com",
                "name": "台湾鑫龙商贸集团公司",
                "domain": "e34.com",
            },
            "created_at": "2003-01-07T13:26:53+08:00",
            "attachments": [],
            "body_start": "  台湾鑫龙商贸集团公司向您拜年! \n"
            "本公司长期经销电脑配件、手机、笔记本意在贵地寻找合作销售伙伴， \n"
            "有意者请来人来电洽谈。\n"
            "全新原装进口，送货上门，货到付款。\n"
            "\n"
            "联系人：洪  武 一、  电  话：（0）13960361753\n"
            "\n"
            "详细报",
            "body_chars": 17718,
            "warnings": [
                (
                    "mail/bad-charset",
                    "header 'From': 8-bit text without a charset; decoded as gb18030, the "
                    "charset the message declares for its text",
                ),
                (
                    "mail/bad-charset",
                    "header 'Subject': 8-bit text without a charset; decoded as gb18030, "
                    "the charset the message declares for its text",
                ),
            ],
        },
    ),
    Case(
        "html-only big5 body in base64, raw 8-bit subject",
        "nice/cjk/big5-base64.1",
        {
            "id": "200106181704.BAA15500@mail.human.com.tw",
            "subject": (
                "[SLAT-talk] 鉅靡6月17日新片又到."
                "如有重複寄發.敬請原諒!．．．．．．鉅靡6月17日新片又到.如有重複寄發.敬請原諒!．．．"
            ),
            "requester": {"email": "y971880896@pchome.com.tw", "domain": "pchome.com.tw"},
            "created_at": "2001-06-19T01:16:04+08:00",
            "attachments": [],
            "body_start": "  永久網址：gimit.cn.st或gimit99.iscool.net\n"
            "\n"
            "  強片上檔，如果本站已經斷了，請選擇上面永久網址的站！我們會與您服務\n"
            "\n"
            "          更新日期：公元2001年06月17日",
            "body_chars": 104,
            "warnings": [
                (
                    "mail/bad-charset",
                    "header 'Subject': 8-bit text without a charset; decoded as big5hkscs, "
                    "the charset the message declares for its text",
                ),
                (
                    "mail/bad-charset",
                    "header 'List-Id': 8-bit text without a charset; decoded as big5hkscs, "
                    "the charset the message declares for its text",
                ),
                (
                    "mail/defect",
                    "malformed message: base64 encoded sequence had characters not in "
                    "base64 alphabet",
                ),
            ],
        },
    ),
    Case(
        "euc-jp body labelled iso-2022-jp",
        "nice/cjk/iso-2022-jp.2",
        {
            "id": "200002201307.WAA10556@prince.net.ebina.hitachi.co.jp",
            "subject": "[ports-jp 8947] Re: ipv6 & ruby",
            "requester": {"email": "sumikawa@ebina.hitachi.co.jp", "domain": "ebina.hitachi.co.jp"},
            "created_at": "2000-02-20T22:07:29+09:00",
            "attachments": [],
            "body_start": ">ああ、心当たりがあります。たぶん、この前のsshと同じ問題です。\n"
            ">調べます。\n"
            "itojun> \truby repositoryには修正いれてあるとおもいます。 1.4.x branchも\n"
            "itojun> \t1.5 branchも。\n"
            "\n"
            "W",
            "body_chars": 1172,
            "warnings": [
                (
                    "mail/bad-charset",
                    "the text/plain body: not valid iso2022_jp_2 (byte 0xa4 at offset 1); "
                    "decoded as euc_jp",
                )
            ],
        },
    ),
    Case(
        "multipart with shift_jis text attachments",
        "nice/cjk/iso-2022-jp.1",
        {
            "id": "87pts29hvu.wl@shinichiro.stained-g.net",
            "subject": "MIME text/plain attach with Shift_JIS (CP932)",
            "requester": {
                "email": "shinichiro@stained-g.net",
                "name": "Shinichiro HIDA",
                "domain": "stained-g.net",
            },
            "created_at": "2002-12-16T23:07:49+09:00",
            "attachments": [
                {"filename": "test-sjis.txt", "content_type": "text/plain", "size": 106},
                {"filename": "test-archive.txt", "content_type": "text/plain", "size": 742},
            ],
            "body_start": "Hi,\n"
            "\n"
            "Now, I try to test MHonArc2002-12-16-snap.\n"
            "\n"
            "Sometime, I would like to send the mail with some attachement in\n"
            "the pl",
            "body_chars": 693,
            "warnings": [],
        },
    ),
    Case(
        "utf-16 subject and body, empty images",
        "spam/utf16.eml",
        {
            "id": "214E0E71FF854E5E82EA205D48BF41DE@example.org",
            "subject": "Design and manufacturing",
            "requester": {
                "email": "mould05@example.org",
                "name": "Powstar",
                "domain": "example.org",
            },
            "created_at": "2015-10-08T23:27:23+08:00",
            "attachments": [
                {"filename": "x9pji0tnw4sl3w.jpg", "content_type": "image/jpg", "size": 0},
                {"filename": "jhoq3.jpg", "content_type": "image/jpg", "size": 0},
            ],
            "body_start": "Dear potencial partner,\n"
            "We are professional in engineering, mold/tooling making&nbsp;and "
            "contract \n"
            "manufacturing in Shen",
            "body_chars": 920,
            "warnings": [],
        },
    ),
    Case(
        "utf-8 headers (RFC 6532), cyrillic file name",
        "nice/unicode1",
        {
            "id": "b497e6c2@example.срб",
            "subject": "Domače omrežje",
            "requester": {
                "email": "Marilù.Gioffré@esempio-università.it",
                "name": "Marilù Gioffré ♥",
                "domain": "esempio-università.it",
            },
            "created_at": "2015-10-05T12:00:00+02:00",
            "attachments": [
                {
                    "filename": "документы для отдела кадров.pdf",
                    "content_type": "application/octet-stream",
                    "size": 8,
                }
            ],
            "body_start": "",
            "body_chars": 0,
            "warnings": [],
        },
    ),
    Case(
        "From with no address, Date with no zone",
        "nice/unicode2",
        {
            "id": "123@test.example.com",
            "subject": (
                "【重要訊息】台電105年3月電費，委託金融機構扣繳成功電子繳費憑證(電號07487616730)"
            ),
            "requester": {},
            "created_at": "2026-11-24T09:00:00+00:00",
            "attachments": [],
            "body_start": "test",
            "body_chars": 4,
            "warnings": [
                (
                    "mail/no-from",
                    "From '👉 test' has no usable address; the ticket has no requester",
                ),
                (
                    "mail/bad-date",
                    "Date 'Thu, 16 Jun 2016 00:41:19 (UTC)' has no time zone; created_at is "
                    "the time of receipt, 2026-11-24T09:00:00+00:00",
                ),
            ],
        },
    ),
    Case(
        "utf-8 encoded-word cjk subject",
        "spam/unicode2",
        {
            "id": "2C7BE61004190A0F2073796F2C@MZZTQKTVAKJHJCZ",
            "subject": "外贸客户开发，势在必行",
            "requester": {"email": "ts4@nj080.top", "domain": "nj080.top"},
            "created_at": "2023-04-25T10:15:31+08:00",
            "attachments": [],
            "body_start": "WhatsApp目前已经是国外最火的即时聊天通讯软件，"
            "那么外贸人如何通过WhatsApp来开发到客户呢。\n"
            "\n"
            "1，收集目标客户手机号，定位您想要挖掘的国家区域，批量获取目标客户的手机号，邮箱等。\n"
            "2，自动提取所属行业群组成员手机号，一键操作。",
            "body_chars": 257,
            "warnings": [],
        },
    ),
    Case(
        "invalid content type read as text",
        "spam/badctype1",
        {
            "id": "mail-3a0ddb4a8d9d9178db83",
            "subject": "Teenie Camp",
            "requester": {
                "email": "james5293102@teeniecamp4free.com",
                "name": "Yoda",
                "domain": "teeniecamp4free.com",
            },
            "created_at": "2002-10-19T09:37:18-04:00",
            "attachments": [],
            "body_start": "totally <br> natural",
            "body_chars": 20,
            "warnings": [],
        },
    ),
    Case(
        "one byte",
        "spam/bsmtpnull",
        {
            "id": "mail-01ba4719c80b6fe911b0",
            "subject": "",
            "requester": {},
            "created_at": "2026-11-24T09:00:00+00:00",
            "attachments": [],
            "body_start": "",
            "body_chars": 0,
            "warnings": [
                ("mail/no-from", "no From header; the ticket has no requester"),
                (
                    "mail/bad-date",
                    "no Date header; created_at is the time of receipt, 2026-11-24T09:00:00+00:00",
                ),
            ],
        },
    ),
    Case(
        "no Date",
        "nice/003",
        {
            "id": "mail-309b47179bb5b3bc78d8",
            "subject": "Re: [SAtalk] auto-whitelisting order",
            "requester": {
                "email": "whitelist_test@whitelist.spamassassin.taint.org",
                "name": "Whitelist Nonspam Testing",
                "domain": "whitelist.spamassassin.taint.org",
            },
            "created_at": "2026-11-24T09:00:00+00:00",
            "attachments": [],
            "body_start": "tst",
            "body_chars": 3,
            "warnings": [
                (
                    "mail/bad-date",
                    "no Date header; created_at is the time of receipt, 2026-11-24T09:00:00+00:00",
                )
            ],
        },
    ),
    Case(
        "Date -0000 is UTC",
        "nice/002",
        {
            "id": "1896.144.137.3.98.1007630466.squirrel@jmason.org",
            "subject": "Re: [SAtalk] auto-whitelisting order",
            "requester": {
                "email": "whitelist_test@whitelist.spamassassin.taint.org",
                "name": "Whitelist Nonspam Testing",
                "domain": "whitelist.spamassassin.taint.org",
            },
            "created_at": "2001-12-06T09:21:06+00:00",
            "attachments": [],
            "body_start": "> eh? Craig, why'd you set the auto-whitelist dir to 'undef'?\n"
            "blah blah blah... no body needed, this is a test\n"
            "Well, let",
            "body_chars": 269,
            "warnings": [],
        },
    ),
    Case(
        "html without charset",
        "spam/009",
        {
            "id": "78w08.t365th3y6x7h@yahoo.com",
            "subject": "foo",
            "requester": {"email": "renterr989@hotmail.com", "domain": "hotmail.com"},
            "created_at": "2001-08-29T04:20:43-08:00",
            "attachments": [],
            "body_start": "subscription cancelable at anytime. Click the “YourAccount” "
            'Poster1">CUMSLUTS..VIRGIN TEENS..EXTREME HARDCORE FETISH !!!',
            "body_chars": 523,
            "warnings": [
                (
                    "mail/bad-charset",
                    "the text/html body: 8-bit text without a charset; decoded as cp1252",
                )
            ],
        },
    ),
    Case(
        "base64 of bad length",
        "nice/mime4",
        {
            "id": "9105241440.AA08935@sleepy.bellcore.com",
            "subject": "A cheap digitizer test",
            "requester": {
                "email": "sau@sleepy.bellcore.com",
                "name": "Stephen A Uhler",
                "domain": "sleepy.bellcore.com",
            },
            "created_at": "1991-05-24T10:40:25-04:00",
            "attachments": [{"filename": "", "content_type": "image/pgm", "size": 443}],
            "body_start": "Well, here's a sample",
            "body_chars": 21,
            "warnings": [
                (
                    "mail/defect",
                    "malformed message: base64 encoded sequence had invalid length (1 mod 4)",
                )
            ],
        },
    ),
    Case(
        "multipart without parts",
        "spam/017",
        {
            "id": "SHLMCGSQPOYZLKVTOKMEVA@dunlopdriver.com",
            "subject": "no r-x req",
            "requester": {
                "email": "Gagnenljl@mindspring.com",
                "name": "Tameka Otto",
                "domain": "mindspring.com",
            },
            "created_at": "2004-12-02T10:55:50-05:00",
            "attachments": [],
            "body_start": "",
            "body_chars": 0,
            "warnings": [
                ("mail/defect", "malformed message: the claimed start boundary was never found"),
                (
                    "mail/defect",
                    "malformed message: a message claimed to be a multipart but no subparts "
                    "were found",
                ),
            ],
        },
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_interesting_corpus_messages(case: Case) -> None:
    """CJK, broken encodings, HTML-only bodies, missing dates: the whole ticket view."""
    corpus = require_corpus()
    mail = parse_message((corpus / case.path).read_bytes(), received_at=RECEIVED)
    assert _view(mail) == case.want
