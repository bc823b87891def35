"""What `serve` keeps between saves, so that a saved change shows within a second even at 10,000
providers. Used by serve alone: the build keeps nothing.

- Each content file's validated entry is kept with the file's status (times, size, inode), so a
  save reads again only the file that changed; the rules across files and the directory are made
  again from every entry, as a build makes them.
- Each version of the site (a Generation) makes a page when a browser first asks for it, from the
  same list of files the build writes (pipeline.SiteFiles), and keeps it until the next version:
  nothing is written to disk but the search index.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache

from apdirectory import pipeline
from apdirectory.reading.load import Loaded, read_entry
from apdirectory.site import oruk
from apdirectory.site.directory import Directory


class KeptEntries:
    """Content files read and validated, kept by path and status: `read` is a load.ReadEntry."""

    def __init__(self):
        self._kept: dict[tuple, tuple[tuple | None, Loaded]] = {}
        self._seen: set[tuple] = set()

    def read(self, root: Path, relpath: str, model: type, slug: str | None) -> Loaded:
        key = (relpath, model, slug)
        self._seen.add(key)
        stamp = _stamp(os.path.join(root, relpath))  # not pathlib: thousands of files at each save
        kept = self._kept.get(key)
        if kept and stamp is not None and kept[0] == stamp:
            return kept[1]
        loaded = read_entry(root, relpath, model, slug)
        self._kept[key] = (stamp, loaded)
        return loaded

    def forget(self, relpaths: set[str]) -> None:
        """Read these again next time, whatever their status says: a file can change twice within
        the resolution of its modification time."""
        for key in [key for key in self._kept if key[0] in relpaths]:
            del self._kept[key]

    def check(self, root: Path, today: dt.date) -> pipeline.Checked:
        """pipeline.check as of `today`, reading only the files that changed; files no longer there are dropped."""
        self._seen = set()
        checked = pipeline.check(root, today, read=self.read)
        for key in [key for key in self._kept if key not in self._seen]:
            del self._kept[key]
        return checked


def _stamp(path: str) -> tuple | None:
    """The status of the file (of its target, for a link): any change to the file changes it."""
    try:
        status = os.stat(path)
    except OSError:
        return None  # read again every time: the read says what is wrong
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino, status.st_dev


class CompiledTemplates(jinja2.BytecodeCache):
    """Each template compiled once for every version of the site, not once per version: Jinja keys
    what it compiled by the template's source, so a template that changes is compiled again."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class Generation:
    """One version of the site, made from one save's content: each file is made when first asked
    for, then kept until the next version replaces this one."""

    def __init__(self, number: int, directory: Directory, templates: Path, compiled: CompiledTemplates):
        self.number = number
        self.started = time.perf_counter()
        self.directory = directory
        self.files = pipeline.SiteFiles(directory, templates)
        self.files.renderer.env.bytecode_cache = compiled
        self.path = urlsplit(directory.config.site.base_url).path or "/"  # the site's path on the server
        self._made: dict[str, bytes | None] = {}
        self._lock = threading.Lock()  # each file made once, by whichever request asks first

    def get(self, path: str) -> bytes | None:
        """The file at `path` below the site root ("providers/kestrel/index.html"), or None."""
        with self._lock:
            if path not in self._made:
                self._made[path] = self._make(path)
            return self._made[path]

    def is_page(self, path: str) -> bool:
        """Whether the file is a page (HTML for people), not data or an asset."""
        return self.files.page(path) is not None

    def _make(self, path: str) -> bytes | None:
        page = self.files.page(path)
        if page:
            return self.files.render(page)
        if path.startswith(oruk.FEED_FOLDER):
            return self._feed.get(path)
        if path.startswith("data/"):
            return self.files.downloads.get(path)
        if path in self.files.assets:  # assets/ and the icon at the root
            return self.files.assets[path]
        return self.files.lists.get(path)

    @cached_property
    def _feed(self) -> dict[str, bytes]:
        return {path: data for copies in self.files.feed() for path, data in copies}

    def make_everything(self) -> None:
        """Make every file once, without keeping them, so that a mistake in a template shows now as
        it would in a build, rather than when a page using it is asked for."""
        for page in self.files.pages():
            self.files.render(page)
        self.files.renderer.lists(self.files.data_page)
