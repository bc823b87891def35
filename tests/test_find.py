"""Find a provider in a real browser: search, filters, shared addresses, keyboard only, and
without JavaScript. Every expected list is worked out from the content files (sample.py)."""
from __future__ import annotations

import json
import re
import statistics
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sample
from browser import record_figure, serve
from conftest import REPO, TODAY

# Is the focused element's focus visible? An outline or a box shadow drawn only on focus.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)" && style.outlineColor !== "transparent";
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || "").slice(0, 60),
          visible: outline || style.boxShadow !== "none"};
}"""


def wait_for_results(page) -> None:
    page.locator("#find-results:not([aria-busy])").wait_for(state="attached")


def shown(page) -> list[str]:
    """Slugs of the results on view, in order."""
    hrefs = page.locator("main .card-list > li:visible .card__title a").evaluate_all("as => as.map(a => a.href)")
    return [re.search(r"/providers/([a-z0-9-]+)/$", href)[1] for href in hrefs]


def open_group(page, key: str) -> None:
    group = page.locator(f"[data-filter-group={key}]")
    if group.get_attribute("open") is None:
        group.locator("summary").click()


def choose(page, key: str, value: str) -> None:
    open_group(page, key)
    page.locator(f"#filter-{key}-{value}").check()
    wait_for_results(page)


def slugs(docs) -> list[str]:
    return [doc.slug for doc in docs]


def counts_shown(page) -> dict[tuple[str, str], int]:
    found = page.locator("[data-filter-options] input[type=checkbox]").evaluate_all(
        "boxes => boxes.map(b => [b.name, b.value, b.labels[0].querySelector('[data-count]').textContent])")
    return {(key, value): int(text.strip("()")) for key, value, text in found}


def two_filters() -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """An area and a need whose providers overlap without being the same, and a second need:
    picked from the content, so the test keeps working when the content changes."""
    values = {}
    for provider in sample.published():
        for key, found in sample.filter_values(provider).items():
            values.setdefault(key, set()).update(found)
    pairs = []
    for area in sorted(values["area"]):
        for need in sorted(values["need"]):
            both = len(sample.matching({"area": [area], "need": [need]}))
            if 0 < both < len(sample.matching({"area": [area]})):
                pairs.append((both, area, need))
    assert pairs, "the sample needs an area and a need that overlap in part"
    _, area, need = max(pairs)
    more = [other for other in sorted(values["need"]) if other != need and
            len(sample.matching({"area": [area], "need": [need, other]})) > len(sample.matching({"area": [area], "need": [need]}))]
    assert more, "the sample needs a second need that adds providers"
    return ("area", area), ("need", need), ("need", more[0])


def test_typing_a_name_finds_the_provider_and_opens_its_page(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("find/"))
    timings = []
    for provider in sample.published():
        started = time.perf_counter()
        page.fill("#find-q", provider.meta["name"])
        wait_for_results(page)
        timings.append(time.perf_counter() - started)
        assert shown(page)[0] == provider.slug, f"searching {provider.meta['name']!r} shows {shown(page)}"
        assert page.locator("#find-status").inner_text().startswith(f"{len(shown(page))} provider")
    record_figure("typing to results, first search (includes loading Pagefind)", f"{timings[0] * 1000:.0f} ms")
    record_figure("typing to results, later searches (median, includes the 250 ms typing pause)",
                  f"{statistics.median(timings[1:]) * 1000:.0f} ms")
    target = sample.published()[-1]
    page.fill("#find-q", target.meta["name"])
    wait_for_results(page)
    links = page.locator("#find-results > li:visible .card__title a")
    assert all("#" not in href for href in links.evaluate_all("as => as.map(a => a.href)"))
    links.first.click()
    page.wait_for_url(re.compile(rf"/providers/{target.slug}/$"))
    assert page.locator("h1").inner_text() == target.meta["name"]
    assert not tab.errors


def test_search_finds_providers_by_postcode_place_subject_and_qualification(site_server, open_tab):
    page = open_tab().page
    page.goto(site_server.url("find/"))
    provider = next(p for p in sample.published() if any(o.get("qualifications") for o in p.meta["lots"])
                    and any(o.get("subjects") for o in p.meta["lots"]))
    offer = next(o for o in provider.meta["lots"] if o.get("qualifications"))
    subject = sample.config()["vocabularies"]["subjects"][next(o for o in provider.meta["lots"] if o.get("subjects"))["subjects"][0]]
    place = provider.meta["locations"][0]
    for term in (place["postcode"], place["postcode"].split()[0], place["address"][-1], subject, offer["qualifications"][0]):
        page.fill("#find-q", term)
        wait_for_results(page)
        assert provider.slug in shown(page), f"{term!r} does not find {provider.slug}"


def test_two_filters_leave_exactly_the_matching_providers_with_counts(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("find/"))
    (area_key, area), (need_key, need), (_, second_need) = two_filters()
    choose(page, area_key, area)
    assert shown(page) == slugs(sample.matching({"area": [area]}))
    choose(page, need_key, need)
    chosen = {"area": [area], "need": [need]}
    assert shown(page) == slugs(sample.matching(chosen))
    assert page.locator("#find-status").inner_text().startswith(f"{len(sample.matching(chosen))} provider")
    # Each count is what ticking that box would give: the other groups' choices apply, its own do not.
    for (key, value), count in counts_shown(page).items():
        others = {k: v for k, v in chosen.items() if k != key}
        assert count == len(sample.matching({**others, key: [value]})), f"count for {key}={value}"
    # OR within a group.
    choose(page, need_key, second_need)
    chosen = {"area": [area], "need": [need, second_need]}
    assert shown(page) == slugs(sample.matching(chosen))
    query = parse_qs(urlsplit(page.url).query)
    assert {key: sorted(values) for key, values in query.items()} == {key: sorted(v) for key, v in chosen.items()}
    assert not tab.errors


def test_a_shared_address_shows_the_same_search_and_filters(site_server, open_tab):
    page = open_tab().page
    page.goto(site_server.url("find/"))
    (area_key, area), (need_key, need), _ = two_filters()
    choose(page, area_key, area)
    choose(page, need_key, need)
    page.fill("#find-q", "school")
    wait_for_results(page)
    address, results, status = page.url, shown(page), page.locator("#find-status").inner_text()
    assert "q=school" in address

    other = open_tab(width=800).page  # a colleague's browser: no shared history or storage
    other.goto(address)
    wait_for_results(other)
    assert shown(other) == results
    assert other.locator("#find-status").inner_text() == status
    assert other.input_value("#find-q") == "school"
    assert other.locator(f"#filter-{area_key}-{area}").is_checked()
    assert other.locator(f"#filter-{need_key}-{need}").is_checked()
    checked = other.locator("[data-filter-options] input:checked").count()
    assert checked == 2


def test_search_from_another_page_then_filter_and_clear(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("lots/"))
    (area_key, area), _, _ = two_filters()
    term = sample.config()["vocabularies"]["areas"][area]
    page.fill("#header-search", term)
    page.press("#header-search", "Enter")
    page.wait_for_url(re.compile(r"/find/\?q="))
    wait_for_results(page)
    found = shown(page)
    in_area = slugs(sample.matching({"area": [area]}))
    assert set(in_area) <= set(found), f"searching {term!r} misses providers in that area"
    areas = sample.config()["vocabularies"]["areas"]
    for slug in found:
        doc = next(p for p in sample.published() if p.slug == slug)
        text = " ".join([str(doc.meta), doc.body, *(areas[place["area"]] for place in doc.meta["locations"])])
        missing = [word for word in term.casefold().split() if word not in text.casefold()]
        assert not missing, f"{slug} is found by {term!r} but does not mention {missing}"
    # A filter narrows the search results.
    lot = sample.filter_values(next(p for p in sample.published() if p.slug == found[0]))["lot"]
    lot_value = sorted(lot)[0]
    choose(page, "lot", lot_value)
    with_lot = set(slugs(sample.matching({"lot": [lot_value]})))
    assert shown(page) and set(shown(page)) == {slug for slug in found if slug in with_lot}
    # Clearing filters keeps the search words and moves focus to the filters.
    page.click("#find-clear")
    wait_for_results(page)
    assert sorted(shown(page)) == sorted(found)
    assert "lot=" not in page.url and "q=" in page.url
    assert page.evaluate("document.activeElement.id") == "filters-heading"
    assert page.locator("#find-clear").is_hidden()
    assert not tab.errors


def tab_to(page, selector: str, limit: int = 400) -> list[dict]:
    """Press Tab until `selector` has focus; return what had focus on the way, each with its focus style."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_STYLE))
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return seen
    pytest.fail(f"Tab never reached {selector}; it went through {[s['id'] or s['text'] for s in seen[-10:]]}")


def test_the_same_journey_with_the_keyboard_only(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    seen = []
    page.goto(site_server.url(""))
    target = sample.published()[2]
    seen += tab_to(page, "#header-search")
    page.keyboard.type(target.meta["name"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/find/\?q="))
    wait_for_results(page)
    assert shown(page)[0] == target.slug
    seen += tab_to(page, f"#find-results a[href$='/providers/{target.slug}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/providers/{target.slug}/$"))

    page.goto(site_server.url("find/"))
    (area_key, area), (need_key, need), _ = two_filters()
    for key, value in ((area_key, area), (need_key, need)):
        seen += tab_to(page, f"[data-filter-group={key}] > summary")
        page.keyboard.press("Enter")
        seen += tab_to(page, f"#filter-{key}-{value}")
        page.keyboard.press("Space")
        wait_for_results(page)
    assert shown(page) == slugs(sample.matching({"area": [area], "need": [need]}))
    first = shown(page)[0]
    seen += tab_to(page, f"#find-results a[href$='/providers/{first}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/providers/{first}/$"))
    invisible = [s for s in seen if not s["visible"] and s["tag"] != "body"]  # body: Tab wrapped round the page
    path = [(s["tag"], s["id"] or s["text"][:25]) for s in seen]
    assert not invisible, f"focus is not visible on {invisible}; the path was {path}"
    assert not tab.errors


def test_without_javascript_every_filter_is_a_link_to_a_static_list(site_server, open_tab):
    page = open_tab(javascript=False).page
    page.goto(site_server.url("about-the-framework/"))
    page.fill("#header-search", "anything")
    page.press("#header-search", "Enter")
    page.wait_for_url(re.compile(r"/find/\?q=anything"))
    assert sorted(shown(page)) == sorted(p.slug for p in sample.published())
    assert "Searching needs JavaScript" in page.locator("main").inner_text()
    assert page.locator("[data-filter-options]").first.is_hidden()
    (area_key, area), (need_key, need), _ = two_filters()
    vocabularies = sample.config()["vocabularies"]
    label = vocabularies["areas"][next(code for code in vocabularies["areas"] if code.lower() == area)]
    need_label = vocabularies["needs"][next(code for code in vocabularies["needs"] if code.lower() == need)]
    # Each entry of the full list carries its facts, enough to combine filters by reading.
    by_hand = [slug for slug in shown(page)
               if all(text in page.locator(f"#find-results > li:has(a[href$='/providers/{slug}/'])").inner_text()
                      for text in (label, need_label))]
    assert by_hand == slugs(sample.matching({"area": [area], "need": [need]}))
    open_group(page, area_key)
    page.locator(f"[data-filter-group={area_key}] [data-filter-links]").get_by_role("link", name=label, exact=True).click()
    page.wait_for_url(re.compile(rf"/find/{area_key}/{area}/$"))
    in_area = sample.matching({"area": [area]})
    assert shown(page) == slugs(in_area)
    assert f"{len(in_area)} provider" in page.locator("main").inner_text()
    need_group = page.locator("details", has=page.locator("summary", has_text=re.compile(r"^\s*Need\s*$")))
    need_group.locator("summary").click()
    need_group.get_by_role("link", name=need_label, exact=True).click()
    page.wait_for_url(re.compile(rf"/find/{need_key}/{need}/$"))
    assert shown(page) == slugs(sample.matching({"need": [need]}))


def test_when_pagefind_cannot_load_the_filters_still_work(site_server, open_tab):
    page = open_tab().page
    page.route(re.compile(r".*/pagefind/.*"), lambda route: route.abort())
    page.goto(site_server.url("find/"))
    page.fill("#find-q", sample.published()[0].meta["name"])
    wait_for_results(page)
    status = page.locator("#find-status").inner_text()
    assert "Searching for words is not working" in status
    assert sorted(shown(page)) == sorted(p.slug for p in sample.published())
    (area_key, area), _, _ = two_filters()
    choose(page, area_key, area)  # filtering needs no search index
    assert shown(page) == slugs(sample.matching({"area": [area]}))


def test_bytes_for_the_home_page_and_a_first_search(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    received: list[tuple[str, int]] = []

    def count(response):
        if response.url.endswith("/favicon.svg"):
            return  # the browser fetches the tab's icon when it has time, not for any one page
        try:
            received.append((response.url, len(response.body())))
        except Exception:
            pass

    page.context.on("response", count)
    page.goto(site_server.url(""), wait_until="networkidle")
    home = sum(size for _, size in received)
    assert home > 0
    received.clear()
    page.goto(site_server.url("find/"), wait_until="networkidle")
    find = sum(size for _, size in received)
    received.clear()
    page.fill("#find-q", sample.published()[0].meta["name"])
    wait_for_results(page)
    page.wait_for_load_state("networkidle")
    search = sum(size for _, size in received)
    record_figure("bytes for the home page (HTML and CSS)", f"{home:,}")
    record_figure("bytes for the find page before searching", f"{find:,}")
    record_figure("bytes for a first search (Pagefind script, worker, wasm, index, fragments)",
                  f"{search:,} in {len(received)} requests")
    assert all("/pagefind/" in url for url, _ in received), "a search fetches only the index"
    assert not tab.errors


def test_a_search_covers_every_part_of_the_index(tmp_path, monkeypatch, open_tab):
    """At scale the index is written in parts (bounded memory); find.js merges them. With parts of
    five providers, each provider is still found by its name."""
    from apdirectory import pipeline
    from apdirectory.publishing import search_index

    monkeypatch.setattr(search_index, "PART_SIZE", 5)
    checked, directory = pipeline.build(REPO, tmp_path / "_site", today=TODAY)
    assert directory is not None, checked.problems
    published = sample.published()
    parts = json.loads((tmp_path / "_site" / "pagefind" / "parts.json").read_text())
    assert parts == [str(n) for n in range(1, -(-len(published) // 5) + 1)]
    prefix = urlsplit(sample.config()["site"]["base_url"]).path or "/"
    server, handle = serve(tmp_path / "_site", prefix)
    try:
        tab = open_tab()
        tab.page.goto(handle.url("find/"))
        for provider in published:
            tab.page.fill("#find-q", provider.meta["name"])
            wait_for_results(tab.page)
            assert provider.slug in shown(tab.page), f"{provider.meta['name']!r} is not found"
        assert not tab.errors
    finally:
        server.shutdown()
        server.server_close()
