"""Read the plain YAML that nearly every content file holds into the very same document that
yamlread.read_yaml makes (values, lines and text as written), in about half its time: walking
libyaml's events in Python costs more than reading lines this plain.

Plain: a mapping of fields whose values are text, numbers, dates, true or false (plain, or in
quotes with no escapes), one-line [lists] and {mappings} of those, literal blocks (|), nested
mappings and lists, lists of mappings, comments on lines of their own. Anything else, and every
mistake, is left to read_yaml, which says what is wrong and where. tests/test_plain_yaml.py compares
the two on every content file and on thousands of texts made to be near the edge of what this takes.
"""
from __future__ import annotations

import re
from typing import Any

from .yamlread import YamlDoc, plain_scalar

_KEY = r"[A-Za-z][A-Za-z0-9_]*"  # a field's name, as the content model writes them
_FIELD = re.compile(rf"({_KEY}):(?: +(.*))?")
# A plain scalar that means itself in a block: none of YAML's indicators first, no ": " in it and
# none of the characters that could start or end anything else.
_PLAIN = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ][^:\[\]{}]*(?::(?! |$)[^:\[\]{}]*)*")
_QUOTED = re.compile(r'"([^"\\]*)"|\'([^\']*)\'')
_FLOW_ITEM = r'"[^"\\]*"|\'[^\']*\'|[^-?:,\[\]{}#&*!|>\'"%@` ][^:,\[\]{}]*?'
# One item and the comma after it (none after the last; a comma at the end is left to libyaml).
_FLOW_NEXT = re.compile(rf" *({_FLOW_ITEM}) *(?:,(?=.)|$)")
_FLOW_FIELD = re.compile(rf" *({_KEY}: +(?:{_FLOW_ITEM})) *(?:,(?=.)|$)")


_DEPTH = 6  # deeper than the content model goes; left to read_yaml, which refuses twelve levels


class _Unusual(Exception):
    """The text holds something the plain reader leaves to libyaml."""


def read_plain_yaml(text: str, first_line: int) -> YamlDoc | None:
    """The document read_yaml gives for a mapping of plain fields (lists, mappings, lists of mappings,
    one-line [lists] and {mappings}, plain or simply quoted values), or None for anything else."""
    if _unusual(text):
        return None
    doc = YamlDoc(data=None)
    try:
        lines = _lines(text.split("\n"), first_line)
        if not lines or lines[0][1] != 0:
            return None
        end, doc.data = _block(lines, 0, doc, ())
    except _Unusual:
        return None
    if end != len(lines) or not isinstance(doc.data, dict):  # such as a value running on over more lines
        return None
    doc.lines[()] = lines[0][0]
    return doc


def _unusual(text: str) -> bool:
    """Whether the text has a character that is not printable (libyaml refuses some; a tab, \\x85,
    \\u2028 and \\u2029 break lines or indent for YAML; Python says none of them is printable), a
    comment after a value, or a line that starts or ends a document."""
    return (not text.replace("\n", " ").isprintable() or " #" in text or "\n---" in text or "\n..." in text
            or "\n%" in text or text.startswith(("---", "...", "%")))


def _lines(raw: list[str], first_line: int) -> list[tuple[int, int, str, str | None]]:
    """(line number, indent, text, a literal block's value) of each line that holds something:
    blank lines and comments left out, and a literal block (a field's "|" and the lines below
    it) taken as one line."""
    lines, at = [], 0
    while at < len(raw):
        number, line = first_line + at, raw[at]
        text = line.strip(" ")
        at += 1
        if not text or text[0] == "#":
            continue
        indent, literal = len(line) - len(line.lstrip(" ")), None
        if text.endswith(": |") and (field := _FIELD.fullmatch(text)) and field[2] == "|":
            literal, at = _literal(raw, at, indent)
        lines.append((number, indent, text, literal))
    return lines


def _literal(raw: list[str], at: int, parent: int) -> tuple[str, int]:
    """A literal block's text from raw[at] on (kept as written, with the line break after its last
    line if it has one), and the index of the line after it. Lines of spaces are left to libyaml."""
    block, last = [], at
    while at < len(raw):
        line = raw[at]
        if line and not line.strip(" "):
            raise _Unusual
        if line and len(line) - len(line.lstrip(" ")) <= parent:
            break
        block.append(line)
        if line:
            last = at
        at += 1
    block = block[:last + 1 - (at - len(block))]
    if not block or not block[0]:
        raise _Unusual
    indent = len(block[0]) - len(block[0].lstrip(" "))
    if any(line and len(line) - len(line.lstrip(" ")) < indent for line in block):
        raise _Unusual
    return "\n".join(line[indent:] for line in block) + ("\n" if last < len(raw) - 1 else ""), at


def _block(lines: list, at: int, doc: YamlDoc, loc: tuple) -> tuple[int, Any]:
    """The mapping or list starting at lines[at], and the index of the line after it."""
    if len(loc) > _DEPTH:
        raise _Unusual
    if lines[at][2][:2] == "- ":
        return _list(lines, at, doc, loc)
    return _mapping(lines, at, lines[at][1], doc, loc)


def _mapping(lines: list, at: int, indent: int, doc: YamlDoc, loc: tuple,
             first: str | None = None) -> tuple[int, dict]:
    """A block mapping whose keys are at `indent`; `first`: its first line's text, when that line is
    a list item's ("- key: value")."""
    found: dict = {}
    while at < len(lines) and (first is not None or lines[at][1] == indent):
        number, _, text, literal = lines[at]
        match = _FIELD.fullmatch(first if first is not None else text)
        first = None
        if match is None or match[1] in found:
            raise _Unusual
        key, value = match.groups()
        field = loc + (key,)
        at += 1
        if literal is not None:
            found[key] = doc.written[field] = literal
        elif value is not None:
            found[key] = _value(value, number, doc, field)
        elif at < len(lines) and (lines[at][1] > indent or (lines[at][1] == indent and lines[at][2][:2] == "- ")):
            at, found[key] = _block(lines, at, doc, field)
        else:
            raise _Unusual  # a field with no value
        doc.lines[field] = number
    return at, found


def _list(lines: list, at: int, doc: YamlDoc, loc: tuple) -> tuple[int, list]:
    indent, found = lines[at][1], []
    while at < len(lines) and lines[at][1] == indent and lines[at][2][:2] == "- ":
        number, _, text, _ = lines[at]
        item = text[2:].lstrip(" ")
        where = loc + (len(found),)
        if _FIELD.fullmatch(item):
            at, value = _mapping(lines, at, indent + len(text) - len(item), doc, where, first=item)
        else:
            value, at = _value(item, number, doc, where), at + 1
        found.append(value)
        doc.lines[where] = number
    return at, found


def _value(text: str, line: int, doc: YamlDoc, loc: tuple) -> Any:
    """A value on one line: a scalar, a [list] or a {mapping}."""
    if len(loc) > _DEPTH:
        raise _Unusual
    if text[0] == "[" and text[-1] == "]":
        found = []
        for item in _flow_items(text[1:-1]):
            where = loc + (len(found),)
            doc.lines[where] = line
            found.append(_scalar(item, doc, where))
        return found
    if text[0] == "{" and text[-1] == "}":
        found = {}
        for item in _flow_items(text[1:-1], fields=True):
            key, _, value = item.partition(":")
            if key in found:
                raise _Unusual
            field = loc + (key,)
            found[key] = _scalar(value.strip(" "), doc, field)
            doc.lines[field] = line
        return found
    return _scalar(text, doc, loc)


def _flow_items(text: str, fields: bool = False) -> list[str]:
    """The items between a flow list's brackets (or a flow mapping's braces: "key: value" each)."""
    items, at = [], 0
    pattern = _FLOW_FIELD if fields else _FLOW_NEXT
    while at < len(text) and text.strip(" "):
        match = pattern.match(text, at)
        if match is None:
            raise _Unusual
        items.append(match[1])
        at = match.end()
    return items


def _scalar(text: str, doc: YamlDoc, loc: tuple) -> Any:
    quoted = _QUOTED.fullmatch(text)
    if quoted:
        value = quoted[1] if quoted[1] is not None else quoted[2]
        doc.written[loc] = value
        return value
    if not _PLAIN.fullmatch(text):
        raise _Unusual
    doc.written[loc] = text
    try:
        return plain_scalar(text)
    except (ValueError, KeyError, AttributeError):
        raise _Unusual from None  # such as a date that is not one: read_yaml says what is wrong
