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
from typing import Callable, Iterable, Iterator

from .build_cache import UNHASHED, SiteCache, Remembered, content_key, stamp
from .output import FreshFolder
from .render import PageSpec, SiteRenderer


@dataclass
class Placer:
    site: FreshFolder  # or output.SiteInPlace
    cache: SiteCache

    def page(self, spec: PageSpec, renderer: SiteRenderer) -> Remembered:
        return self.file(spec.path, renderer.render(spec))

    def file(self, relpath: str, data: bytes, also: tuple[str, ...] = ()) -> Remembered:
        if self.cache.trusted:
            # Comparing with the file itself takes half the time hashing takes; the key then says
            # only that no hash was taken, and the next one-off build hashes and writes the file.
            kept = self.cache.holding(relpath, data)
            return kept or self._write(relpath, UNHASHED, data, also)
        key = content_key(data)
        return self._link(relpath, key) or self._write(relpath, key, data, also)

    def files(self, pairs: Iterable[tuple[str, bytes]]) -> tuple[dict[str, int], list[Remembered]]:
        """Place (path, bytes) pairs; return each file's size, and what the cache is to remember."""
        sizes = {}
        placed = self._each(pairs, self.file, sizes)
        return sizes, placed

    def made_from(self, source: str, make: Callable[[], Iterable[tuple[str, bytes]]]) -> list[Remembered]:
        """The files `make` makes from the content file `source` alone: linked from the last site
        when they were made from the same key there, else made and written."""
        key = self.cache.key(source)
        kept = self.cache.reusable_group(key)
        if kept is None:
            return self._each(make(), lambda relpath, data, also: self._write(relpath, key, data, also))
        for relpath, _, _ in kept:
            self.site.link(relpath, f"{self.cache.site}/{relpath}")
        return kept

    def unchanged(self, source: str) -> list[Remembered] | None:
        """The files made from the content file `source` alone, as the last build left them, if it
        made them from the same key. In a site changed in place, that is all there is to do."""
        return self.cache.reusable_group(self.cache.key(source))

    def _each(self, pairs: Iterable[tuple[str, bytes]], place: Callable[[str, bytes, tuple[str, ...]], Remembered],
              sizes: dict[str, int] | None = None) -> list[Remembered]:
        """place() each (path, bytes) pair, but when pairs in a row hold the very same bytes object
        (the feed's .json copies), the later ones' files are second names for the first one's."""
        placed = []
        for names, data in _same_bytes_in_a_row(pairs):
            first = place(names[0], data, names[1:])
            placed.append(first)
            for relpath in names[1:]:
                self.site.link(relpath, names[0])
                placed.append((relpath, *first[1:]))
            if sizes is not None:
                sizes.update(dict.fromkeys(names, len(data)))
        return placed

    def _link(self, relpath: str, key: str) -> Remembered | None:
        reusable = self.cache.reusable(relpath, key)
        if reusable is None:
            return None
        existing, file_stamp = reusable
        self.site.link(relpath, existing)
        return relpath, key, file_stamp

    def _write(self, relpath: str, key: str, data: bytes, also: tuple[str, ...] = ()) -> Remembered:
        return relpath, key, stamp(self.site.write(relpath, data, also))


def _same_bytes_in_a_row(pairs: Iterable[tuple[str, bytes]]) -> Iterator[tuple[list[str], bytes]]:
    """(path, bytes) pairs as (paths, bytes), the paths of pairs in a row with one bytes object together."""
    names, data = [], None
    for relpath, this in pairs:
        if names and this is not data:
            yield names, data
            names = []
        names.append(relpath)
        data = this
    if names:
        yield names, data
