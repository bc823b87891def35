"""Write stage: files into a fresh folder beside the target, then swap it into place.

Until the swap, the previous site is untouched; the swap itself is one atomic exchange of the
two folders on Linux, so a reader (or a killed build) never sees a half-written site.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def write_fresh(files: dict[str, bytes], target: Path) -> Path:
    """Write every file into a new folder next to `target`; return that folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f"{target.name}.new-", dir=target.parent))
    made: set[Path] = {fresh}
    for relpath in sorted(files):
        path = fresh / relpath
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(files[relpath])
    fresh.chmod(0o755)  # mkdtemp makes it private; a site is for reading
    return fresh


def swap_into_place(fresh: Path, target: Path) -> None:
    """Make `fresh` the new `target` and delete the old one."""
    if not target.exists():
        fresh.rename(target)
        return
    if _exchange(fresh, target):
        shutil.rmtree(fresh)  # now holds the previous site
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old)


def discard(fresh: Path) -> None:
    shutil.rmtree(fresh, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
