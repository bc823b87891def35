"""A build in two processes (apdirectory/parallel.py) writes the same site as one, and fails as one.

The content is the sample's providers, each repeated under new names, so that there are many
parts of the feed and the pages for the two processes to share.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, run_build
from snapshot import rebuilt, snapshot

COPIES = 8


@pytest.fixture
def larger(project) -> Path:
    """The sample project with each provider there `COPIES` times, under other names."""
    folder = project / "content" / "providers"
    for original in sorted(folder.glob("*.md")):
        text = original.read_text(encoding="utf-8")
        name_line = next(line for line in text.splitlines() if line.startswith("name: "))
        for copy in range(2, COPIES + 1):
            (folder / f"{original.stem}-{copy}.md").write_text(
                text.replace(name_line, f"{name_line} {copy}", 1), encoding="utf-8")
    return project


def build(root: Path, out: Path, *extra: str):
    return run_build("build", "--output", str(out), "--today", TODAY.isoformat(), *extra, root=root)


def test_two_processes_write_the_same_site_as_one(larger, tmp_path):
    sites = {}
    for processes in ("1", "2"):
        result = build(larger, tmp_path / f"site-{processes}", "--processes", processes)
        assert result.returncode == 0, result.stderr
        sites[processes] = rebuilt(snapshot(tmp_path / f"site-{processes}"))
    providers = len(list((larger / "content" / "providers").glob("*.md")))
    pages = [name for name in sites["1"] if name.startswith("providers/") and name.endswith("/index.html")]
    assert len(pages) >= providers * 3 // 4  # withdrawn providers have no page
    different = [name for name in sites["1"].keys() | sites["2"].keys() if sites["1"].get(name) != sites["2"].get(name)]
    assert not different


def test_two_processes_report_a_mistake_once_and_write_nothing(larger, tmp_path):
    out = tmp_path / "public" / "_site"
    assert build(larger, out, "--processes", "2", "--no-search").returncode == 0
    before = snapshot(out.parent)
    kestrel = larger / "content" / "providers" / "kestrel-learning-centre-3.md"
    kestrel.write_text(kestrel.read_text(encoding="utf-8").replace("  - lot: 3", "  - lot: 7"), encoding="utf-8")
    template = larger / "templates" / "provider.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "<h1>{{ p.name }}</h1>", "<h1>{{ p.name.title.nope() }}</h1>"), encoding="utf-8")

    result = build(larger, out, "--processes", "2", "--no-search")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("there is no lot 7") == 1
    assert snapshot(out.parent) == before

    kestrel.write_text(kestrel.read_text(encoding="utf-8").replace("  - lot: 7", "  - lot: 3"), encoding="utf-8")
    result = build(larger, out, "--processes", "2", "--no-search")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if "could not be turned into a page" in line]
    assert len(failed) == 1 and failed[0].startswith("templates/provider.html:5: "), result.stderr
    assert snapshot(out.parent) == before
