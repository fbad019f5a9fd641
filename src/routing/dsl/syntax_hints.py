"""How syntax errors in expressions are explained: human terminal names and hints by example.

This module holds data and wording only; it does not import lark. `routing.dsl._lark_expr`
parses every example below once (on the first syntax error), records where the parser
stood when it failed, and attaches the example's hint to any later error that fails in the
same place. This is how lark explains its own grammar errors (``GRAMMAR_ERRORS`` with
``match_examples`` in ``lark/load_grammar.py``).

Two kinds of places are matched:

* an unexpected *token* matches an example that failed in the same parser state on a token
  of the same kind (``a contains any "x"`` and ``tags has any $x`` fail after ``any``);
* an unexpected *character* matches an example that failed on the same misplaced text
  (``=``, ``&&``, ``!``...), wherever it stands.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CHARACTER_MISTAKES",
    "SYNTAX_HINTS",
    "TERMINAL_NAMES",
    "describe_expected",
    "describe_found",
]

#: Human names of the terminals of ``grammar.lark``, as used in "expected ..." messages.
TERMINAL_NAMES: dict[str, str] = {
    "STRING": "a string",
    "NUMBER": "a number",
    "DURATION": "a duration",
    "REGEX": "a regex '/…/'",
    "NAME": "a name",
    "PART_NAME": "a name",
    "LISTREF": "'$list'",
    "TRUE": "'true'",
    "FALSE": "'false'",
    "NULL": "'null'",
    "COMPARE_OP": "a comparison ('==', '!=', '<', '<=', '>', '>=')",
    "_AND": "'and'",
    "_OR": "'or'",
    "NOT": "'not'",
    "IN": "'in'",
    "CONTAINS": "'contains'",
    "MENTIONS": "'mentions'",
    "STARTS": "'starts with'",
    "ENDS": "'ends with'",
    "WITH": "'with'",
    "MATCHES": "'matches'",
    "HAS": "'has'",
    "IS": "'is'",
    "EMPTY": "'empty'",
    "ANY": "'any of'",
    "ALL": "'all of'",
    "NONE": "'none of'",
    "OF": "'of'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "DOT": "'.'",
    "_COMMA": "','",
    "$END": "the end of the expression",
}

# Terminals that start a value; when they are all expected they are named as one group.
_VALUE_START = frozenset(
    {"STRING", "NUMBER", "DURATION", "TRUE", "FALSE", "NULL", "LISTREF", "NAME", "LSQB"}
)
# Terminals that continue a test after its first value; named as one group.
_OPERATORS = frozenset(
    {"COMPARE_OP", "IN", "NOT", "CONTAINS", "MENTIONS", "STARTS", "ENDS", "MATCHES", "HAS", "IS"}
)
# The order in which expected things are listed.
_ORDER = (
    "OF",
    "WITH",
    "EMPTY",
    "IN",
    "NOT",
    "ANY",
    "ALL",
    "NONE",
    "REGEX",
    "STRING",
    "NAME",
    "NUMBER",
    "DURATION",
    "LISTREF",
    "TRUE",
    "FALSE",
    "NULL",
    "LSQB",
    "LPAR",
    "DOT",
    "_AND",
    "_OR",
    "_COMMA",
    "RPAR",
    "RSQB",
    "$END",
)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def describe_expected(accepts: Iterable[str]) -> str:
    """What the parser would have accepted, in words.

    >>> describe_expected({"STRING", "NUMBER", "DURATION", "TRUE", "FALSE", "NULL",
    ...                    "LISTREF", "NAME", "LSQB", "LPAR", "NOT", "REGEX"})
    "a value: a string, a number, a path, '$list', '[' or '('"
    """
    rest = set(accepts)
    parts: list[str] = []
    value = ""
    if rest >= _VALUE_START:
        group = ["a string", "a number", "a path", "'$list'", "'['"]
        if "LPAR" in rest:
            group.append("'('")
        value = f"a value: {_join(group)}"
        rest -= _VALUE_START | {"LPAR", "NOT", "REGEX"}
    if "COMPARE_OP" in rest:
        parts.append("an operator such as '==', 'in', 'contains' or 'is empty'")
        rest -= _OPERATORS | {"DOT", "LSQB", "LPAR"}
    for name in _ORDER:
        if name in rest:
            parts.append(TERMINAL_NAMES[name])
            rest.discard(name)
    parts.extend(TERMINAL_NAMES.get(name, f"'{name.lower()}'") for name in sorted(rest))
    if value:  # last, so that its own "or" ends the message
        parts.append(value)
    return _join(parts) if parts else "nothing more"


def describe_found(text: str) -> str:
    """The text of an unexpected token, quoted and shortened."""
    if len(text) > 30:
        text = text[:29] + "…"
    return f"'{text}'"


#: Hints by example: each hint, and inputs that fail exactly where the hint applies.
SYNTAX_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "use '==' to compare two values",
        ("a = b", "a.b = 1", 'a["b"] = 1', "f(x) = 1", "$l = 1", '"a" = b', "1 = b"),
    ),
    ("there is no '===': use '==' to compare two values", ("a === b",)),
    ("use '>=' for 'greater than or equal'", ("a => b",)),
    ("use '<=' for 'less than or equal'", ("a =< b",)),
    ("use '!=' for 'not equal'", ("a <> b",)),
    ("use 'and' to combine conditions", ("a && b", "a & b")),
    ("use 'or' to combine alternatives", ("a || b", "a | b")),
    ("use 'not' to negate a condition", ("!a", "a and !b", "!(a)")),
    ("a list reference is '$' followed by the list's name, as in '$vip_domains'", ("a in $",)),
    *(
        (
            f"write '{op} {quantifier} of', as in '{subject} {op} {quantifier} of {listref}'",
            tuple(
                f"a {op} {quantifier}{after}"
                for after in (' "x"', " b", " $l", " [1]", " 1", " 1h", " true", " null", "")
            ),
        )
        for op, subject, listref, quantifiers in (
            ("contains", "text", "$phrases", ("any", "all")),
            ("mentions", "text", "$phrases", ("any", "all")),
            ("has", "tags", "$tags", ("any", "all", "none")),
        )
        for quantifier in quantifiers
    ),
    (
        "comparisons do not chain: write 'a < b and b < c'",
        tuple(
            f"a {op} {right} {op2} c"
            for op in ("==", "!=", "<", "<=", ">", ">=")
            for op2 in ("==", "!=", "<", "<=", ">", ">=")
            for right in ("b", "1", '"x"', "1h", "$l", "[1]", "f(x)", "null", "true")
        ),
    ),
    ("write 'starts with'", ('a starts "x"', "a starts b", "a starts $l")),
    ("write 'ends with'", ('a ends "x"', "a ends b", "a ends $l")),
    (
        "'matches' takes a regex literal such as /outage|down/i",
        ('a matches "x"', "a matches b", "a matches $l", "a matches [1]"),
    ),
    (
        "'is' only forms 'is empty' and 'is not empty'; use '==' to compare",
        ('a is "x"', "a is b", "a is 1", "a is null", "a is true", "a is not b"),
    ),
    (
        "put 'not' before the whole test, as in 'not a contains b'",
        (
            "a not contains b",
            "a not mentions b",
            "a not matches /x/",
            "a not has b",
            "a not starts with b",
            "a not ends with b",
            "a not == b",
        ),
    ),
)

#: Misplaced characters the examples above are matched on, longest first. Anything else is
#: reported as the single character found.
CHARACTER_MISTAKES: tuple[str, ...] = ("===", "=>", "=<", "&&", "||", "=", "&", "|", "!", "$")
