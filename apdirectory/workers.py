"""Share a list of work out between forked worker processes, one per core.

Rendering a page is pure Python, so threads would take turns; forked processes inherit the
whole in-memory directory for free and each writes its own files. Workers take the next few
items from a shared counter whenever they are free, so one long item (the open-data feed) does
not hold the rest up. What an item produces never depends on which worker does it, so the site
is the same whatever the number of workers.

The process that shares the work out is a worker too. The others send their results as they go,
and it takes them in between its own items: loading 10,000 files, it unpickles what the others
loaded while they load more, instead of all of it once they are done.
"""
from __future__ import annotations

import ctypes
import fcntl
import mmap
import os
import pickle
import select
import signal
import struct
import tempfile
import traceback
from typing import Callable, Iterator, Sequence, TypeVar

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


class WorkerStopped(WorkFailed):
    """A worker process ended before it finished its share, without saying why: killed, most likely
    (Linux kills the largest process when memory runs out)."""

    def __init__(self, code: int):
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        super().__init__(f"a worker process stopped before it finished ({how})")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def share_out(items: Sequence[T], work: Callable[[T], R], *, workers: int,
              describe: Callable[[BaseException], object] = traceback.format_exception,
              progress: Callable[[int, int], None] | None = None,
              receive: Callable[[int, R], object] | None = None) -> list:
    """`work(item)` for every item, in `workers` processes; the results in the items' order.

    `receive(index, result)`, if given, is applied in this process to each result as it comes:
    between this process's own items to what other workers have sent so far, so that this process
    shares out its own remaining work (unpickling what was loaded, say) with them. The list then
    holds what `receive` returned.

    A failure stops the work and raises WorkFailed with `describe(exception)`, made in the process
    that failed, where the traceback still is.
    """
    workers = max(1, min(workers, len(items) // MIN_PER_WORKER or 1))
    shared = _Counters()
    inbox = _Inbox([_start(items, work, describe, shared) for _ in range(1, workers)])
    results: list = [None] * len(items)

    def keep(done: list) -> None:
        for index, result in done:
            results[index] = receive(index, result) if receive else result

    def after_chunk(done: list) -> None:
        keep(done)
        for message in inbox.sent():
            keep(message)
        if progress:
            progress(shared.get(_DONE), len(items))

    status, payload = _run_share(items, work, describe, shared, after_chunk)
    failures = [WorkFailed(payload)] if status == "failed" else []
    for message in inbox.sent(until_done=True):
        keep(message)
    if progress:
        progress(shared.get(_DONE), len(items))  # the last chunk may have been another worker's
    failures += inbox.failures
    if failures:
        raise failures[0]
    return results


class _Counters:
    """Two numbers that every worker sees and changes, under one lock.

    The lock is a POSIX record lock on a temporary file, which the system lets go of when the
    process holding it ends: a worker killed while it held a semaphore would leave the others
    waiting for it for ever."""

    def __init__(self):
        self.memory = mmap.mmap(-1, 16)  # anonymous and shared: forked children see the same bytes
        self.lock = tempfile.TemporaryFile()  # record locks are each process's own, not inherited

    def get(self, offset: int) -> int:
        return struct.unpack_from("q", self.memory, offset)[0]

    def add(self, offset: int, amount: int) -> int:
        """Add `amount`; return the value before."""
        fcntl.lockf(self.lock, fcntl.LOCK_EX)
        try:
            before = self.get(offset)
            struct.pack_into("q", self.memory, offset, before + amount)
        finally:
            fcntl.lockf(self.lock, fcntl.LOCK_UN)
        return before


def _start(items, work, describe, shared: _Counters) -> tuple[int, int]:
    reader, writer, parent = *os.pipe(), os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: do its share, sending the results as it goes, and leave without cleaning up
        code = 1
        try:
            _end_with(parent)
            os.close(reader)
            outbox = _Outbox(writer)
            status, payload = _run_share(items, work, describe, shared, outbox.add)
            outbox.send(status, payload)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    _widen(reader)
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


def _run_share(items, work, describe, shared: _Counters, after_chunk) -> tuple[str, object]:
    """Take items until none are left, giving `after_chunk` the (index, result) of each chunk done:
    ("ok", None), or ("failed", what `describe` made of the exception)."""
    try:
        while (start := shared.add(_NEXT, CHUNK)) < len(items):
            done = [(index, work(items[index])) for index in range(start, min(start + CHUNK, len(items)))]
            shared.add(_DONE, len(done))
            after_chunk(done)
    except Exception as exc:
        shared.add(_NEXT, len(items))  # the build has failed: let the other workers stop early
        return "failed", describe(exc)
    return "ok", None


# A worker's results go to the process that started it in messages: the length of a pickle, then
# the pickle: ("results", [(index, result), ...]) any number of times, then (status, payload).
_LENGTH = struct.Struct("<Q")
_BATCH = 256 * 1024  # bytes a worker gathers before sending them: few writes, little waiting at the end
_PIPE_SIZE = 1024 * 1024  # room in the pipe for a worker to go on while the main process is busy
_F_SETPIPE_SZ = 1031  # Linux's fcntl command


def _widen(pipe: int) -> None:
    try:
        fcntl.fcntl(pipe, _F_SETPIPE_SZ, _PIPE_SIZE)
    except OSError:  # not Linux, or above the system's limit: the pipe keeps its size, and works
        pass


class _Outbox:
    """Sends a worker's results to its parent, each chunk's as one message, a batch of them at a time."""

    def __init__(self, pipe: int):
        self.pipe = os.fdopen(pipe, "wb", buffering=0)
        self.batch = bytearray()

    def add(self, done: list) -> None:
        self._put(("results", done))
        if len(self.batch) >= _BATCH:
            self._flush()

    def send(self, status: str, payload: object) -> None:
        self._put((status, payload))
        self._flush()
        self.pipe.close()

    def _put(self, message: tuple) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.batch += _LENGTH.pack(len(data))
        self.batch += data

    def _flush(self) -> None:
        self.pipe.write(self.batch)  # unbuffered, to a blocking pipe: written whole
        self.batch = bytearray()


class _Inbox:
    """Reads the workers' messages as they come, without waiting unless asked to."""

    def __init__(self, children: list[tuple[int, int]]):
        self.waiting = {reader: (pid, bytearray()) for pid, reader in children}
        for reader in self.waiting:
            os.set_blocking(reader, False)
        self.failures: list[WorkFailed] = []

    def sent(self, until_done: bool = False) -> Iterator[list]:
        """The batches of results sent since last asked; `until_done`: all of them, until every
        worker has finished (its failure, if it failed, then in self.failures)."""
        while self.waiting:
            ready = select.select(list(self.waiting), [], [], None if until_done else 0)[0]
            if not ready:
                return
            for reader in ready:
                yield from self._read(reader)

    def _read(self, reader: int) -> Iterator[list]:
        pid, buffer = self.waiting[reader]
        try:
            data = os.read(reader, _PIPE_SIZE)
        except BlockingIOError:
            return
        buffer += data
        start = 0
        while len(buffer) - start >= _LENGTH.size:
            end = start + _LENGTH.size + _LENGTH.unpack_from(buffer, start)[0]
            if len(buffer) < end:
                break  # the rest of the message is still on its way
            kind, payload = pickle.loads(buffer[start + _LENGTH.size:end])
            start = end
            if kind != "results":  # the worker's last message: ("ok", None) or ("failed", why)
                self._finish(reader, failed=kind == "failed", why=payload)
                return
            yield payload
        del buffer[:start]
        if not data:  # the worker stopped without its last message
            self._finish(reader, stopped=True)

    def _finish(self, reader: int, failed: bool = False, why: object = None, stopped: bool = False) -> None:
        pid, _ = self.waiting.pop(reader)
        os.close(reader)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if failed:
            self.failures.append(WorkFailed(why))
        elif stopped or code:
            self.failures.append(WorkerStopped(code))
