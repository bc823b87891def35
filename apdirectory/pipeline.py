"""The build, stage by stage: load -> check rules -> directory -> render -> write -> index -> swap."""
from __future__ import annotations

import datetime as dt
import gc
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import faults, opendata, oruk, output, search_index
from .build_cache import EntryCache, PageCache, stamp
from .changes import check_status_dates
from .directory import Directory, build_directory
from .load import Content, load_content
from .problems import Problem, errors
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
        _write(root, target, renderer, search, workers or default_workers(), progress)
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


# Far apart in the list of work, so that different workers take them: each is worth many pages.
DOWNLOADS = Export(lambda directory: opendata.download_files(directory).items())
FEED = Export(oruk.each_feed_file)


def _write(root: Path, target: Path, renderer: SiteRenderer, search: bool, workers: int,
           progress: Progress) -> None:
    cache = PageCache(root, target)
    fresh = output.FreshFolder(target)
    try:
        progress.stage("Making the pages and the open data")
        work = [FEED, *renderer.specs[:CHUNK], DOWNLOADS, *renderer.specs[CHUNK:]]
        made = share_out(work, lambda item: _make(item, renderer, fresh, cache), workers=workers,
                         describe=lambda exc: _describe(exc, root, target), progress=progress.count)
        data_page = renderer.data_page(made[work.index(DOWNLOADS)])
        fresh.write(data_page.path, renderer.render(data_page))
        site_files = renderer.site_files(data_page)
        fresh.write_all(site_files.items())
        if search:
            progress.stage("Indexing the site for search")
            search_index.write_index(renderer.directory, fresh.path)
        progress.stage("Putting the new site in place")
        output.swap_into_place(fresh.path, target, file_count=len(work) + len(site_files))
    except BaseException:
        output.discard(fresh.path)
        raise
    for remembered in made:
        if isinstance(remembered, tuple):
            cache.remember(*remembered)
    cache.save()


def _make(item: PageSpec | Export, renderer: SiteRenderer, fresh: output.FreshFolder, cache: PageCache):
    """Make one page or group of open-data files; return what the build needs to know of it."""
    if isinstance(item, Export):
        return fresh.write_all(item.files(renderer.directory))  # their sizes, for the Data page
    return _make_page(item, renderer, fresh, cache)


def _make_page(spec: PageSpec, renderer: SiteRenderer, fresh: output.FreshFolder, cache: PageCache):
    """Write one page, or link it from the last build when it cannot have changed.
    Returns what the cache is to remember of it, if anything."""
    if not spec.source:
        fresh.write(spec.path, renderer.render(spec))
        return None
    key = cache.key(spec.source)
    reusable = cache.reusable(spec.path, key)
    if reusable:
        existing, page_stamp = reusable
        fresh.link(spec.path, existing)
    else:
        page_stamp = stamp(fresh.write(spec.path, renderer.render(spec)))
    return spec.path, key, page_stamp


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
