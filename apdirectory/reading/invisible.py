"""Characters a reader cannot see, and characters XML forbids: found in one pass over a text.

A contract officer pasting from a Word document brings zero-width spaces and soft hyphens with
the text; an impostor can hide one in a name so that two entries read the same, or reverse the
text that follows with a right-to-left override. XML forbids a few characters outright, and one
of them in a name makes changes.xml unreadable. Every text field goes through `text_problem`.
"""
from __future__ import annotations

import re
import unicodedata

# XML 1.0 forbids C0 controls other than tab, newline and carriage return, surrogates, and the
# noncharacters U+FFFE and U+FFFF; U+FDD0 to U+FDEF and U+xFFFE/U+xFFFF of every plane are
# noncharacters too, which the XML specification asks documents not to use.
_XML_FORBIDDEN = ("\x00-\x08\x0b\x0c\x0e-\x1f\\ud800-\\udfff\\ufdd0-\\ufdef\\ufffe\\uffff"
                  + "".join(f"\\U{plane:04X}FFFE\\U{plane:04X}FFFF" for plane in range(1, 17)))
# Unicode's format characters (category Cf, as of Unicode 14): zero-width characters, the
# bidirectional controls, the soft hyphen, the byte-order mark... A test keeps this list honest.
FORMAT = ("\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890-\\u0891\\u08E2\\u180E\\u200B-\\u200F"
          "\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB\\U000110BD\\U000110CD"
          "\\U00013430-\\U00013438\\U0001BCA0-\\U0001BCA3\\U0001D173-\\U0001D17A\\U000E0001"
          "\\U000E0020-\\U000E007F")
# One character class each: a search is linear in the text, whatever it holds.
XML_FORBIDDEN = re.compile(f"[{_XML_FORBIDDEN}]")
INVISIBLE = re.compile(f"[{FORMAT}{_XML_FORBIDDEN}]")
# The characters of INVISIBLE that ASCII text can hold. Most text is ASCII (Python knows without
# looking), and this search is about ten times quicker: the characters beyond U+FFFF above keep the
# regular expression engine from looking each character up in one table.
_ASCII_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

ZWNJ, ZWJ = "\u200c", "\u200d"
# Marks that set the direction of neutral characters (full stops, brackets) next to them in
# right-to-left text: they reorder nothing beyond their neighbours, unlike the overrides.
DIRECTION_MARKS = {"\u200e", "\u200f", "\u061c"}
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))} | DIRECTION_MARKS
# Scripts written without joining letters: a joiner between two of their letters only hides text.
UNJOINED_SCRIPTS = {"LATIN", "GREEK", "CYRILLIC"}
PASTED = "delete it: it cannot be seen, so it may have been pasted from another document"


def has_invisible(text: str) -> bool:
    """Whether the text holds a character INVISIBLE matches."""
    return (_ASCII_INVISIBLE if text.isascii() else INVISIBLE).search(text) is not None


def text_problem(value: str, long_text: bool) -> str | None:
    """What is wrong with the invisible characters of `value`, in plain English, or None.

    `long_text` (Markdown) may keep what a script needs: a joiner or non-joiner inside a word of a
    script that joins its letters (Persian, Arabic, Indic scripts), a joiner inside an emoji
    sequence, and direction marks. Names, summaries, contact details, addresses and codes keep none.
    """
    if not has_invisible(value):
        return None  # nearly every value: one search, and done
    if not visible(value).strip():
        return f"has no visible text, only {_describe(INVISIBLE.search(value)[0])}: give a value, " \
               "or remove the line if the field is optional"
    for found in INVISIBLE.finditer(value):
        char, at = found[0], found.start()
        if XML_FORBIDDEN.match(char):
            return f"has {_describe(char)} at character {at + 1}, which XML does not allow (the site's " \
                   "feeds would break): delete it"
        if long_text and _needed(value, at):
            continue
        kind = " that changes the direction of the text" if char in BIDI_CONTROLS else ""
        return f"has an invisible character{kind}, {_describe(char)}, at character {at + 1}: {PASTED}"
    return None


def _describe(char: str) -> str:
    """U+200B ZERO WIDTH SPACE: the code and the name, as the character itself shows nothing."""
    name = unicodedata.name(char, "")
    if name:
        return f"U+{ord(char):04X} {name}"
    kind = "a control character" if char < " " else "a surrogate" if "\ud800" <= char <= "\udfff" else "a noncharacter"
    return f"U+{ord(char):04X} ({kind})"


def _needed(value: str, at: int) -> bool:
    """Whether the invisible character at `at` does a job in long text."""
    char = value[at]
    if char in DIRECTION_MARKS:
        return True
    if char not in (ZWJ, ZWNJ) or at == 0 or at + 1 == len(value):
        return False
    before, after = value[at - 1], value[at + 1]
    if char == ZWJ and _emoji_part(before) and unicodedata.category(after) == "So":
        return True  # such as a family or a profession made of several emoji
    script = _script(before)
    return script is not None and script == _script(after) and script not in UNJOINED_SCRIPTS


def _emoji_part(char: str) -> bool:
    """An emoji, a skin-tone modifier or the variation selector that asks for emoji style."""
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def _script(char: str) -> str | None:
    """The script of a letter or mark, from the first word of its Unicode name (ARABIC LETTER BEH)."""
    if unicodedata.category(char)[0] not in "LM":
        return None
    return unicodedata.name(char, "").partition(" ")[0] or None


def visible(text: str) -> str:
    """The text without its invisible characters, to quote in a message."""
    return INVISIBLE.sub("", text)


def same_name(name: str) -> str:
    """A name as a reader sees it: compatibility forms (ﬁ, full-width letters) folded, invisible
    characters removed, capitals and spacing ignored. Two names equal here look the same."""
    return " ".join(visible(unicodedata.normalize("NFKC", name)).casefold().split())
