"""The published directory: what the site shows, built once from validated content.

Withdrawn providers are dropped here, so no later stage can publish them by mistake.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from apdirectory.reading.load import Content, Entry
from apdirectory.reading.models import GlossaryEntry, Lot, Page, Provider, SiteConfig
from apdirectory.site.changes import Change, changes_since


@dataclass(frozen=True)
class Directory:
    config: SiteConfig
    lots: list[Entry[Lot]]  # by number
    providers: list[Entry[Provider]]  # published ones (active and paused), A to Z
    pages: list[Entry[Page]]  # by order, then title; the home page ("index") is not among them
    home: Entry[Page] | None
    glossary: list[GlossaryEntry]  # A to Z by term
    today: dt.date  # the build's date: what is due for checking or out of date is as of this day
    # Since the framework was last refreshed, newest first: the only place a withdrawn provider
    # appears, as a change holding its name and the date it left.
    changes: list[Change] = field(default_factory=list)

    def lot(self, number: int) -> Entry[Lot]:
        return self._lots_by_number[number]

    @cached_property
    def _lots_by_number(self) -> dict[int, Entry[Lot]]:
        return {lot.data.number: lot for lot in self.lots}

    @property
    def abbreviations(self) -> dict[str, str]:
        """Abbreviation -> what it stands for, from the glossary."""
        return {entry.abbr: entry.term for entry in self.glossary if entry.abbr}


def build_directory(content: Content, today: dt.date) -> Directory:
    """Assumes content passed validation (no errors); `today` is the date the site is built as of."""
    pages = [page for page in content.pages if page.slug != "index"]
    return Directory(
        config=content.config,
        lots=sorted(content.lots, key=lambda lot: lot.data.number),
        providers=_published_a_to_z(content.providers),
        pages=sorted(pages, key=lambda page: (page.data.order, page.data.title.casefold())),
        home=next((page for page in content.pages if page.slug == "index"), None),
        glossary=sorted(content.glossary, key=lambda entry: entry.term.casefold()),
        today=today,
        changes=changes_since(content),
    )


def _published_a_to_z(providers: list[Entry[Provider]]) -> list[Entry[Provider]]:
    """Active and paused providers by name, then file name."""
    published = [p for p in providers if p.data.status != "withdrawn"]
    return sorted(published, key=lambda p: (p.data.name.casefold(), p.slug))
