"""Load stage: every content file -> validated models, with every problem found on the way."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generic, TypeVar

from pydantic import TypeAdapter

from apdirectory.checking.problems import Problem
from apdirectory.reading.invisible import has_invisible, text_problem
from apdirectory.reading.models import MAX_DESCRIPTION_CHARACTERS, GlossaryEntry, Lot, Page, Provider, SiteConfig
from apdirectory.reading.sources import Source, cannot_read, parse_source, read_bytes, read_source
from apdirectory.reading.validate import validate

M = TypeVar("M")

CONFIG_FILE = "site_config.yaml"
GLOSSARY_FILE = "content/glossary.yaml"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LOT_FILE = re.compile(r"lot-([0-9]{1,2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md")
_GLOSSARY = TypeAdapter(list[GlossaryEntry])


@dataclass(frozen=True)
class Entry(Generic[M]):
    """One validated content file."""
    slug: str
    source: Source
    data: M

    @property
    def path(self) -> str:
        return self.source.path


@dataclass
class Content:
    config: SiteConfig | None = None
    config_source: Source | None = None
    lots: list[Entry[Lot]] = field(default_factory=list)
    providers: list[Entry[Provider]] = field(default_factory=list)
    pages: list[Entry[Page]] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    # Lot numbers whose file has errors of its own: providers on them are not blamed for it.
    lots_in_doubt: set[int] = field(default_factory=set)
    # (file, line, name) of each valid provider, and of each with invisible characters in its name,
    # valid or not: hiding one is how an impostor copies a name, and the message names both files.
    provider_names: list[tuple[str, int, str]] = field(default_factory=list)


def load_content(root: Path, read: ReadEntry | None = None) -> tuple[Content, list[Problem]]:
    """Every content file, validated, and every problem found on the way. `read` reads and validates
    one Markdown file, as `read_entry` does (the default); the preview passes one that remembers."""
    read = read or read_entry
    content, problems = Content(), []
    content.config, content.config_source = _load_yaml(root, CONFIG_FILE, SiteConfig, problems)
    content.glossary = _load_yaml(root, GLOSSARY_FILE, _GLOSSARY, problems)[0] or []
    for relpath in _markdown_files(root, "content/lots", problems):
        match = LOT_FILE.fullmatch(Path(relpath).name)
        if not match:
            problems.append(Problem(relpath, 0, "", "a lot file must be named lot-<number>-<name>.md, "
                                    "for example lot-4-vocational.md"))
            misnamed = read(root, relpath, Lot, None).entry  # read only for its number: its providers are not to blame
            if misnamed:
                content.lots_in_doubt.add(misnamed.data.number)
            continue
        entry = _add(read(root, relpath, Lot, f"{int(match[1])}-{match[2]}"), problems)
        if not entry or entry.data.number != int(match[1]):
            content.lots_in_doubt.add(int(match[1]))
        if entry:
            content.lots.append(entry)
            if entry.data.number != int(match[1]):
                problems.append(Problem(relpath, entry.source.line(("number",)), "number",
                                        f"is {entry.data.number} but the file name says lot {int(match[1])}: "
                                        "make them the same"))
    for kind, model, target in (("providers", Provider, content.providers), ("pages", Page, content.pages)):
        for relpath in _markdown_files(root, f"content/{kind}", problems):
            loaded = read(root, relpath, model, None)
            if loaded.name and kind == "providers":
                content.provider_names.append(loaded.name)
            entry = _add(loaded, problems)
            if entry:
                target.append(entry)
    return content, problems


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """One Markdown file, read and validated: its entry (None if it has errors), its problems, and
    (file, line, name) for Content.provider_names when it names a provider as that says."""
    entry: Entry[M] | None
    problems: list[Problem]
    name: tuple[str, int, str] | None = None


ReadEntry = Callable[[Path, str, type, "str | None"], Loaded]


def read_entry(root: Path, relpath: str, model: type[M], slug: str | None) -> Loaded[M]:
    """Read and validate one Markdown file with front matter; slug defaults to its file name."""
    slug = slug or _name(relpath)
    problems: list[Problem] = []
    data = _read(root, relpath, slug, problems)
    if data is None:
        return Loaded(None, problems)
    return _parse_entry(relpath, data, slug, model)


def load_entry(root: Path, relpath: str, model: type[M], problems: list[Problem],
               slug: str | None = None) -> Entry[M] | None:
    """One Markdown file's entry, or None; its problems are added to `problems`."""
    return _add(read_entry(root, relpath, model, slug), problems)


def _add(loaded: Loaded[M], problems: list[Problem]) -> Entry[M] | None:
    problems.extend(loaded.problems)
    return loaded.entry


def _name(relpath: str) -> str:
    """The file's name without .md: its slug. With str methods: pathlib costs at 10,000 files."""
    name = relpath.rpartition("/")[2]
    return name[:-3] if name.endswith(".md") else os.path.splitext(name)[0]


def _valid_slug(relpath: str, slug: str, problems: list[Problem]) -> bool:
    if SLUG.fullmatch(slug):
        return True
    problems.append(Problem(relpath, 0, "", f"'{Path(relpath).name}' is not a valid file name: use "
                            "lowercase letters, digits and hyphens, ending .md (for example kestrel-learning.md)"))
    return False


def _read(root: Path, relpath: str, slug: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a content file whose name makes a valid slug, or None and the problem."""
    if not _valid_slug(relpath, slug, problems):
        return None
    data = read_bytes(root, relpath)
    if isinstance(data, Problem):
        problems.append(data)
        return None
    return data


def _parse_entry(relpath: str, data: bytes, slug: str, model: type[M]) -> Loaded[M]:
    source = parse_source(relpath, data, front_matter=True)
    if isinstance(source, Problem):
        return Loaded(None, [source])
    model_data, found = validate(model, source)
    name = source.doc.data.get("name") if isinstance(source.doc.data, dict) else None
    named = None
    if isinstance(name, str) and (model_data is not None or has_invisible(name)):
        named = (relpath, source.line(("name",)), name)
    found += _check_body(source)
    return Loaded(Entry(slug, source.without_values(), model_data) if model_data is not None else None, found, named)


def _check_body(source: Source) -> list[Problem]:
    """The Markdown after the fields, checked as the Markdown fields are, line by line for the line."""
    if len(source.body) > MAX_DESCRIPTION_CHARACTERS:
        return [Problem(source.path, source.body_line, "description",
                        f"is {len(source.body):,} characters long: keep it to {MAX_DESCRIPTION_CHARACTERS:,} or "
                        "fewer (put the rest on the provider's own website)")]
    if not has_invisible(source.body):
        return []
    for number, line in enumerate(source.body.split("\n"), start=source.body_line):
        problem = text_problem(line, long_text=True) if line.strip() else None
        if problem:
            return [Problem(source.path, number, "description", problem)]
    return []


def _load_yaml(root: Path, relpath: str, model, problems: list[Problem]) -> tuple:
    """(validated data or None, its Source or None) for a plain YAML file."""
    there = _there(root, relpath, "file", problems)
    if not there:
        if there is False:
            problems.append(Problem(relpath, 0, "", "is missing: every site needs this file"))
        return None, None
    source = read_source(root, relpath, front_matter=False)
    if isinstance(source, Problem):
        problems.append(source)
        return None, None
    data, found = validate(model, source)
    problems.extend(found)
    return data, source


def _markdown_files(root: Path, folder: str, problems: list[Problem]) -> list[str]:
    """Relative paths of the .md files in a folder, sorted; anything else there is a problem."""
    paths = []
    for file in _listing(root, folder, problems):
        relpath = f"{folder}/{file.name}"
        if file.name.startswith("."):
            continue  # .gitkeep and editors' files
        if not file.name.endswith(".md") or _is_folder(file):  # (names starting "." are left out above)
            problems.append(Problem(relpath, 0, "", f"is not a .md file: only Markdown files belong in {folder}/"))
            continue
        paths.append(relpath)
    return paths


def _listing(root: Path, folder: str, problems: list[Problem]) -> list[os.DirEntry]:
    """The entries of a content folder, sorted by name: none if it does not exist, and a problem if
    it cannot be listed (a link loop, a broken link, no permission)."""
    if not _there(root, folder, "folder", problems):
        return []
    try:
        with os.scandir(root / folder) as found:  # names and kinds in one call: no status of each file
            return sorted(found, key=lambda file: file.name)
    except OSError as exc:
        problems.append(Problem(folder, 0, "", cannot_read(exc, "folder")))
        return []


def _is_folder(file: os.DirEntry) -> bool:
    """Whether an entry is a folder; a link that leads nowhere is not, and reading it says why."""
    try:
        return file.is_dir()
    except OSError:  # a link in a loop: is_dir raises only on errors other than "not found"
        return False


def _there(root: Path, relpath: str, what: str, problems: list[Problem]) -> bool | None:
    """Whether a file or folder (`what`) is there, broken links included (their read says what is
    wrong); None, and the problem, when even that cannot be known, as in a folder no one may read."""
    try:
        os.lstat(root / relpath)
    except FileNotFoundError:
        return False
    except OSError as exc:
        problems.append(Problem(relpath, 0, "", cannot_read(exc, what)))
        return None
    return True
