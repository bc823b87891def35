"""The build, stage by stage, top to bottom:

read and validate every file -> check the rules across files -> make the published directory ->
render the pages, the open data and the feed into a fresh folder -> index it for search -> swap it
into place.

The search index is made from the directory, not from the pages, by Pagefind, a program of its
own: it is fed from a thread while this one writes the pages, so that it works on the other core.
Where there are two cores and many providers, a helper process reads the content too and makes
some of the parts of the feed and the pages (parallel.py); this is the only place it is started.

Nothing is written where the site is until the last step, so on any error the previous site stays
as it was.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Iterator

from apdirectory import faults, parallel
from apdirectory.checking.problems import Problem, errors, warnings
from apdirectory.checking.review import check_review_ages
from apdirectory.checking.rules import check_rules
from apdirectory.progress import Progress
from apdirectory.publishing import output, search_index
from apdirectory.reading.load import Content, Entry, ReadEntry, load_content
from apdirectory.reading.models import Provider
from apdirectory.site import opendata, oruk, render
from apdirectory.site.changes import check_status_dates
from apdirectory.site.directory import Directory, build_directory
from apdirectory.site.render import PageSpec, SiteRenderer


@dataclass
class Checked:
    content: Content
    today: dt.date  # the date the content was checked as of: what is due or stale depends on it
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def check(root: Path, today: dt.date, read: ReadEntry | None = None) -> Checked:
    """Read and validate every content file, then check the rules across them as of `today` (an
    input, never the clock, so that the same content and date give the same site); write nothing.
    `read` reads one content file (load.read_entry unless given)."""
    with collector_paused():
        content, problems = load_content(root, read)
        problems += check_rules(content, today) + check_review_ages(content, today) + check_status_dates(content, today)
    return Checked(content, today, sorted(set(problems), key=Problem.order))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading, checking and making the directory make many lasting objects and next to no cycles:
    the cycle collector, run each time their number grows, would walk them all again and again for
    nothing. (Once made, the build freezes them: gc.freeze.)"""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Containers made before the cycle collector looks for cycles among the newest, while pages are
# made (Python's default is 700; bench/NOTES.md has the figures).
PAGES_COLLECT_AFTER = 100_000


def collect_for_pages() -> None:
    """What is loaded lives until the build ends, so the cycle collector need not walk it again and
    again while the pages are made (gc.freeze); and making the pages makes many short-lived
    containers and few cycles, so it looks for them less often."""
    gc.freeze()
    gc.set_threshold(PAGES_COLLECT_AFTER, *gc.get_threshold()[1:])


def build(root: Path, target: Path, *, today: dt.date, search: bool = True, strict: bool = False,
          progress: Progress | None = None, processes: int | None = None) -> tuple[Checked, Directory | None]:
    """Check the content as of `today` and, if it has no errors (nor warnings, when `strict`), write the
    site into `target`. Returns what the checks found, and the directory the site was made from (None when
    nothing was written). `processes`: 1 or 2 (see parallel.py); by default, what suits the content."""
    progress = progress or Progress()
    try:
        site = output.FreshFolder(target, root)
    except (output.UnsafeTarget, OSError) as exc:
        checked = check(root, today)  # the content's own problems are worth knowing too
        checked.problems.append(faults.write_problem(exc, target))
        return checked, None
    helper, threshold = None, gc.get_threshold()
    try:
        if parallel.processes_for(root, processes) > 1:
            before = parallel.snapshot(root)
            helper = parallel.Helper(make_share, root, today, site.path, target)
        progress.stage("Checking the content")
        with collector_paused():
            checked = check(root, today)
            if not checked.ok or (strict and warnings(checked.problems)):
                return checked, None
            directory = build_directory(checked.content, checked.today)
        collect_for_pages()
        with ThreadPoolExecutor(max_workers=1) as beside:
            # Two parts of the index at once where there are two cores (search_index.write_index).
            at_once = min(2, os.cpu_count() or 1)
            indexing = beside.submit(search_index.write_index, directory, site.path, at_once) if search else None
            progress.stage("Making the pages and the open data")
            write_site(directory, root / "templates", site, progress, helper.parts if helper else parallel.Parts())
            if indexing:
                progress.stage("Making the search index")
                indexing.result()
        if helper:
            progress.stage("Waiting for the other process")
            problem = helper.result() or (parallel.snapshot(root) != before and changed_meanwhile(root))
            if problem:
                checked.problems.append(problem)
                return checked, None
        progress.stage("Putting the new site in place")
        site.put_in_place()
        return checked, directory
    except BaseException as exc:  # Ctrl+C too: no half-written folder is left behind
        problem = _foreseen(exc, root, target)
        if not problem:
            raise  # a fault nobody foresaw keeps its traceback
        checked.problems.append(problem)
        return checked, None
    finally:
        if helper:
            helper.close()  # at once, if the build stopped: the helper takes no more parts
        site.discard()  # nothing, once the site is in place
        gc.unfreeze()
        gc.set_threshold(*threshold)
        progress.done()


def make_share(root: Path, today: dt.date, folder: Path, target: Path) -> Problem | None:
    """The helper process's work (parallel.py): read the content as the build does and write the
    parts of the feed and the pages it takes into the build's fresh folder. Returns a problem met on
    the way, or None. The build checks the rules across files, and stops the helper if they fail."""
    with collector_paused():
        content, problems = load_content(root)
        if errors(problems):
            return None  # the build finds the same errors, reports them and writes nothing
        directory = build_directory(content, today)
    collect_for_pages()
    files = SiteFiles(directory, root / "templates")
    try:
        write_parts(files, output.Folder(folder), parallel.helper_parts())
    except Exception as exc:
        problem = _foreseen(exc, root, target)
        if not problem:
            raise
        return problem
    return None


def _foreseen(exc: BaseException, root: Path, target: Path) -> Problem | None:
    """The problem a fault of the templates or the disk makes, or None for any other."""
    return isinstance(exc, Exception) and (faults.render_problem(exc, root) or faults.write_problem(exc, target)) or None


def changed_meanwhile(root: Path) -> Problem:
    return Problem(str(root), 0, "", "a content or template file changed while the site was being built, "
                   "so its pages could disagree: nothing was written; build again")


# Pages, or providers of the feed, in a part: a process takes one part at a time (parallel.py).
PART_SIZE = 50


class SiteFiles:
    """Every file of the site but the search index, made from one directory part by part, each part
    when first asked for: the build asks for every part in turn; the preview (`serve`) for the part
    that holds the file a browser asks for, so that a page shows without making the others."""

    def __init__(self, directory: Directory, templates: Path):
        self.directory = directory
        self.renderer = SiteRenderer(directory, templates)

    @cached_property
    def downloads(self) -> dict[str, bytes]:
        """providers.json, its schema and providers.csv."""
        return {**opendata.json_downloads(self.directory), **opendata.csv_download(self.directory)}

    @cached_property
    def oruk_feed(self) -> oruk.Feed:
        return oruk.Feed(self.directory)

    def feed(self) -> Iterator[list[tuple[str, bytes]]]:
        """Each Open Referral UK document, at its ORUK address and again with .json added: the same bytes."""
        for part in self.feed_parts():
            for path, data, *copies in self.part(*part):
                yield [(path, data), *((copy, data) for copy in copies)]

    def feed_parts(self) -> list[tuple[str, int]]:
        """The feed in parts that can be made apart, in order: ("lists", 0), ("feed", first provider)."""
        providers = len(self.directory.providers)
        return [("lists", 0), *(("feed", start) for start in range(0, providers, PART_SIZE))]

    def parts(self) -> list[tuple[str, int]]:
        """The feed's parts, then every page but the Data page in parts: ("pages", first page)."""
        return [*self.feed_parts(), *(("pages", start) for start in range(0, len(self.renderer.specs), PART_SIZE))]

    def part(self, kind: str, start: int) -> Iterator[tuple[str, ...]]:
        """A part's files: (path, bytes, the paths of any copies)."""
        if kind == "pages":
            for page in self.renderer.specs[start:start + PART_SIZE]:
                yield page.path, self.render(page)
            return
        if kind == "lists":
            documents = oruk.list_documents(self.oruk_feed).items()
        else:
            documents = chain.from_iterable(self.oruk_feed.provider_documents(entry)
                                            for entry in self.directory.providers[start:start + PART_SIZE])
        for address, document in documents:
            first, *copies = [oruk.FEED_FOLDER + path for path in oruk.file_paths(address)]
            yield first, oruk.feed_json(document), *copies

    @cached_property
    def pages_but_find(self) -> dict[str, PageSpec]:
        return {spec.path: spec for spec in render.pages_but_find(self.directory)}

    @cached_property
    def find_pages(self) -> dict[str, PageSpec]:
        """The pages of "Find a provider", below find/."""
        return {spec.path: spec for spec in render.find_pages(self.directory)}

    @cached_property
    def data_page(self) -> PageSpec:
        return self.renderer.data_page({path: len(data) for path, data in self.downloads.items()})

    def pages(self) -> list[PageSpec]:
        """Every page, the Data page last."""
        return [*self.renderer.specs, self.data_page]

    @cached_property
    def providers(self) -> dict[str, Entry[Provider]]:
        """Each published provider by the path of its page."""
        return {f"providers/{entry.slug}/index.html": entry for entry in self.directory.providers}

    def page(self, path: str) -> PageSpec | None:
        """The page at a path below the site root, such as "providers/kestrel/index.html", if there is one."""
        if path == render.DATA_PAGE:
            return self.data_page
        if path in self.providers:  # the page most often asked for, and the quickest to list alone
            return render.provider_page(self.directory, self.providers[path])
        return (self.find_pages if path.startswith("find/") else self.pages_but_find).get(path)

    def render(self, page: PageSpec) -> bytes:
        return self.renderer.render(page)

    @cached_property
    def lists(self) -> dict[str, bytes]:
        """The sitemap, robots.txt and the changes feed."""
        return self.renderer.lists(self.data_page)

    @cached_property
    def assets(self) -> dict[str, bytes]:
        return self.renderer.assets()


def write_site(directory: Directory, templates: Path, site: output.Folder, progress: Progress,
               parts: parallel.Parts) -> None:
    """Every file of the site but the search index: the open data, then the parts of the feed and
    the pages this process takes (all of them, unless a helper process shares them), then the Data
    page and the lists of pages."""
    files = SiteFiles(directory, templates)
    for path, data in files.downloads.items():
        site.write(path, data)
    write_parts(files, site, parts, progress)
    site.write(files.data_page.path, files.render(files.data_page))
    for path, data in {**files.lists, **files.assets}.items():
        site.write(path, data)


def write_parts(files: SiteFiles, site: output.Folder, parts: parallel.Parts, progress: Progress | None = None) -> None:
    """Each part of the feed and the pages that `parts` gives this process."""
    every, pages = files.parts(), len(files.renderer.specs)
    for number in parts.take(len(every)):
        kind, start = every[number]
        for path, data, *copies in files.part(kind, start):
            site.write(path, data)
            for copy in copies:
                site.copy(copy, path)
        if progress and kind == "pages":  # the parts are taken in order, by whichever process
            progress.count(min(start + PART_SIZE, pages), pages)
    if progress:
        progress.count(pages, pages)
