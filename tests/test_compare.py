"""The shortlist, the compare page and the printed pack, in Chromium on the built site, checked
against the content files (read by tests/sample.py, not by the build)."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections import Counter

import pytest
import sample
from browser import axe_violations, describe, record_figure
from playwright.sync_api import expect
from test_accessibility import sideways_overflow

from apdirectory.site.present import COMPARE_MOST

PER = {"hour": "an hour", "session": "a session", "day": "a day", "week": "a week", "term": "a term"}


def date_text(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def three() -> list[sample.Doc]:
    """Three providers that between them have a weekly price, vacancies and a paused status."""
    published = sample.published()
    wanted = [
        next(p for p in published if any(o.get("price", {}).get("per") == "week" for o in p.meta["lots"])),
        next(p for p in published if any("vacancies" in o for o in p.meta["lots"])),
        next(p for p in published if p.meta["status"] == "paused"),
    ]
    chosen = list({p.slug: p for p in wanted}.values())
    chosen += [p for p in published if p not in chosen][:3 - len(chosen)]
    return chosen


def compare_url(site_server, providers) -> str:
    return site_server.url("compare/?p=" + ",".join(p.slug for p in providers))


def open_compare(open_tab, site_server, providers, **options):
    tab = open_tab(**options)
    tab.page.goto(compare_url(site_server, providers))
    tab.page.locator("[data-pack-ready]").wait_for(state="attached")
    return tab


def read_table(page) -> dict[str, dict[str, list[str]]]:
    """{group: {row header (without its "Differs" mark): [each provider's cell, lines joined by \\n]}}"""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#compare-table tbody")].map(body => {
        const [heading, ...rows] = body.rows;
        return [heading.cells[0].textContent, Object.fromEntries(rows.map(tr =>
          [tr.cells[0].firstChild.textContent, [...tr.cells].slice(1).map(td => td.innerText.trim())]))];
      }))""")


def column_names(page) -> list[str]:
    return page.locator("#compare-table thead th a").all_inner_texts()


def shortlist_count(page) -> str:
    return page.locator("[data-shortlist-count]").inner_text()


# --- the files the compare page reads --------------------------------------------------------

def test_each_provider_has_its_providers_json_record_in_a_file_of_its_own(site):
    document = json.loads((site / "data/providers.json").read_text(encoding="utf-8"))
    files = sorted(path.stem for path in (site / "data/providers").glob("*.json"))
    assert files == sorted(p.slug for p in sample.published())
    for record in document["providers"]:
        alone = json.loads((site / f"data/providers/{record['slug']}.json").read_text(encoding="utf-8"))
        assert alone == record


def test_a_providers_file_validates_against_the_provider_part_of_the_schema(site):
    from jsonschema import Draft202012Validator

    schema = json.loads((site / "data/providers.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/provider"})
    for path in (site / "data/providers").glob("*.json"):
        errors = [error.message for error in validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))]
        assert not errors, (path.name, errors)


# --- the shortlist -----------------------------------------------------------------------------

def test_the_shortlist_follows_you_across_pages_and_after_a_reload(site_server, open_tab):
    first, second = sample.published()[:2]
    tab = open_tab()
    page = tab.page
    page.goto(site_server.url("providers/"))
    assert shortlist_count(page) == "0"
    page.locator(f"[data-shortlist='{first.slug}']").click()
    expect(page.locator("#shortlist-status")).to_have_text(
        f"{first.meta['name']} added to your shortlist. 1 provider on your shortlist.")

    page.goto(site_server.url(f"providers/{second.slug}/"))
    button = page.locator(f"main [data-shortlist='{second.slug}']")
    expect(button).to_have_text(f"Add to shortlist: {second.meta['name']}")
    button.click()
    expect(button).to_have_text(f"Remove from shortlist: {second.meta['name']}")
    assert shortlist_count(page) == "2"

    page.goto(site_server.url("find/"))
    card_button = page.locator(f"#find-results [data-shortlist='{first.slug}']")
    expect(card_button).to_have_text(f"Remove from shortlist: {first.meta['name']}")
    page.reload()
    assert shortlist_count(page) == "2"
    card_button.click()
    assert shortlist_count(page) == "1"
    expect(page.locator("#shortlist-status")).to_have_text(
        f"{first.meta['name']} removed from your shortlist. 1 provider on your shortlist.")

    page.get_by_role("link", name="Your shortlist (1)").click()
    page.locator("[data-pack-ready]").wait_for(state="attached")
    assert column_names(page) == [second.meta["name"]]
    assert page.url.endswith(f"compare/?p={second.slug}")
    page.get_by_role("button", name="Clear the shortlist").click()
    expect(page.locator("#compare-empty")).to_be_focused()
    assert shortlist_count(page) == "0"
    assert "kept in this browser only" in page.locator("main").inner_text()
    assert tab.page.context.cookies() == []
    assert not tab.errors


def test_the_shortlist_holds_as_many_as_the_compare_page_shows(site_server, open_tab):
    page = open_tab().page
    page.goto(site_server.url("providers/"))
    providers = sample.published()
    for p in providers[:COMPARE_MOST + 1]:
        page.locator(f"[data-shortlist='{p.slug}']").click()
    assert shortlist_count(page) == str(COMPARE_MOST)
    expect(page.locator("#shortlist-status")).to_contain_text(f"Your shortlist is full: it holds up to {COMPARE_MOST}")


def test_removing_a_column_removes_it_from_the_shortlist_and_the_address(site_server, open_tab):
    providers = three()
    page = open_tab().page
    page.goto(site_server.url("providers/"))
    for p in providers:
        page.locator(f"[data-shortlist='{p.slug}']").click()
    page.goto(site_server.url("compare/"))
    page.locator("[data-pack-ready]").wait_for(state="attached")
    page.get_by_role("button", name=f"Remove {providers[0].meta['name']}").click()
    expect(page.locator("#compare-table thead th a")).to_have_count(2)
    assert shortlist_count(page) == "2"
    assert page.url.endswith("compare/?p=" + ",".join(p.slug for p in providers[1:]))
    assert page.evaluate("document.activeElement.id") == "compare-scroll"


def test_without_javascript_there_is_no_shortlist_and_the_compare_page_says_why(site_server, open_tab):
    page = open_tab(javascript=False).page
    page.goto(site_server.url(f"providers/{sample.published()[0].slug}/"))
    assert not page.locator("[data-shortlist]").first.is_visible()
    assert not page.locator("[data-shortlist-nav]").is_visible()
    page.goto(compare_url(site_server, three()))
    assert "Comparing providers needs JavaScript" in page.locator("main").inner_text()
    assert page.locator("main").get_by_role("link", name="providers A to Z").get_attribute("href") == "../providers/"
    assert not page.locator("[data-compare]").is_visible()


# --- the comparison ----------------------------------------------------------------------------

def expected_table(providers: list[sample.Doc]) -> dict[str, dict[str, list[str]]]:
    """Some of the table's rows, worked out from the content files."""
    vocab = sample.config()["vocabularies"]
    lots = {lot.meta["number"]: lot.meta["title"] for lot in sample.lots()}

    def contact(c):
        return "\n".join(value for value in (c["name"], c.get("phone"), c.get("email")) if value)

    def price(offer):
        if "price" not in offer:
            return "Not given"
        amount, per = offer["price"]["amount"], offer["price"]["per"]
        text = f"£{amount:,.2f}".removesuffix(".00") + f" {PER[per]}"
        return text + (f" (£{round(amount / offer['hours_per_week'], 2):,.2f} an hour)" if per == "week" else "")

    table = {
        "The provider": {
            "Taking referrals": ["No, not at the moment" if p.meta["status"] == "paused" else "Yes" for p in providers],
            "Needs they can meet": ["\n".join(f"{vocab['needs'][code]} ({code})" for code in p.meta["needs"])
                                    for p in providers],
        },
        "Registration and inspection": {
            "DfE URN (unique reference number)": [p.meta["registration"].get("dfe_urn", "None") for p in providers],
            "Last inspected by Ofsted": [date_text(p.meta["registration"].get("last_inspected")) or "Not inspected"
                                         for p in providers],
        },
        "Contacts and this entry": {
            "Referrals": [contact(p.meta["contact"]["referrals"]) for p in providers],
            "Designated safeguarding lead": [contact(p.meta["contact"]["safeguarding_lead"]) for p in providers],
            "Last checked by the council": [date_text(p.meta["last_reviewed"]) for p in providers],
        },
    }
    for number in sorted({offer["lot"] for p in providers for offer in p.meta["lots"]}):
        offers = [next((o for o in p.meta["lots"] if o["lot"] == number), None) for p in providers]
        absent = "Not on this lot"
        table[f"Lot {number}: {lots[number]}"] = {
            "Ages": [f"{o['ages']['min']} to {o['ages']['max']}" if o else absent for o in offers],
            "Key stages": [join_words(o["key_stages"]) if o else absent for o in offers],
            "Price": [price(o) if o else absent for o in offers],
            "Places": [str(o["places"]) if o and "places" in o else ("Not given" if o else absent) for o in offers],
            "Vacancies": [f"{o['vacancies']['count']} (as of {date_text(o['vacancies']['as_of'])})"
                          if o and "vacancies" in o else ("Not given" if o else absent) for o in offers],
        }
    return table


def test_the_table_shows_what_the_content_files_say(site_server, open_tab):
    providers = three()
    tab = open_compare(open_tab, site_server, providers)
    page = tab.page
    assert column_names(page) == [p.meta["name"] for p in providers]
    table = read_table(page)
    for group, rows in expected_table(providers).items():
        assert group in table, (group, list(table))
        for label, cells in rows.items():
            assert table[group][label] == cells, (group, label)
    assert page.locator("#compare-table caption").inner_text() == (
        "Comparing " + ", ".join(p.meta["name"] for p in providers[:-1]) + " and " + providers[-1].meta["name"])
    assert page.locator("#compare-table thead th[scope=col]").count() == len(providers)
    assert page.locator("#compare-table tbody th[scope=row]").count() > 20
    assert not tab.errors


def test_rows_that_differ_are_marked_and_can_be_shown_alone(site_server, open_tab):
    page = open_compare(open_tab, site_server, three()[:2]).page
    rows = page.locator("#compare-table tbody tr.compare__row")
    marked = [row.inner_text() for row in rows.all() if row.locator(".tag--differs").count()]
    assert 0 < len(marked) < rows.count()
    page.get_by_label("Show only the rows where the providers differ").check()
    visible = [row for row in rows.all() if row.is_visible()]
    assert len(visible) == len(marked)
    assert all(row.locator(".tag--differs").inner_text() == "Differs" for row in visible)


def test_the_share_link_opens_the_same_comparison_in_a_fresh_browser(site_server, open_tab):
    providers = three()
    tab = open_compare(open_tab, site_server, providers)
    page = tab.page
    assert shortlist_count(page) == "0"  # nothing shortlisted in this browser
    assert column_names(page) == [p.meta["name"] for p in providers]
    page.get_by_role("button", name="Save these as my shortlist").click()
    assert shortlist_count(page) == str(len(providers))
    assert not tab.errors


def test_copy_link_copies_the_address_of_the_comparison(site_server, open_tab):
    providers = three()
    tab = open_tab(permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    page.goto(compare_url(site_server, providers))
    page.locator("[data-pack-ready]").wait_for(state="attached")
    page.get_by_role("button", name="Copy link to this comparison").click()
    expect(page.locator("#compare-status")).to_contain_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == compare_url(site_server, providers)


def test_unknown_names_in_the_link_get_a_message_and_no_more_than_five_are_compared(site_server, open_tab):
    published = sample.published()
    names = [published[0].slug, "no-such-provider", "<b>bold</b>", *[p.slug for p in published[1:8]]]
    page = open_tab().page
    page.goto(site_server.url("compare/?p=" + ",".join(names)))
    page.locator("[data-pack-ready]").wait_for(state="attached")
    problems = page.locator("#compare-problems")
    assert "“no-such-provider”" in problems.inner_text() and "“<b>bold</b>”" in problems.inner_text()
    assert problems.locator("b").count() == 0  # shown as text, never as markup
    assert f"Only the first {COMPARE_MOST} are compared" in problems.inner_text()
    valid = [slug for slug in names if re.fullmatch(r"[a-z0-9-]+", slug)][:COMPARE_MOST]
    known = {p.slug: p.meta["name"] for p in published}
    assert column_names(page) == [known[slug] for slug in valid if slug in known]


@pytest.mark.parametrize("state", ["empty", "full", "full at 320 pixels"])
def test_axe_finds_nothing_on_the_compare_page(site_server, open_tab, state):
    width = 320 if "320" in state else 1280
    if state == "empty":
        tab = open_tab(width=width)
        tab.page.goto(site_server.url("compare/"))
        expect(tab.page.locator("#compare-empty")).to_be_visible()
    else:
        tab = open_compare(open_tab, site_server, sample.published()[:COMPARE_MOST], width=width)
        tab.page.get_by_label("Show only the rows where the providers differ").check()
    violations = axe_violations(tab.page)
    record_figure(f"axe violations, compare page {state}", len(violations))
    assert not violations, describe(violations)
    assert not tab.errors


def test_at_320_pixels_only_the_table_scrolls_sideways(site_server, open_tab):
    page = open_compare(open_tab, site_server, three(), width=320, height=640).page
    assert not sideways_overflow(page)
    region = page.get_by_role("region", name=re.compile("^Comparing "))
    assert region.evaluate("el => el.scrollWidth > el.clientWidth && el.tabIndex === 0")
    region.focus()
    page.keyboard.press("ArrowRight")
    # The browser may scroll smoothly, a few frames after the key: wait for it (up to 5 s).
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5000)


def test_comparing_three_downloads_far_less_than_the_directory(site_server, open_tab):
    """The bytes the browser received to compare three providers, by what they were for."""
    page = open_compare(open_tab, site_server, three()).page
    sizes = page.evaluate("""() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
        .map(entry => [new URL(entry.name).pathname, entry.encodedBodySize])""")
    data = sum(size for path, size in sizes if "/data/providers/" in path)
    pages = sum(size for path, size in sizes if "/providers/" in path and "/data/" not in path)
    rest = sum(size for path, size in sizes) - data - pages
    assert not any(path.endswith("providers.json") for path, _ in sizes)
    assert data <= 50_000
    record_figure("bytes to compare three providers: their data files", data)
    record_figure("bytes to compare three providers: the compare page, its script and style", rest)
    record_figure("bytes to compare three providers: their pages, for the printed pack", pages)


# --- printing ----------------------------------------------------------------------------------

def pdf_text(pdf: bytes, tmp_path, page: int | None = None) -> str:
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(pdf: bytes, tmp_path) -> int:
    return pdf_text(pdf, tmp_path).count("\f")


def squeezed(text: str) -> str:
    """Without white space: pdftotext breaks a long address over lines."""
    return re.sub(r"\s+", "", text)


def addresses(p: sample.Doc) -> Counter:
    """Every web, e-mail and postal address a provider's page shows, with how often the content
    gives it (two locations may share a postal address)."""
    meta = p.meta
    found = [meta["organisation"].get("website"), meta["registration"].get("ofsted_report"),
             meta["contact"]["referrals"].get("email"), meta["contact"]["safeguarding_lead"].get("email")]
    found += ["".join([*place["address"], place["postcode"]]) for place in meta["locations"]]
    return Counter(value for value in found if value)


@pytest.mark.parametrize("provider", sample.published(), ids=lambda p: p.slug)
def test_a_provider_page_prints_on_two_pages_with_its_contacts_first(site_server, open_tab, tmp_path, provider):
    page = open_tab(javascript=False).page
    page.goto(site_server.url(f"providers/{provider.slug}/"))
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    count = pdf_pages(pdf, tmp_path)
    record_figure(f"pages printed, {provider.slug}", count)
    assert count <= 2
    first = squeezed(pdf_text(pdf, tmp_path, 1))
    referrals, lead = provider.meta["contact"]["referrals"], provider.meta["contact"]["safeguarding_lead"]
    assert squeezed(referrals.get("phone") or referrals["email"]) in first
    assert squeezed(lead["name"]) in first and squeezed(lead["phone"]) in first
    text = pdf_text(pdf, tmp_path)
    whole = squeezed(text)
    for address, given in addresses(provider).items():
        assert whole.count(squeezed(address)) == given, address
    for furniture in ("Skip to main content", "Search providers", "On this page", "Add to shortlist"):
        assert furniture not in text


def test_the_compare_page_prints_a_dated_pack(site_server, open_tab, tmp_path):
    providers = three()
    page = open_compare(open_tab, site_server, providers).page
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    first = pdf_text(pdf, tmp_path, 1)
    lines = [line for line in first.splitlines() if line.strip()]
    today = dt.date.today()
    site = sample.config()["site"]
    assert squeezed(" ".join(lines[:2])).startswith(
        squeezed(f"Printed on {date_text(today)} from {site['council']}'s {site['title']}"))
    for p in providers:
        assert squeezed(f"{p.meta['name']}: entry last checked by the council on {date_text(p.meta['last_reviewed'])}") \
            in squeezed(first)
    text = pdf_text(pdf, tmp_path)
    assert text.count("How to refer a pupil") == len(providers)  # each provider's own page follows
    assert text.index("Comparing ") < text.index("How to refer a pupil")  # the table first
    for furniture in ("Copy link", "Print the pack", "Clear the shortlist", "Show only the rows"):
        assert furniture not in text
    record_figure("pages printed, pack of three providers", pdf_pages(pdf, tmp_path))


def test_the_councils_checks_come_from_each_providers_record(site_server, open_tab, site):
    """The checks rows are each provider's checks: the date from its file, "Not recorded" where it
    has none, and "due" where its record (made as of the build's date) says so."""
    compared = three()
    records = [json.loads((site / "data" / "providers" / f"{p.slug}.json").read_text()) for p in compared]
    tab = open_tab()
    tab.page.goto(compare_url(site_server, compared))
    tab.page.locator("[data-pack-ready]").wait_for(state="attached")
    rows = read_table(tab.page)["Checks the council has made"]
    names = list(dict.fromkeys(name for record in records for name in record["checks"]))
    assert len(rows) == len(names) + 1  # and how attendance is reported
    for name in names:
        label = next(r["checks"][name]["label"] for r in records if name in r["checks"])
        expected = []
        for provider, record in zip(compared, records):
            written = provider.meta.get("checks", {}).get(name)
            if name == "ofsted_inspection":
                written = provider.meta["registration"].get("last_inspected")
            check = record["checks"].get(name)
            assert (check or {}).get("date") == (str(written) if written else None), (provider.slug, name)
            due = " (due to be checked again)" if check and check["due"] else ""
            expected.append(date_text(written) + due if written else "Not recorded")
        assert rows[label] == expected, name
    assert rows["How the provider reports attendance"] == [
        " ".join(p.meta.get("attendance_reporting", "Not recorded").split()) for p in compared]
    assert not tab.errors
