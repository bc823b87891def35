"""Random and mutated provider files never crash the loader: each one loads, or is reported.

Property-based: hypothesis writes each example into a real file in a copy of the project and runs
the real loader and rules on it. Whatever the input, the outcome is a list of problems a person can
act on (the file, a line inside it, a message in our words), or an entry that the site can render.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, TODAY, copy_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apdirectory.checking.problems import errors
from apdirectory.checking.rules import check_rules
from apdirectory.reading.load import Content, load_content, load_entry
from apdirectory.reading.models import Provider
from apdirectory.site.directory import build_directory
from apdirectory.site.opendata import export_files
from apdirectory.site.render import render_site

FUZZ = "content/providers/fuzz.md"
SAMPLES = [path.read_text(encoding="utf-8") for path in sorted((REPO / "content/providers").glob("*.md"))]
# How pydantic's own messages start: none may reach a contract officer untranslated.
PYDANTIC_WORDS = ("Input should", "String should", "List should", "Dictionary should", "Value error",
                  "Field required", "Extra inputs", "Assertion failed", "Object has no attribute")
# Pieces of text that mean something to YAML, or that YAML 1.1 reads as something else.
TOKENS = [": ", "- ", "\t", "  ", "\n", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "!!binary ",
          "!custom ", "'", '"', "# ", "|", ">", "---\n", "...\n", "? ", "no", "on", "0161", "012345",
          "2024-02-30", "2024-01-01", "2024-01-01 10:00:00", ".nan", ".inf", "~", "null", "1:30", "0x1F",
          "1e3", "\\x07", "\\0", "\ufeff", "\x00", "\x07", "\r", "\r\n", "%YAML 1.1\n", "<script>", "ü", "\u202e"]
# Values as a person might type them after a field name: YAML 1.1 surprises, tags, broken structure.
VALUES_RETYPED = ["no", "on", "Yes", "OFF", "0161 496", "0161", "012345", "2024-02-30", "2024-13-01", "2024-01-01",
                  "2024-01-01 10:00:00", "2024-01-01 25:00:00", ".nan", "-.inf", "~", "", "null", "1:30", "0x1F",
                  "1e3", "!!int x", "!!float x", "!!bool maybe", "!!timestamp 2024", "!!null x", '"\\x07"', '"\\0"',
                  "&a x", "*a", "[", "{", "|", ">", "'", '"', "- x", "x: y", "[KS9]", "[]", "{}", "{a: b}", "[[[[]]]]"]
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A copy of the project with the sample loaded, into which each example is written."""
    root = copy_project(tmp_path_factory.mktemp("fuzz") / "project")
    content, problems = load_content(root)
    assert not errors(problems)
    return World(root, content)


class World:
    def __init__(self, root: Path, content: Content):
        self.root, self.content = root, content

    def __repr__(self) -> str:  # keeps a failing example's report short
        return f"World({self.root})"


def loads_or_reports(world: World, data: bytes) -> None:
    root, content = world.root, world.content
    (root / FUZZ).write_bytes(data)
    problems = []
    entry = load_entry(root, FUZZ, Provider, problems)
    if entry is not None:
        content = dataclasses.replace(content, providers=[entry])
        problems += check_rules(content, TODAY)
    last_line = len(re.split(rb"\r\n|\r|\n", data))  # a lone CR ends a line too
    for problem in problems:
        assert problem.path == FUZZ, problem
        assert 0 <= problem.line <= last_line, problem
        assert problem.message and not problem.message.startswith(PYDANTIC_WORDS), problem
    if entry is None:
        assert errors(problems), "a file that did not load must say why"
    elif not errors(problems):
        directory = build_directory(content, TODAY)  # what is valid can be published
        render_site(directory, root / "templates", export_files(directory))


@st.composite
def mutated_text(draw) -> bytes:
    """A sample provider file with a few careless or hostile edits."""
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["value", "insert", "delete", "repeat line", "drop line", "indent"]))
        if edit == "value":  # what follows a field name's colon, as a person would retype it
            fields = list(re.finditer(r"^[ -]*\w+: (.*)$", text, re.MULTILINE))
            value = draw(st.sampled_from(fields)).span(1)
            text = text[:value[0]] + draw(st.sampled_from(VALUES_RETYPED) | st.text(max_size=8)) + text[value[1]:]
        elif edit == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS) | st.text(max_size=5)) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            if edit == "repeat line":
                lines.insert(i, lines[i])
            elif edit == "drop line":
                del lines[i]
            else:
                lines[i] = draw(st.sampled_from([" ", "  ", "    ", "\t"])) + lines[i]
            text = "\n".join(lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):  # a byte that is not UTF-8, as from a file saved in another encoding
        at = draw(st.integers(0, len(data)))
        data = data[:at] + bytes([draw(st.integers(0x80, 0xFF))]) + data[at:]
    return data


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.dates()
    | st.datetimes() | st.sampled_from(["KS9", "mon", "SEMH", "BL9 0AA", "https://x.example.org", "0161 496 0000"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8)


@st.composite
def changed_fields(draw) -> bytes:
    """A sample provider whose fields were changed, removed or added, written out as YAML."""
    text = draw(st.sampled_from(SAMPLES))
    _, front, body = text.split("---\n", 2)
    data = yaml.safe_load(front)
    for _ in range(draw(st.integers(1, 3))):
        parent, key = draw(_place(data))
        edit = draw(st.sampled_from(["set", "remove", "add"]))
        if edit == "set" or (edit == "remove" and isinstance(parent, list) and len(parent) < 2):
            parent[key] = draw(VALUES)
        elif edit == "remove":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(VALUES)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                           default_flow_style=draw(st.sampled_from([False, None, True])))
    return f"---\n{front}---\n{body}".encode("utf-8", "surrogatepass")


def _place(data) -> st.SearchStrategy:
    """A (container, key) somewhere in a YAML value."""
    places = []

    def walk(value) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, inner in items:
            places.append((value, key))
            walk(inner)

    walk(data)
    return st.sampled_from(places)


@SETTINGS
@given(data=st.text())
def test_random_text_as_front_matter(world, data):
    loads_or_reports(world, f"---\n{data}\n---\nA description.\n".encode("utf-8", "surrogatepass"))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_file(world, data):
    loads_or_reports(world, data)


@SETTINGS
@given(data=mutated_text())
def test_mutated_sample_files(world, data):
    loads_or_reports(world, data)


@SETTINGS
@given(data=changed_fields())
def test_sample_files_with_changed_fields(world, data):
    loads_or_reports(world, data)
