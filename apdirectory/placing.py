"""Put each file of the new site into the fresh folder: linked from the site the last build left
when it cannot have changed, written otherwise. (Changing the site in place, as `serve` does, a
file that cannot have changed is simply left where it is.)

A link costs a fraction of writing a new file, and, above all, deleting the old site then frees
no disk space for the linked files; on a disk that discards freed blocks, deleting tens of
thousands of files slows every file written for a minute afterwards. The files made from one
content file alone (a provider's page and feed documents) are not even made when that file and
everything else they are made from are unchanged (build_cache.SiteCache.key); any other file is
compared by a hash of its bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .build_cache import UNHASHED, SiteCache, Remembered, content_key, stamp
from .output import FreshFolder
from .render import PageSpec, SiteRenderer


@dataclass
class Placer:
    site: FreshFolder  # or output.SiteInPlace
    cache: SiteCache

    def page(self, spec: PageSpec, renderer: SiteRenderer) -> Remembered:
        return self.file(spec.path, renderer.render(spec))

    def file(self, relpath: str, data: bytes) -> Remembered:
        if self.cache.trusted:
            # Comparing with the file itself takes half the time hashing takes; the key then says
            # only that no hash was taken, and the next one-off build hashes and writes the file.
            kept = self.cache.holding(relpath, data)
            return kept or self._write(relpath, UNHASHED, data)
        key = content_key(data)
        return self._link(relpath, key) or self._write(relpath, key, data)

    def files(self, pairs: Iterable[tuple[str, bytes]]) -> tuple[dict[str, int], list[Remembered]]:
        """Place (path, bytes) pairs; return each file's size, and what the cache is to remember."""
        sizes = {}
        placed = self._each(pairs, lambda relpath, data: self.file(relpath, data), sizes)
        return sizes, placed

    def made_from(self, source: str, make: Callable[[], Iterable[tuple[str, bytes]]]) -> list[Remembered]:
        """The files `make` makes from the content file `source` alone: linked from the last site
        when they were made from the same key there, else made and written."""
        key = self.cache.key(source)
        kept = self.cache.reusable_group(key)
        if kept is None:
            return self._each(make(), lambda relpath, data: self._write(relpath, key, data))
        for relpath, _, _ in kept:
            self.site.link(relpath, f"{self.cache.site}/{relpath}")
        return kept

    def unchanged(self, source: str) -> list[Remembered] | None:
        """The files made from the content file `source` alone, as the last build left them, if it
        made them from the same key. In a site changed in place, that is all there is to do."""
        return self.cache.reusable_group(self.cache.key(source))

    def _each(self, pairs: Iterable[tuple[str, bytes]], place: Callable[[str, bytes], Remembered],
              sizes: dict[str, int] | None = None) -> list[Remembered]:
        """place() each (path, bytes) pair, but when a pair holds the very same bytes object as the
        one before (the feed's .json copies), its file is a second name for that one."""
        placed, previous = [], None
        for relpath, data in pairs:
            if previous is not None and data is previous[1]:
                self.site.link(relpath, previous[0])
                placed.append((relpath, *placed[-1][1:]))
            else:
                placed.append(place(relpath, data))
            previous = relpath, data
            if sizes is not None:
                sizes[relpath] = len(data)
        return placed

    def _link(self, relpath: str, key: str) -> Remembered | None:
        reusable = self.cache.reusable(relpath, key)
        if reusable is None:
            return None
        existing, file_stamp = reusable
        self.site.link(relpath, existing)
        return relpath, key, file_stamp

    def _write(self, relpath: str, key: str, data: bytes) -> Remembered:
        return relpath, key, stamp(self.site.write(relpath, data))
