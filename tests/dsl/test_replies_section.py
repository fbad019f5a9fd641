"""The rule file's ``replies:`` section: built, merged, checked, compiled, formatted, schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import jsonschema
import pytest
import yaml
from tests.checking import diagnostics_through

import routing
from routing.compiler.compiler import CompiledReplies, compile_ruleset
from routing.dsl.formatter import format_text
from routing.dsl.jsonschema import rule_file_schema
from routing.dsl.passes.check_actions import is_address, is_domain_pattern

Found = tuple[str, str, str | None, str]


def _found(*files: tuple[str, str]) -> list[Found]:
    return [
        (d.code, d.message, d.hint, f"{d.file}:{d.line}:{d.column}")
        for d in diagnostics_through("check_limits", *files)
    ]


def _file(replies: str) -> str:
    return "version: 1\nreplies:\n" + "".join(f"  {line}\n" for line in replies.splitlines())


@dataclass(frozen=True)
class Case:
    note: str
    replies: str
    want: list[Found]


CASES = [
    Case(
        "a full section is clean",
        "from: desk@acme.example\nown_addresses: ['*@acme.example']\n"
        "rate_limits: [{limit: 5, per: 10m}, {limit: 50, per: 1d}]",
        [],
    ),
    Case(
        "an unknown key has a did-you-mean",
        "own_adresses: [desk@acme.example]",
        [
            (
                "file/unknown-key",
                "unknown key 'own_adresses' in 'replies'",
                "did you mean 'own_addresses'?",
                "r.yaml:3:3",
            )
        ],
    ),
    Case(
        "a display name in own_addresses",
        "own_addresses: ['Desk <desk@acme.example>', ok@acme.example]",
        [
            (
                "replies/bad-address",
                "expected an e-mail address or a *@domain pattern, found "
                "'Desk <desk@acme.example>'",
                "write a bare address (support@example.com) or a whole domain "
                "(*@example.com), without a display name",
                "r.yaml:3:19",
            )
        ],
    ),
    Case(
        "a pattern in from",
        "from: '*@acme.example'",
        [
            (
                "replies/bad-address",
                "'from' takes the one address replies are sent from, found '*@acme.example'",
                "list patterns under 'own_addresses'",
                "r.yaml:3:9",
            )
        ],
    ),
    Case(
        "an address without a domain in from",
        "from: desk",
        [
            (
                "replies/bad-address",
                "'from' takes the one address replies are sent from, found 'desk'",
                "write a bare address such as support@example.com",
                "r.yaml:3:9",
            )
        ],
    ),
    Case(
        "own_addresses that is not a list",
        "own_addresses: desk@acme.example",
        [
            (
                "file/wrong-type",
                "expected a list of e-mail addresses and *@domain patterns, found a string",
                None,
                "r.yaml:3:18",
            )
        ],
    ),
    Case(
        "a limit below 1",
        "rate_limits: [{limit: 0, per: 10m}]",
        [
            (
                "replies/bad-rate-limit",
                "a rate limit allows at least 1 reply, found 0",
                "to send no auto-replies at all, set 'no_reply: true' in a rule",
                "r.yaml:3:25",
            )
        ],
    ),
    Case(
        "a negative limit",
        "rate_limits: [{limit: -3, per: 10m}]",
        [
            (
                "replies/bad-rate-limit",
                "a rate limit allows at least 1 reply, found -3",
                "to send no auto-replies at all, set 'no_reply: true' in a rule",
                "r.yaml:3:25",
            )
        ],
    ),
    Case(
        "a fractional limit",
        "rate_limits: [{limit: 1.5, per: 10m}]",
        [
            (
                "replies/bad-rate-limit",
                "expected a whole number of replies, found 1.5",
                None,
                "r.yaml:3:25",
            )
        ],
    ),
    Case(
        "a limit that is a string",
        "rate_limits: [{limit: ten, per: 10m}]",
        [
            (
                "file/wrong-type",
                "expected a whole number of replies, found a string",
                None,
                "r.yaml:3:25",
            )
        ],
    ),
    Case(
        "a window of 0s",
        "rate_limits: [{limit: 1, per: 0s}]",
        [
            (
                "replies/bad-rate-limit",
                "a rate limit counts over a window longer than 0s, found '0s'",
                None,
                "r.yaml:3:33",
            )
        ],
    ),
    Case(
        "a malformed window",
        "rate_limits: [{limit: 1, per: 10 min}]",
        [
            (
                "literal/bad-duration",
                "expected a window such as 10m, found '10 min'",
                "a duration is whole units from weeks to seconds: 30s 15m 2h 3d 1w 1h30m",
                "r.yaml:3:33",
            )
        ],
    ),
    Case(
        "a tier without a window",
        "rate_limits: [{limit: 1}]",
        [("file/missing-key", "a rate limit has no 'per' key", None, "r.yaml:3:17")],
    ),
    Case(
        "windows out of order",
        "rate_limits: [{limit: 10, per: 1h}, {limit: 20, per: 1h}]",
        [
            (
                "replies/rate-limit-order",
                "tier 2 counts over 1h, not longer than the 1h of the tier before it",
                "list the tiers from the shortest window to the longest",
                "r.yaml:3:56",
            )
        ],
    ),
    Case(
        "a longer window with a lower limit",
        "rate_limits: [{limit: 10, per: 10m}, {limit: 5, per: 1h}]",
        [
            (
                "replies/rate-limit-order",
                "tier 2 allows 5 replies per 1h, not more than the 10 per 10m of the tier "
                "before it, which could never apply",
                "a longer window needs a higher limit",
                "r.yaml:3:48",
            )
        ],
    ),
    Case(
        "a broken tier is not compared with its neighbours",
        "rate_limits: [{limit: 10, per: 1h}, {limit: 0, per: 10m}, {limit: 20, per: 2h}]",
        [
            (
                "replies/bad-rate-limit",
                "a rate limit allows at least 1 reply, found 0",
                "to send no auto-replies at all, set 'no_reply: true' in a rule",
                "r.yaml:3:47",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_replies_section_diagnostics(case: Case) -> None:
    assert _found(("r.yaml", _file(case.replies))) == case.want


def test_replies_section_twice_in_a_directory_is_a_located_error() -> None:
    first = _file("from: desk@acme.example")
    second = "version: 1\nqueues: [q]\nreplies:\n  rate_limits: []\n"
    assert _found(("a.yaml", first), ("b.yaml", second)) == [
        (
            "name/duplicate",
            "'replies' is declared in more than one file",
            None,
            "b.yaml:3:1",
        )
    ]


def test_replies_section_compiles_with_from_among_own_addresses() -> None:
    ruleset = routing.loads(
        _file(
            "from: Desk@Acme.example\nown_addresses: [Sales@acme.example, '*@Partner.example']\n"
            "rate_limits: [{limit: 5, per: 10m}, {limit: 50, per: 1d}]"
        )
    )
    assert compile_ruleset(ruleset.checked).replies == CompiledReplies(
        "Desk@Acme.example",
        frozenset({"desk@acme.example", "sales@acme.example", "*@partner.example"}),
        ((5, timedelta(minutes=10)), (50, timedelta(days=1))),
    )


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("version: 1\n", CompiledReplies(None, frozenset(), None)),
        (_file("rate_limits: []"), CompiledReplies(None, frozenset(), ())),
    ],
    ids=["no section: defaults", "empty tiers: switched off"],
)
def test_replies_section_absent_or_empty_tiers(text: str, want: CompiledReplies) -> None:
    assert compile_ruleset(routing.loads(text).checked).replies == want


@pytest.mark.parametrize(
    ("text", "address", "pattern"),
    [
        ("desk@acme.example", True, False),
        ("desk+tag@acme.example", True, False),
        ("jürgen@bücher.example", True, False),
        ("*@acme.example", False, True),
        ("Desk <desk@acme.example>", False, False),
        ("desk@", False, False),
        ("@acme.example", False, False),
        ("de sk@acme.example", False, False),
        ("de*sk@acme.example", False, False),
        ("*@*.acme.example", False, False),
        ("desk@acme..example", False, False),
        ("desk@-acme.example", False, False),
    ],
)
def test_address_syntax(text: str, address: bool, pattern: bool) -> None:
    assert (is_address(text), is_domain_pattern(text)) == (address, pattern)


def test_fmt_puts_replies_keys_in_canonical_order() -> None:
    text = (
        "version: 1\n"
        "stages: []\n"
        "replies:\n"
        "  rate_limits:\n"
        "    - {per: 10m, limit: 5}\n"
        "  own_addresses: ['*@acme.example']\n"
        "  from: desk@acme.example\n"
        "templates: {ack: hi}\n"
    )
    formatted, diags = format_text(text, "r.yaml")
    assert diags == []
    assert formatted == (
        "version: 1\n"
        "templates: {ack: hi}\n"
        "replies:\n"
        "  from: desk@acme.example\n"
        "  own_addresses: ['*@acme.example']\n"
        "  rate_limits:\n"
        "    - {limit: 5, per: 10m}\n"
        "stages: []\n"
    )


def _schema_errors(text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(rule_file_schema())
    return sorted(e.json_path for e in validator.iter_errors(yaml.safe_load(text)))


def test_schema_accepts_the_replies_section() -> None:
    assert (
        _schema_errors(
            _file(
                "from: desk@acme.example\nown_addresses: [a@acme.example, '*@acme.example']\n"
                "rate_limits: [{limit: 10, per: 10m}, {limit: 100, per: 10h}]"
            )
        )
        == []
    )


def test_schema_flags_mistakes_in_the_replies_section() -> None:
    assert _schema_errors(
        _file(
            "from: 'Desk <d@acme.example>'\nown_adresses: []\n"
            "rate_limits: [{limit: 0, per: 10 minutes}]"
        )
    ) == [
        "$.replies",
        "$.replies.from",
        "$.replies.rate_limits[0].limit",
        "$.replies.rate_limits[0].per",
    ]
