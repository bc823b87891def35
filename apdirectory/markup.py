"""Markdown and plain text -> safe HTML, with abbreviations marked up from the glossary.

Content comes from many hands, so Markdown is treated as hostile: raw HTML is escaped (shown as
text) by Python-Markdown, and its output is sanitised by nh3 with an allow-list, which also
drops javascript: and data: links and adds rel="noopener noreferrer" to links.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from typing import Any, Iterator

import markdown
from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor
from markdown.util import AtomicString
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code",
                "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "abbr", "hr"}
# "*": nothing on every element; left out, nh3 would keep ammonia's default title and lang everywhere.
ALLOWED_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}, "*": set()}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto", "tel"}
# What each of Python-Markdown's inline patterns needs in a text to match it: ` (code), \ (escape),
# [ (links, images, references), < (autolinks), two spaces before a newline (line break), & (entity),
# * or _ (emphasis). The raw HTML pattern, which also needs <, is deregistered. A pattern added by a
# new Python-Markdown needs adding here: tests/test_markup.py compares with plain Python-Markdown.
INLINE_SYNTAX = re.compile(r"[`\\\[<&*_]|  \n")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# A line that PlainMarkdown takes: text of letters and digits, spaces and punctuation that no Markdown
# syntax uses, starting with a letter or a digit (but not as a numbered list item does) and not
# ending with a space; after a heading's #s or a list item's dash, or on its own. (\w takes _ too: a
# text with _ is refused as a whole first; one class of characters, not two, is matched 20 times faster.)
PLAIN_LINE = re.compile(r"(#{1,6} +|- +)?((?!\d+[.)])[^\W_][\w .,;:!?'\"()/%£€$@+=~^{}’‘“”–—…-]*)")


class _ShiftHeadings(markdown.treeprocessors.Treeprocessor):
    """The content's highest heading becomes level `top`, whatever level the author used, so that
    headings never skip a level below the page's own h1 and h2s."""

    def __init__(self, md, top: int):
        super().__init__(md)
        self.top = top

    def run(self, root: etree.Element) -> None:
        headings = [element for element in root.iter() if element.tag in HEADINGS]
        if not headings:
            return
        shift = self.top - min(int(element.tag[1]) for element in headings)
        for element in headings:
            element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


class _InlineWhereNeeded(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline step, run only on the text that could hold inline syntax.

    The inline step tries each of its patterns on every text in the page, which is most of its time,
    and most text is plain words that no pattern matches. Plain text is marked atomic, which the inline
    step leaves alone, and made a plain str again after it, as the inline step would have left it, so
    that abbreviations are still found in it."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        plain = [(element, part) for element in tree.iter() for part in ("text", "tail")
                 if _is_plain(getattr(element, part))]
        for element, part in plain:
            setattr(element, part, AtomicString(getattr(element, part)))
        tree = super().run(tree, ancestors)
        for element, part in plain:
            setattr(element, part, str(getattr(element, part)))
        return tree


def _is_plain(text: str | None) -> bool:
    return bool(text) and not isinstance(text, AtomicString) and INLINE_SYNTAX.search(text) is None


class _Abbreviations(AbbrTreeprocessor):
    """The abbr extension's treeprocessor, keeping its regular expression (every abbreviation in the
    glossary) from one document to the next instead of building it again for each."""

    def __init__(self, md, abbrs: dict[str, str]):
        super().__init__(md, abbrs)
        self.words: tuple[str, ...] | None = None

    def run(self, root: etree.Element) -> None:
        words = tuple(self.abbrs)  # the glossary's, and any the document defines
        if words != self.words:
            super().run(root)  # builds the expression for these words
            self.words = words
        elif self.abbrs:
            self.iter_element(root)


class PlainMarkdown:
    """Text in paragraphs, headings and lists (of one line per item) and nothing else: by far the most
    that providers write. Python-Markdown spends about a millisecond on each such body, which is a
    third of the time a provider's page takes; this makes its HTML, as Python-Markdown then nh3
    would make it, byte for byte, in a few microseconds. tests/test_markup.py compares the two on
    thousands of texts made to be near the edge of what this takes."""

    def __init__(self, abbreviations: dict[str, str]):
        self.abbreviations = abbreviations
        self._abbr = _markdown_abbreviation_pattern(abbreviations)
        self._marked: dict[str, str] = {}

    def convert(self, text: str, top_heading: int) -> str | None:
        """The HTML, or None when the text holds anything else (for Python-Markdown to convert)."""
        if "_" in text:
            return None
        blocks: list[tuple[str, Any]] = []  # ("p", text), ("h", (level, text)) or ("ul", items)
        lines: list[str] = []
        for line in text.split("\n"):
            if not line:
                if not self._block(lines, blocks):
                    return None
                lines = []
                continue
            match = PLAIN_LINE.fullmatch(line)
            if match is None or line[-1] == " ":
                return None
            if line[0] == "#":  # a heading ends the block it is in, as Python-Markdown's does
                if not self._block(lines, blocks):
                    return None
                lines = []
                blocks.append(("h", (match[1].count("#"), match[2])))
            else:
                lines.append(line)
        if not self._block(lines, blocks) or not blocks:
            return None
        return "\n".join(self._html(blocks, top_heading))

    def _block(self, lines: list[str], blocks: list) -> bool:
        """Add the block of `lines` (a paragraph, or a list); False if Python-Markdown would make it
        anything else: a list item running on over more lines, or a list right after a list, which
        Python-Markdown joins to it with a paragraph in each item."""
        if not lines:
            return True
        items = [line[1:].lstrip(" ") for line in lines if line[0] == "-"]
        if not items:
            blocks.append(("p", "\n".join(lines)))
        elif len(items) == len(lines) and not (blocks and blocks[-1][0] == "ul"):
            blocks.append(("ul", items))
        else:
            return False
        return True

    def _html(self, blocks: list, top_heading: int) -> Iterator[str]:
        levels = [value[0] for kind, value in blocks if kind == "h"]
        shift = top_heading - min(levels) if levels else 0  # as _ShiftHeadings does
        for kind, value in blocks:
            if kind == "p":
                yield f"<p>{self._marked_up(value)}</p>"
            elif kind == "h":
                level = min(6, value[0] + shift)
                yield f"<h{level}>{self._marked_up(value[1])}</h{level}>"
            else:
                yield "<ul>\n" + "".join(f"<li>{self._marked_up(item)}</li>\n" for item in value) + "</ul>"

    def _marked_up(self, text: str) -> str:
        """The text with the glossary's abbreviations marked up (it has nothing to escape)."""
        return text if self._abbr is None else self._abbr.sub(self._abbr_element, text)

    def _abbr_element(self, match: re.Match) -> str:
        word = match[0]
        if word not in self._marked:
            title = self.abbreviations[word]
            self._marked[word] = _sanitised(f'<abbr title="{html.escape(title)}">{word}</abbr>') if title else word
        return self._marked[word]


def _markdown_abbreviation_pattern(abbreviations: dict[str, str]) -> re.Pattern | None:
    """Python-Markdown's expression for the abbreviations, r"\\b(?:SEND|SEN|...)\\b", made faster.

    Where every word starts with a word character, the leading \\b only says that the character
    before is not one, which each alternative checks after its first character. The expression then
    starts with a plain character, and the regular expression engine skips at C speed to the places
    where one of those is: in a provider's description, 18 us became 9."""
    if not abbreviations:
        return None
    words = _longest_first(abbreviations)
    if all(re.match(r"\w", word) for word in words):
        return re.compile("(?:" + "|".join(re.escape(word[0]) + r"(?<!\w\w)" + re.escape(word[1:])
                                           for word in words) + r")\b")
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")


class Renderer:
    """One Markdown converter, reused: building a new one per document is the slow part."""

    def __init__(self, abbreviations: dict[str, str]):
        self.abbreviations = abbreviations
        self._converters: dict[int, markdown.Markdown] = {}
        self._abbr = _text_abbreviation_pattern(abbreviations)
        self._texts: dict[str, Markup] = {}
        self._plain = PlainMarkdown(abbreviations)

    def markdown(self, text: str, top_heading: int = 3) -> Markup:
        html = self._plain.convert(text, top_heading)
        if html is None:
            converter = self._converters.get(top_heading) or self._make_converter(top_heading)
            html = _sanitised(converter.reset().convert(text))
        return Markup(html)

    def text(self, text: str) -> Markup:
        """Plain text (a summary, a label): escaped, with abbreviations marked up."""
        # The same labels come up on thousands of pages. Only exact strs are cached: a Markup equals
        # the str with the same characters but is not escaped again, and other values may not hash.
        if type(text) is not str:
            return self._text(text)
        if text not in self._texts:
            self._texts[text] = self._text(text)
        return self._texts[text]

    def _text(self, text) -> Markup:
        escaped = str(escape(text))
        if self._abbr is None:
            return Markup(escaped)
        return Markup(self._abbr.sub(
            lambda m: f'<abbr title="{escape(self.abbreviations[m[0]])}">{m[0]}</abbr>', escaped))

    def _make_converter(self, top_heading: int) -> markdown.Markdown:
        converter = markdown.Markdown(extensions=["tables", "sane_lists", AbbrExtension(
            glossary=self.abbreviations)], output_format="html")
        # Raw HTML is shown as text, never passed through.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        converter.treeprocessors.register(_InlineWhereNeeded(converter), "inline", 20)
        abbreviations = converter.treeprocessors["abbr"].abbrs  # glossary, and the document's own
        converter.treeprocessors.register(_Abbreviations(converter, abbreviations), "abbr", 7)
        converter.treeprocessors.register(_ShiftHeadings(converter, top_heading), "shift_headings", 0)
        self._converters[top_heading] = converter
        return converter


def _sanitised(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_URL_SCHEMES,
                     link_rel="noopener noreferrer")


def _text_abbreviation_pattern(abbreviations: dict[str, str]) -> re.Pattern | None:
    """The abbreviations in escaped plain text (not inside an entity such as &amp;)."""
    if not abbreviations:
        return None
    return re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, _longest_first(abbreviations))) + r")(?![\w;])")


def _longest_first(abbreviations: dict[str, str]) -> list[str]:
    """The words longest first, as Python-Markdown's abbr extension has them: "SEND" before "SEN"."""
    return sorted(abbreviations, key=len, reverse=True)
