"""The second core: a helper process that makes a share of the pages while the build makes the rest.

Rather than be sent the checked content (at 10,000 providers, pickling the directory took 2.7 s and
unpickling it 3.9 s), the helper reads and checks the same files itself, at the same time as the
build does, on the other core: the same files and date make the same directory, and so the same
list of pages. The feed and the pages are made in parts of a few dozen, and each process takes
the next part whenever it is free; the helper writes its parts into the build's fresh folder and
sends back nothing but a problem, if it met one. If a content or template file changed while the
two read them, the site could mix two versions: the build then stops and says so.

Processes are started by "spawn" on every system, as Windows and macOS do, so that nothing here
depends on fork.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

# Below this many provider files one process is quicker: starting a second and reading the
# content twice cost more than the pages it would make (see bench/NOTES.md).
MIN_PROVIDERS = 400
STOPPED = 2**62  # a part number past any, which the helper takes as the sign to stop


def processes_for(root: Path, asked: int | None) -> int:
    """How many processes to build with: what was asked for, else two where there are two cores
    and enough providers for a second process to pay for itself."""
    if asked:
        return asked
    if (os.cpu_count() or 1) < 2:
        return 1
    folder = root / "content" / "providers"
    count = sum(1 for entry in os.scandir(folder) if entry.name.endswith(".md")) if folder.is_dir() else 0
    return 2 if count >= MIN_PROVIDERS else 1


class Parts:
    """Which part of the work comes next. The build and its helper share one count, and each takes
    the next part whenever it is free, so that neither waits long for the other whatever the parts
    cost; alone, the build takes every part in turn."""

    def __init__(self, shared=None):
        self.shared = shared  # a multiprocessing Value, or None for a build alone

    def take(self, count: int) -> Iterator[int]:
        """The numbers of the parts this process is to make, of `count` in all."""
        if self.shared is None:
            yield from range(count)
            return
        while True:
            with self.shared.get_lock():
                number = self.shared.value
                self.shared.value = number + 1
            if number >= count:
                return
            yield number

    def stop(self) -> None:
        """No process takes another part."""
        with self.shared.get_lock():
            self.shared.value = STOPPED


_helper_parts = Parts()  # in the helper process, the count it shares with the build


def _share(shared) -> None:
    """The helper process's start: keep the count, and make its end quick."""
    global _helper_parts
    _helper_parts = Parts(shared)
    # Its answer sent, the helper leaves without freeing every object one by one, as build.py
    # does: at 10,000 providers that took a second, which the build waited for.
    atexit.register(os._exit, 0)


def helper_parts() -> Parts:
    return _helper_parts


class Helper:
    """One helper process running `work(*args)`, started at once, and the parts it shares with the
    build; `result()` waits for it."""

    def __init__(self, work: Callable, *args):
        context = multiprocessing.get_context("spawn")
        self.parts = Parts(context.Value("q", 0))
        self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_share, initargs=(self.parts.shared,))
        self._future: Future = self._pool.submit(work, *args)

    def result(self):
        return self._future.result()

    def close(self) -> None:
        """Stop the helper taking parts, and wait for it to finish the one it is making."""
        self.parts.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """The size and time of change of each file the build reads: if they are the same after the
    build as before, the build and its helper read the same files."""
    found = {}
    for folder in ("content", "templates"):
        for dirpath, _, names in os.walk(root / folder):
            for name in names:
                status = os.stat(os.path.join(dirpath, name))
                found[os.path.join(dirpath, name)] = (status.st_size, status.st_mtime_ns)
    status = os.stat(root / "site_config.yaml") if (root / "site_config.yaml").exists() else None
    found["site_config.yaml"] = (status.st_size, status.st_mtime_ns) if status else (0, 0)
    return found
