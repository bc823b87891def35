"""The build, stage by stage: load -> check rules -> directory -> pages, open data and search index
(made side by side, into a fresh folder) -> swap."""
from __future__ import annotations

import datetime as dt
import gc
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import faults, opendata, oruk, output, search_index
from .build_cache import EntryCache, SiteCache, shared_key
from .changes import check_status_dates
from .directory import Directory, build_directory
from .load import Content, KeptFiles, collector_paused, load_content
from .memo import Memo
from .placing import Placer
from .problems import Problem, errors
from .progress import Progress
from .render import PageSpec, SiteRenderer
from .review import check_review_ages
from .rules import check_rules
from .workers import CHUNK, WorkerStopped, WorkFailed, default_workers, share_out


# From this many providers, the site before last is listed by another process while the pages are
# worked out. Below, listing it here is quicker than starting a process: 5 ms against 53 ms for the
# sample's 363 files; 63,000 files take 0.3 s or more.
LIST_APART_FROM = 1000


@dataclass
class Checked:
    content: Content
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def check(root: Path, today: dt.date | None = None, cache: EntryCache | None = None,
          workers: int | None = None, kept: KeptFiles | None = None, memo: Memo | None = None) -> Checked:
    """Load and validate everything, in `workers` processes (one per core by default); write
    nothing but, given one, the `cache` of loaded files."""
    content, problems = load_content(root, cache, workers or default_workers(), kept)
    today = today or dt.date.today()
    problems += (check_rules(content, today, memo) + check_review_ages(content, today, memo)
                 + check_status_dates(content, today, memo))
    return Checked(content, sorted(set(problems), key=Problem.order))


def build(root: Path, target: Path, today: dt.date | None = None, search: bool = True,
          workers: int | None = None, progress: Progress | None = None,
          in_place: bool = False, kept: KeptFiles | None = None, memo: Memo | None = None,
          ready: Callable[[Checked, Directory], None] | None = None) -> tuple[Checked, Directory | None]:
    """Check, render, index for search, then swap the new site into `target`.

    On any error, write nothing: a failed page, disk or search index leaves the previous site in
    place. `workers` processes render the pages (one per core by default); the site is the same
    whatever their number. `in_place` (for `serve`) changes the site the last build left where it
    stands, file by file once every file is made (output.SiteInPlace), and then its search index;
    without `search` it leaves the site's search index as it was, for the caller to update
    (index_in_place). `kept` and `memo` hold what `serve` keeps from build to build: the files it
    loaded, and what it made from each provider's entry. `ready` is called as soon as the new site
    is in place, before the build records what it made for the next one: `serve` says so then.
    """
    progress = progress or Progress()
    progress.stage("Checking the content")
    workers = workers or default_workers()
    entries = EntryCache(root)
    shared = shared_key(root)
    memo = memo or Memo()
    memo.start(shared)
    with collector_paused():
        try:
            checked = check(root, today, entries, workers, kept, memo)
        except WorkerStopped:
            progress.done()  # the command says what happened, on a line of its own
            raise
        if not checked.ok:
            progress.done()
            return checked, None
        try:  # now: another process lists a recycled folder's files while the pages are worked out
            cache, site = _site_to_write(root, target, entries, shared, in_place, kept,
                                         list_apart=len(checked.content.providers) >= LIST_APART_FROM)
        except Exception as exc:
            progress.done()
            return _failed(checked, exc, faults.write_problem(exc, target))
        try:
            directory = build_directory(checked.content, memo)
            renderer = SiteRenderer(directory, root / "templates")
        except Exception as exc:
            site.discard()
            progress.done()
            return _failed(checked, exc, faults.render_problem(exc, root))
        # The directory lives until the build ends: the cycle collector need not scan it again and
        # again while pages and files are made (a third of the open data's time), and forked
        # workers then share its memory instead of copying the pages the collector touches.
        # Frozen before the collector starts again, it is never scanned at all.
        gc.freeze()
    try:
        _write(root, renderer, entries, cache, site, search, workers, progress,
               lambda: ready and ready(checked, directory))
        entries.save()  # only after a build that wrote its site: a failed build changes nothing
    except WorkerStopped:
        raise  # not a page's fault: the command says what happened
    except WorkFailed as failed:
        return _failed(checked, failed, failed.reason if isinstance(failed.reason, Problem) else None)
    except Exception as exc:
        return _failed(checked, exc, faults.render_problem(exc, root) or faults.write_problem(exc, target))
    finally:
        entries.discard()  # what was not saved
        memo.forget_unasked()
        gc.unfreeze()  # `serve` builds again and again in one process
        progress.done()
    return checked, directory


@dataclass(frozen=True)
class Export:
    """A group of open-data files, made and written by whichever worker takes it."""
    files: Callable[[Directory], Iterable[tuple[str, bytes]]]


# Each is worth many pages. The feed's documents for each provider are made with its page.
DOWNLOADS = (Export(lambda directory: opendata.json_downloads(directory).items()),
             Export(lambda directory: opendata.csv_download(directory).items()))
FEED = Export(lambda directory: oruk.each_file(oruk.list_documents(oruk.Feed(directory)).items(), directory.memo))
SEARCH_INDEX = "the search index"  # made from the directory, not the pages: it need not wait for them


def _site_to_write(root: Path, target: Path, entries: EntryCache, shared: str, in_place: bool,
                   kept: KeptFiles | None, list_apart: bool) -> tuple[SiteCache, output.FreshFolder]:
    """What the last build wrote, and where this one writes: a fresh folder, or (for `serve`) the
    site itself."""
    cache = SiteCache(root, target, entries, shared, kept)
    # Only a site the cache describes in full can be changed in place: the cache alone knows which
    # of its files a new build no longer has.
    if in_place and cache.previous and (target / output.SITE_MARK).is_file():
        cache.trusted = True  # serve takes the site to be as its last build left it
        return cache, output.SiteInPlace(target)
    return cache, output.FreshFolder(target, recycle=True, unplaced=(search_index.FOLDER,), list_apart=list_apart)


def _write(root: Path, renderer: SiteRenderer, entries: EntryCache, cache: SiteCache, site: output.FreshFolder,
           search: bool, workers: int, progress: Progress, ready: Callable[[], None]) -> None:
    target = site.target
    index_after = search and isinstance(site, output.SiteInPlace)  # Pagefind writes its own folder
    place = Placer(site, cache)
    try:
        entries.set_aside()
        progress.stage("Making the pages, the open data and the search index" if search and not index_after
                       else "Making the pages and the open data")
        work, placed = [], []
        for spec in renderer.specs:
            kept = place.unchanged(spec.source) if spec.source and cache.trusted else None
            if kept:
                placed += kept
            else:
                work.append(spec)
        # The longest items first, each at the start of its own chunk, so that different workers
        # start on them at once: the search index, the downloads, the feed's lists.
        for n, item in enumerate(([SEARCH_INDEX] if search and not index_after else []) + [*DOWNLOADS, FEED]):
            work.insert(n * CHUNK, item)
        site.ready()  # the recycled folder's files listed, before the workers are forked
        made = share_out(work, _Maker(renderer, place), workers=workers,
                         describe=lambda exc: _describe(exc, root, target), progress=progress.count)
        sizes = {path: size for item in DOWNLOADS for path, size in made[work.index(item)][0].items()}
        data_page = renderer.data_page(sizes)
        placed += [file for _, files in made for file in files]
        placed.append(place.page(data_page, renderer))
        site_files = renderer.site_files(data_page)
        placed += place.files(site_files.items())[1]
        progress.stage("Putting the new site in place")
        site.put_in_place(placed, cache.previous)
    except BaseException:
        site.discard()
        raise
    ready()
    cache.remember(placed)
    cache.save()
    if index_after:
        progress.stage("Making the search index")
        index_in_place(renderer.directory, target)


def index_in_place(directory: Directory, target: Path) -> None:
    """Make the site's search index anew beside it, then swap it in for the old one."""
    beside = output.FreshFolder(target)
    try:
        search_index.write_index(directory, beside.path)
        output.replace_folder(beside.path / search_index.FOLDER, target / search_index.FOLDER)
    finally:
        beside.discard()


class _Maker:
    """Makes one item of the work and places its files: (their sizes, for the Data page; what the
    cache is to remember of them)."""

    def __init__(self, renderer: SiteRenderer, place: Placer):
        self.renderer, self.place = renderer, place
        self.feed = oruk.Feed(renderer.directory)
        self.providers = {entry.path: entry for entry in renderer.directory.providers}

    def __call__(self, item: PageSpec | Export | str) -> tuple[dict[str, int], list]:
        if isinstance(item, Export):
            return self.place.files(item.files(self.renderer.directory))
        if item is SEARCH_INDEX:  # written by Pagefind into the fresh folder; the cache does not keep it
            search_index.write_index(self.renderer.directory, self.place.site.path)
            return {}, []
        if item.source:
            return {}, self.place.made_from(item.source, lambda: self._made_from_provider(item))
        return {}, [self.place.page(item, self.renderer)]

    def _made_from_provider(self, page: PageSpec) -> Iterator[tuple[str, bytes]]:
        """A provider's page and its feed documents: what is made from its file alone."""
        yield page.path, self.renderer.render(page)
        yield from oruk.each_file(self.feed.provider_documents(self.providers[page.source]))


def _describe(exc: BaseException, root: Path, target: Path) -> Problem | str:
    """A failed page as a problem to report, or the traceback of a fault nobody foresaw."""
    problem = faults.render_problem(exc, root) or faults.write_problem(exc, target)
    return problem or "".join(traceback.format_exception(exc))


def _failed(checked: Checked, exc: Exception, problem: Problem | None) -> tuple[Checked, None]:
    """Report a failure after the checks as a problem; a fault nobody foresaw keeps its traceback."""
    if problem is None:
        if isinstance(exc, WorkFailed):  # the traceback is the worker's, told as text
            raise RuntimeError(f"a page could not be made:\n{exc.reason}") from None
        raise exc
    checked.problems.append(problem)
    return checked, None
