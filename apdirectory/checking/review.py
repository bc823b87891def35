"""Review planning: published providers whose Ofsted inspection, council quality-assurance visit or
checks (safeguarding, insurance, policies...) are older than site_config.yaml's review ages, or
missing, so the council can plan its visits.

These are warnings, like the entry review age that rules.py checks; `check` lists them all under
"Due for review", one provider at a time, and `check --strict` makes them fail.
"""
from __future__ import annotations

import datetime as dt

from apdirectory.checking.problems import Problem
from apdirectory.checking.ages import inspected_by_nobody, is_registered_school, older_than_months
from apdirectory.reading.load import Content, Entry
from apdirectory.reading.models import CHECK_NAMES, Provider

# The fields whose age makes a provider due for review (as Problem.field names them).
REVIEW_FIELDS = ("last_reviewed", "registration.last_inspected", "quality_assured",
                 *(f"checks.{name}" for name in CHECK_NAMES))
# What each check is, to finish "no record that ..." and "last saw ...".
CHECK_WHAT = {
    "safeguarding_checks": "enhanced DBS checks recorded on a single central record",
    "safeguarding_lead_trained": "that the designated safeguarding lead's training is current",
    "insurance": "employer's and public liability insurance certificates",
    "policies": "the safeguarding, behaviour, complaints and health and safety policies",
    "health_and_safety": "the premises risk assessment and fire arrangements",
    "national_standards": "an assessment against the voluntary national standards for non-school AP",
}


def check_review_ages(content: Content, today: dt.date) -> list[Problem]:
    if content.config is None:
        return []
    review = content.config.review

    def check(entry: Entry[Provider]) -> list[Problem]:
        problems = []
        if entry.data.status == "withdrawn":
            return problems
        if review.inspection_max_age_months:
            problems += _inspection(entry, review.inspection_max_age_months, today)
        if review.quality_assurance_max_age_months:
            problems += _quality_assurance(entry, review.quality_assurance_max_age_months, today)
        return problems + _checks(entry, review.checks_max_age_months, today)
    return [problem for entry in content.providers for problem in check(entry)]


def is_review(problem: Problem) -> bool:
    return problem.warning and problem.field in REVIEW_FIELDS


def _inspection(entry: Entry[Provider], months: int, today: dt.date) -> list[Problem]:
    inspected = entry.data.registration.last_inspected
    if inspected is None or not older_than_months(inspected, months, today):
        return []  # not every provider is inspected by Ofsted: no date, nothing to plan
    return [_warning(entry, ("registration", "last_inspected"),
                     f"last inspected by Ofsted on {inspected.isoformat()}, more than {months} months ago: "
                     "look for a newer report and update last_inspected and ofsted_report")]


def _quality_assurance(entry: Entry[Provider], months: int, today: dt.date) -> list[Problem]:
    visited, joined = entry.data.quality_assured, entry.data.joined
    if visited is None and older_than_months(joined, months, today):
        return [_warning(entry, ("quality_assured",),
                         f"no quality-assurance visit is recorded, and the provider joined on {joined.isoformat()}, "
                         f"more than {months} months ago: plan a visit, then add quality_assured",
                         at=("joined",))]
    if visited is not None and older_than_months(visited, months, today):
        return [_warning(entry, ("quality_assured",),
                         f"last quality-assurance visit on {visited.isoformat()}, more than {months} months ago: "
                         "plan a visit, then update quality_assured")]
    return []


def _checks(entry: Entry[Provider], months: int, today: dt.date) -> list[Problem]:
    """A check older than checks_max_age_months, on any provider; a missing one on a provider that
    no one else inspects. A registered school's Ofsted inspection stands for the national standards."""
    problems, p = [], entry.data
    # A missing check is reported on the checks block's line, or beside registration.type if there is none.
    block = ("checks",) if ("checks",) in entry.source.doc.lines else ("registration", "type")
    for name in CHECK_NAMES:
        if name == "national_standards" and is_registered_school(p):
            continue
        seen, loc = getattr(p.checks, name), ("checks", name)
        if seen is None and inspected_by_nobody(p):
            problems.append(_warning(entry, loc, f"no record that you have seen {CHECK_WHAT[name]}; this "
                                     f"provider is {p.registration.type}, so no inspector checks it: see the "
                                     f"evidence, then add checks.{name} with the date", at=block))
        elif seen is not None and older_than_months(seen, months, today):
            problems.append(_warning(entry, loc, f"last saw {CHECK_WHAT[name]} on {seen.isoformat()}, more than "
                                     f"{months} months ago: see the evidence again, then update checks.{name}"))
    return problems


def _warning(entry: Entry[Provider], loc: tuple, message: str, at: tuple | None = None) -> Problem:
    """A warning about the field at `loc`, on the line of `at` (default: that field's own line)."""
    return Problem(entry.path, entry.source.line(at or loc), ".".join(loc), message, warning=True)
