"""What the council has checked about a provider, and how current each fact is, as of the build's date.

Plain data for the provider page, the open data and the feed, so that they all say the same thing:
each check with what was seen, the date it was last confirmed, and whether it is due again; whether
the whole entry is out of date; whether vacancies are recent enough to count as current.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlencode

from apdirectory.checking.ages import (
    entry_stale,
    is_registered_school,
    older_than_months,
    vacancies_current,
)
from apdirectory.reading.load import Entry
from apdirectory.reading.models import CHECK_NAMES, Provider, Vacancies
from apdirectory.site.directory import Directory

State = Literal["recent", "due", "not recorded"]
OFSTED = "ofsted_inspection"  # stands where national_standards would, for a registered school
ISSUE_FORM = "change-an-entry.yml"  # in .github/ISSUE_TEMPLATE/
ISSUE_FORM_FIELD = "provider"  # the id of its "Provider" field
ISSUE_TITLE = "Change an entry: "  # the form's own title, which the provider's name completes

# key -> (label, what the council saw, in plain English)
CHECKS = {
    "safeguarding_checks": ("Staff safeguarding checks",
                            "Enhanced DBS (Disclosure and Barring Service) checks for staff, recorded on a "
                            "single central record"),
    "safeguarding_lead_trained": ("Safeguarding lead's training",
                                  "The designated safeguarding lead's safeguarding training is up to date"),
    "insurance": ("Insurance", "Certificates of employer's liability and public liability insurance"),
    "policies": ("Policies", "Safeguarding, behaviour, complaints, and health and safety policies"),
    "health_and_safety": ("Health and safety", "A risk assessment of the premises, and the fire safety arrangements"),
    "national_standards": ("National standards",
                           "Assessed against the Department for Education's voluntary national standards for "
                           "alternative provision that is not a school"),
    OFSTED: ("Ofsted inspection", "Inspected by Ofsted as a registered school (Ofsted inspects registered "
             "schools, so the national standards for other provision do not apply)"),
}
assert set(CHECK_NAMES) <= set(CHECKS)


@dataclass(frozen=True)
class Check:
    key: str  # a field of checks:, or "ofsted_inspection"
    label: str
    seen: str  # what the council saw, in plain English
    date: dt.date | None  # when it was last confirmed; None: not recorded
    due: bool  # older than the configured age: to be checked again

    @property
    def state(self) -> State:
        return "not recorded" if self.date is None else ("due" if self.due else "recent")


def provider_checks(directory: Directory, provider: Provider) -> list[Check]:
    """Every check in the order of the content model; a registered school's Ofsted inspection
    in the place of the national standards."""
    review, today = directory.config.review, directory.today
    found = []
    for key in CHECK_NAMES:
        if key == "national_standards" and is_registered_school(provider):
            inspected = provider.registration.last_inspected
            months = review.inspection_max_age_months
            due = bool(inspected and months and older_than_months(inspected, months, today))
            found.append(Check(OFSTED, *CHECKS[OFSTED], inspected, due))
            continue
        date = getattr(provider.checks, key)
        due = bool(date and older_than_months(date, review.checks_max_age_months, today))
        found.append(Check(key, *CHECKS[key], date, due))
    return found


def checks_record(directory: Directory, provider: Provider) -> dict:
    """The checks as providers.json gives them: key -> label, date, whether due, state."""
    return {check.key: {"label": check.label, "date": check.date.isoformat() if check.date else None,
                        "due": check.due, "state": check.state}
            for check in provider_checks(directory, provider)}


def stale(directory: Directory, provider: Provider) -> bool:
    """Whether the entry was last checked longer ago than review.max_age_months."""
    return entry_stale(provider, directory.config.review, directory.today)


def current(directory: Directory, vacancies: Vacancies | None) -> bool:
    """Whether vacancies were counted recently enough to be taken as current."""
    return vacancies_current(vacancies, directory.config.review, directory.today)


def report_mistake_url(directory: Directory, entry: Entry[Provider]) -> str:
    """The repository's change-an-entry issue form with the provider's name filled in (issue forms
    take a field's value from the address, by its id); without a repository, an email to the council."""
    site, name = directory.config.site, entry.data.name
    if site.repository:
        query = urlencode({"template": ISSUE_FORM, "title": ISSUE_TITLE + name, ISSUE_FORM_FIELD: name},
                          quote_via=quote)
        return f"{site.repository.rstrip('/')}/issues/new?{query}"
    return f"mailto:{site.contact_email}?" + urlencode({"subject": f"A mistake in the entry for {name}"},
                                                       quote_via=quote)
