"""The content model (../shared/CONTENT_MODEL.md) as pydantic models.

Single fields are checked here; rules that span fields or files (vocabulary codes, lot numbers,
ages against key stages, dates in the future) live in rules.py, which knows the whole directory.
Text fields are strict: YAML turns `0161...`, `no` or `2023-01-01` into numbers, booleans and
dates, and silently coercing them back would publish the wrong value.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

KEY_STAGES = ("KS1", "KS2", "KS3", "KS4", "KS5")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REGISTERED_SCHOOL_TYPES = ("independent-school", "ap-academy", "pru")

KeyStage = Literal["KS1", "KS2", "KS3", "KS4", "KS5"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
RegistrationType = Literal["independent-school", "ap-academy", "pru", "fe-college", "unregistered", "not-required"]
Status = Literal["active", "paused", "withdrawn"]
Mode = Literal["in-person", "online", "hybrid"]
PricePer = Literal["hour", "session", "day", "week", "term"]
Attendance = Literal["full-time", "part-time"]


def _checked(pattern: str, what: str, example: str, transform=None):
    """A validator for text that must match `pattern`, failing with a plain-English message."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not isinstance(value, str):
            return value  # the strict str type reports the wrong type
        if transform:
            value = transform(value)
        if not regex.fullmatch(value):
            raise PydanticCustomError("format", "'{value}' is not {what} (for example {example})",
                                      {"value": value, "what": what, "example": example})
        return value

    return BeforeValidator(check)


def _iso_date(value: Any) -> Any:
    """Accept a YAML date or an ISO date in quotes; refuse numbers, which pydantic reads as timestamps."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date", "'{value}' has a time; give the date alone, as YYYY-MM-DD",
                                  {"value": value.isoformat()})
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "'{value}' is not a date (write it as YYYY-MM-DD, for example 2026-03-12)",
                              {"value": str(value)})


def _postcode(value: str) -> str:
    value = " ".join(value.upper().split())
    if " " not in value and len(value) >= 5:  # "BL90AA" -> "BL9 0AA"
        value = value[:-3] + " " + value[-3:]
    return value


NOT_BLANK = r"\S"  # at least one character that is not a space: "   " is as empty as ""
Text = Annotated[str, Strict(), Field(min_length=1, pattern=NOT_BLANK)]
PlainSummary = Annotated[str, Strict(), Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Markdown = Annotated[str, Strict(), Field(min_length=1, pattern=NOT_BLANK)]
Code = Annotated[str, Strict(), Field(min_length=1, pattern=NOT_BLANK)]
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
WholeNumber = Annotated[int, Strict()]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]  # YAML reads .inf and .nan as numbers
Email = Annotated[str, Strict(), _checked(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", "an email address",
                                          "referrals@provider.example.org")]
Phone = Annotated[str, Strict(), _checked(r"(\+44 ?|0)[0-9 ]{9,12}", "a UK phone number",
                                          "\"0161 496 0000\"")]
HttpsUrl = Annotated[str, Strict(), _checked(r"https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/\S*)?",
                                             "a web address starting https://",
                                             "https://provider.example.org")]
Postcode = Annotated[str, Strict(), _checked(
    r"(GIR 0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW]) [0-9][ABD-HJLNP-UW-Z]{2})",
    "a UK postcode", "BL9 0AA", transform=_postcode)]
Urn = Annotated[str, Strict(), _checked(r"\d{6}", "a DfE URN, which is 6 digits", "\"123456\"")]
CompanyNumber = Annotated[str, Strict(), _checked(r"[A-Z0-9]{8}", "a company number, which is 8 characters",
                                                  "\"01234567\"")]
CharityNumber = Annotated[str, Strict(), _checked(r"(SC|NI)?[0-9]{6,7}(-[0-9]+)?", "a charity number",
                                                  "\"1123456\"")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- site_config.yaml ---------------------------------------------------------------------

class SiteSettings(Model):
    title: Text
    council: Text
    base_url: Annotated[HttpsUrl, Field(pattern=r".*/$", description="Absolute address of the site, ending with /")]
    contact_email: Email
    language: Annotated[str, Strict(), Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-GB"


class Framework(Model):
    name: Text
    reference: Text
    started: Date
    last_refreshed: Date = Field(description="The date the framework was last reopened to providers")
    next_refresh: Date | None = None


class Review(Model):
    max_age_months: Annotated[WholeNumber, Field(ge=1, le=120)] = Field(
        description="Entries not reviewed for longer are flagged by `check`")
    quality_assurance_max_age_months: Annotated[WholeNumber, Field(ge=1, le=120)] | None = Field(
        None, description="Flag providers whose last quality-assurance visit is older than this")
    inspection_max_age_months: Annotated[WholeNumber, Field(ge=1, le=240)] | None = Field(
        None, description="Flag providers whose last Ofsted inspection is older than this")


Vocabulary = dict[Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9-]+$")], Text]


class Vocabularies(Model):
    needs: Vocabulary
    reasons: Vocabulary
    areas: Vocabulary
    subjects: Vocabulary


class SiteConfig(Model):
    site: SiteSettings
    framework: Framework
    review: Review
    vocabularies: Vocabularies


# --- content/lots/lot-<n>-<slug>.md -------------------------------------------------------

class Lot(Model):
    number: Annotated[WholeNumber, Field(ge=1, le=99)]
    title: Text
    summary: PlainSummary
    key_stages: Annotated[list[KeyStage], Field(min_length=1)]
    attendance: Attendance


# --- content/providers/<slug>.md ----------------------------------------------------------

class Organisation(Model):
    legal_name: Text
    company_number: CompanyNumber | None = None
    charity_number: CharityNumber | None = None
    website: HttpsUrl | None = None


class Registration(Model):
    type: RegistrationType
    dfe_urn: Urn | None = Field(None, description="Required for independent-school, ap-academy and pru")
    ofsted_report: HttpsUrl | None = None
    last_inspected: Date | None = None


class ReferralContact(Model):
    name: Text = Field(description="A team or role, such as Referrals team")
    email: Email | None = None
    phone: Phone | None = None


class SafeguardingLead(Model):
    name: Text = Field(description="The designated safeguarding lead")
    phone: Phone
    email: Email | None = None


class Contacts(Model):
    referrals: ReferralContact
    safeguarding_lead: SafeguardingLead


class Location(Model):
    name: Text
    address: Annotated[list[Text], Field(min_length=1)]
    postcode: Postcode
    area: Code
    step_free_access: Annotated[bool, Strict()] | None = None
    travel: Text | None = None


class Ages(Model):
    min: Annotated[WholeNumber, Field(ge=2, le=25)]
    max: Annotated[WholeNumber, Field(ge=2, le=25)]


class Vacancies(Model):
    count: Annotated[WholeNumber, Field(ge=0)]
    as_of: Date


class Price(Model):
    amount: Annotated[Number, Field(ge=0)]
    per: PricePer


class LotOffer(Model):
    lot: WholeNumber
    offer: Markdown
    key_stages: Annotated[list[KeyStage], Field(min_length=1)]
    ages: Ages
    days: Annotated[list[Day], Field(min_length=1)]
    hours_per_week: Annotated[Number, Field(gt=0, le=60)]
    mode: Mode = "in-person"
    places: Annotated[WholeNumber, Field(ge=0)] | None = None
    vacancies: Vacancies | None = None
    group_size: Annotated[WholeNumber, Field(ge=1)] | None = None
    price: Price | None = None
    subjects: list[Code] = []
    qualifications: list[Text] = []


class Provider(Model):
    name: Text
    summary: PlainSummary
    status: Status
    joined: Date
    last_reviewed: Date
    organisation: Organisation
    registration: Registration
    quality_assured: Date | None = None
    contact: Contacts
    locations: Annotated[list[Location], Field(min_length=1)]
    how_to_refer: Markdown | None = None
    needs: Annotated[list[Code], Field(min_length=1)]
    reasons: Annotated[list[Code], Field(min_length=1)]
    lots: Annotated[list[LotOffer], Field(min_length=1)]
    # Never published: excluded from every dump, and no template or export reads it.
    internal: dict[str, Any] | None = Field(None, exclude=True, repr=False)


# --- content/pages/<slug>.md and content/glossary.yaml ------------------------------------

class Page(Model):
    title: Text
    summary: PlainSummary | None = None
    order: WholeNumber = 100


class GlossaryEntry(Model):
    term: Text
    meaning: Text
    abbr: Text | None = None


class Glossary(Model):
    entries: list[GlossaryEntry]
