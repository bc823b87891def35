"""The build cache: a rebuild after any change gives exactly the site a cold build gives.

Each test builds a project, changes something a contract officer or a developer changes (a
provider, a template, the configuration, a lot, the glossary, the site folder itself), builds
again with the cache the first build left, and compares every byte with a cold build of the same
project made elsewhere with no cache. Where the cache should save work, the tests also check that
it did: a page that cannot have changed is the very same file (inode) as before.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_build
from snapshot import rebuilt, snapshot

CACHE = ".build-cache"
KEPT = "providers/bramblefield-school/index.html"  # a provider none of the tests edit
EDITED = "content/providers/greenhouse-growers.md"


def build(project: Path, out: Path, *extra: str) -> None:
    result = run_build("build", "--output", str(out), "--no-search", *extra, root=project)
    assert result.returncode == 0, result.stderr


def cold_build(project: Path, tmp_path: Path, *extra: str) -> dict[str, bytes]:
    """The site a first build of the project's current state gives, made in a copy with no cache."""
    copy = tmp_path / "cold" / "project"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(CACHE))
    build(copy, copy.parent / "_site", *extra)
    return snapshot(copy.parent / "_site")


def inode(out: Path, page: str) -> int:
    return (out / page).stat().st_ino


def feed_documents_of(out: Path, slug: str) -> list[str]:
    """The provider's own documents in the open-data feed: its organization and its services (each
    at two addresses), which name its page; not the lists, which name every provider."""
    found = [path.relative_to(out).as_posix() for folder in ("organizations", "services")
             for path in (out / "api" / folder).iterdir()
             if path.is_file() and not path.name.startswith("index.") and f"providers/{slug}/" in path.read_text()]
    assert len(found) >= 4, "an organization and a service, each at two addresses"
    return found


@pytest.fixture
def built(project, tmp_path):
    """A project built once, so that it has a cache and a site."""
    out = tmp_path / "_site"
    build(project, out)
    assert (project / CACHE).is_dir()
    return project, out


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_build_with_nothing_changed_reuses_every_provider_page(built, tmp_path):
    project, out = built
    before = snapshot(out)
    pages = [name for name in before if name.startswith("providers/") and name.endswith("/index.html")
             and name != "providers/index.html"]
    pages += feed_documents_of(out, "bramblefield-school")
    inodes = {page: inode(out, page) for page in pages}
    build(project, out)
    assert snapshot(out) == before
    assert {page: inode(out, page) for page in pages} == inodes


def test_after_a_provider_changes_only_its_page_is_made_again(built, tmp_path):
    project, out = built
    kept = {name: inode(out, name) for name in [KEPT, *feed_documents_of(out, "bramblefield-school")]}
    replace(project / EDITED, "name: Greenhouse Growers", "name: Greenhouse Growers Together")
    build(project, out)
    assert "Greenhouse Growers Together" in (out / "providers/greenhouse-growers/index.html").read_text()
    assert all("Greenhouse Growers Together" in (out / name).read_text()
               for name in feed_documents_of(out, "greenhouse-growers"))
    assert {name: inode(out, name) for name in kept} == kept
    assert snapshot(out) == cold_build(project, tmp_path)


def test_a_provider_added_or_removed_is_the_same_as_in_a_cold_build(built, tmp_path):
    project, out = built
    shutil.copy(project / EDITED, project / "content/providers/greenhouse-growers-north.md")
    (project / "content/providers/cobbles-kitchen-academy.md").unlink()
    build(project, out)
    assert (out / "providers/greenhouse-growers-north/index.html").is_file()
    assert not (out / "providers/cobbles-kitchen-academy").exists()
    assert snapshot(out) == cold_build(project, tmp_path)


@pytest.mark.parametrize("path, old, new", [
    ("templates/provider.html", "{% block content %}", "{% block content %}\n<p>Template edited</p>"),
    ("templates/base.html", "</footer>", "<p>Template edited</p></footer>"),
    ("templates/macros.html", '<div class="summary-list__row">', '<div class="summary-list__row edited">'),
    ("templates/assets/site.css", "body", "/* edited */\nbody"),
])
def test_after_a_template_changes_every_page_is_made_again(built, tmp_path, path, old, new):
    project, out = built
    kept = inode(out, KEPT)
    replace(project / path, old, new)
    build(project, out)
    assert inode(out, KEPT) != kept
    assert snapshot(out) == cold_build(project, tmp_path)


@pytest.mark.parametrize("path, old, new", [
    ("site_config.yaml", "council: Bury Council", "council: Bury Metropolitan Borough Council"),
    ("site_config.yaml", "base_url: https://bury-council.example.org/ap-directory/",
     "base_url: https://ap.bury.example.org/"),
    ("content/lots/lot-1-secondary-full-time.md", "title: Secondary full-time alternative provision",
     "title: Full-time alternative provision for secondary pupils"),
    ("content/glossary.yaml", "abbr: SEMH", "abbr: SEMHN"),
])
def test_after_the_configuration_a_lot_or_the_glossary_changes_pages_follow(built, tmp_path, path, old, new):
    project, out = built
    replace(project / path, old, new)
    build(project, out)
    assert snapshot(out) == cold_build(project, tmp_path)


@pytest.mark.parametrize("which", ["page", "feed document"])
def test_a_file_edited_by_hand_in_the_site_is_made_again(built, tmp_path, which):
    project, out = built
    page = out / (KEPT if which == "page" else feed_documents_of(out, "bramblefield-school")[0])
    page.write_text(page.read_text().replace("Bramblefield", "Tampered"))
    build(project, out)
    assert snapshot(out) == cold_build(project, tmp_path)


def test_a_deleted_site_or_cache_is_built_again_in_full(built, tmp_path):
    project, out = built
    shutil.rmtree(out)
    build(project, out)
    assert snapshot(out) == cold_build(project, tmp_path)
    shutil.rmtree(project / CACHE)
    (project / CACHE).mkdir()
    (project / CACHE / "site.pickle").write_bytes(b"not a cache")  # a broken cache is ignored
    build(project, out)
    assert snapshot(out) == cold_build(project, tmp_path)


def test_a_build_into_another_folder_does_not_link_to_the_first(built, tmp_path):
    project, out = built
    other = tmp_path / "other" / "_site"
    build(project, other)
    assert inode(other, KEPT) != inode(out, KEPT)
    assert snapshot(other) == snapshot(out)


def test_with_the_search_index_a_rebuild_matches_a_cold_build(project, tmp_path):
    out = tmp_path / "_site"
    assert run_build("build", "--output", str(out), root=project).returncode == 0
    replace(project / EDITED, "name: Greenhouse Growers", "name: Greenhouse Growers Together")
    assert run_build("build", "--output", str(out), root=project).returncode == 0
    copy = tmp_path / "cold" / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(CACHE))
    assert run_build("build", "--output", str(copy.parent / "_site"), root=copy).returncode == 0
    assert rebuilt(snapshot(out)) == rebuilt(snapshot(copy.parent / "_site"))


def test_problems_in_unchanged_files_are_reported_on_every_build(built, tmp_path):
    """Loading takes unchanged files from the cache, with what was found in them."""
    project, out = built
    first = run_build("build", "--output", str(out), "--no-search", root=project)
    assert "Due for review" in first.stderr
    again = run_build("build", "--output", str(out), "--no-search", root=project)
    assert again.stderr == first.stderr
    replace(project / EDITED, "\nname: Greenhouse Growers\n", "\nname: ''\n")
    broken = run_build("build", "--output", str(out), "--no-search", root=project)
    assert broken.returncode == 1
    assert f"{EDITED}:2: name:" in broken.stderr
    replace(project / EDITED, "\nname: ''\n", "\nname: Greenhouse Growers\n")
    mended = run_build("build", "--output", str(out), "--no-search", root=project)
    assert mended.returncode == 0 and mended.stderr == first.stderr


def test_a_cache_from_another_version_of_the_program_is_not_used(built, tmp_path):
    """Entries are kept with a hash of the program: one written by another version is ignored."""
    project, out = built
    for shard in (project / CACHE / "entries").iterdir():
        shard.write_bytes(shard.read_bytes().replace(b"Greenhouse Growers", b"Greenhouse Grinders"))
    build(project, out)
    assert "Greenhouse Grinders" not in (out / "providers/greenhouse-growers/index.html").read_text()


def test_the_cache_is_never_committed():
    """The cache holds pickles, which run code when read: one in a pull request must fail CI."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    assert "/.build-cache/" in (REPO / ".gitignore").read_text().splitlines()
    tracked = subprocess.run(["git", "ls-files", "--", CACHE], cwd=REPO, capture_output=True, text=True, check=True)
    assert tracked.stdout == "", f"remove the committed build cache: git rm -r --cached {CACHE}"
