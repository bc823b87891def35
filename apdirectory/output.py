"""Write stage: files into a fresh folder beside the target, then swap it into place.

Until the swap, the previous site is untouched; the swap itself is one atomic exchange of the
two folders on Linux, so a reader (or a killed build) never sees a half-written site. A build
that was killed leaves its fresh folder behind; the next build removes it.
"""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
SITE_MARK = "404.html"  # every site this program builds has it at its root


class UnsafeTarget(Exception):
    """The output folder is something the build must not replace."""


def write_fresh(files: dict[str, bytes], target: Path) -> Path:
    """Write every file into a new folder next to `target`; return that folder."""
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    # The process id in the name tells a later build whether this folder's build is still running.
    fresh = Path(tempfile.mkdtemp(prefix=f"{target.name}.new-{os.getpid()}-", dir=target.parent))
    try:
        _write_files(files, fresh)
    except BaseException:
        discard(fresh)
        raise
    fresh.chmod(0o755)  # mkdtemp makes it private; a site is for reading
    return fresh


def check_target(target: Path) -> None:
    """Refuse to replace anything but a folder this program built: the swap deletes the old one."""
    if target.is_symlink():
        raise UnsafeTarget("is a link: give the folder it points to as --output instead")
    if target.exists() and not target.is_dir():
        raise UnsafeTarget("is a file, not a folder: choose another --output folder")
    if target.is_dir() and any(target.iterdir()) and not (target / SITE_MARK).is_file():
        raise UnsafeTarget(f"already holds files that are not a site built by this program (it has no "
                           f"{SITE_MARK}), and building would delete them: choose an empty or new --output folder")
    parent = next(path for path in target.absolute().parents if path.exists())
    if not parent.is_dir():
        raise UnsafeTarget(f"cannot be made: {parent} is a file, not a folder")


def remove_leftovers(target: Path) -> None:
    """Delete fresh or old folders that builds which are no longer running left next to `target`."""
    # _site.new-<pid>-<random> (before process ids, _site.new-<random>), and _site.old-<pid>; a folder
    # a person named _site.old-backup is not one of ours.
    pattern = re.compile(re.escape(target.name) + r"\.(?:new-(?:(\d+)-)?\w+|old-(\d+))")
    for path in target.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink() and not _running(match[1] or match[2]):
            shutil.rmtree(path, ignore_errors=True)


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


def _write_files(files: dict[str, bytes], fresh: Path) -> None:
    made: set[Path] = {fresh}
    for relpath in sorted(files):
        path = fresh / relpath
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(files[relpath])


def _running(pid: str | None) -> bool:
    if not pid or int(pid) == os.getpid():
        return False  # a folder from an older build (no id), or one this process left: not in use
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # someone else's process: leave its folder alone
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
