"""A failed or interrupted build leaves the last good site exactly as it was; builds repeat exactly.

Each stage is made to fail for real (content, cross-file rules, a template, the disk), and one build
is killed while it writes; the site built before must be byte for byte the same afterwards.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, run_build
from snapshot import rebuilt, snapshot

POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="uses POSIX resource limits and signals")
NOT_CONTENT = "(this is a mistake in the site's templates, not in the content: ask a developer to fix it)"


@pytest.fixture
def built(project, tmp_path):
    """(project, the site folder, a snapshot of what is around and inside it) after a good build."""
    out = tmp_path / "public" / "_site"
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    return project, out, snapshot(out.parent)


def build_fails(project, out, *extra: str, preexec_fn=None) -> str:
    """Build again, expecting failure; return what it printed about problems."""
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                             "--output", str(out), *extra], capture_output=True, text=True, timeout=300,
                            preexec_fn=preexec_fn)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert f"Nothing was written: fix the errors above and build again. {out} is unchanged." in result.stderr
    return result.stderr


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (which occurs once) and return the line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def test_failing_to_load_keeps_the_site(built):
    project, out, before = built
    line = edit(project / "content/providers/kestrel-learning-centre.md", "[SEMH, ASD, SLCN]", "[SEMH, ASD, SLCN")
    printed = build_fails(project, out)
    assert f"content/providers/kestrel-learning-centre.md:{line}: could not be read as YAML" in printed
    assert snapshot(out.parent) == before


def test_failing_a_rule_across_files_keeps_the_site(built):
    project, out, before = built
    line = edit(project / "content/providers/kestrel-learning-centre.md", "  - lot: 3", "  - lot: 7")
    printed = build_fails(project, out)
    assert (f"content/providers/kestrel-learning-centre.md:{line}: lots[1].lot: there is no lot 7 "
            "(the lots are 1, 2, 3, 4, 5, 6)") in printed
    assert snapshot(out.parent) == before


def test_a_template_that_fails_is_named_with_its_line_and_the_site_kept(built):
    project, out, before = built
    line = edit(project / "templates/provider.html", "<h1>{{ p.name }}</h1>", "<h1>{{ p.name.title.nope() }}</h1>")
    printed = build_fails(project, out)
    assert (f"templates/provider.html:{line}: could not be turned into a page: 'builtin_function_or_method object' "
            f"has no attribute 'nope' {NOT_CONTENT}") in printed.splitlines()
    assert snapshot(out.parent) == before


def test_a_template_with_a_syntax_error_is_named_with_its_line_and_the_site_kept(built):
    project, out, before = built
    line = edit(project / "templates/macros.html", "{% endmacro %}\n\n{% macro provider_card",
                "{% endmacr %}\n\n{% macro provider_card")
    printed = build_fails(project, out)
    problem = next(text for text in printed.splitlines() if text.startswith("templates/"))
    assert problem.startswith(f"templates/macros.html:{line}: is not a valid template: ")
    assert problem.endswith(NOT_CONTENT)
    assert snapshot(out.parent) == before


@POSIX_ONLY
def test_a_full_disk_keeps_the_site_and_leaves_no_half_written_folder(built):
    import resource

    project, out, before = built

    def small_disk():  # files over 4 kB cannot be written, as when the disk fills up mid-build
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    # Without the search index, which Pagefind writes and which would fail first, with its own message.
    printed = build_fails(project, out, "--no-search", preexec_fn=small_disk)
    assert (f"{out}: could not be written (File too large): check there is space and the folder can be "
            "written to; the site already there is as it was") in printed.splitlines()
    assert snapshot(out.parent) == before


def test_an_output_folder_inside_a_file_is_refused(project, tmp_path):
    blocker = tmp_path / "public"
    blocker.write_text("a file where the site's folder would go")
    out = blocker / "_site"
    printed = build_fails(project, out)
    assert f"{out}: cannot be made: {blocker} is a file, not a folder" in printed.splitlines()
    assert blocker.read_text() == "a file where the site's folder would go"


def refused_twice(project: Path, out: Path, why: str) -> None:
    """Two builds into `out` are both refused, saying `why`, and leave every byte in it as it was."""
    before = snapshot(out)
    for _ in range(2):
        printed = build_fails(project, out)
        assert f"{out}: {why}" in printed
        assert snapshot(out) == before


def documents(folder: Path) -> Path:
    """A folder of someone's documents that happens to hold a 404.html, as a site would."""
    (folder / "minutes").mkdir(parents=True)
    (folder / "404.html").write_text("<p>Our own error page</p>")
    (folder / "minutes" / "2026-03.txt").write_text("Minutes of the March meeting")
    (folder / "budget.ods").write_bytes(bytes(range(256)))
    return folder


def test_a_folder_of_documents_with_a_404_page_is_never_replaced(project, tmp_path):
    refused_twice(project, documents(tmp_path / "docs"), "already holds files that are not a site built by "
                  "this program (it has no .ap-directory-site file), and building would delete them")


def test_the_templates_are_never_replaced(project):
    """`--output templates` by mistake: templates/ has a 404.html, and was once deleted for it."""
    assert (project / "templates/404.html").is_file()
    refused_twice(project, project / "templates", "is inside the project's templates/ folder, and building "
                  "would delete what is there: choose an empty or new --output folder outside content/ and "
                  "templates/, such as _site")


def test_the_content_and_folders_inside_it_are_never_replaced(project):
    (project / "content/404.html").write_text("not a site")
    for folder in ("content", "content/providers", "content/new-folder"):
        before = snapshot(project)
        printed = build_fails(project, project / folder)
        assert f"{project / folder}: is inside the project's content/ folder" in printed
        assert snapshot(project) == before


def test_the_project_folder_itself_is_never_replaced(project):
    before = snapshot(project)
    printed = build_fails(project, project)
    assert f"{project}: is the project's own folder, and building would replace it with the site" in printed
    assert snapshot(project) == before


@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
def test_a_folder_git_tracks_files_in_is_never_replaced_even_a_site(built):
    project, out, _ = built
    subprocess.run(["git", "init", "-q"], cwd=out.parent, check=True)
    subprocess.run(["git", "add", "_site/index.html"], cwd=out.parent, check=True)
    refused_twice(project, out, "holds files that git tracks (index.html), and building would delete them")


def test_a_site_built_before_is_replaced_and_carries_the_mark(built):
    project, out, _ = built
    assert (out / ".ap-directory-site").read_bytes() == (
        b"Built by the Alternative Provision Directory; the build may replace this folder.\n")
    assert b".ap-directory-site" not in (out / "sitemap.xml").read_bytes()
    (out / "left-over.html").write_text("from an earlier build")
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    assert not (out / "left-over.html").exists()
    assert (out / ".ap-directory-site").is_file()


def test_a_site_without_the_mark_is_refused(built):
    """A site an earlier version built has a 404.html but no mark: it is refused like any folder."""
    project, out, _ = built
    (out / ".ap-directory-site").unlink()
    refused_twice(project, out, "already holds files that are not a site built by this program")


def many_providers(project: Path, copies: int) -> None:
    """Enough providers that writing the site takes a while: copies of the sample's, each file and
    name numbered (two providers may not have the same name)."""
    providers = project / "content/providers"
    for path in sorted(providers.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for n in range(copies):
            copy = re.sub(r"^name: (.*)$", rf"name: \1 {n}", text, count=1, flags=re.M)
            (providers / f"{path.stem}-{n}.md").write_text(copy, encoding="utf-8")


@POSIX_ONLY
def test_a_build_killed_while_writing_leaves_the_site_and_the_next_build_tidies_up(built):
    project, out, before = built
    site_before = snapshot(out)
    many_providers(project, copies=100)  # about 1,900 pages: writing them takes a good fraction of a second
    build = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                              "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=lambda: os.nice(10))  # so that this test notices the folder at once
    while build.poll() is None and not list(out.parent.glob("_site.new-*")):
        time.sleep(0.001)
    build.send_signal(signal.SIGKILL)
    assert build.wait() == -signal.SIGKILL, "the build finished before it could be killed while writing"
    leftovers = list(out.parent.glob("_site.new-*"))
    assert leftovers, "the build was killed while it wrote its fresh folder"
    assert snapshot(out) == site_before, "the site must be exactly the one built before"
    assert {path.name for path in out.parent.iterdir()} == {"_site", leftovers[0].name}

    for path in sorted((project / "content/providers").glob("*-[0-9]*.md")):
        path.unlink()
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.parent.iterdir()) == ["_site"], "the killed build's folder is removed"
    assert rebuilt(snapshot(out.parent)) == rebuilt(before)


def test_two_builds_of_the_same_content_are_byte_identical(project, tmp_path):
    """Built from two copies in different places, with different hash seeds: nothing may differ."""
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(project, other)
    sites = []
    for root, seed in ((project, "1"), (other, "2")):
        out = tmp_path / f"site-{seed}"
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                                 "--output", str(out)], capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        sites.append(rebuilt(snapshot(out)))
    assert len(sites[0]) > 50
    different = [name for name in sites[0].keys() | sites[1].keys() if sites[0].get(name) != sites[1].get(name)]
    assert not different


@POSIX_ONLY  # elsewhere a leftover folder is judged by its age
def test_only_folders_of_builds_no_longer_running_are_removed(built):
    project, out, _ = built
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(finished.stdout), os.getpid()  # this test's process runs all along the build
    for name in (f"_site.new-{dead}-abc123", f"_site.new-{alive}-def456", "_site.old-backup", "_site.notes"):
        (out.parent / name).mkdir()
        (out.parent / name / "file.txt").write_text("kept?")
    result = run_build("build", "--output", str(out), root=project)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.parent.iterdir()) == sorted(
        ["_site", f"_site.new-{alive}-def456", "_site.old-backup", "_site.notes"])
