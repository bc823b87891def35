"""Every setting of site_config.yaml is explained in the README: a new one fails here until it is."""
from __future__ import annotations

from conftest import REPO
from pydantic import BaseModel

from apdirectory.reading.models import SiteConfig


def settings(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted names of every setting that holds a value; vocabularies and search words hold codes."""
    found = []
    for name, field in model.model_fields.items():
        path = prefix + name
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel) and path not in ("vocabularies", "find.search_words"):
            found += settings(kind, path + ".")
        else:
            found.append(path)
    return found


def test_every_setting_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = settings(SiteConfig)
    assert "find.hours_per_week_bands" in names and "vocabularies" in names
    missing = [name for name in names if f"`{name}`" not in readme]
    assert not missing, f"explain these settings in the README: {missing}"
