"""The checks the council has made, and facts that have aged, as of the build's date (--today):
on the provider page, on Find a provider, in the open data and from `check`. Expectations are
worked out from the content files (sample.py), never copied from the build."""
from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import sample
import yaml
from conftest import REPO, TODAY, run_build
from htmlpage import page

KESTREL = "content/providers/kestrel-learning-centre.md"  # an independent school: Ofsted stands for the standards
TENFOLD = "content/providers/tenfold-sports-coaching.md"  # unregistered: every check matters
ISSUE_TEMPLATES = REPO / ".github/ISSUE_TEMPLATE"


def date_text(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


class CheckRows(HTMLParser):
    """The rows of "Checks the council has made": key -> (state, visible text)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, tuple[str, str]] = {}
        self._key, self._state, self._depth, self._text = None, "", 0, []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._key:
            self._depth += tag == "div"
        elif "data-check" in attrs:
            self._key, self._state, self._depth, self._text = attrs["data-check"], attrs["data-state"], 1, []

    def handle_endtag(self, tag):
        if self._key and tag == "div":
            self._depth -= 1
            if not self._depth:
                self.rows[self._key] = (self._state, " ".join("".join(self._text).split()))
                self._key = None

    def handle_data(self, data):
        if self._key:
            self._text.append(data)


def rows(site: Path, slug: str) -> dict[str, tuple[str, str]]:
    return CheckRows((site / f"providers/{slug}/index.html").read_text(encoding="utf-8")).rows


def assert_rows_match(found: dict, doc: sample.Doc, today: dt.date, root: Path = REPO) -> None:
    expected = sample.expected_checks(doc, today, root)
    assert list(found) == list(expected), doc.slug
    for key, (date, due, state) in expected.items():
        shown_state, text = found[key]
        assert shown_state == state, (doc.slug, key)
        assert ("Not recorded" in text) == (date is None), (doc.slug, key, text)
        assert ("Due to be checked again" in text) == due, (doc.slug, key, text)
        if date:
            assert f"Last confirmed on {date_text(date)}." in text, (doc.slug, key, text)


def edit(root: Path, relpath: str, *changes: tuple[str, str]) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def set_checks(root: Path, relpath: str, checks: dict[str, dt.date]) -> None:
    """Replace the provider's checks block."""
    path = root / relpath
    text = re.sub(r"(?m)^checks:\n(  .*\n)*", "", path.read_text(encoding="utf-8"))
    block = "checks:\n" + "".join(f"  {key}: {date.isoformat()}\n" for key, date in checks.items())
    path.write_text(text.replace("\ncontact:\n", f"\n{block}contact:\n", 1), encoding="utf-8")


def build(root: Path, out: Path, today: dt.date, *args: str) -> Path:
    result = run_build("build", "--no-search", "--output", str(out), "--today", today.isoformat(), *args, root=root)
    assert result.returncode == 0, result.stderr
    return out


# --- the provider page ------------------------------------------------------------------------

def test_every_check_on_every_provider_page_says_what_the_content_says(site):
    states = set()
    for doc in sample.published():
        found = rows(site, doc.slug)
        assert_rows_match(found, doc, TODAY)
        states |= {state for state, _ in found.values()}
        text = page(site, f"providers/{doc.slug}/").text
        assert "Checks the council has made" in text and "How attendance is reported" in text
        if "attendance_reporting" in doc.meta:
            assert doc.meta["attendance_reporting"] in text
        else:
            assert "How attendance is reported Not recorded." in text
    assert states == {"recent", "due", "not recorded"}, "the sample shows every state"


def test_every_state_of_every_check_recent_due_missing_and_a_school_inspected_by_ofsted(project, tmp_path):
    months = sample.config(project)["review"]["checks_max_age_months"]
    recent, due = TODAY - dt.timedelta(days=30), sample.months_later(TODAY, -months) - dt.timedelta(days=1)
    on_the_day = sample.months_later(TODAY, -months)  # exactly the age: not yet due
    state_of = {"safeguarding_checks": recent, "safeguarding_lead_trained": due, "insurance": on_the_day,
                "policies": due}  # health_and_safety and national_standards left out: not recorded
    for relpath in (KESTREL, TENFOLD):
        set_checks(project, relpath, state_of)
    edit(project, KESTREL, ("  last_inspected: 2024-05-14\n", ""))  # an inspection not recorded either
    out = build(project, tmp_path / "_site", TODAY)
    for relpath in (KESTREL, TENFOLD):
        doc = sample.read(project / relpath)
        found = rows(out, doc.slug)
        assert_rows_match(found, doc, TODAY, project)
        assert [found[key][0] for key in state_of] == ["recent", "due", "recent", "due"]
        assert found["health_and_safety"][0] == "not recorded"
    kestrel, tenfold = rows(out, "kestrel-learning-centre"), rows(out, "tenfold-sports-coaching")
    assert "national_standards" not in kestrel and kestrel["ofsted_inspection"][0] == "not recorded"
    assert "Ofsted inspection" in kestrel["ofsted_inspection"][1]
    assert "ofsted_inspection" not in tenfold and tenfold["national_standards"][0] == "not recorded"
    # A due check is said in words, not by colour alone.
    assert "Due to be checked again" in tenfold["policies"][1]


def test_an_inspected_school_shows_its_ofsted_inspection_date_in_place_of_the_standards(site):
    schools = [doc for doc in sample.published() if doc.meta["registration"]["type"] in sample.REGISTERED_SCHOOLS]
    assert schools
    for doc in schools:
        found = rows(site, doc.slug)
        assert "national_standards" not in found
        inspected = doc.meta["registration"].get("last_inspected")
        if inspected:
            assert f"Last confirmed on {date_text(inspected)}." in found["ofsted_inspection"][1]


# --- facts that age: the entry and its vacancies -----------------------------------------------

def stale_notice(site: Path, slug: str) -> str | None:
    found = re.search(r'<div class="warning" role="note" aria-label="Entry out of date">(.*?)</div>',
                      (site / f"providers/{slug}/index.html").read_text(encoding="utf-8"), re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found[1]).split()) if found else None


def test_stale_entry_notice_appears_the_day_after_the_limit(project, tmp_path):
    months = sample.config(project)["review"]["max_age_months"]
    reviewed = TODAY
    edit(project, KESTREL, ("last_reviewed: 2026-03-12", f"last_reviewed: {reviewed.isoformat()}"))
    limit = sample.months_later(reviewed, months)
    assert stale_notice(build(project, tmp_path / "on", limit), "kestrel-learning-centre") is None
    after = build(project, tmp_path / "after", limit + dt.timedelta(days=1))
    assert stale_notice(after, "kestrel-learning-centre") == (
        f"Last checked on {date_text(reviewed)}, more than {months} months ago. "
        "Confirm the details with the provider before you refer.")
    record = provider_record(after, "kestrel-learning-centre")
    assert record["out_of_date"] is True
    alerts = {service.get("alert") for service in feed_services(after, "kestrel-learning-centre")}
    assert alerts == {f"Last checked on {date_text(reviewed)}, more than {months} months ago. "
                      "Confirm the details with the provider before you refer."}


def provider_record(site: Path, slug: str) -> dict:
    data = json.loads((site / "data/providers.json").read_text(encoding="utf-8"))
    return next(record for record in data["providers"] if record["slug"] == slug)


def feed_services(site: Path, slug: str) -> list[dict]:
    found = []
    for path in sorted((site / "api/services").glob("*-*.json")):  # each service, named by its id
        service = json.loads(path.read_text(encoding="ascii"))
        if service["url"].endswith(f"/providers/{slug}/"):
            found.append(service)
    return found


def find_offer(site: Path, slug: str) -> str:
    """The first offer of the provider's card on /find/, as HTML."""
    html = (site / "find/index.html").read_text(encoding="utf-8")
    card = html[html.index(f'data-card="{slug}"'):]
    start = card.index('<li class="offer"')
    return card[start:card.index("</ul>", start)]


def test_vacancies_may_have_changed_the_day_after_the_limit_and_then_never_count_as_current(project, tmp_path):
    days = sample.config(project)["review"]["vacancies_max_age_days"]
    counted = TODAY
    edit(project, KESTREL, ("vacancies: {count: 3, as_of: 2026-11-02}", f"vacancies: {{count: 3, as_of: {counted}}}"))
    when = date_text(counted)
    on = build(project, tmp_path / "on", counted + dt.timedelta(days=days))
    after = build(project, tmp_path / "after", counted + dt.timedelta(days=days + 1))

    assert f"Vacancies 3 places on {when} Largest" in page(on, "providers/kestrel-learning-centre/").text
    assert f"Vacancies 3 places on {when} (may have changed)" in page(after, "providers/kestrel-learning-centre/").text
    # On Find a provider: the card says so, and "Most vacancies" sorts on data-vacancies, now left out.
    assert 'data-vacancies="3"' in find_offer(on, "kestrel-learning-centre")
    assert f"3 vacancies on {when}<" in find_offer(on, "kestrel-learning-centre")
    assert "data-vacancies" not in find_offer(after, "kestrel-learning-centre")
    assert f"3 vacancies on {when} (may have changed)" in find_offer(after, "kestrel-learning-centre")
    assert provider_record(on, "kestrel-learning-centre")["lots"][0]["vacancies"]["current"] is True
    assert provider_record(after, "kestrel-learning-centre")["lots"][0]["vacancies"]["current"] is False


def test_two_builds_on_the_same_date_are_identical_and_a_later_date_changes_what_is_due(project, tmp_path):
    first = build(project, tmp_path / "one", TODAY)
    second = build(project, tmp_path / "two", TODAY)
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
    assert [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []
    later = TODAY + dt.timedelta(days=800)
    aged = build(project, tmp_path / "later", later)
    assert provider_record(aged, "kestrel-learning-centre")["checks"]["insurance"]["due"] is True
    assert json.loads((aged / "data/providers.json").read_text(encoding="utf-8"))["as_of"] == later.isoformat()


def test_today_must_be_a_date():
    result = run_build("check", "--today", "3/12/2026")
    assert result.returncode == 2
    assert "--today: '3/12/2026' is not a date: write it as YYYY-MM-DD, such as 2026-12-03" in result.stderr


# --- `check` ----------------------------------------------------------------------------------

def due_for_review(stderr: str) -> str:
    return stderr[stderr.index("Due for review"):] if "Due for review" in stderr else ""


def test_check_lists_missing_and_out_of_date_checks_under_due_for_review(project):
    months = sample.config(project)["review"]["checks_max_age_months"]
    old = sample.months_later(TODAY, -months) - dt.timedelta(days=1)
    set_checks(project, TENFOLD, {"insurance": old, "policies": TODAY})
    set_checks(project, KESTREL, {"insurance": TODAY})  # a school: nothing missing is warned
    result = run_build("check", "--today", TODAY.isoformat(), root=project)
    assert result.returncode == 0, result.stderr
    listed = due_for_review(result.stderr)
    tenfold = [line.strip() for line in listed.splitlines() if line.strip().startswith(TENFOLD)]
    fields = sorted(line.split(": ")[2] for line in tenfold if ": checks." in line)
    assert fields == sorted(["checks.safeguarding_checks", "checks.safeguarding_lead_trained", "checks.insurance",
                             "checks.health_and_safety", "checks.national_standards"])
    assert any(f"checks.insurance: last saw employer's and public liability insurance certificates on "
               f"{old.isoformat()}, more than {months} months ago" in line for line in tenfold)
    assert not [line for line in listed.splitlines() if KESTREL in line and ": checks." in line]
    strict = run_build("check", "--strict", "--today", TODAY.isoformat(), root=project)
    assert strict.returncode == 1


def hours_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "registration.full_time_hours" in line]


def test_registration_hours_warning_at_the_limit_and_not_below(project):
    limit = sample.config(project)["registration"]["full_time_hours"]
    edit(project, TENFOLD, ("    hours_per_week: 10\n", f"    hours_per_week: {limit}\n"))
    result = run_build("check", "--today", TODAY.isoformat(), root=project)
    assert result.returncode == 0, result.stderr
    (warning,) = hours_warnings(result.stderr)
    assert warning.startswith(f"{TENFOLD}:")
    assert ": warning: lots[0].hours_per_week: " in warning
    for words in ("independent school", "5 or more pupils of compulsory school age",
                  "education, health and care (EHC) plan", "looked after", "Ask the provider"):
        assert words in warning, words
    assert run_build("check", "--strict", "--today", TODAY.isoformat(), root=project).returncode == 1

    edit(project, TENFOLD, (f"    hours_per_week: {limit}\n", f"    hours_per_week: {limit - 0.5}\n"))
    assert hours_warnings(run_build("check", "--today", TODAY.isoformat(), root=project).stderr) == []


def test_a_registered_school_may_teach_full_time_without_the_warning():
    schools = [doc for doc in sample.published() if doc.meta["registration"]["type"] in sample.REGISTERED_SCHOOLS
               and any(offer["hours_per_week"] >= sample.config()["registration"]["full_time_hours"]
                       for offer in doc.meta["lots"])]
    assert schools
    assert hours_warnings(run_build("check", "--today", TODAY.isoformat()).stderr) == []


# --- Report a mistake in this entry -------------------------------------------------------------

def report_link(site: Path, slug: str) -> str:
    html = (site / f"providers/{slug}/index.html").read_text(encoding="utf-8")
    (href,) = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer" id="report-mistake">Report a mistake in '
                         r'this entry</a>', html)
    return href.replace("&amp;", "&")


def test_report_a_mistake_opens_the_change_an_entry_form_with_the_name_filled_in(site):
    repository = sample.config()["site"]["repository"]
    for doc in sample.published():
        link = urlsplit(report_link(site, doc.slug))
        assert f"{link.scheme}://{link.netloc}{link.path}" == f"{repository}/issues/new"
        query = {key: values[0] for key, values in parse_qs(link.query).items()}
        form = yaml.safe_load((ISSUE_TEMPLATES / query.pop("template")).read_text(encoding="utf-8"))
        assert query.pop("title") == form["title"] + doc.meta["name"]
        field_ids = {field.get("id") for field in form["body"]}
        assert query, "a field is filled in"
        for field_id, value in query.items():
            assert field_id in field_ids, field_id
            assert value == doc.meta["name"]


def test_without_a_repository_report_a_mistake_is_an_email_to_the_council(project, tmp_path):
    edit(project, "site_config.yaml", ("  repository: https://github.com/bury-council/ap-directory\n", ""))
    out = build(project, tmp_path / "_site", TODAY)
    link = urlsplit(report_link(out, "kestrel-learning-centre"))
    assert (link.scheme, link.path) == ("mailto", sample.config(project)["site"]["contact_email"])
    assert parse_qs(link.query)["subject"] == ["A mistake in the entry for Kestrel Learning Centre"]
