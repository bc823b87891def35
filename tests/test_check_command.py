"""`build.py check` as a contract officer and the pull request check see it: GitHub annotations on the
file and line, reviews due grouped by provider, and --strict failing on warnings."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import run_build


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the line `old` (whole line) with `new`; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = lines.index(old)
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def years_ago(years: int) -> str:
    today = dt.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def test_github_format_puts_each_error_on_its_file_and_line(project):
    kestrel, brightpath = (project / "content/providers" / name for name in
                           ("kestrel-learning-centre.md", "brightpath-online-tutors.md"))
    status_line = replace_line(kestrel, "status: active", "status: open")
    area_line = replace_line(kestrel, "    area: bury-east", "    area: bury-north")
    postcode = next(line for line in brightpath.read_text().split("\n") if line.strip().startswith("postcode:"))
    postcode_line = replace_line(brightpath, postcode, postcode.split(":")[0] + ": XYZ")

    result = run_build("check", "--format", "github", root=project)

    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert errors == [
        f"::error file=content/providers/brightpath-online-tutors.md,line={postcode_line}::"
        "locations[0].postcode: 'XYZ' is not a UK postcode (for example BL9 0AA)",
        f"::error file=content/providers/kestrel-learning-centre.md,line={status_line}::"
        "status: 'open' is not a status (one of active, paused, withdrawn)",
    ]
    # An area is checked against site_config.yaml only once the file's fields are valid.
    assert f"line={area_line}" not in result.stdout
    replace_line(kestrel, "status: open", "status: active")
    result = run_build("check", "--format", "github", root=project)
    assert (f"::error file=content/providers/kestrel-learning-centre.md,line={area_line}::locations[0].area: "
            "'bury-north' is not an area in site_config.yaml (one of bury-east, bury-west, ramsbottom-tottington, "
            "radcliffe, whitefield, prestwich, online, out-of-borough)") in result.stdout.splitlines()


def test_reviews_due_are_grouped_by_provider(project):
    kestrel = project / "content/providers/kestrel-learning-centre.md"
    reviewed = replace_line(kestrel, "last_reviewed: 2026-03-12", f"last_reviewed: {years_ago(2)}")
    inspected = replace_line(kestrel, "  last_inspected: 2024-05-14", f"  last_inspected: {years_ago(5)}")
    visited = replace_line(kestrel, "quality_assured: 2026-02-03", f"quality_assured: {years_ago(3)}")

    result = run_build("check", root=project)

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    heading = next(i for i, line in enumerate(lines) if re.fullmatch(r"Due for review \(\d+ providers\):", line))
    group = lines.index("  Kestrel Learning Centre")
    assert group > heading and lines.count("  Kestrel Learning Centre") == 1
    path = "content/providers/kestrel-learning-centre.md"
    assert lines[group + 1:group + 4] == [
        f"    {path}:{reviewed}: warning: last_reviewed: last reviewed on {years_ago(2)}, more than 12 months ago: "
        "check the entry with the provider and update last_reviewed",
        f"    {path}:{inspected}: warning: registration.last_inspected: last inspected by Ofsted on {years_ago(5)}, "
        "more than 48 months ago: look for a newer report and update last_inspected and ofsted_report",
        f"    {path}:{visited}: warning: quality_assured: last quality-assurance visit on {years_ago(3)}, "
        "more than 24 months ago: plan a visit, then update quality_assured",
    ]
    groups = [line.strip() for line in lines[heading + 1:] if re.fullmatch(r"  \S.*", line)]
    assert groups == sorted(groups, key=str.casefold), "providers in A to Z order"


def test_strict_makes_warnings_fail(project):
    kestrel = project / "content/providers/kestrel-learning-centre.md"
    replace_line(kestrel, "last_reviewed: 2026-03-12", f"last_reviewed: {years_ago(2)}")
    assert run_build("check", root=project).returncode == 0
    strict = run_build("check", "--strict", root=project)
    assert strict.returncode == 1
    assert "--strict makes warnings fail." in strict.stderr


def test_existing_commands_and_options_still_work(project, tmp_path):
    out = tmp_path / "out"
    assert run_build("--output", str(out), root=project).returncode == 0  # build is the default
    assert (out / "index.html").is_file()
    help_text = run_build("--help").stdout
    for command in ("build", "check", "new", "schema", "serve"):
        assert re.search(rf"^\s+{command}\s", help_text, re.M), command


def test_github_format_lists_reviews_due_after_other_warnings(project):
    kestrel = project / "content/providers/kestrel-learning-centre.md"
    replace_line(kestrel, "status: active", "status: paused")  # no status_changed: a warning
    result = run_build("check", "--format", "github", root=project)
    warnings = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert len(warnings) > 1
    assert "::status_changed: status is paused" in warnings[0], "the file changed comes before reviews due"
