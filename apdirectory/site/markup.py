"""Markdown and plain text -> safe HTML, with abbreviations marked up from the glossary.

Markdown is GitHub-Flavored Markdown, read by cmark-gfm (GitHub's own parser, through cmarkgfm), so
the preview GitHub shows of a content file is what the site shows, and no text, however it is made,
takes more than linear time. Content comes from many hands, so the HTML is then sanitised by nh3
with an allow-list: raw HTML in the Markdown keeps only the tags and attributes below (as GitHub
keeps those on its own list), and links lose javascript: and data: addresses and get
rel="noopener noreferrer".
"""
from __future__ import annotations

import html
import re

import cmarkgfm
import nh3
from cmarkgfm import Options
from markupsafe import Markup, escape

ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code",
                "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "abbr", "hr"}
# "*": nothing on every element; left out, nh3 would keep ammonia's default title and lang everywhere.
ALLOWED_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}, "*": set()}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto", "tel"}
# GitHub's extensions but two: struck-out text and task lists need <del> and <input>, which the
# allow-list drops, so struck-out words would read as current and a task's box would vanish.
# Without them, ~~ and [ ] are shown as written. tagfilter shows <script>, <style>, <iframe> and
# the like as text, as GitHub does.
EXTENSIONS = ["table", "autolink", "tagfilter"]
# Raw HTML is passed on, for nh3 to keep what the allow-list allows (by default cmark drops it
# whole, with any text inside a block of it).
OPTIONS = Options.CMARK_OPT_UNSAFE
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.I)
# Every tag in cmark's output ends at the first > (a > inside a raw tag's attribute cuts it short,
# which nh3 then mends); [^<>] keeps each try from running past the next one's start.
TAG = re.compile(r"(<[^<>]*>)")
# Text inside these is left as written: code is shown exactly, and an abbreviation is not nested.
UNMARKED = re.compile(r"<(/?)(?:code|pre|abbr)\b", re.I)


class Renderer:
    """Markdown and plain text to safe HTML, with the glossary's abbreviations marked up."""

    def __init__(self, abbreviations: dict[str, str]):
        self.abbreviations = {word: title for word, title in abbreviations.items() if title}
        self._in_markdown = _markdown_abbreviation_pattern(self.abbreviations)
        self._abbr = _text_abbreviation_pattern(self.abbreviations)
        self._texts: dict[str, Markup] = {}
        self._elements: dict[str, str] = {}

    def markdown(self, text: str, top_heading: int = 3) -> Markup:
        """The content's highest heading becomes level `top_heading`, whatever level the author used,
        so that headings never skip a level below the page's own."""
        html = cmarkgfm.markdown_to_html_with_extensions(text, OPTIONS, EXTENSIONS).rstrip("\n")
        return Markup(_sanitised(self._marked_up(_shift_headings(html, top_heading))))

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

    def _marked_up(self, html: str) -> str:
        """The HTML with the glossary's abbreviations marked up in its text, but not in code."""
        if self._in_markdown is None or not self._in_markdown.search(html):
            return html
        parts = TAG.split(html)  # text, a tag, text, a tag, ..., text
        unmarked = 0
        for index, part in enumerate(parts):
            if index % 2:
                found = UNMARKED.match(part)
                if found:
                    unmarked = max(0, unmarked - 1) if found[1] else unmarked + 1
            elif part and not unmarked:
                parts[index] = self._in_markdown.sub(self._element, part)
        return "".join(parts)

    def _element(self, match: re.Match) -> str:
        word = match[0]
        if word not in self._elements:
            self._elements[word] = f'<abbr title="{html.escape(self.abbreviations[word])}">{word}</abbr>'
        return self._elements[word]


def _shift_headings(html: str, top: int) -> str:
    levels = [int(level) for closing, level in HEADING_TAG.findall(html) if not closing]
    if not levels:
        return html
    shift = top - min(levels)
    return HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift)}", html)


def _sanitised(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_URL_SCHEMES,
                     link_rel="noopener noreferrer")


def _markdown_abbreviation_pattern(abbreviations: dict[str, str]) -> re.Pattern | None:
    """The abbreviations as whole words in HTML text, not inside an entity such as &amp;.

    Where every word starts with a word character, the check on the character before is made
    after the first character: the expression then starts with a plain character, and the regular
    expression engine skips at C speed to the places where one of those is."""
    if not abbreviations:
        return None
    words = _longest_first(abbreviations)
    if all(re.match(r"\w", word) for word in words):
        return re.compile("(?:" + "|".join(re.escape(word[0]) + r"(?<![\w&]\w)" + re.escape(word[1:])
                                           for word in words) + r")\b")
    return re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, words)) + r")\b")


def _text_abbreviation_pattern(abbreviations: dict[str, str]) -> re.Pattern | None:
    """The abbreviations in escaped plain text (not inside an entity such as &amp;)."""
    if not abbreviations:
        return None
    return re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, _longest_first(abbreviations))) + r")(?![\w;])")


def _longest_first(abbreviations: dict[str, str]) -> list[str]:
    """The words longest first, so that "SEND" is found before "SEN"."""
    return sorted(abbreviations, key=len, reverse=True)
