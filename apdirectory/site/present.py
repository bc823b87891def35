"""Values in plain English for people: dates, days, ages, prices, labels. Used as template filters."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote_plus

from apdirectory.reading.models import DAYS, Location, Price, Vacancies

DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))
REGISTRATION_LABELS = {
    "independent-school": "Independent school, registered with the Department for Education",
    "ap-academy": "Alternative provision academy or free school",
    "pru": "Pupil referral unit",
    "fe-college": "Further education college",
    "unregistered": "Not registered as a school (part-time provision)",
    "not-required": "Registration not required for this kind of provision",
}
MODE_LABELS = {"in-person": "In person", "online": "Online", "hybrid": "In person and online"}
PER_LABELS = {"hour": "an hour", "session": "a session", "day": "a day", "week": "a week", "term": "a term"}


def date_text(date: dt.date | None) -> str:
    """2026-03-12 -> 12 March 2026 (the GOV.UK style)."""
    return f"{date.day} {date:%B %Y}" if date else ""


def join_words(items: list[str], last: str = "and") -> str:
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def days_text(days: list[str]) -> str:
    """[mon, tue, wed, thu, fri] -> Monday to Friday; [mon, wed] -> Monday and Wednesday."""
    ordered = sorted(set(days), key=DAYS.index)
    indexes = [DAYS.index(day) for day in ordered]
    if len(ordered) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]} to {DAY_NAMES[ordered[-1]]}"
    return join_words([DAY_NAMES[day] for day in ordered])


def hours_text(hours: float) -> str:
    """25 -> "25 hours a week"; 1 -> "1 hour a week"; 12.5 -> "12.5 hours a week"."""
    return f"{hours:g} hour{'' if hours == 1 else 's'} a week"


def vacancies_text(vacancies: Vacancies, current: bool, noun: str = "place") -> str:
    """ "4 places on 29 September 2025", with "(may have changed)" when counted too long ago to rely on."""
    count = vacancies.count
    text = f"{count} {noun if count == 1 else _plural(noun)} on {date_text(vacancies.as_of)}"
    return text if current else text + " (may have changed)"


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def months_text(months: int) -> str:
    return f"{months} month{'' if months == 1 else 's'}"


def price_text(price: Price) -> str:
    amount = f"£{price.amount:,.2f}".removesuffix(".00")
    return f"{amount} {PER_LABELS[price.per]}"


def map_url(location: Location) -> str:
    """A search for the address on OpenStreetMap: a link, so no map is loaded from another site."""
    return "https://www.openstreetmap.org/search?query=" + quote_plus(", ".join([*location.address, location.postcode]))


def labels_in(codes, vocabulary: dict[str, str]) -> list[str]:
    """Codes -> their labels from a vocabulary, each once, in the order given."""
    return [vocabulary[code] for code in dict.fromkeys(codes)]


def description(text: str, limit: int = 160) -> str:
    """A page's meta description: the text on one line, cut at a word before `limit` characters
    with an ellipsis, as search engines show about that much."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def phone_href(phone: str) -> str:
    return "tel:" + phone.replace(" ", "")


# The compare page shows at most this many providers side by side: more would not fit a printed page.
# shortlist.js holds as many (MOST); a test checks that the two agree.
COMPARE_MOST = 5


def compare_labels(config, lots) -> dict:
    """What compare.js needs to put the providers' records (codes, numbers) into words: the labels
    of the codes and lots, and the council's name for the pack's first line."""
    return {
        "council": config.site.council, "title": config.site.title,
        "vocabularies": config.vocabularies.model_dump(mode="json"),
        "lots": {str(lot.data.number): lot.data.title for lot in lots},
        "registration": REGISTRATION_LABELS, "mode": MODE_LABELS, "per": PER_LABELS, "days": DAY_NAMES,
    }


FILTERS = {
    "date_text": date_text, "join_words": join_words, "days_text": days_text, "hours_text": hours_text,
    "price_text": price_text, "map_url": map_url, "months_text": months_text, "phone_href": phone_href, "labels_in": labels_in,
}
LABELS = {"registration": REGISTRATION_LABELS, "mode": MODE_LABELS, "day": DAY_NAMES}
