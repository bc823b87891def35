"""Nothing under `internal:`, and nothing of a withdrawn provider, is in any byte of the built site.

Every file of the site is read as bytes (pages, sitemap, robots.txt, assets, and whatever later
stages add, such as exports), and searched for every such value as written and as the site
would encode it: HTML-escaped, JSON-escaped and URL-encoded. Pagefind's index fragments are
compressed; the search index's own tests read them decompressed.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from urllib.parse import quote, quote_plus

import pytest
import sample

# Fields whose values are fixed choices (status, registration type, key stages, days, modes...):
# every provider shares them, so finding "active" or "mon" in the site says nothing.
FIXED_CHOICES = {"status", "type", "key_stages", "days", "mode", "per", "lot", "step_free_access"}


def encodings(value: str) -> set[bytes]:
    """The ways a text could be written into a file of the site."""
    forms = {value, html.escape(value), html.escape(value, quote=False), json.dumps(value)[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1], quote(value), quote_plus(value)}
    return {form.encode() for form in forms}


def texts(value, skip: set[str] = frozenset()) -> set[str]:
    """Every text inside a YAML value, leaving out fixed-choice fields. Numbers, dates and true or
    false are left out too: 6, 2023-09-01 or true are on every page for other reasons."""
    if isinstance(value, dict):
        return {text for key, inner in value.items() if key not in skip for text in texts(inner, skip)}
    if isinstance(value, list):
        return {text for inner in value for text in texts(inner, skip)}
    if isinstance(value, str):
        return {value}
    assert isinstance(value, (bool, int, float, dt.date)), value
    return set()


def public_texts() -> set[str]:
    """What published entries, lots, pages, the glossary and the configuration say themselves:
    a withdrawn provider's value that one of them also has (a town, a vocabulary code, a common
    qualification) is not the withdrawn provider's to hide."""
    config = sample.config()
    found = texts(config) | {code for vocabulary in config["vocabularies"].values() for code in vocabulary}
    for doc in sample.published() + sample.lots():
        found |= texts(doc.meta) | {doc.body}
    return found


def withdrawn_texts() -> set[str]:
    found = set()
    for provider in sample.withdrawn():
        meta = {key: value for key, value in provider.meta.items() if key != "internal"}
        found |= texts(meta, skip=FIXED_CHOICES) | {provider.slug}
        found |= {line.lstrip("-# ").strip() for line in provider.body.splitlines() if len(line) > 20}
    return found - public_texts()


def internal_texts() -> set[str]:
    return {text for provider in sample.providers() for text in texts(provider.meta.get("internal", {}))}


def site_files(site) -> list:
    return [path for path in sorted(site.rglob("*")) if path.is_file()]


def leaks(site, values: set[str]) -> list[str]:
    found = []
    for path in site_files(site):
        data = path.read_bytes()
        found += [f"{value!r} in {path.relative_to(site)}" for value in sorted(values)
                  if any(form in data for form in encodings(value))]
    return found


def test_no_internal_value_is_anywhere_in_the_site(site):
    secrets = internal_texts()
    assert len(secrets) >= 2 * len(sample.published()), "the sample must have internal values to hide"
    assert not leaks(site, secrets)


# The "What's changed" page and its feed say that a provider left the framework, by name and
# nothing else (issue 4): the name is allowed there, and only there.
LEFT_NOTICES = {"changes/index.html", "changes.xml"}


def test_no_value_of_a_withdrawn_provider_is_anywhere_in_the_site(site):
    hidden = withdrawn_texts()
    assert sample.withdrawn(), "the sample must include a withdrawn provider"
    # Its name, legal name, emails, phones, postcode, website and description at least.
    assert len(hidden) >= 12, sorted(hidden)
    names = {provider.meta["name"] for provider in sample.withdrawn()}
    allowed = {f"{name!r} in {notice}" for name in names for notice in LEFT_NOTICES}
    assert set(leaks(site, hidden)) <= allowed


@pytest.mark.parametrize("field", ["name", "organisation", "contact", "locations"])
def test_the_scan_finds_a_published_providers_values(site, field):
    """The same scan does find what is published, so a clean result above means something."""
    provider = sample.published()[0]
    values = texts(provider.meta[field], skip=FIXED_CHOICES)
    assert values and len(leaks(site, values)) >= len(values)
