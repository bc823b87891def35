"""The sample content as the tests see it: read straight from the files with PyYAML, not with
the build's own loader, so that a bug in the loader cannot hide itself."""
from __future__ import annotations

import copy
import functools
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from conftest import REPO


@dataclass
class Doc:
    slug: str
    meta: dict
    body: str


def read(path: Path) -> Doc:
    stat = path.stat()
    return copy.deepcopy(_read(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=None)
def _read(path: Path, mtime_ns: int, size: int) -> Doc:
    """Parsed once per version of a file: browser tests ask for the same providers many times."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return Doc(path.stem, yaml.safe_load(front), body)


def providers(root: Path = REPO) -> list[Doc]:
    return [read(p) for p in sorted((root / "content/providers").glob("*.md"))]


def published(root: Path = REPO) -> list[Doc]:
    return [p for p in providers(root) if p.meta["status"] != "withdrawn"]


def withdrawn(root: Path = REPO) -> list[Doc]:
    return [p for p in providers(root) if p.meta["status"] == "withdrawn"]


def lots(root: Path = REPO) -> list[Doc]:
    return [read(p) for p in sorted((root / "content/lots").glob("*.md"))]


def config(root: Path = REPO) -> dict:
    return yaml.safe_load((root / "site_config.yaml").read_text(encoding="utf-8"))


def as_json(value):
    """A YAML value as JSON holds it: YAML's dates become the YYYY-MM-DD text they were written as."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def leaves(value) -> list:
    """Every scalar inside a YAML value."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def filter_values(provider: Doc, root: Path = REPO, lot_files: dict | None = None) -> dict[str, set[str]]:
    """The "Find a provider" filter values a provider should have, worked out here from its YAML
    (what the README promises), not by the build's facets.py."""
    p = provider.meta
    lot_files = lot_files or {lot.meta["number"]: lot for lot in lots(root)}
    offers = p["lots"]
    modes = {offer.get("mode", "in-person") for offer in offers}
    if "hybrid" in modes:
        modes = (modes - {"hybrid"}) | {"in-person", "online"}
    return {
        "lot": {lot_files[offer["lot"]].slug.removeprefix("lot-") for offer in offers},
        "attendance": {lot_files[offer["lot"]].meta["attendance"] for offer in offers},
        "stage": {stage.lower() for offer in offers for stage in offer["key_stages"]},
        "age": {str(age) for offer in offers for age in range(offer["ages"]["min"], offer["ages"]["max"] + 1)},
        "need": {code.lower() for code in p["needs"]},
        "reason": {code.lower() for code in p["reasons"]},
        "area": {place["area"].lower() for place in p["locations"]},
        "subject": {code.lower() for offer in offers for code in offer.get("subjects", [])},
        "mode": modes,
        "access": {"step-free"} if any(place.get("step_free_access") is True for place in p["locations"]) else set(),
        "registration": {p["registration"]["type"]},
        "referrals": {"yes"} if p["status"] == "active" else set(),
    }


def matching(filters: dict[str, list[str]], root: Path = REPO) -> list[Doc]:
    """Published providers that match: any chosen value within a group, every group chosen. A to Z."""
    lot_files = {lot.meta["number"]: lot for lot in lots(root)}
    found = [p for p in published(root)
             if all(filter_values(p, root, lot_files)[key] & set(values) for key, values in filters.items())]
    return sorted(found, key=lambda p: p.meta["name"].casefold())
