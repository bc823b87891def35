"""What is made from one provider's entry, kept by `serve` from one build to the next.

A long-running `serve` loads an unchanged provider file as the very same entry object as the
build before (load.KeptFiles). Whatever is made from that entry alone and from what every provider
shares (the program, the templates, the configuration, the other content files: the shared key,
build_cache.shared_key) is then the same too: its card, its records in the downloads and the feed,
its filters. At 10,000 providers, making them again was most of a rebuild. A one-off `build` starts
with an empty memo: it gains nothing from it, and loses next to nothing.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Hashable, Iterable, Sequence, TypeVar

E = TypeVar("E")
V = TypeVar("V")


class Memo:
    def __init__(self):
        self._shared = ""
        self._made: dict[Hashable, tuple[dict, dict]] = {}  # what -> (id(item) -> value, id(item) -> item)
        self._joined: dict[tuple, tuple] = {}  # (what, ids of items) -> (the items, value)
        self._asked: dict[Hashable, set] = {}  # what -> the keys asked for since forget_unasked()
        self._shared_values: dict[Hashable, object] = {}

    def start(self, shared_key: str) -> None:
        """Begin a build whose shared inputs have this key: forget all made with others."""
        if shared_key != self._shared:
            self._made.clear()
            self._joined.clear()
            self._asked.clear()
            self._shared_values.clear()
            self._shared = shared_key

    def shared(self, what: Hashable, make: Callable[[], V]) -> V:
        """`make()`, a value made from the shared inputs alone, or the one made before."""
        if what not in self._shared_values:
            self._shared_values[what] = make()
        return self._shared_values[what]

    def each(self, what: Hashable, items: Sequence[E], make: Callable[[E], V]) -> list[V]:
        """`make(item)`, the value of `what` for each item: or the one made for that very item before."""
        table, held = self._made.setdefault(what, ({}, {}))
        ids = list(map(id, items))
        try:
            values = list(map(table.__getitem__, ids))  # at C speed, when all were made before
        except KeyError:
            for item, key in zip(items, ids):
                if key not in table:
                    table[key] = make(item)
                    held[key] = item  # while it is held, no other object can take its id
            values = list(map(table.__getitem__, ids))
        self._asked.setdefault(what, set()).update(ids)
        return values

    def joined(self, what: Hashable, items: list, make: Callable[[], V]) -> V:
        """`make()`, the value of `what` for these very items in this order, or the one made before."""
        key = (what, tuple(map(id, items)))
        found = self._joined.get(key)
        if found is None:
            found = self._joined[key] = (list(items), make())
        self._asked.setdefault(_JOINED, set()).add(key)
        return found[1]

    def grouped(self, what: Hashable, items: list[E],
                keys_of: Callable[[E], Iterable[Hashable]]) -> dict[Hashable, list[E]]:
        """Each key `keys_of` gives any item -> the items it gives that key, in their order. Made by
        runs of RUN items, each grouped again only when one of its items has changed, and the runs'
        groups put together: whatever groups every provider (the filters, the A to Z, the lots)
        is then made again only for the run a change touches."""
        groups: dict[Hashable, list[E]] = {}
        for start in range(0, len(items), RUN):
            run = items[start:start + RUN]
            for key, members in self.joined((_GROUPED, what), run, partial(self._group, what, run, keys_of)).items():
                groups.setdefault(key, []).extend(members)
        return groups

    def _group(self, what: Hashable, run: list[E], keys_of: Callable[[E], Iterable[Hashable]]) -> dict:
        groups: dict[Hashable, list[E]] = {}
        for item, keys in zip(run, self.each((_GROUPED, what), run, keys_of)):
            for key in keys:
                groups.setdefault(key, []).append(item)
        return groups

    def forget_unasked(self) -> None:
        """Forget every value no build has asked for since the last call: those of edited files'
        old entries, of providers gone, of lists no longer made."""
        for what, (table, held) in self._made.items():
            for key in table.keys() - self._asked.get(what, set()):
                del table[key], held[key]
        for key in self._joined.keys() - self._asked.get(_JOINED, set()):
            del self._joined[key]
        self._asked = {}


_JOINED = object()  # what joined() values are asked for under
_GROUPED = object()  # what grouped() values are kept under, with their own `what`
RUN = 250  # items: a change groups one run again, and 10,000 providers are 40 runs to put together
