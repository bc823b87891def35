"""Rules that span fields or files: vocabularies, lots, registration, ages, dates, review age."""
from __future__ import annotations

import datetime as dt

from apdirectory.checking.ages import entry_stale, inspected_by_nobody, is_registered_school
from apdirectory.checking.problems import Problem, field_path
from apdirectory.reading.invisible import same_name, visible
from apdirectory.reading.load import Content, Entry
from apdirectory.reading.models import KEY_STAGES, REGISTERED_SCHOOL_TYPES, Provider

# The ages of pupils in each key stage (a pupil turns the upper age during the last year).
KEY_STAGE_AGES = {"KS1": (5, 7), "KS2": (7, 11), "KS3": (11, 14), "KS4": (14, 16), "KS5": (16, 19)}
assert tuple(KEY_STAGE_AGES) == KEY_STAGES
RESERVED_PAGE_SLUGS = {"providers", "lots", "glossary", "assets", "pagefind", "search", "find", "data", "index",
                       "changes", "api"}  # api: the Open Referral UK feed (oruk.py)


def check_rules(content: Content, today: dt.date) -> list[Problem]:
    problems = _check_lots(content) + _check_addresses(content) + _check_names(content)
    if content.config is None:
        return problems  # without vocabularies and dates, the provider rules cannot be checked
    problems += _check_config(content, today)
    # A lot counts under its number only when its file name agrees (lot-4-... says number: 4).
    lots = {lot.data.number: lot.data for lot in content.lots if lot.slug.startswith(f"{lot.data.number}-")}
    for provider in content.providers:
        problems += _check_provider(provider, content, lots, today)
    return problems


def _check_lots(content: Content) -> list[Problem]:
    problems, seen = [], {}
    for lot in content.lots:
        number = lot.data.number
        if number in seen:
            problems.append(Problem(lot.path, lot.source.line(("number",)), "number",
                                    f"lot {number} is also in {seen[number]}: each lot needs its own number"))
        seen.setdefault(number, lot.path)
    return problems


def _check_names(content: Content) -> list[Problem]:
    """No two providers have names that read the same, such as "Kestrel Learning" and "KESTREL
    LEARNING", one in full-width letters or one with a hidden zero-width space: an impostor entry,
    with its own phone number, would sit beside the real one."""
    problems, seen = [], {}
    for path, line, name in content.provider_names:
        key = same_name(name)
        if not key:
            continue  # an empty name is reported on its own
        other_path, other_name = seen.setdefault(key, (path, name))
        if other_path != path:
            problems.append(Problem(path, line, "name", f"reads the same as the name of {other_path} "
                                    f"('{visible(other_name)}'): give each provider its own name, or, if "
                                    "they are the same provider, keep one file"))
    return problems


def _check_addresses(content: Content) -> list[Problem]:
    """No two files are published at the same address, nor at one the site itself uses."""
    pages = [page for page in content.pages if page.slug != "index"]  # index.md is the home page
    problems = [Problem(page.path, 0, "", f"a page cannot be called '{page.slug}': the site already has "
                        f"/{page.slug}/; rename the file") for page in pages if page.slug in RESERVED_PAGE_SLUGS]
    taken: dict[str, str] = {}
    addresses = [(lot, f"lots/{lot.slug}/") for lot in content.lots] + [(page, f"{page.slug}/") for page in pages]
    for entry, address in addresses:
        if address in taken:  # such as lot-4-vocational.md and lot-04-vocational.md
            problems.append(Problem(entry.path, 0, "", f"would be published at /{address}, the same address "
                                    f"as {taken[address]}: rename one of the two files"))
        taken.setdefault(address, entry.path)
    return problems


def _check_provider(entry: Entry[Provider], content: Content, lots: dict, today: dt.date) -> list[Problem]:
    p, config = entry.data, content.config
    problems: list[Problem] = []

    def error(loc: tuple, message: str, warning: bool = False) -> None:
        shown = loc[:-1] if loc and isinstance(loc[-1], int) else loc
        problems.append(Problem(entry.path, entry.source.line(loc), field_path(shown), message, warning))

    vocab = config.vocabularies
    _check_codes(error, [(("needs", i), code) for i, code in enumerate(p.needs)], vocab.needs, "a need")
    _check_codes(error, [(("reasons", i), code) for i, code in enumerate(p.reasons)], vocab.reasons, "a reason")
    _check_codes(error, [(("locations", i, "area"), place.area) for i, place in enumerate(p.locations)],
                 vocab.areas, "an area")

    referrals = p.contact.referrals
    if not (referrals.email or referrals.phone):
        error(("contact", "referrals"), "gives no way to refer: add an email, a phone, or both")

    registered = p.registration.type in REGISTERED_SCHOOL_TYPES
    if registered and not p.registration.dfe_urn:
        error(("registration",), f"a registration of type {p.registration.type} needs its dfe_urn "
              "(the 6-digit number from Get Information about Schools)")

    seen_lots: dict[int, int] = {}
    for i, offer in enumerate(p.lots):
        at = ("lots", i)
        if offer.lot in seen_lots:
            error(at + ("lot",), f"lot {offer.lot} is listed twice (lots[{seen_lots[offer.lot]}] and lots[{i}]): "
                  "put everything about one lot in one entry")
        seen_lots.setdefault(offer.lot, i)
        lot = lots.get(offer.lot)
        if lot is None:
            if offer.lot not in content.lots_in_doubt:  # a lot whose own file is wrong is reported there
                known = ", ".join(str(n) for n in sorted(lots)) or "none"
                error(at + ("lot",), f"there is no lot {offer.lot} (the lots are {known})")
        else:
            if lot.attendance == "full-time" and not registered:
                error(at + ("lot",), f"lot {offer.lot} is full-time, so the provider must be a registered "
                      f"school (registration.type one of {', '.join(REGISTERED_SCHOOL_TYPES)}), "
                      f"not {p.registration.type}")
            for j, stage in enumerate(offer.key_stages):
                if stage not in lot.key_stages:
                    error(at + ("key_stages", j), f"lot {offer.lot} is for {', '.join(lot.key_stages)}, not {stage}")
        _check_codes(error, [(at + ("subjects", j), code) for j, code in enumerate(offer.subjects)],
                     vocab.subjects, "a subject")
        _check_ages(error, at, offer)
        _check_full_time_hours(error, at, p, offer, config.registration.full_time_hours)
        if offer.vacancies:
            _not_future(error, at + ("vacancies", "as_of"), offer.vacancies.as_of, today)

    for name in ("joined", "last_reviewed", "quality_assured"):
        _not_future(error, (name,), getattr(p, name), today)
    _not_future(error, ("registration", "last_inspected"), p.registration.last_inspected, today)

    _check_checks(error, p, today)
    months = config.review.max_age_months
    if p.status != "withdrawn" and entry_stale(p, config.review, today):
        error(("last_reviewed",), f"last reviewed on {p.last_reviewed.isoformat()}, more than {months} "
              "months ago: check the entry with the provider and update last_reviewed", warning=True)
    return problems


def _check_full_time_hours(error, at: tuple, p: Provider, offer, full_time_hours: float) -> None:
    """A setting that is not a school, teaching full-time hours, may be an unregistered independent school."""
    if not inspected_by_nobody(p) or offer.hours_per_week < full_time_hours:
        return
    error(at + ("hours_per_week",), (
        f"{offer.hours_per_week:g} hours a week on lot {offer.lot}, at or above registration.full_time_hours "
        f"({full_time_hours:g}), from a provider that is {p.registration.type}. In England a setting that gives "
        f"full-time education (broadly {full_time_hours:g} hours a week or more) to 5 or more pupils of "
        "compulsory school age, or to even 1 who has an education, health and care (EHC) plan or is looked "
        "after by a council, must register with the Department for Education as an independent school; "
        "running one unregistered is an offence. Ask the provider how many pupils attend for this many "
        "hours, whether any has an EHC plan or is looked after, and whether it is registered (if so, "
        "change registration.type and add dfe_urn); otherwise ask it to cut the hours below the line"),
        warning=True)


def _check_checks(error, p: Provider, today: dt.date) -> None:
    """A check's date is not in the future nor before the provider joined; a registered school's Ofsted
    inspection stands where the national standards would, so the standards are not for it."""
    for name, date in p.checks:
        if date is None:
            continue
        _not_future(error, ("checks", name), date, today)
        if date < p.joined <= today:  # a joined date in the future is the one mistake to report
            error(("checks", name), f"{date.isoformat()} is before the provider joined on {p.joined.isoformat()}: "
                  "give the date you last saw the evidence while it was on the framework")
    if p.checks.national_standards and is_registered_school(p):
        error(("checks", "national_standards"), "the voluntary national standards are for alternative provision "
              f"that is not a registered school, and this is a {p.registration.type} (inspected by Ofsted): "
              "remove national_standards", warning=True)


def _check_codes(error, located_codes: list[tuple[tuple, str]], vocabulary: dict, noun: str) -> None:
    """Every code must be in its vocabulary in site_config.yaml; a list must not repeat a code."""
    seen = set()
    for loc, code in located_codes:
        if code not in vocabulary:
            error(loc, f"'{code}' is not {noun} in site_config.yaml (one of {', '.join(vocabulary)})")
        elif code in seen and isinstance(loc[-1], int):
            error(loc, f"'{code}' is listed twice: list it once")
        seen.add(code)


def _check_ages(error, at: tuple, offer) -> None:
    ages = offer.ages
    if ages.min > ages.max:
        error(at + ("ages",), f"min is {ages.min} but max is {ages.max}: min must not be more than max")
        return
    low = min(KEY_STAGE_AGES[stage][0] for stage in offer.key_stages)
    high = max(KEY_STAGE_AGES[stage][1] for stage in offer.key_stages)
    if ages.min < low or ages.max > high:
        stages = ", ".join(offer.key_stages)
        error(at + ("ages",), f"ages {ages.min} to {ages.max} do not fit {stages} (pupils aged {low} to "
              f"{high}): change the ages or the key stages")


def _not_future(error, loc: tuple, date: dt.date | None, today: dt.date) -> None:
    if date and date > today:
        error(loc, f"{date.isoformat()} is in the future: give the date it happened")


def _check_config(content: Content, today: dt.date) -> list[Problem]:
    """The framework started and was last refreshed in the past (next_refresh may be ahead), and no two
    codes in a vocabulary differ only in capitals (filter addresses such as /find/need/semh/ ignore them)."""
    problems = []
    source = content.config_source
    for name in ("needs", "reasons", "areas", "subjects"):
        seen: dict[str, str] = {}
        for code in getattr(content.config.vocabularies, name):
            other = seen.setdefault(code.lower(), code)
            if other != code:
                loc = ("vocabularies", name, code)
                problems.append(Problem(source.path, source.line(loc), field_path(loc),
                                        f"'{code}' and '{other}' differ only in capital letters, which the "
                                        "site's filter addresses ignore: give one of them a different code"))
    problems += _check_find_settings(content)
    for name in ("started", "last_refreshed"):
        date = getattr(content.config.framework, name)
        if date > today:
            loc = ("framework", name)
            problems.append(Problem(content.config_source.path, content.config_source.line(loc),
                                    field_path(loc), f"{date.isoformat()} is in the future: give the date it happened"))
    return problems


def _check_find_settings(content: Content) -> list[Problem]:
    """Search words name codes that exist, and the hours-a-week choices go up."""
    problems, source, find = [], content.config_source, content.config.find
    for name in ("needs", "reasons", "areas", "subjects"):
        vocabulary = getattr(content.config.vocabularies, name)
        for code in getattr(find.search_words, name):
            if code not in vocabulary:
                loc = ("find", "search_words", name, code)
                problems.append(Problem(source.path, source.line(loc), field_path(loc),
                                        f"'{code}' is not a code in vocabularies.{name} "
                                        f"(one of {', '.join(vocabulary)})"))
    bands = find.hours_per_week_bands
    if any(low >= high for low, high in zip(bands, bands[1:])):
        loc = ("find", "hours_per_week_bands")
        problems.append(Problem(source.path, source.line(loc), field_path(loc),
                                f"{bands} must go up, each number larger than the one before, such as [10, 20]"))
    return problems
