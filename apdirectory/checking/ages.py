"""How old a date may be before what it vouches for is out of date, as of the build's date.

One place for the rules, so that `check`, the pages, the find page's sorting and the open data
always agree about what is due and what is stale. The build's date is given, never read from the clock.
"""
from __future__ import annotations

import calendar
import datetime as dt

from apdirectory.reading.models import REGISTERED_SCHOOL_TYPES, Provider, Review, Vacancies


def add_months(date: dt.date, months: int) -> dt.date:
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    if date.day <= 28:  # every month has the day: skip monthrange, slow at tens of thousands of dates
        return dt.date(year, month, date.day)
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def older_than_months(date: dt.date, months: int, today: dt.date) -> bool:
    """Whether `date` is more than `months` months before `today` (on the day itself, it is not)."""
    return add_months(date, months) < today


def entry_stale(provider: Provider, review: Review, today: dt.date) -> bool:
    """Whether the council last checked the entry longer ago than review.max_age_months."""
    return older_than_months(provider.last_reviewed, review.max_age_months, today)


def vacancies_current(vacancies: Vacancies | None, review: Review, today: dt.date) -> bool:
    """Whether vacancies were counted no longer ago than review.vacancies_max_age_days."""
    return vacancies is not None and vacancies.as_of + dt.timedelta(days=review.vacancies_max_age_days) >= today


def is_registered_school(provider: Provider) -> bool:
    return provider.registration.type in REGISTERED_SCHOOL_TYPES


def inspected_by_nobody(provider: Provider) -> bool:
    """Unregistered and not-required settings are inspected by nobody: the placing school relies on
    the council's checks, so a missing one is worth a warning. Schools and colleges are inspected."""
    return provider.registration.type in ("unregistered", "not-required")
