"""Text that looks like something else, and characters XML forbids: refused by `check` with the file,
the line and the field, in one message a contract officer can act on (issue 19, items 1 and 2)."""
from __future__ import annotations

import shutil
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, run_build

from apdirectory.reading.invisible import FORMAT, INVISIBLE, has_invisible

KESTREL = "content/providers/kestrel-learning-centre.md"
PASTED = "delete it: it cannot be seen, so it may have been pasted from another document"


def replace_in(project: Path, relpath: str, old: str, new: str) -> None:
    path = project / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(project: Path) -> list[str]:
    """The error lines `check` prints, after asserting it failed as it should: status 1, no traceback."""
    result = run_build("check", root=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return [line.strip() for line in result.stderr.splitlines() if ": warning: " not in line]


def line_of(start: str) -> int:
    """The line of the sample's Kestrel file that starts with `start` (its --- is line 1)."""
    lines = (REPO / KESTREL).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


# Each kind of hidden character: (what the sample says, what it is made to say, the error expected).
NAME = "name: Kestrel Learning Centre"
HIDDEN = {
    "zero-width characters only": (NAME, 'name: "\\u200B\\u200D"', f"{KESTREL}:2: name: has no visible text, "
                                   "only U+200B ZERO WIDTH SPACE: give a value, or remove the line if the field "
                                   "is optional"),
    "a zero-width space in a name": (NAME, "name: Kestrel Learning\u200b Centre", f"{KESTREL}:2: name: has an "
                                     f"invisible character, U+200B ZERO WIDTH SPACE, at character 17: {PASTED}"),
    "a right-to-left override in a summary": (
        "summary: Small-group", "summary: Small\u202e-group", f"{KESTREL}:3: summary: has an invisible character "
        f"that changes the direction of the text, U+202E RIGHT-TO-LEFT OVERRIDE, at character 6: {PASTED}"),
    "a word joiner in a phone number": (
        '"0161 496 0010"', '"0161\u2060 496 0010"', f"{KESTREL}:{line_of('  referrals:')}: contact.referrals.phone: has an invisible "
        f"character, U+2060 WORD JOINER, at character 5: {PASTED}"),
    "a noncharacter in a name": (
        NAME, 'name: "Kestrel Learning Centre\\uFFFE"', f"{KESTREL}:2: name: has U+FFFE (a noncharacter) at "
        "character 24, which XML does not allow (the site's feeds would break): delete it"),
    "a noncharacter typed in the file": (
        NAME, "name: Kestrel Learning Centre\ufffe", f"{KESTREL}:2: has a character YAML does not allow "
        "(U+FFFE) on this line: delete it"),
}


@pytest.mark.parametrize("kind", HIDDEN)
def test_a_hidden_character_is_refused_with_file_line_and_field(project, kind):
    old, new, expected = HIDDEN[kind]
    replace_in(project, KESTREL, old, new)
    assert expected in refused(project)


# A second file whose name reads the same as the sample's Kestrel Learning Centre.
LOOK_ALIKES = {
    "a hidden zero-width space": "Kestrel Learning\u200b Centre",
    "capitals, spacing and full-width letters": "ＫＥＳＴＲＥＬ  learning centre",
}


@pytest.mark.parametrize("kind", LOOK_ALIKES)
def test_a_look_alike_name_is_an_error_naming_both_files(project, kind):
    impostor = "content/providers/zz-kestrel.md"
    shutil.copy(project / KESTREL, project / impostor)
    replace_in(project, impostor, NAME, f"name: {LOOK_ALIKES[kind]}")
    assert (f"{impostor}:2: name: reads the same as the name of {KESTREL} ('Kestrel Learning Centre'): give "
            "each provider its own name, or, if they are the same provider, keep one file") in refused(project)


def test_a_control_character_in_markdown_is_refused(project):
    replace_in(project, KESTREL, "how_to_refer: |\n  Email", 'how_to_refer: "Email\\x0B')
    replace_in(project, KESTREL, "agreed.\n", 'agreed."\n')
    assert any(line.startswith(f"{KESTREL}:{line_of('how_to_refer:')}: how_to_refer: has an invisible control character (U+000B)")
               for line in refused(project))


def test_a_noncharacter_in_a_description_is_refused_on_its_line(project):
    path = project / KESTREL
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line\U0001FFFF.\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert (f"{KESTREL}:{line}: description: has U+1FFFF (a noncharacter) at character 14, which XML does "
            "not allow (the site's feeds would break): delete it") in refused(project)


def test_a_joiner_a_script_needs_is_accepted_in_long_text(project, tmp_path):
    """Persian writes می‌خواهم ("I want") with a zero-width non-joiner, and emoji join into one."""
    path = project / KESTREL
    path.write_text(path.read_text(encoding="utf-8") + "\nمی\u200cخواهم کمک کنم. 👩\u200d🏫\n", encoding="utf-8")
    result = run_build("build", "--output", str(tmp_path / "site"), root=project)
    assert result.returncode == 0, result.stderr
    assert "\u200c" in (tmp_path / "site/providers/kestrel-learning-centre/index.html").read_text(encoding="utf-8")


def test_a_joiner_between_latin_letters_is_refused_in_long_text(project):
    path = project / KESTREL
    path.write_text(path.read_text(encoding="utf-8") + "\nCall\u200dus.\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert (f"{KESTREL}:{line}: description: has an invisible character, U+200D ZERO WIDTH JOINER, "
            f"at character 5: {PASTED}") in refused(project)


def test_every_xml_file_the_site_writes_parses(site):
    found = sorted(site.rglob("*.xml"))
    assert {path.name for path in found} >= {"changes.xml", "sitemap.xml"}
    for path in found:
        ET.parse(path)


def test_the_list_of_format_characters_is_unicodes():
    listed = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert all(INVISIBLE.match(char) for char in listed), FORMAT


def test_text_of_ascii_characters_is_searched_for_the_same_characters():
    """Plain ASCII text takes a quicker search: it must find what the whole search finds."""
    for code in range(128):
        assert has_invisible(f"a{chr(code)}b") == bool(INVISIBLE.search(chr(code))), hex(code)
