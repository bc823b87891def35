"""The What's changed page and its Atom feed: who joined, was updated, paused, restarted or left since
the framework was last refreshed, and nothing about a provider that left but its name and date."""
from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import hypothesis
import pytest
import sample
from conftest import copy_project, run_build
from htmlpage import Page, page

from apdirectory.site import changes

ATOM = "{http://www.w3.org/2005/Atom}"
REFRESHED = dt.date(2026, 3, 1)

# The fixture history: each provider's front matter lines to set, on top of the sample content.
HISTORY = {
    "kestrel-learning-centre": {"joined": "2026-04-01"},  # joined after the refresh
    "bramblefield-school": {"status": "paused", "status_changed": "2026-05-01"},
    "riverside-sound-studio": {"status": "active", "status_changed": "2026-10-05"},  # restarted
    "millstone-youth-trust": {"status": "withdrawn", "status_changed": "2026-06-01"},  # left
    "northmoor-college": {"status": "withdrawn", "status_changed": "2025-12-01"},  # left before the refresh
    "greenhouse-growers": {"status": "paused", "status_changed": "2025-11-01"},  # paused before the refresh
}


def set_fields(path: Path, fields: dict[str, str]) -> None:
    """Set top-level front matter fields, replacing a field's line or adding it after `status:`."""
    text = path.read_text(encoding="utf-8")
    for name, value in fields.items():
        line = f"{name}: {value}"
        text, found = re.subn(rf"(?m)^{name}: .*$", line, text, count=1)
        if not found:
            text = re.sub(r"(?m)^(status: .*)$", rf"\1\n{line}", text, count=1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, Path]:
    """(project, built site) for the sample content with the fixture history applied."""
    root = copy_project(tmp_path_factory.mktemp("history") / "project")
    config = (root / "site_config.yaml").read_text(encoding="utf-8")
    (root / "site_config.yaml").write_text(
        re.sub(r"last_refreshed: \S+", f"last_refreshed: {REFRESHED.isoformat()}", config), encoding="utf-8")
    for slug, fields in HISTORY.items():
        set_fields(root / "content/providers" / f"{slug}.md", fields)
    # Kestrel now joins after its checks were dated, which check refuses: it has none recorded yet.
    kestrel = root / "content/providers/kestrel-learning-centre.md"
    kestrel.write_text(re.sub(r"(?m)^checks:\n(  .*\n)*", "", kestrel.read_text(encoding="utf-8")), encoding="utf-8")
    out = root / "_site"
    result = run_build("build", "--output", str(out), root=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, out


def sections(html: str) -> dict[str, str]:
    """The changes page's sections: h2 id -> the HTML up to the next h2."""
    parts = re.split(r'<h2 id="([a-z]+)">', html.split('<main', 1)[1])
    return dict(zip(parts[1::2], parts[2::2]))


def linked_slugs(html: str) -> set[str]:
    return set(re.findall(r'href="\.\./providers/([a-z0-9-]+)/"', html))


def card_texts(html: str) -> list[str]:
    return [Page(card).text for card in re.findall(r'<li class="card">.*?</li>', html, re.S)]


def feed_entries(site: Path) -> list[dict]:
    feed = ET.parse(site / "changes.xml").getroot()
    return [{"title": entry.findtext(f"{ATOM}title"), "updated": entry.findtext(f"{ATOM}updated"),
             "link": entry.find(f"{ATOM}link").get("href"), "summary": entry.findtext(f"{ATOM}summary"),
             "id": entry.findtext(f"{ATOM}id")} for entry in feed.findall(f"{ATOM}entry")]


def test_changes_page_lists_each_kind_of_change_since_the_refresh(history):
    root, site = history
    found = sections((site / "changes/index.html").read_text(encoding="utf-8"))
    docs = {doc.slug: doc.meta for doc in sample.providers(root)}
    reviewed = {slug for slug, p in docs.items()
                if p["status"] != "withdrawn" and p["last_reviewed"] >= REFRESHED and p["last_reviewed"] != p["joined"]}
    assert linked_slugs(found["joined"]) == {"kestrel-learning-centre"}
    assert linked_slugs(found["paused"]) == {"bramblefield-school"}
    assert linked_slugs(found["resumed"]) == {"riverside-sound-studio"}
    assert linked_slugs(found["updated"]) == reviewed and "kestrel-learning-centre" in reviewed
    assert linked_slugs(found["left"]) == set()
    assert card_texts(found["left"]) == ["Old Forge Equine Centre Left on 15 July 2026",
                                         "Millstone Youth Trust Left on 1 June 2026"]
    assert list(found) == ["joined", "resumed", "paused", "left", "updated"]
    assert "Northmoor College" not in "".join(found.values())
    assert "Greenhouse Growers" not in found["paused"]


def test_feed_has_one_entry_per_change_dated_from_the_content(history):
    root, site = history
    base = sample.config(root)["site"]["base_url"]
    entries = feed_entries(site)
    titles = {entry["title"] for entry in entries}
    assert {"Kestrel Learning Centre joined the framework", "Bramblefield School stopped taking referrals",
            "Riverside Sound Studio is taking referrals again", "Millstone Youth Trust left the framework",
            "Kestrel Learning Centre: entry updated"} <= titles
    assert not any("Northmoor" in title or "Greenhouse Growers stopped" in title for title in titles)
    left = next(entry for entry in entries if entry["title"] == "Millstone Youth Trust left the framework")
    assert left == {**left, "updated": "2026-06-01T00:00:00Z", "link": f"{base}changes/#left",
                    "summary": "Left on 1 June 2026."}
    joined = next(entry for entry in entries if entry["title"] == "Kestrel Learning Centre joined the framework")
    assert joined["link"] == f"{base}providers/kestrel-learning-centre/"
    assert [entry["updated"] for entry in entries] == sorted((e["updated"] for e in entries), reverse=True)
    assert len({entry["id"] for entry in entries}) == len(entries)
    feed = ET.parse(site / "changes.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == entries[0]["updated"]


def test_a_provider_that_left_shows_nothing_but_its_name(history):
    root, site = history
    gone = sample.withdrawn(root)
    assert {doc.slug for doc in gone} >= {"millstone-youth-trust", "northmoor-college"}
    for doc in gone:
        p = doc.meta
        details = [doc.slug, p["summary"], p["organisation"]["legal_name"], p["contact"]["safeguarding_lead"]["name"],
                   *(place["postcode"] for place in p["locations"])]
        details = [value for value in details if value != p["name"]]  # a legal name can be the name
        for path in sorted(site.rglob("*")):
            if path.is_file():
                data = path.read_text(encoding="utf-8", errors="replace")
                leaked = [value for value in details if value in data]
                assert not leaked, f"{leaked} of withdrawn {doc.slug} in {path}"
                if path.relative_to(site).as_posix() not in ("changes/index.html", "changes.xml"):
                    assert p["name"] not in data, f"withdrawn {doc.slug} named in {path}"


def test_the_feed_and_page_are_the_same_on_every_build(history, tmp_path):
    root, site = history
    again = tmp_path / "again"
    assert run_build("build", "--output", str(again), root=root).returncode == 0
    for name in ("changes.xml", "changes/index.html"):
        assert (again / name).read_bytes() == (site / name).read_bytes(), name


def test_the_sample_changes_page_is_linked_and_offers_the_feed(site):
    found = page(site, "changes/")
    alternates = [attrs for tag, attrs in found.tags if tag == "link" and attrs.get("rel") == "alternate"]
    assert alternates == [{**alternates[0], "type": "application/atom+xml", "href": "../changes.xml"}]
    assert "../changes.xml" in found.links
    assert "Old Forge Equine Centre" in found.text  # the sample's withdrawn provider, as having left
    assert "./changes/" in page(site, "").links
    assert "../changes/" in page(site, "glossary/").links  # the footer
    base = sample.config()["site"]["base_url"]
    assert f"<loc>{base}changes/</loc>" in (site / "sitemap.xml").read_text()


def test_status_changed_is_asked_for_and_checked(project):
    set_fields(project / "content/providers/kestrel-learning-centre.md", {"status": "paused"})
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    set_fields(project / "content/providers/bramblefield-school.md", {"status_changed": tomorrow})
    result = run_build("check", root=project)
    assert result.returncode == 1
    assert ("content/providers/kestrel-learning-centre.md:4: warning: status_changed: status is paused but "
            "status_changed is missing: add status_changed: YYYY-MM-DD, the date it was paused, so the "
            "What's changed page can list it") in result.stderr
    assert (f"content/providers/bramblefield-school.md:5: status_changed: {tomorrow} is in the future: "
            "give the date it happened") in result.stderr


@hypothesis.given(hypothesis.strategies.text())
def test_feed_ids_are_the_standard_uuids_of_their_names(name):
    """Entry ids are made straight from SHA-1 for speed: they must be what uuid.uuid5 gives."""
    assert changes._url_uuid(name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
