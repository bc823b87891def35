"""Read one content file from disk: bytes -> text -> front matter (YAML) and Markdown body.

Everything that can be wrong with a file before its fields are looked at is reported here, as
a Problem with the file's line, so that a contract officer can act on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .problems import Problem
from .yamlread import YamlDoc, YamlError, read_yaml

MAX_FILE_BYTES = 512 * 1024  # the longest real entry is a few kB; this stops runaway or hostile files
FENCE = "---"


@dataclass(frozen=True)
class Source:
    path: str  # relative to the project root, forward slashes: what messages show
    doc: YamlDoc  # the front matter (or the whole file, for .yaml files)
    body: str = ""  # the Markdown after the front matter
    body_line: int = 0  # the file line where the body starts

    def line(self, loc: tuple) -> int:
        """The line of a field, or of the nearest enclosing field that exists."""
        lines = self.doc.lines
        while loc and loc not in lines:
            loc = loc[:-1]
        return lines.get(loc, 1)


def read_source(root: Path, relpath: str, front_matter: bool) -> Source | Problem:
    """Read a content file. `front_matter` files are YAML between --- lines, then Markdown."""
    text = _read_text(root, relpath)
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
        return Problem(relpath, exc.line, "", exc.message)
    if doc.data is None:
        return Problem(relpath, first_line, "", "has no fields: fill them in between the --- lines")
    return Source(relpath, doc, body.strip("\n") + "\n" if body.strip() else "", body_line)


def _read_text(root: Path, relpath: str) -> str | Problem:
    path = root / relpath
    try:
        if path.is_symlink() and not path.resolve().is_relative_to((root / "content").resolve()):
            return Problem(relpath, 0, "", "is a link to a file outside content/: "
                           "replace the link with the file itself")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(relpath, 0, "", f"is {size / 1024 / 1024:.1f} MB: a content file must be "
                           f"under {MAX_FILE_BYTES // 1024} kB; is it the right file?")
        data = path.read_bytes()
    except OSError as exc:
        return Problem(relpath, 0, "", f"cannot be read ({exc.strerror})")
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
    if "\x00" in text:
        return Problem(relpath, text.count("\n", 0, text.index("\x00")) + 1, "",
                       "contains a NUL character: is it a text file?")
    return text.replace("\r\n", "\n").replace("\r", "\n")
