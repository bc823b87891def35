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
from itertools import chain
from typing import Sequence

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
# Where a block of repeated items stands in a page until the abbreviations are written out: no
# page or content can hold a NUL character.
BLOCK_MARK = "\0block\0"
BLOCK = re.compile(re.escape(BLOCK_MARK))


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
    health)", or, where the word stands alone in brackets, "(KS3, Key stage 3)", not two pairs of
    brackets. A title on <abbr> shows only on hover, never on a touch screen or to most screen readers.

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
        self._items: dict[str, tuple[list, list, str]] = {}  # what _item found in each, for this build

    def __call__(self, page: str, blocks: Sequence[Sequence[str]] = ()) -> str:
        """The page with each abbreviation written out at its first use. `blocks`: lists of items
        (such as the cards of a list of providers) the page holds at its `BLOCK` marks, in order:
        each item is looked at once however many pages repeat it, as its own uses are the same
        wherever it stands, and only which of them come first differs."""
        start = page.find("<body")
        if self._word is None or start < 0:
            return _filled(page, ["".join(items) for items in blocks])
        body = page[start:]
        skipped = _Regions(list(self._skipped_regions(body)))
        fresh = _Regions(list(self._fresh_regions(body)))
        places = [place.start() for place in BLOCK.finditer(body)]
        explained: set[tuple[str, int]] = set()  # (word, part of the page)
        insertions: list[tuple[int, str]] = []
        filled: list[str] = []
        for match in self._word.finditer(body):
            while len(filled) < len(places) and places[len(filled)] < match.start():
                filled.append(self._fill(blocks[len(filled)], places[len(filled)], skipped, fresh, explained))
            key = (match[0], fresh.innermost(match.start()))
            if key not in explained:
                found = self._first_use(body, match, skipped)
                if found:
                    explained.add(key)
                    if found[1]:
                        insertions.append(found)
        while len(filled) < len(places):
            filled.append(self._fill(blocks[len(filled)], places[len(filled)], skipped, fresh, explained))
        return _filled(page[:start] + _inserted(body, insertions), filled)

    def _first_use(self, body: str, match: re.Match, skipped: _Regions) -> tuple[int, str] | None:
        """(where the meaning goes, the meaning, or "" if it is written out already) for a use that
        counts, else None."""
        at = match.start()
        if skipped.innermost(at) >= 0 or _inside_tag(body, at):
            return None
        where = self._use(body, match)
        if where is None:
            return None
        before, end, title = where
        if self._written_out(match[0], before, body[end:end + 300], title):
            return end, ""
        meaning = html.escape(self.meanings[match[0]], quote=False)
        if before.endswith("(") and body.startswith(")", end):  # "(KS3, Key stage 3)", not "(KS3 (Key stage 3))"
            return end, f", {meaning}"
        return end, f" ({meaning})"

    def _fill(self, items: Sequence[str], place: int, skipped: _Regions, fresh: _Regions,
              explained: set[tuple[str, int]]) -> str:
        """A block's items, each with the meaning of each word whose first use in the page's part
        holding the block is there."""
        if skipped.innermost(place) >= 0:
            return "".join(items)
        part = fresh.innermost(place)
        done = {word for word, where in explained if where == part}  # explained in that part
        out = []
        for item in items:
            own, uses, plain = self._item(item)
            if all(word in done for word, _, _ in uses):  # as in most items after the first few
                out.append(plain)
                continue
            meanings = sorted(own + [(end, meaning) for word, end, meaning in uses if meaning and word not in done])
            done.update(word for word, _, _ in uses)
            out.append(_inserted(item, meanings))
        explained.update((word, part) for word in done)
        return "".join(out)

    def _item(self, item: str) -> tuple[list, list, str]:
        """(the meanings inserted in the item's own hidden or movable parts, the first use of each word
        in the rest of it as (word, end, meaning or ""), the item with the first only)."""
        if item not in self._items:
            skipped = _Regions(list(self._skipped_regions(item)))
            fresh = _Regions(list(self._fresh_regions(item)))
            explained: set[tuple[str, int]] = set()
            own, uses = [], []
            for match in self._word.finditer(item):
                key = (match[0], fresh.innermost(match.start()))
                if key in explained:
                    continue
                found = self._first_use(item, match, skipped)
                if found:
                    explained.add(key)
                    if key[1] < 0:
                        uses.append((match[0], *found))
                    elif found[1]:
                        own.append(found)
            self._items[item] = (own, uses, _inserted(item, own))
        return self._items[item]

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
        "Social, emotional and mental health (SEMH)", "SEMH (social, emotional and mental health)"
        or "(SEMH, social, emotional and mental health)"."""
        before = before.casefold().rstrip()
        after = html.unescape(TAG.sub("", after)).casefold()
        return any(meaning and (before.endswith(f"{meaning} (".casefold()) or after.lstrip().startswith(f"({meaning})".casefold())
                                or (before.endswith("(") and after.startswith(f", {meaning})".casefold())))
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


def _inserted(text: str, insertions: list[tuple[int, str]]) -> str:
    """The text with each (place, text) inserted, in order of place."""
    if not insertions:
        return text
    pieces, last = [], 0
    for end, meaning in insertions:
        pieces += [text[last:end], meaning]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _filled(page: str, blocks: list[str]) -> str:
    """The page with each BLOCK mark replaced by its block, in order."""
    if not blocks:
        return page
    parts = BLOCK.split(page)
    return "".join(chain.from_iterable(zip(parts, [*blocks, ""])))


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
