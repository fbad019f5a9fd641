"""Generated condition code (`routing.compiler.codegen`): the same answers as the reference.

- Differential: on generated, well-typed rule sets (text tests of every kind on every text,
  order and rank comparisons, custom fields of every type, defines, nested ``and``/``or``/
  ``not``) and Hypothesis tickets (folds that change lengths, odd white space, missing and
  mistyped fields), the engine's decision equals the reference evaluator's
  (`tests/oracle.py`), and the explain plan (recording code) decides as `evaluate` does,
  error messages included.
- Failures: which nodes can raise `EvalFailure`, and ``and``/``or`` keep the first error.
- Safety: a hostile text constant stays a value; the code's file names name the rule.
"""

from __future__ import annotations

import ast as py
import copy
import traceback
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.oracle import Evaluator, OracleError, OracleState, compare_keys, engine_view, run_oracle

import routing
from routing.compiler.codegen import CodeGen, locate, observed_nodes
from routing.compiler.state import EvalFailure
from routing.dsl import ast
from routing.dsl.passes._context import children as ast_children
from routing.model.ticket import Ticket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

HEAD = """\
version: 1
fields:
  mrr: {type: number}
  note: {type: string}
  plan: {type: enum, values: [free, pro, enterprise]}
  flag: {type: boolean}
  langs: {type: list}
  renew: {type: datetime}
lists:
  kw: [refund, "money back", straße, "i̇stanbul", "ﬀ", "a_b", "", "5xx"]
  domains: [acme.example, "big.example"]
  nums: [1, 2.5]
define:
  rich: fields.mrr >= 100 or requester.domain in $domains
  wordy: text mentions any of $kw or subject matches /!{2,}/
  broke: fields.mrr < 1 and fields.plan == "free"
stages:
  - name: s
    mode: all
    rules:
"""

# ---------------------------------------------------------------------------- conditions

TEXTS = (
    "subject",
    "body",
    "text",
    "requester.email",
    'headers["X-Tag"]',
    "fields.note",
    "lower(subject)",
    "requester.name",
)
NEEDLES = (
    '"refund"',
    '"money back"',
    '"MONEY   back"',
    '"ss"',
    '"straße"',
    '"STRASSE"',
    '"İ"',
    '"i"',
    '""',
    '"a_b"',
    '"x-y"',
    '"!"',
    '"ﬀ"',
    '"5xx"',
)
NEEDLE_LISTS = (
    "$kw",
    '["refund", "x-y"]',
    "[]",
    '["", "ss"]',
    '["MONEY BACK", "İstanbul"]',
    "$domains",
    "fields.langs",
)
REGEXES = (
    r"/\b(abuse|dmca)\b/i",
    r"/^\s*(to )?unsubscribe\b/im",
    r"/!{3,}/",
    r"/\b5\d\d\b/",
    r"/straße/",
    r"/STRASSE/i",
    r"/k/i",
    r"/ſ/i",
    r"/^[\p{Lu}\d\s]{4,}$/",
    r"/https?:\S+/i",
    r"/(out of office|respuesta automática)/i",
    r"/a{2}b+/",
    r"/x(?:y|z)/",
)
SCALAR_TESTS = (
    "fields.mrr >= 100",
    "fields.mrr < 1",
    "fields.mrr == null",
    "fields.mrr != 0",
    "100 <= fields.mrr",
    "spam_score >= 1.5",
    "len(body) < 20",
    "len(fields.langs) >= 1",
    "since(created_at) > 1d",
    "since(fields.renew) > 1d",
    'hour(created_at, "Europe/Berlin") >= 12',
    'weekday(created_at, "Europe/Berlin") in ["sat", "sun"]',
    'hour(fields.renew, "America/New_York") < 6',
    'priority >= "high"',
    'priority < "normal"',
    'channel == "email"',
    'status in ["new", "open"]',
    'status not in ["new", "open"]',
    'fields.plan == "pro"',
    'fields.plan in ["pro", "enterprise"]',
    'fields.plan != "free"',
    "fields.flag",
    "fields.flag == true",
    "not fields.flag",
    'tags has "vip"',
    'tags has any of ["vip", "b"]',
    'tags has all of ["vip", "b"]',
    'tags has none of ["vip"]',
    'fields.langs has "de"',
    'fields.langs has any of ["de", "fr"]',
    "fields.note is empty",
    "fields.note is not empty",
    "fields.langs is empty",
    "subject is empty",
    'headers["X-Tag"] is not empty',
    "requester.domain in $domains",
    'requester.domain not in ["acme.example"]',
    'fields.renew < "2026-01-01T00:00:00Z"',
    "fields.renew > now()",
    "created_at < now()",
    "rich",
    "wordy",
    "broke",
    "not rich",
    "true",
    "false",
    'fields.langs == ["de", "fr"]',
    "fields.langs == []",
    'fields.langs != ["fr", "de"]',
    "tags == []",
    'tags == ["VIP", "b"]',
    'tags != ["vip"]',
    "tags has any of fields.langs",
    "tags has none of fields.langs",
    '"de" in fields.langs',
    '"de" not in fields.langs',
    'lower(fields.note) == "x"',
    "fields.mrr in $nums",
)


def _text_tests() -> st.SearchStrategy[str]:
    text = st.sampled_from(TEXTS)
    return st.one_of(
        st.builds("{} contains {}".format, text, st.sampled_from(NEEDLES)),
        st.builds(
            "{} contains {} of {}".format,
            text,
            st.sampled_from(["any", "all"]),
            st.sampled_from(NEEDLE_LISTS),
        ),
        st.builds("{} mentions {}".format, text, st.sampled_from(NEEDLES)),
        st.builds(
            "{} mentions {} of {}".format,
            text,
            st.sampled_from(["any", "all"]),
            st.sampled_from(NEEDLE_LISTS),
        ),
        st.builds("{} starts with {}".format, text, st.sampled_from(NEEDLES)),
        st.builds("{} ends with {}".format, text, st.sampled_from(NEEDLES)),
        st.builds("{} matches {}".format, text, st.sampled_from(REGEXES)),
        st.builds("{} mentions fields.note".format, text),
    )


def conditions() -> st.SearchStrategy[str]:
    """Well-typed conditions over `HEAD`'s declarations, nested a little."""
    atoms = st.one_of(_text_tests(), st.sampled_from(SCALAR_TESTS))
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            inner.map("not ({})".format),
            st.lists(inner, min_size=2, max_size=4).map(
                lambda ops: "(" + " and ".join(f"({o})" for o in ops) + ")"
            ),
            st.lists(inner, min_size=2, max_size=4).map(
                lambda ops: "(" + " or ".join(f"({o})" for o in ops) + ")"
            ),
        ),
        max_leaves=8,
    )


def rule_file(whens: list[str]) -> str:
    """A rule file whose rules test `whens` in turn; each tags the ticket when it fires."""
    rules = "".join(
        f"      - name: r{i}\n        when: '{w.replace(chr(39), chr(39) * 2)}'\n"
        f"        then: [{{tag: fired-{i}}}]\n"
        for i, w in enumerate(whens)
    )
    return HEAD + rules


# ---------------------------------------------------------------------------- tickets

_WORDS = st.sampled_from(
    [
        "refund",
        "Refund's",
        "refunded",
        "money",
        "back",
        "MONEY\n\tBACK",
        "STRAẞE",
        "straße",
        "Strasse",
        "İstanbul",
        "ǰ",
        "ﬀ",
        "a_b",
        "x-y",
        "5xx",
        "500",
        "abuse",
        "DMCA",
        "unsubscribe",
        "to unsubscribe",
        "https://x.example/a",
        "!!!",
        "K",
        "ſ",
        "Out of office",
        "respuesta automática",
        "aab",
        "xz",
        "SHOUT",
    ]
)
_SPACE = st.sampled_from([" ", "  ", "\n", "\u00a0", "\u2003", "\t", "", ",", "."])


def _texts() -> st.SearchStrategy[str]:
    return st.lists(st.tuples(_WORDS, _SPACE), max_size=6).map(
        lambda parts: "".join(w + s for w, s in parts)
    )


def _field_values() -> st.SearchStrategy[dict[str, Any]]:
    values: dict[str, st.SearchStrategy[Any]] = {
        "mrr": st.one_of(st.none(), st.integers(-5, 500), st.sampled_from([0.5, "10", True])),
        "note": st.one_of(st.none(), _texts(), st.just(5)),
        "plan": st.one_of(st.none(), st.sampled_from(["free", "pro", "enterprise", "gold", 1])),
        "flag": st.one_of(st.none(), st.booleans(), st.just("yes")),
        "langs": st.one_of(st.none(), st.lists(st.sampled_from(["de", "fr", "en"])), st.just("de")),
        "renew": st.one_of(
            st.none(), st.sampled_from(["2025-06-01T00:00:00Z", "2027-01-01T12:00:00+02:00", "x"])
        ),
    }
    return st.fixed_dictionaries({}, optional=values)


def tickets() -> st.SearchStrategy[dict[str, Any]]:
    """Ticket dicts: texts with folds that change lengths, odd spaces, missing fields."""
    return st.fixed_dictionaries(
        {
            "id": st.just("T-1"),
            "subject": _texts(),
            "body": _texts(),
            "fields": _field_values(),
        },
        optional={
            "requester": st.fixed_dictionaries(
                {},
                optional={
                    "email": st.sampled_from(["ann@acme.example", "Abuse@X.example", "k@ſ.x"]),
                    "name": _texts(),
                },
            ),
            "headers": st.fixed_dictionaries({}, optional={"X-Tag": _texts()}),
            "tags": st.lists(st.sampled_from(["vip", "b", "VIP"]), max_size=2),
            "priority": st.sampled_from(["low", "normal", "high", "urgent"]),
            "status": st.sampled_from(["new", "open", "pending"]),
            "channel": st.sampled_from(["email", "web"]),
            "spam_score": st.sampled_from([0.0, 2.0]),
            "created_at": st.sampled_from(
                ["2026-11-21T23:30:00Z", "2026-11-23T09:00:00+01:00", "2026-11-01T04:00:00Z"]
            ),
        },
    )


def _decide(ruleset: routing.Ruleset, ticket: dict[str, Any]) -> dict[str, Any]:
    return ruleset.evaluate(ticket, NOW).to_dict(trace=True)


SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(st.lists(conditions(), min_size=1, max_size=4), st.lists(tickets(), min_size=1, max_size=3))
def test_generated_code_agrees_with_the_reference(whens: list[str], ticket_list: list[Any]) -> None:
    """Engine == oracle on every compared key (fired rules, errors by rule and code, tags...),
    and the explain plan (the recording code) decides exactly as `evaluate` does."""
    _agree(whens, ticket_list)


_NEEDLE_TEXTS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "refund",
                "money",
                "back",
                "MONEY BACK",
                "straße",
                "STRASSE",
                "İstanbul",
                "ﬀ",
                "a_b",
                "5xx",
                "x-y",
                "ss",
                "i",
                "refunds",
                "xrefund",
                "5XX!",
                "İ",
            ]
        ),
        _SPACE,
    ),
    max_size=5,
).map(lambda parts: "".join(w + s for w, s in parts))


@SETTINGS
@given(
    st.lists(_text_tests(), min_size=1, max_size=6),
    st.lists(
        st.fixed_dictionaries(
            {"id": st.just("T-1"), "subject": _NEEDLE_TEXTS, "body": _NEEDLE_TEXTS},
            optional={"fields": st.fixed_dictionaries({}, optional={"note": _NEEDLE_TEXTS})},
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_text_tests_agree_with_the_reference(whens: list[str], ticket_list: list[Any]) -> None:
    """The text machinery (one scan per text, confirmations, prefilters) on texts made of
    the needles themselves: the reference's answers, test by test."""
    _agree(whens, ticket_list)


def _agree(whens: list[str], ticket_list: list[Any]) -> None:
    text = rule_file(whens)
    ruleset = routing.loads(text)
    unindexed = routing.loads(text, index=False)
    for ticket in ticket_list:
        got = _decide(ruleset, ticket)
        assert got == _decide(unindexed, ticket)
        result = run_oracle(ruleset.checked, Ticket.from_dict(ticket), NOW)
        mine, theirs = compare_keys(result, engine_view(dict(got)))
        assert mine == theirs
        explained = ruleset.explain(ticket, NOW).to_dict()
        plain = ruleset.evaluate(ticket, NOW).to_dict()
        assert explained == plain


@SETTINGS
@given(conditions(), tickets())
def test_explain_records_what_the_reference_computes(when: str, ticket: dict[str, Any]) -> None:
    """Explain's recorded values of a first rule's tests: the reference's truth value or
    error code for every boolean node it shows, and every path or call a test reads is
    shown with a value whenever the test itself has one."""
    ruleset = routing.loads(rule_file([when]))
    checked = ruleset.checked
    trace = ruleset.explain(ticket, NOW).trace[0]
    nodes = observed_nodes(checked.expr(checked.stages[0].rules[0].when))
    assert len(nodes) == len(trace.tests)
    model = Ticket.from_dict(ticket)
    state = OracleState(
        ticket=model,
        now=NOW,
        queue=model.queue,
        priority=model.priority.value,
        status=model.status.value,
        assignee=model.assignee,
        tags=set(model.tags),
        fields=dict(model.fields),
        spam=model.spam,
        spam_score=float(model.spam_score),
    )
    reference = Evaluator(checked)
    values = dict(zip(map(id, nodes), (v for _, v in trace.tests), strict=True))
    for node, (_text, value) in zip(nodes, trace.tests, strict=True):
        if isinstance(value, str) and value == "(not evaluated)":
            continue
        if not isinstance(value, bool | EvalFailure):
            continue  # a path's or a call's value: its test is compared
        try:
            want: Any = bool(reference.value(node, state))
        except OracleError as exc:
            want = exc.code
        assert (value.code if isinstance(value, EvalFailure) else value) == want, _text
        if isinstance(node, ast.And | ast.Or | ast.Not | ast.Path | ast.Call):
            continue
        if isinstance(value, bool):
            for child in ast_children(node):
                if id(child) in values:
                    assert values[id(child)] != "(not evaluated)", (_text, child)


# ---------------------------------------------------------------------------- failures

ONE_RULE = HEAD + "      - {name: r, when: 'WHEN', then: [{tag: hit}]}\n"


def _outcome(when: str, fields: dict[str, Any]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    decision = routing.loads(ONE_RULE.replace("WHEN", when)).evaluate(
        {"id": "T-1", "subject": "hello", "fields": fields}, NOW
    )
    return decision.fired, [(e.code, e.message) for e in decision.errors]


MISSING_MRR = ("eval/missing-field", "the ticket has no custom field 'mrr'")
MISSING_PLAN = ("eval/missing-field", "the ticket has no custom field 'plan'")


@pytest.mark.parametrize(
    ("when", "fields", "want"),
    [
        pytest.param("fields.mrr > 1 and false", {}, ((), []), id="false-and-error-is-false"),
        pytest.param("false and fields.mrr > 1", {}, ((), []), id="error-after-false-unread"),
        pytest.param("fields.mrr > 1 or true", {}, (("r",), []), id="error-or-true-is-true"),
        pytest.param("fields.mrr > 1 and true", {}, ((), [MISSING_MRR]), id="error-and-true"),
        pytest.param(
            'fields.mrr > 1 and fields.plan == "pro"', {}, ((), [MISSING_MRR]), id="first-error"
        ),
        pytest.param(
            'fields.plan == "pro" or fields.mrr > 1', {}, ((), [MISSING_PLAN]), id="first-error-or"
        ),
        pytest.param(
            'subject == "x" or fields.mrr > 1 or fields.plan == "pro"',
            {},
            ((), [MISSING_MRR]),
            id="first-error-after-a-safe-operand",
        ),
        pytest.param(
            'fields.plan == "pro" and (fields.mrr > 1 or subject == "hello")',
            {"plan": "pro"},
            (("r",), []),
            id="nested-or-absorbs",
        ),
        pytest.param(
            "not (fields.mrr > 1)",
            {"mrr": None},
            ((), [("eval/type-error", "cannot compare null with '>'")]),
            id="not-passes-the-error-on",
        ),
    ],
)
def test_and_or_absorb_errors_as_before(
    when: str, fields: dict[str, Any], want: tuple[Any, ...]
) -> None:
    """An error is dropped where the result does not depend on it; else the first one."""
    assert _outcome(when, fields) == want


def _codegen(when: str) -> tuple[CodeGen, ast.Expr]:
    ruleset = routing.loads(ONE_RULE.replace("WHEN", when))
    checked = ruleset.checked
    gen = CodeGen(checked, lambda name: lambda s: None)
    return gen, checked.expr(checked.stages[0].rules[0].when)


@pytest.mark.parametrize(
    ("when", "fails"),
    [
        ('channel == "phone"', False),
        ('tags has "x"', False),
        ("text mentions any of $kw", False),
        ('subject matches /a/ and not spam and priority < "high"', False),
        ("len(body) < 3 and since(created_at) > 1d", False),
        ('hour(created_at, "Europe/Berlin") >= 22', False),
        ("requester.domain in $domains", False),
        ("fields.mrr > 1", True),
        ('fields.plan == "pro"', True),
        ("rich", True),
        ('fields.note contains "a"', True),
        ("subject contains any of fields.langs", True),
        ("since(fields.renew) > 1d", True),
        ('subject == "a" or fields.flag', True),
    ],
)
def test_fails_knows_which_nodes_may_raise(when: str, fails: bool) -> None:
    """The static analysis behind native ``and``/``or``: conservative, and exact here."""
    gen, expr = _codegen(when)
    assert gen.fails(expr) is fails


def test_safe_and_or_are_python_operators() -> None:
    """A condition no operand of which can fail is one function, with no helper."""
    gen, expr = _codegen('channel == "email" and (tags has "vip" or not spam)')
    fn = gen.condition(expr, "rule 'r'")
    assert [name for name in gen.ns if name.startswith(("_and", "_or"))] == []
    assert fn.__code__.co_filename == "<rule 'r'>"


# ---------------------------------------------------------------------------- safety

HOSTILE = "\"'); __import__('os').system('echo x') #\n\\ {} \t ${x} %s"


def _dsl_string(text: str) -> str:
    """`text` as a rule-language string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\t", "\\t") + '"'


def test_a_hostile_text_constant_stays_a_value() -> None:
    """Quotes, newlines and ``__import__`` in a literal are a value the code compares with:
    the rule fires exactly for that subject and the code names no such thing."""
    literal = _dsl_string(HOSTILE)
    when = f"subject == {literal} or body contains {literal}"
    ruleset = routing.loads(ONE_RULE.replace("WHEN", when.replace("'", "''")))
    assert ruleset.evaluate({"id": "T-1", "subject": HOSTILE}, NOW).fired == ("r",)
    assert ruleset.evaluate({"id": "T-1", "body": "a" + HOSTILE.upper()}, NOW).fired == ("r",)
    assert ruleset.evaluate({"id": "T-1", "subject": HOSTILE[:-1]}, NOW).fired == ()
    gen, expr = _codegen(f"subject == {literal}".replace("'", "''"))
    fn = gen.condition(expr, "rule 'r'")
    assert HOSTILE in fn.__code__.co_consts
    assert set(fn.__code__.co_names) == {"ticket", "subject"}


def test_a_traceback_names_the_rule() -> None:
    """The generated code's file name says which rule it came from."""
    gen, expr = _codegen('subject == "a"')
    fn = gen.condition(expr, "rule 'a rule'")
    try:
        fn(None)  # type: ignore[arg-type]
    except AttributeError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
    assert frames[-1].filename == "<rule 'a rule'>"


def test_locate_gives_the_positions_fix_missing_locations_gives():
    """`locate` (one loop) and `ast.fix_missing_locations` put a position-less tree at the
    same places: every statement, expression, argument and keyword at line 1, column 0."""
    tree = py.parse(
        "def f(s, *, k=1):\n    try:\n        return g(s, x=[a.b, {1: c}], *d) or not e\n"
        "    except E as exc:\n        raise F from exc\n"
    )
    for node in py.walk(tree):
        for name in node._attributes:
            delattr(node, name)
    ours, theirs = copy.deepcopy(tree), copy.deepcopy(tree)
    locate(ours)
    py.fix_missing_locations(theirs)
    dumped = py.dump(ours, include_attributes=True)
    assert (dumped == py.dump(theirs, include_attributes=True), "lineno=1" in dumped) == (
        True,
        True,
    )


# ---------------------------------------------------------------------------- shared calls


@pytest.mark.parametrize(
    ("when", "calls"),
    [
        # the first ``lower`` runs before every other: one call
        ('lower(subject) starts with "fwd" or lower(subject) starts with "wg:"', 1),
        ('lower(subject) == "x" or (channel == "email" and lower(subject) == "y")', 1),
        # the first one sits behind `channel == "email"`: the second computes its own
        ('(channel == "email" and lower(subject) == "x") or lower(subject) == "y"', 2),
        ('channel == "email" and lower(subject) == "x" and lower(subject) != "y"', 1),
        ('requester.email ends with "a" or lower(subject) == "b"', 1),
    ],
)
def test_a_pure_call_is_computed_once_where_it_surely_ran(when: str, calls: int) -> None:
    """A repeated ``.lower()`` (or header read) of the same ticket text is computed once
    and read by name where the first one has surely run; decisions are as before."""
    ruleset = routing.loads(ONE_RULE.replace("WHEN", when.replace("'", "''")))
    gen = CodeGen(ruleset.checked, lambda name: lambda s: None, listing=True)
    gen.condition(ruleset.checked.expr(ruleset.checked.stages[0].rules[0].when), "rule 'r'")
    assert gen.listing is not None
    assert gen.listing["rule 'r'"].count(".lower()") == calls
    unshared = routing.loads(ONE_RULE.replace("WHEN", when.replace("'", "''")), index=False)
    for channel in ("email", "chat"):
        for subject in ("Fwd: a", "WG: b", "X", "y", "z", ""):
            ticket = {"id": "T-1", "channel": channel, "subject": subject}
            want = run_oracle(ruleset.checked, Ticket.from_dict(ticket), NOW).fired
            assert ruleset.evaluate(ticket, NOW).fired == tuple(want)
            assert unshared.evaluate(ticket, NOW).fired == tuple(want)


# ---------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Loop": "a"},
        {"x-loop": "", "X-LOOP": "b"},
        {"Auto-Submitted": "No"},
        {"AUTO-SUBMITTED": "auto-replied", "Precedence": "bulk"},
        {"Precedence": "BULK", "x-loop": ""},
    ],
)
def test_header_reads_agree_with_the_reference(headers: dict[str, str]) -> None:
    """A header read compiles to a lookup in the ticket's folded index (its name folded at
    compile time): any case of the name finds it, the later of two names differing only in
    case wins, a missing header is null; as the reference reads them."""
    when = (
        'headers["X-Loop"] is not empty or lower(headers["AUTO-submitted"]) == "no"'
        ' or lower(headers["precedence"]) in ["bulk", "list"]'
    )
    ruleset = routing.loads(ONE_RULE.replace("WHEN", when.replace("'", "''")))
    unindexed = routing.loads(ONE_RULE.replace("WHEN", when.replace("'", "''")), index=False)
    ticket = {"id": "T-1", "headers": headers}
    want = tuple(run_oracle(ruleset.checked, Ticket.from_dict(ticket), NOW).fired)
    assert (ruleset.evaluate(ticket, NOW).fired, unindexed.evaluate(ticket, NOW).fired) == (
        want,
        want,
    )
    expected = (
        bool(headers.get("X-Loop") or headers.get("X-LOOP") or headers.get("x-loop"))
        or headers.get("Auto-Submitted") == "No"
        or headers.get("Precedence", "").lower() in ("bulk", "list")
    )
    assert want == (("r",) if expected else ())
