"""RE2-backed regular expressions: every user pattern runs in linear time.

A user pattern never reaches Python's `re`. Backreferences and look-around have no
linear-time implementation; RE2 rejects them, and we say so in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import re2

__all__ = ["RegexProblem", "compile_regex"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.max_mem = 64 << 20

# Constructs RE2 refuses because no linear-time algorithm exists for them.
_NON_LINEAR = re.compile(
    r"""\\[1-9]                # backreference \1..\9
      | \\k<                   # named backreference
      | \(\?P=                 # Python named backreference
      | \(\?<?[=!]             # look-ahead / look-behind
      | \(\?>                  # atomic group
      | [*+?}]\+               # possessive quantifier
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class RegexProblem:
    """Why a pattern was refused: `not_linear` for backreferences and look-around."""

    message: str
    not_linear: bool


def compile_regex(pattern: str, flags: str = "") -> Any | RegexProblem:
    """Compile `pattern` with flags from "ims" under RE2, or explain why it cannot be."""
    prefix = f"(?{''.join(sorted(set(flags)))})" if flags else ""
    try:
        return re2.compile(prefix + pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
    # RE2 refused it: say so plainly when the cause is a construct with no linear match
    m = _NON_LINEAR.search(pattern)
    if m is not None:
        what = m.group(0)
        kind = (
            "a backreference"
            if what.startswith(("\\", "(?P="))
            else "an atomic group or possessive quantifier"
            if what.startswith("(?>") or what.endswith("+")
            else "look-around"
        )
        return RegexProblem(
            f"{kind} ('{what}') has no linear-time match; RE2 does not support it", True
        )
    return RegexProblem(str(detail), False)
