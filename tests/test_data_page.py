"""The Data page (/data/): each download with its true size, the licence, the feed and its limits."""
from __future__ import annotations

import sample
from htmlpage import page


def size_text(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    return f"{size / 1000:.1f} KB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def test_data_page_offers_each_file_with_its_size_and_licence(site):
    found = page(site, "data/")
    assert found.count("h1") == 1 and "Open data" in found.text
    assert any(tag == "nav" and attrs.get("aria-label") == "Breadcrumb" for tag, attrs in found.tags)
    assert "../" in found.links  # Home
    for name, kind in (("providers.csv", "CSV"), ("providers.json", "JSON"), ("providers.schema.json", "JSON Schema")):
        assert f"../data/{name}" in found.links
        assert f"{kind}, {size_text((site / 'data' / name).stat().st_size)}" in found.text, name
    assert "Open Government Licence v3.0" in found.text
    assert "cannot search, filter or sort" in found.text
    assert sample.config()["site"]["base_url"] + "api/" in found.text


def test_every_page_links_to_the_data_page_and_the_sitemap_lists_it(site):
    assert "./data/" in page(site, "").links
    assert "../data/" in page(site, "glossary/").links
    assert f"<loc>{sample.config()['site']['base_url']}data/</loc>" in (site / "sitemap.xml").read_text()
