"""The located YAML tree of a rule file -> `RuleFile`, with ``file/*`` and ``action/*`` findings.

The builder checks shape only: keys, YAML types, the fixed keyword sets of the format
(field types, stage modes, events, SLA clocks and metrics, assignment strategies) and
durations. Names (queues, templates, calendars, fields...) are resolved by the checker.

It never stops at the first problem: a broken entry is reported and left out, its
siblings are still built. Where a string is expected, a plain scalar that is not a plain
string for every YAML reader (``1.10``, ``12:30``, ``true``, ``0x1F``, ``2026-12-24``...) is
``yaml/ambiguous-scalar`` with a hint to quote it. ``when: true`` / ``when: false`` (YAML
booleans) are accepted and read as the conditions ``true`` / ``false``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from routing.diagnostics import Diagnostic, SourceFile, Span
from routing.dsl.ast import (
    Action,
    AgentDecl,
    AssignAction,
    CalendarDecl,
    Condition,
    Define,
    FieldDecl,
    ListDecl,
    MarkSpamAction,
    Name,
    NoReplyAction,
    NotifyAction,
    PriorityAction,
    RateLimit,
    RepliesDecl,
    ReplyAction,
    RouteAction,
    Rule,
    RuleFile,
    Scalar,
    SetAction,
    SetItem,
    SlaAction,
    SlaPolicyDecl,
    SlaTarget,
    SpamScoreAction,
    Stage,
    TagAction,
    TemplateDecl,
    WebhookAction,
    YamlNode,
    YMapping,
    YScalar,
    YSequence,
    describe,
)
from routing.dsl.durations import parse_duration
from routing.dsl.source import EmbeddedSource
from routing.dsl.suggest import did_you_mean

__all__ = [
    "ACTION_NAMES",
    "EVENTS",
    "FIELD_TYPES",
    "RATE_LIMIT_KEYS",
    "REPLIES_KEYS",
    "ROOT_KEYS",
    "SLA_METRICS",
    "build_rule_file",
    "yaml11_reading",
]

ROOT_KEYS = (
    "version",
    "description",
    "fields",
    "lists",
    "queues",
    "define",
    "calendars",
    "templates",
    "replies",
    "sla_policies",
    "agents",
    "stages",
    "spam_threshold",
)
FIELD_TYPES = ("string", "number", "boolean", "enum", "datetime", "list")
LIST_ITEM_TYPES = ("string", "number")
STAGE_MODES = ("first", "all")
EVENTS = ("created", "updated", "replied", "status_changed")
CLOCKS = ("business", "calendar")
SLA_METRICS = ("first_reply", "next_reply", "periodic_update", "resolution")
STRATEGIES = ("round_robin", "least_loaded", "skills")
ACTION_NAMES = (
    "route",
    "assign",
    "priority",
    "raise_priority",
    "tag",
    "untag",
    "set",
    "spam_score",
    "mark_spam",
    "reply",
    "notify",
    "webhook",
    "sla",
    "no_reply",
)
_STAGE_KEYS = ("name", "mode", "rules", "description")
_RULE_KEYS = ("name", "when", "then", "description", "enabled", "on", "stop")
_POLICY_KEYS = ("name", "when", "calendar", "clock", "targets", "pause_when", "warn_at")
_AGENT_KEYS = ("id", "queues", "skills", "calendar")
_FIELD_KEYS = ("type", "values", "items")
REPLIES_KEYS = ("from", "own_addresses", "rate_limits")
RATE_LIMIT_KEYS = ("limit", "per")
_SET_STRINGS = ("status", "priority")
_SET_NULLABLE = ("queue", "assignee")

# YAML 1.1 implicit types (PyYAML's resolver, plus y/n from the 1.1 spec).
_Y11_BOOL = re.compile(
    r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|y|Y|n|N"
)
_Y11_INT = re.compile(
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_Y11_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_Y11_NULL = re.compile(r"~|null|Null|NULL|")
_Y11_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)


def _y11_int(text: str) -> int | None:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    try:
        if digits.startswith("0b"):
            return sign * int(digits[2:], 2)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        if ":" in digits:
            total = 0
            for part in digits.split(":"):
                total = total * 60 + int(part)
            return sign * total
        if len(digits) > 1 and digits.startswith("0"):
            return sign * int(digits, 8)
        return sign * int(digits)
    except ValueError:
        return None


def yaml11_reading(text: str) -> str | None:
    """What a YAML 1.1 reader (PyYAML's ``safe_load``) makes of plain `text` if not a string.

    ``"12:30"`` gives ``"the number 750"``, ``"no"`` gives ``"false"``, ``"2026-12-24"``
    gives ``"a date"``; a plain string for every reader gives None.
    """
    if _Y11_BOOL.fullmatch(text):
        return "true" if text.casefold() in ("yes", "true", "on", "y") else "false"
    if _Y11_INT.fullmatch(text):
        value = _y11_int(text)
        return "a number" if value is None else f"the number {value}"
    if _Y11_FLOAT.fullmatch(text):
        return "a number"
    if _Y11_NULL.fullmatch(text):
        return "null"
    if _Y11_TIMESTAMP.fullmatch(text):
        return "a date"
    return None


def _raw(node: YamlNode) -> str:
    span = node.span
    return span.source.text[span.start.offset : span.end.offset]


def _reported(node: YamlNode) -> bool:
    """Whether read_yaml already reported this node (an alias, a plain yes/no)."""
    if not isinstance(node, YScalar):
        return False
    if node.style == "*":
        return True
    return (
        node.style == ""
        and isinstance(node.value, str)
        and node.value.casefold() in ("yes", "no", "on", "off", "y", "n")
    )


def _entry_span(key: YScalar, value: YamlNode) -> Span:
    return key.span.source.span(
        key.span.start.offset, max(key.span.end.offset, value.span.end.offset)
    )


def _key_text(key: YScalar) -> str:
    return key.value if isinstance(key.value, str) else _raw(key)


class _Builder:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diags: list[Diagnostic] = []
        self.field_types: dict[str, str] = {}

    # ------------------------------------------------------------------ reporting

    def error(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        hint: str | None = None,
        notes: Iterable[str] = (),
    ) -> None:
        self.diags.append(Diagnostic.make(code, message, span, hint=hint, notes=notes))

    def wrong(self, node: YamlNode, what: str, code: str = "file/wrong-type") -> None:
        """Report `node` as not being `what` (unless read_yaml already did)."""
        if not _reported(node):
            self.error(code, f"expected {what}, found {describe(node)}", node.span)

    # ------------------------------------------------------------------ shapes

    def mapping(self, node: YamlNode, what: str, code: str = "file/wrong-type") -> YMapping | None:
        if isinstance(node, YMapping):
            return node
        self.wrong(node, what, code)
        return None

    def sequence(
        self, node: YamlNode, what: str, code: str = "file/wrong-type"
    ) -> YSequence | None:
        if isinstance(node, YSequence):
            return node
        self.wrong(node, what, code)
        return None

    def keys(
        self,
        node: YMapping,
        allowed: Iterable[str],
        required: Iterable[str],
        where: str,
    ) -> None:
        """Report keys of `node` outside `allowed` and `required` keys it lacks."""
        allowed = tuple(allowed)
        for key, _ in node.items:
            if key.value not in allowed:
                text = _key_text(key)
                hint = did_you_mean(text, allowed)
                self.error(
                    "file/unknown-key",
                    f"unknown key '{text}' in {where}",
                    key.span,
                    hint=hint,
                    notes=[] if hint else [f"expected one of: {', '.join(allowed)}"],
                )
        for name in required:
            if node.key_node(name) is None:
                self.error("file/missing-key", f"{where} has no '{name}' key", node.span)

    def string(
        self,
        node: YamlNode,
        what: str,
        code: str = "file/wrong-type",
        *,
        nullable: bool = False,
        key: bool = False,
    ) -> str | None:
        """The string value of `node`, or None (reported) if it is not plainly a string.

        `key` says that `node` is a mapping key: read_yaml does not check keys for yes/no.
        """
        if not isinstance(node, YScalar) or (not key and _reported(node)):
            self.wrong(node, what, code)
            return None
        value = node.value
        if isinstance(value, str):
            if node.style == "" and not (key and _Y11_BOOL.fullmatch(value)):
                reading = yaml11_reading(value)
                if reading is not None:
                    self.error(
                        "yaml/ambiguous-scalar",
                        f"'{value}' is read as a string here; YAML 1.1 tools read it as {reading}",
                        node.span,
                        hint=f'quote it: "{value}"',
                    )
            return value
        raw = _raw(node)
        if value is None and (raw == "" or nullable):
            if not nullable:
                self.wrong(node, what, code)
            return None
        if isinstance(value, bool):
            reading = f"the boolean {'true' if value else 'false'}"
        elif value is None:
            reading = "null"
        else:
            reading = f"the number {value}"
        self.error(
            "yaml/ambiguous-scalar",
            f"'{raw}' is read as {reading} here, not as a string",
            node.span,
            hint=f'quote it: "{raw}"',
        )
        return None

    def name(
        self, node: YamlNode, what: str, code: str = "file/wrong-type", *, key: bool = False
    ) -> Name | None:
        value = self.string(node, what, code, key=key)
        if value is None:
            return None
        if not value.strip():
            bad = "file/bad-value" if code == "file/wrong-type" else code
            self.error(bad, f"expected {what}, found an empty string", node.span)
            return None
        return Name(value, node.span)

    def keyword(
        self, node: YamlNode, what: str, allowed: tuple[str, ...], code: str = "file/bad-value"
    ) -> Name | None:
        """A name from a fixed set of keywords, with did-you-mean."""
        wrong_type = "file/wrong-type" if code == "file/bad-value" else code
        name = self.name(node, what, wrong_type)
        if name is None:
            return None
        if name.value not in allowed:
            self.error(
                code,
                f"expected {what} ({', '.join(allowed)}), found '{name.value}'",
                node.span,
                hint=did_you_mean(name.value, allowed),
            )
            return None
        return name

    def names(
        self, node: YamlNode, what: str, code: str = "file/wrong-type", *, single: bool = False
    ) -> tuple[Name, ...] | None:
        """A list of names (or one name when `single`); None if the node is not a list.

        `what` is the noun of one item, without article ("queue name").
        """
        one_what = f"{'an' if what[0] in 'aeiou' else 'a'} {what}"
        if single and isinstance(node, YScalar):
            one = self.name(node, one_what, code)
            return None if one is None else (one,)
        seq = self.sequence(node, f"a list of {what}s", code)
        if seq is None:
            return None
        out = []
        for item in seq.items:
            name = self.name(item, one_what, code)
            if name is not None:
                out.append(name)
        return tuple(out)

    def number(
        self, node: YamlNode, what: str, code: str = "file/wrong-type"
    ) -> int | float | None:
        if (
            isinstance(node, YScalar)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            return node.value
        self.wrong(node, what, code)
        return None

    def boolean(self, node: YamlNode, what: str, code: str = "file/wrong-type") -> bool | None:
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            return node.value
        self.wrong(node, what, code)
        return None

    def condition(self, node: YamlNode, what: str = "a condition") -> Condition | None:
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            word = "true" if node.value else "false"
            return Condition(word, EmbeddedSource.for_scalar(node), node.span)
        text = self.string(node, what)
        if text is None or not isinstance(node, YScalar):
            return None
        if not text.strip():
            self.error("file/bad-value", f"expected {what}, found an empty string", node.span)
            return None
        return Condition(text, EmbeddedSource.for_scalar(node), node.span)

    def duration(self, node: YamlNode, what: str = "a duration such as 4h") -> int | None:
        if (
            isinstance(node, YScalar)
            and not _reported(node)
            and node.style == ""
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            raw = _raw(node)
            self.error(
                "literal/bad-duration",
                f"expected {what}, found the number {raw} without a unit",
                node.span,
                hint=f"write a unit: {raw}m, {raw}h or {raw}d",
            )
            return None
        text = self.string(node, what)
        if text is None:
            return None
        seconds = parse_duration(text)
        if seconds is None:
            self.error(
                "literal/bad-duration",
                f"expected {what}, found '{text}'",
                node.span,
                hint="a duration is whole units from weeks to seconds: 30s 15m 2h 3d 1w 1h30m",
            )
        return seconds

    def each_entry(self, node: YamlNode, what: str) -> Iterable[tuple[YScalar, YamlNode]]:
        mapping = self.mapping(node, what)
        return () if mapping is None else mapping.items

    def each_item(self, node: YamlNode, what: str) -> Iterable[YamlNode]:
        seq = self.sequence(node, what)
        return () if seq is None else seq.items

    # ------------------------------------------------------------------ declarations

    def fields(self, node: YamlNode) -> tuple[FieldDecl, ...]:
        out = []
        for key, value in self.each_entry(node, "a mapping of field names to declarations"):
            name = self.name(key, "a field name", key=True)
            spec = self.mapping(value, "a field declaration such as {type: string}")
            if spec is None:
                continue
            where = f"field '{_key_text(key)}'"
            self.keys(spec, _FIELD_KEYS, ("type",), where)
            type_node = spec.get("type")
            ftype = None
            if type_node is not None:
                ftype = self.keyword(type_node, "a field type", FIELD_TYPES)
            values: tuple[Name, ...] = ()
            values_node = spec.get("values")
            ok = name is not None and ftype is not None
            if ftype is not None and ftype.value == "enum":
                if values_node is None:
                    self.error("file/missing-key", f"enum {where} has no 'values' key", spec.span)
                    ok = False
                else:
                    got = self.names(values_node, "enum value")
                    if got is None:
                        ok = False
                    elif not got:
                        self.error(
                            "file/bad-value",
                            f"enum {where} declares no values",
                            values_node.span,
                        )
                        ok = False
                    else:
                        values = got
            elif values_node is not None and ftype is not None:
                self.error(
                    "file/bad-value",
                    "'values' applies only to enum fields",
                    spec.key_node("values").span,  # type: ignore[union-attr]
                )
            items: Name | None = None
            items_node = spec.get("items")
            if ftype is not None and ftype.value == "list":
                if items_node is None:
                    items = Name("string", spec.span)
                else:
                    items = self.keyword(items_node, "a list item type", LIST_ITEM_TYPES)
                    ok = ok and items is not None
            elif items_node is not None and ftype is not None:
                self.error(
                    "file/bad-value",
                    "'items' applies only to list fields",
                    spec.key_node("items").span,  # type: ignore[union-attr]
                )
            if ok and name is not None and ftype is not None:
                self.field_types[name.value] = ftype.value
                out.append(FieldDecl(name, ftype, values, items, _entry_span(key, value)))
        return tuple(out)

    def lists(self, node: YamlNode) -> tuple[ListDecl, ...]:
        out = []
        for key, value in self.each_entry(node, "a mapping of list names to lists"):
            name = self.name(key, "a list name", key=True)
            seq = self.sequence(value, "a list of strings or numbers")
            if seq is None or name is None:
                continue
            strings = any(
                isinstance(i, YScalar) and isinstance(i.value, str) and not _reported(i)
                for i in seq.items
            )
            items: list[Scalar] = []
            ok = True
            for item in seq.items:
                if strings:
                    text = self.string(item, "a string, like the other items of the list")
                    if text is None:
                        ok = False
                    else:
                        items.append(Scalar(text, item.span))
                else:
                    number = self.number(item, "a string or a number")
                    if number is None:
                        ok = False
                    else:
                        items.append(Scalar(number, item.span))
            if ok:
                out.append(ListDecl(name, tuple(items), _entry_span(key, value)))
        return tuple(out)

    def queues(self, node: YamlNode) -> tuple[Name, ...]:
        return self.names(node, "queue name") or ()

    def defines(self, node: YamlNode) -> tuple[Define, ...]:
        out = []
        for key, value in self.each_entry(node, "a mapping of names to conditions"):
            name = self.name(key, "a condition name", key=True)
            condition = self.condition(value)
            if name is not None and condition is not None:
                out.append(Define(name, condition, _entry_span(key, value)))
        return tuple(out)

    def calendars(self, node: YamlNode) -> tuple[CalendarDecl, ...]:
        out = []
        for key, value in self.each_entry(node, "a mapping of calendar names to calendars"):
            name = self.name(key, "a calendar name", key=True)
            spec = self.mapping(value, "a calendar (a mapping with timezone and hours)")
            if name is not None and spec is not None:
                out.append(CalendarDecl(name, spec, _entry_span(key, value)))
        return tuple(out)

    def templates(self, node: YamlNode) -> tuple[TemplateDecl, ...]:
        out = []
        for key, value in self.each_entry(node, "a mapping of template names to templates"):
            name = self.name(key, "a template name", key=True)
            text = self.string(value, "a template text")
            if name is not None and text is not None:
                assert isinstance(value, YScalar)
                source = EmbeddedSource.for_scalar(value)
                out.append(TemplateDecl(name, text, source, _entry_span(key, value)))
        return tuple(out)

    def agents(self, node: YamlNode) -> tuple[AgentDecl, ...]:
        out = []
        for item in self.each_item(node, "a list of agents"):
            spec = self.mapping(item, "an agent such as {id: ana, queues: [billing]}")
            if spec is None:
                continue
            self.keys(spec, _AGENT_KEYS, ("id",), "an agent")
            got = {k.value: v for k, v in spec.items}
            agent_id = self.name(got["id"], "an agent id") if "id" in got else None
            queues = self.names(got["queues"], "queue name") if "queues" in got else ()
            skills = self.names(got["skills"], "skill") if "skills" in got else ()
            calendar = None
            if "calendar" in got:
                calendar = self.name(got["calendar"], "a calendar name")
            if agent_id is None or queues is None or skills is None:
                continue
            if "calendar" in got and calendar is None:
                continue
            out.append(AgentDecl(agent_id, queues, skills, calendar, spec.span))
        return tuple(out)

    def targets(self, node: YamlNode) -> tuple[SlaTarget, ...] | None:
        out: list[SlaTarget] = []
        ok = True
        for key, value in self.each_entry(node, "a mapping of priorities to targets"):
            priority = self.name(key, "a priority", key=True)
            metrics = self.mapping(value, "targets such as {first_reply: 1h, resolution: 8h}")
            if priority is None or metrics is None:
                ok = False
                continue
            for mkey, mvalue in metrics.items:
                if mkey.value not in SLA_METRICS:
                    self.keys(YMapping(((mkey, mvalue),), mkey.span), SLA_METRICS, (), "targets")
                    ok = False
                    continue
                seconds = self.duration(mvalue)
                if seconds is None:
                    ok = False
                    continue
                metric = Name(str(mkey.value), mkey.span)
                out.append(SlaTarget(priority, metric, seconds, _entry_span(mkey, mvalue)))
        if not isinstance(node, YMapping):
            return None
        return tuple(out) if ok else None

    def sla_policies(self, node: YamlNode) -> tuple[SlaPolicyDecl, ...]:
        out = []
        for item in self.each_item(node, "a list of SLA policies"):
            spec = self.mapping(item, "an SLA policy (a mapping with name and targets)")
            if spec is None:
                continue
            self.keys(spec, _POLICY_KEYS, ("name", "targets"), "an SLA policy")
            got = {k.value: v for k, v in spec.items}
            ok = True
            name = self.name(got["name"], "a policy name") if "name" in got else None
            when = pause = None
            if "when" in got:
                when = self.condition(got["when"])
                ok = ok and when is not None
            if "pause_when" in got:
                pause = self.condition(got["pause_when"])
                ok = ok and pause is not None
            calendar = None
            if "calendar" in got:
                calendar = self.name(got["calendar"], "a calendar name")
                ok = ok and calendar is not None
            clock = "business"
            if "clock" in got:
                got_clock = self.keyword(got["clock"], "a clock", CLOCKS)
                ok = ok and got_clock is not None
                clock = got_clock.value if got_clock is not None else clock
            targets = self.targets(got["targets"]) if "targets" in got else None
            warn_at: float | None = None
            if "warn_at" in got:
                number = self.number(got["warn_at"], "a fraction between 0 and 1")
                if number is not None and not 0 < number < 1:
                    self.error(
                        "file/bad-value",
                        f"expected a fraction between 0 and 1 (exclusive), found {number}",
                        got["warn_at"].span,
                    )
                    number = None
                ok = ok and number is not None
                warn_at = None if number is None else float(number)
            if ok and name is not None and targets is not None:
                out.append(
                    SlaPolicyDecl(name, when, calendar, clock, targets, pause, warn_at, spec.span)
                )
        return tuple(out)

    def replies(self, key: YScalar, node: YamlNode) -> RepliesDecl | None:
        spec = self.mapping(node, "a mapping with from, own_addresses and rate_limits")
        if spec is None:
            return None
        self.keys(spec, REPLIES_KEYS, (), "'replies'")
        got = {k.value: v for k, v in spec.items}
        sender = self.name(got["from"], "an e-mail address") if "from" in got else None
        own: list[Name] = []
        if "own_addresses" in got:
            for item in self.each_item(
                got["own_addresses"], "a list of e-mail addresses and *@domain patterns"
            ):
                address = self.name(item, "an e-mail address or a *@domain pattern")
                if address is not None:
                    own.append(address)
        limits: tuple[RateLimit, ...] | None = None
        if "rate_limits" in got:
            limits = tuple(
                tier
                for item in self.each_item(
                    got["rate_limits"], "a list of rate limits such as {limit: 10, per: 10m}"
                )
                if (tier := self.rate_limit(item)) is not None
            )
        return RepliesDecl(sender, tuple(own), limits, key.span)

    def _replies_of(self, root: YMapping) -> RepliesDecl | None:
        key = root.key_node("replies")
        value = root.get("replies")
        return None if key is None or value is None else self.replies(key, value)

    def rate_limit(self, node: YamlNode) -> RateLimit | None:
        spec = self.mapping(node, "a rate limit such as {limit: 10, per: 10m}")
        if spec is None:
            return None
        self.keys(spec, RATE_LIMIT_KEYS, RATE_LIMIT_KEYS, "a rate limit")
        got = {k.value: v for k, v in spec.items}
        limit: int | None = None
        per: int | None = None
        if "limit" in got:
            number = self.number(got["limit"], "a whole number of replies")
            if isinstance(number, float) and not number.is_integer():
                self.error(
                    "replies/bad-rate-limit",
                    f"expected a whole number of replies, found {_raw(got['limit'])}",
                    got["limit"].span,
                )
            elif number is not None:
                limit = int(number)
        if "per" in got:
            per = self.duration(got["per"], "a window such as 10m")
        if limit is None or per is None:
            return None
        return RateLimit(limit, per, got["limit"].span, got["per"].span, spec.span)

    # ------------------------------------------------------------------ actions

    def action_names(self, node: YamlNode, what: str) -> tuple[Name, ...] | None:
        return self.names(node, what, "action/bad-value", single=True)

    def sub_mapping(
        self,
        node: YamlNode,
        what: str,
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        where: str,
    ) -> dict[object, YamlNode] | None:
        spec = self.mapping(node, what, "action/bad-value")
        if spec is None:
            return None
        self.keys(spec, allowed, required, where)
        if any(spec.key_node(k) is None for k in required):
            return None
        return {k.value: v for k, v in spec.items}

    def action(self, key: YScalar, value: YamlNode) -> Action | None:
        span = _entry_span(key, value)
        kind = key.value
        bad = "action/bad-value"
        if kind == "route":
            queue = self.name(value, "a queue name", bad)
            return None if queue is None else RouteAction(queue, span)
        if kind in ("priority", "raise_priority"):
            priority = self.name(value, "a priority", bad)
            if priority is None:
                return None
            return PriorityAction(priority, kind == "raise_priority", span)
        if kind in ("tag", "untag"):
            tags = self.action_names(value, "tag")
            if tags is None:
                return None
            return TagAction(
                tuple(Name(t.value.strip().lower(), t.span) for t in tags), kind == "untag", span
            )
        if kind == "assign":
            return self.assign(value, span)
        if kind == "set":
            return self.set_action(value, span)
        if kind == "spam_score":
            amount = self.number(value, "a number to add to the spam score", bad)
            return None if amount is None else SpamScoreAction(float(amount), span)
        if kind in ("mark_spam", "no_reply"):
            flag = self.boolean(value, "true or false", bad)
            if flag is None:
                return None
            return MarkSpamAction(flag, span) if kind == "mark_spam" else NoReplyAction(flag, span)
        if kind == "reply":
            return self.reply(value, span)
        if kind == "notify":
            got = self.sub_mapping(
                value, "{to: ..., template: T}", ("to", "template"), ("to", "template"), "notify"
            )
            if got is None:
                return None
            to = self.string(got["to"], "a recipient", bad)
            template = self.name(got["template"], "a template name", bad)
            if to is None or template is None:
                return None
            return NotifyAction(Scalar(to, got["to"].span), template, span)
        if kind == "webhook":
            got = self.sub_mapping(value, "{url: U, body: T}", ("url", "body"), ("url",), "webhook")
            if got is None:
                return None
            url = self.string(got["url"], "a URL", bad)
            body = self.name(got["body"], "a template name", bad) if "body" in got else None
            if url is None or ("body" in got and body is None):
                return None
            return WebhookAction(Scalar(url, got["url"].span), body, span)
        if kind == "sla":
            policy = self.name(value, "an SLA policy name", bad)
            return None if policy is None else SlaAction(policy, span)
        text = _key_text(key)
        self.error(
            "action/unknown",
            f"unknown action '{text}'",
            key.span,
            hint=did_you_mean(text, ACTION_NAMES),
        )
        return None

    def assign(self, value: YamlNode, span: Span) -> AssignAction | None:
        bad = "action/bad-value"
        got = self.sub_mapping(
            value, "{agent: A} or {strategy: S}", ("agent", "strategy", "skills"), (), "assign"
        )
        if got is None:
            return None
        if ("agent" in got) == ("strategy" in got):
            self.error(
                bad,
                "expected either 'agent' or 'strategy' in 'assign'"
                + (", found both" if "agent" in got else ""),
                value.span,
            )
            return None
        agent = strategy = None
        skills: tuple[Name, ...] | None = ()
        if "agent" in got:
            agent = self.name(got["agent"], "an agent id", bad)
            if "skills" in got:
                self.error(bad, "'skills' applies only with 'strategy'", got["skills"].span)
                return None
            if agent is None:
                return None
        else:
            strategy = self.keyword(got["strategy"], "an assignment strategy", STRATEGIES, bad)
            if "skills" in got:
                skills = self.names(got["skills"], "skill", bad)
            if strategy is None or skills is None:
                return None
        return AssignAction(agent, strategy, skills or (), span)

    def set_action(self, value: YamlNode, span: Span) -> SetAction | None:
        bad = "action/bad-value"
        spec = self.mapping(value, "a mapping of fields to values", bad)
        if spec is None:
            return None
        if not spec.items:
            self.error(bad, "expected at least one field to set", value.span)
            return None
        items = []
        ok = True
        for key, item in spec.items:
            target = self.name(key, "a field", bad, key=True)
            if target is None:
                ok = False
                continue
            scalar = self.set_value(target.value, item)
            if scalar is None:
                ok = False
                continue
            items.append(SetItem(target, scalar, _entry_span(key, item)))
        return SetAction(tuple(items), span) if ok else None

    def set_value(self, target: str, node: YamlNode) -> Scalar | None:
        bad = "action/bad-value"
        if not isinstance(node, YScalar) or _reported(node):
            self.wrong(node, "a single value", bad)
            return None
        declared = self.field_types.get(target.removeprefix("fields."))
        if not target.startswith("fields."):
            declared = None
        if target in _SET_STRINGS or declared in ("string", "enum", "datetime"):
            text = self.string(node, f"a value for '{target}'", bad)
            return None if text is None else Scalar(text, node.span)
        if target in _SET_NULLABLE:
            text = self.string(node, f"a value for '{target}'", bad, nullable=True)
            if text is None and node.value is not None:
                return None
            return Scalar(text, node.span)
        if declared == "number":
            number = self.number(node, f"a number for '{target}'", bad)
            return None if number is None else Scalar(number, node.span)
        if declared == "boolean":
            flag = self.boolean(node, f"true or false for '{target}'", bad)
            return None if flag is None else Scalar(flag, node.span)
        return Scalar(node.value, node.span)

    def reply(self, value: YamlNode, span: Span) -> ReplyAction | None:
        bad = "action/bad-value"
        if isinstance(value, YScalar):
            template = self.name(value, "a template name", bad)
            return None if template is None else ReplyAction(template, None, span)
        got = self.sub_mapping(
            value,
            "a template name or {template: T, once_per: 24h}",
            ("template", "once_per"),
            ("template",),
            "reply",
        )
        if got is None:
            return None
        template = self.name(got["template"], "a template name", bad)
        once_per = None
        if "once_per" in got:
            once_per = self.duration(got["once_per"])
            if once_per is None:
                return None
        return None if template is None else ReplyAction(template, once_per, span)

    def then(self, node: YamlNode) -> tuple[Action, ...]:
        if isinstance(node, YMapping):
            entries: Iterable[YamlNode] = (node,)
        else:
            entries = self.each_item(node, "a list of actions")
        out = []
        for entry in entries:
            spec = self.mapping(entry, "an action such as {route: billing}", "action/bad-value")
            if spec is None:
                continue
            if not spec.items:
                self.error(
                    "action/bad-value", "expected an action, found an empty mapping", spec.span
                )
                continue
            if len(spec.items) > 1:
                first, second = spec.items[0][0], spec.items[1][0]
                self.error(
                    "action/bad-value",
                    f"one action per list item: found '{_key_text(first)}' and "
                    f"'{_key_text(second)}' together",
                    second.span,
                    hint="write each action as its own list item ('- route: ...')",
                )
            for key, value in spec.items:
                action = self.action(key, value)
                if action is not None:
                    out.append(action)
        return tuple(out)

    # ------------------------------------------------------------------ rules and stages

    def rule(self, node: YamlNode) -> Rule | None:
        spec = self.mapping(node, "a rule (a mapping with name, when and then)")
        if spec is None:
            return None
        self.keys(spec, _RULE_KEYS, ("name", "when", "then"), "a rule")
        got = {k.value: v for k, v in spec.items}
        name = self.name(got["name"], "a rule name") if "name" in got else None
        when = self.condition(got["when"]) if "when" in got else None
        then = self.then(got["then"]) if "then" in got else ()
        description = None
        if "description" in got:
            description = self.string(got["description"], "a description")
        enabled = True
        if "enabled" in got:
            enabled = self.boolean(got["enabled"], "true or false") is not False
        stop = False
        if "stop" in got:
            stop = self.boolean(got["stop"], "true or false") is True
        on: tuple[Name, ...] = (Name("created", spec.span),)
        if "on" in got:
            events = self.names(got["on"], "event", single=True)
            if events == ():
                self.error("file/bad-value", "expected at least one event", got["on"].span)
            if events:
                known = []
                for event in events:
                    if event.value in EVENTS:
                        known.append(event)
                    else:
                        self.error(
                            "file/bad-value",
                            f"expected an event ({', '.join(EVENTS)}), found '{event.value}'",
                            event.span,
                            hint=did_you_mean(event.value, EVENTS),
                        )
                on = tuple(known) or on
        if name is None or when is None:
            return None
        return Rule(name, when, then, description, enabled, on, stop, spec.span)

    def stages(self, node: YamlNode) -> tuple[Stage, ...]:
        out = []
        for item in self.each_item(node, "a list of stages"):
            spec = self.mapping(item, "a stage (a mapping with name, mode and rules)")
            if spec is None:
                continue
            self.keys(spec, _STAGE_KEYS, ("name", "mode", "rules"), "a stage")
            got = {k.value: v for k, v in spec.items}
            name = self.name(got["name"], "a stage name") if "name" in got else None
            mode = self.keyword(got["mode"], "a stage mode", STAGE_MODES) if "mode" in got else None
            if "description" in got:
                self.string(got["description"], "a description")
            rules = []
            for rule_node in self.each_item(
                got.get("rules", YSequence((), spec.span)), "a list of rules"
            ):
                rule = self.rule(rule_node)
                if rule is not None:
                    rules.append(rule)
            if name is not None and mode is not None and "rules" in got:
                out.append(Stage(name, mode, tuple(rules), spec.span))
        return tuple(out)

    # ------------------------------------------------------------------ the file

    def version(self, root: YMapping) -> int:
        node = root.get("version")
        if node is None:
            self.error(
                "file/unsupported-version",
                "the rule file has no 'version' key",
                self.source.span(root.span.start.offset, root.span.start.offset),
                hint="add 'version: 1' at the top",
            )
            return 0
        number = self.number(node, "the version number 1")
        if number is None:
            return 0
        if number != 1 or isinstance(number, float):
            self.error(
                "file/unsupported-version",
                f"rule file version {_raw(node)} is not supported; this release reads version 1",
                node.span,
            )
            return int(number) if isinstance(number, int) else 0
        return 1

    def build(self, root: YamlNode) -> RuleFile:
        empty = RuleFile(self.source, 0, (), (), (), (), (), (), (), (), (), None, None, root.span)
        mapping = self.mapping(root, "a mapping of rule file keys (version, stages, ...)")
        if mapping is None:
            return empty
        self.keys(mapping, ROOT_KEYS, (), "the rule file")
        version = self.version(mapping)
        got = {k.value: v for k, v in mapping.items}

        if "description" in got:
            self.string(got["description"], "a description")
        fields = self.fields(got["fields"]) if "fields" in got else ()
        spam_threshold = None
        if "spam_threshold" in got:
            node = got["spam_threshold"]
            number = self.number(node, "a number")
            spam_threshold = None if number is None else Scalar(number, node.span)
        return RuleFile(
            self.source,
            version,
            fields,
            self.lists(got["lists"]) if "lists" in got else (),
            self.queues(got["queues"]) if "queues" in got else (),
            self.defines(got["define"]) if "define" in got else (),
            self.calendars(got["calendars"]) if "calendars" in got else (),
            self.templates(got["templates"]) if "templates" in got else (),
            self.sla_policies(got["sla_policies"]) if "sla_policies" in got else (),
            self.agents(got["agents"]) if "agents" in got else (),
            self.stages(got["stages"]) if "stages" in got else (),
            spam_threshold,
            self._replies_of(mapping),
            mapping.span,
        )


def build_rule_file(root: YamlNode, source: SourceFile) -> tuple[RuleFile, list[Diagnostic]]:
    """The `RuleFile` of a located YAML tree, and the shape problems found in it."""
    builder = _Builder(source)
    rule_file = builder.build(root)
    return rule_file, builder.diags
