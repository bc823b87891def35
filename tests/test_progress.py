"""A build on a terminal shows its stages and a count of pages; elsewhere it prints only its report.

Progress is for a person watching a terminal: in CI and when the output goes to a pipe or a file
the build prints only its report.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_build

PROGRESS = "Making the pages and the open data:"


def on_a_terminal(project: Path, out: Path, env: dict) -> str:
    """Build with stdout and stderr on a pseudo-terminal, as in a person's terminal window."""
    pty = pytest.importorskip("pty") if os.name != "nt" else pytest.skip("pseudo-terminals are POSIX's")
    leader, follower = pty.openpty()
    build = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                              "--output", str(out), "--no-search"], stdin=follower, stdout=follower,
                             stderr=follower, env=env)
    os.close(follower)
    printed = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the build ends
            break
        if not chunk:
            break
        printed += chunk
    os.close(leader)
    assert build.wait(timeout=300) == 0, printed.decode()
    return printed.decode()


def without_ci() -> dict:
    return {name: value for name, value in os.environ.items() if name != "CI"}


def test_a_build_on_a_terminal_shows_its_stages_and_a_count_of_pages(project, tmp_path):
    printed = on_a_terminal(project, tmp_path / "_site", without_ci())
    assert "Checking the content" in printed
    finished = re.search(PROGRESS + r" ([0-9,]+) of \1\b", printed)
    assert finished and int(finished[1]) > 100, printed
    assert "Putting the new site in place" in printed
    last_line = printed.rstrip().splitlines()[-1]
    assert last_line.startswith("Built 18 providers into"), "the progress line is cleared at the end"


def test_in_ci_a_terminal_shows_no_progress(project, tmp_path):
    printed = on_a_terminal(project, tmp_path / "_site", {**without_ci(), "CI": "true"})
    assert PROGRESS not in printed and "\r" not in printed.replace("\r\n", "\n")


def test_output_to_a_pipe_shows_no_progress(project, tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                             "--output", str(tmp_path / "_site"), "--no-search"],
                            capture_output=True, text=True, env=without_ci(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert PROGRESS not in result.stdout + result.stderr
    assert "\r" not in result.stdout + result.stderr


def test_timings_lists_each_stage_with_its_seconds(project, tmp_path):
    result = run_build("build", "--output", str(tmp_path / "_site"), "--timings", root=project)
    assert result.returncode == 0, result.stderr
    stages = re.findall(r"^ +([0-9]+\.[0-9]{2}) s  (.+)$", result.stderr, re.M)
    assert [name for _, name in stages] == ["Checking the content",
                                            "Making the pages and the open data",
                                            "Making the search index",
                                            "Putting the new site in place"]
    assert sum(float(seconds) for seconds, _ in stages) > 0
