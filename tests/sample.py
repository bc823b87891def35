"""The sample content as the tests see it: read straight from the files with PyYAML, not with
the build's own loader, so that a bug in the loader cannot hide itself."""
from __future__ import annotations

import copy
import datetime as dt
import functools
import re
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


def glossary(root: Path = REPO) -> list[dict]:
    return yaml.safe_load((root / "content" / "glossary.yaml").read_text(encoding="utf-8"))


def without_meanings(text: str, root: Path = REPO) -> str:
    """Page text without the meanings written after abbreviations at their first use on a page:
    "GCSE (General Certificate of Secondary Education) maths" -> "GCSE maths", and
    "(KS3, Key stage 3)" -> "(KS3)"."""
    terms = "|".join(map(re.escape, [entry["term"] for entry in glossary(root) if entry.get("abbr")]))
    return re.sub(rf" \((?:{terms})\)|, (?:{terms})(?=\))", "", text)


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


OFFER_KEYS = ("lot", "attendance", "stage", "age", "day", "hours", "mode", "subject")  # facts of one offer


def hours_value(hours: float, root: Path = REPO) -> str:
    """The hours-a-week choice an offer falls in, from find.hours_per_week_bands in site_config.yaml."""
    bands = _bands(root / "site_config.yaml", (root / "site_config.yaml").stat().st_mtime_ns)
    if hours <= bands[0]:
        return f"up-to-{bands[0]}"
    for low, high in zip(bands, bands[1:]):
        if low < hours <= high:
            return f"{low}-to-{high}"
    return f"over-{bands[-1]}"


@functools.lru_cache(maxsize=None)
def _bands(path: Path, mtime_ns: int) -> tuple[int, ...]:
    return tuple(yaml.safe_load(path.read_text(encoding="utf-8")).get("find", {}).get("hours_per_week_bands", [10, 20]))


def offer_values(offer: dict, lot_files: dict, root: Path = REPO) -> dict[str, set[str]]:
    """The filter values of one lot offer, worked out here from its YAML (what the README promises)."""
    mode = offer.get("mode", "in-person")
    return {
        "lot": {lot_files[offer["lot"]].slug.removeprefix("lot-")},
        "attendance": {lot_files[offer["lot"]].meta["attendance"]},
        "stage": {stage.lower() for stage in offer["key_stages"]},
        "age": {str(age) for age in range(offer["ages"]["min"], offer["ages"]["max"] + 1)},
        "day": set(offer["days"]),
        "hours": {hours_value(offer["hours_per_week"], root)},
        "mode": {"in-person", "online"} if mode == "hybrid" else {mode},
        "subject": {code.lower() for code in offer.get("subjects", [])},
    }


def provider_values(provider: Doc) -> dict[str, set[str]]:
    """The filter values that are facts of the provider as a whole."""
    p = provider.meta
    return {
        "need": {code.lower() for code in p["needs"]},
        "reason": {code.lower() for code in p["reasons"]},
        "area": {place["area"].lower() for place in p["locations"]},
        "access": {"step-free"} if any(place.get("step_free_access") is True for place in p["locations"]) else set(),
        "registration": {p["registration"]["type"]},
        "referrals": {"yes"} if p["status"] == "active" else set(),
    }


def _lot_files(root: Path) -> dict:
    return {lot.meta["number"]: lot for lot in lots(root)}


def filter_values(provider: Doc, root: Path = REPO, lot_files: dict | None = None) -> dict[str, set[str]]:
    """Every filter value a provider has in any of its offers, or as a whole."""
    lot_files = lot_files or _lot_files(root)
    values = {key: set() for key in OFFER_KEYS}
    for offer in provider.meta["lots"]:
        for key, found in offer_values(offer, lot_files, root).items():
            values[key] |= found
    return {**values, **provider_values(provider)}


def matched_offers(provider: Doc, filters: dict[str, list[str]], root: Path = REPO,
                   lot_files: dict | None = None) -> list[int]:
    """The offers (their places in `lots`) that meet every chosen offer filter, if the provider meets
    every chosen provider filter: any chosen value within a group will do."""
    lot_files = lot_files or _lot_files(root)
    whole = provider_values(provider)
    if not all(whole[key] & set(values) for key, values in filters.items() if key not in OFFER_KEYS):
        return []
    return [index for index, offer in enumerate(provider.meta["lots"])
            if all(offer_values(offer, lot_files, root)[key] & set(values)
                   for key, values in filters.items() if key in OFFER_KEYS)]


def matching(filters: dict[str, list[str]], root: Path = REPO) -> list[Doc]:
    """Published providers with an offer that meets every filter chosen (the offer rule), A to Z."""
    lot_files = _lot_files(root)
    found = [p for p in published(root) if matched_offers(p, filters, root, lot_files)]
    return sorted(found, key=lambda p: p.meta["name"].casefold())


# --- how current each fact is, as of a build's date (worked out here, apart from the build's own code) ---

CHECK_KEYS = ("safeguarding_checks", "safeguarding_lead_trained", "insurance", "policies", "health_and_safety",
              "national_standards")
REGISTERED_SCHOOLS = ("independent-school", "ap-academy", "pru")


def months_later(date: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day if it has no such day."""
    year, month = divmod(date.month - 1 + months, 12)
    year, month = date.year + year, month + 1
    for day in range(date.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, date.day)


def older_than(date: dt.date, months: int, today: dt.date) -> bool:
    return months_later(date, months) < today


def review_setting(name: str, default, root: Path = REPO):
    return config(root)["review"].get(name, default)


def out_of_date(doc: Doc, today: dt.date, root: Path = REPO) -> bool:
    return older_than(doc.meta["last_reviewed"], config(root)["review"]["max_age_months"], today)


def vacancies_current(vacancies: dict, today: dt.date, root: Path = REPO) -> bool:
    days = review_setting("vacancies_max_age_days", 28, root)
    return (today - vacancies["as_of"]).days <= days


def expected_checks(doc: Doc, today: dt.date, root: Path = REPO) -> dict[str, tuple]:
    """key -> (date or None, due, state), as the provider page and providers.json should give them:
    a registered school's Ofsted inspection stands in place of the national standards."""
    months = review_setting("checks_max_age_months", 12, root)
    given = doc.meta.get("checks") or {}
    found = {}
    for key in CHECK_KEYS:
        date = given.get(key)
        due_months = months
        if key == "national_standards" and doc.meta["registration"]["type"] in REGISTERED_SCHOOLS:
            key, date = "ofsted_inspection", doc.meta["registration"].get("last_inspected")
            due_months = review_setting("inspection_max_age_months", None, root)
        due = bool(date and due_months and older_than(date, due_months, today))
        found[key] = (date, due, "not recorded" if date is None else ("due" if due else "recent"))
    return found
