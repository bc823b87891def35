"""Odd things in the file system: each gets a message on its file, and the rest of the run goes on.

Link loops, broken links, a pipe (FIFO) and files or folders no one may read are put beside a site
built before, with a mistake of the ordinary kind in another file; one real build must report
every one of them, with exit status 1 and no traceback, and leave the site as it was.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_build
from snapshot import snapshot

POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="uses POSIX links and pipes")
# As root (in CI, in containers) permissions do not stop reading, so there is nothing to test.
AS_ROOT = pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root may read any file")
KESTREL = "content/providers/kestrel-learning-centre.md"
OTHER_ERROR = f"{KESTREL}:"  # the start of the line of the ordinary mistake made in the same run


def build_reports(project: Path, make, *expected: str) -> None:
    """Build, then `make(project)` odd, and build again: every line `expected`, and an ordinary mistake
    in another file, are reported, with exit status 1, no traceback, and the site as it was."""
    out = project.parent / "_site"
    assert run_build("build", "--output", str(out), root=project).returncode == 0
    before = snapshot(out)
    kestrel = project / KESTREL
    kestrel.write_text(kestrel.read_text(encoding="utf-8").replace("  - lot: 3", "  - lot: 7"), encoding="utf-8")
    make(project)
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    printed = result.stderr.splitlines()
    for line in expected:
        assert line in printed, result.stderr
    assert any(line.startswith(OTHER_ERROR) and "there is no lot 7" in line for line in printed), result.stderr
    assert snapshot(out) == before


def links(project: Path) -> None:
    providers = project / "content/providers"
    (providers / "loop-a.md").symlink_to("loop-b.md")
    (providers / "loop-b.md").symlink_to("loop-a.md")
    (providers / "itself.md").symlink_to("itself.md")
    (providers / "gone.md").symlink_to("deleted-provider.md")


@POSIX_ONLY
def test_links_in_a_loop_and_links_to_nothing_are_reported(project):
    loop = "is a link that leads round in a loop, never to a file: replace the link with the file itself"
    build_reports(project, links,
                  f"content/providers/itself.md: {loop}",
                  f"content/providers/loop-a.md: {loop}",
                  f"content/providers/loop-b.md: {loop}",
                  "content/providers/gone.md: is a link to a file that does not exist (moved or deleted?): "
                  "replace the link with the file itself, or delete the link")


def pages_in_a_loop(project: Path) -> None:
    pages = project / "content/pages"
    for path in pages.iterdir():
        path.unlink()
    pages.rmdir()
    pages.symlink_to("pages")


@POSIX_ONLY
def test_a_content_folder_that_is_a_link_in_a_loop_is_reported(project):
    build_reports(project, pages_in_a_loop, "content/pages: is a link that leads round in a loop, never to a "
                  "folder: replace the link with the folder itself")


@POSIX_ONLY
def test_a_pipe_is_reported_without_waiting_for_it(project):
    """Opening a FIFO would wait for a writer forever: run_build's timeout would fail the test."""
    build_reports(project, lambda root: os.mkfifo(root / "content/providers/pipe.md"),
                  "content/providers/pipe.md: is a pipe (FIFO), not a plain file: replace it with a text file")


def locked_file(project: Path) -> None:
    path = project / "content/providers/locked.md"
    path.write_bytes((project / KESTREL).read_bytes().replace(b"Kestrel", b"Locked"))
    path.chmod(0)


@AS_ROOT
def test_an_unreadable_file_is_reported(project):
    build_reports(project, locked_file, "content/providers/locked.md: cannot be read: its permissions (or its "
                  "folder's) do not let the build read it: make it readable (chmod a+r), or ask whoever owns it")


@AS_ROOT
def test_an_unreadable_folder_is_reported(project):
    try:
        build_reports(project, lambda root: (root / "content/pages").chmod(0),
                      "content/pages: cannot be read: its permissions (or its folder's) do not let the build "
                      "read it: make it readable (chmod a+rx), or ask whoever owns it")
    finally:
        (project / "content/pages").chmod(0o755)  # so that the test's folder can be deleted
