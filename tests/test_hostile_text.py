"""Text made to be slow: nothing that reads Markdown hangs on it.

Each test runs its work in a child process with a generous time limit, a guard against a hang
(such as an expression that is cubic on a few thousand lines of spaces), never a measure of speed.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_project

GUARD_SECONDS = 60
# Each is under the 512 kB a content file may hold.
HOSTILE = {
    "brackets": "[" * 50_000,
    "angle-brackets": "<" * 50_000,
    "emphasis-lines": "*a*\n" * 100_000,
    "space-only-lines": "Start\n" + "   \n" * 5_000 + "end",
    "space-only-lines-then-bar": "   \n" * 5_000 + "|",
    "unclosed-links": "[a](" * 20_000,
    "unclosed-autolinks": "<a@" * 20_000,
    "nested-quotes": "> " * 10_000 + "deep",
    "nested-lists": "1. " * 10_000 + "deep",
    "nested-bullets": "+ " * 10_000 + "deep",
    "indented-list-lines": "".join("  " * depth + "- a\n" for depth in range(600)),
    "spaces-after-a-table-rule": "|-|" + " " * 100_000 + "x",
}


def run_guarded(code: str) -> subprocess.CompletedProcess:
    """Run Python `code` in a child process (beside this file, so it can import HOSTILE)."""
    return subprocess.run([sys.executable, "-c", code], cwd=REPO / "tests", capture_output=True, text=True,
                          timeout=GUARD_SECONDS)


# What each child process imports as make(text).
MAKERS = {
    "search text": "from apdirectory.search_index import plain_text as make",
    "html": "from apdirectory.markup import Renderer; make = Renderer({'SEN': 'Special educational needs'}).markdown",
}


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("maker", MAKERS)
def test_hostile_markdown_is_made_into_html_and_search_text(maker, name):
    result = run_guarded(f"{MAKERS[maker]}; from test_hostile_text import HOSTILE; print(len(make(HOSTILE[{name!r}])))")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory) -> Path:
    """The sample with one more provider for each hostile text, as its description, and as its offer
    too where both fit in a file."""
    root = copy_project(tmp_path_factory.mktemp("hostile-text") / "project")
    kestrel = (root / "content/providers/kestrel-learning-centre.md").read_text(encoding="utf-8")
    front = yaml.safe_load(kestrel.split("---\n")[1])
    offer = front["lots"][0]["offer"]
    for number, (name, text) in enumerate(HOSTILE.items(), start=1):
        front["name"] = f"Hostile text {number}"
        front["lots"][0]["offer"] = text if len(text) < 100_000 else offer
        (root / f"content/providers/hostile-{name}.md").write_text(
            f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{text}\n", encoding="utf-8")
    return root


def test_check_and_build_with_search_finish_on_hostile_descriptions(hostile_project):
    for command in (["check"], ["build", "--output", str(hostile_project / "_site")]):
        result = subprocess.run([sys.executable, str(REPO / "build.py"), *command, "--root", str(hostile_project)],
                                capture_output=True, text=True, timeout=GUARD_SECONDS * 2)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    page = (hostile_project / "_site/providers/hostile-angle-brackets/index.html").read_text(encoding="utf-8")
    assert "&lt;" * 1000 in page  # shown as text
