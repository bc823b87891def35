"""providers.json, providers.csv and their JSON Schema, read from the built sample site and compared
with the content read independently (sample.py), and the Data page that offers them."""
from __future__ import annotations

import csv
import io
import json

import jsonschema
import sample
from conftest import TODAY, run_build

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def load_json(site, path):
    return json.loads((site / path).read_text(encoding="utf-8"))




def expected_record(doc) -> dict:
    """A provider as providers.json should have it: every field but internal, with the defaults filled in."""
    base = sample.config()["site"]["base_url"]
    record = {"slug": doc.slug, "url": f"{base}providers/{doc.slug}/"}
    record |= sample.as_json({key: value for key, value in doc.meta.items() if key != "internal"})
    record["lots"] = [{"mode": "in-person", "subjects": [], "qualifications": [], **offer} for offer in record["lots"]]
    for offer, written in zip(doc.meta["lots"], record["lots"]):
        if "vacancies" in offer:
            written["vacancies"]["current"] = sample.vacancies_current(offer["vacancies"], TODAY)
    record["out_of_date"] = sample.out_of_date(doc, TODAY)
    record["checks"] = {key: {"date": sample.as_json(date), "due": due, "state": state}
                        for key, (date, due, state) in sample.expected_checks(doc, TODAY).items()}
    if doc.body.strip():
        record["description"] = doc.body.strip()
    return record


def csv_rows(site) -> list[dict]:
    text = (site / "data/providers.csv").read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def validator(schema):
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_providers_json_is_every_published_provider_with_every_public_field(site):
    found = load_json(site, "data/providers.json")["providers"]
    published = sorted(sample.published(), key=lambda doc: doc.meta["name"].casefold())
    assert [record["slug"] for record in found] == [doc.slug for doc in published]
    for record, doc in zip(found, published):
        labels = {key: check.pop("label") for key, check in record["checks"].items()}
        assert all(labels.values()), doc.slug
        assert record == expected_record(doc), doc.slug


def test_providers_json_explains_its_codes_lots_and_licence(site):
    data = load_json(site, "data/providers.json")
    config = sample.config()
    assert data["schema_version"] == "1.1"
    assert data["as_of"] == TODAY.isoformat()  # the date "due", "out_of_date" and "current" are worked out for
    assert data["vocabularies"] == config["vocabularies"]
    assert data["framework"] == sample.as_json(config["framework"])
    assert data["licence"]["name"] == "Open Government Licence v3.0"
    lots = [(lot["number"], lot["title"], lot["description"]) for lot in data["lots"]]
    assert lots == sorted((doc.meta["number"], doc.meta["title"], doc.body.strip()) for doc in sample.lots())


def test_generated_date_comes_from_the_content_not_the_clock(site):
    data = load_json(site, "data/providers.json")
    assert data["generated"] == max(sample.as_json(doc.meta["last_reviewed"]) for doc in sample.published())


def test_providers_json_validates_against_the_schema_the_build_writes(site):
    schema = load_json(site, "data/providers.schema.json")
    data = load_json(site, "data/providers.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator(schema).validate(data)
    assert schema["$id"] == data["schema"]


def test_schema_documents_every_field_and_refuses_unknown_ones(site):
    schema = load_json(site, "data/providers.schema.json")
    data = load_json(site, "data/providers.json")
    data["providers"][0]["internal"] = {"notes": "not for publication"}
    assert not validator(schema).is_valid(data)
    provider = schema["$defs"]["provider"]["properties"]
    undocumented = [name for name, field in provider.items() if not field.get("description")]
    assert not undocumented


def test_csv_opens_cleanly_in_excel(site):
    data = (site / "data/providers.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark tells Excel the encoding"
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rewritten = io.StringIO()
    csv.writer(rewritten, lineterminator="\r\n").writerows(rows)
    assert rewritten.getvalue() == text, "every record ends with CRLF"
    assert len({len(row) for row in rows}) == 1
    assert len(set(rows[0])) == len(rows[0]) and "provider_name" in rows[0] and "lot" in rows[0]


def test_csv_has_one_row_per_provider_per_lot_offer(site):
    found = [(row["provider_slug"], int(row["lot"])) for row in csv_rows(site)]
    published = sorted(sample.published(), key=lambda doc: doc.meta["name"].casefold())
    assert found == [(doc.slug, offer["lot"]) for doc in published for offer in doc.meta["lots"]]


def csv_forms(value) -> list[str]:
    """How a content value can be written in the CSV."""
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, (int, float)):
        return [f"{value:g}", f"{value:.2f}"]
    return [str(sample.as_json(value))]


def unguarded(cell: str) -> str:
    """A cell without the apostrophe that stops a spreadsheet running it as a formula."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


def test_csv_rows_hold_every_public_value_and_nothing_else(site):
    config, lot_titles = sample.config(), {lot.meta["number"]: lot.meta["title"] for lot in sample.lots()}
    by_slug = {doc.slug: doc for doc in sample.published()}
    labels = [label for vocabulary in config["vocabularies"].values() for label in vocabulary.values()]
    for row in csv_rows(site):
        doc = by_slug[row["provider_slug"]]
        offer = next(offer for offer in doc.meta["lots"] if offer["lot"] == int(row["lot"]))
        public = {key: value for key, value in doc.meta.items() if key not in ("internal", "lots")}
        expected = sample.leaves(public) + sample.leaves(offer)
        cells = {column: unguarded(cell) for column, cell in row.items()}
        text = "\n".join(cells.values())
        missing = [value for value in expected if not any(form in text for form in csv_forms(value))]
        assert not missing, f"{doc.slug} lot {offer['lot']}: {missing}"
        allowed = expected + labels + [lot_titles[offer["lot"]], doc.slug, doc.body.strip(), "not given",
                                       "not recorded", True,
                                       False, "in-person", f"{config['site']['base_url']}providers/{doc.slug}/"]
        forms = sorted({form for value in allowed for form in csv_forms(value)}, key=len, reverse=True)
        assert row["registration_label"] not in ("", row["registration_type"])
        for column, cell in cells.items():
            rest = cell
            for form in forms:
                rest = rest.replace(form, "")
            # What is left is only the "; " between list items and the ", " between address lines.
            assert column == "registration_label" or not rest.strip("; ,"), f"{doc.slug} {column}: {rest!r}"


def test_csv_cells_that_look_like_formulas_are_shown_as_text(project, tmp_path):
    path = project / "content/providers/kestrel-learning-centre.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("summary: Small-group", "summary: =HYPERLINK(\"https://evil.example\") Small-group")
    text = text.replace("    offer: Full-time timetable", "    offer: >-\n      - Full-time timetable")
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "_site"
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    row = next(row for row in csv_rows(out) if row["provider_slug"] == "kestrel-learning-centre" and row["lot"] == "1")
    assert row["summary"].startswith("'=HYPERLINK(")
    assert row["offer"].startswith("'- Full-time timetable")
    records = load_json(out, "data/providers.json")["providers"]
    record = next(p for p in records if p["slug"] == "kestrel-learning-centre")
    assert record["summary"].startswith("=HYPERLINK(") and record["lots"][0]["offer"].startswith("- Full-time")


def exported(site) -> dict:
    return {path.relative_to(site): path.read_bytes()
            for folder in ("data", "api") for path in sorted((site / folder).rglob("*")) if path.is_file()}


def test_exports_are_byte_identical_when_built_again(site, tmp_path):
    again = tmp_path / "_site"
    result = run_build("build", "--output", str(again), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    first, second = exported(site), exported(again)
    assert first.keys() == second.keys()
    changed = [str(path) for path in first if first[path] != second[path]]
    assert not changed


def test_a_withdrawn_provider_is_in_no_export(project, tmp_path):
    """Withdrawing a published provider takes it out of the JSON, the CSV and the feed."""
    path = project / "content/providers/kestrel-learning-centre.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: withdrawn"), encoding="utf-8")
    out = tmp_path / "_site"
    assert run_build("build", "--output", str(out), root=project).returncode == 0
    for folder in ("data", "api"):
        for file in sorted((out / folder).rglob("*")):
            if file.is_file():
                assert b"Kestrel" not in file.read_bytes() and b"kestrel" not in file.read_bytes(), file
