"""The Open Referral UK 3.0 feed under api/: every document validates against the standard's own
JSON schemas (../shared/oruk-3.0, resolved locally, no network), says what the content says,
and keeps its ids from build to build."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import sample
from conftest import REPO, TODAY, run_build
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ORUK = REPO.parent / "shared" / "oruk-3.0"
SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"  # version 5
# Which schema each document follows, by its path below api/ (with .json or index.* taken off).
SCHEMA_FOR = [(r"", "api_details"), (r"services/(page/\d+/)?", "service_list"), (rf"services/{UUID}", "service"),
              (r"organizations/(page/\d+/)?", "organization_list"), (rf"organizations/{UUID}", "organization"),
              (r"taxonomies/(page/\d+/)?", "taxonomy_list"), (rf"taxonomies/{UUID}", "taxonomy"),
              (r"taxonomy_terms/(page/\d+/)?", "taxonomy_term_list"), (rf"taxonomy_terms/{UUID}", "taxonomy_term")]
PAGE_FIELDS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    folder = ORUK / "schema"
    assert folder.is_dir(), f"the ORUK 3.0 schemas belong in {folder} (the shared folder beside the repository)"
    return Registry().with_resources(
        (SCHEMA_BASE + path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in sorted(folder.glob("*.json")))


def validator(registry: Registry, name: str) -> jsonschema.Draft202012Validator:
    schema = registry.contents(SCHEMA_BASE + f"{name}.json")
    return jsonschema.Draft202012Validator(schema, registry=registry,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def address(relative: str) -> str:
    """api/services/index.json -> "services/"; api/services/<id>.json -> "services/<id>"."""
    return re.sub(r"(index\.(html|json)|\.json)$", "", relative)


def documents(site: Path) -> dict[str, dict]:
    """Every feed file below api/, parsed, by its path below api/."""
    return {str(path.relative_to(site / "api")): json.loads(path.read_text(encoding="ascii"))
            for path in sorted((site / "api").rglob("*")) if path.is_file()}


def schema_name(relative: str) -> str:
    return next(name for pattern, name in SCHEMA_FOR if re.fullmatch(pattern, address(relative)))


def services(site: Path) -> list[dict]:
    return [doc for path, doc in documents(site).items() if schema_name(path) == "service" and path.endswith(".json")]


def walk(value):
    """Every value inside a JSON document, containers included."""
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        yield from walk(child)


def test_every_feed_document_validates_against_the_oruk_schemas(site, registry):
    found = Counter()
    for path, doc in documents(site).items():
        name = schema_name(path)
        validator(registry, name).validate(doc)
        if name.endswith("_list"):
            assert set(doc) == PAGE_FIELDS, path
        # Records the UK profile's schemas leave open are checked against their own schemas.
        for service in doc.get("services", []):
            validator(registry, "service").validate(service)
        for contact in doc.get("contacts", []):
            for phone in contact.get("phones", []):
                validator(registry, "phone").validate(phone)
        found[name] += 1
    vocabularies, lots = sample.config()["vocabularies"], sample.lots()
    term_count = len(lots) + 5 + sum(len(vocabulary) for vocabulary in vocabularies.values())  # 5 key stages
    expected = {"api_details": 1, "service_list": 1, "service": sum(len(d.meta["lots"]) for d in sample.published()),
                "organization_list": 1, "organization": len(sample.published()), "taxonomy_list": 1,
                "taxonomy": 2 + len(vocabularies), "taxonomy_term_list": 1, "taxonomy_term": term_count}
    # Each document is there twice: at its ORUK address and with .json added.
    assert found == {name: 2 * count for name, count in expected.items()}


def test_the_schemas_can_fail(site, registry):
    """A check that cannot fail proves nothing: a broken service is refused, and so is a bad id."""
    service = services(site)[0]
    without_status = {key: value for key, value in service.items() if key != "status"}
    assert not validator(registry, "service").is_valid(without_status)
    assert not validator(registry, "service").is_valid({**service, "id": "kestrel"})
    assert not validator(registry, "service").is_valid({**service, "minimum_age": "eleven"})
    # Nested records are checked through the schemas' $refs, resolved from the local files.
    assert not validator(registry, "service").is_valid({**service, "contacts": [{"name": "Referrals team"}]})


def test_the_root_says_which_standard_the_feed_follows(site):
    root = json.loads((site / "api/index.html").read_text())
    assert root["version"] == "HSDS-UK-3.0"
    assert root["openapi_url"].endswith("openapi.json")


def test_each_document_is_at_its_oruk_address_and_again_as_json(site):
    files = sorted(path for path in (site / "api").rglob("*") if path.is_file())
    for path in files:
        if path.name == "index.html":
            assert path.with_name("index.json").read_bytes() == path.read_bytes(), path
        elif path.suffix != ".json":
            assert path.with_name(path.name + ".json").read_bytes() == path.read_bytes(), path
    assert {"index.html", "services/index.html", "organizations/index.html"} <= {
        str(path.relative_to(site / "api")) for path in files}


def test_services_are_the_lot_offers_of_published_providers(site):
    base = sample.config()["site"]["base_url"]
    listed = json.loads((site / "api/services/index.json").read_text())
    found = sorted((service["url"], lot_of(service)) for service in services(site))
    expected = sorted((f"{base}providers/{doc.slug}/", offer["lot"])
                      for doc in sample.published() for offer in doc.meta["lots"])
    assert found == expected
    assert listed["total_items"] == listed["size"] == len(listed["contents"]) == len(expected)
    assert listed["total_pages"] == 1 and listed["first_page"] and listed["last_page"] and not listed["empty"]
    assert sorted(item["id"] for item in listed["contents"]) == sorted(service["id"] for service in services(site))


def lot_of(service: dict) -> int:
    return next(int(a["taxonomy_term"]["term"]) for a in service["attributes"] if a["link_type"] == "lot")


def terms(service: dict, link_type: str) -> list[str]:
    return [a["taxonomy_term"]["term"] for a in service["attributes"] if a["link_type"] == link_type]


def test_each_service_says_what_the_content_says(site):
    base = sample.config()["site"]["base_url"]
    lot_titles = {lot.meta["number"]: lot.meta["title"] for lot in sample.lots()}
    by_address = {(service["url"], lot_of(service)): service for service in services(site)}
    for doc in sample.published():
        p = doc.meta
        for offer in p["lots"]:
            service = by_address[f"{base}providers/{doc.slug}/", offer["lot"]]
            assert service["name"] == f"{p['name']}: Lot {offer['lot']}, {lot_titles[offer['lot']]}"
            assert service["description"] == offer["offer"]
            assert (service["minimum_age"], service["maximum_age"]) == (offer["ages"]["min"], offer["ages"]["max"])
            assert service["status"] == ("temporarily closed" if p["status"] == "paused" else "active")
            assert terms(service, "key_stage") == offer["key_stages"]
            assert terms(service, "need") == p["needs"] and terms(service, "reason") == p["reasons"]
            assert terms(service, "subject") == offer.get("subjects", [])
            days = [day[:2].upper() for day in offer["days"]]
            assert service["schedules"][0]["byday"].split(",") == days
            if "price" in offer:
                assert service["cost_options"][0]["amount"] == offer["price"]["amount"]
                assert service["cost_options"][0]["amount_description"] == f"per {offer['price']['per']}"
            else:
                assert "cost_options" not in service
            contacts = {contact["title"]: contact for contact in service["contacts"]}
            assert contacts["Referrals"]["name"] == p["contact"]["referrals"]["name"]
            assert contacts["Referrals"].get("email") == p["contact"]["referrals"].get("email") == service.get("email")
            lead, expected_lead = contacts["Designated safeguarding lead"], p["contact"]["safeguarding_lead"]
            assert (lead["name"], lead["phones"][0]["number"]) == (expected_lead["name"], expected_lead["phone"])
            for key, (date, due, _) in sample.expected_checks(doc, TODAY).items():
                if date:  # each check made, with its date, among the accreditations
                    confirmed = f"last confirmed on {date.day} {date:%B %Y}" + (" (due to be checked again)" if due else "")
                    assert confirmed in service["accreditations"], (doc.slug, key)
            stale = sample.out_of_date(doc, TODAY)
            assert ("more than" in service.get("alert", "")) == stale
            postcodes = [sal["location"]["addresses"][0]["postal_code"] for sal in service["service_at_locations"]]
            assert postcodes == [place["postcode"] for place in p["locations"]]


def test_each_provider_is_an_organization_with_its_urn(site):
    docs = documents(site)
    organizations = {doc["name"]: doc for path, doc in docs.items() if schema_name(path) == "organization"}
    assert sorted(organizations) == sorted(doc.meta["name"] for doc in sample.published())
    for doc in sample.published():
        org = organizations[doc.meta["name"]]
        identifiers = {i["identifier_scheme"]: i["identifier"] for i in org.get("organization_identifiers", [])}
        assert identifiers.get("GB-EDU") == doc.meta["registration"].get("dfe_urn")
        assert identifiers.get("GB-COH") == doc.meta["organisation"].get("company_number")
        assert len(org["services"]) == len(doc.meta["lots"])


def test_optional_fields_with_no_value_are_left_out(site):
    for path, doc in documents(site).items():
        empty = [value for value in walk(doc) if value is None or value == "" or value == [] or value == {}]
        assert not empty, path


def test_feed_files_hold_no_markup_even_where_served_as_html(site):
    for path in sorted((site / "api").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            assert not (set(data) & set(b"<>&")) and data.isascii(), path


def test_nothing_internal_or_withdrawn_is_in_the_feed(site):
    secrets = {str(leaf) for doc in sample.providers() for leaf in sample.leaves(doc.meta.get("internal", {}))}
    gone = [doc.meta["name"] for doc in sample.withdrawn()] + [doc.slug for doc in sample.withdrawn()]
    for path, doc in documents(site).items():
        strings = [value for value in walk(doc) if isinstance(value, str)]
        assert not [s for s in strings if s in secrets or any(name in s for name in gone)], path


def service_ids(site: Path) -> dict[tuple, str]:
    return {(service["url"], lot_of(service)): service["id"] for service in services(site)}


def other_ids(site: Path) -> dict[tuple, str]:
    """Organization, location, contact and taxonomy term ids, by what they stand for."""
    ids = {}
    for service in services(site):
        ids["organization", service["organization"]["name"]] = service["organization_id"]
        for sal in service["service_at_locations"]:
            place = sal["location"]
            ids["location", place["name"], place["addresses"][0]["postal_code"]] = sal["location_id"]
        for contact in service["contacts"]:
            ids["contact", service["id"], contact["title"]] = contact["id"]
        for attribute in service["attributes"]:
            term = attribute["taxonomy_term"]
            ids["term", term["taxonomy"], term["term"]] = term["id"]
    return ids


def test_ids_stay_the_same_when_a_provider_is_added(site, project, tmp_path):
    source = project / "content/providers/kestrel-learning-centre.md"
    text = source.read_text(encoding="utf-8").replace("name: Kestrel Learning Centre", "name: Aardvark Learning")
    (project / "content/providers/aardvark-learning.md").write_text(text, encoding="utf-8")
    out = tmp_path / "_site"
    assert run_build("build", "--output", str(out), root=project).returncode == 0
    before, after = service_ids(site), service_ids(out)
    assert len(after) == len(before) + len(sample.read(source).meta["lots"])
    assert {key: after[key] for key in before} == before
    before, after = other_ids(site), other_ids(out)
    assert {key: after[key] for key in before} == before
    assert len(set(after.values())) == len(after), "every record has its own id"


def test_long_lists_are_paginated_in_the_standard_shape(registry):
    """The sample fits on one page, so build the feed with a page of 4 to see the later pages."""
    from apdirectory import pipeline
    from apdirectory.site import oruk
    from apdirectory.site.directory import build_directory

    directory = build_directory(pipeline.check(REPO, TODAY).content, TODAY)
    documents = oruk.feed_documents(directory, page_size=4)
    pages = [doc for path, doc in documents.items() if re.fullmatch(r"services/(page/\d+/)?", path)]
    total = sum(len(doc.meta["lots"]) for doc in sample.published())
    assert [doc["page_number"] for doc in pages] == list(range(1, -(-total // 4) + 1))
    for doc in pages:
        validator(registry, "service_list").validate(doc)
        assert doc["total_items"] == total and doc["total_pages"] == len(pages)
        assert doc["first_page"] == (doc["page_number"] == 1) and doc["last_page"] == (doc is pages[-1])
        assert doc["size"] == len(doc["contents"]) <= 4
    assert sum(doc["size"] for doc in pages) == total
    assert "api/services/page/2/index.html" in oruk.feed_files(directory, page_size=4)


def test_a_page_cannot_take_the_feeds_address(project):
    (project / "content/pages/api.md").write_text("---\ntitle: API\n---\nText.\n", encoding="utf-8")
    result = run_build("check", root=project)
    assert result.returncode == 1 and "content/pages/api.md" in result.stdout + result.stderr
