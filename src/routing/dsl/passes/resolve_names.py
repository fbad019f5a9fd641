"""Pass 3: every name refers to something declared; define cycles are errors."""

from __future__ import annotations

from routing.diagnostics import Span
from routing.dsl import ast
from routing.dsl.functions import FUNCTIONS
from routing.dsl.passes._context import CheckContext, Resolution, walk
from routing.dsl.suggest import did_you_mean
from routing.dsl.templates import CALENDAR_KEYS, TemplateVariable
from routing.model.decision import SLA_DUE_KEYS
from routing.model.schema import REQUESTER_FIELDS

__all__ = ["resolve_names", "template_roots"]

_SLA_KEYS = ("policy", "calendar", *SLA_DUE_KEYS, "paused")
_DECISION_KEYS = (
    "ticket_id",
    "queue",
    "priority",
    "status",
    "assignee",
    "tags",
    "spam",
    "spam_score",
    "fields",
    "fired",
)


def template_roots(ctx: CheckContext) -> dict[str, tuple[str, ...] | None]:
    """Template variable roots and their allowed second parts (None: any or none)."""
    roots: dict[str, tuple[str, ...] | None] = {
        name: None for name in ctx.schema.roots if name not in ("requester", "fields")
    }
    roots["requester"] = REQUESTER_FIELDS
    roots["fields"] = tuple(ctx.fields)
    roots["ticket"] = tuple(ctx.schema.roots)
    roots["decision"] = _DECISION_KEYS
    roots["sla"] = _SLA_KEYS
    roots["now"] = None
    roots["calendars"] = tuple(ctx.calendars)
    return roots


def _name_span(part: ast.PathPart) -> Span:
    """The span of a path part's name: without the '.' before it (brackets are kept)."""
    span = part.span
    if part.bracketed or span.end.offset - span.start.offset != len(part.name) + 1:
        return span
    return span.source.span(span.start.offset + 1, span.end.offset)


def _resolve_path(ctx: CheckContext, path: ast.Path) -> Resolution | None:
    parts = path.parts
    root = parts[0]
    name = root.name
    schema_roots = ctx.schema.roots
    if len(parts) == 1:
        if name in ctx.defines:
            return Resolution("define", name)
        if name == "now":
            return Resolution("now")
        if name == "requester":
            return Resolution("requester_object")
        if name == "fields":
            return Resolution("fields_object")
        if name == "headers":
            return Resolution("headers")
        if name in schema_roots:
            return Resolution("field", name)
        hint = None
        if name in ctx.lists:
            hint = f"did you mean '${name}'?"
        else:
            hint = did_you_mean(name, [*schema_roots, *ctx.defines, "now"])
        what = "ticket field or define"
        ctx.report("name/unknown-field", f"unknown {what} '{name}'", root.span, hint=hint)
        return None
    second = parts[1]
    if name == "requester":
        if len(parts) == 2 and second.name in REQUESTER_FIELDS:
            return Resolution("requester", second.name)
        if second.name not in REQUESTER_FIELDS:
            ctx.report(
                "name/unknown-field",
                f"requester has no field '{second.name}'",
                _name_span(second),
                hint=did_you_mean(second.name, REQUESTER_FIELDS, prefix="requester."),
            )
            return None
    elif name == "fields":
        if second.name not in ctx.fields:
            ctx.report(
                "name/unknown-custom-field",
                f"custom field '{second.name}' is not declared",
                _name_span(second),
                hint=did_you_mean(second.name, ctx.fields, prefix="fields.")
                or "declare it under 'fields:'",
            )
            return None
        if len(parts) == 2:
            return Resolution("custom", second.name)
    elif name == "headers":
        if len(parts) == 2:
            return Resolution("header", second.name.casefold())
    elif name not in schema_roots:
        ctx.report(
            "name/unknown-field",
            f"unknown ticket field '{name}'",
            root.span,
            hint=did_you_mean(name, schema_roots),
        )
        return None
    extra = parts[2] if name in ("requester", "fields", "headers") else parts[1]
    ctx.report(
        "name/unknown-field",
        f"'{'.'.join(p.name for p in parts[: parts.index(extra)])}' has no field '{extra.name}'",
        _name_span(extra),
    )
    return None


def _check_expr(ctx: CheckContext, owner: str, expr: ast.Expr, cond: ast.Condition) -> None:
    deps: set[str] = set()
    failed = False

    def visit(node: ast.Expr) -> None:
        nonlocal failed
        if isinstance(node, ast.Path):
            res = _resolve_path(ctx, node)
            if res is None:
                failed = True
                return
            ctx.paths[id(node)] = res
            if res.kind == "define":
                deps.add(res.key)
        elif isinstance(node, ast.ListRef):
            if node.name not in ctx.lists:
                failed = True
                ctx.report(
                    "name/unknown-list",
                    f"list '${node.name}' is not declared",
                    node.span,
                    hint=did_you_mean(node.name, ctx.lists, prefix="$")
                    or "declare it under 'lists:'",
                )
        elif isinstance(node, ast.Call):
            sig = FUNCTIONS.get(node.name)
            if sig is None:
                failed = True
                ctx.report(
                    "name/unknown-function",
                    f"unknown function '{node.name}'",
                    node.name_span,
                    hint=did_you_mean(node.name, FUNCTIONS),
                )
                return
            for param, arg in zip(sig.params, node.args, strict=False):
                if (
                    param == "calendar"
                    and isinstance(arg, ast.StringLit)
                    and arg.value not in ctx.calendars
                ):
                    failed = True
                    ctx.report(
                        "name/unknown-calendar",
                        f"calendar '{arg.value}' is not declared",
                        arg.span,
                        hint=did_you_mean(arg.value, ctx.calendars)
                        or "declare it under 'calendars:'",
                    )

    walk(expr, visit)
    if failed:
        ctx.invalid.add(id(cond))
    if owner:
        ctx.define_deps[owner] = deps


def _check_define_cycles(ctx: CheckContext) -> None:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[str] = set()
    for start in ctx.defines:
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(ctx.define_deps.get(start, ())))]
        trail = [start]
        state[start] = 1
        while stack:
            name, pending = stack[-1]
            if not pending:
                state[name] = 2
                stack.pop()
                trail.pop()
                continue
            nxt = pending.pop()
            st = state.get(nxt, 0)
            if st == 1:
                cycle = [*trail[trail.index(nxt) :], nxt]
                if nxt not in reported:
                    reported.update(cycle)
                    d = ctx.defines[nxt]
                    ctx.report(
                        "name/define-cycle",
                        f"define '{nxt}' refers to itself: {' -> '.join(cycle)}",
                        d.name.span,
                    )
                for n in cycle:
                    ctx.invalid.add(id(ctx.defines[n].condition))
            elif st == 0:
                state[nxt] = 1
                trail.append(nxt)
                stack.append((nxt, sorted(ctx.define_deps.get(nxt, ()))))


_DECLARED_UNDER = {
    "queue": "queues",
    "template": "templates",
    "SLA policy": "sla_policies",
    "agent": "agents",
    "calendar": "calendars",
}


def _need(
    ctx: CheckContext, name: ast.Name | None, table: dict[str, object], code: str, what: str
) -> None:
    if name is None or name.value in table:
        return
    hint = did_you_mean(name.value, table) or f"declare it under '{_DECLARED_UNDER[what]}:'"
    ctx.report(code, f"{what} '{name.value}' is not declared", name.span, hint=hint)


def _check_actions(ctx: CheckContext) -> None:
    queues: dict[str, object] = dict(ctx.queues)
    templates: dict[str, object] = dict(ctx.templates)
    for _, rule in ctx.rules():
        for action in rule.then:
            if isinstance(action, ast.RouteAction):
                _need(ctx, action.queue, queues, "name/unknown-queue", "queue")
            elif isinstance(action, ast.ReplyAction | ast.NotifyAction):
                _need(ctx, action.template, templates, "name/unknown-template", "template")
            elif isinstance(action, ast.WebhookAction):
                _need(ctx, action.body, templates, "name/unknown-template", "template")
            elif isinstance(action, ast.SlaAction):
                _need(ctx, action.policy, dict(ctx.policies), "name/unknown-policy", "SLA policy")
            elif isinstance(action, ast.AssignAction):
                _need(ctx, action.agent, dict(ctx.agents), "name/unknown-agent", "agent")
            elif isinstance(action, ast.SetAction):
                for item in action.items:
                    target = item.target.value
                    if target == "queue" and isinstance(item.value.value, str):
                        _need(
                            ctx,
                            ast.Name(item.value.value, item.value.span),
                            queues,
                            "name/unknown-queue",
                            "queue",
                        )
                    elif target == "assignee" and isinstance(item.value.value, str) and ctx.agents:
                        _need(
                            ctx,
                            ast.Name(item.value.value, item.value.span),
                            dict(ctx.agents),
                            "name/unknown-agent",
                            "agent",
                        )
    calendars: dict[str, object] = dict(ctx.calendars)
    for p in ctx.policies.values():
        _need(ctx, p.calendar, calendars, "name/unknown-calendar", "calendar")
    for a in ctx.agents.values():
        _need(ctx, a.calendar, calendars, "name/unknown-calendar", "calendar")
        for q in a.queues:
            _need(ctx, q, queues, "name/unknown-queue", "queue")


def _check_calendar_variable(
    ctx: CheckContext, template: str, decl: ast.TemplateDecl, var: TemplateVariable
) -> None:
    """``calendars["NAME"].KEY``: NAME a declared calendar, KEY one of `CALENDAR_KEYS`."""
    path = var.path
    if len(path) < 2:
        return  # a computed name (calendars[x]) or the whole map: every calendar is given
    span = decl.source.span(var.start, var.end)
    calendar = path[1]
    if calendar not in ctx.calendars:
        ctx.report(
            "name/unknown-calendar",
            f"template '{template}' uses calendar '{calendar}', which is not declared",
            span,
            hint=did_you_mean(calendar, ctx.calendars) or "declare it under 'calendars:'",
        )
        return
    if len(path) > 2 and path[2] not in CALENDAR_KEYS:
        ctx.report(
            "name/unknown-template-variable",
            f"template '{template}' uses unknown variable 'calendars.{calendar}.{path[2]}'",
            span,
            hint=did_you_mean(path[2], CALENDAR_KEYS)
            or f"a calendar has {', '.join(CALENDAR_KEYS)}",
        )


def _check_template_variables(ctx: CheckContext) -> None:
    roots = template_roots(ctx)
    for name, compiled in ctx.compiled_templates.items():
        decl = ctx.templates[name]
        for var in compiled.variables:
            path: tuple[str, ...] = tuple(var.path)
            if not path:
                continue
            span = decl.source.span(var.start, var.end)
            root = path[0]
            if root not in roots:
                ctx.report(
                    "name/unknown-template-variable",
                    f"template '{name}' uses unknown variable '{root}'",
                    span,
                    hint=did_you_mean(root, roots),
                )
                continue
            if root == "calendars":
                _check_calendar_variable(ctx, name, decl, var)
                continue
            allowed = roots[root]
            if allowed is not None and len(path) > 1 and path[1] not in allowed:
                ctx.report(
                    "name/unknown-template-variable",
                    f"template '{name}' uses unknown variable '{root}.{path[1]}'",
                    span,
                    hint=did_you_mean(path[1], allowed, prefix=f"{root}."),
                )


def resolve_names(ctx: CheckContext) -> None:
    """Resolve paths, lists, functions, calendars, queues, templates, policies and agents."""
    for site, expr in list(ctx.parsed()):
        owner = site.name if site.owner == "define" else ""
        _check_expr(ctx, owner, expr, site.condition)
    _check_define_cycles(ctx)
    _check_actions(ctx)
    _check_template_variables(ctx)
