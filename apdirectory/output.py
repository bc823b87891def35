"""Write stage: files into a fresh folder beside the target, then swap it into place.

Until the swap, the previous site is untouched; the swap itself is one atomic exchange of the
two folders on Linux, so a reader (or a killed build) never sees a half-written site. A build
that was killed leaves its fresh folder behind; the next build removes it.

The site the swap replaces is kept beside the target (`_site.previous`), and the next build takes
it as its fresh folder and writes over its files where they stand. On a disk that discards freed
blocks (as this project's machines do), deleting tens of thousands of files slows every file
created for a minute or more afterwards, and freeing a file's blocks costs more than writing it:
here, writing 30,000 files over old ones of about the same size took 0.3 s, and creating them
within a minute of a large delete 12 s or more. The previous site's files are never trusted for their content: each
file of the new site is written (or linked) anew, and those the new site does not have are deleted.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
SITE_MARK = "404.html"  # every site this program builds has it at its root
SPARE = ".previous"  # the site before the current one: _site.previous


class UnsafeTarget(Exception):
    """The output folder is something the build must not replace."""


class FreshFolder:
    """A new folder next to the target, written file by file (by several processes at once if
    need be), then swapped into place or discarded.

    With `recycle`, the new folder is the site before last (_site.previous) when there is one, and
    its files are written over; with `list_apart`, another process lists them meanwhile (for a
    large site). A file is written where it stands only when no other name has it but the ones it
    is to have in the new site (`also`): the previous site's files may also be the current site's,
    linked when they were unchanged. Folders in `unplaced` (the search index, which Pagefind writes
    itself) are emptied first."""

    def __init__(self, target: Path, recycle: bool = False, unplaced: tuple[str, ...] = (),
                 list_apart: bool = False):
        check_target(target)
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        # The process id in the name tells a later build whether this folder's build is still running.
        spare = target.with_name(target.name + SPARE)
        recycled = recycle and _recyclable(spare)
        if recycled:
            self.path = target.with_name(f"{target.name}.new-{os.getpid()}-recycled")
            spare.rename(self.path)
            for name in unplaced:
                shutil.rmtree(self.path / name, ignore_errors=True)
        else:
            self.path = Path(tempfile.mkdtemp(prefix=f"{target.name}.new-{os.getpid()}-", dir=target.parent))
            self.path.chmod(0o755)  # mkdtemp makes it private; a site is for reading
        self._root = os.fspath(self.path)  # plain strings and os calls: pathlib costs seconds at scale
        self._made = {""}
        self._old_files: set[str] = set()  # the recycled site's: put_in_place() deletes those not placed
        # Listing 63,000 files took 0.3 s here, and over a second when the disk had to be read: with
        # `list_apart`, another process lists them while this one goes on. It takes 50 ms to start.
        self._listing = _Listing(self._root) if recycled and list_apart else None
        if recycled and not list_apart:
            self._take(_walk(self._root))
        self._keep_old = recycle

    def ready(self) -> None:
        """Have the recycled site's files listed: before anything is written (the first write asks),
        and before forking processes that write, which would otherwise each ask again."""
        if self._listing:
            self._take(self._listing.result())
            self._listing = None

    def _take(self, listed: tuple[set[str], set[str]]) -> None:
        """The recycled site's files and folders, as _walk lists them."""
        self._old_files, folders = listed
        self._made.update(folders)

    def write(self, relpath: str, data: bytes, also: tuple[str, ...] = ()) -> os.stat_result:
        """Write one file; return its status (inode, size, time), by which the cache knows it later.
        `also`: the other names the file is to have, given by link() after."""
        path = f"{self._root}/{relpath}"
        self.ready()
        reused = self._reuse(path, also) if relpath in self._old_files else None
        handle = reused[0] if reused else self._create(relpath, path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            if reused and reused[1] > len(data):
                os.ftruncate(handle, len(data))
            return os.fstat(handle)
        finally:
            os.close(handle)

    def link(self, relpath: str, existing: str) -> None:
        """Give the file `existing` (an absolute path, or one in this folder) a second name."""
        existing = existing if existing.startswith("/") else f"{self._root}/{existing}"
        path = f"{self._root}/{relpath}"
        self.ready()
        if relpath in self._old_files:
            if _same_file(existing, path):
                return  # the recycled site's file was the same one already
            _remove(path)
        self._folder_for(relpath)
        os.link(existing, path)

    def put_in_place(self, placed: list[tuple[str, str, tuple]], before: dict[str, tuple]) -> None:
        """Make this folder the target, and the old site the spare (or go). `placed` holds
        (path, key, stamp) of each file of the new site; `before`, path -> (key, stamp) of the
        site as it was."""
        self.ready()
        if self._old_files:
            self._remove_old(self._old_files - {relpath for relpath, _, _ in placed})
        swap_into_place(self.path, self.target, file_count=len(placed), keep_old=self._keep_old)

    def discard(self) -> None:
        if self._listing:
            self._listing.stop()
        shutil.rmtree(self.path, ignore_errors=True)

    def _reuse(self, path: str, also: tuple[str, ...]) -> tuple[int, int] | None:
        """An open handle on the recycled site's file at `path`, and its size, if it may be
        written where it stands; else None, with the file deleted."""
        try:
            handle = os.open(path, _REWRITE_FLAGS)
        except FileNotFoundError:
            return None
        except OSError:  # a folder, or a link, where the new site has a file
            _remove(path)
            return None
        status = os.fstat(handle)
        names = 1 + sum(_same_file(f"{self._root}/{name}", path) for name in also) if status.st_nlink > 1 else 1
        if status.st_nlink == names:
            return handle, status.st_size
        os.close(handle)  # another site has the file too: leave it be
        os.unlink(path)
        return None

    def _create(self, relpath: str, path: str) -> int:
        self._folder_for(relpath)
        return os.open(path, _WRITE_FLAGS, 0o644)

    def _remove_old(self, stale: set[str]) -> None:
        """Delete the recycled site's files that the new site does not have, and folders they empty."""
        for relpath in stale:
            _remove(f"{self._root}/{relpath}")
        for folder in sorted({relpath.rpartition("/")[0] for relpath in stale}, key=len, reverse=True):
            _remove_emptied(self._root, folder)

    def _folder_for(self, relpath: str) -> None:
        folder = relpath.rpartition("/")[0]
        if folder not in self._made:
            try:
                os.makedirs(f"{self._root}/{folder}", exist_ok=True)  # another worker may have made it
            except (FileExistsError, NotADirectoryError):  # a file of the recycled site stands in the way
                _clear_way(self._root, folder)
                os.makedirs(f"{self._root}/{folder}", exist_ok=True)
            self._made.add(folder)


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
# Not truncated: freeing a file's blocks and finding new ones is the slow part of writing over it.
_REWRITE_FLAGS = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _recyclable(spare: Path) -> bool:
    """The folder is a site this program built (not a link to one), so its files may be written over."""
    return spare.is_dir() and not spare.is_symlink() and (spare / SITE_MARK).is_file()


class _Listing:
    """_walk(root), done by a new Python process running this file while the build goes on: a new
    process, not a fork, so that the build's memory stays its own."""

    def __init__(self, root: str):
        self.process = subprocess.Popen([sys.executable, "-I", os.path.abspath(__file__), root],
                                        stdout=subprocess.PIPE)

    def result(self) -> tuple[set[str], set[str]]:
        data = self.process.stdout.read()  # it writes once it has walked the whole folder
        self.process.stdout.close()
        if self.process.wait() != 0:
            raise OSError(f"could not list the files in {self.process.args[-1]} "
                          f"(exit status {self.process.returncode})")
        return pickle.loads(data)

    def stop(self) -> None:
        self.process.kill()
        self.process.stdout.close()
        self.process.wait()


def _walk(root: str) -> tuple[set[str], set[str]]:
    """Every file (or link) and every folder under `root`, as paths relative to it."""
    files, folders, todo = set(), set(), [""]
    while todo:
        folder = todo.pop()
        with os.scandir(f"{root}/{folder}") as entries:
            for entry in entries:
                relpath = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(relpath)
                    todo.append(relpath)
                else:
                    files.add(relpath)
    return files, folders


def _remove(path: str) -> None:
    """Delete a file, link or folder, if it is there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)


def _remove_emptied(root: str, folder: str) -> None:
    """Delete the folder below `root`, and each folder above it, for as long as they are empty."""
    while folder:
        try:
            os.rmdir(f"{root}/{folder}")
        except OSError:
            break  # it still has files
        folder = folder.rpartition("/")[0]


def _clear_way(root: str, folder: str) -> None:
    """Delete the files standing where the folder `folder` (or one of its parents) is to be."""
    path = root
    for name in folder.split("/"):
        path = f"{path}/{name}"
        if os.path.lexists(path) and not (os.path.isdir(path) and not os.path.islink(path)):
            os.unlink(path)


class SiteInPlace(FreshFolder):
    """The site at `target` itself, changed where it stands: for `serve`, whose every rebuild would
    otherwise make tens of thousands of folders and links anew for a large directory.

    Nothing in the site changes until put_in_place(): each file is written beside the one it replaces,
    under a temporary name, and files kept from the site are left where they are. put_in_place() then
    renames the new files over the old ones (a reader sees either the old file or the new, never
    part of one) and deletes the files the site no longer has. If making or writing anything fails,
    discard() removes the temporary files and the site is as it was. A build killed during the
    renames, which take milliseconds, leaves a mixture of the two sites: `serve` starts with a full
    build, which replaces it.
    """

    def __init__(self, target: Path):
        check_target(target)
        self.path = self.target = target
        self._root = os.fspath(target)
        self._made = {""}
        self._old_files = set()
        self._listing = None
        # Named by the build's process, not the worker's, so that the build can find every one.
        self._suffix = f".new-{os.getpid()}"
        self._written: set[str] = set()  # by this process

    def write(self, relpath: str, data: bytes, also: tuple[str, ...] = ()) -> os.stat_result:
        self._written.add(relpath)
        return super().write(relpath + self._suffix, data)

    def link(self, relpath: str, existing: str) -> None:
        final = f"{self._root}/{relpath}"
        if existing == final:
            return  # the site's own file, kept where it is
        if not existing.startswith("/"):  # a second name for a file of this site
            if existing in self._written:
                existing += self._suffix
            elif _same_file(f"{self._root}/{existing}", final):
                return  # the two names were one file already
        super().link(relpath + self._suffix, existing)

    def put_in_place(self, placed: list[tuple[str, str, tuple]], before: dict[str, tuple]) -> None:
        """Put the new files in place (those whose stamp is not the one `before` has), then take
        away the files the new site does not have, and the folders they leave empty. What they
        replaced or took away is deleted after, in the background: freeing the blocks of a large
        file takes milliseconds, and a rebuild replaces a hundred of them."""
        aside = tempfile.mkdtemp(prefix=f"{self.path.name}.old-{os.getpid()}-", dir=self.path.parent)
        count = 0
        for relpath, _, file_stamp in placed:
            if relpath not in before or before[relpath][1] != file_stamp:
                try:
                    os.link(f"{self._root}/{relpath}", f"{aside}/{count}")
                    count += 1
                except FileNotFoundError:
                    pass  # a file the site did not have
                os.replace(f"{self._root}/{relpath}{self._suffix}", f"{self._root}/{relpath}")
        for relpath in before.keys() - {relpath for relpath, _, _ in placed}:
            try:
                os.rename(f"{self._root}/{relpath}", f"{aside}/{count}")
                count += 1
            except OSError:
                continue  # already gone
            _remove_emptied(self._root, relpath.rpartition("/")[0])
        threading.Thread(target=shutil.rmtree, args=(aside,), kwargs={"ignore_errors": True}, daemon=True).start()

    def discard(self) -> None:
        """Remove the temporary files of a build that failed, whichever process wrote them."""
        for folder, _, files in os.walk(self._root):
            for name in files:
                if name.endswith(self._suffix):
                    os.unlink(os.path.join(folder, name))


def _same_file(a: str, b: str) -> bool:
    """The two paths name one file (not a link to it: a site has none)."""
    try:
        first, second = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (first.st_ino, first.st_dev) == (second.st_ino, second.st_dev)


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
    # _site.new-<pid>-<random> (before process ids, _site.new-<random>), and _site.old-<pid> or
    # _site.old-<pid>-<random>; a folder a person named _site.old-backup is not one of ours.
    pattern = re.compile(re.escape(target.name) + r"\.(?:new-(?:(\d+)-)?\w+|old-(\d+)(?:-\w+)?)")
    for path in target.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink() and not _running(match[1] or match[2]):
            shutil.rmtree(path, ignore_errors=True)


BACKGROUND_DELETE_FILES = 2000  # from about this size, deleting the old site takes seconds


def swap_into_place(fresh: Path, target: Path, file_count: int = 0, keep_old: bool = False) -> None:
    """Make `fresh` the new `target`; the old one becomes the spare (with `keep_old`, where no other
    folder has the spare's name) or is deleted (in the background for a large site)."""
    if not target.exists():
        fresh.rename(target)
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if _exchange(fresh, target):
        fresh.rename(old)  # it now holds the previous site
    else:
        target.rename(old)
        fresh.rename(target)
    spare = target.with_name(target.name + SPARE)
    if keep_old and not os.path.lexists(spare):
        old.rename(spare)
    elif file_count >= BACKGROUND_DELETE_FILES:
        _delete_in_background(old)
    else:
        shutil.rmtree(old)


def _delete_in_background(old: Path) -> None:
    """The new site is in place: let a child process delete the old one after the build returns.
    The folder is renamed with the child's process id, so a later build leaves it alone while
    the child works and removes it if the child was stopped."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            # Let go of the build's output, or whoever reads it to the end would wait for us.
            devnull = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):
                os.dup2(devnull, stream)
            renamed = old.with_name(f"{old.name.rsplit('-', 1)[0]}-{os.getpid()}")
            old.rename(renamed)
            shutil.rmtree(renamed, ignore_errors=True)
        finally:
            os._exit(0)


def replace_folder(new: Path, old: Path) -> None:
    """Put the folder `new` where `old` is, in one step where Linux allows; `new` then holds the
    old folder, for the caller to delete."""
    if not old.exists():
        new.rename(old)
    elif not _exchange(new, old):
        aside = new.with_name(f"{new.name}.old")
        old.rename(aside)
        new.rename(old)
        aside.rename(new)


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


if __name__ == "__main__":  # _Listing: the files and folders below a folder, pickled
    sys.stdout.buffer.write(pickle.dumps(_walk(sys.argv[1]), protocol=pickle.HIGHEST_PROTOCOL))
