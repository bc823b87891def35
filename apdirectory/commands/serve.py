"""`build.py serve`: build, serve the site on this computer, and rebuild whenever a file changes, so a
contract officer can see a change before proposing it. Standard library only.

The site is served under the same path as on GitHub Pages (site.base_url's path), with 404.html for
missing pages, so that every link works as it will when published. Each rebuild is a whole build
into a fresh folder, swapped into place, with the search index made after the pages are in place
so that a change shows sooner. When a rebuild fails, the last good site stays up.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from apdirectory import pipeline
from apdirectory.checking.review import is_review
from apdirectory.commands.report import report
from apdirectory.publishing.search_index import SearchIndexError

POLL_SECONDS = 0.5
WATCHED = ("content", "templates", "site_config.yaml")


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves `directory` at `site_path()`, as GitHub Pages serves the site at its base path: no folder
    listings, 404.html for a missing page, and the types Pagefind's files need."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".json": "application/json", ".pagefind": "application/octet-stream"}

    def __init__(self, *args, site_path: Callable[[], str], **kwargs):
        self.prefix = site_path()  # asked per request: a rebuild may change it
        super().__init__(*args, **kwargs)

    def send_head(self):
        path = urlsplit(self.path).path
        if path + "/" == self.prefix or (path == "/" and self.prefix != "/"):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return None
        if not path.startswith(self.prefix):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def translate_path(self, path):
        return super().translate_path("/" + path[len(self.prefix):] if path.startswith(self.prefix) else path)

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload always shows the latest build
        super().end_headers()

    def log_message(self, format, *args):
        pass  # one line per request would bury the build's messages


def serve(root: Path, target: Path, port: int, search: bool = True) -> int:
    try:
        return _serve(Preview(root, target, search), port)
    except KeyboardInterrupt:  # Ctrl+C, at any moment
        print("\nStopped.", flush=True)
        return 0


@dataclass
class Preview:
    """The site being previewed."""
    root: Path
    target: Path
    search: bool
    path: str = "/"  # the site's path on the server, from its base_url: a rebuild may change it


def _serve(preview: Preview, port: int) -> int:
    seen = _snapshot(preview.root)  # before the build: a file saved while it runs is built again
    _rebuild(preview, first=True)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port),
                                     partial(SiteHandler, directory=str(preview.target), site_path=lambda: preview.path))
    except OSError as exc:
        print(f"Cannot serve on port {port} ({exc.strerror}): is another server using it? "
              f"Try --port {port + 1}.", flush=True)
        return 1
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"Serving the directory at http://127.0.0.1:{server.server_port}{preview.path}\n"
              "It rebuilds when you save a change to content/, templates/ or site_config.yaml; "
              "reload the page to see it. Press Ctrl+C to stop.", flush=True)
        _watch(preview, seen)
    finally:
        server.shutdown()
        server.server_close()
    return 0


def _watch(preview: Preview, seen: dict) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        now = _snapshot(preview.root)
        if now != seen:
            seen = now  # taken before the build: a save during the build triggers another
            print("A file changed: rebuilding.", flush=True)
            _rebuild(preview)


def _rebuild(preview: Preview, first: bool = False) -> bool:
    """Build, and say what came of it; whether the site was rebuilt. The first build makes the
    search index with the pages; later ones make it once the changed pages can be seen."""
    started = time.perf_counter()
    checked, directory = pipeline.build(preview.root, preview.target, search=preview.search and first)
    _report(checked)
    if directory is None:
        print("The site was not rebuilt: fix the errors above and save again. "
              "Still serving the last good version.", flush=True)
        return False
    preview.path = urlsplit(directory.config.site.base_url).path
    print(f"Rebuilt: {len(directory.providers)} providers, in {time.perf_counter() - started:.2f} s.", flush=True)
    if preview.search and not first:
        try:
            pipeline.index_in_place(directory, preview.root, preview.target)
        except SearchIndexError as error:
            print(f"The search index could not be updated ({error}): the pages are up to date, but "
                  "search may still find what they said before.", flush=True)
            return True
        print(f"Search index updated, in {time.perf_counter() - started:.2f} s.", flush=True)
    return True


def _report(checked: pipeline.Checked) -> None:
    # Reviews due elsewhere are not news while previewing one change: `check` lists them.
    report([p for p in checked.problems if not is_review(p)], checked.content)


def _snapshot(root: Path) -> dict[str, tuple]:
    """Each watched file's size and modification time (and its target's, for a link): a change
    means rebuild."""
    found = {}
    for name in WATCHED:
        path = os.path.join(root, name)
        files = [os.path.join(folder, file) for folder, _, names in os.walk(path) for file in names]
        for file in files or [path]:
            try:
                status, target = os.lstat(file), os.stat(file)
            except OSError:
                continue  # deleted while we looked, or a dangling link: the next look sees it
            found[file] = status.st_mtime_ns, status.st_size, target.st_mtime_ns, target.st_size
    return found
