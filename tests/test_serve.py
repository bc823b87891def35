"""`build.py serve`: a real server on 127.0.0.1 that rebuilds when a file in a copy of the content
changes, keeps serving the last good site when a change has an error, and stops on Ctrl+C."""
from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from conftest import REPO

PAGE = "providers/kestrel-learning-centre/"
SUMMARY = "summary: Small-group full-time education"


class Server:
    """The serve command, running; its output read line by line as it comes."""

    def __init__(self, root, output):
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--output", str(output),
             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
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
                pytest.fail(f"serve never printed {text!r}")
            if text in line:
                return line

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.read().decode("utf-8")


@pytest.fixture
def server(project, tmp_path):
    running = Server(project, tmp_path / "_site")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_serve_rebuilds_after_a_change_and_keeps_the_last_good_site(server, project):
    assert server.url.endswith("/ap-directory/")  # the path the site has on GitHub Pages
    assert "Small-group full-time education" in server.get(PAGE)

    entry = project / "content/providers/kestrel-learning-centre.md"
    entry.write_text(entry.read_text().replace(SUMMARY, "summary: Newly revised small-group education"))
    server.wait_for("A file changed")
    server.wait_for("Rebuilt")
    assert "Newly revised small-group education" in server.get(PAGE)

    entry.write_text(entry.read_text().replace("status: active", "status: open"))
    server.wait_for("A file changed")
    error = server.wait_for("kestrel-learning-centre.md")
    assert "status: 'open' is not a status" in error
    server.wait_for("Still serving the last good version")
    assert "Newly revised small-group education" in server.get(PAGE)


def test_serve_answers_like_github_pages(server):
    with urllib.request.urlopen(server.url.split("/ap-directory/")[0] + "/", timeout=30) as response:
        assert response.url == server.url  # the bare address leads to the site
    with pytest.raises(urllib.error.HTTPError) as missing:
        server.get("no-such-page/")
    assert missing.value.code == 404
    assert "Page not found" in missing.value.read().decode("utf-8")


def test_serve_stops_cleanly_on_ctrl_c(server):
    server.process.send_signal(signal.SIGINT)
    server.wait_for("Stopped.")
    assert server.process.wait(timeout=60) == 0
