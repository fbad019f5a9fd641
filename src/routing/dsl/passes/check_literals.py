"""Pass 5: literals. Regexes are RE2-compatible, time zones exist, calendars are valid."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from routing.diagnostics import Span
from routing.dsl import ast
from routing.dsl.limits import MAX_PATTERN
from routing.dsl.passes._context import CheckContext, walk
from routing.dsl.regex import RegexProblem, compile_regex
from routing.errors import CalendarError

__all__ = ["check_literals", "locate_key_path", "valid_timezone"]


def valid_timezone(name: str) -> bool:
    """Whether `name` is an IANA time zone known to this system."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def locate_key_path(
    node: ast.YamlNode, key_path: tuple[str | int, ...], *, at_key: bool = False
) -> Span:
    """The span of the YAML node at `key_path` below `node` (as deep as it exists); with
    `at_key`, of the last key itself when it is a mapping key (an unknown key, say)."""
    current: ast.YamlNode = node
    last = len(key_path) - 1
    for i, key in enumerate(key_path):
        if isinstance(current, ast.YMapping) and isinstance(key, str):
            if at_key and i == last:
                key_node = current.key_node(key)
                if key_node is not None:
                    return key_node.span
            nxt = current.get(key)
            if nxt is None:
                break
            current = nxt
        elif isinstance(current, ast.YSequence) and isinstance(key, int):
            if not 0 <= key < len(current.items):
                break
            current = current.items[key]
        else:
            break
    return current.span


def _check_expr(ctx: CheckContext, expr: ast.Expr) -> bool:
    ok = True

    def visit(node: ast.Expr) -> None:
        nonlocal ok
        if isinstance(node, ast.RegexLit):
            if len(node.pattern) > MAX_PATTERN:
                ok = False
                ctx.report(
                    "limit/pattern-size",
                    f"the regex has {len(node.pattern)} characters; the limit is {MAX_PATTERN}",
                    node.span,
                )
                return
            compiled = compile_regex(node.pattern, node.flags)
            if isinstance(compiled, RegexProblem):
                ok = False
                if compiled.not_linear:
                    ctx.report(
                        "regex/not-linear",
                        compiled.message,
                        node.span,
                        hint="rewrite it without backreferences or look-around, "
                        "or split it into several tests joined with 'and'",
                    )
                else:
                    ctx.report("regex/invalid", f"invalid regex: {compiled.message}", node.span)
        elif isinstance(node, ast.StringLit) and len(node.value) > MAX_PATTERN:
            ok = False
            ctx.report(
                "limit/pattern-size",
                f"the string has {len(node.value)} characters; the limit is {MAX_PATTERN}",
                node.span,
            )
        elif (
            isinstance(node, ast.Call)
            and node.name in ("hour", "weekday")
            and len(node.args) == 2
            and isinstance(node.args[1], ast.StringLit)
        ):
            tz = node.args[1]
            if not valid_timezone(tz.value):
                ok = False
                ctx.report(
                    "literal/bad-timezone",
                    f"unknown time zone '{tz.value}'",
                    tz.span,
                    hint='use an IANA name such as "Europe/Berlin"',
                )

    walk(expr, visit)
    return ok


def _check_calendars(ctx: CheckContext) -> None:
    from routing.sla import Calendar

    for name, decl in ctx.calendars.items():
        try:
            ctx.calendar_objects[name] = Calendar.from_dict(
                cast("dict[str, Any]", ast.plain(decl.spec)), name=name
            )
        except CalendarError as exc:
            key_path = tuple(getattr(exc, "key_path", ()) or ())
            ctx.report(
                "calendar/invalid",
                f"calendar '{name}': {exc}",
                locate_key_path(decl.spec, key_path, at_key=exc.at_key)
                if key_path
                else decl.name.span,
            )


def check_literals(ctx: CheckContext) -> None:
    """Check regexes, time zones and string sizes in conditions; build the calendars."""
    for site, expr in list(ctx.parsed(include_invalid=True)):
        if not _check_expr(ctx, expr):
            ctx.invalid.add(id(site.condition))
    _check_calendars(ctx)
