"""Shared fixtures: the real build of the real sample content, and copies of the project to break."""
from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parent.parent
# The date every build in the tests is made as of, read once, so that a run crossing midnight agrees
# with itself: the tests compute what is due or out of date for this date from the content files.
TODAY = datetime.datetime.now(ZoneInfo("Europe/London")).date()
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import FIGURES, chromium, open_tab, site_server  # noqa: E402,F401  (browser fixtures)


def run_build(*args: str, root: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` as a user would, and capture what it prints."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The sample content built into a temporary folder, once per test run."""
    out = tmp_path_factory.mktemp("site") / "_site"
    result = run_build("build", "--output", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture
def project(tmp_path) -> Path:
    """A private copy of the project's content, config and templates, free to break."""
    return copy_project(tmp_path / "project")


def copy_project(root: Path) -> Path:
    """Copy the project's content, templates and configuration into a new folder `root`."""
    root.mkdir()
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
    return root


def pytest_collection_modifyitems(items):
    """Every test that drives Chromium is a browser test: `-m "not browser"` runs the others."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    """Measurements the tests took on the way (sizes, times, counts): printed, never asserted."""
    if FIGURES:
        terminalreporter.section("figures")
        for name, value in FIGURES:
            terminalreporter.write_line(f"{name}: {value}")
