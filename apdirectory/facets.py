"""The filters of "Find a provider": every group, its options and which providers have each.

Computed once from the validated directory and used three ways, so they can never disagree: the
checkbox groups and counts on /find/, the static page per option (/find/need/semh/, the no-JavaScript
way to filter) and the filters in the search index (search_index.py). Nothing is read back from HTML.

An option's `value` is what appears in addresses and in the index: lowercase letters, digits and
hyphens, so `?need=semh` and `/find/need/semh/` name the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, get_args

from .directory import Directory
from .load import Entry
from .models import KEY_STAGES, Provider, RegistrationType
from .present import labels_in

REGISTRATION_SHORT_LABELS = {
    "independent-school": "Independent school",
    "ap-academy": "Alternative provision academy or free school",
    "pru": "Pupil referral unit",
    "fe-college": "Further education college",
    "unregistered": "Not registered as a school",
    "not-required": "Registration not required",
}
assert tuple(REGISTRATION_SHORT_LABELS) == get_args(RegistrationType)


@dataclass(frozen=True)
class Option:
    value: str  # in addresses and in the index: "4-vocational", "semh", "15"
    label: str  # what people read: "Part-time vocational provision"
    providers: tuple[Entry[Provider], ...]  # the published providers that have it, A to Z

    @property
    def count(self) -> int:
        return len(self.providers)


@dataclass(frozen=True)
class Facet:
    key: str  # the address parameter and index filter name: "need" in ?need=semh
    label: str  # the group's name: "Need"
    options: tuple[Option, ...]
    page_title: str  # title of an option's static page: "{label}" is the option's label, "{lower}" in lowercase

    def title(self, option: Option) -> str:
        return self.page_title.format(label=option.label, lower=option.label.lower())


@dataclass(frozen=True)
class _Group:
    key: str
    label: str
    page_title: str
    options: Callable[[Directory], list[tuple[str, str]]]  # (value, label) in display order
    values: Callable[[Directory, Provider], set[str]]  # the values one provider has


def code_value(code: str) -> str:
    """A vocabulary code as it appears in addresses: SEMH -> semh (rules.py keeps these unique)."""
    return code.lower()


def _vocabulary(name: str) -> Callable[[Directory], list[tuple[str, str]]]:
    return lambda d: [(code_value(code), label) for code, label in getattr(d.config.vocabularies, name).items()]


def _lot_options(d: Directory) -> list[tuple[str, str]]:
    return [(lot.slug, f"Lot {lot.data.number}: {lot.data.title}") for lot in d.lots]


def _lot_values(d: Directory, p: Provider) -> set[str]:
    return {d.lot(offer.lot).slug for offer in p.lots}


def _ages(p: Provider) -> set[int]:
    return {age for offer in p.lots for age in range(offer.ages.min, offer.ages.max + 1)}


def _age_options(d: Directory) -> list[tuple[str, str]]:
    ages = sorted(set().union(*(_ages(p.data) for p in d.providers)))
    return [(str(age), f"{age} years old") for age in ages]


def _modes(p: Provider) -> set[str]:
    """A hybrid offer is taught both in person and online."""
    modes = {offer.mode for offer in p.lots}
    if "hybrid" in modes:
        modes = (modes - {"hybrid"}) | {"in-person", "online"}
    return modes


GROUPS = (
    _Group("lot", "Lot", "Providers on {label}", _lot_options, _lot_values),
    _Group("attendance", "Full-time or part-time", "{label} providers",
           lambda d: [("full-time", "Full-time"), ("part-time", "Part-time")],
           lambda d, p: {d.lot(offer.lot).data.attendance for offer in p.lots}),
    _Group("stage", "Key stage", "Providers for {label}",
           lambda d: [(stage.lower(), f"Key stage {stage[2:]}") for stage in KEY_STAGES],
           lambda d, p: {stage.lower() for offer in p.lots for stage in offer.key_stages}),
    _Group("age", "Age of pupil", "Providers for pupils who are {label}", _age_options,
           lambda d, p: {str(age) for age in _ages(p)}),
    _Group("need", "Need", "Providers for this need: {label}", _vocabulary("needs"),
           lambda d, p: {code_value(code) for code in p.needs}),
    _Group("reason", "Reason for placement", "Providers for this reason: {label}", _vocabulary("reasons"),
           lambda d, p: {code_value(code) for code in p.reasons}),
    _Group("area", "Area", "Providers by area: {label}", _vocabulary("areas"),
           lambda d, p: {code_value(place.area) for place in p.locations}),
    _Group("subject", "Vocational subject", "Providers teaching this subject: {label}", _vocabulary("subjects"),
           lambda d, p: {code_value(code) for offer in p.lots for code in offer.subjects}),
    _Group("mode", "In person or online", "Providers teaching {lower}",
           lambda d: [("in-person", "In person"), ("online", "Online")], lambda d, p: _modes(p)),
    _Group("access", "Access", "Providers with {lower}",
           lambda d: [("step-free", "Step-free access")],
           lambda d, p: {"step-free"} if any(place.step_free_access for place in p.locations) else set()),
    _Group("registration", "Registration", "Providers by registration: {label}",
           lambda d: list(REGISTRATION_SHORT_LABELS.items()), lambda d, p: {p.registration.type}),
    _Group("referrals", "Referrals", "Providers {lower}",
           lambda d: [("yes", "Taking referrals now")],
           lambda d, p: {"yes"} if p.status == "active" else set()),
)


def provider_filters(directory: Directory, provider: Provider) -> dict[str, list[str]]:
    """Group key -> the sorted values one provider has (groups it has none in are left out)."""
    found = {group.key: sorted(group.values(directory, provider)) for group in GROUPS}
    return {key: values for key, values in found.items() if values}


def build_facets(directory: Directory) -> list[Facet]:
    # (group, value) -> the providers that have it, A to Z
    having: dict[tuple[str, str], list] = {}
    for p in directory.providers:
        for key, values in provider_filters(directory, p.data).items():
            for value in values:
                having.setdefault((key, value), []).append(p)
    return [Facet(group.key, group.label,
                  tuple(Option(value, label, tuple(having.get((group.key, value), ())))
                        for value, label in group.options(directory)),
                  group.page_title)
            for group in GROUPS]


@dataclass(frozen=True)
class Card:
    """A provider in a list, with the facts a school filters on."""
    provider: Entry[Provider]
    facts: tuple[tuple[str, tuple[str, ...]], ...]  # (what, values)


def provider_card(directory: Directory, provider: Entry[Provider]) -> Card:
    p, vocab = provider.data, directory.config.vocabularies
    stages = sorted({stage for offer in p.lots for stage in offer.key_stages}, key=KEY_STAGES.index)
    facts = [
        ("Lots", tuple(f"Lot {offer.lot}: {directory.lot(offer.lot).data.title}" for offer in p.lots)),
        ("Key stages", tuple(stages)),
        ("Ages", tuple(age_ranges(_ages(p)))),
        ("Areas", tuple(labels_in((place.area for place in p.locations), vocab.areas))),
        ("Needs", tuple(labels_in(p.needs, vocab.needs))),
        ("Reasons for placement", tuple(labels_in(p.reasons, vocab.reasons))),
        ("Vocational subjects", tuple(labels_in((code for offer in p.lots for code in offer.subjects),
                                                vocab.subjects))),
        ("Taught", tuple(label for value, label in (("in-person", "In person"), ("online", "Online"))
                         if value in _modes(p))),
        ("Step-free access", (_step_free_text(p),)),
        ("Registration", (REGISTRATION_SHORT_LABELS[p.registration.type],)),
    ]
    return Card(provider, tuple((what, values) for what, values in facts if values))


def age_ranges(ages: set[int]) -> list[str]:
    """{11, 12, 13, 14, 16} -> ["11 to 14", "16"]."""
    runs: list[list[int]] = []
    for age in sorted(ages):
        if runs and age == runs[-1][-1] + 1:
            runs[-1].append(age)
        else:
            runs.append([age])
    return [str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]


def _step_free_text(p: Provider) -> str:
    access = [place.step_free_access for place in p.locations]
    if any(access):
        return "Yes" if all(access) else "At some sites"
    return "No" if all(value is False for value in access) else "Not known"
