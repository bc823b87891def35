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

from apdirectory.reading.invisible import text_problem

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
PLACEHOLDER = "FILL IN"  # what `build.py new` writes where a value is still to be given


def _checked(pattern: str, what: str, example: str, transform=None):
    """A validator for text that must match `pattern`, failing with a plain-English message."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not isinstance(value, str):
            return value  # the strict str type reports the wrong type
        _refuse_invisible(value, long_text=False)  # first: a hidden character is why a value that looks right fails
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


def _not_placeholder(value: Any) -> Any:
    """Refuse text still holding the placeholder from `build.py new`, which would otherwise pass as text."""
    if isinstance(value, str) and value.startswith(PLACEHOLDER):
        raise PydanticCustomError("placeholder", "still says '{value}': replace it with the real value",
                                  {"value": value})
    return value


def _postcode(value: str) -> str:
    value = " ".join(value.upper().split())
    if " " not in value and len(value) >= 5:  # "BL90AA" -> "BL9 0AA"
        value = value[:-3] + " " + value[-3:]
    return value


def _refuse_invisible(value: Any, long_text: bool) -> Any:
    """Refuse invisible characters and those XML forbids (invisible.py says which, and why)."""
    problem = text_problem(value, long_text) if isinstance(value, str) else None
    if problem:
        raise PydanticCustomError("invisible", problem)
    return value


# On every text type, last in its Annotated so that it runs first: a hidden character is what to fix.
Visible = BeforeValidator(lambda value: _refuse_invisible(value, long_text=False))
VisibleLong = BeforeValidator(lambda value: _refuse_invisible(value, long_text=True))
NOT_BLANK = r"\S"  # at least one character that is not a space: "   " is as empty as ""
NotPlaceholder = BeforeValidator(_not_placeholder)
Text = Annotated[str, Strict(), Field(min_length=1, pattern=NOT_BLANK), NotPlaceholder, Visible]
PlainSummary = Annotated[str, Strict(), Field(min_length=1, max_length=200, pattern=NOT_BLANK), NotPlaceholder,
                         Visible]
# Far above any real entry (the longest sample text is under 1,000 characters), and low enough
# that no text can make the pages slow to build or to read.
MAX_MARKDOWN_CHARACTERS = 10_000
MAX_DESCRIPTION_CHARACTERS = 30_000
Markdown = Annotated[str, Strict(), Field(min_length=1, max_length=MAX_MARKDOWN_CHARACTERS, pattern=NOT_BLANK),
                     NotPlaceholder, VisibleLong]
Code = Annotated[str, Strict(), Field(min_length=1, pattern=NOT_BLANK), NotPlaceholder, Visible]
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
GitHubRepository = Annotated[str, Strict(), _checked(r"https://github\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+",
                                                     "a GitHub repository's address",
                                                     "https://github.com/bury-council/ap-directory")]
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
    repository: GitHubRepository | None = Field(None, description=(
        "Optional: the content's GitHub repository, such as https://github.com/bury-council/ap-directory: "
        "\"Report a mistake in this entry\" opens its change-an-entry form (without it, an email to contact_email)"))


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
    checks_max_age_months: Annotated[WholeNumber, Field(ge=1, le=120)] = Field(
        12, description="A check older than this is shown as due, and warned by `check`")
    vacancies_max_age_days: Annotated[WholeNumber, Field(ge=1, le=365)] = Field(
        28, description="Vacancies counted longer ago are shown as possibly out of date, and not as current")


class RegistrationSettings(Model):
    full_time_hours: Annotated[Number, Field(gt=0, le=60)] = Field(
        18, description=("An unregistered or not-required provider offering this many hours a week or more in "
                         "any offer gets a warning: it may need to register as an independent school"))


Vocabulary = dict[Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9-]+$")], Text]


class Vocabularies(Model):
    needs: Vocabulary
    reasons: Vocabulary
    areas: Vocabulary
    subjects: Vocabulary


SearchWords = dict[Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9-]+$")], list[Text]]


class SearchWordsByVocabulary(Model):
    """Other words people type for a code, such as autism for ASD: each finds the providers with that code."""
    needs: SearchWords = Field(default_factory=dict)
    reasons: SearchWords = Field(default_factory=dict)
    areas: SearchWords = Field(default_factory=dict)
    subjects: SearchWords = Field(default_factory=dict)


class FindSettings(Model):
    hours_per_week_bands: Annotated[list[Annotated[WholeNumber, Field(ge=1, le=60)]], Field(min_length=1)] = Field(
        default_factory=lambda: [10, 20], description=(
            "The upper ends of the hours-a-week choices on Find a provider: [10, 20] gives "
            "up to 10, over 10 and up to 20, and over 20 hours a week"))
    search_words: SearchWordsByVocabulary = Field(default_factory=SearchWordsByVocabulary)


class SiteConfig(Model):
    site: SiteSettings
    framework: Framework
    review: Review
    registration: RegistrationSettings = Field(default_factory=RegistrationSettings)
    vocabularies: Vocabularies
    find: FindSettings = Field(default_factory=FindSettings)


# --- content/lots/lot-<n>-<slug>.md -------------------------------------------------------

class Lot(Model):
    number: Annotated[WholeNumber, Field(ge=1, le=99)] = Field(
        description="The lot's number, 1 to 99, the same as in the file name")
    title: Text = Field(description="The lot's name, such as Part-time vocational provision")
    summary: PlainSummary = Field(description="One plain-text sentence, at most 200 characters")
    key_stages: Annotated[list[KeyStage], Field(min_length=1)] = Field(
        description="The key stages the lot is for, such as [KS3, KS4]")
    attendance: Attendance = Field(description="full-time or part-time")


# --- content/providers/<slug>.md ----------------------------------------------------------

# The descriptions below are what editors show from the JSON Schema (`build.py schema`).

class Organisation(Model):
    legal_name: Text = Field(description="The organisation's registered legal name")
    company_number: CompanyNumber | None = Field(
        None, description="Optional: the Companies House number, 8 characters, in quotes")
    charity_number: CharityNumber | None = Field(
        None, description="Optional: the Charity Commission number, in quotes")
    website: HttpsUrl | None = Field(None, description="Optional: the provider's website, starting https://")


class Registration(Model):
    type: RegistrationType = Field(description="independent-school, ap-academy and pru are registered schools; "
                                   "or fe-college, unregistered, not-required")
    dfe_urn: Urn | None = Field(None, description="Required for independent-school, ap-academy and pru")
    ofsted_report: HttpsUrl | None = Field(None, description="Optional: a link to the latest Ofsted report")
    last_inspected: Date | None = Field(None, description="Optional: the date of the last Ofsted inspection")


class ReferralContact(Model):
    name: Text = Field(description="A team or role, such as Referrals team")
    email: Email | None = Field(None, description="The email address for referrals (give email, phone or both)")
    phone: Phone | None = Field(None, description="The phone number for referrals, in quotes")


class SafeguardingLead(Model):
    name: Text = Field(description="The designated safeguarding lead")
    phone: Phone = Field(description="The safeguarding lead's phone number, in quotes")
    email: Email | None = Field(None, description="Optional: the safeguarding lead's email address")


class Contacts(Model):
    referrals: ReferralContact = Field(description="Who schools contact to refer a pupil")
    safeguarding_lead: SafeguardingLead = Field(description="The designated safeguarding lead")


class Location(Model):
    name: Text = Field(description="A name for the place, such as Main site")
    address: Annotated[list[Text], Field(min_length=1)] = Field(
        description="The address without the postcode, one line per item")
    postcode: Postcode = Field(description="A UK postcode, such as BL9 0AA")
    area: Code = Field(description="The area's code, from vocabularies.areas in site_config.yaml")
    step_free_access: Annotated[bool, Strict()] | None = Field(
        None, description="Optional: true if there is step-free access, false if not")
    travel: Text | None = Field(None, description="Optional: how to get there")


class Ages(Model):
    min: Annotated[WholeNumber, Field(ge=2, le=25)] = Field(description="The youngest pupil's age")
    max: Annotated[WholeNumber, Field(ge=2, le=25)] = Field(description="The oldest pupil's age")


class Vacancies(Model):
    count: Annotated[WholeNumber, Field(ge=0)] = Field(description="How many places are free")
    as_of: Date = Field(description="The date they were counted")


class Price(Model):
    amount: Annotated[Number, Field(ge=0)] = Field(description="The price in pounds, such as 95.00")
    per: PricePer = Field(description="hour, session, day, week or term")


class LotOffer(Model):
    lot: WholeNumber = Field(description="The lot's number; a file content/lots/lot-<number>-....md must exist")
    offer: Markdown = Field(description="What the provider offers on this lot, in Markdown")
    key_stages: Annotated[list[KeyStage], Field(min_length=1)] = Field(
        description="The key stages taught, among the lot's key stages")
    ages: Ages = Field(description="The pupils' ages, such as {min: 11, max: 16}")
    days: Annotated[list[Day], Field(min_length=1)] = Field(description="The days taught, such as [mon, wed]")
    hours_per_week: Annotated[Number, Field(gt=0, le=60)] = Field(description="Hours a week for each pupil")
    mode: Mode = Field("in-person", description="Optional: in-person (the default), online or hybrid")
    places: Annotated[WholeNumber, Field(ge=0)] | None = Field(
        None, description="Optional: how many pupils the provider can take on this lot")
    vacancies: Vacancies | None = Field(None, description="Optional: free places and the date they were counted")
    group_size: Annotated[WholeNumber, Field(ge=1)] | None = Field(
        None, description="Optional: the largest teaching group")
    price: Price | None = Field(None, description="Optional: the price, such as {amount: 95.00, per: day}")
    subjects: list[Code] = Field(
        default_factory=list, description="Optional: subject codes, from vocabularies.subjects in site_config.yaml")
    qualifications: list[Text] = Field(
        default_factory=list, description="Optional: qualifications pupils can work towards")


class Checks(Model):
    """What the council has verified, each the date it last saw the evidence (DfE's "Arranging alternative
    provision", February 2025, and the voluntary national standards for non-school AP, August 2025)."""
    safeguarding_checks: Date | None = Field(
        None, description="Optional: the date you saw enhanced DBS checks recorded on a single central record")
    safeguarding_lead_trained: Date | None = Field(
        None, description="Optional: the date you saw that the designated safeguarding lead's training is current")
    insurance: Date | None = Field(
        None, description="Optional: the date you saw employer's and public liability insurance certificates")
    policies: Date | None = Field(
        None, description="Optional: the date you saw the safeguarding, behaviour, complaints and "
        "health and safety policies")
    health_and_safety: Date | None = Field(
        None, description="Optional: the date you saw the premises risk assessment and fire arrangements")
    national_standards: Date | None = Field(
        None, description="Optional: the date the provider was assessed against the voluntary national "
        "standards for non-school alternative provision (not for registered schools)")


CHECK_NAMES = tuple(Checks.model_fields)


class Provider(Model):
    name: Text = Field(description="The provider's name as families know it")
    summary: PlainSummary = Field(description="One plain-text sentence, at most 200 characters, shown in lists")
    status: Status = Field(description="active; paused (shown as not taking referrals); "
                           "or withdrawn (published nowhere, listed only as having left)")
    status_changed: Date | None = Field(None, description=(
        "The date the status last changed: when the provider was paused, withdrawn or began taking "
        "referrals again. The What's changed page needs it for paused and withdrawn providers"))
    joined: Date = Field(description="The date the provider was admitted to the framework")
    last_reviewed: Date = Field(description="The date the council last checked this entry with the provider")
    organisation: Organisation = Field(description="The organisation that runs the provision")
    registration: Registration = Field(description="How the provision is registered, and its Ofsted inspection")
    quality_assured: Date | None = Field(
        None, description="Optional: the date of the council's last quality-assurance visit")
    checks: Checks = Field(default_factory=Checks, description=(
        "Optional: what the council has verified, each with the date it last saw the evidence"))
    attendance_reporting: Annotated[str, Strict(), Field(min_length=1, max_length=300, pattern=NOT_BLANK),
                                    NotPlaceholder, Visible] | None = Field(
        None, description="Optional: how the provider tells the school about attendance, in plain text, "
        "at most 300 characters")
    contact: Contacts = Field(description="Who to contact about referrals and safeguarding")
    locations: Annotated[list[Location], Field(min_length=1)] = Field(
        description="Where pupils are taught: one or more places")
    how_to_refer: Markdown | None = Field(None, description="Optional: how to refer a pupil, in Markdown")
    needs: Annotated[list[Code], Field(min_length=1)] = Field(
        description="The needs the provider can meet: codes from vocabularies.needs in site_config.yaml")
    reasons: Annotated[list[Code], Field(min_length=1)] = Field(
        description="The reasons for placement it takes: codes from vocabularies.reasons in site_config.yaml")
    lots: Annotated[list[LotOffer], Field(min_length=1)] = Field(
        description="One entry for each lot the provider is on")
    # Never published: excluded from every dump, and no template or export reads it.
    internal: dict[str, Any] | None = Field(
        None, exclude=True, repr=False, description="Optional: notes for the council only, never published")


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
