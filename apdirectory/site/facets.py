"""The filters of "Find a provider", and the cards that list providers with the offers that matched.

Some filters are facts of one offer (lot, full-time or part-time, key stage, age, day, hours a week,
in person or online, vocational subject); the rest are facts of the provider (need, reason for
placement, area, step-free access, registration, taking referrals). A provider matches when it
meets every provider filter chosen and ONE of its offers meets every offer filter chosen: a lot 4
offer for 14 to 16 year olds and a lot 6 offer for 11 year olds do not make a match for "lot 4,
age 11". Within a group, any chosen value will do.

Computed once from the validated directory and used three ways, so they can never disagree: the
checkbox groups and counts on /find/ (find.js applies the same rule to the values each card
carries), the static page per option (/find/need/semh/, the no-JavaScript way to filter) and the
cards' data. Nothing is read back from HTML.

An option's `value` is what appears in addresses: lowercase letters, digits and hyphens, so
`?need=semh` and `/find/need/semh/` name the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable, Literal, get_args

from apdirectory.checking.ages import vacancies_current
from apdirectory.reading.load import Entry
from apdirectory.reading.models import DAYS, KEY_STAGES, LotOffer, Price, Provider, RegistrationType
from apdirectory.site.directory import Directory
from apdirectory.site.present import (
    DAY_NAMES,
    MODE_LABELS,
    days_text,
    hours_text,
    join_words,
    labels_in,
    price_text,
    vacancies_text,
)

REGISTRATION_SHORT_LABELS = {
    "independent-school": "Independent school",
    "ap-academy": "Alternative provision academy or free school",
    "pru": "Pupil referral unit",
    "fe-college": "Further education college",
    "unregistered": "Not registered as a school",
    "not-required": "Registration not required",
}
assert tuple(REGISTRATION_SHORT_LABELS) == get_args(RegistrationType)

Scope = Literal["offer", "provider"]


@dataclass(frozen=True)
class OfferCard:
    """One lot offer in a list: what a school weighs, and the values the offer filters use."""
    index: int  # its place in the provider's `lots`
    title: str  # "Lot 4: Part-time vocational provision"
    facts: tuple[str, ...]  # "Ages 14 to 16", "Monday to Friday, 25 hours a week", "£95 a day", ...
    filters: dict[str, list[str]]
    vacancies: int | None  # only when counted recently enough to be current (review.vacancies_max_age_days)
    hourly: float | None  # the price per hour in pounds, where it can be worked out


@dataclass(frozen=True)
class Card:
    """A provider in a list, with the facts a school filters on, and every offer."""
    provider: Entry[Provider]
    facts: tuple[tuple[str, tuple[str, ...]], ...]  # (what, values)
    offers: tuple[OfferCard, ...]
    filters: dict[str, list[str]]  # the provider filters' values
    checked: str  # the date the entry was last checked, YYYY-MM-DD: find.js sorts on it


@dataclass(frozen=True)
class Match:
    """A provider in a list of results, with the offers that matched."""
    card: Card
    offers: tuple[OfferCard, ...]

    @property
    def partial(self) -> bool:
        """Whether only some of the provider's offers matched."""
        return len(self.offers) < len(self.card.offers)


@dataclass(frozen=True)
class Option:
    value: str  # in addresses: "4-vocational", "semh", "15"
    label: str  # what people read: "Part-time vocational provision"
    providers: tuple[Match, ...]  # the published providers that match it, A to Z

    @property
    def count(self) -> int:
        return len(self.providers)


@dataclass(frozen=True)
class Facet:
    key: str  # the address parameter: "need" in ?need=semh
    label: str  # the group's name: "Need"
    scope: Scope
    options: tuple[Option, ...]
    page_title: str  # title of an option's static page: "{label}" is the option's label, "{lower}" in lowercase

    def title(self, option: Option) -> str:
        return self.page_title.format(label=option.label, lower=option.label.lower())


@dataclass(frozen=True)
class _Group:
    key: str
    label: str
    page_title: str
    scope: Scope
    options: Callable[[Directory], list[tuple[str, str]]]  # (value, label) in display order
    # The values one offer has (offer scope: called with the offer) or one provider has.
    values: Callable[..., set[str]]


def code_value(code: str) -> str:
    """A vocabulary code as it appears in addresses: SEMH -> semh (rules.py keeps these unique)."""
    return code.lower()


def _vocabulary(name: str) -> Callable[[Directory], list[tuple[str, str]]]:
    return lambda d: [(code_value(code), label) for code, label in getattr(d.config.vocabularies, name).items()]


def _lot_options(d: Directory) -> list[tuple[str, str]]:
    return [(lot.slug, f"Lot {lot.data.number}: {lot.data.title}") for lot in d.lots]


def _age_options(d: Directory) -> list[tuple[str, str]]:
    ages = {age for p in d.providers for offer in p.data.lots for age in range(offer.ages.min, offer.ages.max + 1)}
    return [(str(age), f"{age} years old") for age in sorted(ages)]


def _day_options(d: Directory) -> list[tuple[str, str]]:
    """Monday to Friday always; Saturday and Sunday when an offer teaches on them."""
    taught = {day for p in d.providers for offer in p.data.lots for day in offer.days}
    return [(day, DAY_NAMES[day]) for day in DAYS if day in taught or DAYS.index(day) < 5]


def _hours_bands(d: Directory) -> list[tuple[str, str, float, float]]:
    """(value, label, above, up to) for each hours-a-week choice, from find.hours_per_week_bands."""
    return _bands(tuple(d.config.find.hours_per_week_bands))


@cache  # asked for each offer, and the same for all
def _bands(bands: tuple) -> list[tuple[str, str, float, float]]:
    found = [("up-to-" + str(bands[0]), f"Up to {bands[0]} hours a week", 0, bands[0])]
    found += [(f"{low}-to-{high}", f"Over {low}, up to {high} hours a week", low, high)
              for low, high in zip(bands, bands[1:])]
    return found + [(f"over-{bands[-1]}", f"Over {bands[-1]} hours a week", bands[-1], float("inf"))]


def _hours_values(d: Directory, p: Provider, offer: LotOffer) -> set[str]:
    return {value for value, _, low, high in _hours_bands(d) if low < offer.hours_per_week <= high}


def _modes(offer: LotOffer) -> set[str]:
    """A hybrid offer is taught both in person and online."""
    return {"in-person", "online"} if offer.mode == "hybrid" else {offer.mode}


GROUPS = (
    _Group("lot", "Lot", "Providers on {label}", "offer", _lot_options,
           lambda d, p, offer: {d.lot(offer.lot).slug}),
    _Group("attendance", "Full-time or part-time", "{label} providers", "offer",
           lambda d: [("full-time", "Full-time"), ("part-time", "Part-time")],
           lambda d, p, offer: {d.lot(offer.lot).data.attendance}),
    _Group("stage", "Key stage", "Providers for {label}", "offer",
           lambda d: [(stage.lower(), f"Key stage {stage[2:]}") for stage in KEY_STAGES],
           lambda d, p, offer: {stage.lower() for stage in offer.key_stages}),
    _Group("age", "Age of pupil", "Providers for pupils who are {label}", "offer", _age_options,
           lambda d, p, offer: {str(age) for age in range(offer.ages.min, offer.ages.max + 1)}),
    _Group("day", "Day of the week", "Providers teaching on {label}", "offer", _day_options,
           lambda d, p, offer: set(offer.days)),
    _Group("hours", "Hours a week", "Providers offering {lower}", "offer",
           lambda d: [(value, label) for value, label, _, _ in _hours_bands(d)], _hours_values),
    _Group("mode", "In person or online", "Providers teaching {lower}", "offer",
           lambda d: [("in-person", "In person"), ("online", "Online")], lambda d, p, offer: _modes(offer)),
    _Group("subject", "Vocational subject", "Providers teaching this subject: {label}", "offer",
           _vocabulary("subjects"), lambda d, p, offer: {code_value(code) for code in offer.subjects}),
    _Group("need", "Need", "Providers for this need: {label}", "provider", _vocabulary("needs"),
           lambda d, p: {code_value(code) for code in p.needs}),
    _Group("reason", "Reason for placement", "Providers for this reason: {label}", "provider",
           _vocabulary("reasons"), lambda d, p: {code_value(code) for code in p.reasons}),
    _Group("area", "Area", "Providers by area: {label}", "provider", _vocabulary("areas"),
           lambda d, p: {code_value(place.area) for place in p.locations}),
    _Group("access", "Access", "Providers with {lower}", "provider",
           lambda d: [("step-free", "Step-free access")],
           lambda d, p: {"step-free"} if any(place.step_free_access for place in p.locations) else set()),
    _Group("registration", "Registration", "Providers by registration: {label}", "provider",
           lambda d: list(REGISTRATION_SHORT_LABELS.items()), lambda d, p: {p.registration.type}),
    _Group("referrals", "Referrals", "Providers {lower}", "provider",
           lambda d: [("yes", "Taking referrals now")],
           lambda d, p: {"yes"} if p.status == "active" else set()),
)


def _found(values: dict[str, set[str]]) -> dict[str, list[str]]:
    return {key: sorted(found) for key, found in values.items() if found}


def provider_filters(directory: Directory, provider: Provider) -> dict[str, list[str]]:
    """Provider group key -> the sorted values one provider has (groups it has none in are left out)."""
    return _found({g.key: g.values(directory, provider) for g in GROUPS if g.scope == "provider"})


def offer_filters(directory: Directory, provider: Provider, offer: LotOffer) -> dict[str, list[str]]:
    """Offer group key -> the sorted values one offer has."""
    return _found({g.key: g.values(directory, provider, offer) for g in GROUPS if g.scope == "offer"})


def build_facets(directory: Directory, cards: list[Card]) -> list[Facet]:
    """Every group with its options, each with the providers (and their offers) that match it alone.
    A provider listed with the same offers under many options is one Match, made once."""
    having: dict[tuple[str, str], list[Match]] = {}
    for card in cards:
        every = Match(card, card.offers)
        matches = {tuple(offer.index for offer in card.offers): every}
        for key, values in card.filters.items():
            for value in values:
                having.setdefault((key, value), []).append(every)
        by_value: dict[tuple[str, str], list[OfferCard]] = {}
        for offer in card.offers:
            for key, values in offer.filters.items():
                for value in values:
                    by_value.setdefault((key, value), []).append(offer)
        for key_value, offers in by_value.items():
            indexes = tuple(offer.index for offer in offers)
            if indexes not in matches:
                matches[indexes] = Match(card, tuple(offers))
            having.setdefault(key_value, []).append(matches[indexes])
    return [Facet(group.key, group.label, group.scope,
                  tuple(Option(value, label, tuple(having.get((group.key, value), ())))
                        for value, label in group.options(directory)),
                  group.page_title)
            for group in GROUPS]


def provider_card(directory: Directory, provider: Entry[Provider]) -> Card:
    p, vocab = provider.data, directory.config.vocabularies
    facts = [
        ("Areas", tuple(labels_in((place.area for place in p.locations), vocab.areas))),
        ("Needs", tuple(labels_in(p.needs, vocab.needs))),
        ("Reasons for placement", tuple(labels_in(p.reasons, vocab.reasons))),
        ("Step-free access", (_step_free_text(p),)),
        ("Registration", (REGISTRATION_SHORT_LABELS[p.registration.type],)),
        ("Taking referrals", ("Yes" if p.status == "active" else "No, not at the moment",)),
    ]
    return Card(provider, tuple((what, values) for what, values in facts if values),
                tuple(_offer_card(directory, p, index, offer) for index, offer in enumerate(p.lots)),
                provider_filters(directory, p),
                p.last_reviewed.isoformat())


def _offer_card(directory: Directory, p: Provider, index: int, offer: LotOffer) -> OfferCard:
    lot = directory.lot(offer.lot).data
    stages = [stage[2:] for stage in offer.key_stages]
    hourly = hourly_price(offer)
    facts = [
        f"Ages {offer.ages.min} to {offer.ages.max}",
        f"Key stage{'s' if len(stages) > 1 else ''} {join_words(stages)}",
        f"{days_text(offer.days)}, {hours_text(offer.hours_per_week)}",
        MODE_LABELS[offer.mode],
    ]
    if offer.price:
        facts.append(price_text(offer.price) + (f" (£{hourly:,.2f} an hour)" if hourly is not None
                                                  and offer.price.per != "hour" else ""))
    if offer.places is not None:
        facts.append(f"{offer.places} place{'' if offer.places == 1 else 's'}")
    current = vacancies_current(offer.vacancies, directory.config.review, directory.today)
    if offer.vacancies:
        facts.append(vacancies_text(offer.vacancies, current, noun="vacancy"))
    if offer.subjects:
        facts.append("Subjects: " + join_words(labels_in(offer.subjects, directory.config.vocabularies.subjects)))
    return OfferCard(index, f"Lot {lot.number}: {lot.title}", tuple(facts), offer_filters(directory, p, offer),
                     offer.vacancies.count if current else None, hourly)


def hourly_price(offer: LotOffer) -> float | None:
    """The price per hour, where it can be worked out: an hourly price, or a weekly price divided by
    the hours a week. A day, session or term has no set number of hours."""
    price: Price | None = offer.price
    if price is None:
        return None
    if price.per == "hour":
        return float(price.amount)
    if price.per == "week":
        return round(price.amount / offer.hours_per_week, 2)
    return None


def _step_free_text(p: Provider) -> str:
    access = [place.step_free_access for place in p.locations]
    if any(access):
        return "Yes" if all(access) else "At some sites"
    return "No" if all(value is False for value in access) else "Not known"
