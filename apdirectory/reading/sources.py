"""Read one content file from disk: bytes -> text -> front matter (YAML) and Markdown body.

Everything that can be wrong with a file before its fields are looked at is reported here, as
a Problem with the file's line, so that a contract officer can act on it.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from apdirectory.checking.problems import Problem
from apdirectory.reading.yamlread import CONTROL, YamlDoc, YamlError, read_yaml

MAX_FILE_BYTES = 512 * 1024  # the longest real entry is a few kB; this stops runaway or hostile files
FENCE = "---"


@dataclass(frozen=True)
class Source:
    path: str  # relative to the project root, forward slashes: what messages show
    doc: YamlDoc  # the front matter (or the whole file, for .yaml files)
    body: str = ""  # the Markdown after the front matter
    body_line: int = 0  # the file line where the body starts

    def without_values(self) -> Source:
        """The source without the values read from it, but with their lines: all a validated entry
        needs (its model has the values). Entries are pickled, for the cache and from one process to
        another; without the values, in a sixth less time (73 to 61 us), and unpickled in a fifth less (96 to 77 us)."""
        return replace(self, doc=YamlDoc(None, self.doc.lines))

    def line(self, loc: tuple) -> int:
        """The line of a field, or of the nearest enclosing field that exists."""
        lines = self.doc.lines
        while loc and loc not in lines:
            loc = loc[:-1]
        return lines.get(loc, 1)


def read_source(root: Path, relpath: str, front_matter: bool) -> Source | Problem:
    """Read a content file. `front_matter` files are YAML between --- lines, then Markdown."""
    data = read_bytes(root, relpath)
    return data if isinstance(data, Problem) else parse_source(relpath, data, front_matter)


def parse_source(relpath: str, data: bytes, front_matter: bool) -> Source | Problem:
    """A content file's bytes, as read by read_bytes -> its fields and body."""
    text = _text(relpath, data)
    if isinstance(text, Problem):
        return text
    if not front_matter:
        return _parse(relpath, text, 1, "", 0)
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        return Problem(relpath, 1, "", "must start with a line of three dashes (---), "
                       "then the fields, then another line of three dashes")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == FENCE:
            return _parse(relpath, "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2)
    return Problem(relpath, 1, "", "the fields at the top are never closed: add a line of three "
                   "dashes (---) after the last field, before the description")


def _parse(relpath: str, yaml_text: str, first_line: int, body: str, body_line: int) -> Source | Problem:
    try:
        doc = read_yaml(yaml_text, first_line)
    except YamlError as exc:
        return Problem(relpath, exc.line, exc.field, exc.message)
    if doc.data is None:
        return Problem(relpath, first_line, "", "has no fields: fill them in between the --- lines")
    kept = body.lstrip("\n")  # body_line is then the line of the body's first line as kept
    return Source(relpath, doc, kept.rstrip("\n") + "\n" if body.strip() else "",
                  body_line + len(body) - len(kept))


def read_bytes(root: Path, relpath: str) -> bytes | Problem:
    """A content file's bytes, unless it is not one to read: a link out of its folder, not a plain
    file, or too big."""
    path = root / relpath
    try:
        outside = _outside_own_folder(root, relpath)
        if outside:
            return Problem(relpath, 0, "", f"is a link to a file outside {outside}: "
                           "replace the link with the file itself")
        info = path.stat()  # before opening: opening a pipe (FIFO) would wait for a writer forever
        if not stat.S_ISREG(info.st_mode):
            return Problem(relpath, 0, "", f"is {_kind(info.st_mode)}, not a plain file: replace it with a text file")
        if info.st_size > MAX_FILE_BYTES:
            return Problem(relpath, 0, "", f"is {info.st_size / 1024 / 1024:.1f} MB: a content file must be "
                           f"under {MAX_FILE_BYTES // 1024} kB; is it the right file?")
        data = path.read_bytes()
    except OSError as exc:
        return Problem(relpath, 0, "", cannot_read(exc, "file"))
    return data


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "something unusual"


def cannot_read(exc: OSError, what: str) -> str:
    """Why a file or folder ("file", "folder") could not be read, and what to do, in plain words."""
    if exc.errno == errno.ELOOP:
        return f"is a link that leads round in a loop, never to a {what}: replace the link with the {what} itself"
    if exc.errno == errno.ENOENT:
        return (f"is a link to a {what} that does not exist (moved or deleted?): replace the link with the "
                f"{what} itself, or delete the link")
    if exc.errno in (errno.EACCES, errno.EPERM):
        change = "a+r" if what == "file" else "a+rx"
        return (f"cannot be read: its permissions (or its folder's) do not let the build read it: make it "
                f"readable (chmod {change}), or ask whoever owns it")
    if exc.errno == errno.ENOTDIR:
        return f"is a file where a {what} should be, or lies under one: rename or move it"
    return f"cannot be read ({exc.strerror or exc}): check the {what}, or replace it with a fresh copy"


def _text(relpath: str, data: bytes) -> str | Problem:
    if not data.strip():
        return Problem(relpath, 1, "", "is empty: fill it in, or delete the file")
    if data.startswith(b"\xef\xbb\xbf"):
        return Problem(relpath, 1, "", "starts with an invisible byte-order mark: "
                       "save it as UTF-8 without BOM (the GitHub editor does this)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Problem(relpath, line, "", "is not UTF-8 text (a character on this line cannot be read): "
                       "save the file as UTF-8, or retype the character")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends are fine
    control = CONTROL.search(text)
    if control:
        return Problem(relpath, text.count("\n", 0, control.start()) + 1, "", "has an invisible control "
                       f"character (U+{ord(control[0]):04X}) on this line: delete it; is it a text file?")
    return text


def _outside_own_folder(root: Path, relpath: str) -> str | None:
    """The folder a file, once links are followed, has left, if it has: a link must not publish
    a file from elsewhere on the machine."""
    home, name = (root / "content", "content/") if relpath.startswith("content/") else (root, "the repository")
    if not _may_lead_elsewhere(root, relpath):
        return None
    # os.path.realpath, not Path.resolve: that raises RuntimeError on a link to itself, which the
    # read then reports as a file that cannot be read.
    return None if Path(os.path.realpath(root / relpath)).is_relative_to(os.path.realpath(home)) else name


def _may_lead_elsewhere(root: Path, relpath: str) -> bool:
    """Whether the file or a folder on its way down from the root is a link, or the way is unusual.

    If neither, the file is where its path says, inside its folder: a few lstat calls tell, where
    resolving both paths would look at every folder from / down, for each of thousands of files.
    """
    path = str(root)
    for part in relpath.split("/"):
        if part in ("", ".", ".."):
            return True
        path = os.path.join(path, part)
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return True
        except OSError:
            return True  # the full check, then the read, see to it
    return False
