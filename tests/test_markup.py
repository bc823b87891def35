"""What readers see of Markdown: GitHub-Flavored Markdown as GitHub shows it, within the site's
allow-list, with the glossary's abbreviations marked up and headings fitted under the page's own."""
from __future__ import annotations

import pytest
from markupsafe import Markup

from apdirectory.site.markup import FirstUses, Renderer

GLOSSARY = {"SEN": "Special educational needs", "SEND": "Special educational needs and disabilities",
            "AP": "Alternative provision", "KS3": ""}
RENDERER = Renderer(GLOSSARY)
SEN = '<abbr title="Special educational needs">SEN</abbr>'


def html(text: str, top_heading: int = 3) -> str:
    return str(RENDERER.markdown(text, top_heading))


def test_abbreviations_are_marked_up_in_text_headings_lists_tables_and_links():
    assert html("We meet SEN needs.") == f"<p>We meet {SEN} needs.</p>"
    assert html("## About SEN") == f"<h3>About {SEN}</h3>"
    assert html("- SEN\n- AP") == (f"<ul>\n<li>{SEN}</li>\n"
                                   '<li><abbr title="Alternative provision">AP</abbr></li>\n</ul>')
    assert f"<td>{SEN}</td>" in html("| need | x |\n| --- | --- |\n| SEN | 1 |")
    assert html("[SEN help](https://example.org/)") == (
        f'<p><a href="https://example.org/" rel="noopener noreferrer">{SEN} help</a></p>')


def test_abbreviations_are_whole_words_longest_first_and_never_in_code():
    assert html("SEND") == '<p><abbr title="Special educational needs and disabilities">SEND</abbr></p>'
    assert html("SENCO and ASEN") == "<p>SENCO and ASEN</p>"
    assert html("`SEN` and\n\n    SEN in a block") == "<p><code>SEN</code> and</p>\n<pre><code>SEN in a block\n</code></pre>"
    assert html("KS3") == "<p>KS3</p>"  # a glossary word with no meaning is left as it is


def test_a_meaning_is_escaped_in_its_title():
    renderer = Renderer({"SEN": 'Needs <b> & "quoted"'})
    assert str(renderer.markdown("SEN")) == '<p><abbr title="Needs &lt;b&gt; &amp; &quot;quoted&quot;">SEN</abbr></p>'


def test_the_highest_heading_takes_the_level_the_page_asks_for():
    assert html("# One\n\n### Three", 2) == "<h2>One</h2>\n<h4>Three</h4>"
    assert html("#### Four\n\n##### Five", 3) == "<h3>Four</h3>\n<h4>Five</h4>"
    assert html("# One\n\n###### Six", 4) == "<h4>One</h4>\n<h6>Six</h6>"  # never below h6


def test_raw_html_keeps_only_the_allow_list_and_scripts_show_as_text():
    assert html("<strong>kept</strong>, <b>bold</b> <img src=x onerror=alert(1)>") == (
        "<p><strong>kept</strong>, bold </p>")
    assert html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html('<a href="javascript:alert(1)" onclick="x()">link</a>') == (
        '<p><a rel="noopener noreferrer">link</a></p>')
    assert html("[link](javascript:alert(1))") == '<p><a rel="noopener noreferrer">link</a></p>'


def test_web_and_email_addresses_become_links_as_on_github():
    assert html("See www.example.org or email help@example.org.") == (
        '<p>See <a href="http://www.example.org" rel="noopener noreferrer">www.example.org</a> or email '
        '<a href="mailto:help@example.org" rel="noopener noreferrer">help@example.org</a>.</p>')


def test_struck_out_text_and_task_boxes_are_shown_as_written():
    """<del> and <input> are not on the allow-list: dropping them would make struck-out words read
    as current, so the marks stay as the author typed them."""
    assert html("~~Mondays~~ Tuesdays") == "<p>~~Mondays~~ Tuesdays</p>"
    assert html("- [ ] a task") == "<ul>\n<li>[ ] a task</li>\n</ul>"


def test_text_is_escaped_once_whatever_was_asked_before():
    renderer = Renderer({"SEN": "Special educational needs", "AP": "Alternative provision"})
    assert renderer.text("SEN & AP") == renderer.text("SEN & AP") == (
        '<abbr title="Special educational needs">SEN</abbr> &amp; <abbr title="Alternative provision">AP</abbr>')
    assert renderer.text("a &amp; b") == "a &amp;amp; b"
    assert renderer.text(Markup("a &amp; b")) == "a &amp; b"
    assert renderer.text(3) == "3"


# --- abbreviations written out at their first use on a page (markup.FirstUses) --------------

FIRST_USES = FirstUses({"SEMH": "Social, emotional and mental health", "FPS": "Flexible purchasing system",
                        "KS3": "Key stage 3"})


def first_uses(body: str) -> str:
    page = FIRST_USES(f"<html><head><title>SEMH</title></head><body>{body}</body></html>")
    return page.removeprefix("<html><head><title>SEMH</title></head><body>").removesuffix("</body></html>")


def test_the_first_use_of_each_abbreviation_is_written_out_once():
    assert first_uses('<p>SEMH needs, <abbr title="x">SEMH</abbr> again; KS3</p>') == (
        '<p>SEMH (Social, emotional and mental health) needs, <abbr title="x">SEMH</abbr> again; KS3 (Key stage 3)</p>')
    assert first_uses('<p><abbr title="Key stage 3">KS3</abbr> and KS3</p>') == (
        '<p><abbr title="Key stage 3">KS3</abbr> (Key stage 3) and KS3</p>')


def test_a_word_alone_in_brackets_is_written_out_inside_them():
    assert first_uses("<p>Turnaround (KS3) and (<abbr>SEMH</abbr>) needs</p>") == (
        "<p>Turnaround (KS3, Key stage 3) and (<abbr>SEMH</abbr>, Social, emotional and mental health) needs</p>")
    assert first_uses("<p>(KS3 pupils) and (Y KS3)</p>") == "<p>(KS3 (Key stage 3) pupils) and (Y KS3)</p>"


@pytest.mark.parametrize("body", [
    "<p>Social, emotional and mental health (SEMH)</p>",
    "<p>social, emotional and mental health (<abbr title=\"Social, emotional and mental health\">SEMH</abbr>)</p>",
    "<p>SEMH (social, emotional and mental health) needs</p>",
    "<p>Reference FPS-AP-2023 and SEMHS or XSEMH</p>",
    "<p><code>SEMH</code></p><pre>KS3</pre><script>const a = 'SEMH';</script>",
    '<p><a href="#" data-label="SEMH">link</a></p>',
])
def test_what_is_already_written_out_or_not_prose_is_left_alone(body):
    assert first_uses(body) == body


def test_a_part_the_script_may_show_instead_starts_afresh():
    found = first_uses('<p>SEMH</p><fieldset hidden><label>SEMH</label></fieldset>'
                       '<details><summary>x</summary>SEMH</details><noscript>SEMH</noscript><p>SEMH</p>')
    assert found.count("(Social, emotional and mental health)") == 4
    assert found.endswith("<p>SEMH</p>")  # the page's own text had its first use at the top


def test_writing_out_twice_changes_nothing_more():
    once = first_uses("<p>SEMH and KS3</p><details><p>(KS3)</p></details>")
    assert first_uses(once) == once


def test_repeated_items_count_where_they_stand_in_the_page():
    """Cards repeated on many pages are given apart (render.Repeat): the first use may be in one
    of them, or in the page after them, and a card the script may hide starts afresh."""
    page = "<html><body><p>SEMH</p><ol>\0block\0</ol><p>KS3 and FPS</p><ul>\0block\0</ul></body></html>"
    items = ["<li>SEMH and KS3</li>", "<li>KS3</li>", '<li data-filters="x">KS3</li>']
    assert FIRST_USES(page, [items, items[1:2]]) == (
        "<html><body><p>SEMH (Social, emotional and mental health)</p><ol><li>SEMH and KS3 (Key stage 3)</li>"
        '<li>KS3</li><li data-filters="x">KS3 (Key stage 3)</li></ol>'
        "<p>KS3 and FPS (Flexible purchasing system)</p><ul><li>KS3</li></ul></body></html>")
