"""`read_messages` and `is_mailbox_path`: .eml files, mbox files, Maildir folders."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from routing.email import ParsedMail, is_mailbox_path, read_messages

RECEIVED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MTIME = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _message(n: int, date: bool = True) -> bytes:
    head = f"From: user{n}@example.org\nSubject: message {n}\nMessage-ID: <m{n}@example.org>\n"
    if date:
        head += f"Date: Tue, 0{n} Sep 2026 10:00:00 +0000\n"
    return (head + f"\nbody {n}\nFrom the start of a line\n").encode()


def _view(mails: list[ParsedMail]) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (
            m.ticket.id,
            m.ticket.body,
            m.ticket.created_at.isoformat() if m.ticket.created_at else None,
            m.source,
        )
        for m in mails
    ]


def _touch(path: Path, when: datetime = MTIME) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_an_mbox_is_read_in_file_order(tmp_path: Path) -> None:
    """Messages split at From_ lines (the escaped >From stays), numbered in the source name."""
    box = tmp_path / "inbox.mbox"
    box.write_bytes(
        b"".join(
            b"From sender@example.org Tue Sep  1 10:00:00 2026\n"
            + _message(n).replace(b"\nFrom the", b"\n>From the")
            + b"\n"
            for n in (3, 1, 2)
        )
    )
    _touch(box)
    assert _view(list(read_messages(box))) == [
        (
            f"m{n}@example.org",
            f"body {n}\n>From the start of a line",
            f"2026-09-0{n}T10:00:00+00:00",
            f"{box}, message {i}",
        )
        for i, n in enumerate((3, 1, 2), 1)
    ]


def test_a_maildir_is_read_sorted_by_file_name(tmp_path: Path) -> None:
    """new/ and cur/ together, by file name; tmp/ and dot files are not messages."""
    for folder in ("new", "cur", "tmp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "cur" / "1700000002.b:2,S").write_bytes(_message(2))
    (tmp_path / "new" / "1700000001.a").write_bytes(_message(1))
    (tmp_path / "new" / "1700000003.c").write_bytes(_message(3, date=False))
    (tmp_path / "new" / ".hidden").write_bytes(_message(4))
    (tmp_path / "tmp" / "1700000000.z").write_bytes(_message(5))
    _touch(tmp_path / "new" / "1700000003.c")
    got = list(read_messages(tmp_path))
    assert _view(got) == [
        (
            "m1@example.org",
            "body 1\nFrom the start of a line",
            "2026-09-01T10:00:00+00:00",
            str(tmp_path / "new" / "1700000001.a"),
        ),
        (
            "m2@example.org",
            "body 2\nFrom the start of a line",
            "2026-09-02T10:00:00+00:00",
            str(tmp_path / "cur" / "1700000002.b:2,S"),
        ),
        (
            "m3@example.org",
            "body 3\nFrom the start of a line",
            MTIME.isoformat(),
            str(tmp_path / "new" / "1700000003.c"),
        ),
    ]
    assert [w.code for w in got[2].warnings] == ["mail/bad-date"]


def test_a_maildir_without_cur_is_read(tmp_path: Path) -> None:
    """Version control keeps no empty folders: new/ alone is a Maildir."""
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "1").write_bytes(_message(1))
    assert [m.ticket.id for m in read_messages(tmp_path)] == ["m1@example.org"]


def test_an_eml_file_falls_back_to_its_modification_time(tmp_path: Path) -> None:
    """received_at, when not given, is when the file was written."""
    path = tmp_path / "one.eml"
    path.write_bytes(_message(1, date=False))
    _touch(path)
    assert _view(list(read_messages(path))) == [
        ("m1@example.org", "body 1\nFrom the start of a line", MTIME.isoformat(), str(path))
    ]


def test_received_at_given_beats_the_file_time(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(_message(1, date=False))
    [mail] = read_messages(path, received_at=RECEIVED)
    assert mail.ticket.created_at == RECEIVED


def test_a_missing_source_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(read_messages(tmp_path / "nope.mbox"))


def test_a_path_that_is_no_mail_source_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "tickets.txt"
    path.write_text('{"id": "T-1"}\n')
    with pytest.raises(ValueError, match=r"is not an \.eml file, an mbox file or a Maildir"):
        list(read_messages(path))


def test_a_kind_that_does_not_fit_the_path_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        list(read_messages(tmp_path / "x.eml", kind="maildir"))
    with pytest.raises(IsADirectoryError):
        list(read_messages(tmp_path, kind="mbox"))


@dataclass(frozen=True)
class Case:
    note: str
    name: str
    content: bytes | None  # None: a directory; with content b"cur" a Maildir
    want: str | None


KIND_CASES = (
    Case(".eml by extension", "a.EML", b"anything", "eml"),
    Case(".mbox by extension", "a.mbox", b"", "mbox"),
    Case(".mbx by extension", "a.mbx", b"", "mbox"),
    Case("From_ line", "inbox", b"From a@b Tue Sep  1 10:00:00 2026\nSubject: x\n\n", "mbox"),
    Case("header line", "001", b"Return-Path: <a@b>\nSubject: x\n\n", "eml"),
    Case("json lines", "tickets", b'{"id": "T-1"}\n', None),
    Case("csv", "tickets2", b"id,subject\nT-1,x\n", None),
    Case("empty file", "empty", b"", None),
    Case("maildir", "box", b"cur", "maildir"),
    Case("other directory", "dir", None, None),
    Case("missing", "missing", b"missing", None),
)


@pytest.mark.parametrize("case", KIND_CASES, ids=[c.note for c in KIND_CASES])
def test_is_mailbox_path(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.name
    if case.content is None:
        path.mkdir()
    elif case.content == b"cur":
        (path / "cur").mkdir(parents=True)
    elif case.content != b"missing":
        path.write_bytes(case.content)
    assert is_mailbox_path(path) == case.want
