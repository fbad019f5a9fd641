"""The checker's types: what a value in a rule expression can be.

A `Type` is a small immutable record. Enums carry their declared values (and whether they
are ordered, as `priority` is); lists carry their item type. `ANY` is used where the
checker cannot know more (it never produces an error); `ERROR` marks a node that already
has a diagnostic, so one mistake is reported once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "ANY",
    "BOOL",
    "DATETIME",
    "DURATION",
    "ERROR",
    "NULL",
    "NUMBER",
    "REGEX",
    "STRING",
    "Kind",
    "Type",
    "enum_type",
    "list_of",
]


class Kind(enum.Enum):
    STRING = "string"
    NUMBER = "number"
    BOOL = "boolean"
    NULL = "null"
    DURATION = "duration"
    DATETIME = "datetime"
    REGEX = "regex"
    ENUM = "enum"
    LIST = "list"
    MAP = "map"
    ANY = "any"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Type:
    kind: Kind
    name: str = ""  # enum name, e.g. "priority" or "fields.plan"
    values: tuple[str, ...] = ()  # enum values in declared order
    ordered: bool = False  # enum values compare by declared order
    item: Type | None = None  # item type of a list or value type of a map

    def __str__(self) -> str:
        if self.kind is Kind.ENUM:
            return f"{self.name or 'enum'} ({', '.join(self.values)})"
        if self.kind is Kind.LIST:
            return f"list of {self.item}" if self.item else "list"
        return str(self.kind.value)

    @property
    def is_stringy(self) -> bool:
        """Strings and enums: values that are text at run time."""
        return self.kind in (Kind.STRING, Kind.ENUM)

    def plural(self) -> str:
        """The plural noun for messages: 'priorities', 'numbers', 'lists of strings'."""
        text = self.describe()
        noun = text.split(" ", 1)[1] if text.startswith(("a ", "an ")) else text
        head, sep, tail = noun.partition(" of ")
        if head.endswith("y") and not head.endswith(("ay", "ey", "oy", "uy")):
            head = head[:-1] + "ies"
        elif not head.endswith("s"):
            head += "s"
        return head + sep + tail

    def describe(self) -> str:
        """A short noun phrase for messages: 'a string', 'a list of strings', 'a priority'."""
        k = self.kind
        if k is Kind.ENUM:
            if not self.name:
                return "an enum value"
            if "." in self.name:
                return f"a value of '{self.name}'"
            return f"{_article(self.name)} {self.name}"
        if k is Kind.LIST:
            if self.item is None or self.item.kind is Kind.ANY:
                return "a list"
            inner = self.item.describe().split(" ", 1)[1]
            return f"a list of {inner}s" if not inner.endswith("s") else f"a list of {inner}"
        if k is Kind.MAP:
            return "a mapping"
        if k is Kind.NULL:
            return "null"
        return f"{_article(k.value)} {k.value}"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


STRING = Type(Kind.STRING)
NUMBER = Type(Kind.NUMBER)
BOOL = Type(Kind.BOOL)
NULL = Type(Kind.NULL)
DURATION = Type(Kind.DURATION)
DATETIME = Type(Kind.DATETIME)
REGEX = Type(Kind.REGEX)
ANY = Type(Kind.ANY)
ERROR = Type(Kind.ERROR)


def enum_type(name: str, values: tuple[str, ...], *, ordered: bool = False) -> Type:
    return Type(Kind.ENUM, name=name, values=values, ordered=ordered)


def list_of(item: Type) -> Type:
    return Type(Kind.LIST, item=item)
