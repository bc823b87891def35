"""Read YAML into plain Python values, remembering the line of every value.

We do not use yaml.load or yaml.compose: the first loses line numbers and silently keeps the
last of two duplicate keys; the second recurses in C and crashes the interpreter on deeply
nested input. Walking libyaml's event stream with an explicit stack avoids both, and lets us
refuse aliases (the "billion laughs" bomb) and custom tags before they cost anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from apdirectory.checking.problems import field_path

try:  # libyaml's parser, about ten times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader

MAX_DEPTH = 12  # the content model nests four levels; anything deeper is a mistake or an attack

_IMPLICIT = Resolver.yaml_implicit_resolvers
_constructor = SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_CONSTRUCT = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _constructor.construct_yaml_timestamp,
}


@dataclass
class YamlDoc:
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)  # value location -> 1-based line
    written: dict[tuple, str] = field(default_factory=dict)  # scalar location -> text as typed


class YamlError(Exception):
    def __init__(self, line: int, message: str, field: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field  # the field holding the bad value, such as "lots[0].ages", if known


def read_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document. `first_line` is the file line where `text` starts.

    Raises YamlError (with a file line) for anything that is not plain data.
    """
    doc = YamlDoc(data=None)
    try:
        _read_events(_Loader(text), doc, first_line)
    except yaml.MarkedYAMLError as exc:
        lines = text.splitlines()
        mark = exc.problem_mark
        opened = (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
        if exc.context_mark and (opened or not mark or mark.line >= len(lines)):
            mark = exc.context_mark  # where the bracket or quote that was never closed opened
        bad_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        raise YamlError((mark.line + first_line) if mark else first_line, _explain(exc, bad_line)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlError(line, f"has a character YAML does not allow (U+{exc.character:04X}) "
                        "on this line: delete it") from None
    except yaml.YAMLError as exc:  # a safety net: libyaml marks its other errors with a line
        raise YamlError(first_line, f"could not be read as YAML ({exc})") from None
    return doc


def _read_events(parser: _Loader, doc: YamlDoc, first_line: int) -> None:
    """Add every event's value to the document, as yaml.parse would give them: but its generator
    and check_event call nearly double the cost of each event."""
    stack: list[_Frame] = []
    try:
        while (event := parser.get_event()) is not None:
            try:
                _TAKE.get(type(event), _ignore)(event, doc, stack, first_line)
            except YamlError as exc:
                exc.field = exc.field or field_path(_next_loc(stack))
                raise
    finally:
        parser.dispose()


# Each parser event is handled by its own function, found by the event's class: one dictionary
# look-up instead of a chain of isinstance checks, for the hundreds of events in every file.

def _line(event: yaml.Event, first_line: int) -> int:
    return event.start_mark.line + first_line if event.start_mark else first_line


def _take_scalar(event: yaml.ScalarEvent, doc: YamlDoc, stack: list[_Frame], first_line: int) -> None:
    line = _line(event, first_line)
    if event.tag is not None:  # most scalars have none: no need to look further
        _refuse_custom_tag(event, line)
    _add(doc, stack, _scalar(event, line), line, event.value)


def _take_collection(event: yaml.CollectionStartEvent, doc: YamlDoc, stack: list[_Frame], first_line: int) -> None:
    line = _line(event, first_line)
    _refuse_custom_tag(event, line)
    if len(stack) >= MAX_DEPTH:  # named by its field, not by a dozen [0]s
        field = field_path(tuple(part for part in _next_loc(stack) if isinstance(part, str)))
        raise YamlError(line, f"is nested more than {MAX_DEPTH} levels deep", field)
    is_list = type(event) is yaml.SequenceStartEvent
    container: Any = [] if is_list else {}
    loc = _add(doc, stack, container, line, None)
    stack.append(_Frame(container, loc, is_list))


def _take_end(event: yaml.CollectionEndEvent, doc: YamlDoc, stack: list[_Frame], first_line: int) -> None:
    stack.pop()


def _take_alias(event: yaml.AliasEvent, doc: YamlDoc, stack: list[_Frame], first_line: int) -> None:
    raise YamlError(_line(event, first_line), f"uses a YAML alias (*{event.anchor}): write the value out in full")


def _take_document(event: yaml.DocumentStartEvent, doc: YamlDoc, stack: list[_Frame], first_line: int) -> None:
    if doc.lines:
        raise YamlError(_line(event, first_line), "holds more than one YAML document: remove the extra '---' line")


def _ignore(event: yaml.Event, doc: YamlDoc, stack: list[_Frame], first_line: int) -> None:
    """Stream start and end, document end: nothing to add or refuse."""


_TAKE = {
    yaml.ScalarEvent: _take_scalar,
    yaml.MappingStartEvent: _take_collection,
    yaml.SequenceStartEvent: _take_collection,
    yaml.MappingEndEvent: _take_end,
    yaml.SequenceEndEvent: _take_end,
    yaml.AliasEvent: _take_alias,
    yaml.DocumentStartEvent: _take_document,
}


def _refuse_custom_tag(event: yaml.NodeEvent, line: int) -> None:
    if event.tag not in _PLAIN_TAGS:
        raise YamlError(line, f"uses the YAML tag '{_as_written(event.tag)}': remove it")


def _next_loc(stack: list[_Frame]) -> tuple:
    """Where the next value read will go: the field whose value is being read."""
    if not stack:
        return ()
    top = stack[-1]
    if top.is_list:
        return top.loc + (len(top.container),)
    return top.loc + (top.key,) if top.key is not None else top.loc


def _as_written(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


@dataclass(slots=True)
class _Frame:
    container: Any
    loc: tuple
    is_list: bool
    key: str | None = None  # a mapping's key waiting for its value
    key_line: int = 0


def _add(doc: YamlDoc, stack: list[_Frame], value: Any, line: int, written: str | None) -> tuple:
    """Put a value into the container on top of the stack and return its location."""
    if not stack:
        doc.data = value
        doc.lines[()] = line
        return ()
    top = stack[-1]
    if top.is_list:
        loc = top.loc + (len(top.container),)
        top.container.append(value)
    elif top.key is None:  # this scalar is a key
        if written is None:
            raise YamlError(line, "has a list or a mapping where a field name should be")
        if written in top.container:
            first = doc.lines[top.loc + (written,)]
            raise YamlError(line, f"is given twice (lines {first} and {line}): keep one",
                            field_path(top.loc + (written,)))
        top.key, top.key_line = written, line
        return top.loc
    else:
        loc = top.loc + (top.key,)
        top.container[top.key] = value
        line = top.key_line  # a field's line is its key's line, also for a list or mapping
        top.key = None
    doc.lines[loc] = line
    if written is not None:
        doc.written[loc] = written
    return loc


def _scalar(event: yaml.ScalarEvent, line: int) -> Any:
    explicit = event.tag and event.tag != "!"
    if explicit:
        tag = event.tag
    else:  # as PyYAML's Resolver.resolve: only a plain (unquoted) scalar can be other than text
        tag = _implicit_tag(event.value) if event.implicit[0] else _STR
    if tag not in _CONSTRUCT:
        # Only an escape in double quotes, such as "\a", can make one: raw ones never get here.
        control = event.style == '"' and CONTROL.search(event.value)
        if control:
            raise YamlError(line, f"has an invisible control character (U+{ord(control[0]):04X}): remove it")
        return event.value
    try:
        return _construct(tag, event.value)
    except (ValueError, KeyError, AttributeError):  # PyYAML's constructors fail in these ways
        if explicit:
            raise YamlError(line, f"'{event.value}' is not what its YAML tag '{_as_written(event.tag)}' says: "
                            "remove the tag") from None
        # Without a tag only a date can fail: it looks like one but is not, such as 2023-02-30.
        raise YamlError(line, f"'{event.value}' is not a real date: check the day and the month "
                        "(YYYY-MM-DD)") from None


@lru_cache(maxsize=1024)
def _construct(tag: str, value: str) -> Any:
    """A number, date, true/false or null from its text. Remembered, as the same few recur in every
    file (0, 16, true, a review date); what fails to construct is not remembered, and fails again."""
    return _CONSTRUCT[tag](yaml.ScalarNode(tag, value))


def _implicit_tag(value: str) -> str:
    """The tag PyYAML's Resolver gives a plain scalar, without the setup resolve() does per call.

    Its implicit types (null, bool, int, float, date...) are filed by first character, and it files
    none under None (for any character), so most text is settled by one dictionary look-up.
    """
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


# C0 and C1 control characters, but not tab and line feed, which text may hold.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PLAIN_TAGS = {None, "!", _STR, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", *_CONSTRUCT}


_HINTS = {
    "mapping values are not allowed": (
        "a value contains ': ' or the indenting is wrong: put the value in double quotes, "
        "or line it up with the fields around it"),
    "could not find expected ':'": "a line is missing the ':' between field name and value",
    "found undefined alias": "uses an alias (*name): write the value out in full",
    "did not find expected key": "the indenting is wrong: line the field up with the fields around it",
    "found unexpected end of stream": "a quote or bracket is opened but never closed",
    "did not find expected ',' or": "the brackets opened on this line are not closed properly: "
                                    "check the quotes, the commas and the closing bracket",
}


def _explain(exc: yaml.MarkedYAMLError, bad_line: str) -> str:
    if "\t" in bad_line:
        return "could not be read as YAML: this line has a tab: use spaces to indent instead"
    problem = exc.problem or exc.context or "unreadable YAML"
    for clue, hint in _HINTS.items():
        if clue in problem:
            return f"could not be read as YAML: {hint}"
    return f"could not be read as YAML ({problem}): check the indenting and quotes on this line"
