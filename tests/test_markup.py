"""The speed-ups in apdirectory/markup.py change nothing: Renderer.markdown gives, byte for byte, what
plain Python-Markdown with the same extensions and settings, then nh3, gives without them."""
from __future__ import annotations

import re
from pathlib import Path

import markdown
import nh3
import pytest
import yaml
from hypothesis import given, settings, strategies as st
from markdown.extensions.abbr import AbbrExtension
from markupsafe import Markup

from apdirectory import markup
from apdirectory.markup import Renderer

REPO = Path(__file__).resolve().parent.parent
VECTORS = yaml.safe_load((REPO / "tests/xss/vectors.yaml").read_text(encoding="utf-8"))
GLOSSARY = {entry["abbr"]: entry["term"] for entry in
            yaml.safe_load((REPO / "content/glossary.yaml").read_text(encoding="utf-8")) if entry.get("abbr")}
SAMPLE_BODIES = [path.read_text(encoding="utf-8").split("---\n", 2)[-1]
                 for folder in ("providers", "lots", "pages") for path in sorted((REPO / "content" / folder).glob("*.md"))]
RENDERER = Renderer(GLOSSARY)

# Pieces of Markdown to put together: words (some of them abbreviations), every character an inline
# pattern looks for, block syntax, and whitespace that matters (line breaks, tabs, indents).
PIECES = ["plain", "words", "SEN", "SEND", "KS3", "KS", "AP", "DfE", "Ofsted", "SENCO", "x", "_AP_", "3",
          "*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&#65;", "&AP;", "&SEN;D", ";", "!",
          "|", "-", "+", "#", "##", "###", "1.", "2)", ":", "=", "---", "===", '"', "'", "https://example.org",
          "<https://example.org>", "<me@example.org>", "[a](https://example.org)", "![i](x.png)", "[r][1]",
          "[1]: https://example.org", "*[AP]: Something else", "*[NEW]: Made up here", "| a | b |\n|---|---|",
          "javascript:alert(1)", "<script>", "\u00a0",
          " ", "  ", "\n", "\n\n", "  \n", "\t", "    ", "\r\n", "\r", "\n> ", "\n- ", "\n1. ", "\n    "]
markdown_texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=40).map("".join), st.text(max_size=80))

# Paragraphs, headings and lists of plain words, which Renderer.markdown converts without Python-Markdown,
# now and then with a word, or the start of a line, that Markdown reads otherwise or that needs escaping.
PLAIN_WORDS = ["plain", "words", "SEN", "SEND", "KS3", "KS", "AP", "DfE", "Ofsted", "SENCO", "x", "3", "12", "é",
               "Zoë", "ß", "٣", "(a)", "£5", "it's", '"q"', "—", "…", "a.", "b,", "c:", "d!", "e?", "a/b", "50%",
               "a  b", "x=y", "a+b", "AP-led", "~", "^", "{x}", "’", "“x”", "SEN.", "(SEN)", "Year 7"]
EDGE_WORDS = ["1.", "2)", "C#", "#", "-", "+", "=", "--", "===", "_", "*", "*a*", "_a_", "**b**", "`c`", "&", "&amp;",
              "<", "<b>", ">", "|", "`", "\\", "\\*", "[", "]", "[l](https://x.org)", "\u00a0", "\t", " ", "", "x ",
              "\u2028", "\r"]
LINE_STARTS = [""] * 12 + ["# ", "## ", "### ", "#### ", "###### ", "- ", "- ", "- ", "-  ", "#  "] + [
    "#", "####### ", "1. ", "3) ", "* ", "+ ", " ", "    ", "> ", "=", "-", "- - ", "- # ", "- 1. ", "12. "]
LINE_ENDS = [""] * 20 + [" ", "  ", "#", " ##", "\\"]
# One word in five at the edge.
plain_words = st.one_of(*[st.sampled_from(PLAIN_WORDS)] * 4, st.sampled_from(EDGE_WORDS))
plain_lines = st.tuples(st.sampled_from(LINE_STARTS), st.lists(plain_words, max_size=6),
                        st.sampled_from(LINE_ENDS)).map(lambda t: t[0] + " ".join(t[1]) + t[2])
plain_texts = st.lists(st.one_of(plain_lines, plain_lines, st.just("")), min_size=1, max_size=10).map("\n".join)
# Meanings that need escaping, one empty (the word is then left as it is).
ODD_GLOSSARY = {"SEN": 'Needs <b> & "quoted" \u00a0 and\nmore', "AP": "", "KS3": "Key stage 3's"}
# Abbreviations that do not start with a letter or digit, beside ones that do.
UNLETTERED_GLOSSARY = {"(a)": "A in brackets", "£5": "Five pounds", "—": "A dash", "SEN": "Special educational needs"}
# Paragraphs of plain words and those abbreviations: texts that PlainMarkdown takes.
unlettered_texts = st.lists(st.lists(st.sampled_from(PLAIN_WORDS + [*UNLETTERED_GLOSSARY, "x£5", "x(a)y"]),
                                     min_size=1, max_size=8).map(" ".join), min_size=1, max_size=4).map("\n\n".join)


class _ReferenceShiftHeadings(markdown.treeprocessors.Treeprocessor):
    """The heading shift as it was first written."""

    def __init__(self, md, top: int):
        super().__init__(md)
        self.top = top

    def run(self, root):
        headings = [element for element in root.iter() if re.fullmatch(r"h[1-6]", element.tag)]
        if not headings:
            return
        shift = self.top - min(int(element.tag[1]) for element in headings)
        for element in headings:
            element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


def reference_markdown(text: str, top_heading: int, glossary: dict[str, str] = GLOSSARY) -> str:
    """Renderer.markdown without any speed-up: a new Python-Markdown each time, as configured."""
    converter = markdown.Markdown(extensions=["tables", "sane_lists", AbbrExtension(glossary=glossary)],
                                  output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    converter.treeprocessors.register(_ReferenceShiftHeadings(converter, top_heading), "shift_headings", 0)
    return nh3.clean(converter.convert(text), tags=markup.ALLOWED_TAGS, attributes=markup.ALLOWED_ATTRIBUTES,
                     url_schemes=markup.ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer")


@settings(max_examples=1500, deadline=None)
@given(text=markdown_texts, top_heading=st.sampled_from([2, 3, 4]))
def test_markdown_is_what_plain_python_markdown_gives(text, top_heading):
    assert str(RENDERER.markdown(text, top_heading)) == reference_markdown(text, top_heading)


@settings(max_examples=3000, deadline=None)
@given(text=plain_texts, top_heading=st.sampled_from([2, 3, 4]))
def test_plain_paragraphs_headings_and_lists_are_what_plain_python_markdown_gives(text, top_heading):
    assert str(RENDERER.markdown(text, top_heading)) == reference_markdown(text, top_heading)


def test_every_edge_word_and_line_start_anywhere_in_plain_text_is_what_plain_python_markdown_gives():
    """Each word, line start and line end above, once in each place: what random texts may miss."""
    lines = [f"{start}{before}{word}{after}{end}" for word in EDGE_WORDS + ["SEN"] for start in ("", "## ", "- ")
             for before, after in (("", " plain"), ("plain ", " words"), ("plain ", "")) for end in ("", " ")]
    lines += [f"{start}plain SEN{end}" for start in LINE_STARTS for end in LINE_ENDS]
    texts = [f"Intro with SEN.\n\n{line}\n\n- a\n- b" for line in lines] + [f"- a\n{line}" for line in lines]
    different = [text for text in texts if str(RENDERER.markdown(text, 3)) != reference_markdown(text, 3)]
    assert not different


@settings(max_examples=300, deadline=None)
@given(text=plain_texts)
def test_abbreviations_whose_meanings_need_escaping_are_what_plain_python_markdown_gives(text):
    assert str(Renderer(ODD_GLOSSARY).markdown(text, 3)) == reference_markdown(text, 3, ODD_GLOSSARY)


@settings(max_examples=300, deadline=None)
@given(text=unlettered_texts)
def test_abbreviations_that_do_not_start_with_a_letter_are_what_plain_python_markdown_gives(text):
    assert str(Renderer(UNLETTERED_GLOSSARY).markdown(text, 3)) == reference_markdown(text, 3, UNLETTERED_GLOSSARY)


@pytest.mark.parametrize("text", VECTORS["owasp"] + VECTORS["markdown"] + SAMPLE_BODIES)
def test_attacks_and_sample_content_render_as_plain_python_markdown_does(text):
    for top_heading in (2, 3, 4):
        assert str(RENDERER.markdown(text, top_heading)) == reference_markdown(text, top_heading)


def test_text_is_escaped_once_whatever_was_asked_before():
    renderer = Renderer(GLOSSARY)
    assert renderer.text("SEN & AP") == renderer.text("SEN & AP") == (
        '<abbr title="Special educational needs">SEN</abbr> &amp; <abbr title="Alternative provision">AP</abbr>')
    assert renderer.text("a &amp; b") == "a &amp;amp; b"
    assert renderer.text(Markup("a &amp; b")) == "a &amp; b"
    assert renderer.text(3) == "3"
