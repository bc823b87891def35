"""`build.py new "Provider name"`: a new provider file from the commented template templates/new-provider.md.

Every value still to be given says FILL IN, which no field accepts (models.PLACEHOLDER), so `check`
names each one until it is filled; the codes and lots to choose from are listed beside their fields.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import jinja2

from apdirectory.reading.load import load_content
from apdirectory.reading.models import KEY_STAGES
from apdirectory.site.present import REGISTRATION_LABELS

TEMPLATE = "new-provider.md"


class ScaffoldError(Exception):
    """Why the file could not be written, in words for the person who asked."""


def slug_for(name: str) -> str:
    """ "St Mary's Farm & Forge" -> "st-marys-farm-and-forge": the file name, and the page's address."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = ascii_text.lower().replace("&", " and ").replace("'", "")
    return "-".join(re.findall(r"[a-z0-9]+", words))


def write_new_provider(root: Path, name: str) -> str:
    """Write content/providers/<slug>.md for `name`; return its path relative to the root."""
    name = " ".join(name.split())
    slug = slug_for(name)
    if not slug:
        raise ScaffoldError(f"'{name}' has no letters or digits to make a file name from: give the provider's name")
    relpath = f"content/providers/{slug}.md"
    text = _render(root, name)
    (root / "content/providers").mkdir(parents=True, exist_ok=True)
    try:
        with open(root / relpath, "x", encoding="utf-8") as file:  # "x": never overwrite an entry
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{relpath} already exists: edit that file, or give the new provider "
                            "a name that is different") from None
    return relpath


def _render(root: Path, name: str) -> str:
    content, _ = load_content(root)
    if content.config is None:
        raise ScaffoldError("site_config.yaml has a problem, so the codes to choose from are unknown: "
                            "run `python build.py check` and fix it first")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / "templates"), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    vocab = content.config.vocabularies
    return env.get_template(TEMPLATE).render(
        name=json.dumps(name, ensure_ascii=False),  # a double-quoted YAML string: safe for any name
        registration_types=REGISTRATION_LABELS, key_stages=", ".join(KEY_STAGES),
        lots=sorted((lot.data for lot in content.lots), key=lambda lot: lot.number),
        needs=vocab.needs, reasons=vocab.reasons, areas=vocab.areas, subjects=vocab.subjects)


def next_steps(relpath: str, name: str) -> str:
    return f"""Wrote {relpath}, a new entry for {name}.

Next steps:
  1. Open {relpath} and replace every FILL IN with the real value.
     The notes after each # say what to write; remove the # at the start of a line
     to use an optional field.
  2. Run `python build.py check`: it lists every value still to fill in, with its line.
  3. Run `python build.py serve` to see the provider's page as it will be published.
  4. Add the provider's description in Markdown below the last --- line (optional).
  5. Commit the file on a new branch and open a pull request; the checklist there asks for the evidence."""
