"""What is made from one provider's entry, kept by `serve` from one build to the next.

A long-running `serve` loads an unchanged provider file as the very same entry object as the
build before (load.KeptFiles). Whatever is made from that entry alone and from what every provider
shares (the program, the templates, the configuration, the other content files: the shared key,
build_cache.shared_key) is then the same too: its card, its records in the downloads and the feed,
its filters. At 10,000 providers, making them again was most of a rebuild. A one-off `build` starts
with an empty memo: it gains nothing from it, and loses next to nothing.
"""
from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

E = TypeVar("E")
V = TypeVar("V")


class Memo:
    def __init__(self):
        self._shared = ""
        self._made: dict[Hashable, dict[int, tuple]] = {}  # what -> id(entry) -> (entry, value)
        self._joined: dict[tuple, tuple] = {}  # (what, ids of entries) -> (the entries, value)
        self._used: set[tuple] = set()  # keys of _joined asked for since keep_only

    def start(self, shared_key: str) -> None:
        """Begin a build whose shared inputs have this key: forget all made with others."""
        if shared_key != self._shared:
            self._made.clear()
            self._joined.clear()
            self._shared = shared_key

    def each(self, what: Hashable, entries: Iterable[E], make: Callable[[E], V]) -> list[V]:
        """`make(entry)`, the value of `what` for each entry: or the one made for that very entry before."""
        table = self._made.setdefault(what, {})
        values = []
        for entry in entries:
            found = table.get(id(entry))
            if found is None or found[0] is not entry:
                found = table[id(entry)] = (entry, make(entry))
            values.append(found[1])
        return values

    def one(self, what: Hashable, entry: E, make: Callable[[E], V]) -> V:
        return self.each(what, (entry,), make)[0]

    def joined(self, what: Hashable, entries: list, make: Callable[[], V]) -> V:
        """`make()`, the value of `what` for these very entries in this order, or the one made before."""
        key = (what, tuple(map(id, entries)))
        found = self._joined.get(key)
        if found is None:
            # The entries are kept with it: while they are, no other object can take their ids.
            found = self._joined[key] = (list(entries), make())
        self._used.add(key)
        return found[1]

    def keep_only(self, entries: list) -> None:
        """Forget what was made for entries no longer loaded (edited files leave their old entry
        behind), and lists no build has asked for since the last call."""
        alive = {id(entry) for entry in entries}
        for table in self._made.values():
            for key in table.keys() - alive:
                del table[key]
        for key in self._joined.keys() - self._used:
            del self._joined[key]
        self._used = set()
