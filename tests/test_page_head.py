"""What a browser or a search engine notices: a meta description on every page, the site's own
favicon, a title on "Find a provider" that says what was searched and filtered, and a test
server that prints no tracebacks for connections a browser drops."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
import sample
from browser import QuietServer
from test_find import choose, wait_for_results

LIMIT = 160  # characters a search engine shows of a description


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.descriptions: list[str | None] = []
        self.icons: list[dict] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs.get("content"))
        if tag == "link" and attrs.get("rel") == "icon":
            self.icons.append(attrs)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def heads(site) -> dict[str, Head]:
    """Each page in the sitemap, and the 404 page, by its file below the site."""
    base = sample.config()["site"]["base_url"]
    listed = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    found = {}
    for path in [address.removeprefix(base) + "index.html" for address in listed] + ["404.html"]:
        head = Head()
        head.feed((site / path).read_text(encoding="utf-8"))
        found[path] = head
    return found


def test_every_page_has_one_plain_description_of_its_own(site):
    pages = heads(site)
    assert len(pages) > 50
    seen: dict[str, str] = {}
    for path, head in pages.items():
        assert len(head.descriptions) == 1, f"{path}: {head.descriptions}"
        text = head.descriptions[0]
        assert text and text.strip() == text and "\n" not in text, f"{path}: {text!r}"
        assert "<" not in text and html.unescape(text) == text, f"{path}: markup or an entity left in {text!r}"
        assert len(text) <= 200, f"{path}: {len(text)} characters"
        assert text not in seen, f"{path} and {seen.get(text)} have the same description"
        seen[text] = path


def test_descriptions_come_from_the_content(site):
    pages = heads(site)
    for provider in sample.published():
        assert pages[f"providers/{provider.slug}/index.html"].descriptions == [provider.meta["summary"]]
    for lot in sample.lots():
        summary = " ".join(lot.meta["summary"].split())
        description = pages[f"lots/{lot.slug.removeprefix('lot-')}/index.html"].descriptions[0]
        assert description == summary if len(summary) <= LIMIT else (
            description.endswith("…") and summary.startswith(description[:-1]))
    for path in (sample.REPO / "content" / "pages").glob("*.md"):
        page = sample.read(path)
        where = "index.html" if page.slug == "index" else f"{page.slug}/index.html"
        if page.meta.get("summary") and len(page.meta["summary"]) <= LIMIT:
            assert pages[where].descriptions == [page.meta["summary"]]


def test_a_long_summary_is_cut_at_a_word(project):
    from apdirectory.site.present import description

    words = "word " * 60
    cut = description(words)
    assert len(cut) <= LIMIT and cut.endswith("word…")
    assert description("  two\n lines ") == "two lines"


# --- favicon --------------------------------------------------------------------------------

def test_every_page_links_the_sites_own_icons(site):
    for path, head in heads(site).items():
        hrefs = {icon.get("type", ""): icon["href"] for icon in head.icons}
        assert set(hrefs) == {"", "image/svg+xml"}, f"{path}: {head.icons}"
        assert not any(urlsplit(href).netloc for href in hrefs.values()), f"{path}: an icon from another site"
    svg = (site / "assets" / "favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    ico = (site / "favicon.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0" and ico[22:30] == b"\x89PNG\r\n\x1a\n"  # an ICO holding a PNG


@pytest.mark.parametrize("path", ["", "providers/", "no-such-page/deeper/"])
def test_the_browser_shows_the_icon_and_asks_for_nothing_missing(site_server, open_tab, path):
    """The site lives under a path (GitHub Pages: /<repository>/), where /favicon.ico is not
    the site's: each page names its icons, so the browser never asks the host's root."""
    tab = open_tab()
    page = tab.page
    failed, asked = [], []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    with page.expect_response(lambda response: response.url.endswith("/favicon.svg")) as icon:
        page.goto(site_server.url(path))
    assert icon.value.status == 200 and icon.value.headers["content-type"] == "image/svg+xml"
    for href in page.locator("link[rel=icon]").evaluate_all("links => links.map(link => link.href)"):
        size = page.evaluate("""href => new Promise(done => { const img = new Image();
            img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); img.src = href; })""", href)
        assert size > 0, f"{href} does not load as a picture"
    assert "/favicon.ico" not in asked
    assert [url for url in failed if not path.startswith("no-such-page")] == []
    assert not tab.errors or path.startswith("no-such-page")


# --- the title of Find a provider -----------------------------------------------------------

def _title(page_title: str) -> str:
    site = sample.config()["site"]
    return f"{page_title} - {site['title']} - {site['council']}"


def _providers(count: int) -> str:
    return f"{count} provider{'' if count == 1 else 's'}" if count else "no providers"


def _label(page, key: str, value: str) -> str:
    return page.locator(f"#filter-{key}-{value}").get_attribute("data-label")


def test_the_find_title_says_what_was_searched_and_filtered(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("find/"))
    plain = _title("Find a provider")
    assert page.title() == plain
    first = sample.published()[0]
    lot = first.meta["lots"][0]
    lot_value = next(v for v in sample.filter_values(first)["lot"])
    stage = lot["key_stages"][0].lower()
    choose(page, "lot", lot_value)
    count = len(sample.matching({"lot": [lot_value]}))
    assert page.title() == f"{_label(page, 'lot', lot_value)}: {_providers(count)} - {plain}"
    choose(page, "stage", stage)
    count = len(sample.matching({"lot": [lot_value], "stage": [stage]}))
    labels = f"{_label(page, 'lot', lot_value)}, {_label(page, 'stage', stage)}"
    assert page.title() == f"{labels}: {_providers(count)} - {plain}"
    page.fill("#find-q", first.meta["name"])
    wait_for_results(page)
    shown = page.locator("#find-results > li:visible").count()
    assert page.title() == f"“{first.meta['name']}”, {labels}: {_providers(shown)} - {plain}"
    page.fill("#find-q", "zzzzqqq")
    wait_for_results(page)
    assert page.title() == f"“zzzzqqq”, {labels}: no providers - {plain}"
    page.fill("#find-q", "")
    page.locator("#find-clear").click()
    wait_for_results(page)
    assert page.title() == plain
    assert not tab.errors


def test_a_shared_search_address_has_its_title_from_the_start(site_server, open_tab):
    first = sample.published()[0]
    need = first.meta["needs"][0]
    page = open_tab().page
    page.goto(site_server.url("find/?" + urlencode({"need": need.lower()})))
    wait_for_results(page)
    count = len(sample.matching({"need": [need.lower()]}))
    label = sample.config()["vocabularies"]["needs"][need]
    assert page.title() == f"{label}: {_providers(count)} - {_title('Find a provider')}"


def test_static_filter_pages_have_titles_of_their_own(site):
    titles = {path: head.title for path, head in heads(site).items() if path.startswith("find/") and path.count("/") == 3}
    assert titles
    assert len(set(titles.values())) == len(titles), "two filter pages share a title"
    for path, title in titles.items():
        assert title.endswith(_title("")[3:]) and not title.startswith("Find a provider"), f"{path}: {title}"


# --- the test server ------------------------------------------------------------------------

def test_the_test_server_is_quiet_about_dropped_connections_only(capfd):
    server = QuietServer(("127.0.0.1", 0), lambda *args: None)
    try:
        for dropped in (BrokenPipeError(), ConnectionResetError(), ConnectionAbortedError()):
            try:
                raise dropped
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capfd.readouterr().err == ""
        try:
            raise ValueError("a real fault")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a real fault" in capfd.readouterr().err
    finally:
        server.server_close()
