"""Open data: the published directory as providers.json, providers.csv and the JSON Schema of the
JSON, plus the Open Referral UK feed (oruk.py). Built from the validated Directory, never from HTML.

Only the Directory's published providers are read (withdrawn ones are already gone), and
`Provider.internal` is excluded from every model dump, so neither can reach a file here.
Nothing reads the clock: the file's date comes from the content, so two builds are identical.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from apdirectory.reading.load import Entry
from apdirectory.reading.models import CHECK_NAMES, Provider
from apdirectory.site import checks, oruk
from apdirectory.site.directory import Directory
from apdirectory.site.present import REGISTRATION_LABELS

SCHEMA_VERSION = "1.1"  # 1.1: as_of, out_of_date, checks, attendance_reporting, vacancies.current
JSON_PATH = "data/providers.json"
CSV_PATH = "data/providers.csv"
SCHEMA_PATH = "data/providers.schema.json"
SCHEMA_FILE = Path(__file__).with_name("providers.schema.json")
# One small file per provider, for the compare page: three providers are three small downloads,
# never the whole directory.
PROVIDER_FOLDER = "data/providers/"
LICENCE = {"name": "Open Government Licence v3.0",
           "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
LIST_SEPARATOR = "; "
NOT_GIVEN = "not given"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Download:
    path: str  # below the site root
    size: int  # bytes

    @property
    def size_text(self) -> str:
        """1234 -> "1.2 KB": a rough size helps people on slow or metered connections."""
        if self.size < 1000:
            return f"{self.size} bytes"
        if self.size < 1_000_000:
            return f"{self.size / 1000:.1f} KB"
        return f"{self.size / 1_000_000:.1f} MB"


def export_files(directory: Directory) -> dict[str, bytes]:
    """Every open-data file, keyed by site path: the downloads and the ORUK feed."""
    return {**download_files(directory), **oruk.feed_files(directory)}


def data_page_context(directory: Directory, sizes: dict[str, int]) -> dict:
    """What the Data page shows: each download with its size (`sizes`: bytes by site path), and
    the feed's address."""
    csv_file, json_file, schema_file = (Download(path, sizes[path]) for path in (CSV_PATH, JSON_PATH, SCHEMA_PATH))
    return {
        "csv_file": csv_file, "json_file": json_file, "schema_file": schema_file,
        "generated": generated_date(directory),
        "as_of": directory.today,
        "schema_version": SCHEMA_VERSION,
        "licence": LICENCE,
        "feed_url": oruk.feed_base(directory),
        "feed_version": oruk.VERSION,
        "service_count": sum(len(p.data.lots) for p in directory.providers),
        "provider_count": len(directory.providers),
        "page_size": f"{oruk.PAGE_SIZE:,}",
        "example_slug": directory.providers[0].slug if directory.providers else "provider-name",
    }


def download_files(directory: Directory) -> dict[str, bytes]:
    """providers.json, providers.csv and the JSON Schema of providers.json."""
    return {**json_downloads(directory), **csv_download(directory)}


def json_downloads(directory: Directory) -> dict[str, bytes]:
    """providers.json, its JSON Schema, and each provider's record again in a file of its own."""
    document = providers_document(directory)
    return {JSON_PATH: json_bytes(document, indent=None), SCHEMA_PATH: json_bytes(providers_schema(directory)),
            **provider_files(document["providers"])}


def provider_files(records: list[dict]) -> dict[str, bytes]:
    """data/providers/<slug>.json: a provider's record exactly as providers.json has it (the same
    dict, so the two cannot disagree), compact, for the compare page."""
    return {provider_path(record["slug"]): json_bytes(record, indent=None) for record in records}


def provider_path(slug: str) -> str:
    return f"{PROVIDER_FOLDER}{slug}.json"


def csv_download(directory: Directory) -> dict[str, bytes]:
    return {CSV_PATH: providers_csv(directory)}


def json_bytes(value, indent: int | None = 2) -> bytes:
    """UTF-8 JSON with keys in the order the code gives them (always the same); indented to be
    read, or compact (indent=None) for a file programs read: json writes compact JSON with its C
    encoder, indented JSON with its Python one, far slower on a file as large as providers.json."""
    if indent is None:
        return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    return (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode()


def generated_date(directory: Directory) -> dt.date:
    """The newest review in the data, not the build time, so that rebuilding changes nothing."""
    dates = [p.data.last_reviewed for p in directory.providers]
    return max(dates, default=directory.config.framework.last_refreshed)


# --- providers.json ---------------------------------------------------------------------------

def providers_document(directory: Directory) -> dict:
    config = directory.config
    return {
        "schema_version": SCHEMA_VERSION,
        "schema": config.site.base_url + SCHEMA_PATH,
        "generated": generated_date(directory).isoformat(),
        "as_of": directory.today.isoformat(),
        "title": config.site.title,
        "publisher": config.site.council,
        "contact_email": config.site.contact_email,
        "url": config.site.base_url,
        "licence": LICENCE,
        "framework": config.framework.model_dump(mode="json", exclude_none=True),
        "vocabularies": config.vocabularies.model_dump(mode="json"),
        "lots": [_lot_record(directory, lot) for lot in directory.lots],
        "providers": [provider_record(directory, p) for p in directory.providers],
    }


def _lot_record(directory: Directory, lot) -> dict:
    record = {**lot.data.model_dump(mode="json"), "url": directory.config.site.base_url + f"lots/{lot.slug}/"}
    if lot.source.body.strip():
        record["description"] = lot.source.body.strip()
    return record


def provider_record(directory: Directory, entry: Entry[Provider]) -> dict:
    """Every public field of one provider, as the content gives it (internal is excluded by the model)."""
    p = entry.data
    record = {"slug": entry.slug, "url": directory.config.site.base_url + f"providers/{entry.slug}/"}
    record.update(p.model_dump(mode="json", exclude_none=True))
    # As of the build's date: the checks with whether each is due, and whether facts are still current.
    record["out_of_date"] = checks.stale(directory, p)
    record["checks"] = checks.checks_record(directory, p)
    for offer, dumped in zip(p.lots, record["lots"]):
        if offer.vacancies:
            dumped["vacancies"]["current"] = checks.current(directory, offer.vacancies)
    if entry.source.body.strip():
        record["description"] = entry.source.body.strip()
    return record


def providers_schema(directory: Directory) -> dict:
    """The JSON Schema kept beside this module, given its address on this site."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return {"$schema": schema.pop("$schema"), "$id": directory.config.site.base_url + SCHEMA_PATH, **schema}


# --- providers.csv ----------------------------------------------------------------------------

# The checks as the provider page shows them: a registered school's Ofsted inspection in place of the
# national standards (its date is also in last_inspected).
CHECK_COLUMNS = (*CHECK_NAMES, checks.OFSTED)
CSV_COLUMNS = (
    "provider_slug", "provider_name", "provider_page", "summary", "status", "joined", "last_reviewed",
    "legal_name", "company_number", "charity_number", "website",
    "registration_type", "registration_label", "dfe_urn", "ofsted_report", "last_inspected", "quality_assured",
    "out_of_date", *(f"check_{name}{part}" for name in CHECK_COLUMNS for part in ("", "_due")),
    "attendance_reporting",
    "referrals_contact", "referrals_email", "referrals_phone",
    "safeguarding_lead", "safeguarding_lead_phone", "safeguarding_lead_email",
    "location_names", "location_addresses", "location_postcodes", "location_areas", "location_area_labels",
    "location_step_free_access", "location_travel",
    "needs", "need_labels", "reasons", "reason_labels",
    "lot", "lot_title", "offer", "key_stages", "age_min", "age_max", "days", "hours_per_week", "mode",
    "places", "vacancies", "vacancies_as_of", "vacancies_current", "group_size", "price", "price_per",
    "subjects", "subject_labels", "qualifications", "how_to_refer", "description",
)


def providers_csv(directory: Directory) -> bytes:
    """One row per provider per lot offer; UTF-8 with a byte order mark and CRLF, as Excel expects."""
    header = ",".join(CSV_COLUMNS).encode("utf-8-sig")  # plain names, with nothing to quote
    rows = [_rows(directory, entry) for entry in directory.providers]
    return b"".join([header, b"\r\n", *rows])


def _rows(directory: Directory, entry: Entry[Provider]) -> bytes:
    """The provider's rows, each ending with a line break."""
    # A provider's fields are the same on each of its rows, so they are made once.
    provider = _fields(_provider_cells(directory, entry))
    rows = []
    for offer in entry.data.lots:
        row = {**provider, **_fields(_offer_cells(directory, offer))}
        rows.append(",".join([row[column] for column in CSV_COLUMNS]) + "\r\n")
    return "".join(rows).encode()


def _fields(cells: dict) -> dict:
    """Each cell's value as its field in the file."""
    return {column: _quoted(_cell(value)) for column, value in cells.items()}


def _provider_cells(directory: Directory, entry: Entry[Provider]) -> dict:
    p, vocab = entry.data, directory.config.vocabularies
    org, reg, referrals, lead = p.organisation, p.registration, p.contact.referrals, p.contact.safeguarding_lead
    places = p.locations
    return {
        "provider_slug": entry.slug, "provider_name": p.name,
        "provider_page": directory.config.site.base_url + f"providers/{entry.slug}/",
        "summary": p.summary, "status": p.status, "joined": p.joined, "last_reviewed": p.last_reviewed,
        "legal_name": org.legal_name, "company_number": org.company_number,
        "charity_number": org.charity_number, "website": org.website,
        "registration_type": reg.type, "registration_label": REGISTRATION_LABELS[reg.type],
        "dfe_urn": reg.dfe_urn, "ofsted_report": reg.ofsted_report, "last_inspected": reg.last_inspected,
        "quality_assured": p.quality_assured, "out_of_date": _yes_no(checks.stale(directory, p)),
        **_check_cells(directory, p), "attendance_reporting": p.attendance_reporting,
        "referrals_contact": referrals.name, "referrals_email": referrals.email, "referrals_phone": referrals.phone,
        "safeguarding_lead": lead.name, "safeguarding_lead_phone": lead.phone, "safeguarding_lead_email": lead.email,
        "location_names": [place.name for place in places],
        "location_addresses": [", ".join(place.address) for place in places],
        "location_postcodes": [place.postcode for place in places],
        "location_areas": [place.area for place in places],
        "location_area_labels": [vocab.areas[place.area] for place in places],
        "location_step_free_access": [_yes_no(place.step_free_access) for place in places],
        "location_travel": [place.travel or NOT_GIVEN for place in places],
        "needs": p.needs, "need_labels": [vocab.needs[code] for code in p.needs],
        "reasons": p.reasons, "reason_labels": [vocab.reasons[code] for code in p.reasons],
        "how_to_refer": p.how_to_refer, "description": entry.source.body.strip(),
    }


def _check_cells(directory: Directory, p: Provider) -> dict:
    """check_<name>: the date last confirmed; check_<name>_due: yes, no, or not recorded (both empty
    where the check does not apply: the national standards to a school, Ofsted to other provision)."""
    cells = {f"check_{name}{part}": None for name in CHECK_COLUMNS for part in ("", "_due")}
    for check in checks.provider_checks(directory, p):
        cells[f"check_{check.key}"] = check.date
        cells[f"check_{check.key}_due"] = "not recorded" if check.date is None else _yes_no(check.due)
    return cells


def _offer_cells(directory: Directory, offer) -> dict:
    vacancies, price = offer.vacancies, offer.price
    return {
        "lot": offer.lot, "lot_title": directory.lot(offer.lot).data.title, "offer": offer.offer,
        "key_stages": offer.key_stages, "age_min": offer.ages.min, "age_max": offer.ages.max,
        "days": offer.days, "hours_per_week": f"{offer.hours_per_week:g}", "mode": offer.mode,
        "places": offer.places, "vacancies": vacancies.count if vacancies else None,
        "vacancies_as_of": vacancies.as_of if vacancies else None,
        "vacancies_current": _yes_no(checks.current(directory, vacancies)) if vacancies else None, "group_size": offer.group_size,
        "price": f"{price.amount:.2f}" if price else None, "price_per": price.per if price else None,
        "subjects": offer.subjects,
        "subject_labels": [directory.config.vocabularies.subjects[code] for code in offer.subjects],
        "qualifications": offer.qualifications,
    }


def _yes_no(value: bool | None) -> str:
    return NOT_GIVEN if value is None else ("yes" if value else "no")


def _cell(value) -> str:
    """One CSV cell: lists joined, dates as YYYY-MM-DD, nothing for no value, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # A leading apostrophe makes a spreadsheet show the cell as text instead of running it.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _quoted(text: str) -> str:
    """A field as csv.writer's excel dialect writes it (RFC 4180): quoted if it holds a comma, a quote
    or a line break, with its quotes doubled. Made with str methods because csv.writer, copying the
    long descriptions a character at a time, took several times as long."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text
