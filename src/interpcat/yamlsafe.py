"""Safe, fast YAML parsing that keeps line marks.

Parsing uses libyaml through PyYAML's C parser. The composed node tree keeps the start mark of
every node, so a later validation error can point at its line without a second, slower parse.
Construction is our own: it refuses aliases (no alias bombs), duplicate keys, non-string keys and
unknown tags, and refuses nesting deep enough to overflow libyaml's recursive composer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_PLAIN_SPECIAL = frozenset("0123456789-+.~<=nNtTfFyYoO")


class _FastResolver(yaml.resolver.Resolver):
    """The safe resolver, short-cutting scalars that can only be strings (most of a record)."""

    def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
        if kind is yaml.ScalarNode and (not implicit[0] or (value and value[0] not in _PLAIN_SPECIAL)):
            return _STR
        return super().resolve(kind, value, implicit)


try:  # pragma: no cover - depends on how PyYAML was built
    from yaml._yaml import CParser as _Parser

    _Loader = yaml.CSafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml: slower, same results
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str | bytes) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    _Loader = yaml.SafeLoader  # type: ignore[misc,assignment]


class _ComposeLoader(_Parser, _FastResolver):  # type: ignore[misc,valid-type]
    """libyaml's parser and composer with the short-cut resolver (construction is ours)."""

    def __init__(self, stream: str | bytes) -> None:
        _Parser.__init__(self, stream)
        _FastResolver.__init__(self)


MAX_BYTES = 256 * 1024
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_BRACKETS = re.compile(r"[\[\]{}]")


class YamlProblem(Exception):
    """A file that cannot be turned into data; lines and columns are 1-based."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.field = field


@dataclass
class Parsed:
    """The constructed data and the node tree it came from (for locating errors)."""

    data: Any
    node: yaml.Node


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def decode(raw: bytes) -> str:
    """Decode UTF-8 strictly, pointing at the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem("too-large", f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            "encoding", f"not valid UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded", line, column
        ) from None
    return text.removeprefix("\ufeff")


def _check_flow_depth(text: str) -> None:
    """Refuse bracket nesting deeper than MAX_DEPTH (libyaml's composer recurses per level)."""
    depth = peak = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        peak = max(peak, depth)
    if peak <= MAX_DEPTH:
        return
    # Brackets inside quoted strings count above; confirm with the parser's events (iterative).
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line, column = event.start_mark.line + 1, event.start_mark.column + 1
                raise YamlProblem("value", f"nesting deeper than {MAX_DEPTH} levels", line, column)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _compose(text: str) -> yaml.Node:
    loader = _ComposeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "expected a single document" in str(err):
            raise YamlProblem(
                "multiple-documents", "only one YAML document is allowed per file", line, column
            ) from None
        if "found undefined alias" in str(err):
            raise YamlProblem("alias", "YAML aliases are not allowed", line, column) from None
        raise YamlProblem("yaml-syntax", _yaml_message(err), line, column) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem("yaml-syntax", _yaml_message(err), line, column) from None
    except yaml.YAMLError as err:
        raise YamlProblem("yaml-syntax", _yaml_message(err)) from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlProblem("empty", "the file is empty (no YAML document)")
    return node


def _yaml_message(err: yaml.YAMLError) -> str:
    if isinstance(err, yaml.MarkedYAMLError):
        parts = [p for p in (err.context, err.problem) if p]
        if parts:
            return "YAML syntax error: " + ", ".join(parts)
    return f"YAML syntax error: {err}"


class _Builder:
    """Turns a composed node tree into plain data, refusing what records never need."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: str) -> Any:
        if id(node) in self._seen:
            line, column = _mark(node)
            raise YamlProblem(
                "alias", "YAML anchors and aliases are not allowed (write the value out)", line, column, path
            )
        self._seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:
                return node.value
            if node.tag not in _SCALAR_TAGS:
                line, column = _mark(node)
                raise YamlProblem("type", f"the YAML tag {node.tag!r} is not allowed", line, column, path)
            try:
                return self._scalars.construct_object(node)
            except (yaml.YAMLError, ValueError) as err:
                line, column = _mark(node)
                raise YamlProblem("type", f"cannot read this value: {err}", line, column, path) from None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                line, column = _mark(node)
                raise YamlProblem("type", f"the YAML tag {node.tag!r} is not allowed", line, column, path)
            return [self.build(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if node.tag != _MAP:
            line, column = _mark(node)
            raise YamlProblem("type", f"the YAML tag {node.tag!r} is not allowed", line, column, path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line, column = _mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<":
                    raise YamlProblem("alias", "YAML merge keys (<<) are not allowed", line, column, path)
                raise YamlProblem("non-string-key", f"mapping keys must be strings, got {shown!r}", line, column, path)
            key = key_node.value
            child = f"{path}.{key}" if path else key
            if key in result:
                raise YamlProblem("duplicate-key", f"duplicate key {key!r}", line, column, child)
            result[key] = self.build(value_node, child)
        return result


def parse(raw: bytes) -> Parsed:
    """Parse one file's bytes into data and its node tree, or raise YamlProblem."""
    text = decode(raw)
    if not text.strip():
        raise YamlProblem("empty", "the file is empty (no YAML document)")
    _check_flow_depth(text)
    node = _compose(text)
    data = _Builder().build(node, "")
    return Parsed(data=data, node=node)


def compose_only(raw: bytes) -> yaml.Node | None:
    """The node tree of a file that parses (used to locate problems); None if it does not."""
    try:
        text = decode(raw)
        _check_flow_depth(text)
        return _compose(text)
    except YamlProblem:
        return None


def locate(node: yaml.Node | None, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
    """The 1-based line and column of the value at ``loc`` (or of its key, if ``key``).

    Path elements that are not in the tree (pydantic's union tags, a missing field) are skipped,
    so the deepest existing ancestor is returned.
    """
    if node is None:
        return 1, 1
    current = node
    key_mark: yaml.Node | None = None
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                    key_mark, current = key_node, value_node
                    break
            else:
                continue
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                key_mark, current = None, current.value[part]
            else:
                continue
        else:
            continue
    if key and key_mark is not None:
        return _mark(key_mark)
    return _mark(current)
