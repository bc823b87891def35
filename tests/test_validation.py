"""Every rule of the content model (../shared/CONTENT_MODEL.md) refuses a bad file, in plain words.

Each case breaks one thing in a copy of the sample, runs the real build into a folder that already
holds a site, and checks the exact lines printed (`path:line: field: what is wrong (what would be
right)`), the exit status 1, and that the site already there is byte for byte as it was.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest
from conftest import REPO, run_build
from snapshot import snapshot

KESTREL = "content/providers/kestrel-learning-centre.md"  # independent school on lots 1 and 3
OLD_FORGE = "content/providers/old-forge-equine-centre.md"  # the withdrawn provider
LOT_3 = "content/lots/lot-3-turnaround-ks3.md"
LOT_5 = "content/lots/lot-5-tutoring.md"
PAGE = "content/pages/accessibility.md"
GLOSSARY = "content/glossary.yaml"
CONFIG = "site_config.yaml"
FAR_FUTURE = "2999-01-01"  # a date in the future for as long as these tests live


@dataclass
class Break:
    """One change to one file of the sample, and the error lines it must cause.

    In `expected`, {file} is the file and {line} the line of `at` in the changed file: `at` is
    a piece of text there, by default the first line of `new`, or a line number.
    """
    id: str
    file: str
    old: str
    new: str
    expected: tuple[str, ...]
    at: str | int | None = None

    def apply(self, root) -> list[str]:
        path = root / self.file
        text = path.read_text(encoding="utf-8")
        assert text.count(self.old) == 1, f"{self.id}: {self.old!r} must occur once in {self.file}"
        text = text.replace(self.old, self.new)
        path.write_text(text, encoding="utf-8")
        return [line.format(file=self.file, line=self._line(text)) for line in self.expected]

    def _line(self, text: str) -> int:
        at = self.at if self.at is not None else self.new.split("\n")[0]
        if isinstance(at, int):
            return at
        assert at and text.count(at) == 1, f"{self.id}: {at!r} must occur once"
        return text[:text.index(at)].count("\n") + 1


def case(id: str, file: str, old: str, new: str, *expected: str, at: str | int | None = None):
    return pytest.param(Break(id, file, old, new, expected, at), id=id)


def missing(file: str, old: str, new: str, field: str, at: str | int):
    """A case where a required field is taken out."""
    name = re.split(r"[.\]]", field)[-1]
    return case(f"missing {field} in {file}", file, old, new,
                f"{{file}}:{{line}}: {field}: is required but missing: add '{name}:' with a value", at=at)


def block(file: str, first: str, inner: tuple[str, ...] = ("  ", "- ")) -> str:
    """The lines of a sample file from the one starting with `first` up to the next line that does not
    start with one of `inner`: a top-level field with everything in it, by default."""
    lines = (REPO / file).read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(inner)), len(lines))
    return "".join(lines[start:end])


def line(file: str, first: str) -> str:
    """The whole line of a sample file that starts with `first`."""
    return block(file, first, inner=("\0",))


REQUIRED = [
    *[missing(KESTREL, block(KESTREL, f"{name}:"), "", name, at=2)  # line 2: where the fields start
      for name in ("name", "summary", "status", "joined", "last_reviewed", "organisation", "registration",
                   "contact", "locations", "needs", "reasons", "lots")],
    missing(KESTREL, line(KESTREL, "  legal_name:"), "", "organisation.legal_name", at="organisation:"),
    missing(KESTREL, line(KESTREL, "  type:"), "", "registration.type", at="registration:"),
    missing(KESTREL, line(KESTREL, "  referrals:"), "", "contact.referrals", at="contact:"),
    missing(KESTREL, "{name: Referrals team, ", "{", "contact.referrals.name", at="  referrals:"),
    missing(KESTREL, line(KESTREL, "  safeguarding_lead:"), "", "contact.safeguarding_lead", at="contact:"),
    missing(KESTREL, "{name: Joanna Pickersgill, ", "{", "contact.safeguarding_lead.name", at="safeguarding_lead:"),
    missing(KESTREL, 'phone: "0161 496 0011", ', "", "contact.safeguarding_lead.phone", at="safeguarding_lead:"),
    missing(KESTREL, "  - name: Main site\n    address:", "  - address:", "locations[0].name", at="  - address:"),
    *[missing(KESTREL, line(KESTREL, f"    {name}:"), "", f"locations[0].{name}", at="  - name: Main site")
      for name in ("address", "postcode", "area")],
    missing(KESTREL, "  - lot: 1\n    offer:", "  - offer:", "lots[0].lot", at="  - offer: Full-time"),
    *[missing(KESTREL, line(KESTREL, f"    {name}: {start}"), "", f"lots[0].{name}", at="  - lot: 1")
      for name, start in (("offer", "Full-time"), ("key_stages", "[KS3, KS4]"), ("ages", "{min: 11, max: 16}"),
                          ("days", "[mon, tue"), ("hours_per_week", "25"))],
    missing(KESTREL, "{min: 11, max: 16}", "{max: 16}", "lots[0].ages.min", at="{max: 16}"),
    missing(KESTREL, "{min: 11, max: 16}", "{min: 11}", "lots[0].ages.max", at="{min: 11}"),
    missing(KESTREL, "{count: 3, as_of", "{as_of", "lots[0].vacancies.count", at="vacancies:"),
    missing(KESTREL, "{count: 3, as_of: 2026-11-02}", "{count: 3}", "lots[0].vacancies.as_of", at="vacancies:"),
    missing(KESTREL, "{amount: 95.00, per: day}", "{per: day}", "lots[0].price.amount", at="{per: day}"),
    missing(KESTREL, "{amount: 95.00, per: day}", "{amount: 95.00}", "lots[0].price.per", at="{amount: 95.00}"),
    *[missing(LOT_3, line(LOT_3, f"{name}:"), "", name, at=2)
      for name in ("number", "title", "summary", "key_stages", "attendance")],
    missing(PAGE, line(PAGE, "title:"), "", "title", at=2),
    missing(GLOSSARY, "- term: Alternative provision\n  abbr: AP", "- abbr: AP", "[0].term", at="- abbr: AP"),
    missing(GLOSSARY, line(GLOSSARY, "  meaning: Education for pupils"), "", "[0].meaning",
            at="- term: Alternative provision"),
    *[missing(CONFIG, line(CONFIG, f"  {name}:"), "", f"{part}.{name}", at=f"{part}:")
      for part, name in (("site", "title"), ("site", "council"), ("site", "base_url"), ("site", "contact_email"),
                         ("framework", "name"), ("framework", "reference"), ("framework", "started"),
                         ("framework", "last_refreshed"), ("review", "max_age_months"))],
    *[missing(CONFIG, block(CONFIG, f"  {name}:", inner=("    ",)), "", f"vocabularies.{name}", at="vocabularies:")
      for name in ("needs", "reasons", "areas", "subjects")],
]

KS = "(one of KS1, KS2, KS3, KS4, KS5)"
CHOICES = [
    case("status", KESTREL, "status: active", "status: closed",
         "{file}:{line}: status: 'closed' is not a status (one of active, paused, withdrawn)"),
    case("registration type", KESTREL, "  type: independent-school", "  type: academy",
         "{file}:{line}: registration.type: 'academy' is not a registration type (one of independent-school, "
         "ap-academy, pru, fe-college, unregistered, not-required)"),
    case("offer key stage", KESTREL, "key_stages: [KS3, KS4]", "key_stages: [KS9, KS4]",
         f"{{file}}:{{line}}: lots[0].key_stages: 'KS9' is not a key stage {KS}"),
    case("lot key stage", LOT_3, "key_stages: [KS3]", "key_stages: [KS3, ks4]",
         f"{{file}}:{{line}}: key_stages: 'ks4' is not a key stage {KS}"),
    case("day", KESTREL, "days: [tue, thu]", "days: [tue, thursday]",
         "{file}:{line}: lots[1].days: 'thursday' is not a day (one of mon, tue, wed, thu, fri, sat, sun)"),
    case("mode", KESTREL, "mode: in-person", "mode: face-to-face",
         "{file}:{line}: lots[0].mode: 'face-to-face' is not a mode (one of in-person, online, hybrid)"),
    case("price per", KESTREL, "{amount: 95.00, per: day}", "{amount: 95.00, per: month}",
         "{file}:{line}: lots[0].price.per: 'month' is not a price unit (one of hour, session, day, week, term)"),
    case("lot attendance", LOT_3, "attendance: part-time", "attendance: sometimes",
         "{file}:{line}: attendance: 'sometimes' is not an attendance pattern (one of full-time, part-time)"),
]

FORMATS = [
    case("postcode", KESTREL, "postcode: BL9 5RT", "postcode: BL9 5R",
         "{file}:{line}: locations[0].postcode: 'BL9 5R' is not a UK postcode (for example BL9 0AA)"),
    case("urn digits", KESTREL, 'dfe_urn: "990101"', 'dfe_urn: "99010"',
         "{file}:{line}: registration.dfe_urn: '99010' is not a DfE URN, which is 6 digits (for example \"123456\")"),
    case("company number", KESTREL, 'company_number: "09871234"', 'company_number: "9871234"',
         "{file}:{line}: organisation.company_number: '9871234' is not a company number, which is 8 characters "
         "(for example \"01234567\")"),
    case("charity number", KESTREL, '  company_number: "09871234"\n', '  charity_number: "charity"\n',
         "{file}:{line}: organisation.charity_number: 'charity' is not a charity number (for example \"1123456\")"),
    case("website not https", KESTREL, "website: https://kestrel.example.org", "website: http://kestrel.example.org",
         "{file}:{line}: organisation.website: 'http://kestrel.example.org' is not a web address starting https:// "
         "(for example https://provider.example.org)"),
    case("ofsted report javascript", KESTREL, "ofsted_report: https://reports.ofsted.gov.uk/provider/27/990101",
         "ofsted_report: javascript:alert(1)",
         "{file}:{line}: registration.ofsted_report: 'javascript:alert(1)' is not a web address starting https:// "
         "(for example https://provider.example.org)"),
    case("email", KESTREL, "email: referrals@kestrel.example.org", "email: referrals at kestrel",
         "{file}:{line}: contact.referrals.email: 'referrals at kestrel' is not an email address "
         "(for example referrals@provider.example.org)"),
    case("phone", KESTREL, 'phone: "0161 496 0011"', 'phone: "496 0011"',
         "{file}:{line}: contact.safeguarding_lead.phone: '496 0011' is not a UK phone number (for example \"0161 496 0000\")"),
    case("date format", KESTREL, "joined: 2023-09-01", "joined: 01/09/2023",
         "{file}:{line}: joined: '01/09/2023' is not a date (write it as YYYY-MM-DD, for example 2026-03-12)"),
    case("date with a time", KESTREL, "last_reviewed: 2026-03-12", "last_reviewed: 2026-03-12 09:30:00",
         "{file}:{line}: last_reviewed: '2026-03-12T09:30:00' has a time; give the date alone, as YYYY-MM-DD"),
    case("base url without slash", CONFIG, "base_url: https://bury-council.example.org/ap-directory/",
         "base_url: https://bury-council.example.org/ap-directory",
         "{file}:{line}: site.base_url: 'https://bury-council.example.org/ap-directory' must end with / "
         "(for example https://example.org/ap-directory/)"),
    case("site email", CONFIG, "contact_email: ap.directory@example.org", "contact_email: ap.directory",
         "{file}:{line}: site.contact_email: 'ap.directory' is not an email address "
         "(for example referrals@provider.example.org)"),
    case("language", CONFIG, "language: en-GB", "language: English",
         "{file}:{line}: site.language: 'English' is not a language code (for example en-GB)"),
    case("vocabulary code", CONFIG, "    ebsa: Emotionally based school avoidance",
         "    e b s a: Emotionally based school avoidance",
         "{file}:{line}: vocabularies.reasons.e b s a: 'e b s a' is not a code: use letters, digits and hyphens only "
         "(for example ebsa)"),
    case("not a list", KESTREL, "needs: [SEMH, ASD, SLCN]", "needs: SEMH",
         "{file}:{line}: needs: should be a list in square brackets: [SEMH]"),
    case("not true or false", KESTREL, "step_free_access: true", 'step_free_access: "maybe"',
         "{file}:{line}: locations[0].step_free_access: 'maybe' is not true or false (write true or false)"),
    case("not a whole number", KESTREL, "places: 36", "places: 3.5",
         "{file}:{line}: lots[0].places: '3.5' is not a whole number (for example 12)"),
    case("not a number", KESTREL, "hours_per_week: 25", "hours_per_week: twenty",
         "{file}:{line}: lots[0].hours_per_week: 'twenty' is not a number (for example 95.50)"),
    case("price with a pound sign", KESTREL, "{amount: 95.00, per: day}", '{amount: "£95", per: day}',
         "{file}:{line}: lots[0].price.amount: '£95' is not a number (for example 95.50)"),
    case("hours too many", KESTREL, "hours_per_week: 25", "hours_per_week: 61",
         "{file}:{line}: lots[0].hours_per_week: is 61: it must be at most 60"),
    case("hours none", KESTREL, "hours_per_week: 25", "hours_per_week: 0",
         "{file}:{line}: lots[0].hours_per_week: is 0: it must be more than 0"),
    case("places negative", KESTREL, "places: 36", "places: -1",
         "{file}:{line}: lots[0].places: is -1: it must be at least 0"),
    case("group of nobody", KESTREL, "group_size: 6", "group_size: 0",
         "{file}:{line}: lots[0].group_size: is 0: it must be at least 1"),
    case("age too low", KESTREL, "ages: {min: 11, max: 16}", "ages: {min: 1, max: 16}",
         "{file}:{line}: lots[0].ages.min: is 1: it must be at least 2"),
    case("lot number too big", LOT_3, "number: 3", "number: 100",
         "{file}:{line}: number: is 100: it must be at most 99"),
    case("review age", CONFIG, "review:\n  max_age_months: 12", "review:\n  max_age_months: 0",
         "{file}:{line}: review.max_age_months: is 0: it must be at least 1", at="  max_age_months: 0"),
    case("empty text", KESTREL, "name: Kestrel Learning Centre", "name:",
         "{file}:{line}: name: is empty: give a value, or remove the line if the field is optional", at=2),
    case("empty list", KESTREL, "reasons: [permanent-exclusion, at-risk-of-exclusion, ebsa]", "reasons: []",
         "{file}:{line}: reasons: is empty: give at least one"),
    case("mapping where text goes", KESTREL, "travel: Bury Interchange is a 15-minute walk. There is parking for 4 cars.",
         "travel: Bury Interchange: a 15-minute walk",
         "{file}:{line}: could not be read as YAML: a value contains ': ' or the indenting is wrong: put the value in "
         "double quotes, or line it up with the fields around it"),
]

TOO_LONG = "A" * 201
LENGTHS = [
    case("provider summary", KESTREL, block(KESTREL, "summary:"), f"summary: {TOO_LONG}\n",
         "{file}:{line}: summary: is 201 characters long: keep it to 200 or fewer"),
    case("lot summary", LOT_3, block(LOT_3, "summary:"), f"summary: {TOO_LONG}\n",
         "{file}:{line}: summary: is 201 characters long: keep it to 200 or fewer"),
    case("page summary", PAGE, block(PAGE, "summary:"), f"summary: {TOO_LONG}\n",
         "{file}:{line}: summary: is 201 characters long: keep it to 200 or fewer"),
]

QUOTES = [
    case("phone as a number", KESTREL, 'phone: "0161 496 0010"', "phone: +441614960010",
         "{file}:{line}: contact.referrals.phone: YAML reads +441614960010 as a number, not as text: "
         "put it in quotes: \"+441614960010\""),
    case("urn as a number", KESTREL, 'dfe_urn: "990101"', "dfe_urn: 990101",
         "{file}:{line}: registration.dfe_urn: YAML reads 990101 as a number, not as text: put it in quotes: \"990101\""),
    case("company number as a number", KESTREL, 'company_number: "09871234"', "company_number: 01234567",
         "{file}:{line}: organisation.company_number: YAML reads 01234567 as a number, not as text: "
         "put it in quotes: \"01234567\""),
    case("charity number as a number", KESTREL, '  company_number: "09871234"\n', "  charity_number: 1123456\n",
         "{file}:{line}: organisation.charity_number: YAML reads 1123456 as a number, not as text: "
         "put it in quotes: \"1123456\""),
    case("yes as text", KESTREL, "name: Kestrel Learning Centre", "name: yes",
         "{file}:{line}: name: YAML reads yes as yes/no, not as text: put it in quotes: \"yes\""),
    case("off as a qualification", KESTREL, "qualifications: [GCSE English language,", "qualifications: [off,",
         "{file}:{line}: lots[0].qualifications: YAML reads off as yes/no, not as text: put it in quotes: \"off\""),
    case("date as text", KESTREL, "travel: Bury Interchange is a 15-minute walk. There is parking for 4 cars.",
         "travel: 2024-01-01",
         "{file}:{line}: locations[0].travel: YAML reads 2024-01-01 as a date, not as text: put it in quotes: \"2024-01-01\""),
]

FUTURE = [
    *[case(f"future {name}", KESTREL, f"{name}: {date}", f"{name}: {FAR_FUTURE}",
           f"{{file}}:{{line}}: {field}: {FAR_FUTURE} is in the future: give the date it happened")
      for name, date, field in (("joined", "2023-09-01", "joined"), ("last_reviewed", "2026-03-12", "last_reviewed"),
                                ("quality_assured", "2026-02-03", "quality_assured"),
                                ("last_inspected", "2024-05-14", "registration.last_inspected"),
                                ("as_of", "2026-11-02", "lots[0].vacancies.as_of"),
                                ("insurance", "2026-01-10", "checks.insurance"))],
    *[case(f"future framework {name}", CONFIG, f"{name}: {date}", f"{name}: {FAR_FUTURE}",
           f"{{file}}:{{line}}: framework.{name}: {FAR_FUTURE} is in the future: give the date it happened")
      for name, date in (("started", "2023-09-01"), ("last_refreshed", "2025-09-01"))],
]

RULES = [
    case("check before the provider joined", KESTREL, "  insurance: 2026-01-10", "  insurance: 2023-08-31",
         "{file}:{line}: checks.insurance: 2023-08-31 is before the provider joined on 2023-09-01: give the date "
         "you last saw the evidence while it was on the framework"),
    case("check that is not a date", KESTREL, "  insurance: 2026-01-10", "  insurance: last May",
         "{file}:{line}: checks.insurance: 'last May' is not a date (write it as YYYY-MM-DD, for example 2026-03-12)"),
    case("unknown check", KESTREL, "  insurance: 2026-01-10", "  insurence: 2026-01-10",
         "{file}:{line}: checks.insurence: 'insurence' is not a field here (did you mean 'insurance'?)"),
    case("ages the wrong way round", KESTREL, "ages: {min: 11, max: 16}", "ages: {min: 16, max: 11}",
         "{file}:{line}: lots[0].ages: min is 16 but max is 11: min must not be more than max"),
    case("ages outside the key stages", KESTREL, "ages: {min: 11, max: 14}", "ages: {min: 9, max: 14}",
         "{file}:{line}: lots[1].ages: ages 9 to 14 do not fit KS3 (pupils aged 11 to 14): change the ages or the key stages"),
    case("full-time lot needs a registered school", KESTREL, '  type: independent-school\n  dfe_urn: "990101"',
         "  type: unregistered",
         "{file}:{line}: lots[0].lot: lot 1 is full-time, so the provider must be a registered school "
         "(registration.type one of independent-school, ap-academy, pru), not unregistered", at="  - lot: 1"),
    case("registered school needs its URN", KESTREL, '  dfe_urn: "990101"\n', "",
         "{file}:{line}: registration: a registration of type independent-school needs its dfe_urn "
         "(the 6-digit number from Get Information about Schools)", at="registration:"),
    case("referrals need an email or a phone", KESTREL,
         '{name: Referrals team, email: referrals@kestrel.example.org, phone: "0161 496 0010"}', "{name: Referrals team}",
         "{file}:{line}: contact.referrals: gives no way to refer: add an email, a phone, or both"),
    case("withdrawn provider is still checked", OLD_FORGE, "key_stages: [KS4]", "key_stages: [KS6]",
         f"{{file}}:{{line}}: lots[0].key_stages: 'KS6' is not a key stage {KS}"),
    case("unknown lot", KESTREL, "  - lot: 3", "  - lot: 9",
         "{file}:{line}: lots[1].lot: there is no lot 9 (the lots are 1, 2, 3, 4, 5, 6)"),
    case("lot listed twice", KESTREL, "  - lot: 3", "  - lot: 1  # the same lot again",
         "{file}:{line}: lots[1].lot: lot 1 is listed twice (lots[0] and lots[1]): put everything about one lot in one entry"),
    case("offer key stage outside its lot", KESTREL, "    key_stages: [KS3]\n    ages: {min: 11, max: 14}",
         "    key_stages: [KS3, KS4]\n    ages: {min: 11, max: 14}",
         "{file}:{line}: lots[1].key_stages: lot 3 is for KS3, not KS4",
         at="    key_stages: [KS3, KS4]\n    ages: {min: 11, max: 14}"),
    case("lot number unlike its file name", LOT_5, "number: 5", "number: 4",
         "{file}:{line}: number: is 4 but the file name says lot 5: make them the same",
         "{file}:{line}: number: lot 4 is also in content/lots/lot-4-vocational.md: each lot needs its own number"),
    case("unknown need", KESTREL, "needs: [SEMH, ASD, SLCN]", "needs: [SEMH, ADHD, SLCN]",
         "{file}:{line}: needs: 'ADHD' is not a need in site_config.yaml (one of SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, "
         "MSI, PD, ASD, OTH)"),
    case("unknown reason", KESTREL, "reasons: [permanent-exclusion,", "reasons: [expelled,",
         "{file}:{line}: reasons: 'expelled' is not a reason in site_config.yaml (one of permanent-exclusion, "
         "at-risk-of-exclusion, ebsa, medical, disengagement, awaiting-placement)"),
    case("unknown area", KESTREL, "area: bury-east", "area: manchester",
         "{file}:{line}: locations[0].area: 'manchester' is not an area in site_config.yaml (one of bury-east, bury-west, "
         "ramsbottom-tottington, radcliffe, whitefield, prestwich, online, out-of-borough)"),
    case("unknown subject", KESTREL, "    places: 8\n", "    places: 8\n    subjects: [knitting]\n",
         "{file}:{line}: lots[1].subjects: 'knitting' is not a subject in site_config.yaml (one of sport, construction, "
         "hair-and-beauty, motor-vehicle, catering, animal-care, music, art-and-design, horticulture, digital)",
         at="    subjects: [knitting]"),
    case("code listed twice", KESTREL, "needs: [SEMH, ASD, SLCN]", "needs: [SEMH, ASD, SEMH]",
         "{file}:{line}: needs: 'SEMH' is listed twice: list it once"),
    case("unknown field", KESTREL, "  legal_name: Kestrel Learning Ltd", "  legal_nam: Kestrel Learning Ltd",
         "{file}:{line}: organisation.legal_nam: 'legal_nam' is not a field here (did you mean 'legal_name'?)"),
    case("unknown field with no near name", KESTREL, "quality_assured: 2026-02-03", "inspected_by: 2026-02-03",
         "{file}:{line}: inspected_by: 'inspected_by' is not a field here (the fields here are name, summary, status, "
         "status_changed, joined, last_reviewed, organisation, registration, quality_assured, checks, "
         "attendance_reporting, contact, locations, how_to_refer, needs, "
         "reasons, lots, internal)"),
]


def previous_site(site, tmp_path):
    """A folder that already holds the built sample, as a real previous build leaves it."""
    out = tmp_path / "out" / "_site"
    shutil.copytree(site, out)
    return out


def error_lines(output: str) -> list[str]:
    """The errors printed: the sample's own warnings (review dates that age) aside."""
    return [text for text in output.splitlines() if re.match(r"[\w./-]+(:\d+)?: ", text) and ": warning: " not in text]


def build_fails_and_keeps_the_site(project, site, tmp_path) -> list[str]:
    out = previous_site(site, tmp_path)
    before = snapshot(out.parent)
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out.parent) == before, "the site already there must stay exactly as it was"
    return error_lines(result.stderr)


@pytest.mark.parametrize("change", REQUIRED + CHOICES + FORMATS + LENGTHS + QUOTES + FUTURE + RULES)
def test_rule_refuses_a_bad_file(project, site, tmp_path, change):
    expected = change.apply(project)
    assert sorted(build_fails_and_keeps_the_site(project, site, tmp_path)) == sorted(expected)


@pytest.mark.parametrize("old, new, expected", [
    ("content/providers/kestrel-learning-centre.md", "content/providers/Kestrel_Learning.md",
     "content/providers/Kestrel_Learning.md: 'Kestrel_Learning.md' is not a valid file name: use lowercase letters, "
     "digits and hyphens, ending .md (for example kestrel-learning.md)"),
    ("content/providers/kestrel-learning-centre.md", "content/providers/kestrel-learning-centre.txt",
     "content/providers/kestrel-learning-centre.txt: is not a .md file: only Markdown files belong in content/providers/"),
    ("content/lots/lot-3-turnaround-ks3.md", "content/lots/turnaround-ks3.md",
     "content/lots/turnaround-ks3.md: a lot file must be named lot-<number>-<name>.md, for example lot-4-vocational.md"),
    ("content/pages/accessibility.md", "content/pages/glossary.md",
     "content/pages/glossary.md: a page cannot be called 'glossary': the site already has /glossary/; rename the file"),
    ("site_config.yaml", "site-config.yaml", "site_config.yaml: is missing: every site needs this file"),
], ids=["provider file name", "not markdown", "lot file name", "page at an address the site uses", "no site config"])
def test_file_name_rule_refuses_a_file(project, site, tmp_path, old, new, expected):
    (project / old).rename(project / new)
    found = build_fails_and_keeps_the_site(project, site, tmp_path)
    assert expected in found
    if "lot" in old:  # the providers on lot 3 are not blamed for its file's name
        assert found == [expected]


def test_every_error_in_several_files_is_reported_in_one_run(project, site, tmp_path):
    changes = [
        Break("key stage", KESTREL, "key_stages: [KS3, KS4]", "key_stages: [KS9, KS4]",
              (f"{{file}}:{{line}}: lots[0].key_stages: 'KS9' is not a key stage {KS}",)),
        Break("area", "content/providers/greenhouse-growers.md", "area: ramsbottom-tottington", "area: manchester",
              ("{file}:{line}: locations[0].area: 'manchester' is not an area in site_config.yaml (one of bury-east, "
               "bury-west, ramsbottom-tottington, radcliffe, whitefield, prestwich, online, out-of-borough)",)),
        Break("withdrawn", OLD_FORGE, "postcode: BB4 7PQ", "postcode: nowhere",
              ("{file}:{line}: locations[0].postcode: 'nowhere' is not a UK postcode (for example BL9 0AA)",)),
        Break("lot", LOT_5, "attendance: part-time", "attendance: daily",
              ("{file}:{line}: attendance: 'daily' is not an attendance pattern (one of full-time, part-time)",)),
        Break("page", PAGE, "order: 3", "order: third",
              ("{file}:{line}: order: 'third' is not a whole number (for example 12)",)),
        Break("glossary", GLOSSARY, "  abbr: AP", "  abbr: [AP]", ("{file}:{line}: [0].abbr: should be text, not a list",)),
    ]
    expected = [line for change in changes for line in change.apply(project)]
    result_lines = build_fails_and_keeps_the_site(project, site, tmp_path)
    assert sorted(result_lines) == sorted(expected)


def test_warnings_alone_are_listed_and_the_site_is_built(project, tmp_path):
    expected = Break("old review", KESTREL, "last_reviewed: 2026-03-12", "last_reviewed: 2020-01-15", (
        "{file}:{line}: warning: last_reviewed: last reviewed on 2020-01-15, more than 12 months ago: "
        "check the entry with the provider and update last_reviewed",)).apply(project)
    out = tmp_path / "_site"
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    # Warnings are listed under "Due for review", indented below the provider's name.
    assert expected[0] in [line.strip() for line in result.stderr.splitlines()]
    assert not error_lines(result.stderr)
    assert (out / "providers/kestrel-learning-centre/index.html").is_file()
    check = run_build("check", root=project)
    assert check.returncode == 0 and expected[0] in [line.strip() for line in check.stderr.splitlines()]


def test_next_refresh_may_be_in_the_future(project, tmp_path):
    Break("next refresh", CONFIG, "next_refresh: 2027-09-01", f"next_refresh: {FAR_FUTURE}", ()).apply(project)
    result = run_build("build", "--output", str(tmp_path / "_site"), root=project)
    assert result.returncode == 0, result.stderr


def test_check_reports_the_same_errors_and_writes_nothing(project, tmp_path):
    expected = Break("key stage", KESTREL, "key_stages: [KS3, KS4]", "key_stages: [KS9, KS4]", (
        f"{{file}}:{{line}}: lots[0].key_stages: 'KS9' is not a key stage {KS}",)).apply(project)
    before = snapshot(project)
    result = run_build("check", root=project)
    assert result.returncode == 1
    assert error_lines(result.stderr) == expected
    assert snapshot(project) == before
