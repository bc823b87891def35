"""The GitHub set-up: workflows that parse, run only the commands the tests run here, pin their actions,
ask for the least permission and pass zizmor; and the forms and checklist contract officers use.

GitHub Actions cannot run here, so these tests read the files as GitHub would."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

GITHUB = REPO / ".github"
# Every command a workflow runs: each is one the README gives and the tests run on a computer.
LOCAL_COMMANDS = {"make setup", ".venv/bin/python build.py check --format github", "make site", "make test",
                  # where make and .venv/bin are not to be had (Windows): what `make test-no-browser` runs
                  'python -m pip install -c requirements-ci.txt -e ".[test]"',
                  "npm ci --no-audit --no-fund --loglevel=error", "python -m ruff check .",
                  'python -m pytest -m "not browser"'}
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")


def workflow(name: str) -> dict:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))


def triggers(flow: dict) -> dict:
    return flow.get("on", flow.get(True))  # YAML 1.1, as PyYAML reads it, takes the key `on` for true


def steps(flow: dict, job: str) -> list[dict]:
    return flow["jobs"][job]["steps"]


def position(job_steps: list[dict], **match) -> int:
    """The index of the first step whose `run` or `uses` starts with the given text."""
    (key, start), = match.items()
    return next(i for i, step in enumerate(job_steps) if step.get(key, "").startswith(start))


@pytest.mark.parametrize("path", sorted((GITHUB / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_workflow_parses_pins_actions_and_starts_with_no_permissions(path):
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert flow["permissions"] == {}, "each job asks for the permissions it needs, and no more"
    for job in flow["jobs"].values():
        assert "permissions" in job
        assert job["runs-on"].startswith("ubuntu-") or (
            job["runs-on"] == "${{ matrix.os }}" and set(job["strategy"]["matrix"]["os"]) <= {"windows-latest", "macos-latest"})
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.fullmatch(step["uses"]), f"{step['uses']} is not pinned to a commit"
            else:
                assert step["run"] in LOCAL_COMMANDS, f"{step['run']!r} is not a command the tests run"
    for line in path.read_text(encoding="utf-8").splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"say which release is pinned: {line}"


def test_pull_requests_are_checked_then_built_previewed_and_tested():
    flow = workflow("check.yml")
    assert set(triggers(flow)) == {"pull_request"}
    job = flow["jobs"]["check"]
    assert job["permissions"] == {"contents": "read"}
    assert job["env"]["CHROMIUM_PATH"] == "/usr/bin/google-chrome"
    job_steps = job["steps"]
    order = [position(job_steps, uses="actions/checkout@"), position(job_steps, run="make setup"),
             position(job_steps, run=".venv/bin/python build.py check --format github"),
             position(job_steps, run="make site"), position(job_steps, uses="actions/upload-artifact@"),
             position(job_steps, run="make test")]
    assert order == sorted(order), "annotations first, then the site, its preview, and the tests"
    preview = job_steps[position(job_steps, uses="actions/upload-artifact@")]["with"]
    elsewhere = flow["jobs"]["elsewhere"]
    assert set(elsewhere["strategy"]["matrix"]["os"]) == {"windows-latest", "macos-latest"}
    assert elsewhere["steps"][-1]["run"] == 'python -m pytest -m "not browser"'
    setups = [step for job in flow["jobs"].values() for step in job["steps"] if "setup-python" in step.get("uses", "")]
    assert all(step["with"]["cache"] == "pip" for step in setups), "pip's downloads are cached"
    assert preview["path"] == "_site/" and preview["name"] == "site-preview"
    assert job_steps[0]["with"]["persist-credentials"] is False


def test_main_daily_and_manual_runs_publish_to_pages_with_least_privilege():
    flow = workflow("publish.yml")
    assert {key: value for key, value in triggers(flow).items() if key != "schedule"} == {
        "push": {"branches": ["main"]}, "workflow_dispatch": None}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    build_steps = steps(flow, "build")
    order = [position(build_steps, uses="actions/configure-pages@"), position(build_steps, run="make site"),
             position(build_steps, uses="actions/upload-pages-artifact@")]
    assert order == sorted(order)
    assert build_steps[order[-1]]["with"]["path"] == "_site/"
    assert [step["uses"].split("@")[0] for step in steps(flow, "deploy")] == ["actions/deploy-pages"]
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_zizmor_finds_nothing_even_when_pedantic():
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run([str(zizmor), "--offline", "--persona=pedantic", "--strict-collection",
                             "--format=plain", str(GITHUB)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


@pytest.mark.parametrize("path", sorted((GITHUB / "ISSUE_TEMPLATE").glob("*.yml")), ids=lambda p: p.name)
def test_issue_form_is_valid(path):
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert form["name"] and form["description"] and form["body"]
    ids = [item["id"] for item in form["body"] if item["type"] != "markdown"]
    assert len(ids) == len(set(ids))
    for item in form["body"]:
        assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        attributes = item["attributes"]
        assert attributes.get("value") if item["type"] == "markdown" else attributes.get("label")
        if item["type"] in ("dropdown", "checkboxes"):
            assert attributes["options"]
    assert any(item.get("validations", {}).get("required") for item in form["body"])


def test_issue_forms_cover_what_officers_and_users_report():
    names = {yaml.safe_load(path.read_text(encoding="utf-8"))["name"]
             for path in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml")}
    assert names == {"Add a provider", "Change an entry", "Report a problem with the site"}


def test_pull_request_template_is_a_checklist_for_officers():
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert any("evidence" in item for item in items)
    assert any("last_reviewed" in item for item in items)
    assert any("status_changed" in item for item in items)
    assert any("preview" in item for item in items)


def test_codeowners_names_reviewers_for_content_and_code():
    rules = [line.split() for line in (GITHUB / "CODEOWNERS").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert all(len(rule) >= 2 and all(owner.startswith("@") for owner in rule[1:]) for rule in rules)
    assert {rule[0] for rule in rules} >= {"*", "/content/"}


def test_publish_runs_every_morning_in_the_uk_as_well_as_on_each_change():
    """The site is built as of the day it runs, so a daily run keeps "due" and "may have changed" true."""
    on = triggers(workflow("publish.yml"))
    assert on["push"] == {"branches": ["main"]} and "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    minute, hour, *every = schedule["cron"].split()
    assert every == ["*", "*", "*"], "every day"
    assert 4 <= int(hour) <= 6, "early morning in the UK (UTC, which is the UK's time in winter, an hour behind in summer)"
