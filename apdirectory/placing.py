"""Put each file of the new site into the fresh folder: linked from the site the last build left
when it cannot have changed, written otherwise.

A link costs a fraction of writing a new file, and, above all, deleting the old site then frees
no disk space for the linked files; on a disk that discards freed blocks, deleting tens of
thousands of files slows every file written for a minute afterwards. A page made from one content
file is not even rendered when that file and everything else pages are made from are unchanged
(build_cache.SiteCache.key); any other file is compared by a hash of its bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .build_cache import SiteCache, Remembered, content_key, stamp
from .output import FreshFolder
from .render import PageSpec, SiteRenderer


@dataclass
class Placer:
    fresh: FreshFolder
    cache: SiteCache

    def page(self, spec: PageSpec, renderer: SiteRenderer) -> Remembered:
        if not spec.source:
            return self.file(spec.path, renderer.render(spec))
        key = self.cache.key(spec.source)
        return self._link(spec.path, key) or self._write(spec.path, key, renderer.render(spec))

    def file(self, relpath: str, data: bytes) -> Remembered:
        key = content_key(data)
        return self._link(relpath, key) or self._write(relpath, key, data)

    def files(self, pairs: Iterable[tuple[str, bytes]]) -> tuple[dict[str, int], list[Remembered]]:
        """Place (path, bytes) pairs; return each file's size, and what the cache is to remember.
        When a pair holds the very same bytes object as the one before (the feed's .json copies),
        its file is a second name for that one."""
        sizes, placed, previous = {}, [], None
        for relpath, data in pairs:
            if previous is not None and data is previous[1]:
                self.fresh.link(relpath, previous[0])
                placed.append((relpath, *placed[-1][1:]))
            else:
                placed.append(self.file(relpath, data))
            previous = relpath, data
            sizes[relpath] = len(data)
        return sizes, placed

    def _link(self, relpath: str, key: str) -> Remembered | None:
        reusable = self.cache.reusable(relpath, key)
        if reusable is None:
            return None
        existing, file_stamp = reusable
        self.fresh.link(relpath, existing)
        return relpath, key, file_stamp

    def _write(self, relpath: str, key: str, data: bytes) -> Remembered:
        return relpath, key, stamp(self.fresh.write(relpath, data))
