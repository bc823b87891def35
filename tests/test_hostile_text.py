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
from conftest import REPO, copy_project, run_build

from apdirectory.reading.models import MAX_DESCRIPTION_CHARACTERS, MAX_MARKDOWN_CHARACTERS

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
    "search text": "from apdirectory.publishing.search_index import plain_text as make",
    "html": "from apdirectory.site.markup import Renderer; make = Renderer({'SEN': 'Special educational needs'}).markdown",
}


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("maker", MAKERS)
def test_hostile_markdown_is_made_into_html_and_search_text(maker, name):
    result = run_guarded(f"{MAKERS[maker]}; from test_hostile_text import HOSTILE; print(len(make(HOSTILE[{name!r}])))")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory) -> Path:
    """The sample with one more provider for each hostile text, as its description and as its offer,
    each cut to the longest text its field takes (the beginning and the end kept)."""
    root = copy_project(tmp_path_factory.mktemp("hostile-text") / "project")
    kestrel = (root / "content/providers/kestrel-learning-centre.md").read_text(encoding="utf-8")
    front = yaml.safe_load(kestrel.split("---\n")[1])
    for number, (name, text) in enumerate(HOSTILE.items(), start=1):
        front["name"] = f"Hostile text {number}"
        front["lots"][0]["offer"] = cut(text, MAX_MARKDOWN_CHARACTERS)
        (root / f"content/providers/hostile-{name}.md").write_text(
            f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{cut(text, MAX_DESCRIPTION_CHARACTERS - 1)}\n",
            encoding="utf-8")
    return root


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 20] + text[-20:]


def test_check_and_build_with_search_finish_on_hostile_descriptions(hostile_project):
    for command in (["check"], ["build", "--output", str(hostile_project / "_site")]):
        result = subprocess.run([sys.executable, str(REPO / "build.py"), *command, "--root", str(hostile_project)],
                                capture_output=True, text=True, timeout=GUARD_SECONDS * 2)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    page = (hostile_project / "_site/providers/hostile-angle-brackets/index.html").read_text(encoding="utf-8")
    assert "&lt;" * 1000 in page  # shown as text


def test_a_text_over_its_limit_is_refused_with_the_limit_and_its_size(project):
    path = project / "content/providers/kestrel-learning-centre.md"
    text = path.read_text(encoding="utf-8")
    front, body = text.split("---\n")[1], text.split("---\n", 2)[2]
    offer = "A long offer. " * 1_000  # 14,000 characters
    front = front.replace("Full-time timetable of English", offer + "Full-time timetable of English", 1)
    path.write_text(f"---\n{front}---\n{body}{'More words. ' * 3_000}\n", encoding="utf-8")
    offer_line = next(i for i, line in enumerate(front.splitlines(), 2) if "A long offer." in line)
    body_line = len(front.splitlines()) + 3
    result = run_build("check", root=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rel = "content/providers/kestrel-learning-centre.md"
    written = len(yaml.safe_load(front)["lots"][0]["offer"])
    assert (f"{rel}:{offer_line}: lots[0].offer: is {written:,} characters long: keep it to "
            f"{MAX_MARKDOWN_CHARACTERS:,} or fewer") in result.stderr
    assert f"{rel}:{body_line}: description: is " in result.stderr
    assert f"keep it to {MAX_DESCRIPTION_CHARACTERS:,} or fewer" in result.stderr
