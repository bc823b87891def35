"""The committed JSON Schemas (`build.py schema`): up to date with the models, accepting every sample
file as an editor reads it, and rejecting the mistakes officers make."""
from __future__ import annotations

import json

import jsonschema
import pytest
import sample
from conftest import REPO, run_build

FILES = ("provider.schema.json", "lot.schema.json")


def schema(name: str) -> jsonschema.Draft202012Validator:
    loaded = json.loads((REPO / "schema" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded, format_checker=jsonschema.FormatChecker())




def test_committed_schemas_are_up_to_date(tmp_path):
    result = run_build("schema", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in FILES:
        assert (tmp_path / name).read_text(encoding="utf-8") == (REPO / "schema" / name).read_text(encoding="utf-8"), \
            f"schema/{name} is out of date: run `python build.py schema` and commit the result"


def test_schema_describes_every_provider_field():
    properties = schema("provider.schema.json").schema["properties"]
    assert {"name", "status", "status_changed", "lots", "internal"} <= set(properties)
    assert all(field.get("description") for field in properties.values())


@pytest.mark.parametrize("doc", sample.providers(), ids=lambda d: d.slug)
def test_schema_accepts_every_sample_provider(doc):
    schema("provider.schema.json").validate(sample.as_json(doc.meta))


@pytest.mark.parametrize("doc", sample.lots(), ids=lambda d: d.slug)
def test_schema_accepts_every_sample_lot(doc):
    schema("lot.schema.json").validate(sample.as_json(doc.meta))


def without(data: dict, key: str) -> dict:
    return {k: v for k, v in data.items() if k != key}


BAD_PROVIDERS = {
    "missing name": lambda p: without(p, "name"),
    "misspelt field": lambda p: {**without(p, "summary"), "sumary": p["summary"]},
    "unknown status": lambda p: {**p, "status": "open"},
    "unquoted phone number": lambda p: {**p, "contact": {**p["contact"], "safeguarding_lead": {
        **p["contact"]["safeguarding_lead"], "phone": 1614960011}}},
    "date written another way": lambda p: {**p, "joined": "12/03/2026"},
    "no needs": lambda p: {**p, "needs": []},
    "key stage that does not exist": lambda p: {**p, "lots": [{**p["lots"][0], "key_stages": ["KS9"]}]},
    "summary too long": lambda p: {**p, "summary": "x" * 201},
}


@pytest.mark.parametrize("mistake", BAD_PROVIDERS)
def test_schema_rejects_bad_providers(mistake):
    good = sample.as_json(sample.read(REPO / "content/providers/kestrel-learning-centre.md").meta)
    with pytest.raises(jsonschema.ValidationError):
        schema("provider.schema.json").validate(BAD_PROVIDERS[mistake](good))


def test_schema_rejects_bad_lots():
    good = sample.as_json(sample.lots()[0].meta)
    for bad in ({**good, "attendance": "sometimes"}, without(good, "title"), {**good, "number": 100}):
        with pytest.raises(jsonschema.ValidationError):
            schema("lot.schema.json").validate(bad)
