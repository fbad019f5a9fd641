"""The facade: load -> check -> compile -> `Ruleset`."""

from __future__ import annotations

import os

from routing.diagnostics import Severity
from routing.dsl._gc import gc_paused
from routing.dsl.checker import check
from routing.dsl.loader import load_path, load_text
from routing.engine.ruleset import Ruleset
from routing.errors import RuleError

__all__ = ["load", "loads"]


def _finish(files: list, diagnostics: list, index: bool) -> Ruleset:  # type: ignore[type-arg]
    if any(d.severity is Severity.ERROR for d in diagnostics) and not files:
        raise RuleError(diagnostics)
    # Checking and compiling allocate objects that all stay alive: a cyclic collection during
    # them frees nothing and walks the whole growing heap (docs/performance.md, "Building
    # rule sets"), so the collector waits until the rule set is built.
    with gc_paused():
        checked = check(files, extra=diagnostics)
        if not checked.ok:
            raise RuleError(checked.diagnostics)
        return Ruleset(checked, index=index)


def load(path: str | os.PathLike[str], *, index: bool = True) -> Ruleset:
    """Load a rule file, or a directory of them, into a `Ruleset`.

    ``index=False`` leaves out the rule index: every rule is visited for every ticket, with
    the same decisions (for differential tests; see docs/api.md).

    Raises:
        RuleError: with every diagnostic, if any is an error.
        TypeError: `path` is not a path.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load takes a path (str or os.PathLike), found {type(path).__name__}")
    files, diagnostics = load_path(path)
    return _finish(files, diagnostics, index)


def loads(text: str, *, name: str = "<string>", index: bool = True) -> Ruleset:
    """Load rules from YAML text into a `Ruleset`.

    `index` is as for `load`.

    Raises:
        RuleError: with every diagnostic, if any is an error.
        TypeError: `text` or `name` is not a str (decode bytes first: rule files are UTF-8).
    """
    if not isinstance(text, str):
        hint = ": decode it first (rule files are UTF-8)" if isinstance(text, bytes) else ""
        raise TypeError(f"loads takes the rules as a str, found {type(text).__name__}{hint}")
    if not isinstance(name, str):
        raise TypeError(f"loads takes a str name, found {type(name).__name__}")
    rule_file, diagnostics = load_text(text, name)
    return _finish([rule_file] if rule_file is not None else [], diagnostics, index)
