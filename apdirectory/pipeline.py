"""The build, stage by stage: load -> check rules -> directory -> render -> write -> index -> swap."""
from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import faults, opendata, output, search_index
from .build_cache import PageCache, stamp
from .changes import check_status_dates
from .directory import Directory, build_directory
from .load import Content, load_content
from .problems import Problem, errors
from .progress import Progress
from .render import PageSpec, SiteRenderer
from .review import check_review_ages
from .rules import check_rules
from .workers import WorkFailed, default_workers, share_out


@dataclass
class Checked:
    content: Content
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def check(root: Path, today: dt.date | None = None) -> Checked:
    """Load and validate everything; write nothing."""
    content, problems = load_content(root)
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
    checked = check(root, today)
    if not checked.ok:
        progress.done()
        return checked, None
    directory = build_directory(checked.content)
    try:
        progress.stage("Making the open data files")
        exports = opendata.export_files(directory)
        renderer = SiteRenderer(directory, root / "templates", exports)
        site_files = {**exports, **renderer.site_files()}
    except Exception as exc:
        progress.done()
        return _failed(checked, exc, faults.render_problem(exc, root))
    del exports  # written from site_files; the pages need only their sizes, which the renderer has
    try:
        _write(root, target, renderer, site_files, search, workers or default_workers(), progress)
    except WorkFailed as failed:
        return _failed(checked, failed, failed.reason if isinstance(failed.reason, Problem) else None)
    except Exception as exc:
        return _failed(checked, exc, faults.write_problem(exc, target))
    finally:
        progress.done()
    return checked, directory


def _write(root: Path, target: Path, renderer: SiteRenderer, site_files: dict[str, bytes], search: bool,
           workers: int, progress: Progress) -> None:
    cache = PageCache(root, target)
    fresh = output.FreshFolder(target)
    try:
        fresh.write_all(site_files)
        progress.stage("Making the pages")
        pages = renderer.specs
        made = share_out(pages, lambda spec: _make_page(spec, renderer, fresh, cache), workers=workers,
                         describe=lambda exc: _describe(exc, root, target), progress=progress.count)
        if search:
            progress.stage("Indexing the site for search")
            search_index.write_index(renderer.directory, fresh.path)
        progress.stage("Putting the new site in place")
        output.swap_into_place(fresh.path, target, file_count=len(site_files) + len(pages))
    except BaseException:
        output.discard(fresh.path)
        raise
    for remembered in filter(None, made):
        cache.remember(*remembered)
    cache.save()


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
