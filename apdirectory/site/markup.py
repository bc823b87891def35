"""Markdown and plain text -> safe HTML, with abbreviations marked up from the glossary.

Markdown is GitHub-Flavored Markdown, read by cmark-gfm (GitHub's own parser, through cmarkgfm), so
the preview GitHub shows of a content file is what the site shows, and no text, however it is made,
takes more than linear time. Content comes from many hands, so the HTML is then sanitised by nh3
with an allow-list: raw HTML in the Markdown keeps only the tags and attributes below (as GitHub
keeps those on its own list), and links lose javascript: and data: addresses and get
rel="noopener noreferrer".
"""
from __future__ import annotations

import bisect
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
    """The abbreviations as whole words in HTML text, not inside an entity such as &amp;."""
    return _whole_words(abbreviations, not_after=r"\w&", end=r"\b")


def _text_abbreviation_pattern(abbreviations: dict[str, str]) -> re.Pattern | None:
    """The abbreviations in escaped plain text (not inside an entity such as &amp;)."""
    if not abbreviations:
        return None
    return re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, _longest_first(abbreviations))) + r")(?![\w;])")


def _longest_first(abbreviations: dict[str, str]) -> list[str]:
    """The words longest first, so that "SEND" is found before "SEN"."""
    return sorted(abbreviations, key=len, reverse=True)


class FirstUses:
    """Writes out each abbreviation at its first use on a page: "SEMH (Social, emotional and mental
    health)". A title on <abbr> shows only on hover, never on a touch screen or to most screen readers.

    Every text of the page's body counts, marked up or not (a template's own words, a filter's
    label), except text in code, scripts and a form's options. A use next to a hyphen is part of a
    reference such as FPS-AP-2023, not a use. One already written out ("Social, emotional and mental
    health (SEMH)", or "SEMH (social, emotional and mental health)") counts as explained. An element sent hidden, <noscript>, <details> and each
    result on /find/ start afresh, and a use inside one does not count for the rest of the page: the
    script may show one instead of another (the filter links or their checkboxes) and hides and
    sorts the results, a reader may leave a <details> closed, and the first use a reader meets must
    be explained whichever is shown.

    Pages with thousands of cards are large, so the work is by regular expression: each use found,
    then only the first in its part of the page looked at closely."""

    SKIPPED = ("script", "style", "textarea", "option", "code", "pre", "svg")
    NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
    ELEMENT = re.compile(r'<abbr\b[^<>]*>$')
    TITLE = re.compile(r'\stitle="([^"]*)"')

    def __init__(self, abbreviations: dict[str, str]):
        self.meanings = {word: meaning for word, meaning in abbreviations.items() if meaning}
        self._word = _word_pattern(self.meanings)

    def __call__(self, page: str) -> str:
        start = page.find("<body")
        if self._word is None or start < 0:
            return page
        body = page[start:]
        skipped = _Regions(list(self._skipped_regions(body)))
        fresh = _Regions(list(self._fresh_regions(body)))
        explained: set[tuple[str, int]] = set()  # (word, part of the page)
        insertions: list[tuple[int, str]] = []
        for match in self._word.finditer(body):
            word, at = match[0], match.start()
            key = (word, fresh.innermost(at))
            if key in explained or skipped.innermost(at) >= 0 or _inside_tag(body, at):
                continue
            where = self._use(body, match)
            if where is None:
                continue
            explained.add(key)
            before, end, title = where
            if not self._written_out(word, before, body[end:end + 300], title):
                insertions.append((end, f" ({html.escape(self.meanings[word], quote=False)})"))
        if not insertions:
            return page
        pieces, last = [page[:start]], 0
        for end, meaning in insertions:
            pieces += [body[last:end], meaning]
            last = end
        pieces.append(body[last:])
        return "".join(pieces)

    def _skipped_regions(self, body: str):
        """(start, end) of each element whose text is not prose. None of them holds another."""
        end = 0
        for at, needle in _all(body, *(f"<{name}" for name in self.SKIPPED)):
            if at >= end and body[at + len(needle)] in " >":
                closing = body.find(f"</{needle[1:]}>", at)
                end = len(body) if closing < 0 else closing + len(needle) + 2
                yield at, end

    def _fresh_regions(self, body: str):
        """(start, end) of each element sent hidden, each <noscript> and <details>, and each
        result or offer that find.js may hide or move (it carries data-filters)."""
        for at, needle in _all(body, " hidden", " data-filters=", "<noscript", "<details"):
            opening = body.rfind("<", 0, at + 1)
            if needle[0] == " " and not _inside_tag(body, at):
                continue  # words in the text
            if needle == " hidden" and body[at + len(needle)] not in " =/>":
                continue  # the start of a longer name
            name = self.NAME.match(body, opening + 1)[0]
            depth = 0
            for tag in re.compile(rf"<(/?){name}\b[^<>]*>").finditer(body, opening):
                depth += -1 if tag[1] else 1
                if depth == 0:
                    yield opening, tag.end()
                    break

    def _use(self, body: str, match: re.Match) -> tuple[str, int, str] | None:
        """The text before the use, where its meaning would go and its element's title; None if
        the word is joined to others by hyphens (a reference)."""
        at, end = match.start(), match.end()
        element = self.ELEMENT.search(body, max(0, at - 300), at)
        title = ""
        if element and body.startswith("</abbr>", end):
            title = html.unescape(self.TITLE.search(element[0])[1]) if self.TITLE.search(element[0]) else ""
            at, end = element.start(), end + len("</abbr>")
        before = html.unescape(TAG.sub("", body[max(0, at - 600):at]))
        if before.endswith("-") or body.startswith("-", end):
            return None
        return before, end, title

    def _written_out(self, word: str, before: str, after: str, title: str = "") -> bool:
        """Whether the word's meaning, or its element's title, is beside it in brackets:
        "Social, emotional and mental health (SEMH)" or "SEMH (social, emotional and mental health)"."""
        before = before.casefold().rstrip()
        after = html.unescape(TAG.sub("", after)).casefold().lstrip()
        return any(meaning and (before.endswith(f"{meaning} (".casefold()) or after.startswith(f"({meaning})".casefold()))
                   for meaning in (self.meanings[word], title))


def _word_pattern(abbreviations: dict[str, str]) -> re.Pattern | None:
    """The abbreviations as words: not inside an entity such as &amp;, nor joined by a hyphen."""
    return _whole_words(abbreviations, not_after=r"\w&-", end=r"(?![\w-])")


def _whole_words(abbreviations: dict[str, str], not_after: str, end: str) -> re.Pattern | None:
    """The abbreviations, longest first, where no character of `not_after` comes before and `end`
    holds after. Where every word starts with a word character, the check on the character before
    is made after the first character: the expression then starts with a plain character, and the
    regular expression engine skips at C speed to the places where one of those is."""
    if not abbreviations:
        return None
    words = _longest_first(abbreviations)
    if all(re.match(r"\w", word) for word in words):
        return re.compile("(?:" + "|".join(re.escape(word[0]) + rf"(?<![{not_after}]\w)" + re.escape(word[1:])
                                           for word in words) + ")" + end)
    return re.compile(rf"(?<![{not_after}])(?:" + "|".join(map(re.escape, words)) + ")" + end)


class _Regions:
    """Parts of a page, (start, end), that nest but do not overlap: which one holds a place."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans.sort()
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]
        self.parents: list[int] = []
        open_: list[int] = []
        for index, (start, end) in enumerate(spans):
            while open_ and self.ends[open_[-1]] <= start:
                open_.pop()
            self.parents.append(open_[-1] if open_ else -1)
            open_.append(index)

    def innermost(self, at: int) -> int:
        """The index of the innermost part holding `at`, or -1."""
        index = bisect.bisect_right(self.starts, at) - 1
        while index >= 0 and self.ends[index] <= at:
            index = self.parents[index]
        return index


def _all(text: str, *needles: str) -> list[tuple[int, str]]:
    """Where each needle is in the text, in order: (place, needle)."""
    places = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            places.append((at, needle))
            at = text.find(needle, at + 1)
    return sorted(places)


def _inside_tag(body: str, at: int) -> bool:
    """Whether `at` is inside a tag (an attribute's value) rather than in text."""
    return body.rfind("<", 0, at) > body.rfind(">", 0, at)
