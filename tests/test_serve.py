"""`build.py serve`: a real server on 127.0.0.1 that shows each change saved to a copy of the content,
exactly as a cold build would make the site, keeps serving the last good site when a change has an
error, and stops on Ctrl+C. What a browser sees of it (the page reloading itself, the dialog of
mistakes) is in test_preview_in_browser.py."""
from __future__ import annotations

import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from conftest import REPO, run_build
from snapshot import UNSTABLE_SEARCH_FILES, rebuilt, snapshot

from apdirectory.publishing.output import SITE_MARK

PAGE = "providers/kestrel-learning-centre/"
SUMMARY = "summary: Small-group full-time education"


class Server:
    """The serve command, running; its output read line by line as it comes."""

    def __init__(self, root):
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = re.search(r"http://127\.0\.0\.1:\d+/\S*", self.wait_for("Serving the directory at"))[0]

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # the server stopped

    def wait_for(self, text: str) -> str:
        """The next line of output containing `text`; fails if the server stops first."""
        while True:
            try:
                line = self.lines.get(timeout=120)  # only a guard against hanging: never a measure
            except queue.Empty:
                line = None
            if line is None:
                pytest.fail(f"serve never printed {text!r}: " + "\n".join(self.seen[-30:]))
            self.seen.append(line)
            if text in line:
                return line

    def get(self, path: str) -> str:
        return self.get_bytes(path).decode("utf-8")

    def get_bytes(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.read()

    def printed(self) -> list[str]:
        """Every line printed so far."""
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                self.seen.append(line)
        return self.seen

    def wait_for_search(self) -> None:
        """Until the search index of the version just rebuilt is in place."""
        version = re.search(r"version (\d+)", self.wait_for("Rebuilt"))[1]
        self.wait_for(f"Search index updated (version {version})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server(project):
    running = Server(project)
    yield running
    running.stop()


LIVE_SCRIPT = re.compile(rb'<script src="/_preview/live\.js" data-version="[0-9a-f]+-\d+"></script>\n')


def served(server: Server, cold: dict[str, bytes]) -> dict[str, bytes]:
    """Each file of a cold build as serve sends it, without the live-reload script it adds to pages.
    (The folder mark is the built folder's, not the site's.)"""
    found = {}
    for name in cold:
        if name == SITE_MARK:
            continue
        if name.endswith("/") or UNSTABLE_SEARCH_FILES.fullmatch(name):
            # Folders, and Pagefind's files whose names change from one index to the next: counted, not read.
            found[name] = b""
            continue
        data = server.get_bytes(name)
        scripts = len(LIVE_SCRIPT.findall(data))
        assert scripts == (name.endswith(".html") and not name.startswith("api/")), name  # pages only, once
        found[name] = LIVE_SCRIPT.sub(b"", data)
    assert server.get_bytes("pagefind/parts.json")
    return found


def test_serve_rebuilds_after_a_change_and_keeps_the_last_good_site(server, project):
    assert server.url.endswith("/ap-directory/")  # the path the site has on GitHub Pages
    assert "Small-group full-time education" in server.get(PAGE)

    entry = project / "content/providers/kestrel-learning-centre.md"
    entry.write_text(entry.read_text().replace(SUMMARY, "summary: Newly revised small-group education"))
    server.wait_for("A file changed")
    server.wait_for("Rebuilt")
    assert "Newly revised small-group education" in server.get(PAGE)
    assert "Newly revised small-group education" in server.get("providers/")

    entry.write_text(entry.read_text().replace("status: active", "status: open"))
    server.wait_for("A file changed")
    error = server.wait_for("kestrel-learning-centre.md")
    assert "status: 'open' is not a status" in error
    server.wait_for("Still serving the last good version")
    assert "Newly revised small-group education" in server.get(PAGE)


EDITS = [  # (what a person changes while previewing, file, old text, new text)
    ("a provider", "content/providers/greenhouse-growers.md", "name: Greenhouse Growers", "name: Greenhouse Growers Together"),
    ("a provider's status", "content/providers/brightpath-online-tutors.md", "status: active", "status: paused"),
    ("a template", "templates/macros.html", '<div class="summary-list__row">', '<div class="summary-list__row edited">'),
    ("the configuration", "site_config.yaml", "base_url: https://bury-council.example.org/ap-directory/",
     "base_url: https://ap.bury.example.org/"),
    ("a lot", "content/lots/lot-1-secondary-full-time.md", "title: Secondary full-time alternative provision",
     "title: Full-time alternative provision for secondary pupils"),
]


def cold_build(project, tmp_path) -> dict[str, bytes]:
    """Every file a first build of the project as it is now writes, with its search index, made elsewhere."""
    copy = tmp_path / "cold" / "project"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(project, copy)
    result = run_build("build", "--output", str(copy.parent / "_site"), root=copy)
    assert result.returncode == 0, result.stderr
    return snapshot(copy.parent / "_site")


def assert_serves_a_cold_build(server, project, tmp_path, after: str = "") -> None:
    cold = cold_build(project, tmp_path)
    assert rebuilt(served(server, cold)) == rebuilt({k: v for k, v in cold.items() if k != SITE_MARK}), after


def test_each_rebuild_makes_what_a_cold_build_makes(server, project, tmp_path):
    """After each change, the served site is exactly the site a first build makes, file for file."""
    added, removed = project / "content/providers/greenhouse-growers-north.md", project / "content/providers/cobbles-kitchen-academy.md"
    original = (project / "content/providers/greenhouse-growers.md").read_text()
    added.write_text(original.replace("name: Greenhouse Growers", "name: Greenhouse Growers North", 1))
    removed.unlink()
    server.wait_for_search()
    assert_serves_a_cold_build(server, project, tmp_path)
    for what, name, old, new in EDITS:
        text = (project / name).read_text()
        assert old in text, what
        (project / name).write_text(text.replace(old, new))
        server.wait_for_search()
        if what == "the configuration":  # the site moved to another path
            server.url = server.url.replace("/ap-directory/", "/")
        assert_serves_a_cold_build(server, project, tmp_path, f"after a change to {what}")
    with pytest.raises(urllib.error.HTTPError) as gone:
        server.get("providers/cobbles-kitchen-academy/")
    assert gone.value.code == 404


def test_hundreds_of_providers_are_rebuilt_into_what_a_cold_build_makes(project, tmp_path):
    """Renaming a provider moves it in every list; removing one shifts every list after it."""
    folder = project / "content/providers"
    for original in sorted(folder.glob("*.md")):
        text = original.read_text()
        name = next(line for line in text.splitlines() if line.startswith("name: "))
        for n in range(1, 32):
            (folder / f"{original.stem}-{n:02d}.md").write_text(text.replace(name, f"{name} {n:02d}", 1))
    assert len(list(folder.glob("*.md"))) > 600
    server = Server(project)
    try:
        renamed = folder / "bramblefield-school-07.md"
        renamed.write_text(renamed.read_text().replace("name: Bramblefield School 07", "name: Zigzag School"))
        server.wait_for_search()
        assert_serves_a_cold_build(server, project, tmp_path)
        (folder / "brightpath-online-tutors-03.md").unlink()
        server.wait_for_search()
        assert_serves_a_cold_build(server, project, tmp_path)
    finally:
        server.stop()


def test_a_rebuild_that_fails_while_making_pages_leaves_the_served_site_as_it_was(server, project):
    entry = project / "content/providers/kestrel-learning-centre.md"
    entry.write_text(entry.read_text().replace(SUMMARY, "summary: Newly revised small-group education"))
    server.wait_for("Rebuilt")
    before = {path: LIVE_SCRIPT.sub(b"", server.get_bytes(path)) for path in (PAGE, "providers/", "find/")}
    entry.write_text(entry.read_text().replace("Newly revised", "Revised again"))
    template = project / "templates/provider.html"
    template.write_text(template.read_text().replace("{% block content %}", "{% block content %}{{ no_such_thing }}"))
    problem = server.wait_for("templates/provider.html:")
    assert "no_such_thing" in problem and "not in the content" in problem
    server.wait_for("Still serving the last good version")
    assert {path: LIVE_SCRIPT.sub(b"", server.get_bytes(path)) for path in before} == before


def test_serve_answers_like_github_pages(server):
    with urllib.request.urlopen(server.url.split("/ap-directory/")[0] + "/", timeout=30) as response:
        assert response.url == server.url  # the bare address leads to the site
    with pytest.raises(urllib.error.HTTPError) as missing:
        server.get("no-such-page/")
    assert missing.value.code == 404
    assert "Page not found" in missing.value.read().decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl+C is a console event on Windows, not a signal")
def test_serve_stops_cleanly_on_ctrl_c(server):
    server.process.send_signal(signal.SIGINT)
    server.wait_for("Stopped.")
    assert server.process.wait(timeout=60) == 0


def test_the_built_site_has_no_trace_of_the_live_reload(site, server):
    assert LIVE_SCRIPT.search(server.get_bytes(PAGE))  # what serve adds to the pages it sends...
    for path in site.rglob("*"):  # ...is nowhere in what a build writes
        if path.is_file():
            data = path.read_bytes()
            assert b"_preview" not in data and b"live.js" not in data and b"EventSource" not in data, path
