"""Every page is valid HTML by the Nu HTML checker (vnu-jar from npm, run with Java)."""
from __future__ import annotations

import json
import shutil
import subprocess

from conftest import REPO
from htmlpage import html_files

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The checker opens files from disk, where a page has no origin, so it reports that the CSP's
# 'self' blocks our own stylesheet. Over HTTP (the browser tests) the stylesheet loads.
FILE_URL_ARTEFACT = "Resource violates Content Security Policy"


def test_every_page_is_valid_html(site):
    assert VNU.exists(), "the Nu HTML checker is missing: run `make test` (it runs `npm ci`)"
    assert shutil.which("java"), "the Nu HTML checker needs Java 17"
    pages = html_files(site)
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--also-check-css",
                             *map(str, pages), str(site / "assets" / "site.css")], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]
    problems = [f"{m.get('url', '').split('/_site/')[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}"
                for m in messages
                if (m["type"] == "error" or m.get("subType") == "warning")
                and not m["message"].startswith(FILE_URL_ARTEFACT)]
    assert len(pages) > 30
    assert not problems, "\n".join(problems)
