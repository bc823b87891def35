"""Phones, zoom and touch, in a real browser: at 320 px with the browser's default text size
doubled no page scrolls sideways; the main actions are at least 44 by 44 px to tap; and each
abbreviation is written out at its first use on a page, since a title shows only on hover."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
import sample
from browser import record_figure
from test_accessibility import sideways_overflow

DOUBLED = 32  # Chromium's default font size is 16 px


def _page_kinds() -> list[tuple[str, str]]:
    """Every kind of page, worked out from the content: each lot, a provider of each status and
    registration type, a static filter page of each filter group."""
    published = sample.published()
    first = published[0]
    providers = {}
    for provider in published:
        providers.setdefault((provider.meta["status"], provider.meta["registration"]["type"]), provider)
    filters = {}
    for provider in published:
        for key, values in sample.filter_values(provider).items():
            if values and key not in filters:
                filters[key] = sorted(values)[0]
    area, need = first.meta["locations"][0]["area"].lower(), first.meta["needs"][0].lower()
    pages = sorted(path.stem for path in (sample.REPO / "content" / "pages").glob("*.md") if path.stem != "index")
    return [
        ("home", ""),
        ("lots", "lots/"),
        *[(f"lot {lot.meta['number']}", f"lots/{lot.slug.removeprefix('lot-')}/") for lot in sample.lots()],
        ("providers A to Z", "providers/"),
        *[(f"provider, {status}, {kind}", f"providers/{p.slug}/") for (status, kind), p in sorted(providers.items())],
        ("find", "find/"),
        ("find, no script", "find/"),
        ("find, searched", "find/?" + urlencode({"q": first.meta["name"]})),
        ("find, filtered", f"find/?area={area}&need={need}"),
        *[(f"static filter page, {key}", f"find/{key}/{value}/") for key, value in sorted(filters.items())],
        ("glossary", "glossary/"),
        ("open data", "data/"),
        ("what's changed", "changes/"),
        *[(f"page {slug}", f"{slug}/") for slug in pages],
        ("404", "no-such-page/"),
    ]


PAGE_KINDS = _page_kinds()
IDS = [kind for kind, _ in PAGE_KINDS]


def open_page(open_tab, site_server, kind: str, path: str, **options):
    tab = open_tab(javascript=kind != "find, no script", **options)
    tab.page.goto(site_server.url(path))
    if path.startswith("find/?"):
        tab.page.locator("#find-results:not([aria-busy])").wait_for(state="attached")
    return tab.page


def double_the_default_text_size(page) -> None:
    """As a person does in the browser's settings (Chromium: Settings, Appearance, Font size):
    the default font size, which rem and % sizes follow, through the DevTools protocol's
    Page.setFontSizes. Zooming would change the window's width in CSS pixels instead."""
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": DOUBLED, "fixed": 26}})


@pytest.mark.parametrize("kind, path", PAGE_KINDS, ids=IDS)
def test_nothing_scrolls_sideways_at_320_pixels_with_text_doubled(site_server, open_tab, kind, path):
    tab = open_tab(javascript=kind != "find, no script", width=320, height=640)
    page = tab.page
    double_the_default_text_size(page)
    page.goto(site_server.url(path))
    if path.startswith("find/?"):
        page.locator("#find-results:not([aria-busy])").wait_for(state="attached")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == f"{DOUBLED}px"
    page.locator("details").evaluate_all("groups => groups.forEach(group => { group.open = true; })")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], sideways_overflow(page)
    if kind == "home":
        record_figure("page width at 320 px with text at 200% (home)", f"{width[0]} px")


# --- tap targets ----------------------------------------------------------------------------

def _tap_targets(page) -> list[dict]:
    """The main actions on view: call and email links, the buttons and "Show N results"."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.summary-list a[href^="mailto:"], .summary-list a[href^="tel:"], .button, button, #find-show')]
      .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
      .map(el => { const r = el.getBoundingClientRect();
        return {what: el.id || el.getAttribute("href") || el.textContent.trim(), width: r.width, height: r.height}; })""")


def _tap_pages() -> list[str]:
    """Every provider page (each has its referral and safeguarding contacts), /find/ and a page
    with the header's search."""
    return ["find/", "lots/", *[f"providers/{p.slug}/" for p in sample.published()]]


@pytest.mark.parametrize("width", [320, 1280])
def test_main_actions_are_at_least_44_pixels_square(site_server, open_tab, width):
    page = open_tab(width=width, height=800).page
    smallest = None
    kinds = set()
    for path in _tap_pages():
        page.goto(site_server.url(path))
        targets = _tap_targets(page)
        assert targets, path
        for target in targets:
            kinds.add("email" if target["what"].startswith("mailto:") else
                      "call" if target["what"].startswith("tel:") else target["what"])
            assert target["width"] >= 44 and target["height"] >= 44, f"{path}: {target}"
            size = min(target["width"], target["height"])
            smallest = size if smallest is None else min(smallest, size)
    assert {"email", "call", "find-show", "Search"} <= kinds, kinds
    record_figure(f"smallest side of a main action at {width} px", f"{smallest:.0f} px")


def test_every_provider_referral_contact_is_measured(site):
    """The tap-target test finds each provider's referral email and phone among the summary lists."""
    for provider in sample.published():
        page = (site / "providers" / provider.slug / "index.html").read_text(encoding="utf-8")
        contact = provider.meta["contact"]["referrals"]
        for value in (contact.get("email"), contact.get("phone")):
            if value:
                assert re.search(rf'<dd><a href="(mailto|tel):[^"]*">{re.escape(value)}</a></dd>', page), value


# --- abbreviations --------------------------------------------------------------------------

def explanations() -> dict[str, set[str]]:
    """Each abbreviation in the glossary and what may stand beside it to explain it: its term, or
    its label where it is also a code of a vocabulary (a need such as SEMH)."""
    glossary = sample.glossary()
    labels = {code: label for vocabulary in sample.config()["vocabularies"].values()
              for code, label in vocabulary.items()}
    return {entry["abbr"]: {entry["term"], labels.get(entry["abbr"], entry["term"])}
            for entry in glossary if entry.get("abbr")}


def unexplained(text: str) -> list[str]:
    """Abbreviations whose first use in `text` is neither followed nor preceded by its meaning in
    brackets, nor followed by it inside the brackets it stands in ("(KS3, Key stage 3)"). A word
    joined to others by hyphens is part of a reference (FPS-AP-2023), not a use."""
    found = []
    for word, meanings in explanations().items():
        first = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
        if not first:
            continue
        after, before = text[first.end():], text[:first.start()].casefold().rstrip()
        if not any(after.startswith(f" ({meaning})") or before.endswith(f"{meaning} (".casefold())
                   or (before.endswith("(") and after.startswith(f", {meaning})")) for meaning in meanings):
            found.append(f"{word}: …{text[max(0, first.start() - 50):first.end() + 30]}…")
    return found


def shown_text(page) -> str:
    """The text on view, but for code: a value written exactly as a file holds it, not prose."""
    page.locator("code, pre").evaluate_all("all => all.forEach(el => { el.textContent = '…'; })")
    return page.locator("body").inner_text()


def _every_page(site) -> list[str]:
    base = sample.config()["site"]["base_url"]
    listed = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    return [address.removeprefix(base) for address in listed] + ["no-such-page/"]


def test_abbreviations_are_written_out_at_their_first_use_on_every_page(site, site_server, open_tab):
    page = open_tab().page
    checked = explained = 0
    problems = {}
    for path in _every_page(site):
        page.goto(site_server.url(path))
        for state in ("details closed", "details open"):
            if state == "details open":
                page.locator("details").evaluate_all("groups => groups.forEach(group => { group.open = true; })")
            text = shown_text(page)
            explained += sum(1 for word in explanations() if re.search(rf"(?<![\w-]){word}(?![\w-])", text))
            if unexplained(text):
                problems[f"{path} ({state})"] = unexplained(text)
        checked += 1
    assert not problems, problems
    assert explained, "no abbreviation found on any page: the test would prove nothing"
    record_figure("pages checked for abbreviations written out at first use", checked)


@pytest.mark.parametrize("kind, path", [(k, p) for k, p in PAGE_KINDS if k.startswith("find")],
                         ids=[k for k in IDS if k.startswith("find")])
def test_abbreviations_are_written_out_on_find_as_filtered_and_without_script(site_server, open_tab, kind, path):
    page = open_page(open_tab, site_server, kind, path)
    assert not unexplained(shown_text(page))
