"""Write stage: every file into a fresh folder beside the target, then swap it into place.

Until the swap the previous site is untouched, so a failed or killed build never leaves a
half-written site where the old one was. The swap is two renames (the old site aside, the fresh
folder in), each atomic; then the old site is deleted. A killed build leaves its fresh folder
beside the target, named with its process id, and the next build deletes it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

# Every site this program builds has this file at its root, and only a folder that has it is ever
# replaced: a 404.html, say, could be anyone's. A dot-file, so GitHub Pages' Jekyll leaves it out;
# harmless if it is published.
SITE_MARK = ".ap-directory-site"
MARK_TEXT = b"Built by the Alternative Provision Directory; the build may replace this folder.\n"
CHOOSE = "choose an empty or new --output folder outside content/ and templates/, such as _site"
# Where a process cannot be asked whether it still runs (Windows), a leftover folder this old is
# taken to be a killed build's.
LEFTOVER_SECONDS = 3600


class UnsafeTarget(Exception):
    """The output folder is something the build must not replace."""


class Folder:
    """A folder written file by file, making the folders below it as they are needed."""

    def __init__(self, path: Path):
        self.path = path
        self._folders = {""}

    def write(self, relpath: str, data: bytes) -> None:
        folder = relpath.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(self.path / folder, exist_ok=True)
            self._folders.add(folder)
        with open(self.path / relpath, "wb") as file:
            file.write(data)

    def copy(self, relpath: str, existing: str) -> None:
        """Give the file `existing`, written before, a second name: a link where the disk allows,
        which costs the disk far less than a new file, else a copy."""
        try:
            os.link(self.path / existing, self.path / relpath)
        except OSError:
            shutil.copyfile(self.path / existing, self.path / relpath)


class FreshFolder(Folder):
    """A new folder next to the target, written file by file, then swapped into place or discarded."""

    def __init__(self, target: Path, root: Path):
        check_target(target, root)
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        # The process id in the name tells a later build whether this folder's build still runs.
        super().__init__(Path(tempfile.mkdtemp(prefix=f"{target.name}.new-{os.getpid()}-", dir=target.parent)))
        self.path.chmod(0o755)  # mkdtemp makes it private; a site is for reading
        self.write(SITE_MARK, MARK_TEXT)

    def put_in_place(self) -> None:
        swap_into_place(self.path, self.target)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def swap_into_place(fresh: Path, target: Path) -> None:
    """Make the folder `fresh` the new `target` (a site, or its search index), and delete the old one."""
    if not target.exists():
        fresh.rename(target)
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    target.rename(old)
    try:
        fresh.rename(target)
    except OSError:
        old.rename(target)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)


def check_target(target: Path, root: Path) -> None:
    """Refuse to replace anything but a folder this program built: the swap deletes the old one."""
    if target.is_symlink():
        raise UnsafeTarget("is a link: give the folder it points to as --output instead")
    if target.exists() and not target.is_dir():
        raise UnsafeTarget("is a file, not a folder: choose another --output folder")
    _refuse_project_folders(target, root)
    if target.is_dir() and any(target.iterdir()):
        _refuse_unmarked(target)
    parent = next(path for path in target.absolute().parents if path.exists())
    if not parent.is_dir():
        raise UnsafeTarget(f"cannot be made: {parent} is a file, not a folder")


def _refuse_project_folders(target: Path, root: Path) -> None:
    """The project itself and its content and templates are never an output folder, marked or not."""
    where = Path(os.path.realpath(target))
    root = Path(os.path.realpath(root))
    if where == root:
        raise UnsafeTarget(f"is the project's own folder, and building would replace it with the site: {CHOOSE}")
    for folder in ("content", "templates"):
        if where.is_relative_to(root / folder):
            raise UnsafeTarget(f"is inside the project's {folder}/ folder, and building would delete what is "
                               f"there: {CHOOSE}")


def _refuse_unmarked(target: Path) -> None:
    """A folder that holds files is replaced only if this program built it and git tracks none of them."""
    tracked = git_tracked(target)
    if tracked:
        raise UnsafeTarget(f"holds files that git tracks ({tracked}), and building would delete them: {CHOOSE}")
    if not has_mark(target):
        raise UnsafeTarget(f"already holds files that are not a site built by this program (it has no "
                           f"{SITE_MARK} file), and building would delete them: {CHOOSE}; a site built by an "
                           "earlier version of this program has none either: delete it and build again")


def has_mark(folder: Path) -> bool:
    """Whether the folder has this program's mark: a plain file (not a link) holding exactly MARK_TEXT."""
    mark = folder / SITE_MARK
    if mark.is_symlink() or not mark.is_file():
        return False
    with open(mark, "rb") as file:
        return file.read(len(MARK_TEXT) + 1) == MARK_TEXT


def git_tracked(folder: Path) -> str:
    """The first file git tracks inside `folder`, or "" if none does, it is in no repository, or git is
    not installed (then this check is skipped; the mark still guards the folder)."""
    # safe.directory: a repository owned by another user must still be seen; fsmonitor off: a hostile
    # repository's configuration must not run a program.
    command = ["git", "-c", "safe.directory=*", "-c", "core.fsmonitor=false", "ls-files", "-z", "--", "."]
    try:
        found = subprocess.run(command, cwd=folder, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if found.returncode != 0:  # not in a repository
        return ""
    return found.stdout.split(b"\0")[0].decode("utf-8", "replace")


def remove_leftovers(target: Path) -> None:
    """Delete fresh or old folders that builds which are no longer running left next to `target`."""
    # _site.new-<pid>-<random> and _site.old-<pid>; a folder a person named _site.old-backup is not ours.
    pattern = re.compile(re.escape(target.name) + r"\.(?:new-(\d+)-\w+|old-(\d+))")
    for path in target.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink() and not _running(match[1] or match[2], path):
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: str, folder: Path) -> bool:
    if int(pid) == os.getpid():
        return False  # a folder this process left: not in use
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl+C there
        return time.time() - folder.stat().st_mtime < LEFTOVER_SECONDS
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # someone else's process: leave its folder alone
    return True
