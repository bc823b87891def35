"""Search and filters as built: the Pagefind index, what it must never hold, the static filter pages
that work without JavaScript, and a failed index leaving the old site in place."""
from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
import sample
from browser import record_figure
from conftest import REPO, TODAY, run_build
from htmlpage import html_files, page

PAGEFIND_SIGNATURE = b"pagefind_dcd"


def provider_links(found) -> list[str]:
    slugs = [m[1] for link in found.links if (m := re.fullmatch(r"(?:\./|(?:\.\./)+)providers/([a-z0-9-]+)/", link))]
    return list(dict.fromkeys(slugs))


def every_value() -> dict[str, set[str]]:
    """Group -> every value any published provider has."""
    values: dict[str, set[str]] = {}
    for provider in sample.published():
        for key, found in sample.filter_values(provider).items():
            values.setdefault(key, set()).update(found)
    return values


def site_bytes(site: Path) -> dict[Path, bytes]:
    """Every file of a built site, by its path in the site."""
    return {path.relative_to(site): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def decompressed_index(site: Path) -> dict[Path, bytes]:
    """Every file under pagefind/, as a browser's Pagefind reads it: the index files gunzipped."""
    files = {}
    for path in sorted((site / "pagefind").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            files[path] = data
    return files


def test_index_is_written_into_the_site_with_one_record_per_published_provider(site):
    assert json.loads((site / "pagefind" / "parts.json").read_text()) == ["1"], "the sample fits one part"
    entry = json.loads((site / "pagefind" / "1" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == len(sample.published())
    assert (site / "pagefind" / "1" / "pagefind.js").is_file()
    assert not list((site / "pagefind").rglob("pagefind-ui*")), "the stock Pagefind UI is not shipped"


def test_index_files_are_compressed_pagefind_data(site):
    """The test below can only see inside the index if every index file decompresses to Pagefind data."""
    index_files = [path for path in (site / "pagefind").rglob("*.pf_*")]
    assert len(index_files) >= 4  # meta, index, filter, fragments
    for path, data in decompressed_index(site).items():
        if path.suffix.startswith(".pf_"):
            assert data.startswith(PAGEFIND_SIGNATURE), path


def test_index_holds_no_internal_value_and_nothing_of_a_withdrawn_provider(site):
    contents = decompressed_index(site)
    everything = b"\n".join(contents.values())
    # The scan can see inside: a published provider's name and postcode are there.
    shown = sample.published()[0].meta
    assert shown["name"].encode() in everything and shown["locations"][0]["postcode"].encode() in everything
    secrets = {str(leaf) for p in sample.providers() for leaf in sample.leaves(p.meta.get("internal", {}))
               if len(str(leaf)) >= 6}
    assert secrets
    gone = [(p.slug, p.meta["name"], p.meta["contact"]["referrals"]["email"]) for p in sample.withdrawn()]
    assert gone
    for path, data in contents.items():
        leaked = [s for s in secrets if s.encode() in data]
        assert not leaked, f"{path} holds internal values {leaked}"
        for values in gone:
            for value in values:
                assert value.encode() not in data, f"{path} holds {value!r} of a withdrawn provider"


def test_index_holds_no_contact_details(site):
    everything = b"\n".join(decompressed_index(site).values())
    for provider in sample.published():
        contact = provider.meta["contact"]
        for value in (contact["safeguarding_lead"]["name"], contact["safeguarding_lead"]["phone"]):
            assert value.encode() not in everything, value


def test_find_page_lists_every_provider_with_its_facts(site):
    found = page(site, "find/")
    config = sample.config()
    assert sorted(provider_links(found)) == sorted(p.slug for p in sample.published())
    for provider in sample.published():
        p = provider.meta
        for code in p["needs"]:
            assert config["vocabularies"]["needs"][code] in found.text
        for place in p["locations"]:
            assert config["vocabularies"]["areas"][place["area"]] in found.text
    assert f"{len(sample.published())} providers" in found.text


def test_find_page_has_a_labelled_search_box_and_a_polite_result_count(site):
    found = page(site, "find/")
    inputs = [attrs for tag, attrs in found.tags if tag == "input" and attrs.get("name") == "q"]
    assert len(inputs) == 1
    labels = [attrs for tag, attrs in found.tags if tag == "label" and attrs.get("for") == inputs[0]["id"]]
    assert labels
    status = next(attrs for tag, attrs in found.tags if attrs.get("id") == "find-status")
    assert status.get("aria-live") == "polite"


def test_every_other_page_has_a_search_form_that_works_without_javascript(site):
    for path in html_files(site):
        relative = str(path.relative_to(site))
        if relative == "find/index.html":
            continue
        found = page(site, relative)
        forms = [attrs for tag, attrs in found.tags if tag == "form" and attrs.get("role") == "search"]
        assert len(forms) == 1, relative
        assert forms[0]["method"] == "get" and forms[0]["action"].endswith("find/"), relative
        assert any(tag == "label" and attrs.get("for") == "header-search" for tag, attrs in found.tags), relative


@pytest.mark.parametrize("key", sorted(every_value()))
def test_each_static_filter_page_lists_exactly_the_matching_providers(site, key):
    """One page per filter value that any provider has, computed here from the content files."""
    for value in sorted(every_value()[key]):
        found = page(site, f"find/{key}/{value}/")
        expected = [p.slug for p in sample.matching({key: [value]})]
        assert provider_links(found) == expected, f"{key}={value}"
        assert f"{len(expected)} provider{'' if len(expected) == 1 else 's'}" in found.text


@pytest.mark.parametrize("key", sample.OFFER_KEYS)
def test_a_static_page_of_an_offer_filter_shows_only_the_offers_that_match(site, key):
    lots = {lot.meta["number"]: lot.meta for lot in sample.lots()}
    for value in sorted(every_value()[key]):
        html = (site / "find" / key / value / "index.html").read_text()
        for provider in sample.matching({key: [value]}):
            card = re.search(rf'<li class="card" data-card="{provider.slug}".*?\n  </li>', html, re.S)[0]
            titles = [sample.without_meanings(title) for title in re.findall(r'<p class="offer__title">([^<]*)</p>', card)]
            offers = [provider.meta["lots"][i] for i in sample.matched_offers(provider, {key: [value]})]
            assert titles == [f"Lot {o['lot']}: {lots[o['lot']]['title']}" for o in offers], (key, value, provider.slug)


def test_find_page_links_each_filter_value_with_its_count(site):
    found = page(site, "find/")
    html = (site / "find" / "index.html").read_text()
    for key, values in every_value().items():
        for value in values:
            count = len(sample.matching({key: [value]}))
            assert f"../find/{key}/{value}/" in found.links, (key, value)
            assert re.search(rf'href="\.\./find/{key}/{value}/">[^<]+</a> \({count}\)', html), (key, value)


def test_filter_values_no_provider_has_get_no_page_and_show_zero(site):
    config = sample.config()
    values = every_value()
    for key, vocabulary in (("need", "needs"), ("area", "areas"), ("subject", "subjects"), ("reason", "reasons")):
        for code, label in config["vocabularies"][vocabulary].items():
            if code.lower() not in values[key]:
                assert not (site / "find" / key / code.lower()).exists()
                assert f"{label} (0)" in page(site, "find/").text


def test_scripts_come_from_the_site_only_and_the_policy_allows_only_the_site(site):
    for path in html_files(site):
        html = path.read_text()
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"
        assert "unsafe-inline" not in policy and "http" not in policy
        for script in re.findall(r"<script\b[^>]*>", html):
            assert 'src="' in script, f"{path}: inline script {script}"
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), f"{path}: a script with inline code"


def test_searchable_text_is_the_words_without_markdown_marks():
    from apdirectory.publishing.search_index import plain_text

    markdown = ("## A heading\n\nSome **bold**, _slanted_ and `code` with [a link](https://example.org/x) "
                "in snake_case.\n\n- one\n1. two\n> quoted\n\n| a | b |\n|---|:-:|\n| c | d |\n\n---\n")
    assert plain_text(markdown) == ("A heading Some bold, slanted and code with a link in snake_case. "
                                    "one two quoted a b c d")


def test_search_index_build_time(tmp_path):
    from apdirectory import pipeline
    from apdirectory.publishing import search_index
    from apdirectory.site.directory import build_directory

    directory = build_directory(pipeline.check(REPO, TODAY).content, TODAY)
    started = time.perf_counter()
    count = search_index.write_index(directory, tmp_path)
    seconds = time.perf_counter() - started
    assert count == len(sample.published())
    record_figure("search index build time for the sample", f"{seconds:.3f} s for {count} providers")


def test_a_failed_index_leaves_the_previous_site_in_place(tmp_path):
    target = tmp_path / "_site"
    first = run_build("build", "--output", str(target))
    assert first.returncode == 0, first.stderr
    before = site_bytes(target)
    for broken in ("/bin/false", str(tmp_path / "no-such-pagefind")):
        env = {**os.environ, "PAGEFIND_BINARY_PATH": broken}
        result = run_build("build", "--output", str(target), env=env)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "search index could not be built" in result.stderr
        assert "is unchanged" in result.stderr
        after = site_bytes(target)
        assert after == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"], "no half-built folder is left behind"


# A Pagefind that answers the request for a new index, takes one record and stops: as the real one
# would if it crashed while records were still being sent.
STOPS_AFTER_ONE_RECORD = """\
import base64, json, sys
def request():
    data = b""
    while not data.endswith(b","):
        data += sys.stdin.buffer.read(1)
    return json.loads(base64.b64decode(data[:-1]))
first = request()
reply = {"message_id": first["message_id"], "payload": {"type": "NewIndex", "index_id": 1}}
sys.stdout.buffer.write(base64.b64encode(json.dumps(reply).encode()) + b",")
sys.stdout.flush()
request()
sys.exit(3)
"""


@pytest.mark.skipif(os.name == "nt", reason="runs a script as the Pagefind program, which Windows cannot")
def test_pagefind_stopping_while_records_are_sent_is_reported_and_nothing_is_written(tmp_path):
    target = tmp_path / "_site"
    first = run_build("build", "--output", str(target))
    assert first.returncode == 0, first.stderr
    before = site_bytes(target)
    program = tmp_path / "pagefind"
    program.write_text(f"#!{sys.executable}\n{STOPS_AFTER_ONE_RECORD}", encoding="utf-8")
    program.chmod(0o755)
    result = run_build("build", "--output", str(target), env={**os.environ, "PAGEFIND_BINARY_PATH": str(program)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the search index could not be built (the Pagefind program stopped answering" in result.stderr
    after = site_bytes(target)
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site", "pagefind"], "no half-built folder is left behind"


def test_vocabulary_codes_must_differ_by_more_than_capitals(project):
    config = project / "site_config.yaml"
    config.write_text(config.read_text().replace("    SEMH: Social, emotional and mental health\n",
                                                 "    SEMH: Social, emotional and mental health\n"
                                                 "    semh: Social, emotional and mental health again\n"))
    result = run_build("check", root=project)
    assert result.returncode == 1
    assert "site_config.yaml:" in result.stderr and "differ only in capital letters" in result.stderr


def test_a_page_cannot_take_the_find_address(project):
    (project / "content" / "pages" / "find.md").write_text("---\ntitle: Find\n---\nText.\n")
    result = run_build("check", root=project)
    assert result.returncode == 1
    assert "content/pages/find.md" in result.stderr


def test_search_words_must_name_a_code_and_hours_bands_must_go_up(project):
    config = project / "site_config.yaml"
    text = config.read_text()
    text = text.replace("      ASD: [autism", "      AUT: [autism").replace("hours_per_week_bands: [10, 20]",
                                                                      "hours_per_week_bands: [20, 10]")
    config.write_text(text)
    lines = text.splitlines()
    code_line = next(i for i, line in enumerate(lines, 1) if line.startswith("      AUT:"))
    bands_line = next(i for i, line in enumerate(lines, 1) if "hours_per_week_bands:" in line)
    result = run_build("check", root=project)
    assert result.returncode == 1
    assert (f"site_config.yaml:{code_line}: find.search_words.needs.AUT: 'AUT' is not a code in "
            "vocabularies.needs") in result.stderr
    assert f"site_config.yaml:{bands_line}: find.hours_per_week_bands: [20, 10] must go up" in result.stderr
