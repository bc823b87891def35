"""`build.py new "Provider name"`: a commented file that `check` rejects, field by field, until every
FILL IN is replaced; then it checks and builds like any other provider."""
from __future__ import annotations

import datetime as dt
import re

from conftest import run_build
from htmlpage import page

NAME = "St Mary's Farm & Forge"
PATH = "content/providers/st-marys-farm-and-forge.md"

# What a contract officer writes in place of each FILL IN, by field name (several fields share a name).
FILLED = {
    "summary": "Farm-based learning for 14 to 16 year olds.",
    "joined": "2025-09-01",
    "last_reviewed": dt.date.today().isoformat(),
    "legal_name": "St Mary's Farm CIC",
    "type": "unregistered",
    "name": "Main yard",
    "email": "referrals@stmarys.example.org",
    "phone": '"0161 496 0999"',
    "- name": "Farm yard",
    "address": "[Farm Lane, Bury]",
    "postcode": "BL9 9ZZ",
    "area": "bury-east",
    "needs": "[SEMH]",
    "reasons": "[disengagement]",
    "- lot": "4",
    "offer": "Two days a week of animal care.",
    "key_stages": "[KS4]",
    "ages": "{min: 14, max: 16}",
    "days": "[mon, tue]",
    "hours_per_week": "10",
}


def fill_in(text: str) -> str:
    """Replace the value of every line that still says FILL IN, keeping its indenting."""
    def filled(match: re.Match) -> str:
        indent, key = match[1], match[2]
        return f"{indent}{key}: {FILLED[key.strip()]}"
    return re.sub(r"(?m)^( *)(- \w+|\w+): .*FILL IN.*$", filled, text)


def record_checks(text: str) -> str:
    """Take the # off the checks block and attendance_reporting, giving each check today's date."""
    text = text.replace("\n# checks:\n", "\nchecks:\n")
    text = re.sub(r"(?m)^#   (\w+): YYYY-MM-DD.*$", lambda m: f"  {m[1]}: {dt.date.today().isoformat()}", text)
    return re.sub(r"(?m)^# (attendance_reporting: [^#]*?) *#.*$", r"\1", text)


def test_new_file_fails_check_until_filled_in_then_builds(project, tmp_path):
    made = run_build("new", NAME, root=project)
    assert made.returncode == 0, made.stderr
    assert f"Wrote {PATH}, a new entry for {NAME}." in made.stdout
    assert "Next steps:" in made.stdout and "python build.py check" in made.stdout
    file = project / PATH
    text = file.read_text(encoding="utf-8")
    assert f'name: "{NAME}"' in text
    assert "#   SEMH: Social, emotional and mental health" in text  # codes listed beside their fields
    assert "#   4: Part-time vocational provision (part-time, KS4)" in text
    assert "#   insurance: YYYY-MM-DD" in text and "# attendance_reporting: " in text  # the checks, commented

    before = run_build("check", root=project)
    assert before.returncode == 1
    problems = [line for line in before.stderr.splitlines() if line.startswith(PATH)]
    fields = {line.split(": ")[1] for line in problems}
    assert fields >= {"summary", "joined", "last_reviewed", "organisation.legal_name", "registration.type",
                      "contact.referrals.email", "contact.safeguarding_lead.phone", "locations[0].postcode",
                      "locations[0].area", "needs", "reasons", "lots[0].lot", "lots[0].key_stages",
                      "lots[0].hours_per_week"}
    assert f"{PATH}:7: summary: still says 'FILL IN: one plain sentence about the provider, at most 200 " \
           "characters, shown in lists': replace it with the real value" in problems
    assert f"{PATH}:10: joined: 'FILL IN' is not a date (write it as YYYY-MM-DD, for example 2026-03-12)" in problems

    # An unregistered provider: `check` warns about each check not yet recorded, so record them all.
    file.write_text(record_checks(fill_in(text)), encoding="utf-8")
    after = run_build("check", root=project)
    assert after.returncode == 0, after.stderr
    assert PATH not in after.stderr
    out = tmp_path / "site"
    assert run_build("build", "--output", str(out), root=project).returncode == 0
    shown = page(out, "providers/st-marys-farm-and-forge/").text
    assert NAME in shown and "The provider tells the school about every session by 10am, by email." in shown
    assert "Not recorded" not in shown


def test_new_never_overwrites_an_entry(project):
    existing = project / "content/providers/kestrel-learning-centre.md"
    before = existing.read_bytes()
    result = run_build("new", "Kestrel Learning Centre", root=project)
    assert result.returncode == 1
    assert ("No file was written: content/providers/kestrel-learning-centre.md already exists: edit that "
            "file, or give the new provider a name that is different") in result.stderr
    assert existing.read_bytes() == before


def test_new_needs_a_name_to_make_a_file_name_from(project):
    result = run_build("new", "???", root=project)
    assert result.returncode == 1
    assert "has no letters or digits to make a file name from" in result.stderr
