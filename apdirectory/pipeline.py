"""The build, stage by stage: load -> check rules -> directory -> pages, open data and search index
(made side by side, into a fresh folder) -> swap."""
from __future__ import annotations

import datetime as dt
import gc
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import faults, opendata, oruk, output, search_index
from .build_cache import EntryCache, SiteCache
from .changes import check_status_dates
from .directory import Directory, build_directory
from .load import Content, load_content
from .problems import Problem, errors
from .placing import Placer
from .progress import Progress
from .render import PageSpec, SiteRenderer
from .review import check_review_ages
from .rules import check_rules
from .workers import CHUNK, WorkFailed, default_workers, share_out


@dataclass
class Checked:
    content: Content
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def check(root: Path, today: dt.date | None = None, cache: EntryCache | None = None) -> Checked:
    """Load and validate everything; write nothing but, given one, the `cache` of loaded files."""
    content, problems = load_content(root, cache)
    today = today or dt.date.today()
    problems += check_rules(content, today) + check_review_ages(content, today) + check_status_dates(content, today)
    return Checked(content, sorted(set(problems)))


def build(root: Path, target: Path, today: dt.date | None = None, search: bool = True,
          workers: int | None = None, progress: Progress | None = None) -> tuple[Checked, Directory | None]:
    """Check, render, index for search, then swap the new site into `target`.

    On any error, write nothing: a failed page, disk or search index leaves the previous site in
    place. `workers` processes render the pages (one per core by default); the site is the same
    whatever their number.
    """
    progress = progress or Progress()
    progress.stage("Checking the content")
    entries = EntryCache(root)
    checked = check(root, today, entries)
    if not checked.ok:
        progress.done()
        return checked, None
    directory = build_directory(checked.content)
    try:
        renderer = SiteRenderer(directory, root / "templates")
    except Exception as exc:
        progress.done()
        return _failed(checked, exc, faults.render_problem(exc, root))
    # The directory lives until the build ends: the cycle collector need not scan it again and
    # again while pages and files are made (a third of the open data's time), and forked
    # workers then share its memory instead of copying the pages the collector touches.
    gc.freeze()
    try:
        _write(root, target, renderer, entries, search, workers or default_workers(), progress)
        entries.save()  # only after a build that wrote its site: a failed build changes nothing
    except WorkFailed as failed:
        return _failed(checked, failed, failed.reason if isinstance(failed.reason, Problem) else None)
    except Exception as exc:
        return _failed(checked, exc, faults.render_problem(exc, root) or faults.write_problem(exc, target))
    finally:
        gc.unfreeze()  # `serve` builds again and again in one process
        progress.done()
    return checked, directory


@dataclass(frozen=True)
class Export:
    """A group of open-data files, made and written by whichever worker takes it."""
    files: Callable[[Directory], Iterable[tuple[str, bytes]]]


# Each is worth many pages.
DOWNLOADS = Export(lambda directory: opendata.download_files(directory).items())
FEED = Export(oruk.each_feed_file)
SEARCH_INDEX = "the search index"  # made from the directory, not the pages: it need not wait for them


def _write(root: Path, target: Path, renderer: SiteRenderer, entries: EntryCache, search: bool,
           workers: int, progress: Progress) -> None:
    cache = SiteCache(root, target, entries)
    fresh = output.FreshFolder(target)
    place = Placer(fresh, cache)
    try:
        progress.stage("Making the pages, the open data and the search index" if search else
                       "Making the pages and the open data")
        pages = renderer.specs
        work = list(pages)
        # The longest items first, each at the start of its own chunk, so that different workers
        # start on them at once: the search index, the feed, the downloads.
        for n, item in enumerate(([SEARCH_INDEX] if search else []) + [FEED, DOWNLOADS]):
            work.insert(n * CHUNK, item)
        made = share_out(work, lambda item: _make(item, renderer, place), workers=workers,
                         describe=lambda exc: _describe(exc, root, target), progress=progress.count)
        data_page = renderer.data_page(made[work.index(DOWNLOADS)][0])
        placed = [file for _, files in made for file in files]
        placed.append(place.page(data_page, renderer))
        site_files = renderer.site_files(data_page)
        placed += place.files(site_files.items())[1]
        progress.stage("Putting the new site in place")
        output.swap_into_place(fresh.path, target, file_count=len(placed))
    except BaseException:
        output.discard(fresh.path)
        raise
    cache.remember(placed)
    cache.save()


def _make(item: PageSpec | Export | str, renderer: SiteRenderer, place: Placer) -> tuple[dict[str, int], list]:
    """Make one page or group of open-data files: (their sizes, for the Data page; what the
    cache is to remember of them)."""
    if isinstance(item, Export):
        return place.files(item.files(renderer.directory))
    if item is SEARCH_INDEX:  # written by Pagefind into the fresh folder; the cache does not keep it
        search_index.write_index(renderer.directory, place.fresh.path)
        return {}, []
    return {}, [place.page(item, renderer)]


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
