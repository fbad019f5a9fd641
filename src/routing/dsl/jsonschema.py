"""The JSON Schema of rule files (``routing schema``), for editors and CI validators.

`rule_file_schema` describes every key of DESIGN.md section 4 in JSON Schema draft 2020-12:
each property has a description (editors show it on hover), every object is closed
(``additionalProperties: false``) so a misspelt key is flagged as it is typed, the keyword
sets (modes, field types, priorities, statuses, channels, strategies, events, clocks) are
enums, and each action is one branch of a ``oneOf`` so an action is validated as its own
type. The schema checks shape only: names, types and expressions are `routing check`'s job.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DURATION_PATTERN", "SCHEMA_ID", "rule_file_schema"]

#: The `$id` of the schema (an identifier: `routing schema` prints the schema itself).
SCHEMA_ID = "https://routing.dev/schemas/rule-file/v1.json"

#: A duration as written in rule files: ``30s 15m 2h 3d 1w 1h30m`` (units largest first).
DURATION_PATTERN = r"^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"

_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_TIME = "([01][0-9]|2[0-4]):[0-5][0-9]"

Schema = dict[str, Any]


def _ref(name: str, description: str | None = None) -> Schema:
    schema: Schema = {"$ref": f"#/$defs/{name}"}
    if description is not None:
        schema["description"] = description
    return schema


def _object(
    description: str,
    properties: dict[str, Schema],
    required: tuple[str, ...] = (),
    **extra: Any,
) -> Schema:
    schema: Schema = {"type": "object", "description": description, "properties": properties}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = False
    schema.update(extra)
    return schema


def _enum(description: str, values: tuple[str, ...]) -> Schema:
    return {"type": "string", "description": description, "enum": list(values)}


def _string(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, "minLength": 1, **extra}


def _list(description: str, items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "description": description, "items": items, **extra}


def _action(key: str, description: str, value: Schema) -> Schema:
    return _object(description, {key: value}, (key,))


def _defs() -> dict[str, Schema]:
    priority = ("low", "normal", "high", "urgent")
    return {
        "name": _string("A name: a queue, template, calendar, list, tag, rule or agent."),
        "names": {
            "description": "One name, or a list of names.",
            "oneOf": [_ref("name"), _list("A list of names.", _ref("name"), minItems=1)],
        },
        "expression": _string(
            "A condition in the routing expression language, e.g. "
            "`requester.domain in $vip_domains and subject matches /outage/i`."
        ),
        "duration": _string(
            "An exact amount of time: 30s, 15m, 2h, 3d, 1w or combined such as 1h30m.",
            pattern=DURATION_PATTERN,
        ),
        "priority": _enum("A ticket priority, lowest first.", priority),
        "status": _enum(
            "A ticket status.", ("new", "open", "pending", "on_hold", "solved", "closed")
        ),
        "channel": _enum(
            "The channel a ticket came in by.", ("email", "chat", "phone", "web", "social", "api")
        ),
        "event": _enum(
            "A ticket event a rule runs on.", ("created", "updated", "replied", "status_changed")
        ),
        "timeRange": _string(
            "Opening hours HH:MM-HH:MM in local time; 00:00-24:00 is the whole day, a start "
            "after the end runs overnight.",
            pattern=f"^{_TIME}-{_TIME}$",
        ),
        "timeRanges": {
            "description": "One time range, or a list of them ([] is closed).",
            "oneOf": [_ref("timeRange"), _list("Time ranges.", _ref("timeRange"))],
        },
        "date": _string("A date, YYYY-MM-DD.", pattern=r"^\d{4}-\d{2}-\d{2}$"),
        "field": _object(
            "A custom field declaration, used in expressions as fields.NAME.",
            {
                "type": _enum(
                    "The type of the field.",
                    ("string", "number", "boolean", "enum", "datetime", "list"),
                ),
                "values": _list(
                    "The values of an enum field, in their order (lowest first).",
                    _ref("name"),
                    minItems=1,
                ),
                "items": _enum("The type of the items of a list field.", ("string", "number")),
            },
            ("type",),
            allOf=[
                {
                    "if": {
                        "properties": {"type": {"const": "enum", "description": "An enum field."}}
                    },
                    "then": {"required": ["values"]},
                }
            ],
        ),
        "calendar": _object(
            "A business-hours calendar.",
            {
                "timezone": _string("An IANA time zone, e.g. Europe/Berlin."),
                "hours": {
                    "type": "object",
                    "description": "Weekly opening hours by day or day range (mon-fri); "
                    "a day not listed is closed.",
                    "propertyNames": {"pattern": f"^{_DAY}(-{_DAY})?$"},
                    "additionalProperties": _ref("timeRanges"),
                },
                "holidays": _object(
                    "Public holidays (the holidays package) closing whole days.",
                    {
                        "country": _string("An ISO 3166 country code, e.g. DE."),
                        "subdivision": _string("A subdivision code of the country, e.g. BE."),
                    },
                    ("country",),
                ),
                "closed": _list("Dates closed all day.", _ref("date")),
                "special": {
                    "type": "object",
                    "description": "Dates with their own hours; they beat weekly hours, "
                    "holidays and closed dates.",
                    "propertyNames": {"pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "additionalProperties": _ref("timeRanges"),
                },
            },
            ("timezone", "hours"),
        ),
        "slaMetrics": _object(
            "Targets of one priority, as durations.",
            {
                "first_reply": _ref("duration", "Time to the first public reply."),
                "next_reply": _ref("duration", "Time to each next reply to the customer."),
                "periodic_update": _ref("duration", "Time between updates to the customer."),
                "resolution": _ref("duration", "Time to solve the ticket."),
            },
            minProperties=1,
        ),
        "slaPolicy": _object(
            "An SLA policy; the first policy whose `when` matches applies.",
            {
                "name": _ref("name", "The policy name (used by the sla action)."),
                "when": _ref("expression", "Which tickets the policy applies to."),
                "calendar": _ref("name", "The calendar whose open time counts."),
                "clock": _enum(
                    "Count business time of the calendar, or plain calendar time.",
                    ("business", "calendar"),
                ),
                "targets": _object(
                    "Targets per priority.",
                    {p: _ref("slaMetrics", f"Targets of {p} tickets.") for p in priority},
                    minProperties=1,
                ),
                "pause_when": _ref("expression", "While true, the SLA clocks are paused."),
                "warn_at": {
                    "type": "number",
                    "description": "The fraction of a target after which it is at risk.",
                    "exclusiveMinimum": 0,
                    "maximum": 1,
                },
            },
            ("name", "targets"),
        ),
        "agent": _object(
            "An agent that assign can pick.",
            {
                "id": _ref("name", "The agent id (or email), set as the assignee."),
                "queues": _list("Queues the agent works.", _ref("name")),
                "skills": _list("The agent's skills.", _ref("name")),
                "calendar": _ref("name", "The calendar of the agent's shifts."),
            },
            ("id",),
        ),
        "address": _string(
            "A bare e-mail address, e.g. support@example.com.",
            pattern=r"^[^\s@<>()\[\],;:\"*]+@[^\s@]+$",
        ),
        "rateLimit": _object(
            "One tier: at most `limit` auto-replies to one recipient per `per`.",
            {
                "limit": {
                    "type": "integer",
                    "description": "The most replies to one recipient inside the window.",
                    "minimum": 1,
                },
                "per": _ref("duration", "The window the replies are counted in, e.g. 10m."),
            },
            ("limit", "per"),
        ),
        "replies": _object(
            "How auto-replies are sent and gated (docs/replies.md).",
            {
                "from": _ref("address", "The address replies are sent from (the From header)."),
                "own_addresses": _list(
                    "Our own addresses; mail from them never gets an auto-reply. *@domain "
                    "stands for every address of that domain.",
                    {
                        "description": "An address, or *@domain.",
                        "oneOf": [
                            _ref("address"),
                            _string("Every address of one domain.", pattern=r"^\*@[^\s@]+$"),
                        ],
                    },
                ),
                "rate_limits": _list(
                    "Per-recipient tiers, shortest window first, counted in the caller's "
                    "reply history ([] switches them off; absent: 10/10m, 30/1h, 100/10h).",
                    _ref("rateLimit"),
                ),
            },
        ),
        "action": {
            "description": "One action, a mapping with exactly one key.",
            "oneOf": _actions(),
        },
        "rule": _object(
            "A rule: when its condition is true, its actions run in order.",
            {
                "name": _ref("name", "A unique, stable name: traces and diffs use it."),
                "description": {"type": "string", "description": "What the rule is for."},
                "on": {
                    "description": "The events the rule runs on (default: created).",
                    "oneOf": [_ref("event"), _list("Events.", _ref("event"), minItems=1)],
                },
                "enabled": {
                    "type": "boolean",
                    "description": "false keeps the rule in the file without running it.",
                },
                "when": _ref("expression", "The condition."),
                "then": _list("The actions, applied in order.", _ref("action"), minItems=1),
                "stop": {
                    "type": "boolean",
                    "description": "true ends the whole pipeline after this rule fires.",
                },
            },
            ("name", "when", "then"),
        ),
        "stage": _object(
            "A stage of the pipeline; stages run in file order.",
            {
                "name": _ref("name", "The stage name."),
                "description": {"type": "string", "description": "What the stage is for."},
                "mode": _enum(
                    "first: the first matching rule fires; all: every matching rule fires.",
                    ("first", "all"),
                ),
                "rules": _list("The rules, in order.", _ref("rule")),
            },
            ("name", "mode", "rules"),
        ),
    }


def _actions() -> list[Schema]:
    template = _ref("name", "A template name (declared under templates).")
    return [
        _action("route", "Route to a queue.", _ref("name", "A queue declared under queues.")),
        _action(
            "assign",
            "Assign to an agent, or pick one of the queue's agents on shift.",
            {
                "description": "{agent: A} or {strategy: S, skills: [..]}.",
                "oneOf": [
                    _object("A fixed agent.", {"agent": _ref("name", "The agent id.")}, ("agent",)),
                    _object(
                        "An agent picked by a strategy.",
                        {
                            "strategy": _enum(
                                "How the agent is picked.",
                                ("round_robin", "least_loaded", "skills"),
                            ),
                            "skills": _list("Skills the agent needs.", _ref("name")),
                        },
                        ("strategy",),
                    ),
                ],
            },
        ),
        _action("priority", "Set the priority.", _ref("priority", "The new priority.")),
        _action(
            "raise_priority",
            "Raise the priority; never lowers it.",
            _ref("priority", "The priority to raise to."),
        ),
        _action("tag", "Add tags (lower-cased).", _ref("names", "A tag or a list of tags.")),
        _action("untag", "Remove tags.", _ref("names", "A tag or a list of tags.")),
        _action(
            "set",
            "Set ticket fields.",
            _object(
                "Fields and their values.",
                {
                    "status": _ref("status", "The new status."),
                    "priority": _ref("priority", "The new priority."),
                    "channel": _ref("channel", "The new channel."),
                    "queue": {"type": ["string", "null"], "description": "A queue, or null."},
                    "assignee": {"type": ["string", "null"], "description": "An agent, or null."},
                },
                patternProperties={
                    r"^fields\.[A-Za-z_][A-Za-z0-9_]*$": {
                        "type": ["string", "number", "boolean", "null"],
                        "description": "A custom field (type-checked against its declaration).",
                    }
                },
                minProperties=1,
            ),
        ),
        _action("spam_score", "Add to the spam score.", {"type": "number", "description": "N."}),
        _action(
            "mark_spam", "Flag the ticket as spam.", {"type": "boolean", "description": "true."}
        ),
        _action(
            "reply",
            "Send an auto-reply (loop prevention applies).",
            {
                "description": "A template name, or {template: T, once_per: 24h}.",
                "oneOf": [
                    template,
                    _object(
                        "A reply at most once per requester per window.",
                        {"template": template, "once_per": _ref("duration", "The window.")},
                        ("template",),
                    ),
                ],
            },
        ),
        _action(
            "notify",
            "Notify someone (carried out by the adapter).",
            _object(
                "Who and what.",
                {"to": _string("The recipient."), "template": template},
                ("to", "template"),
            ),
        ),
        _action(
            "webhook",
            "Call a webhook (carried out by the adapter).",
            _object(
                "Where and what.",
                {"url": _string("The URL to POST to."), "body": template},
                ("url",),
            ),
        ),
        _action("sla", "Force an SLA policy.", _ref("name", "An SLA policy name.")),
        _action(
            "no_reply",
            "Suppress every auto-reply for this ticket.",
            {"type": "boolean", "description": "true."},
        ),
    ]


def rule_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one rule file.

    Returns:
        A fresh dict, in a stable key order, ready for `json.dumps`.
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "routing rule file",
        "description": "Help desk routing rules: declarations, stages of rules and actions. "
        "See docs/rule-files.md.",
        "type": "object",
        "properties": {
            "version": {"const": 1, "description": "The rule file format version: 1."},
            "fields": {
                "type": "object",
                "description": "Custom fields by name, with their types.",
                "additionalProperties": _ref("field"),
            },
            "lists": {
                "type": "object",
                "description": "Named lists, used in expressions as $name.",
                "additionalProperties": _list(
                    "The items.", {"type": ["string", "number"], "description": "An item."}
                ),
            },
            "queues": _list("The queues (teams) tickets can be routed to.", _ref("name")),
            "define": {
                "type": "object",
                "description": "Named conditions, usable by name in any expression.",
                "additionalProperties": _ref("expression"),
            },
            "calendars": {
                "type": "object",
                "description": "Business-hours calendars by name.",
                "additionalProperties": _ref("calendar"),
            },
            "templates": {
                "type": "object",
                "description": "Liquid templates by name, for replies, notifications, webhooks.",
                "additionalProperties": {"type": "string", "description": "The template text."},
            },
            "replies": _ref("replies", "How auto-replies are sent and gated."),
            "sla_policies": _list(
                "SLA policies; the first that matches applies.", _ref("slaPolicy")
            ),
            "agents": _list("The agents assign picks from.", _ref("agent")),
            "stages": _list("The stages of the pipeline, in order.", _ref("stage")),
            "spam_threshold": {
                "type": "number",
                "description": "After the stage named spam, spam = spam_score >= threshold.",
            },
        },
        "required": ["version"],
        "additionalProperties": False,
        "$defs": _defs(),
    }
