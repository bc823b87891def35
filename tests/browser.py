"""Browser fixtures for any test of the built site: a local server and Chromium driven by Playwright.

- `site_server`: the `site` fixture served on 127.0.0.1 (a free port) under the path of the
  configured base_url, as GitHub Pages would serve it, with 404.html for any missing address.
  `site_server.url("find/?q=x")` gives a full address. Connections the browser drops (broken
  pipes, resets) print nothing; any other error in the server still prints its traceback.
- `chromium`: one Chromium for the session, from $CHROMIUM_PATH (default /usr/bin/chromium).
- `open_tab(javascript=True, width=1280, height=900, **context_options)`: a page in a fresh
  context (no shared cookies or cache), closed after the test. `tab.errors` collects console
  errors, uncaught exceptions and Content Security Policy violations; assert it stays empty.
- `axe_violations(page)`: axe-core's WCAG 2.2 AA violations on the page as it is now.
- `record_figure(name, value)`: a measurement printed in the summary at the end of the run.
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from apdirectory.commands.serve import SiteHandler

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FIGURES: list[tuple[str, str]] = []


@dataclass
class SiteServer:
    root: str  # "http://127.0.0.1:PORT/prefix/"

    def url(self, path: str = "") -> str:
        return self.root + path.lstrip("/")


class QuietServer(ThreadingHTTPServer):
    """A browser drops connections all the time (a page left while loading, a search superseded):
    the server writing to them then gets a broken pipe or a reset, which is no fault of the site's.
    Those are not printed as tracebacks in the test output; any other error still is."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset, aborted
            super().handle_error(request, client_address)


def serve(folder: Path, prefix: str = "/"):
    """Start serving `folder` under `prefix`; return (server, SiteServer). Call server.shutdown()."""
    # The preview server of `build.py serve`: it serves the site as GitHub Pages does.
    handler = functools.partial(SiteHandler, directory=str(folder), site_path=lambda: prefix)
    server = QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="site-server", daemon=True).start()
    return server, SiteServer(f"http://127.0.0.1:{server.server_address[1]}{prefix}")


@pytest.fixture(scope="session")
def site_server(site):
    import sample  # not at the top: sample imports conftest, which imports this module

    prefix = urlsplit(sample.config()["site"]["base_url"]).path or "/"
    server, handle = serve(site, prefix)
    try:
        yield handle
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM_PATH}: install it (apt-get install -y chromium) "
                    "or set CHROMIUM_PATH to its executable")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    page: object  # playwright.sync_api.Page
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_tab(chromium):
    contexts = []

    def open_tab(*, javascript: bool = True, width: int = 1280, height: int = 900, **context_options) -> Tab:
        context = chromium.new_context(java_script_enabled=javascript, viewport={"width": width, "height": height},
                                       **context_options)
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("console", lambda message: message.type == "error" and tab.errors.append(f"console: {message.text}"))
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    """axe-core's violations of WCAG 2.0, 2.1 and 2.2 A and AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                       "resultTypes": ["violations"]})
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at "
                     + ", ".join(str(node["target"]) for node in v["nodes"][:5]) for v in violations)


def record_figure(name: str, value) -> None:
    FIGURES.append((name, str(value)))
    print(f"{name}: {value}")
