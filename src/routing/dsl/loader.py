"""Reading rule files: strict YAML with located nodes, then the `RuleFile` builder.

This is the only module that reads YAML. It composes the located tree itself from
PyYAML's events (the C parser when it is installed and safe for the text, else the pure
Python one; the results are identical), which lets it reject what a strict reader must:

- anchors and aliases (``yaml/alias``), so an alias bomb costs nothing;
- explicit tags (``yaml/tag``);
- duplicate keys (``yaml/duplicate-key``, at the second key, with a note naming the first);
- plain ``yes/no/on/off/y/n`` values, which YAML 1.1 tools read as booleans
  (``yaml/ambiguous-scalar``; mapping keys are exempt, so the rule key ``on`` is fine).

Scalars are resolved YAML 1.2 core style, strictly: plain ``true``/``false`` (any of the
three spellings) are booleans, ``null``/``~``/empty are None, decimal ``12``/``-3`` are ints,
decimal ``3.5``/``1e3`` are floats, everything else (and every quoted or block scalar) is a
string. Nothing here raises for any input text: every problem is a `Diagnostic`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from routing.diagnostics import Diagnostic, SourceFile, Span, sort_diagnostics
from routing.dsl import limits
from routing.dsl._build import build_rule_file
from routing.dsl._gc import gc_paused
from routing.dsl.ast import RuleFile, YamlNode, YMapping, YScalar, YSequence

__all__ = ["MAX_YAML_DEPTH", "load_path", "load_text", "read_yaml", "resolve_scalar"]

#: Deepest nesting of YAML collections accepted in a rule file.
MAX_YAML_DEPTH = 100

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YES = frozenset({"yes", "on", "y"})
_NO = frozenset({"no", "off", "n"})
_SUFFIXES = (".yaml", ".yml")
_HAVE_C = bool(getattr(yaml, "__with_libyaml__", False))
#: a directive line (``%TAG`` declares tag handles)
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
#: a block scalar header with a comment and no space between (``|#``, ``>-#``)
_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


def resolve_scalar(text: str, style: str) -> str | int | float | bool | None:
    """The strict YAML 1.2 core value of a scalar as written (`style` "" is plain)."""
    if style:
        return text
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    try:
        if _INT.fullmatch(text):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
    except ValueError:  # an int longer than Python converts
        return text
    return text


# --------------------------------------------------------------------------- the tree


def _at(mark: object) -> int:
    """The code-point offset of a PyYAML mark (events always carry one)."""
    index = getattr(mark, "index", 0)
    return index if isinstance(index, int) else 0


class _Bad:
    """The key of a pair that is dropped (a duplicate or a collection used as a key)."""


_BAD = _Bad()


@dataclass
class _Frame:
    mapping: bool
    start: int
    flow: bool
    items: list[object] = field(default_factory=list)
    key: YScalar | _Bad | None = None
    has_key: bool = False
    seen: dict[tuple[type, object], YScalar] = field(default_factory=dict)
    last_end: int = -1


class _Abort(Exception):
    """Stops reading after a fatal problem (already reported)."""


class _Reader:
    def __init__(self, text: str, source: SourceFile) -> None:
        self.text = text
        self.source = source
        self.diags: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.root: YamlNode | None = None
        self.documents = 0
        #: a plain scalar holding "?" inside a flow collection was read: PyYAML ends a plain
        #: scalar at "?" there (libyaml does not), so the C parser's reading is not PyYAML's
        self.flow_question = False
        #: an empty plain scalar inside a flow collection (``[k: ]``) was read: libyaml puts
        #: it one character later than PyYAML does
        self.flow_empty = False
        #: a node with an explicit tag was read: libyaml and PyYAML end some tags apart
        self.tagged = False

    # -- located helpers

    def _props(self, start: int, stop: int) -> tuple[int, int | None, int | None]:
        """Skip a node's anchor and tag at `start`: (content start, anchor at, tag at)."""
        text = self.text
        i, anchor, tag = start, None, None
        while i < stop and text[i] in "&!":
            if text[i] == "&":
                anchor = i
            else:
                tag = i
            if text.startswith("!<", i):
                close = text.find(">", i, stop)
                i = stop if close < 0 else close + 1
            else:
                while i < stop and not text[i].isspace():
                    i += 1
            while i < stop and (text[i].isspace() or text[i] == "#"):
                if text[i] == "#":
                    while i < stop and text[i] not in "\r\n":
                        i += 1
                else:
                    i += 1
        return min(i, stop), anchor, tag

    def _token_end(self, i: int) -> int:
        text = self.text
        j = i + 1
        if text.startswith("!<", i):
            close = text.find(">", i)
            return len(text) if close < 0 else close + 1
        while j < len(text) and not text[j].isspace() and text[j] not in ",[]{}":
            j += 1
        return j

    def _properties(
        self, event: yaml.NodeEvent, start: int, stop: int
    ) -> tuple[int, yaml.NodeEvent]:
        content, anchor_at, tag_at = self._props(start, stop)
        if event.anchor is not None:
            at = anchor_at if anchor_at is not None else start
            self.diags.append(
                Diagnostic.make(
                    "yaml/alias",
                    f"anchor '&{event.anchor}' is not allowed",
                    self.source.span(at, self._token_end(at)),
                    hint="anchors and aliases are not supported: write the value out in full",
                )
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.tagged = True
            at = tag_at if tag_at is not None else start
            end = self._token_end(at)
            self.diags.append(
                Diagnostic.make(
                    "yaml/tag",
                    f"explicit tag '{self.text[at:end]}' is not allowed",
                    self.source.span(at, end),
                    hint="remove the tag; quote a value that must be a string",
                )
            )
        return content, event

    # -- events

    def _in_key_position(self) -> bool:
        return bool(self.stack) and self.stack[-1].mapping and not self.stack[-1].has_key

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        start, end = _at(event.start_mark), _at(event.end_mark)
        if event.anchor is not None or event.tag is not None:
            start, _ = self._properties(event, start, end)
        style = event.style or ""
        if not style and any(f.flow for f in self.stack):
            if "?" in event.value:
                self.flow_question = True
            elif not event.value and start == end:
                self.flow_empty = True
        value = resolve_scalar(event.value, style)
        node = YScalar(value, style, self.source.span(start, max(start, end)))
        if style == "" and isinstance(value, str) and not self._in_key_position():
            folded = value.casefold()
            if folded in _YES or folded in _NO:
                reading = "true" if folded in _YES else "false"
                self.diags.append(
                    Diagnostic.make(
                        "yaml/ambiguous-scalar",
                        f"'{value}' is read as a string here; YAML 1.1 tools read it as {reading}",
                        node.span,
                        hint=f'quote it ("{value}") or write true/false',
                    )
                )
        self._add(node, end)

    def _alias(self, event: yaml.AliasEvent) -> None:
        start, end = _at(event.start_mark), _at(event.end_mark)
        span = self.source.span(start, end)
        self.diags.append(
            Diagnostic.make(
                "yaml/alias",
                f"alias '*{event.anchor}' is not allowed",
                span,
                hint="anchors and aliases are not supported: write the value out in full",
            )
        )
        self._add(YScalar(None, "*", span), end)

    def _start(self, event: yaml.CollectionStartEvent, mapping: bool) -> None:
        start = _at(event.start_mark)
        if event.anchor is not None or event.tag is not None:
            start, _ = self._properties(event, start, _at(event.end_mark) + 1)
            start = min(start, _at(event.end_mark)) if event.flow_style else start
        if len(self.stack) >= MAX_YAML_DEPTH:
            self.diags.append(
                Diagnostic.make(
                    "yaml/syntax",
                    f"collections nested more than {MAX_YAML_DEPTH} levels deep",
                    self.source.span(start, start + 1),
                )
            )
            raise _Abort
        self.stack.append(_Frame(mapping, start, bool(event.flow_style)))

    def _end(self, event: yaml.CollectionEndEvent) -> None:
        frame = self.stack.pop()
        if frame.flow or frame.last_end < 0:
            end = max(_at(event.end_mark), frame.start)
        else:
            end = frame.last_end
        span = self.source.span(frame.start, end)
        node: YamlNode
        if frame.mapping:
            pairs = tuple(p for p in frame.items if isinstance(p, tuple))
            node = YMapping(pairs, span)
        else:
            node = YSequence(tuple(i for i in frame.items if not isinstance(i, tuple)), span)  # type: ignore[misc]
        self._add(node, end)

    def _add(self, node: YamlNode, end: int) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        frame.last_end = max(frame.last_end, end)
        if not frame.mapping:
            frame.items.append(node)
            return
        if frame.has_key:
            if isinstance(frame.key, YScalar):
                frame.items.append((frame.key, node))
            frame.has_key, frame.key = False, None
            return
        frame.has_key = True
        if not isinstance(node, YScalar):
            kind = "a mapping" if isinstance(node, YMapping) else "a list"
            self.diags.append(
                Diagnostic.make(
                    "file/wrong-type",
                    f"expected a scalar as a mapping key, found {kind}",
                    node.span,
                )
            )
            frame.key = _BAD
            return
        if node.style == "*":
            frame.key = _BAD
            return
        ident = (type(node.value), node.value)
        first = frame.seen.get(ident)
        if first is not None:
            text = self.text[node.span.start.offset : node.span.end.offset]
            self.diags.append(
                Diagnostic.make(
                    "yaml/duplicate-key",
                    f"duplicate key '{text}'",
                    node.span,
                    notes=[f"'{text}' is first defined on line {first.span.start.line}"],
                    hint="remove one of them",
                )
            )
            frame.key = _BAD
            return
        frame.seen[ident] = node
        frame.key = node

    def _document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            at = _at(event.start_mark)
            self.diags.append(
                Diagnostic.make(
                    "yaml/syntax",
                    "expected a single document in the stream, found another document",
                    self.source.span(at, max(at + 1, _at(event.end_mark))),
                    hint="a rule file holds one YAML document; split it into several files",
                )
            )
            raise _Abort

    def feed(self, loader: yaml.SafeLoader | yaml.CSafeLoader) -> None:
        # Dispatch on the event class name: under some import hooks (coverage) libyaml's
        # events come from another copy of yaml.events than this module's `yaml`.
        while loader.check_event():
            event: Any = loader.get_event()  # typed by its class name below
            kind = type(event).__name__
            if kind == "ScalarEvent":
                self._scalar(event)
            elif kind == "AliasEvent":
                self._alias(event)
            elif kind == "MappingStartEvent":
                self._start(event, mapping=True)
            elif kind == "SequenceStartEvent":
                self._start(event, mapping=False)
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                self._end(event)
            elif kind == "DocumentStartEvent":
                self._document(event)


def _syntax_from(exc: yaml.YAMLError, source: SourceFile) -> Diagnostic:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = (exc.problem or exc.context or "malformed yaml").lower()
        notes = []
        if exc.context and exc.problem and exc.context_mark is not None:
            notes.append(f"{exc.context} that starts on line {exc.context_mark.line + 1}")
        span = None if mark is None else source.span(mark.index, mark.index + 1)
        return Diagnostic.make("yaml/syntax", message, span, notes=notes)
    if isinstance(exc, yaml.reader.ReaderError):
        at = exc.position
        return Diagnostic.make(
            "yaml/syntax",
            f"unacceptable character #x{exc.character:04x}: {exc.reason}".lower(),
            source.span(at, at + 1),
        )
    return Diagnostic.make("yaml/syntax", str(exc).lower() or "malformed yaml")


def _read_with(text: str, source: SourceFile, *, c: bool) -> _Reader:
    """Read `text` with the C or the Python parser; raises what the parser raises."""
    reader = _Reader(text, source)
    loader: yaml.SafeLoader | yaml.CSafeLoader
    loader = yaml.CSafeLoader(text) if c else yaml.SafeLoader(text)
    try:
        reader.feed(loader)
    finally:
        loader.dispose()
    return reader


def _c_is_safe(text: str) -> bool:
    """Whether libyaml may read `text`; `read_yaml` still checks what it read.

    libyaml is laxer with tabs, so texts with tabs take the Python path; so do texts with a
    byte order mark (libyaml counts positions after it), a comment right after a block
    scalar's header (``|#``, a syntax error to PyYAML) or a directive (``%TAG`` declares tag
    handles). A "!" (in ``!=`` or in a reply) is a plain character to both parsers. Three
    more differences show only while reading; `read_yaml` then re-reads the text with
    PyYAML, so a text gives the same tree and diagnostics whichever parser read it:

    - libyaml keeps a "?" inside a plain scalar of a flow collection (``{v?alues: 1}``),
      where PyYAML stops with a syntax error (`_Reader.flow_question`);
    - libyaml ends a tag at a flow indicator (PyYAML keeps the ``,`` of ``[!x, y]`` in the
      tag), so a tag was read (`_Reader.tagged`);
    - libyaml puts an empty value in a flow collection (``[k: ]``) one character later
      than PyYAML (`_Reader.flow_empty`).
    """
    if not _HAVE_C or "\t" in text:
        return False
    return not ("\ufeff" in text or _HEADER_COMMENT.search(text) or _DIRECTIVE.search(text))


def read_yaml(text: str, source: SourceFile) -> tuple[YamlNode | None, list[Diagnostic]]:
    """The located YAML tree of `text`, strictly read, and what is wrong with it.

    Returns None for the tree when the text is not YAML (``yaml/syntax``) or holds no
    document. Aliases are kept as null scalars of style ``"*"`` (already reported), so the
    builder can skip them; duplicate pairs and pairs with collection keys are dropped.
    """
    if _c_is_safe(text):
        try:
            reader = _read_with(text, source, c=True)
            apart = reader.flow_question or reader.flow_empty or reader.tagged
            if not apart:
                return reader.root, reader.diags
        except _Abort:
            pass
        except Exception:  # noqa: S110 - re-read with the Python parser for its exact error
            pass
    reader = _Reader(text, source)
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        reader.feed(loader)
    except _Abort:
        return None, reader.diags
    except yaml.YAMLError as exc:
        return None, [*reader.diags, _syntax_from(exc, source)]
    except Exception as exc:  # e.g. ValueError for "\U0011ffff"
        span = None
        if loader is not None:
            at = _at(loader.get_mark())
            span = source.span(at, at + 1)
        message = f"malformed yaml: {exc}".lower()
        if isinstance(exc, ValueError) and "chr()" in str(exc):
            message = "found an escape code outside the unicode range"
        return None, [*reader.diags, Diagnostic.make("yaml/syntax", message, span)]
    finally:
        if loader is not None:
            loader.dispose()
    return reader.root, reader.diags


# --------------------------------------------------------------------------- loading


def _whole_file(name: str) -> Span:
    """A span that names a file without quoting it (no snippet is shown for it)."""
    return SourceFile(name, "").span(0, 0)


def _too_large(text: str) -> bool:
    if len(text) <= limits.MAX_FILE_BYTES // 4:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limits.MAX_FILE_BYTES


def _size_diagnostic(source: SourceFile, size: int) -> Diagnostic:
    return Diagnostic.make(
        "limit/file-size",
        f"the rule file has {size} bytes, more than the limit of {limits.MAX_FILE_BYTES}",
        _whole_file(source.name),
        hint="split it into several files in one directory",
    )


def load_text(text: str, name: str = "<string>") -> tuple[RuleFile | None, list[Diagnostic]]:
    """Read one rule file from its text.

    Returns:
        The `RuleFile` (None only when the text is not YAML at all, or too large) and every
        diagnostic found, sorted. A rule file with shape errors is still returned, without
        its broken entries.
    """
    source = SourceFile(name, text)
    if _too_large(text):
        return None, [_size_diagnostic(source, len(text.encode("utf-8", "surrogatepass")))]
    with gc_paused():
        tree, diags = read_yaml(text, source)
        if tree is None:
            if any(d.code == "yaml/syntax" for d in diags):
                return None, sort_diagnostics(diags)
            tree = YMapping((), source.span(0, 0))
        rule_file, more = build_rule_file(tree, source)
    return rule_file, sort_diagnostics([*diags, *more])


def _decode(data: bytes, name: str) -> tuple[str | None, Diagnostic | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        shown = data.decode("utf-8-sig", errors="replace")
        before = data[: exc.start].decode("utf-8-sig", errors="replace")
        source = SourceFile(name, shown)
        return None, Diagnostic.make(
            "file/unreadable",
            f"the file is not valid utf-8: byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start} ({exc.reason})".lower(),
            source.span(len(before), len(before) + 1),
            hint="save the file as UTF-8",
        )


def _load_file(path: Path, name: str) -> tuple[RuleFile | None, list[Diagnostic]]:
    try:
        size = path.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            return None, [_size_diagnostic(SourceFile(name, ""), size)]
        data = path.read_bytes()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        return None, [Diagnostic.make("file/unreadable", f"cannot read '{name}': {reason}")]
    text, problem = _decode(data, name)
    if text is None:
        assert problem is not None
        return None, [problem]
    return load_text(text, name)


def _rule_files_below(root: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    found: list[tuple[str, Path]] = []
    problems: list[Diagnostic] = []

    def on_error(exc: OSError) -> None:
        reason = (exc.strerror or str(exc)).lower()
        where = exc.filename if exc.filename is not None else root
        problems.append(Diagnostic.make("file/unreadable", f"cannot read '{where}': {reason}"))

    for folder, _dirs, files in os.walk(root, onerror=on_error):
        for file in files:
            if file.endswith(_SUFFIXES):
                full = Path(folder) / file
                if full.is_file():
                    found.append((full.relative_to(root).as_posix(), full))
    found.sort(key=lambda item: item[0])
    return found, problems


def load_path(path: str | os.PathLike[str]) -> tuple[list[RuleFile], list[Diagnostic]]:
    """Read a rule file, or every ``*.yaml``/``*.yml`` file below a directory.

    Files of a directory are read in the order of their paths relative to it (with ``/``
    separators), recursively. Each `RuleFile`'s source is named by the path given joined
    with that relative path.

    Returns:
        The rule files that were read and every diagnostic, sorted.
    """
    root = Path(path)
    shown = os.fspath(path)
    if not root.exists():
        return [], [
            Diagnostic.make(
                "file/not-found",
                f"no such file or directory: '{shown}'",
                _whole_file(shown),
            )
        ]
    if not root.is_dir():
        rule_file, diags = _load_file(root, shown)
        return ([rule_file] if rule_file is not None else []), diags
    files, diags = _rule_files_below(root)
    if not files and not diags:
        return [], [
            Diagnostic.make(
                "file/empty",
                f"no rule files (*.yaml, *.yml) in '{shown}'",
                _whole_file(shown),
                hint="point to a rule file or to a directory that holds some",
            )
        ]
    rule_files: list[RuleFile] = []
    for rel, full in files:
        rule_file, more = _load_file(full, os.path.join(shown, rel))
        diags.extend(more)
        if rule_file is not None:
            rule_files.append(rule_file)
    return rule_files, sort_diagnostics(diags)
