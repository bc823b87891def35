"""The plain YAML reader changes nothing: for every text it takes, it gives what the general reader
(yamlread.read_yaml, libyaml's events) gives, value for value, with the same types, lines and text as
written; and it takes no text the general reader finds a mistake in, so that every message about one
still comes from the general reader."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from apdirectory.plainyaml import read_plain_yaml
from apdirectory.yamlread import YamlError, read_yaml

REPO = Path(__file__).resolve().parent.parent
CONTENT = sorted((REPO / "content").rglob("*.md")) + sorted((REPO / "tests/bad").rglob("*.md"))

# Mostly what content files hold; now and then (one in fifteen) something YAML reads otherwise, or a mistake.
KEYS = ["name", "summary", "ages", "min", "a", "b", "no", "True", "key_2"]
ODD_KEYS = ["x y", "-k", "?k", "k ", "1k", '"k"', "name"]
SCALARS = ["text", "Two words", "it's", "a, b", "https://x.org/a#b", "x:y", "12", "0161 496 0010", "007", "1.5",
           "60.00", "1e3", ".inf", "1_000", "0x1F", "2024-05-14", "true", "no", "Yes", "off", "~", "null", "a  b", "é",
           "Zoë’s", '"q"', "'q'", '"a, b"', '"0161 1"', "'a: b'", "''", '""']
ODD_SCALARS = ["x: y", "x #y", "#x", "x:", "-5", "+5", "2023-02-30", "2024-05-14T10:00:00", "&a", "*a", "!!str x",
               "!x", "|", ">", "|-", "'it''s'", '"a\\"b"', '"a\\nb"', "[a", "a]", "{a", "%x", "@x", "`x", "\u00a0x",
               "x\u2028y", "x\ty", "x\x85y", "\ufeffx", "a,", "", "[]", "{}", "[a,]", "[a, [b]]", "{a: 1, a: 2}",
               "{a: b: c}", "{a:1}", "[a , b]", "[ a,b ]"]
keys = st.one_of(*[st.sampled_from(KEYS)] * 14, st.sampled_from(ODD_KEYS))
scalars = st.one_of(*[st.sampled_from(SCALARS)] * 14, st.sampled_from(ODD_SCALARS))


@st.composite
def values(draw, indent: int, depth: int) -> list[str]:
    """The lines of a value that starts after "key:" at `indent` (its first line is that line's end)."""
    kind = draw(st.sampled_from(["scalar"] * 4 + ["list", "map", "flowlist", "flowmap", "literal", "block",
                                                  "blocklist", "indentless"]))
    if kind == "scalar" or depth > 3:
        return [" " + draw(scalars)]
    if kind == "flowlist":
        return [" [" + ", ".join(draw(st.lists(scalars, max_size=4))) + "]"]
    if kind == "flowmap":
        pairs = draw(st.lists(st.tuples(keys, scalars), max_size=3, unique_by=lambda pair: pair[0]))
        return [" {" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"]
    if kind == "literal":
        inner = " " * (indent + draw(st.sampled_from([2, 2, 4, 1, 0])))
        body = draw(st.lists(st.sampled_from(["words", "", "# not a comment", "  more", "x: y", " "]), min_size=1,
                             max_size=4))
        mark = draw(st.sampled_from(["|", "|", "|", "|-", ">"]))
        return [" " + mark] + [inner + line if line else "" for line in body]
    step = draw(st.sampled_from([2, 2, 2, 2, 4, 1, 3]))
    if kind in ("map", "block"):
        return [""] + draw(mapping(indent + step, depth + 1))
    return [""] + draw(sequence(indent if kind == "indentless" else indent + step, depth + 1))


@st.composite
def mapping(draw, indent: int, depth: int = 0) -> list[str]:
    lines = []
    for key in draw(st.lists(keys, min_size=1, max_size=5, unique=True)):  # "name" in ODD_KEYS repeats one
        first, *rest = draw(values(indent, depth))
        lines += [" " * indent + key + ":" + first, *rest]
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", "  # indented comment", " " * (indent + 1) + "x"])))
    return lines


@st.composite
def sequence(draw, indent: int, depth: int) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            lines.append(" " * indent + "- " + draw(scalars))
        else:
            first, *rest = draw(mapping(indent + 2, depth))
            lines += [" " * indent + "-" + first[indent + 1:], *rest]
    return lines


yaml_texts = mapping(0).map("\n".join)


def same_or_not_taken(text: str) -> None:
    plain = read_plain_yaml(text, 2)
    try:
        general = read_yaml(text, 2)
    except YamlError as error:
        assert plain is None, f"the general reader finds a mistake ({error.message}), which the plain one took"
        return
    if plain is not None:
        # repr tells True from 1 and 1.0, and a date from its text; the dicts' order counts too.
        assert repr(plain.data) == repr(general.data)
        assert plain.lines == general.lines
        assert plain.written == general.written


@settings(max_examples=1000, deadline=None)
@given(text=yaml_texts)
def test_plain_yaml_is_what_the_general_reader_gives(text):
    same_or_not_taken(text)


def test_each_odd_value_in_each_place_is_read_as_the_general_reader_reads_it():
    """What random texts may miss: each odd value (and each of YAML's indicators) in each place a value
    can be, literal blocks with lines of spaces, and nesting deeper than the general reader allows."""
    odd = ODD_SCALARS + [mark + "x" for mark in "-?:,[]{}#&*!|>'\"%@`"] + ["|", ">", "- x", "? x"]
    texts = [text for value in odd for text in (
        f"k: {value}", f"k:\n  - {value}\n  - x", f"k:\n- {value}", f"k: [{value}]", f"k: [a, {value}]",
        f"k: {{a: {value}}}", f"k:\n  - a: {value}\n    b: x", f"k:\n  a: {value}\nb: x")]
    texts += [f"k: |\n  a\n{spaces}\n  b\n" for spaces in ("", " ", "  ", "   ")]
    texts += [f"k: |\n  a\n{end}" for end in ("", "\n", "\n\n", "\n  \n")]
    nested = ["".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth
              for depth in (5, 11, 12, 14)]
    texts += [text + end for text in nested for end in ("k: x", "k: [x]", "k: |\n" + " " * 40 + "x")]
    for text in texts:
        same_or_not_taken(text)


def test_every_content_file_is_read_as_the_general_reader_reads_it():
    taken = 0
    for path in CONTENT:
        parts = path.read_text(encoding="utf-8", errors="replace").split("---\n", 2)
        if len(parts) == 3:
            same_or_not_taken(parts[1])
            taken += read_plain_yaml(parts[1], 2) is not None
    assert taken >= 20, "the sample's providers, lots and pages are plain YAML"
