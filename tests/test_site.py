"""The built sample site, read as a user gets it: every provider, lot, list and required page."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import sample
from conftest import TODAY
from htmlpage import html_files, page


def date_text(value) -> str:
    date = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return f"{date.day} {date:%B %Y}"


def provider_links(found) -> list[str]:
    """Slugs of the provider pages a page links to, in order, once each."""
    slugs = [m[1] for link in found.links if (m := re.fullmatch(r"(?:\./|(?:\.\./)+)providers/([a-z0-9-]+)/", link))]
    return list(dict.fromkeys(slugs))


@pytest.mark.parametrize("provider", sample.published(), ids=lambda p: p.slug)
def test_provider_page_shows_every_public_field(site, provider):
    p, text = provider.meta, page(site, f"providers/{provider.slug}/").text
    config = sample.config()
    expected = [p["name"], p["organisation"]["legal_name"], p["contact"]["referrals"]["name"],
                p["contact"]["safeguarding_lead"]["name"], p["contact"]["safeguarding_lead"]["phone"],
                date_text(p["joined"]), date_text(p["last_reviewed"])]
    expected += [config["vocabularies"]["needs"][code] for code in p["needs"]]
    expected += [config["vocabularies"]["reasons"][code] for code in p["reasons"]]
    for place in p["locations"]:
        expected += [place["name"], place["postcode"], *place["address"], config["vocabularies"]["areas"][place["area"]]]
    for offer in p["lots"]:
        expected += [f"{offer['ages']['min']} to {offer['ages']['max']}", *offer.get("qualifications", [])]
        expected += [config["vocabularies"]["subjects"][code] for code in offer.get("subjects", [])]
        if "vacancies" in offer:
            count, as_of = offer["vacancies"]["count"], offer["vacancies"]["as_of"]
            text_of = f"{count} place{'' if count == 1 else 's'} on {date_text(as_of)}"
            current = sample.vacancies_current(offer["vacancies"], TODAY)
            expected.append(text_of if current else text_of + " (may have changed)")
    if "attendance_reporting" in p:
        expected.append(p["attendance_reporting"])
    for optional in ("company_number", "charity_number", "website"):
        if optional in p["organisation"]:
            expected.append(p["organisation"][optional])
    if "dfe_urn" in p["registration"]:
        expected.append(p["registration"]["dfe_urn"])
    if "last_inspected" in p["registration"]:
        expected.append(date_text(p["registration"]["last_inspected"]))
    if "quality_assured" in p:
        expected.append(date_text(p["quality_assured"]))
    text = sample.without_meanings(text)
    missing = [str(value) for value in expected if str(value) not in text]
    assert not missing, f"{provider.slug} page lacks {missing}"


@pytest.mark.parametrize("provider", sample.published(), ids=lambda p: p.slug)
def test_provider_page_links_to_its_lots_map_and_ofsted(site, provider):
    found = page(site, f"providers/{provider.slug}/")
    lot_slugs = {lot.meta["number"]: lot.slug.removeprefix("lot-") for lot in sample.lots()}
    for offer in provider.meta["lots"]:
        assert f"../../lots/{lot_slugs[offer['lot']]}/" in found.links
    maps = [link for link in found.links if link.startswith("https://www.openstreetmap.org/search?query=")]
    assert len(maps) == len(provider.meta["locations"])
    if "ofsted_report" in provider.meta["registration"]:
        assert provider.meta["registration"]["ofsted_report"] in found.links
    assert f"mailto:{provider.meta['contact']['referrals']['email']}" in found.links


def test_paused_provider_says_it_is_not_taking_referrals(site):
    paused = [p for p in sample.published() if p.meta["status"] == "paused"]
    assert paused, "the sample must include a paused provider"
    for provider in paused:
        assert "is not taking referrals at the moment" in page(site, f"providers/{provider.slug}/").text
    for provider in sample.published():
        if provider.meta["status"] == "active":
            assert "not taking referrals" not in page(site, f"providers/{provider.slug}/").text


def test_each_lot_page_lists_exactly_its_providers(site):
    for lot in sample.lots():
        number = lot.meta["number"]
        expected = sorted(p.slug for p in sample.published() if any(o["lot"] == number for o in p.meta["lots"]))
        found = page(site, f"lots/{lot.slug.removeprefix('lot-')}/")
        assert sorted(provider_links(found)) == expected, f"lot {number}"
        assert lot.meta["title"] in found.text


def test_a_to_z_lists_every_published_provider_in_order(site):
    found = page(site, "providers/")
    by_name = sorted(sample.published(), key=lambda p: p.meta["name"].casefold())
    assert provider_links(found) == [p.slug for p in by_name]


# The only files that may name a withdrawn provider, as having left (test_changes.py checks how).
LEFT_LISTS = {"changes/index.html", "changes.xml"}


def test_withdrawn_provider_appears_nowhere(site):
    gone = sample.withdrawn()
    assert gone, "the sample must include a withdrawn provider"
    for provider in gone:
        assert not (site / "providers" / provider.slug).exists()
        for path in sorted(site.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                values = [provider.slug, provider.meta["contact"]["referrals"]["email"]]
                if path.relative_to(site).as_posix() not in LEFT_LISTS:
                    values.append(provider.meta["name"])
                for value in values:
                    assert value.encode() not in data, f"{value!r} of a withdrawn provider is in {path}"


def test_internal_values_appear_in_no_output_file(site):
    secrets = {str(leaf) for p in sample.providers() for leaf in sample.leaves(p.meta.get("internal", {}))
               if len(str(leaf)) >= 6}
    assert secrets, "the sample must have internal values to hide"
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            leaked = [s for s in secrets if s.encode() in data]
            assert not leaked, f"{path} contains internal values {leaked}"


def test_home_page_explains_the_directory_and_lists_the_six_lots(site):
    found = page(site, "")
    assert "Being listed is not an endorsement" in found.text
    assert "responsible for checking that a provider is suitable and safe" in found.text
    for lot in sample.lots():
        assert lot.meta["title"] in sample.without_meanings(found.text)
        assert f"./lots/{lot.slug.removeprefix('lot-')}/" in found.links


@pytest.mark.parametrize("url_path, heading", [
    ("glossary/", "Glossary"), ("how-referrals-work/", None), ("accessibility/", None),
    ("privacy/", None), ("lots/", "Lots"), ("providers/", "Providers A to Z")])
def test_required_pages_exist(site, url_path, heading):
    found = page(site, url_path)
    assert found.count("h1") == 1
    if heading:
        assert heading in found.text


def test_accessibility_statement_follows_the_public_sector_model(site):
    text = page(site, "accessibility/").text
    for phrase in ("Compliance status", "Enforcement procedure", "Equality and Human Rights Commission",
                   "Reporting accessibility problems"):
        assert phrase.casefold() in text.casefold(), phrase


def test_privacy_page_says_no_cookies(site):
    assert "cookies" in page(site, "privacy/").text.casefold()


def test_glossary_explains_every_abbreviation_the_brief_names(site):
    text = page(site, "glossary/").text
    for abbr in ("AP", "SEND", "SEMH", "ASD", "SLCN", "EHCP", "EBSA", "KS", "DfE", "URN", "Ofsted", "PRU", "FPS"):
        assert re.search(rf"\b{abbr}\b", text), abbr


def test_abbreviations_are_marked_up_where_they_appear(site):
    html = (site / "providers" / sample.published()[0].slug / "index.html").read_text()
    assert re.search(r'<abbr title="[^"]+">(SEMH|AP|KS[1-5]|SEND|EHCP)</abbr>', html)


def test_every_page_has_the_shared_furniture(site):
    for path in html_files(site):
        found = page(site, str(path.relative_to(site)))
        html_tag = next(attrs for tag, attrs in found.tags if tag == "html")
        assert html_tag.get("lang") == "en-GB", path
        assert found.count("h1") == 1, path
        assert found.count("main") == 1 and found.count("header") == 1 and found.count("footer") == 1, path
        first_link = next(attrs for tag, attrs in found.tags if tag == "a")
        assert first_link.get("href") == "#main-content", f"{path}: the skip link comes first"
        assert "Skip to main content" in found.text, path
        assert "Bury Council" in found.text, path
        assert not any(tag == "script" and attrs.get("src", "").startswith("http") for tag, attrs in found.tags)


def test_every_page_but_home_and_404_has_breadcrumbs(site):
    for path in html_files(site):
        relative = str(path.relative_to(site))
        found = page(site, relative)
        has_crumbs = any(attrs.get("aria-label") == "Breadcrumb" for tag, attrs in found.tags if tag == "nav")
        assert has_crumbs == (relative not in ("index.html", "404.html")), relative


def test_not_found_page_uses_links_that_work_from_any_address(site):
    found = page(site, "404.html")
    base = urlsplit(sample.config()["site"]["base_url"]).path
    assert all(link.startswith((base, "#", "mailto:", "https://")) for link in found.links), found.links


def test_sitemap_and_robots(site):
    base = sample.config()["site"]["base_url"]
    sitemap = (site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{base}providers/{sample.published()[0].slug}/" in locs
    assert len(locs) == len(html_files(site)) - 1  # every page but 404.html
    assert f"Sitemap: {base}sitemap.xml" in (site / "robots.txt").read_text()


def test_print_stylesheet_hides_navigation(site):
    css = (site / "assets" / "site.css").read_text()
    media = css[css.index("@media print"):]
    assert ".nav" in media and "display: none" in media
