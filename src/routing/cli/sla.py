"""``routing sla``: due times, business time, next opening and a day-by-day calendar view.

The calendar comes from ``--calendar PATH`` (a YAML or JSON file holding one calendar spec),
``--calendar PATH#NAME`` (the entry NAME of the ``calendars:`` of a rule file or rule
directory, read by the rule loader, or of a JSON file) or ``--calendar-json '{...}'``. YAML is
read strictly, as rule files are, and a mistake in a calendar is shown at its line. Instants
are ISO 8601 with an offset; durations are ``4h``, ``1h30m``, ``3d`` (``3d`` is 72 hours of
business time). Every mistake exits 2. See docs/cli/sla.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routing.cli.main import EXIT_OK, EXIT_USAGE
from routing.diagnostics import Diagnostic, Severity, Span, render_text
from routing.errors import CalendarError
from routing.sla import Calendar, DayInfo

if TYPE_CHECKING:
    from routing.dsl.ast import YamlNode, YMapping

__all__ = ["register"]


class UsageError(Exception):
    """A bad argument: one line on stderr and exit code 2."""


def register(subparsers: Any) -> None:
    """Add ``routing sla`` and its sub-commands."""
    common = argparse.ArgumentParser(add_help=False)
    source = common.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--calendar", metavar="SPEC", help="a YAML/JSON calendar file, or FILE#NAME of calendars:"
    )
    source.add_argument("--calendar-json", metavar="JSON", help="the calendar spec inline")

    parser = subparsers.add_parser(
        "sla", help="due times and business time of a calendar", description=__doc__
    )
    sub = parser.add_subparsers(dest="sla_command", metavar="SUBCOMMAND", required=True)

    due = sub.add_parser("due", parents=[common], help="the due instant of a target")
    due.add_argument("--start", required=True, metavar="T", help="ISO 8601 instant with offset")
    due.add_argument("--target", required=True, metavar="DURATION", help="e.g. 4h, 1h30m, 3d")
    due.set_defaults(func=_guard(_due))

    between = sub.add_parser("between", parents=[common], help="business time in [A, B)")
    between.add_argument("--from", dest="start", required=True, metavar="A")
    between.add_argument("--to", dest="end", required=True, metavar="B")
    between.set_defaults(func=_guard(_between))

    next_open = sub.add_parser("next-open", parents=[common], help="the next open instant")
    next_open.add_argument("--at", required=True, metavar="T")
    next_open.set_defaults(func=_guard(_next_open))

    show = sub.add_parser("show", parents=[common], help="a day-by-day view of the calendar")
    show.add_argument("--from", dest="start", required=True, metavar="DATE", help="YYYY-MM-DD")
    show.add_argument("--days", type=int, default=14, metavar="N", help="number of days (14)")
    show.set_defaults(func=_guard(_show))


def _guard(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except LocatedError as exc:
            sys.stderr.write(render_text(exc.diagnostics) + "\n")
            sys.stderr.write(f"routing sla: error: {exc}\n")
        except (UsageError, CalendarError, ValueError) as exc:
            sys.stderr.write(f"routing sla: error: {exc}\n")
        except OverflowError:
            sys.stderr.write("routing sla: error: the dates go beyond the years 1 to 9999\n")
        return EXIT_USAGE

    return run


class LocatedError(UsageError):
    """A calendar file that does not give a calendar: its rendered diagnostics, then a line."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


def _load_calendar(args: argparse.Namespace) -> Calendar:
    if args.calendar_json is not None:
        try:
            spec = json.loads(args.calendar_json)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--calendar-json is not JSON: {exc}") from None
        except RecursionError:
            raise UsageError("--calendar-json is not JSON: nested too deeply") from None
        return Calendar.from_dict(spec, name="calendar")
    text, _, name = str(args.calendar).partition("#")
    path = Path(text)
    if name and (path.is_dir() or path.suffix in (".yaml", ".yml")):
        return _rules_calendar(path, name)
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read calendar file '{path}': {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read calendar file '{path}': it is not UTF-8 text") from None
    if path.suffix == ".json":
        return _json_calendar(path, content, name)
    return _yaml_calendar(path, content, name, str(args.calendar))


def _json_calendar(path: Path, content: str, name: str) -> Calendar:
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise UsageError(f"'{path}' is not valid JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"'{path}' is not valid JSON: nested too deeply") from None
    if name:
        calendars = data.get("calendars") if isinstance(data, dict) else None
        if not isinstance(calendars, dict) or name not in calendars:
            raise UsageError(f"'{path}' has no calendar '{name}' under calendars:")
        data = calendars[name]
    try:
        return Calendar.from_dict(data, name=name or path.stem)
    except CalendarError as exc:
        raise UsageError(f"{path}{'#' + name if name else ''}: {exc}") from None


def _yaml_calendar(path: Path, content: str, name: str, spec_text: str) -> Calendar:
    """A calendar from a YAML file, read strictly (as rule files are) with positions."""
    from routing.diagnostics import SourceFile
    from routing.dsl.ast import YMapping
    from routing.dsl.loader import read_yaml

    failed = f"cannot read the calendar from '{spec_text}'"
    tree, diagnostics = read_yaml(content, SourceFile(str(path), content))
    if any(d.severity is Severity.ERROR for d in diagnostics):
        raise LocatedError(failed, diagnostics)
    if tree is None:
        raise UsageError(f"'{path}' is empty: expected a calendar spec (timezone, hours, ...)")
    node = tree
    if name:
        calendars = tree.get("calendars") if isinstance(tree, YMapping) else None
        found = calendars.get(name) if isinstance(calendars, YMapping) else None
        if not isinstance(found, YMapping):
            raise UsageError(f"'{path}' has no calendar '{name}' under calendars:")
        node = found
    hint = None
    if isinstance(tree, YMapping) and not name and tree.get("calendars") is not None:
        hint = _rule_file_hint(path, tree)
    return _calendar(node, name or path.stem, failed, hint=hint)


def _rule_file_hint(path: Path, tree: YMapping) -> str:
    from routing.dsl.ast import YMapping

    calendars = tree.get("calendars")
    names = [str(k.value) for k, _ in calendars.items] if isinstance(calendars, YMapping) else []
    example = f"{path}#{names[0]}" if names else f"{path}#NAME"
    return f"this is a rule file: name one of its calendars, e.g. --calendar {example}"


def _calendar(node: YamlNode, name: str, failed: str, *, hint: str | None = None) -> Calendar:
    """`Calendar.from_dict` on a located YAML node; a bad spec is a located diagnostic."""
    from routing.dsl.ast import plain
    from routing.dsl.passes.check_literals import locate_key_path

    try:
        return Calendar.from_dict(plain(node), name=name)  # type: ignore[arg-type]
    except CalendarError as exc:
        diagnostic = Diagnostic.make(
            "calendar/invalid",
            f"calendar '{name}': {exc}",
            locate_key_path(node, exc.key_path, at_key=exc.at_key),
            hint=hint,
        )
        raise LocatedError(failed, [diagnostic]) from None


def _rules_calendar(path: Path, name: str) -> Calendar:
    """Calendar NAME of a rule file or rule directory, read by the strict rule loader."""
    from routing.dsl.loader import load_path

    if not path.exists():
        raise UsageError(f"cannot read calendar file '{path}': No such file or directory")
    failed = f"cannot read the calendar from '{path}#{name}'"
    files, diagnostics = load_path(path)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    for f in files:
        for decl in f.calendars:
            if decl.name.value == name:
                inside = [d for d in errors if _within(d, decl.span)]
                if inside:
                    raise LocatedError(failed, inside)
                return _calendar(decl.spec, name, failed)
    # The calendar may be in a file that could not be read: show why it could not.
    loaded = {f.source.name for f in files}
    unread = [d for d in errors if d.span is None or d.span.source.name not in loaded]
    known = sorted(d.name.value for f in files for d in f.calendars)
    if unread:
        raise LocatedError(f"{failed}: {_count(len(unread), 'error')} above", unread)
    raise UsageError(
        f"'{path}' has no calendar '{name}' under calendars:"
        + (f" (it has {', '.join(known)})" if known else "")
    )


def _within(diagnostic: Diagnostic, span: Span) -> bool:
    inner = diagnostic.span
    return (
        inner is not None
        and inner.source.name == span.source.name
        and span.start.offset <= inner.start.offset <= span.end.offset
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _instant(text: str, option: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: '{text}' is not an ISO 8601 instant") from None
    if value.tzinfo is None:
        example = text if "T" in text.upper() or " " in text else f"{text}T00:00"
        raise UsageError(
            f"{option}: '{text}' needs a UTC offset, e.g. {example}+01:00 or {example}Z"
        )
    return value


def _duration(text: str) -> dt.timedelta:
    from routing.dsl.durations import parse_duration

    seconds = parse_duration(text)
    if seconds is None:
        raise UsageError(f"--target: '{text}' is not a duration such as 4h, 1h30m or 3d")
    return dt.timedelta(seconds=seconds)


def _format_span(delta: dt.timedelta) -> str:
    from routing.dsl.durations import format_duration

    seconds = int(delta.total_seconds())
    return ("-" if seconds < 0 else "") + format_duration(abs(seconds))


def _local(calendar: Calendar, t: dt.datetime) -> str:
    return t.astimezone(calendar.timezone).isoformat()


def _due(args: argparse.Namespace) -> int:
    calendar = _load_calendar(args)
    start = _instant(args.start, "--start")
    due = calendar.add_business_time(start, _duration(args.target))
    print(_local(calendar, due))
    return EXIT_OK


def _between(args: argparse.Namespace) -> int:
    calendar = _load_calendar(args)
    span = calendar.business_time_between(
        _instant(args.start, "--from"), _instant(args.end, "--to")
    )
    print(_format_span(span))
    return EXIT_OK


def _next_open(args: argparse.Namespace) -> int:
    calendar = _load_calendar(args)
    print(_local(calendar, calendar.next_open(_instant(args.at, "--at"))))
    return EXIT_OK


def _notes(day: DayInfo) -> str:
    notes = []
    if day.holiday is not None:
        notes.append(f"holiday: {day.holiday}")
    if day.closed:
        notes.append("closed")
    if day.special:
        notes.append("special hours")
    if day.dst_change is not None:
        notes.append(
            f"DST {'+' if day.dst_change > dt.timedelta(0) else '-'}"
            f"{_format_span(abs(day.dst_change))}"
        )
    return "; ".join(notes)


def _show(args: argparse.Namespace) -> int:
    calendar = _load_calendar(args)
    try:
        start = dt.date.fromisoformat(args.start)
    except ValueError:
        raise UsageError(f"--from: '{args.start}' is not a date YYYY-MM-DD") from None
    if not 0 < args.days <= 3660:
        raise UsageError(f"--days: expected 1 to 3660 days, found {args.days}")
    if (dt.date.max - start).days < args.days - 1:
        raise UsageError(f"--days: {args.days} days from {start} go past 9999-12-31")
    days = calendar.describe_days(start, args.days)
    header = ("date", "day", "hours", "open", "notes")
    rows = [
        (
            d.date.isoformat(),
            d.weekday,
            d.hours_text,
            _format_span(d.open_time) if d.open_time else "-",
            _notes(d),
        )
        for d in days
    ]
    title = f"{calendar.name} ({calendar.timezone.key})"
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*header, title=title)
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return EXIT_OK
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    print(title)
    for row in (header, *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK
