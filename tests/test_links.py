"""Every internal link and anchor in the built site goes somewhere."""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import sample
from htmlpage import Page, html_files


def resolve(site, page_path, link):
    """The file a relative link from `page_path` points at, and its #fragment."""
    parts = urlsplit(link)
    base = urlsplit(sample.config()["site"]["base_url"]).path
    if parts.path.startswith("/"):  # only the 404 page uses absolute links
        assert parts.path.startswith(base), link
        target = PurePosixPath(parts.path[len(base):])
    elif parts.path:
        target = PurePosixPath(page_path).parent / unquote(parts.path)
    else:
        target = PurePosixPath(page_path)
    path = site / target
    if link.split("#")[0].endswith("/") or (parts.path and path.is_dir()) or parts.path == "./":
        path = path / "index.html"
    return path.resolve(), parts.fragment


def test_every_internal_link_and_anchor_resolves(site):
    broken = []
    checked = 0
    pages = {path.resolve(): Page(path.read_text()) for path in html_files(site)}
    for path, found in pages.items():
        relative = str(path.relative_to(site.resolve()))
        for link in found.links:
            if urlsplit(link).scheme in ("http", "https", "mailto", "tel"):
                continue
            target, fragment = resolve(site, relative, link)
            checked += 1
            if not target.is_file():
                broken.append(f"{relative}: {link} -> no file {target}")
            elif fragment and fragment not in pages.get(target, Page("")).ids:
                broken.append(f"{relative}: {link} -> no id {fragment!r}")
    assert checked > 200
    assert not broken, "\n".join(broken)
