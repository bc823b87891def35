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


def reference_markdown(text: str, top_heading: int) -> str:
    """Renderer.markdown without any speed-up: a new Python-Markdown each time, as configured."""
    converter = markdown.Markdown(extensions=["tables", "sane_lists", AbbrExtension(glossary=GLOSSARY)],
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
