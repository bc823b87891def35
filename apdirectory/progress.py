"""What a long build is doing, on one line of a terminal: the stage and a count of pages.

Only a person watching a terminal wants this; in CI, in a pipe or in a log it is noise, so there
it prints nothing at all.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_EVERY = 0.1  # seconds between redraws: often enough to look alive, rarely enough to cost nothing


class Progress:
    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.shown = _wanted(self.stream)
        self._stage = ""
        self._drawn = 0.0
        self.timings: list[tuple[str, float]] = []  # each stage and when it began (time.perf_counter)

    def stage(self, name: str) -> None:
        self._stage = name
        self.timings.append((name, time.perf_counter()))
        self._draw(name, force=True)

    def seconds(self) -> list[tuple[str, float]]:
        """How long each stage took, up to now."""
        ends = [start for _, start in self.timings[1:]] + [time.perf_counter()]
        return [(name, end - start) for (name, start), end in zip(self.timings, ends)]

    def count(self, done: int, total: int) -> None:
        """Items (pages, files) done so far in this stage."""
        self._draw(f"{self._stage}: {done:,} of {total:,}", force=done == total)

    def done(self) -> None:
        """Clear the line, so that the build's own report starts on a clean one."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _draw(self, text: str, force: bool) -> None:
        now = time.monotonic()
        if not self.shown or (not force and now - self._drawn < _EVERY):
            return
        self._drawn = now
        self.stream.write(f"\r\033[K{text}")
        self.stream.flush()


def _wanted(stream: TextIO) -> bool:
    """On a terminal, unless CI says otherwise (some CI services give builds a pseudo-terminal)."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
