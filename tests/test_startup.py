"""Start-up: what ``import routing``, loading well-formed rules and building the command
line's parser leave out of the process.

lark (with its parser tables) is imported only when an expression needs it: a syntax error
or something the fast reader declines. The formatter (with ruamel.yaml), the rule diff
(``routing.testing``) and tarfile are imported by the sub-commands that run them, and
``routing.email`` (with mailbox) where mail is read, not by every command registering its
options. ``import routing`` imports none of the reader, checker, compiler and engine (the
package's names come with their modules on first use), and loading a calendar imports only
the python-holidays countries it names (decision 0023). Each check runs in a fresh
interpreter and reads ``sys.modules``, so a module-level import that brings one of them
back fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import routing.email
from routing.cli._tickets import INPUT_FORMATS, MAIL_FORMATS

EXAMPLE_RULES = Path(__file__).resolve().parent.parent / "examples" / "helpdesk" / "rules"

#: Modules (and their submodules) that start-up must not import.
DEFERRED = (
    "lark",
    "routing.dsl._lark_expr",
    "ruamel",
    "routing.dsl.formatter",
    "routing.testing",
    "tarfile",
    "routing.email",
    "mailbox",
)


def _loaded(code: str) -> list[str]:
    """The `DEFERRED` modules in ``sys.modules`` after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\n" + (
        "print(json.dumps(sorted(m for m in sys.modules"
        f" if m.split('.')[0] in {DEFERRED!r} or m.startswith({DEFERRED!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_import_routing_and_building_the_parser_import_none_of_the_deferred_modules() -> None:
    code = "import routing, routing.cli.main\nrouting.cli.main.build_parser()"
    assert _loaded(code) == []


def test_loading_the_example_rules_does_not_import_lark() -> None:
    assert _loaded(f"import routing\nrouting.load({str(EXAMPLE_RULES)!r})") == []


def test_a_syntax_error_still_imports_lark_and_explains_it() -> None:
    code = (
        "from routing.diagnostics import SourceFile\n"
        "from routing.dsl.expr_parser import parse_expression\n"
        "expr, diags = parse_expression('vip and', SourceFile('<t>', 'vip and'))\n"
        "assert expr is None\n"
        "assert [d.code for d in diags] == ['syntax/unexpected-end'], diags\n"
    )
    loaded = _loaded(code)
    assert {"lark", "routing.dsl._lark_expr"} <= set(loaded), loaded


def test_the_probe_sees_a_deferred_module_once_it_is_imported() -> None:
    # The other tests assert on an empty list: this one shows the probe can fail them.
    assert _loaded("import tarfile") == ["tarfile"]


def test_the_mail_formats_spelled_for_start_up_are_routing_email_s_kinds() -> None:
    assert (MAIL_FORMATS, INPUT_FORMATS) == (
        routing.email.MAIL_KINDS,
        ("jsonl", "csv", "eml", "mbox", "maildir"),
    )


def test_telling_a_mail_file_imports_routing_email(tmp_path: Path) -> None:
    message = tmp_path / "message"
    message.write_text("From: ann@example.org\nSubject: hello\n\nbody\n", encoding="utf-8")
    code = (
        "from routing.cli._tickets import guess_format\n"
        f"assert guess_format({str(message)!r}, None) == 'eml'\n"
    )
    assert {"mailbox", "routing.email"} <= set(_loaded(code))


def _run(code: str) -> str:
    """The last line `code` prints, run in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()[-1]


#: What the rule reader, checker, compiler and engine import; `import routing` leaves them out.
ENGINE = ("routing._api", "routing.engine", "routing.compiler", "pydantic", "liquid", "yaml")


def test_import_routing_and_routing_sla_import_none_of_the_engine() -> None:
    code = (
        "import sys, routing, routing.sla, routing.cli.main\n"
        f"print(sorted(m for m in sys.modules if m.startswith({ENGINE!r})))\n"
    )
    assert _run(code) == "[]"


def test_the_names_of_routing_come_with_their_modules() -> None:
    code = (
        "import gc, routing\n"
        "from routing.model.ticket import Ticket\n"
        "from routing._api import load\n"
        "assert (routing.Ticket, routing.load) == (Ticket, load)\n"
        "assert set(routing.__all__) <= set(dir(routing))\n"
        "assert gc.isenabled()\n"
        "print(sorted(n for n in routing.__all__ if getattr(routing, n) is None))\n"
    )
    assert _run(code) == "[]"


def test_an_unknown_name_of_routing_is_an_attribute_error() -> None:
    code = "import routing\ntry:\n    routing.nope\nexcept AttributeError as exc:\n    print(exc)\n"
    assert _run(code) == "module 'routing' has no attribute 'nope'"


def test_loading_the_example_imports_only_the_holiday_countries_it_names() -> None:
    code = (
        "import sys, routing\n"
        f"routing.load({str(EXAMPLE_RULES)!r})\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))\n"
    )
    assert _run(code) == str(
        ["holidays.countries", "holidays.countries.germany", "holidays.countries.united_states"]
    )


def test_the_lazy_holiday_countries_package_has_every_name_of_the_plain_one() -> None:
    # After the lazy package was used for one country, asking it for any other name runs the
    # real __init__: the same names, the same classes, as a plain import of the package.
    names = (
        "import holidays.countries as c\n"
        "print(sorted((n, getattr(getattr(c, n), '__qualname__', type(getattr(c, n)).__name__))"
        " for n in dir(c) if not n.startswith('_')))\n"
    )
    lazy = (
        "from routing.sla._holidays import holidays\n"
        "assert type(holidays.countries).__name__ == '_LazyCountries'\n"
        "assert holidays.country_holidays('DE', subdiv='BE', years=2026)\n"
        "from holidays.countries import France\n"
        "import holidays.countries.italy\n"
        "assert holidays.countries.Albania.__module__ == 'holidays.countries.albania'\n"
    )
    plain = _run(names)
    assert len(plain) > 1000
    assert _run(lazy + names) == plain


def test_holidays_through_the_lazy_package_are_the_plain_ones() -> None:
    table = (
        "print(sorted((str(d), n) for c, s in (('DE', 'BE'), ('US', 'NY'), ('FR', None))"
        " for d, n in holidays.country_holidays(c, subdiv=s, years=2026).items()))\n"
    )
    lazy = _run("from routing.sla._holidays import holidays\n" + table)
    assert "Weihnachtstag" in lazy or "Christmas" in lazy
    assert lazy == _run("import holidays, holidays.countries\n" + table)
