"""Every kind of page in a real browser: axe-core (WCAG 2.2 AA) finds nothing, the skip link works
from the keyboard, and nothing scrolls sideways at 320 px or with text at 200% at 640 px."""
from __future__ import annotations

import re

import pytest
import sample
from browser import axe_violations, describe, record_figure
from conftest import TODAY


def _page_types() -> list[tuple[str, str]]:
    published = sample.published()
    active = next(p for p in published if p.meta["status"] == "active")
    paused = next(p for p in published if p.meta["status"] == "paused")
    # The checks' states and aged facts: a provider with checks due and not recorded, and one out of date.
    states = {p.slug: {state for _, _, state in sample.expected_checks(p, TODAY).values()} for p in published}
    checks_due = next(p for p in published if {"due", "not recorded"} <= states[p.slug])
    stale = next(p for p in published if sample.out_of_date(p, TODAY))
    lot = sample.lots()[0]
    area = published[0].meta["locations"][0]["area"].lower()
    need = published[0].meta["needs"][0].lower()
    pages = sorted(path.stem for path in (sample.REPO / "content" / "pages").glob("*.md") if path.stem != "index")
    return [
        ("home", ""),
        ("lots", "lots/"),
        ("a lot", f"lots/{lot.slug.removeprefix('lot-')}/"),
        ("provider, active", f"providers/{active.slug}/"),
        ("provider, paused", f"providers/{paused.slug}/"),
        ("provider, checks due and not recorded", f"providers/{checks_due.slug}/"),
        ("provider, out of date", f"providers/{stale.slug}/"),
        ("providers A to Z", "providers/"),
        ("glossary", "glossary/"),
        *[(f"page {slug}", f"{slug}/") for slug in pages],
        ("404", "no-such-page/"),
        ("find", "find/"),
        ("find, no script", "find/"),
        ("find with results", f"find/?q={published[0].meta['locations'][0]['postcode'].split()[0]}"),
        ("find, filtered", f"find/?area={area}&need={need}"),
        ("find, nothing found", "find/?q=zzzzqqq"),
        ("static filter page", f"find/need/{need}/"),
        ("open data", "data/"),
        ("what's changed", "changes/"),
        ("compare, empty", "compare/"),
        ("compare, full", "compare/?p=" + ",".join(p.slug for p in published[:5])),
    ]


PAGE_TYPES = _page_types()


def load(open_tab, site_server, kind: str, path: str, **tab_options):
    tab = open_tab(**tab_options)
    page = tab.page
    if kind == "find, no script":
        page.route(re.compile(r".*/assets/find\.js$"), lambda route: route.abort())
    page.goto(site_server.url(path))
    if path.startswith("compare/?"):
        page.locator("[data-pack-ready]").wait_for(state="attached")
    if path.startswith("find/"):
        if "?" in path:
            page.locator("#find-results:not([aria-busy])").wait_for(state="attached")
        # Every filter group open, so that its links or checkboxes are checked too.
        page.locator("details").evaluate_all("groups => groups.forEach(group => { group.open = true; })")
    return tab


@pytest.mark.parametrize("kind, path", PAGE_TYPES, ids=[kind for kind, _ in PAGE_TYPES])
def test_axe_finds_no_violations(site_server, open_tab, kind, path):
    tab = load(open_tab, site_server, kind, path)
    violations = axe_violations(tab.page)
    record_figure(f"axe violations, {kind}", len(violations))
    assert not violations, describe(violations)
    if kind not in ("404", "find, no script"):  # the 404 status itself and the blocked script are logged
        assert not tab.errors


@pytest.mark.parametrize("kind, path", PAGE_TYPES, ids=[kind for kind, _ in PAGE_TYPES])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(site_server, open_tab, kind, path):
    page = open_tab().page
    page.goto(site_server.url(path))
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        return {cls: document.activeElement.className, text: document.activeElement.textContent,
                onScreen: r.left >= 0 && r.top >= 0 && r.width > 0 && r.right <= innerWidth}; }""")
    assert focused["cls"] == "skip-link" and focused["text"] == "Skip to main content"
    assert focused["onScreen"], "the focused skip link is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def sideways_overflow(page) -> list[str]:
    """How far the page is wider than the window, and the elements that stick out."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && getComputedStyle(el).position !== "absolute";
      }).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className);
      return document.documentElement.scrollWidth > width ? [String(document.documentElement.scrollWidth), ...wide.slice(0, 8)] : [];
    }""")


@pytest.mark.parametrize("kind, path", PAGE_TYPES, ids=[kind for kind, _ in PAGE_TYPES])
def test_no_sideways_scrolling_at_320_pixels(site_server, open_tab, kind, path):
    page = load(open_tab, site_server, kind, path, width=320, height=640).page
    assert not sideways_overflow(page)


@pytest.mark.parametrize("kind, path", PAGE_TYPES, ids=[kind for kind, _ in PAGE_TYPES])
def test_text_at_200_percent_stays_readable_at_640_pixels(site_server, open_tab, kind, path):
    page = load(open_tab, site_server, kind, path, width=640, height=800).page
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == pytest.approx(2 * before)
    assert not sideways_overflow(page)


def test_no_page_type_is_missed(site):
    """Each template the build renders is among the page types above."""
    templates = {p.name for p in (sample.REPO / "templates").glob("*.html")} - {"base.html", "macros.html"}
    covered = {"home.html", "lots.html", "lot.html", "provider.html", "providers.html", "glossary.html",
               "page.html", "404.html", "find.html", "find_option.html", "data.html", "changes.html", "compare.html"}
    assert templates <= covered, templates - covered
