"""Right answers for a school, in a real browser: filters that one and the same offer must meet,
search in the words people use, what decides a placement on the list, sorting, and the phone and
keyboard journeys. Every expected result is worked out here from the content files (sample.py)."""
from __future__ import annotations

import functools
import itertools
import re
import time
from urllib.parse import urlencode

import pytest
import sample
from browser import axe_violations, describe, record_figure
from conftest import TODAY
from test_find import FOCUS_STYLE, choose, shown, slugs, wait_for_results


def find_address(filters: dict[str, list[str]], **extra: str) -> str:
    pairs = [(key, value) for key, values in filters.items() for value in values] + list(extra.items())
    return "find/?" + urlencode(pairs)


@functools.lru_cache(maxsize=None)
def values_in(key: str) -> list[str]:
    found = set()
    for provider in sample.published():
        found |= sample.filter_values(provider)[key]
    return sorted(found, key=lambda value: (len(value), value))


def lot_value(number: int) -> str:
    return next(lot.slug.removeprefix("lot-") for lot in sample.lots() if lot.meta["number"] == number)


def combinations() -> list[dict[str, list[str]]]:
    """The examples from the issue, and pairings of an offer group with another group's values where
    the offer rule and the old any-offer rule disagree: a provider the old rule would list wrongly."""
    examples = [
        {"lot": [lot_value(4)], "age": ["13"]},
        {"attendance": ["part-time"], "age": ["15"], "area": ["bury-east"]},
        {"lot": [lot_value(3)], "stage": ["ks4"]},
        {"lot": [lot_value(1)], "mode": ["online"]},
    ]
    lot_files = {lot.meta["number"]: lot for lot in sample.lots()}
    providers = [(sample.provider_values(p), [sample.offer_values(o, lot_files) for o in p.meta["lots"]])
                 for p in sample.published()]

    def rules(first, a, second, b):
        """(providers the offer rule lists, providers the old any-offer rule lists)."""
        new = old = 0
        for whole, offers in providers:
            def has(key, value, offer):
                return value in (offer[key] if key in sample.OFFER_KEYS else whole[key])
            new += any(has(first, a, o) and has(second, b, o) for o in offers)
            old += any(has(first, a, o) for o in offers) and any(has(second, b, o) for o in offers)
        return new, old

    found = []
    for first, second in itertools.combinations(("lot", "attendance", "stage", "age", "day", "hours", "mode",
                                                 "subject", "area"), 2):
        for a, b in itertools.product(values_in(first), values_in(second)):
            new, old = rules(first, a, second, b)
            if new != old:
                found.append({first: [a], second: [b]})
    assert len(found) >= 20, "the sample needs providers whose offers differ"
    step = max(1, len(found) // 40)
    return examples + found[::step]


COMBINATIONS = combinations()


def visible_offers(page) -> dict[str, list[str]]:
    """Slug -> the titles of the offers on view in its card."""
    found = page.locator("#find-results > li:visible").evaluate_all("""cards => Object.fromEntries(cards.map(card =>
        [card.dataset.card, [...card.querySelectorAll('[data-offer]')].filter(o => !o.hidden)
          .map(o => o.querySelector('.offer__title').textContent)]))""")
    return {slug: [sample.without_meanings(title) for title in titles] for slug, titles in found.items()}


def offer_title(offer: dict) -> str:
    lot = next(lot for lot in sample.lots() if lot.meta["number"] == offer["lot"])
    return f"Lot {lot.meta['number']}: {lot.meta['title']}"


def test_the_examples_in_the_issue_now_give_the_right_answer():
    """Worked out from the content alone: lot 4 with age 13 is nobody, whatever the old rule said."""
    assert sample.matching({"lot": [lot_value(4)], "age": ["13"]}) == []
    old_rule = [p for p in sample.published() if {lot_value(4)} <= sample.filter_values(p)["lot"]
                and "13" in sample.filter_values(p)["age"]]
    assert old_rule, "the sample has providers the old rule listed for lot 4 and age 13"


def test_filters_list_a_provider_only_when_one_offer_meets_them_all(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    timings = []
    for filters in COMBINATIONS:
        started = time.perf_counter()
        page.goto(site_server.url(find_address(filters)))
        wait_for_results(page)
        timings.append(time.perf_counter() - started)
        expected = sample.matching(filters)
        assert shown(page) == slugs(expected), filters
        status = page.locator("#find-status").inner_text()
        assert status.startswith(f"{len(expected)} provider") if expected else status.startswith("No providers"), status
        offers = visible_offers(page)
        for provider in expected:
            matched = [offer_title(provider.meta["lots"][i]) for i in sample.matched_offers(provider, filters)]
            assert offers[provider.slug] == matched, (filters, provider.slug)
    record_figure("filter combinations checked in the browser", len(COMBINATIONS))
    median = sorted(timings)[len(timings) // 2]
    record_figure("opening a filtered address to results (median)", f"{median * 1000:.0f} ms")
    assert not tab.errors


def test_each_count_is_what_choosing_that_option_would_list(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    chosen = {"attendance": ["part-time"], "age": ["15"], "need": [values_in("need")[0]]}
    page.goto(site_server.url(find_address(chosen)))
    wait_for_results(page)
    counts = page.locator("[data-filter-options] input[type=checkbox]").evaluate_all(
        "boxes => boxes.map(b => [b.name, b.value, b.labels[0].querySelector('[data-count]').textContent])")
    assert len(counts) > 40
    for key, value, text in counts:
        others = {k: v for k, v in chosen.items() if k != key}
        assert int(text.strip("()")) == len(sample.matching({**others, key: [value]})), f"count for {key}={value}"
    # Ticking a box in an offer group lists what its count said.
    key, value, text = next((k, v, t) for k, v, t in counts if k == "day" and t != "(0)")
    choose(page, key, value)
    assert len(shown(page)) == len(sample.matching({**chosen, key: [value]})) == int(text.strip("()"))
    assert not tab.errors


def test_a_day_of_the_week_filter_and_an_hours_filter(site_server, open_tab):
    page = open_tab().page
    days = [day for day in values_in("day") if 0 < len(sample.matching({"day": [day]})) < len(sample.published())]
    assert days, "the sample needs a day that some providers do not teach"
    for day in days:
        page.goto(site_server.url(find_address({"day": [day]})))
        wait_for_results(page)
        assert shown(page) == slugs(sample.matching({"day": [day]})), day
    for hours in values_in("hours"):
        page.goto(site_server.url(find_address({"hours": [hours], "day": [days[0]]})))
        wait_for_results(page)
        assert shown(page) == slugs(sample.matching({"hours": [hours], "day": [days[0]]})), hours


def searchable_text(provider) -> str:
    return " ".join(str(leaf) for leaf in sample.leaves({k: v for k, v in provider.meta.items()
                                                         if k not in ("internal", "contact")})) + provider.body


def test_search_finds_a_code_by_its_label_and_the_words_people_use(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("find/"))
    config = sample.config()
    words = config["find"]["search_words"]
    assert set(words["needs"]) == set(config["vocabularies"]["needs"]), "every need has other words"
    assert set(words["reasons"]) == set(config["vocabularies"]["reasons"]), "every reason has other words"
    for vocabulary, field in (("needs", "needs"), ("reasons", "reasons")):
        for code, others in words[vocabulary].items():
            having = {p.slug for p in sample.published() if code in p.meta[field]}
            for term in (code, config["vocabularies"][vocabulary][code], others[0], others[-1]):
                page.fill("#find-q", term)
                wait_for_results(page)
                assert having <= set(shown(page)), f"{term!r} misses {sorted(having - set(shown(page)))}"
    for term, code in (("autism", "ASD"), ("autistic", "ASD"), ("ASC", "ASD")):
        page.fill("#find-q", term)
        wait_for_results(page)
        assert set(shown(page)) == {p.slug for p in sample.published() if code in p.meta["needs"]
                                    or term.lower() in searchable_text(p).lower()}
    page.fill("#find-q", "school avoidance")
    wait_for_results(page)
    assert {p.slug for p in sample.published() if "ebsa" in p.meta["reasons"]} <= set(shown(page))
    assert not tab.errors


@pytest.mark.parametrize("query", ["forest school", "zzqx", "school forest"])
def test_words_that_match_nothing_say_so_and_offer_a_way_on(site_server, open_tab, query):
    missing = [word for word in query.split() if all(word not in searchable_text(p).lower()
                                                     for p in sample.published())]
    assert missing, f"{query!r} has a word no provider uses"
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url(find_address({"need": [values_in("need")[0]]}, q=query)))
    wait_for_results(page)
    assert shown(page) == []
    assert page.locator("#find-status").inner_text() == f"No providers match “{query}”."
    assert page.input_value("#find-q") == query
    clear = page.get_by_role("link", name="Clear the search")
    assert clear.is_visible()
    page.get_by_role("link", name="Browse the lots").wait_for()
    clear.click()
    page.wait_for_url(re.compile(r"/find/\?need="))
    wait_for_results(page)
    assert page.input_value("#find-q") == ""
    assert shown(page) == slugs(sample.matching({"need": [values_in("need")[0]]}))
    assert not tab.errors


def misspelt(name: str) -> str:
    """The name's longest word with one vowel changed: Kestrel -> Kestral."""
    word = max(name.split(), key=len)
    at = max(i for i, letter in enumerate(word) if letter in "aeiou")
    wrong = word[:at] + ("a" if word[at] != "a" else "e") + word[at + 1:]
    return wrong


def test_a_misspelt_name_gets_did_you_mean(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("find/"))
    for provider in sample.published()[::4]:
        name = provider.meta["name"]
        typed = misspelt(name)
        assert all(typed.lower() not in searchable_text(p).lower() for p in sample.published())
        page.fill("#find-q", typed)
        wait_for_results(page)
        assert page.locator("#find-status").inner_text() == f"No providers match “{typed}”."
        suggestion = page.locator("#find-suggestion")
        assert suggestion.inner_text() == f"Did you mean {name}?", typed
    suggestion.get_by_role("link").click()
    wait_for_results(page)
    assert shown(page)[0] == provider.slug
    assert not tab.errors


def hourly(offer: dict) -> float | None:
    price = offer.get("price")
    if not price:
        return None
    if price["per"] == "hour":
        return price["amount"]
    if price["per"] == "week":
        return price["amount"] / offer["hours_per_week"]
    return None


def expected_order(filters: dict, sort: str) -> list[str]:
    found = sample.matching(filters)  # A to Z

    def key(provider):
        offers = [provider.meta["lots"][i] for i in sample.matched_offers(provider, filters)]
        if sort == "vacancies":
            # Vacancies counted too long ago may have changed: they never count as current.
            known = [o["vacancies"]["count"] for o in offers
                     if o.get("vacancies") and sample.vacancies_current(o["vacancies"], TODAY)]
            return (not known, -sum(known))
        if sort == "checked":
            return (False, -provider.meta["last_reviewed"].toordinal())
        if sort == "price":
            known = [h for o in offers if (h := hourly(o)) is not None]
            return (not known, min(known, default=0))
        return (False, 0)
    return [p.slug for p in sorted(found, key=key)]  # sorted() is stable: ties stay A to Z


@pytest.mark.parametrize("filters", [{}, {"attendance": ["part-time"]}, {"age": ["14"], "mode": ["in-person"]}],
                         ids=["everyone", "part-time", "age 14 in person"])
def test_sorting_by_vacancies_last_checked_and_price_per_hour(site_server, open_tab, filters):
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url(find_address(filters)))
    wait_for_results(page)
    for sort in ("vacancies", "checked", "price", "name"):
        page.select_option("#find-sort", sort)
        wait_for_results(page)
        assert shown(page) == expected_order(filters, sort), sort
        assert (f"sort={sort}" in page.url) == (sort != "name")
    page.select_option("#find-sort", "price")
    wait_for_results(page)
    without = sum(1 for p in sample.matching(filters)
                  if all(hourly(p.meta["lots"][i]) is None for i in sample.matched_offers(p, filters)))
    note = page.locator("#find-sort-note").inner_text()
    assert "weekly price divided by the hours a week" in note
    assert (f"{without} provider" in note) if without else "listed after" not in note
    assert not tab.errors


def test_a_card_shows_what_decides_a_placement_for_each_matched_offer(site_server, open_tab):
    page = open_tab().page
    filters = {"attendance": ["part-time"]}
    page.goto(site_server.url(find_address(filters)))
    wait_for_results(page)
    areas = sample.config()["vocabularies"]["areas"]
    for provider in sample.matching(filters):
        card = page.locator(f"#find-results > li[data-card='{provider.slug}']")
        text = " ".join(card.inner_text().split())
        for index in sample.matched_offers(provider, filters):
            offer = provider.meta["lots"][index]
            assert f"Ages {offer['ages']['min']} to {offer['ages']['max']}" in text
            assert f"{offer['hours_per_week']:g} hour" in text
            if offer.get("price"):
                assert f"£{offer['price']['amount']:,.2f}".removesuffix(".00") in text
            if offer.get("vacancies"):
                assert f"{offer['vacancies']['count']} vacanc" in text
                as_of = offer["vacancies"]["as_of"]
                assert f"{as_of.day} {as_of:%B %Y}" in text
                current = sample.vacancies_current(offer["vacancies"], TODAY)
                assert (f"{as_of.day} {as_of:%B %Y} (may have changed)" in text) == (not current)
        for place in provider.meta["locations"]:
            assert areas[place["area"]] in text
        referrals = card.locator(".facts__row", has=page.locator("dt", has_text="Taking referrals")).locator("dd")
        assert (referrals.inner_text() == "Yes") == (provider.meta["status"] == "active")


def test_on_a_phone_the_count_stays_in_view_and_show_results_moves_focus(site_server, open_tab):
    tab = open_tab(width=320, height=640, has_touch=True, is_mobile=True)
    page = tab.page
    page.goto(site_server.url("find/"))
    page.locator("[data-filter-group=age] summary").tap()
    box = page.locator("#filter-age-15")
    box.scroll_into_view_if_needed()
    box.tap()
    wait_for_results(page)
    expected = len(sample.matching({"age": ["15"]}))
    show = page.locator("#find-show")
    assert show.inner_text() == f"Show {expected} results"
    rect = show.bounding_box()
    assert rect["y"] >= 0 and rect["y"] + rect["height"] <= 640, f"Show results is off screen at {rect}"
    assert rect["height"] >= 44
    show.tap()
    assert page.evaluate("document.activeElement.id") == "results-heading"
    heading = page.locator("#results-heading").bounding_box()
    assert -1 <= heading["y"] < 640
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert not tab.errors


def test_a_keyboard_user_reaches_the_results_in_a_few_key_presses(site_server, open_tab):
    tab = open_tab()
    page = tab.page
    provider = sample.published()[-1]  # six filters taken from one of its offers, so that it is found
    lot_files = {lot.meta["number"]: lot for lot in sample.lots()}
    offer = sample.offer_values(provider.meta["lots"][0], lot_files)
    whole = sample.provider_values(provider)
    six = {key: [sorted(values)[0]] for key, values in {**offer, **whole}.items()
           if key in ("attendance", "age", "mode", "day", "need", "reason")}
    expected = slugs(sample.matching(six))
    assert len(six) == 6 and provider.slug in expected
    page.goto(site_server.url(find_address(six)))
    wait_for_results(page)
    page.focus("#find-q")
    presses, seen = 0, []
    while page.evaluate("document.activeElement.id") != "find-skip":
        page.keyboard.press("Tab")
        presses += 1
        seen.append(page.evaluate(FOCUS_STYLE))
        assert presses < 10, f"Skip to results is not near the search box: {seen}"
    page.keyboard.press("Enter")
    presses += 1
    assert page.evaluate("document.activeElement.id") == "results-heading"
    while not page.evaluate("document.activeElement.matches('#find-results a')"):
        page.keyboard.press("Tab")
        presses += 1
        seen.append(page.evaluate(FOCUS_STYLE))
        assert presses < 12
    assert page.evaluate("document.activeElement.href").endswith(f"/providers/{expected[0]}/")
    assert all(step["visible"] for step in seen), seen
    record_figure("key presses from the search box to the first result, six filters set", presses)
    assert not tab.errors


@pytest.mark.parametrize("address", [
    "find/?attendance=part-time&age=15&sort=price",
    "find/?q=zzqx",
    f"find/?q={misspelt(sample.published()[0].meta['name'])}",
    "find/?lot=4-vocational&age=13",
], ids=["sorted by price", "no match", "did you mean", "nothing meets the filters"])
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_nothing_in_the_new_states(site_server, open_tab, address, width):
    tab = open_tab(width=width)
    page = tab.page
    page.goto(site_server.url(address))
    wait_for_results(page)
    page.locator("details").evaluate_all("groups => groups.forEach(group => { group.open = true; })")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert not tab.errors
