"""Text made to be slow: nothing that reads Markdown hangs on it.

Each test runs its work in a child process with a generous time limit, a guard against a hang
(such as an expression that is cubic on a few thousand lines of spaces), never a measure of speed.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

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
    "nested-lists": "- " * 10_000 + "deep",
    "indented-list-lines": "".join("  " * depth + "- a\n" for depth in range(600)),
    "spaces-after-a-table-rule": "|-|" + " " * 100_000 + "x",
}


def run_guarded(code: str) -> subprocess.CompletedProcess:
    """Run Python `code` in a child process (beside this file, so it can import HOSTILE)."""
    return subprocess.run([sys.executable, "-c", code], cwd=REPO / "tests", capture_output=True, text=True,
                          timeout=GUARD_SECONDS)


@pytest.mark.parametrize("name", HOSTILE)
def test_search_text_of_hostile_markdown_is_made(name):
    code = ("from apdirectory.search_index import plain_text; "
            f"from test_hostile_text import HOSTILE; print(len(plain_text(HOSTILE[{name!r}])))")
    result = run_guarded(code)
    assert result.returncode == 0, result.stderr
