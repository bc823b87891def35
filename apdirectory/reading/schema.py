"""`build.py schema`: JSON Schemas of provider and lot front matter, generated from the pydantic models,
for editors that complete and check YAML (the README says how, and what they cannot do).

The schemas describe fields, types and fixed choices only. The codes in site_config.yaml's
vocabularies are left out on purpose: with them, adding a code would make the committed schemas
out of date, and a contract officer in the web editor could not regenerate them.
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from apdirectory.reading.models import Lot, Provider

DEFAULT_FOLDER = "schema"
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "provider.schema.json": (Provider, "The fields between the --- lines at the top of content/providers/<name>.md"),
    "lot.schema.json": (Lot, "The fields between the --- lines at the top of content/lots/lot-<number>-<name>.md"),
}


def schema_texts() -> dict[str, str]:
    """File name -> the schema as JSON text, the same on every run."""
    texts = {}
    for filename, (model, description) in SCHEMAS.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  **model.model_json_schema(), "description": description}
        texts[filename] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return texts


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in schema_texts().items():
        path = folder / filename
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
