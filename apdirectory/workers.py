"""Share a list of work out between forked worker processes, one per core.

Rendering a page is pure Python, so threads would take turns; forked processes inherit the
whole in-memory directory for free and each writes its own files. Workers take the next few
items from a shared counter whenever they are free, so one long item (the open-data feed) does
not hold the rest up. What an item produces never depends on which worker does it, so the site
is the same whatever the number of workers.
"""
from __future__ import annotations

import ctypes
import mmap
import multiprocessing
import os
import pickle
import signal
import struct
import traceback
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 200  # below this many items, starting a process costs more than it saves
CHUNK = 4  # items taken at a time: few enough to share out evenly, enough to make locking rare
_NEXT, _DONE = 0, 8  # offsets in the shared counters: the next item to take, how many are done
_PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies


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
    shared = _Counters()
    children = [_start(items, work, describe, shared) for _ in range(1, workers)]
    shares = [_run_share(items, work, describe, shared,
                         lambda: progress and progress(shared.get(_DONE), len(items)))]
    shares += [_collect(pid, reader) for pid, reader in children]
    for status, payload in shares:
        if status == "failed":
            raise WorkFailed(payload)
    results: list = [None] * len(items)
    for _, share in shares:
        for index, result in share:
            results[index] = result
    return results


class _Counters:
    """Two numbers that every worker sees and changes, under one lock."""

    def __init__(self):
        self.memory = mmap.mmap(-1, 16)  # anonymous and shared: forked children see the same bytes
        self.lock = multiprocessing.get_context("fork").Lock()

    def get(self, offset: int) -> int:
        return struct.unpack_from("q", self.memory, offset)[0]

    def add(self, offset: int, amount: int) -> int:
        """Add `amount`; return the value before."""
        with self.lock:
            before = self.get(offset)
            struct.pack_into("q", self.memory, offset, before + amount)
        return before


def _start(items, work, describe, shared: _Counters) -> tuple[int, int]:
    reader, writer, parent = *os.pipe(), os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: do its share, send the results, and leave without cleaning up
        code = 1
        try:
            _end_with(parent)
            os.close(reader)
            outcome = _run_share(items, work, describe, shared, lambda: None)
            with os.fdopen(writer, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def _end_with(parent: int) -> None:
    """Have this worker stopped if its build is (killed, say): it would otherwise go on writing into
    a folder that the next build deletes, while it deletes it."""
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker stops when it has done its share
        return
    if os.getppid() != parent:  # the build was stopped before prctl took effect
        os._exit(1)


def _run_share(items, work, describe, shared: _Counters, tick) -> tuple[str, object]:
    """Take items until none are left: (index, result) for each one done."""
    results = []
    try:
        while (start := shared.add(_NEXT, CHUNK)) < len(items):
            for index in range(start, min(start + CHUNK, len(items))):
                results.append((index, work(items[index])))
            shared.add(_DONE, min(CHUNK, len(items) - start))
            tick()
    except Exception as exc:
        shared.add(_NEXT, len(items))  # the build has failed: let the other workers stop early
        return "failed", describe(exc)
    return "ok", results


def _collect(pid: int, reader: int) -> tuple[str, object]:
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data or os.waitstatus_to_exitcode(status):
        return "failed", f"a worker process stopped before it finished (exit status {os.waitstatus_to_exitcode(status)})"
    return pickle.loads(data)
