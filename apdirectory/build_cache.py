"""The build cache, in .build-cache/ beside the content: what the last build made, so that the next
one does only the work a change calls for.

Site files: the cache remembers, for each file of the site the last build wrote, a key and the
file's stamp (inode, size, time). A file is linked from that site, not written again, only when
its key is the same and the file is still there, untouched (placing.py). The key of a page made
from one content file alone (a provider's page and its feed documents) is a hash of that file and
of everything else any page is made from: the program, its libraries, the templates, the
configuration and every content file that is not a provider; such a page is not even rendered
again when its key is unchanged. Any other file's key is a hash of its bytes.

Loading keeps its own part of the cache: each provider file's validated entry and problems, by
the file's bytes and the program. Entries are kept in shards by file name, so that a change to
one file rewrites one small shard, not the whole cache.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from importlib import metadata
from pathlib import Path

FOLDER = ".build-cache"
_FILE = "site.pickle"
_FORMAT = 4  # change when what is stored changes
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "pydantic", "pydantic_core", "pyyaml")
_PACKAGE = Path(__file__).resolve().parent

Stamp = tuple[int, int, int]  # inode, size, modification time (ns) of a file in the site
Remembered = tuple[str, str, Stamp]  # a file's path in the site, its key, its stamp


class SiteCache:
    """What the last build wrote into the site at `target`, and the keys it was made from."""

    def __init__(self, root: Path, target: Path, loaded: EntryCache, shared: str, kept=None):
        self.file = root / FOLDER / _FILE
        self.kept = kept  # a load.KeptFiles: what `serve` keeps of the record it saved last
        # Trusted: the site is as the last build left it, with no file edited by hand since, which
        # `serve` takes for granted while it runs (one check of each file, 0.3 s at 10,000 providers).
        self.trusted = False
        self.site = os.fspath(target.absolute())
        self.shared_key = shared  # shared_key(root), made once per build
        self.loaded = loaded  # the hashes of the provider files as this build read them
        self.previous, self.by_key = self._load()
        self.current: dict[str, tuple[str, Stamp]] = {}

    def key(self, source: str) -> str:
        """The key of a page made from the content file `source` (relative to the root) alone:
        from the bytes loading read, not the file now, which may have changed since."""
        digest = hashlib.blake2b(self.shared_key.encode(), digest_size=20)
        digest.update(source.encode() + b"\0" + self.loaded.digests[source])
        return digest.hexdigest()

    def reusable(self, relpath: str, key: str) -> tuple[str, Stamp] | None:
        """The current site's copy of the file (path and stamp), if it was made from the same key."""
        remembered = self.previous.get(relpath)
        if not remembered or remembered[0] != key:
            return None
        path = f"{self.site}/{relpath}"
        if self.trusted:
            return path, remembered[1]
        try:
            status = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode) or stamp(status) != remembered[1]:
            return None  # gone, replaced or edited by hand since: make it again
        return path, remembered[1]

    def holding(self, relpath: str, data: bytes) -> Remembered | None:
        """(path, key, stamp) of the site's file at `relpath` if it holds exactly `data`, for a
        trusted site (the file is as the last build left it)."""
        remembered = self.previous.get(relpath)
        if not remembered or remembered[1][1] != len(data):
            return None
        try:
            with open(f"{self.site}/{relpath}", "rb") as file:
                same = file.read() == data
        except OSError:
            return None
        return (relpath, *remembered) if same else None

    def reusable_group(self, key: str) -> list[Remembered] | None:
        """(path in the site, key, stamp) of every file the last build made from `key`, if each
        is still there, untouched; else None."""
        group = self.by_key.get(key)
        if self.trusted or not group:  # a trusted site: each file is as the last build left it
            return group
        for relpath, _, _ in group:
            if self.reusable(relpath, key) is None:
                return None
        return group

    def remember(self, placed: list[Remembered]) -> None:
        self.current.update((relpath, (key, file_stamp)) for relpath, key, file_stamp in placed)

    def save(self) -> None:
        """Write what this build made, for the next one."""
        _save(self.file, {"format": _FORMAT, "site": self.site, "pages": self.current})
        if self.kept is not None:
            self.kept.site_record = self.site, self.current, _by_key(self.current)

    def _load(self) -> tuple[dict[str, tuple[str, Stamp]], dict[str, list[Remembered]]]:
        """(the record of the site: path -> (key, stamp); the files made from one content file, by key)."""
        # `serve` keeps the record it saved last, and need not read and unpickle it again (a
        # twentieth of a second at 10,000 providers). Should a one-off build replace the site
        # meanwhile, that build links every file the record describes, and writes anew only
        # those it could not compare by key (lists, which serve compares with the file itself).
        if self.kept is not None and self.kept.site_record and self.kept.site_record[0] == self.site:
            return self.kept.site_record[1:]
        try:
            with open(self.file, "rb") as saved:
                data = pickle.load(saved)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            return {}, {}  # no cache yet, or a broken one: build everything
        if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("site") != self.site:
            return {}, {}
        return data["pages"], _by_key(data["pages"])


def _by_key(pages: dict[str, tuple[str, Stamp]]) -> dict[str, list[Remembered]]:
    """The files made from one content file alone, by their key."""
    by_key: dict[str, list[Remembered]] = {}
    for relpath, (key, file_stamp) in pages.items():
        if not key.startswith("="):
            by_key.setdefault(key, []).append((relpath, key, file_stamp))
    return by_key


def _save(path: Path, data: dict) -> None:
    """Atomically, as two builds may race; and quietly, as a build that could not save its cache
    has still built the site: the next build just does more work."""
    partial = _write_beside(path, data)
    if partial:
        try:
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)


def _write_beside(path: Path, data: dict) -> Path | None:
    """Pickle `data` into a new file beside `path`, for os.replace to put in its place; None if
    it could not be written."""
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as out:
            pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
        return partial
    except OSError:
        partial.unlink(missing_ok=True)
        return None


UNHASHED = "=?"  # the key of a file `serve` wrote without hashing it: it equals no content_key


def content_key(data: bytes) -> str:
    """The key of a file that is compared by its bytes."""
    # SHA-256 runs in the processor's own instructions on most machines since about 2017: at
    # 10,000 providers, hashing a rebuild's 250 MB of lists took half the time BLAKE2 took.
    return "=" + hashlib.sha256(data).hexdigest()[:40]


def stamp(status: os.stat_result) -> Stamp:
    return status.st_ino, status.st_size, status.st_mtime_ns


def program_key() -> str:
    """A hash of the program and the libraries it uses: what a provider file is read with."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{_FORMAT} {sys.version}".encode())
    for library in _LIBRARIES:
        digest.update(f"{library} {metadata.version(library)}\0".encode())
    _hash_files(digest, sorted(_PACKAGE.rglob("*.py")))
    return digest.hexdigest()


def shared_key(root: Path) -> str:
    """A hash of everything but the provider files: the program, its libraries, templates, config
    and other content."""
    digest = hashlib.blake2b(program_key().encode(), digest_size=20)
    files = _files_below(root / "templates") + [root / "site_config.yaml"]
    files += _files_below(root / "content", leaving_out="providers")
    _hash_files(digest, files)
    return digest.hexdigest()


def _files_below(folder: Path, leaving_out: str = "") -> list[Path]:
    """Every file below `folder`, in a fixed order; not those in its subfolder `leaving_out`."""
    found = []
    for parent, folders, files in os.walk(folder):
        if parent == os.fspath(folder) and leaving_out in folders:
            folders.remove(leaving_out)  # thousands of files, which the key must not depend on
        folders.sort()
        found += [Path(parent, name) for name in sorted(files)]
    return found


def _hash_files(digest, files: list[Path]) -> None:
    for path in files:
        if path.is_file():
            digest.update(os.fsencode(path) + b"\0" + path.read_bytes() + b"\0")


class EntryCache:
    """Validated provider entries from the last build, by file name and the hash of the file's bytes."""

    SHARDS = 64

    def __init__(self, root: Path):
        self.folder = root / FOLDER / "entries"
        self.program = program_key()
        self.shards: dict[int, dict] = {}
        self.changed: set[int] = set()
        self.digests: dict[str, bytes] = {}  # each file looked up in this build -> hash of its bytes
        self.aside: list[tuple[Path, Path]] = []  # (written, to replace) by set_aside()
        self.made: list[Path] = []  # folders set_aside() made

    def lookup(self, relpath: str, data: bytes) -> tuple[bytes, bytes | None]:
        """(the hash of `data`, what loading them at `relpath` gave last time, pickled, or None)."""
        digest = self._key(data)
        found = self._shard(relpath).get(relpath)
        return digest, found[1] if found and found[0] == digest else None

    def remember(self, relpath: str, digest: bytes, pickled: bytes | None) -> None:
        """The hash of the file as this build read it and, when lookup() found nothing for it,
        what loading it gave, pickled."""
        self.digests[relpath] = digest
        if pickled is not None:
            self._shard(relpath)[relpath] = (digest, pickled)
            self.changed.add(_shard_number(relpath, self.SHARDS))

    def set_aside(self) -> None:
        """Write the shards that changed beside the cache, for save() to put in place, and let go
        of them all: the entries are loaded, and their pickled bytes would take memory for the
        rest of the build."""
        if self.changed:
            self.made = [folder for folder in (self.folder.parent, self.folder) if not folder.exists()]
        for number in self.changed:
            path = self.folder / f"{number:02d}.pickle"
            written = _write_beside(path, {"program": self.program, "entries": self.shards[number]})
            if written:
                self.aside.append((written, path))
        self.changed.clear()
        self.shards.clear()

    def save(self) -> None:
        """Put what set_aside() wrote in place: only after a build that wrote its site."""
        for written, path in self.aside:
            try:
                os.replace(written, path)
            except OSError:
                pass  # the next build loads that shard's files again
        self.aside.clear()

    def discard(self) -> None:
        """Remove what set_aside() wrote and save() did not put in place."""
        for written, _ in self.aside:
            written.unlink(missing_ok=True)
        self.aside.clear()
        for folder in reversed(self.made):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty: what save() put there stays
        self.made.clear()

    def _key(self, data: bytes) -> bytes:
        return hashlib.blake2b(data, digest_size=20, key=self.program.encode()[:64]).digest()

    def _shard(self, relpath: str) -> dict:
        number = _shard_number(relpath, self.SHARDS)
        if number not in self.shards:
            self.shards[number] = self._load(number)
        return self.shards[number]

    def _load(self, number: int) -> dict:
        try:
            with open(self.folder / f"{number:02d}.pickle", "rb") as saved:
                data = pickle.load(saved)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, ImportError):
            return {}
        if not isinstance(data, dict) or data.get("program") != self.program:
            return {}  # written by another version of the program: its entries may be wrong now
        return data["entries"]


def _shard_number(relpath: str, shards: int) -> int:
    return int.from_bytes(hashlib.blake2b(relpath.encode(), digest_size=2).digest(), "big") % shards
