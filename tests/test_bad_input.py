"""The corpus of bad files (tests/bad/): each is refused with the exact message in expected.txt.

All of them go into one copy of the sample, beside a site built from it, and one real build runs:
every error must be reported in that one run, and the site built before must stay as it was.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_project, run_build
from snapshot import snapshot

BAD = Path(__file__).parent / "bad"


def expected_messages() -> dict[str, list[str]]:
    """File -> the error lines expected for it, from expected.txt (a bare path expects none)."""
    expected: dict[str, list[str]] = {}
    for line in (BAD / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            path = line.split(":")[0]
            expected.setdefault(path, [])
            if line != path:
                expected[path].append(line)
    return expected


EXPECTED = expected_messages()


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    """(the build's result, the site before it, the site after it)."""
    root = copy_project(tmp_path_factory.mktemp("corpus") / "project")
    site = root / "_site"
    assert run_build("build", "--output", str(site), root=root).returncode == 0
    before = snapshot(site)
    shutil.copytree(BAD / "content", root / "content", dirs_exist_ok=True)
    _write_generated_cases(root)
    result = run_build("build", "--output", str(site), root=root)
    return result, before, snapshot(site)


def _write_generated_cases(root: Path) -> None:
    """The two cases that are better made than stored: a file of several MB, and a link."""
    valid = (BAD / "content/providers/crlf-line-ends.md").read_text(encoding="utf-8")
    huge = valid + "A very long description. " * 200_000
    (root / "content/providers/huge.md").write_text(huge, encoding="utf-8")
    outside = root.parent / "not-content.md"
    outside.write_text(valid, encoding="utf-8")
    (root / "content/providers/link-outside.md").symlink_to(outside)


def error_lines(output: str) -> list[str]:
    """The problems printed, without warnings: the sample's review dates age into warnings."""
    return [line for line in output.splitlines() if line.startswith("content/") and ": warning: " not in line]


def test_the_corpus_fails_the_build_and_the_previous_site_stays(corpus_build):
    result, before, after = corpus_build
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert after == before
    assert "Nothing was written" in result.stderr


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_bad_file_is_reported_exactly(corpus_build, path):
    result, _, _ = corpus_build
    found = [line for line in error_lines(result.stderr) if line.split(":")[0] == path]
    assert found == EXPECTED[path]


def test_nothing_but_the_expected_errors_is_reported(corpus_build):
    result, _, _ = corpus_build
    expected = sorted(line for lines in EXPECTED.values() for line in lines)
    assert sorted(error_lines(result.stderr)) == expected
    assert f"Found {len(expected)} errors" in result.stderr


def test_every_stored_bad_file_has_an_entry_in_the_table():
    stored = {path.relative_to(BAD).as_posix() for path in (BAD / "content").rglob("*.md")}
    assert stored <= set(EXPECTED), stored - set(EXPECTED)


def test_a_file_with_windows_line_ends_builds_the_same_page(project, tmp_path, site):
    path = project / "content/providers/kestrel-learning-centre.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "out"
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    page = "providers/kestrel-learning-centre/index.html"
    assert (out / page).read_bytes() == (site / page).read_bytes()
