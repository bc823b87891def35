"""Share a list of work out between forked worker processes, one per core.

Rendering a page is pure Python, so threads would take turns; forked processes inherit the
whole in-memory directory for free and each writes its own pages. Which worker does an item
never changes what the item produces, so the site is the same whatever the number of workers.
"""
from __future__ import annotations

import mmap
import os
import pickle
import struct
import traceback
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 200  # below this, starting a process costs more than it saves


class WorkFailed(Exception):
    """An item failed; `reason` is what `describe` made of the exception where it happened."""

    def __init__(self, reason: object):
        super().__init__(str(reason))
        self.reason = reason


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def share_out(items: Sequence[T], work: Callable[[T], R], *, workers: int,
              describe: Callable[[BaseException], object] = traceback.format_exception,
              progress: Callable[[int, int], None] | None = None) -> list[R]:
    """`work(item)` for every item, in `workers` processes; the results in the items' order.

    A failure stops the work and raises WorkFailed with `describe(exception)`, made in the process
    that failed, where the traceback still is.
    """
    workers = max(1, min(workers, len(items) // MIN_PER_WORKER or 1))
    counts = mmap.mmap(-1, 8 * workers)  # shared with the children: pages done by each worker
    children = [_start(items, work, describe, counts, n, workers) for n in range(1, workers)]
    mine = _run_share(items, work, describe, counts, 0, workers,
                      lambda: progress and progress(_total(counts, workers), len(items)))
    shares = [mine] + [_collect(pid, reader) for pid, reader in children]
    for status, payload in shares:
        if status == "failed":
            raise WorkFailed(payload)
    results: list = [None] * len(items)
    for n, (_, share) in enumerate(shares):
        results[n::workers] = share
    return results


def _start(items, work, describe, counts, n: int, workers: int) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do its share, send the results, and leave without cleaning up
        code = 1
        try:
            os.close(reader)
            outcome = _run_share(items, work, describe, counts, n, workers, lambda: None)
            with os.fdopen(writer, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def _run_share(items, work, describe, counts, n: int, workers: int, tick) -> tuple[str, object]:
    results = []
    try:
        for done, item in enumerate(items[n::workers], 1):
            results.append(work(item))
            struct.pack_into("q", counts, 8 * n, done)
            tick()
    except Exception as exc:
        return "failed", describe(exc)
    return "ok", results


def _collect(pid: int, reader: int) -> tuple[str, object]:
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data or os.waitstatus_to_exitcode(status):
        return "failed", f"a worker process stopped before it finished (exit status {os.waitstatus_to_exitcode(status)})"
    return pickle.loads(data)


def _total(counts: mmap.mmap, workers: int) -> int:
    return sum(struct.unpack_from("q", counts, 8 * n)[0] for n in range(workers))
