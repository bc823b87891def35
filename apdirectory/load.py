"""Load stage: every content file -> validated models, with every problem found on the way."""
from __future__ import annotations

import gc
import os
import pickle
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import TypeAdapter

from .build_cache import EntryCache, stamp
from .models import GlossaryEntry, Lot, Page, Provider, SiteConfig
from .problems import Problem
from .sources import Source, parse_source, read_bytes, read_source
from .validate import validate
from .workers import share_out

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


def load_content(root: Path, cache: EntryCache | None = None, workers: int = 1,
                 kept: KeptFiles | None = None) -> tuple[Content, list[Problem]]:
    """Every content file, validated. With a `cache`, unchanged files are taken from it; the
    others are parsed and validated by `workers` processes when there are enough of them. With a
    cache, `kept` (what a long-running `serve` remembers) spares even reading unchanged files."""
    with collector_paused():
        return _load_content(root, cache, workers, kept)


class KeptFiles:
    """What `serve` keeps in memory, between its builds, of each provider and page file it loaded:
    the file's status then (inode, size, modification time), the hash of its bytes, and what
    loading it gave. A file whose status has not changed is not read again, nor its entry unpickled
    from the cache: at 10,000 providers, reading and unpickling took two seconds of every rebuild.
    And of the files it wrote: the site record the last build saved (build_cache.SiteCache)."""

    def __init__(self):
        self.files: dict[str, tuple[tuple[int, int, int], bytes, tuple]] = {}
        self.site_record: tuple[str, dict] | None = None  # (the site's path, its record)
        # Path -> status (inode, size, modification time) of each regular file, as serve's watcher
        # saw them just before this build: at 10,000 providers, asking again took 0.03 s. A file
        # saved since then is built again after this build, when the watcher sees it.
        self.statuses: dict[str, tuple] = {}

    def get(self, root: Path, relpath: str) -> tuple[tuple[int, int, int] | None, tuple[bytes, tuple] | None]:
        """(the file's status now, (the hash of its bytes, what loading gave) if it has not changed)."""
        now = self.statuses.get(f"{root}/{relpath}")
        if now is None:
            try:
                status = os.lstat(f"{root}/{relpath}")
            except OSError:
                return None, None
            if not stat.S_ISREG(status.st_mode):
                return None, None  # a link or not a file: read it, with its checks, every time
            now = stamp(status)
        found = self.files.get(relpath)
        return now, (found[1:] if found and found[0] == now else None)

    def remember(self, relpath: str, status: tuple[int, int, int] | None, digest: bytes, loaded: tuple) -> None:
        if status is not None:
            self.files[relpath] = (status, digest, loaded)


@contextmanager
def collector_paused():
    """Keep Python's cycle collector from running while the content loads.

    Loading makes dozens of lasting objects per file. Each time their number grows by a quarter, the
    collector walks every object in the process for cycles, and finds next to none: at 10,000
    providers those walks were a fifth of the check. Paused, it walks the new objects once or twice
    when it next runs, about half the work.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_content(root: Path, cache: EntryCache | None, workers: int,
                  kept: KeptFiles | None) -> tuple[Content, list[Problem]]:
    content, problems = Content(), []
    content.config, content.config_source = _load_yaml(root, CONFIG_FILE, SiteConfig, problems)
    content.glossary = _load_yaml(root, GLOSSARY_FILE, _GLOSSARY, problems)[0] or []
    for relpath in _markdown_files(root, "content/lots", problems):
        match = LOT_FILE.fullmatch(Path(relpath).name)
        if not match:
            problems.append(Problem(relpath, 0, "", "a lot file must be named lot-<number>-<name>.md, "
                                    "for example lot-4-vocational.md"))
            misnamed = load_entry(root, relpath, Lot, [])  # read only for its number: its providers are not to blame
            if misnamed:
                content.lots_in_doubt.add(misnamed.data.number)
            continue
        entry = load_entry(root, relpath, Lot, problems, slug=f"{int(match[1])}-{match[2]}")
        if not entry or entry.data.number != int(match[1]):
            content.lots_in_doubt.add(int(match[1]))
        if entry:
            content.lots.append(entry)
            if entry.data.number != int(match[1]):
                problems.append(Problem(relpath, entry.source.line(("number",)), "number",
                                        f"is {entry.data.number} but the file name says lot {int(match[1])}: "
                                        "make them the same"))
    for kind, model, target in (("providers", Provider, content.providers), ("pages", Page, content.pages)):
        relpaths = _markdown_files(root, f"content/{kind}", problems)
        target += _load_entries(root, relpaths, model, problems, cache, workers,
                                kept if cache and not _linked(root, f"content/{kind}") else None)
    return content, problems


def load_entry(root: Path, relpath: str, model: type[M], problems: list[Problem],
               slug: str | None = None) -> Entry[M] | None:
    """Read and validate one Markdown file with front matter; slug defaults to its file name."""
    slug = slug or _name(relpath)
    data = _read(root, relpath, slug, problems)
    if data is None:
        return None
    entry, found = _parse_entry(relpath, data, slug, model)
    problems.extend(found)
    return entry


def _load_entries(root: Path, relpaths: list[str], model: type[M], problems: list[Problem],
                  cache: EntryCache | None, workers: int, known: KeptFiles | None = None) -> list[Entry[M]]:
    """The files' entries, in their order, read, parsed and validated by `workers` processes.
    A file whose bytes are in the `cache` is not parsed and validated again; one `known` unchanged
    is not even read."""
    to_load = [(relpath, _name(relpath)) for relpath in relpaths]
    to_load = [(relpath, slug) for relpath, slug in to_load if _valid_slug(relpath, slug, problems)]
    # With `known` files: (the file's status, (its hash, what loading gave) if it is unchanged).
    known_as = [known.get(root, relpath) for relpath, _ in to_load] if known else [(None, None)] * len(to_load)
    parsed_here: dict[str, tuple] = {}  # what this process parsed itself: no need to unpickle it again

    def load(item: tuple[str, str]):
        """The file's problem, or what loading it gave. With a cache: (the hash of its bytes, what
        loading them gave, pickled, whether the cache had it), pickled here, in parallel: what
        other processes send is pickled anyway, and the cache keeps these bytes."""
        relpath, slug = item
        data = read_bytes(root, relpath)
        if isinstance(data, Problem):
            return data
        if not cache:
            return _parse_entry(relpath, data, slug, model)
        digest, pickled = cache.lookup(relpath, data)
        if pickled is not None:
            return digest, pickled, True
        parsed_here[relpath] = _parse_entry(relpath, data, slug, model)
        return digest, pickle.dumps(parsed_here[relpath], protocol=pickle.HIGHEST_PROTOCOL), False

    todo = [item for item, (_, same) in zip(to_load, known_as) if same is None]

    def received(index: int, result):
        """What loading gave, with the entry unpickled here as soon as another process sends it."""
        if not cache or isinstance(result, Problem):
            return result
        digest, pickled, cached = result
        return digest, pickled, cached, parsed_here.pop(todo[index][0], None) or pickle.loads(pickled)

    results = iter(share_out(todo, load, workers=workers, receive=received))
    entries = []
    for (relpath, _), (status, same) in zip(to_load, known_as):
        if same is not None:
            digest, result = same
            cache.remember(relpath, digest, None)
        else:
            result = next(results)
            if isinstance(result, Problem):
                problems.append(result)
                continue
            if cache:
                digest, pickled, cached, result = result
                cache.remember(relpath, digest, None if cached else pickled)
                if known:
                    known.remember(relpath, status, digest, result)
        entry, found = result
        problems.extend(found)
        if entry:
            entries.append(entry)
    return entries


def _name(relpath: str) -> str:
    """The file's name without .md: its slug. With str methods: pathlib costs at 10,000 files."""
    name = relpath.rpartition("/")[2]
    return name[:-3] if name.endswith(".md") else os.path.splitext(name)[0]


def _linked(root: Path, folder: str) -> bool:
    """Whether a content folder, or the folder above it, is a link (then every file is read anew)."""
    return os.path.islink(root / folder) or os.path.islink(root / folder.partition("/")[0])


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


def _parse_entry(relpath: str, data: bytes, slug: str, model: type[M]) -> tuple[Entry[M] | None, list[Problem]]:
    source = parse_source(relpath, data, front_matter=True)
    if isinstance(source, Problem):
        return None, [source]
    model_data, found = validate(model, source)
    return (Entry(slug, source.without_values(), model_data) if model_data is not None else None), found


def _load_yaml(root: Path, relpath: str, model, problems: list[Problem]) -> tuple:
    """(validated data or None, its Source or None) for a plain YAML file."""
    if not (root / relpath).exists():
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
    directory = root / folder
    if not directory.is_dir():
        return paths
    with os.scandir(directory) as found:  # names and kinds in one call: no status of each file
        files = sorted(found, key=lambda file: file.name)
    for file in files:
        relpath = f"{folder}/{file.name}"
        if file.name.startswith("."):
            continue  # .gitkeep and editors' files
        if not file.name.endswith(".md") or file.is_dir():  # (names starting "." are left out above)
            problems.append(Problem(relpath, 0, "", f"is not a .md file: only Markdown files belong in {folder}/"))
            continue
        paths.append(relpath)
    return paths
