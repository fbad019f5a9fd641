"""``routing dry-run --tickets`` over mail: a Maildir, an mbox, an .eml; warnings on stderr."""

from __future__ import annotations

import io
import json
import mailbox
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.email.corpus import require_corpus

from routing.cli.main import main

NOW = "2026-11-24T12:00:00Z"
RECEIPT = 1_767_225_600  # 2026-01-01T00:00:00Z, the files' modification time
RULES = """\
version: 1
queues: [support, china-desk, lists]
stages:
  - name: triage
    mode: first
    rules:
      - name: mailing list
        when: headers["List-Id"] is not empty
        then: [{route: lists}, {tag: list}]
      - name: chinese
        when: subject matches /[\\x{4e00}-\\x{9fff}]/
        then: [{route: china-desk}, {tag: cjk}]
      - name: attachments
        when: len(attachments) > 0
        then: [{route: support}, {tag: has-attachment}]
      - name: rest
        when: true
        then: [{route: support}]
"""


def _rules(tmp_path: Path) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[Any], str]:
    code = main(["dry-run", *argv, "--now", NOW, "--format", "jsonl", "--jobs", "1"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def _decision(ticket_id: str, queue: str, tags: list[str], fired: str) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "queue": queue,
        "priority": "normal",
        "status": "new",
        "assignee": None,
        "tags": tags,
        "spam": False,
        "spam_score": 0.0,
        "fields": {},
        "fired": [fired],
        "effects": [],
        "sla": None,
        "errors": [],
    }


def _corpus_file(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((require_corpus() / name).read_bytes())
    os.utime(target, (RECEIPT, RECEIPT))
    return target


def test_dry_run_over_a_maildir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One decision per message, sorted by file name; warnings name the message and file."""
    box = tmp_path / "Maildir"
    (box / "tmp").mkdir(parents=True)
    _corpus_file("nice/cjk/gb2312.2", box / "cur" / "1000000003.c:2,S")
    _corpus_file("nice/unicode2", box / "new" / "1000000001.a")
    _corpus_file("spam/utf16.eml", box / "new" / "1000000002.b")
    _corpus_file("nice/mailman_message.txt", box / "cur" / "1000000004.d:2,")
    code, decisions, err = _run(capsys, _rules(tmp_path), "--tickets", str(box))
    assert (code, decisions) == (
        0,
        [
            _decision("123@test.example.com", "china-desk", ["cjk"], "chinese"),
            _decision(
                "214E0E71FF854E5E82EA205D48BF41DE@example.org",
                "support",
                ["has-attachment"],
                "attachments",
            ),
            _decision(
                "E60F573776CE0148AD3E7FAB07E4C840CC79EC@mail03.quanta.corp",
                "china-desk",
                ["cjk"],
                "chinese",
            ),
            _decision("87elc9xk7t.fsf@mail.wine.dyndns.org", "lists", ["list"], "mailing list"),
        ],
    )
    assert err == (
        f"{box}: message 1 (new/1000000001.a): warning mail/no-from: From '👉 test' has no "
        "usable address; the ticket has no requester\n"
        f"{box}: message 1 (new/1000000001.a): warning mail/bad-date: Date 'Thu, 16 Jun 2016 "
        "00:41:19 (UTC)' has no time zone; created_at is the time of receipt, "
        "2026-01-01T00:00:00+00:00\n"
    )


def test_dry_run_over_an_mbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Messages in file order, numbered from 1; a file starting with From_ needs no extension."""
    corpus = require_corpus()
    path = tmp_path / "inbox"
    box = mailbox.mbox(path)
    for name in ("spam/unicode2", "nice/003", "nice/cjk/iso-2022-jp.1"):
        box.add((corpus / name).read_bytes())
    box.close()
    os.utime(path, (RECEIPT, RECEIPT))
    code, decisions, err = _run(capsys, _rules(tmp_path), "--tickets", str(path))
    assert (code, decisions) == (
        0,
        [
            _decision(
                "2C7BE61004190A0F2073796F2C@MZZTQKTVAKJHJCZ", "china-desk", ["cjk"], "chinese"
            ),
            _decision("mail-309b47179bb5b3bc78d8", "support", [], "rest"),
            _decision(
                "87pts29hvu.wl@shinichiro.stained-g.net",
                "support",
                ["has-attachment"],
                "attachments",
            ),
        ],
    )
    assert err == (
        f"{path}: message 2: warning mail/bad-date: no Date header; created_at is the time of "
        "receipt, 2026-01-01T00:00:00+00:00\n"
    )


def test_dry_run_over_an_eml_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _corpus_file("spam/gtube.eml", tmp_path / "gtube.eml")
    code, decisions, err = _run(capsys, _rules(tmp_path), "--tickets", str(path))
    assert (code, decisions, err) == (
        0,
        [_decision("GTUBE1.1010101@example.com", "support", [], "rest")],
        "",
    )


def test_dry_run_reads_one_message_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"From: a@b.example\nMessage-ID: <x@y>\nSubject: \xe4\xb8\xad\n\nhi"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, decisions, err = _run(capsys, _rules(tmp_path), "--tickets", "-", "--input-format", "eml")
    assert (code, decisions) == (0, [_decision("x@y", "china-desk", ["cjk"], "chinese")])
    assert err.startswith("<stdin>: message 1: warning mail/bad-date: no Date header; ")


ERRORS = (
    (
        "a directory that is not a Maildir",
        ["--tickets", "{tmp}"],
        "'{tmp}' is a directory but not a Maildir (it has no cur, new or tmp folder)",
    ),
    (
        "an mbox on stdin",
        ["--tickets", "-", "--input-format", "mbox"],
        "mbox cannot be read from standard input; give its path",
    ),
    (
        "a Maildir that is a file",
        ["--tickets", "{tmp}/rules.yaml", "--input-format", "maildir"],
        "'{tmp}/rules.yaml' is not a directory, expected a Maildir folder",
    ),
    (
        "an mbox that is a directory",
        ["--tickets", "{tmp}", "--input-format", "mbox"],
        "'{tmp}' is a directory, expected an mbox file",
    ),
    (
        "a missing file without extension",
        ["--tickets", "{tmp}/inbox"],
        "tickets file '{tmp}/inbox' not found",
    ),
    (
        "a file that is neither tickets nor mail",
        ["--tickets", "{tmp}/rules.yaml"],
        "cannot tell the format of '{tmp}/rules.yaml' from its extension (known: .jsonl, "
        ".ndjson, .json-lines, .csv, .eml, .mbox, .mbx) or its content; pass --input-format "
        "(jsonl, csv, eml, mbox, maildir)",
    ),
)


@pytest.mark.parametrize(("note", "argv", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_dry_run_mail_usage_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    note: str,
    argv: list[str],
    message: str,
) -> None:
    """A mail source that cannot be read: one line, exit 2, no traceback."""
    rules = _rules(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code = main(["dry-run", rules, *args, "--now", NOW, "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (
        2,
        "",
        "routing dry-run: error: " + message.replace("{tmp}", str(tmp_path)) + "\n",
    )
