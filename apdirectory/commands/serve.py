"""`build.py serve`: check the content, serve the site on this computer, and make it again whenever a
file changes, so a contract officer can see a change before proposing it.

The site is served under the same path as on GitHub Pages (site.base_url's path), with 404.html for
missing pages, so that every link works as it will when published. Pages are made in memory when a
browser asks for them, from what was kept since the last save (preview.py), so a save shows at
once; the search index is made again in the background. When a save has an error, the last good
version stays up.

Every page serve sends (never the built site) carries a small script, /_preview/live.js, that
listens to /_preview/events (Server-Sent Events): it reloads the page once a new version is in
place, and shows the errors of a save over the page until they are fixed.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import os
import queue
import secrets
import shutil
import sys
import tempfile
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import watchfiles

from apdirectory import faults
from apdirectory.checking.problems import errors
from apdirectory.checking.review import is_review
from apdirectory.commands.preview import CompiledTemplates, Generation, KeptEntries
from apdirectory.commands.report import report
from apdirectory.commands.today import council_today
from apdirectory.publishing.search_index import SearchIndexError, write_index
from apdirectory.site.directory import build_directory

WATCHED = ("content", "templates", "site_config.yaml")
REBUILDS_EVERYTHING = ("templates", "site_config.yaml")  # a change here may break any page
LIVE = "/_preview/"  # serve's own files, outside the site's path
LIVE_FILES = {"live.js": "text/javascript", "live.css": "text/css"}
KEEP_ALIVE_SECONDS = 15  # a comment on the events stream this often tells a closed tab from an open one


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
        self.send_bytes(code, page.read_bytes(), "text/html; charset=utf-8")

    def send_bytes(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload always shows the latest version
        super().end_headers()

    def log_message(self, format, *args):
        pass  # one line per request would bury the build's messages


class Preview:
    """The site being previewed: the version being served, the errors of the last save, and the
    search index; those waiting for news (the events streams, the indexer) wait on `news`."""

    def __init__(self, root: Path, search: bool, index_folder: Path, today: dt.date | None = None):
        self.root = root
        self.search = search
        self.today = today  # None: each rebuild is as of that day, as a preview left running overnight expects
        self.index_folder = index_folder  # each search index in a folder of its own, inside this one
        self.kept = KeptEntries()
        self.compiled = CompiledTemplates()
        self.generation: Generation | None = None
        self.problems: list[str] = []  # the errors that kept the last save from being shown
        self.index: Path | None = None  # the folder holding the newest search index's pagefind/
        self.stopped = False
        self.news = threading.Condition()
        self.run = secrets.token_hex(4)  # tells this run's versions from another's, should serve restart

    @property
    def path(self) -> str:
        return self.generation.path if self.generation else "/"

    def version(self) -> str:
        return f"{self.run}-{self.generation.number if self.generation else 0}"

    def state(self) -> dict:
        """What an open page needs to know: the version it should show, and any errors."""
        with self.news:
            return {"version": self.version(), "problems": list(self.problems)}

    def publish(self, generation: Generation | None, problems: list[str]) -> None:
        with self.news:
            if generation:
                self.generation = generation
            self.problems = problems
            self.news.notify_all()

    def rebuild(self, changed: set[str] | None = None) -> bool:
        """Check the content again and, if it has no errors, make it the version served; say what
        came of it. `changed`: the files that changed (None at the start)."""
        started = time.perf_counter()
        if changed:
            self.kept.forget(changed)
        checked = self.kept.check(self.root, self.today or council_today())
        # Reviews due elsewhere are not news while previewing one change: `check` lists them.
        report([p for p in checked.problems if not is_review(p)], checked.content)
        problems = errors(checked.problems)
        generation = None
        if not problems:
            number = self.generation.number + 1 if self.generation else 1
            generation = Generation(number, build_directory(checked.content, checked.today), self.root / "templates", self.compiled)
            if changed and any(path.startswith(REBUILDS_EVERYTHING) for path in changed):
                problems = _made_everything(generation, self.root)
        if problems:
            print("The site was not rebuilt: fix the errors above and save again. " + (
                "Still serving the last good version." if self.generation else
                "Until then there is no version to show."), flush=True)
            self.publish(None, [str(problem) for problem in problems])
            return False
        generation.started = started
        self.publish(generation, [])
        print(f"Rebuilt (version {generation.number}): {len(generation.directory.providers)} providers, "
              f"in {time.perf_counter() - started:.2f} s.", flush=True)
        return True

    def keep_indexing(self) -> None:
        """Make the search index of each new version, in the background, the newest first."""
        indexed = 0
        while True:
            with self.news:
                self.news.wait_for(lambda: self.stopped or (self.generation and self.generation.number != indexed))
                if self.stopped:
                    return
                generation = self.generation
            indexed = generation.number
            folder = Path(tempfile.mkdtemp(prefix=f"index-{indexed}-", dir=self.index_folder))
            try:
                write_index(generation.directory, folder)
            except SearchIndexError as error:
                print(f"The search index could not be updated ({error}): the pages are up to date, but "
                      "search may still find what they said before.", flush=True)
                shutil.rmtree(folder, ignore_errors=True)
                continue
            old, self.index = self.index, folder
            if old:
                shutil.rmtree(old, ignore_errors=True)  # a file being sent stays readable where links are kept
            print(f"Search index updated (version {indexed}), in {time.perf_counter() - generation.started:.2f} s.",
                  flush=True)

    def stop(self) -> None:
        with self.news:
            self.stopped = True
            self.news.notify_all()


def _made_everything(generation: Generation, root: Path) -> list:
    """Make every page once, as a build would, and return the problem if a template fails."""
    try:
        generation.make_everything()
    except Exception as exc:
        problem = faults.render_problem(exc, root)
        if not problem:
            raise
        print(problem, file=sys.stderr, flush=True)
        return [problem]
    return []


class PreviewHandler(SiteHandler):
    """Serves the version being previewed from memory, its search index from disk, and the live
    reload's script and events; adds the script to every page."""

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        self.generation = preview.generation  # one version for the whole request
        index = preview.index
        super().__init__(*args, directory=str(index or preview.index_folder), site_path=lambda: preview.path, **kwargs)

    def do_GET(self):
        if urlsplit(self.path).path == LIVE + "events":
            self.send_events()
        else:
            super().do_GET()

    def send_head(self):
        path = unquote(urlsplit(self.path).path)
        if path.startswith(LIVE):
            name = path[len(LIVE):]
            if name not in LIVE_FILES:
                return self.send_error(HTTPStatus.NOT_FOUND)
            return self.send_body(HTTPStatus.OK, resources.files(__package__).joinpath(name).read_bytes(),
                                  LIVE_FILES[name])
        if path.startswith(self.prefix + "pagefind/") or not path.startswith(self.prefix):
            return super().send_head()  # the search index, from disk; or a redirect to the site, or 404
        if self.generation is None:
            return self.send_body(HTTPStatus.SERVICE_UNAVAILABLE, self.with_script(NO_SITE_YET),
                                  "text/html; charset=utf-8")
        relpath = path[len(self.prefix):]
        name = relpath + "index.html" if relpath == "" or relpath.endswith("/") else relpath
        body = self.made(name)
        if body is None and self.made(relpath + "/index.html") is not None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)  # a folder without its slash, as a static host does
            self.send_header("Location", path + "/")
            self.end_headers()
            return None
        if body is None:
            return self.send_error(HTTPStatus.NOT_FOUND)
        if self.generation.is_page(name):
            return self.send_body(HTTPStatus.OK, self.with_script(body), "text/html; charset=utf-8")
        return self.send_body(HTTPStatus.OK, body, self.guess_type(name))

    def made(self, name: str) -> bytes | None:
        try:
            return self.generation.get(name)
        except Exception as exc:  # a template that fails on this page only
            problem = faults.render_problem(exc, self.preview.root)
            if not problem:
                raise
            print(problem, file=sys.stderr, flush=True)
            return str(problem).encode()

    def send_error(self, code, message=None, explain=None):
        page = self.made("404.html") if self.generation and code == HTTPStatus.NOT_FOUND else None
        if page is None:
            return super().send_error(code, message, explain)
        return self.send_body(code, self.with_script(page), "text/html; charset=utf-8")

    def send_body(self, code: int, body: bytes, content_type: str):
        """Send the headers; the body is copied by do_GET (not by do_HEAD)."""
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)

    def with_script(self, page: bytes) -> bytes:
        script = f'<script src="{LIVE}live.js" data-version="{self.preview.version()}"></script>\n'.encode()
        where = page.rfind(b"</body>")
        return page[:where] + script + page[where:] if where >= 0 else page + script

    def send_events(self) -> None:
        """The events stream: the state now, then again each time it changes, until the tab closes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        preview, sent = self.preview, None
        while not preview.stopped:
            state = preview.state()
            message = f"data: {json.dumps(state)}\n\n" if state != sent else ": still here\n\n"
            self.wfile.write(message.encode())
            self.wfile.flush()
            sent = state
            with preview.news:
                preview.news.wait_for(lambda: preview.stopped or preview.state() != sent, timeout=KEEP_ALIVE_SECONDS)


NO_SITE_YET = (b'<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
               b'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
               b"<title>No version of the site to show yet</title>\n</head>\n<body>\n<main>\n"
               b"<h1>No version of the site to show yet</h1>\n"
               b"<p>The content has errors (listed where you started the preview). Fix them and save: "
               b"this page then shows the site.</p>\n</main>\n</body>\n</html>\n")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an events stream left open never keeps serve from stopping

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser closed the connection (a tab closed, a page left): nothing went wrong
        super().handle_error(request, client_address)


def serve(root: Path, port: int, search: bool = True, today: dt.date | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="ap-directory-preview-", ignore_cleanup_errors=True) as index_folder:
        preview = Preview(root, search, Path(index_folder), today)
        try:
            return _serve(preview, port)
        except KeyboardInterrupt:  # Ctrl+C, at any moment
            print("\nStopped.", flush=True)
            return 0
        finally:
            preview.stop()


def _serve(preview: Preview, port: int) -> int:
    changes: queue.Queue[set[str]] = queue.Queue()
    stop = threading.Event()
    # Watching starts before the first check, so that a file saved meanwhile is checked again.
    threading.Thread(target=_watch, args=(preview.root, changes, stop), daemon=True).start()
    try:
        preview.rebuild()
        gc.freeze()  # what was read lasts: the cycle collector need not walk it again and again
        try:
            server = PreviewServer(("127.0.0.1", port), partial(PreviewHandler, preview=preview))
        except OSError as exc:
            print(f"Cannot serve on port {port} ({exc.strerror}): is another server using it? "
                  f"Try --port {port + 1}.", flush=True)
            return 1
        try:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            if preview.search:
                threading.Thread(target=preview.keep_indexing, daemon=True).start()
            print(f"Serving the directory at http://127.0.0.1:{server.server_port}{preview.path}\n"
                  "When you save a change to content/, templates/ or site_config.yaml, the page open in your "
                  "browser shows it, or shows what is wrong. Press Ctrl+C to stop.", flush=True)
            while True:
                changed = _next_changes(changes)
                print(f"A file changed ({', '.join(sorted(changed))}): rebuilding.", flush=True)
                preview.rebuild(changed)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        stop.set()


def _next_changes(changes: queue.Queue[set[str]]) -> set[str]:
    """The files changed since the last rebuild, once there are any."""
    while True:
        try:
            changed = changes.get(timeout=1)  # not forever: Windows delivers Ctrl+C only between waits
            break
        except queue.Empty:
            continue
    while not changes.empty():
        changed |= changes.get()
    return changed


def _watch(root: Path, changes: queue.Queue[set[str]], stop: threading.Event) -> None:
    """Put each set of changed files (relative paths) on `changes`, as the system reports them. Each
    folder is watched on its own, not the project and all below it (.venv, node_modules, _site)."""
    folders = [root] + [folder for name in WATCHED if (root / name).is_dir()
                        for folder in [root / name, *(root / name).rglob("*")] if folder.is_dir()]
    for found in watchfiles.watch(*folders, recursive=False, watch_filter=partial(_watched, root),
                                  stop_event=stop, raise_interrupt=False):
        changes.put({_relative(root, path) for _, path in found})


_EDITORS_FILES = watchfiles.DefaultFilter()  # swap and backup files, .git and the like


def _watched(root: Path, change: watchfiles.Change, path: str) -> bool:
    relpath = _relative(root, path)
    return (relpath in WATCHED or relpath.startswith(tuple(f"{name}/" for name in WATCHED))) and _EDITORS_FILES(change, path)


def _relative(root: Path, path: str) -> str:
    """The path below the project, with forward slashes; "" if it is not below it. The system may
    report the project's real path where it was given through a link (macOS reports /private/var/...
    for /var/...)."""
    for base in (str(root), os.path.realpath(root)):
        try:
            relpath = os.path.relpath(path, base)
        except ValueError:  # on another drive (Windows)
            continue
        if not relpath.startswith(".."):
            return Path(relpath).as_posix()
    return ""
