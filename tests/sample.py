"""The sample content as the tests see it: read straight from the files with PyYAML, not with
the build's own loader, so that a bug in the loader cannot hide itself."""
from __future__ import annotations

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


def leaves(value) -> list:
    """Every scalar inside a YAML value."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]
