"""A small tree-walking reference evaluator ("oracle") over the checked AST.

It is written from DESIGN.md sections 4 and 5, not from the compiler: no closures, no
caches, no constant folding; every node is evaluated afresh against a plain `OracleState`.
Where DESIGN is silent it follows the engine's documented choice (docs/decisions and the
docstring of `routing.engine.replies`), and the comment says so.

What it decides: queue, priority, status, tags, spam, spam_score, fields, fired, the list of
effects (type, template) after auto-reply suppression, the suppression codes, and run-time
errors (rule, code). It skips what only the engine can produce: SLA due times, template
bodies and strategy assignment (an ``assign`` with a strategy leaves the oracle's assignee
unknown, and `compare_keys` then leaves ``assignee`` out).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import re2

from routing.dsl import ast
from routing.dsl.checker import CheckedRuleset
from routing.model.ticket import Ticket

__all__ = ["OracleError", "OracleResult", "compare_keys", "engine_view", "run_oracle"]

PRIORITY_ORDER = ("low", "normal", "high", "urgent")
WEEKDAY_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")

# DESIGN section 4: mail that is never answered automatically.
PRECEDENCE_NO_REPLY = {"bulk", "list", "junk", "auto_reply"}
ROBOT_SENDERS = {"mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply"}
# docs/decisions/0010: the tiers of a rule set whose `replies:` sets no `rate_limits`.
DEFAULT_TIERS = ((10, timedelta(minutes=10)), (30, timedelta(hours=1)), (100, timedelta(hours=10)))

UNKNOWN = object()  # an assignee the oracle does not compute (assign by strategy)


class OracleError(Exception):
    """A run-time error inside a condition (DESIGN section 4: the rule does not fire)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class OracleState:
    ticket: Ticket
    now: datetime
    queue: str | None
    priority: str
    status: str
    assignee: Any
    tags: set[str]
    fields: dict[str, Any]
    spam: bool
    spam_score: float
    no_reply: bool = False
    pending: list[tuple[str, ast.Action]] = field(default_factory=list)


@dataclass
class OracleResult:
    queue: str | None
    priority: str
    status: str
    assignee: Any
    tags: list[str]
    spam: bool
    spam_score: float
    fields: dict[str, Any]
    fired: list[str]
    effects: list[tuple[str, str | None]]
    suppressed: list[tuple[str, str]]
    errors: list[tuple[str, str]]


# ----------------------------------------------------------------------------- values


def _text(v: Any) -> str:
    """A text operand: null is the empty text (docs/decisions/0006)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    raise OracleError("eval/type-error")


def _datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v
    raise OracleError("eval/type-error")


def _parse_dt(text: str) -> datetime | None:
    try:
        v = datetime.fromisoformat(text)
    except ValueError:
        return None
    return v if v.tzinfo is not None else None


def _tag_set(v: Any) -> Any:
    """A list of tags as the set it stands for: names stripped and lower case."""
    if v is None:
        return None
    return {x.strip().lower() if isinstance(x, str) else x for x in v}


def _is_word(ch: str) -> bool:
    """A letter, digit or underscore, as Python's ``\\w`` (DESIGN section 5)."""
    return re.fullmatch(r"\w", ch) is not None


def mentions(haystack: str, phrase: str) -> bool:
    """DESIGN section 5, literally: a case-folded match of the phrase whose words may be
    separated by any run of white space, with no letter, digit or ``_`` on either side.

    The text is folded one character at a time so that each folded character remembers the
    original character it came from: a match must cover whole original characters, and the
    neighbours are judged in the original text.
    """
    words = phrase.casefold().split()
    if not words:
        return False
    folded: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(haystack):
        for f in ch.casefold():
            folded.append(f)
            origin.append(i)
    text = "".join(folded)
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    for start in range(len(text)):
        m = pattern.match(text, start)
        if m is None or m.end() == start:
            continue
        end = m.end()
        first, last = origin[start], origin[end - 1]
        whole_chars = (start == 0 or origin[start - 1] != first) and (
            end == len(text) or origin[end] != last
        )
        if not whole_chars:
            continue
        before = haystack[first - 1] if first > 0 else ""
        after = haystack[last + 1] if last + 1 < len(haystack) else ""
        if not (before and _is_word(before)) and not (after and _is_word(after)):
            return True
    return False


class Evaluator:
    """Evaluates the conditions of one checked rule set against an `OracleState`."""

    def __init__(self, checked: CheckedRuleset) -> None:
        self.checked = checked

    def list_items(self, node: ast.Expr, st: OracleState) -> list[Any]:
        if isinstance(node, ast.ListRef):
            return [i.value for i in self.checked.lists[node.name].items]
        value = self.value(node, st)
        if value is None:
            return []
        return list(value)

    def value(self, node: ast.Expr, st: OracleState) -> Any:
        if isinstance(node, ast.StringLit | ast.NumberLit | ast.BoolLit):
            return node.value
        if isinstance(node, ast.NullLit):
            return None
        if isinstance(node, ast.DurationLit):
            return timedelta(seconds=node.seconds)
        if isinstance(node, ast.ListLit):
            return [self.value(i, st) for i in node.items]
        if isinstance(node, ast.ListRef):
            return [i.value for i in self.checked.lists[node.name].items]
        if isinstance(node, ast.Path):
            return self.path(node, st)
        if isinstance(node, ast.Call):
            return self.call(node, st)
        return self.test(node, st)

    def path(self, node: ast.Path, st: OracleState) -> Any:
        res = self.checked.paths[id(node)]
        t = st.ticket
        if res.kind == "field":
            live = {
                "queue": st.queue,
                "priority": st.priority,
                "status": st.status,
                "assignee": st.assignee,
                "tags": st.tags,
                "spam": st.spam,
                "spam_score": st.spam_score,
                "text": t.subject + "\n" + t.body,
                "channel": t.channel.value,
                # an unknown created_at/updated_at is `now` (Ticket docstring)
                "created_at": t.created_at or st.now,
                "updated_at": t.updated_at or t.created_at or st.now,
            }
            if res.key in live:
                return live[res.key]
            return getattr(t, res.key)
        if res.kind == "requester":
            return getattr(t.requester, res.key)
        if res.kind == "header":
            # a missing header is null (DESIGN section 5); names ignore case, the last wins
            values = [v for name, v in t.headers.items() if name.casefold() == res.key]
            return values[-1] if values else None
        if res.kind == "headers":
            return dict(t.headers)
        if res.kind == "now":
            return st.now
        if res.kind == "define":
            return self.test(self.checked.expr(self.checked.defines[res.key].condition), st)
        if res.kind == "requester_object":
            return t.requester.model_dump()
        if res.kind == "fields_object":
            return st.fields
        if res.kind == "custom":
            return self.custom(res.key, st)
        raise AssertionError(res)

    def custom(self, name: str, st: OracleState) -> Any:
        if name not in st.fields:
            raise OracleError("eval/missing-field")  # DESIGN section 5
        v = st.fields[name]
        if v is None:
            return None
        decl = self.checked.fields[name]
        kind = decl.type.value
        if kind == "number":
            ok = isinstance(v, int | float) and not isinstance(v, bool)
        elif kind == "boolean":
            ok = isinstance(v, bool)
        elif kind == "list":
            ok = isinstance(v, list | tuple)
        elif kind == "enum":
            ok = isinstance(v, str) and v in [x.value for x in decl.values]
        elif kind == "datetime":
            if isinstance(v, str):
                v = _parse_dt(v)
            ok = isinstance(v, datetime)
        else:
            ok = isinstance(v, str)
        if not ok:
            raise OracleError("eval/type-error")
        return v

    def call(self, node: ast.Call, st: OracleState) -> Any:
        args = node.args
        name = node.name
        if name == "now":
            return st.now
        if name == "since":
            return st.now - _datetime(self.value(args[0], st))
        if name == "business_since":
            cal = self.checked.calendars[args[1].value]  # type: ignore[union-attr]
            return cal.business_time_between(_datetime(self.value(args[0], st)), st.now)
        if name == "is_open":
            cal = self.checked.calendars[args[0].value]  # type: ignore[union-attr]
            at = _datetime(self.value(args[1], st)) if len(args) == 2 else st.now
            return bool(cal.is_open(at))
        if name == "len":
            v = self.value(args[0], st)
            return 0 if v is None else len(v)
        if name == "lower":
            return _text(self.value(args[0], st)).lower()
        if name in ("hour", "weekday"):
            t = _datetime(self.value(args[0], st))
            zone_name = self.value(args[1], st)
            try:
                zone = zoneinfo.ZoneInfo(zone_name)
            except (TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
                raise OracleError("eval/type-error") from None
            local = t.astimezone(zone)
            return local.hour if name == "hour" else WEEKDAY_ORDER[local.weekday()]
        raise AssertionError(name)

    # ------------------------------------------------------------------ tests

    def test(self, node: ast.Expr, st: OracleState) -> Any:
        if isinstance(node, ast.Not):
            return not self.value(node.operand, st)
        if isinstance(node, ast.And | ast.Or):
            # short-circuit; an error is absorbed when another operand decides the result
            decisive = isinstance(node, ast.Or)
            error: OracleError | None = None
            for op in node.operands:
                try:
                    if bool(self.value(op, st)) is decisive:
                        return decisive
                except OracleError as exc:
                    error = error or exc
            if error is not None:
                raise error
            return not decisive
        if isinstance(node, ast.Compare):
            return self.compare(node, st)
        if isinstance(node, ast.InTest):
            found = self.value(node.value, st) in self.list_items(node.container, st)
            return not found if node.negated else found
        if isinstance(node, ast.ContainsTest):
            hay = _text(self.value(node.value, st)).casefold()
            if node.quantifier is None:
                return _text(self.value(node.needle, st)).casefold() in hay
            needles = [_text(n).casefold() for n in self.list_items(node.needle, st)]
            q = any if node.quantifier == "any" else all
            return q(n in hay for n in needles)
        if isinstance(node, ast.MentionsTest):
            hay = _text(self.value(node.value, st))
            if node.quantifier is None:
                return mentions(hay, _text(self.value(node.needle, st)))
            needles = [_text(n) for n in self.list_items(node.needle, st)]
            q = any if node.quantifier == "any" else all
            return q(mentions(hay, n) for n in needles)
        if isinstance(node, ast.StartsWithTest):
            # DESIGN does not say; the engine compares exactly (case-sensitive)
            return _text(self.value(node.value, st)).startswith(_text(self.value(node.prefix, st)))
        if isinstance(node, ast.EndsWithTest):
            return _text(self.value(node.value, st)).endswith(_text(self.value(node.suffix, st)))
        if isinstance(node, ast.MatchesTest):
            flags = "".join(sorted(set(node.regex.flags)))
            prefix = f"(?{flags})" if flags else ""
            pattern = re2.compile(prefix + node.regex.pattern)
            return pattern.search(_text(self.value(node.value, st))) is not None
        if isinstance(node, ast.HasTest):
            return self.has(node, st)
        if isinstance(node, ast.EmptyTest):
            v = self.value(node.value, st)
            empty = v is None or (isinstance(v, str | list | tuple | set | dict) and len(v) == 0)
            return not empty if node.negated else empty
        if isinstance(node, ast.Path | ast.Call | ast.BoolLit):
            return self.value(node, st)
        raise AssertionError(f"not a test: {node!r}")

    def _is_tags(self, node: ast.Expr, *, field: bool = False) -> bool:
        """`node` reads the tags (or, unless `field`, a custom field named `tags`, which
        `has` tests as tags too)."""
        if not isinstance(node, ast.Path):
            return False
        res = self.checked.paths[id(node)]
        return res.key == "tags" and (not field or res.kind == "field")

    def has(self, node: ast.HasTest, st: OracleState) -> bool:
        have = self.value(node.value, st)
        have = [] if have is None else list(have)
        is_tags = self._is_tags(node.value)

        def norm(x: Any) -> Any:
            # tags are lower case (DESIGN section 3): a tag test ignores case and spaces
            return x.strip().lower() if is_tags and isinstance(x, str) else x

        if node.quantifier is None:
            return norm(self.value(node.item, st)) in have
        wanted = [norm(x) for x in self.list_items(node.item, st)]
        if node.quantifier == "any":
            return any(w in have for w in wanted)
        if node.quantifier == "all":
            return all(w in have for w in wanted)
        return not any(w in have for w in wanted)

    def compare(self, node: ast.Compare, st: OracleState) -> bool:
        a = self.value(node.left, st)
        b = self.value(node.right, st)
        lt = self.checked.types.get(id(node.left))
        rt = self.checked.types.get(id(node.right))
        # a string literal compared with a datetime is an ISO 8601 instant
        if isinstance(a, datetime) and isinstance(b, str):
            b = _parse_dt(b)
        if isinstance(b, datetime) and isinstance(a, str):
            a = _parse_dt(a)
        op = node.op
        if op in ("==", "!="):
            if self._is_tags(node.left, field=True) or self._is_tags(node.right, field=True):
                # tags are a set of lower-case names (DESIGN section 3): compared as one
                a, b = _tag_set(a), _tag_set(b)
            elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
                a, b = list(a), list(b)  # a list field compares item by item, in order
            return bool(a == b) if op == "==" else bool(a != b)
        if a is None or b is None:
            raise OracleError("eval/type-error")  # docs/decisions/0006
        names = {t.name for t in (lt, rt) if t is not None}
        order = (
            PRIORITY_ORDER if "priority" in names else WEEKDAY_ORDER if "weekday" in names else None
        )
        if order is not None:
            a, b = order.index(a), order.index(b)
        return {
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
        }[op]


# ----------------------------------------------------------------------------- actions


def apply(action: ast.Action, rule: str, st: OracleState) -> None:
    if isinstance(action, ast.RouteAction):
        st.queue = action.queue.value
    elif isinstance(action, ast.PriorityAction):
        new = action.priority.value
        if not action.raise_only or PRIORITY_ORDER.index(new) > PRIORITY_ORDER.index(st.priority):
            st.priority = new
    elif isinstance(action, ast.TagAction):
        names = {t.value.lower() for t in action.tags}
        if action.remove:
            st.tags -= names
        else:
            st.tags |= names
    elif isinstance(action, ast.SetAction):
        for item in action.items:
            target, value = item.target.value, item.value.value
            if target.startswith("fields."):
                st.fields[target.removeprefix("fields.")] = value
            else:
                setattr(st, target, value)
    elif isinstance(action, ast.SpamScoreAction):
        st.spam_score += action.amount
    elif isinstance(action, ast.MarkSpamAction):
        st.spam = action.value
    elif isinstance(action, ast.NoReplyAction):
        if action.value:
            st.no_reply = True
    elif isinstance(action, ast.AssignAction):
        st.assignee = action.agent.value if action.agent is not None else UNKNOWN
    elif isinstance(action, ast.ReplyAction | ast.NotifyAction | ast.WebhookAction):
        st.pending.append((rule, action))
    elif isinstance(action, ast.SlaAction):
        pass  # SLA due times are compared through the engine only
    else:
        raise AssertionError(action)


# ----------------------------------------------------------------------------- replies


def _bare_address(text: str) -> str:
    text = text.strip()
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1]
    return text.strip().casefold()


def _spellings(phrase: list[str]) -> list[list[str]]:
    """Every way of writing the words of `phrase` with or without a break between two."""
    out: list[list[str]] = [[phrase[0]]]
    for word in phrase[1:]:
        out = [[*w[:-1], w[-1] + word] for w in out] + [[*w, word] for w in out]
    return out


def robot_local_part(local: str) -> bool:
    """DESIGN's robot local parts, or "no reply" / "do not reply" written as whole words
    between ``-``, ``_`` and ``.`` (the engine's documented widening, docs/replies.md)."""
    if local in ROBOT_SENDERS:
        return True
    words = re.split(r"[._-]", local)
    for phrase in (["no", "reply"], ["do", "not", "reply"]):
        for spelled in _spellings(phrase):
            n = len(spelled)
            if any(words[i : i + n] == spelled for i in range(len(words))):
                return True
    return False


def own_address(email: str, own: Sequence[str]) -> bool:
    """Whether `email` is one of ours: listed, or of a domain listed as ``*@domain``."""
    address = _bare_address(email)
    for written in own:
        entry = written.strip().casefold()
        if entry == address:
            return True
        if entry.startswith("*@") and address.endswith("@" + entry[2:]):
            return True
    return False


def mail_gate(ticket: Ticket, own: Sequence[str] = ()) -> str | None:
    """Why mail must not be answered automatically (DESIGN section 4), or None.

    The order of the checks, the ``;`` parameters of Auto-Submitted, ``X-Auto-Response-
    Suppress: None`` (Microsoft's "suppress nothing") and the ``+tag`` of a robot sender
    are the engine's documented choices (routing.engine.replies).
    """
    h = {name.strip().casefold(): value.strip() for name, value in ticket.headers.items()}
    if "auto-submitted" in h and h["auto-submitted"].split(";")[0].strip().casefold() != "no":
        return "auto-submitted"
    if h.get("precedence", "").casefold() in PRECEDENCE_NO_REPLY:
        return "precedence"
    if any(name.startswith("list-") for name in h):
        return "list-header"
    if "x-auto-response-suppress" in h and h["x-auto-response-suppress"].casefold() != "none":
        return "x-auto-response-suppress"
    if "x-loop" in h:
        return "x-loop"
    if h.get("return-path", "").replace(" ", "") == "<>":
        return "null-return-path"
    email = ticket.requester.email
    if email is not None:
        local = _bare_address(email).rpartition("@")[0] or _bare_address(email)
        if robot_local_part(local.strip('"').split("+")[0]):
            return "robot-sender"
        if own_address(email, own):
            return "own-address"
    return None


def once_per_gate(
    to: str, now: datetime, window: timedelta | None, history: Sequence[Mapping[str, Any]]
) -> str | None:
    """A reply within `window` to the same requester (of any template) holds this one back."""
    if window is None:
        return None
    for record in history:
        if _bare_address(str(record["to"])) != _bare_address(to):
            continue
        if now - window <= record["at"] <= now:
            return "once-per"
    return None


def rate_gate(
    to: str,
    now: datetime,
    tiers: Sequence[tuple[int, timedelta]],
    history: Sequence[Mapping[str, Any]],
) -> str | None:
    """A tier holds the reply back when `limit` replies already went to `to` in its window."""
    for limit, window in tiers:
        sent = sum(
            1
            for record in history
            if _bare_address(str(record["to"])) == _bare_address(to)
            and now - window <= record["at"] <= now
        )
        if sent >= limit:
            return "rate-limit"
    return None


def reply_config(checked: CheckedRuleset) -> tuple[list[str], list[tuple[int, timedelta]]]:
    """Own addresses (with `from`) and rate-limit tiers of the rule set's `replies:`."""
    decl = checked.replies
    if decl is None:
        return [], list(DEFAULT_TIERS)
    own = [a.value for a in decl.own_addresses]
    if decl.sender is not None:
        own.append(decl.sender.value)
    if decl.rate_limits is None:
        return own, list(DEFAULT_TIERS)
    return own, [(t.limit, timedelta(seconds=t.per)) for t in decl.rate_limits]


# ----------------------------------------------------------------------------- pipeline


def run_oracle(
    checked: CheckedRuleset,
    ticket: Ticket,
    now: datetime,
    *,
    event: str = "created",
    history: Sequence[Mapping[str, Any]] = (),
) -> OracleResult:
    """Evaluate one ticket by DESIGN section 4: stages in order, rules in order."""
    ev = Evaluator(checked)
    st = OracleState(
        ticket=ticket,
        now=now,
        queue=ticket.queue,
        priority=ticket.priority.value,
        status=ticket.status.value,
        assignee=ticket.assignee,
        tags=set(ticket.tags),
        fields=dict(ticket.fields),
        spam=ticket.spam,
        spam_score=float(ticket.spam_score),
    )
    fired: list[str] = []
    errors: list[tuple[str, str]] = []
    stopped = False
    has_spam_stage = any(s.name.value == "spam" for s in checked.stages)
    for stage in checked.stages:
        for rule in stage.rules:
            if stopped:
                break
            events = [e.value for e in rule.on] or ["created"]
            if not rule.enabled or event not in events:
                continue
            try:
                matched = ev.test(checked.expr(rule.when), st) is True
            except OracleError as exc:
                errors.append((rule.name.value, exc.code))
                continue
            if not matched:
                continue
            for action in rule.then:
                apply(action, rule.name.value, st)
            fired.append(rule.name.value)
            if rule.stop:
                stopped = True
            if stage.mode.value == "first":
                break
        if stage.name.value == "spam":
            # docs/decisions/0003: a rule's mark_spam is not undone by a low score
            st.spam = st.spam or st.spam_score >= checked.spam_threshold
    if not has_spam_stage:
        st.spam = st.spam or st.spam_score >= checked.spam_threshold

    effects: list[tuple[str, str | None]] = []
    suppressed: list[tuple[str, str]] = []
    own, tiers = reply_config(checked)
    sent_now: list[Mapping[str, Any]] = []  # replies of this decision count in the tiers
    for _rule, action in st.pending:
        if isinstance(action, ast.ReplyAction):
            template = action.template.value
            to = ticket.requester.email
            reason = (
                "spam"
                if st.spam
                else "no-reply"
                if st.no_reply
                else mail_gate(ticket, own)
                or ("no-recipient" if not to else None)
                or once_per_gate(
                    to or "",
                    now,
                    timedelta(seconds=action.once_per) if action.once_per else None,
                    history,
                )
                or rate_gate(to or "", now, tiers, [*history, *sent_now])
            )
            if reason is None:
                effects.append(("reply", template))
                sent_now.append({"to": to, "at": now, "template": template})
            else:
                suppressed.append((template, reason))
        elif isinstance(action, ast.NotifyAction):
            effects.append(("notify", action.template.value))
        else:
            assert isinstance(action, ast.WebhookAction)
            effects.append(("webhook", action.body.value if action.body else None))
    return OracleResult(
        queue=st.queue,
        priority=st.priority,
        status=st.status,
        assignee=st.assignee,
        tags=sorted(st.tags),
        spam=st.spam,
        spam_score=st.spam_score,
        fields=st.fields,
        fired=fired,
        effects=effects,
        suppressed=suppressed,
        errors=errors,
    )


# ----------------------------------------------------------------------------- comparing


def engine_view(decision: dict[str, Any]) -> dict[str, Any]:
    """The keys the oracle decides, taken from an engine `Decision.to_dict(trace=True)`.

    Template render errors are the engine's alone (the oracle renders nothing): their
    effects are dropped from both sides, and SLA errors (no rule) are left out.
    """
    failed = {
        (e["rule"], e["message"].split("'")[1])
        for e in decision["errors"]
        if e["code"] == "eval/template-error"
    }
    return {
        "queue": decision["queue"],
        "priority": decision["priority"],
        "status": decision["status"],
        "assignee": decision["assignee"],
        "tags": decision["tags"],
        "spam": decision["spam"],
        "spam_score": decision["spam_score"],
        "fields": decision["fields"],
        "fired": decision["fired"],
        "effects": [(e["type"], e.get("template")) for e in decision["effects"]],
        "suppressed": [(s["template"], s["code"]) for s in decision["suppressed"]],
        "errors": [
            (e["rule"], e["code"])
            for e in decision["errors"]
            if e["rule"] is not None and e["code"] != "eval/template-error"
        ],
        "_template_failures": failed,
    }


def compare_keys(result: OracleResult, engine: dict[str, Any]) -> tuple[dict, dict]:
    """(oracle, engine) views of the compared keys, ready for ``==``."""
    failed = engine.pop("_template_failures")
    mine: dict[str, Any] = {
        "queue": result.queue,
        "priority": result.priority,
        "status": result.status,
        "assignee": result.assignee,
        "tags": result.tags,
        "spam": result.spam,
        "spam_score": result.spam_score,
        "fields": result.fields,
        "fired": result.fired,
        "effects": result.effects,
        "suppressed": result.suppressed,
        "errors": result.errors,
    }
    if failed:
        # the effect of a rule whose template failed to render is absent from the engine
        mine["effects"] = [e for e in mine["effects"] if e[1] not in {t for _, t in failed}]
    if mine["assignee"] is UNKNOWN:
        del mine["assignee"]
        del engine["assignee"]
    return mine, engine
