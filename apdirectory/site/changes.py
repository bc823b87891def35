"""What's changed since the framework was last refreshed: providers that joined, were updated, were
paused, took referrals again or left, for the /changes/ page and the Atom feed.

The content holds only each provider's current state, so every change is dated by a field of it:
`joined`, `last_reviewed` (updated) and `status_changed` (paused, taking referrals again, left).
A withdrawn provider becomes a change that holds only its name and the date it left: nothing
else about it reaches this module's output.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from operator import itemgetter

from apdirectory.checking.problems import Problem
from apdirectory.reading.load import Content, Entry
from apdirectory.reading.models import Provider
from apdirectory.site.present import date_text

# Each kind of change, in the order the page shows them: its section heading, how a list item
# says when, and the feed entry's title.
KINDS = {
    "joined": ("Joined the framework", "Joined on {date}", "{name} joined the framework"),
    "resumed": ("Taking referrals again", "Taking referrals again from {date}", "{name} is taking referrals again"),
    "paused": ("Not taking referrals", "Stopped taking referrals on {date}", "{name} stopped taking referrals"),
    "left": ("Left the framework", "Left on {date}", "{name} left the framework"),
    "updated": ("Entries updated", "Entry updated on {date}", "{name}: entry updated"),
}


@dataclass(frozen=True)
class Change:
    kind: str  # a key of KINDS
    date: dt.date
    name: str
    slug: str | None  # None for a provider that left: it has no page
    summary: str | None  # the provider's summary; None for a provider that left
    feed_id: str  # a stable urn:uuid for the feed entry

    @property
    def when(self) -> str:
        return KINDS[self.kind][1].format(date=date_text(self.date))

    @property
    def title(self) -> str:
        return KINDS[self.kind][2].format(name=self.name)

    @property
    def timestamp(self) -> str:
        return atom_time(self.date)


@dataclass(frozen=True)
class Section:
    kind: str
    heading: str
    changes: list[Change]


def changes_since(content: Content) -> list[Change]:
    """Every change on or after framework.last_refreshed, newest first. Assumes valid content."""
    since = content.config.framework.last_refreshed
    base_url = content.config.site.base_url
    found = sorted(((_order(change), change) for entry in content.providers
                    for change in (_change(entry, kind, date, base_url)
                                   for kind, date in _events(entry.data) if date >= since)), key=itemgetter(0))
    return [change for _, change in found]


def _order(c: Change) -> tuple:
    """Newest first, then by name, then in the order of KINDS."""
    return -c.date.toordinal(), c.name.casefold(), list(KINDS).index(c.kind)


def sections(changes: list[Change]) -> list[Section]:
    return [Section(kind, heading, [c for c in changes if c.kind == kind]) for kind, (heading, *_) in KINDS.items()]


def feed_updated(changes: list[Change], refreshed: dt.date) -> str:
    """The feed's own date: its newest entry's, or the refresh date when it has none."""
    return atom_time(max((change.date for change in changes), default=refreshed))


def atom_time(date: dt.date) -> str:
    """A date as an Atom date-time: content dates carry no time, so midnight UTC, never the clock."""
    return f"{date.isoformat()}T00:00:00Z"


def _events(p: Provider) -> list[tuple[str, dt.date]]:
    if p.status == "withdrawn":
        return [("left", p.status_changed)] if p.status_changed else []
    events = [("joined", p.joined)]
    if p.last_reviewed != p.joined:
        events.append(("updated", p.last_reviewed))
    if p.status == "paused" and p.status_changed:
        events.append(("paused", p.status_changed))
    elif p.status == "active" and p.status_changed and p.status_changed > p.joined:
        events.append(("resumed", p.status_changed))
    return events


def _change(entry: Entry[Provider], kind: str, date: dt.date, base_url: str) -> Change:
    # The id is made from the file name, so that it stays the same from build to build, but only as a
    # hash: a provider that left must not be traceable to anything but its name.
    feed_id = _url_uuid(f"{base_url}providers/{entry.slug}/#{kind}-{date.isoformat()}")
    left = kind == "left"
    return Change(kind, date, entry.data.name, None if left else entry.slug,
                  None if left else entry.data.summary, f"urn:uuid:{feed_id}")


def _url_uuid(name: str) -> str:
    """str(uuid.uuid5(uuid.NAMESPACE_URL, name)), made straight from the SHA-1 digest (RFC 4122, 4.3):
    building a uuid.UUID object for each of thousands of changes took most of the time they took."""
    sha1 = _URL_NAMESPACE.copy()
    sha1.update(name.encode())
    digits = sha1.hexdigest()
    # The version (5) in the 13th digit, the RFC 4122 variant in the two top bits of the 17th.
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-5{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"


_URL_NAMESPACE = hashlib.sha1(uuid.NAMESPACE_URL.bytes, usedforsecurity=False)


def check_status_dates(content: Content, today: dt.date) -> list[Problem]:
    """status_changed is in the past, not before joined, and given for paused and withdrawn providers."""
    return [problem for entry in content.providers for problem in _check_status_date(entry, today)]


def _check_status_date(entry: Entry[Provider], today: dt.date) -> list[Problem]:
    problems = []
    p, line = entry.data, entry.source.line(("status_changed",))
    if p.status_changed is None:
        if p.status != "active":
            verb = "paused" if p.status == "paused" else "withdrawn"
            problems.append(Problem(entry.path, entry.source.line(("status",)), "status_changed",
                                    f"status is {p.status} but status_changed is missing: add "
                                    f"status_changed: YYYY-MM-DD, the date it was {verb}, so the "
                                    "What's changed page can list it", warning=True))
    elif p.status_changed > today:
        problems.append(Problem(entry.path, line, "status_changed",
                                f"{p.status_changed.isoformat()} is in the future: give the date it happened"))
    elif p.status_changed < p.joined:
        problems.append(Problem(entry.path, line, "status_changed",
                                f"{p.status_changed.isoformat()} is before joined ({p.joined.isoformat()}): "
                                "give the date the status last changed"))
    return problems
