"""The build, stage by stage, top to bottom:

read and validate every file -> check the rules across files -> make the published directory ->
render the pages, the open data and the feed into a fresh folder -> index it for search -> swap it
into place.

The search index is made from the directory, not from the pages, by Pagefind, a program of its
own: it is fed from a thread while this one writes the pages, so that it works on the other core.

Nothing is written where the site is until the last step, so on any error the previous site stays
as it was.
"""
from __future__ import annotations

import datetime as dt
import gc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from apdirectory import faults
from apdirectory.checking.problems import Problem, errors, warnings
from apdirectory.checking.review import check_review_ages
from apdirectory.checking.rules import check_rules
from apdirectory.progress import Progress
from apdirectory.publishing import output, search_index
from apdirectory.reading.load import Content, load_content
from apdirectory.site import opendata, oruk
from apdirectory.site.changes import check_status_dates
from apdirectory.site.directory import Directory, build_directory
from apdirectory.site.render import SiteRenderer


@dataclass
class Checked:
    content: Content
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def check(root: Path, today: dt.date | None = None) -> Checked:
    """Read and validate every content file, then check the rules across them; write nothing."""
    # Loading makes many lasting objects and next to no cycles: the cycle collector, run each time
    # their number grows, would walk them all again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        content, problems = load_content(root)
        today = today or dt.date.today()
        problems += check_rules(content, today) + check_review_ages(content, today) + check_status_dates(content, today)
        return Checked(content, sorted(set(problems), key=Problem.order))
    finally:
        if collecting:
            gc.enable()


def build(root: Path, target: Path, *, search: bool = True, strict: bool = False,
          progress: Progress | None = None) -> tuple[Checked, Directory | None]:
    """Check the content and, if it has no errors (nor warnings, when `strict`), write the site into
    `target`. Returns what the checks found, and the directory the site was made from (None when
    nothing was written)."""
    progress = progress or Progress()
    progress.stage("Checking the content")
    checked = check(root)
    if not checked.ok or (strict and warnings(checked.problems)):
        progress.done()
        return checked, None
    site = None
    try:
        directory = build_directory(checked.content)
        # What is loaded lives until the build ends: the cycle collector need not walk it again
        # and again while the pages are made.
        gc.freeze()
        site = output.FreshFolder(target, root)
        with ThreadPoolExecutor(max_workers=1) as beside:
            indexing = beside.submit(search_index.write_index, directory, site.path) if search else None
            progress.stage("Making the pages and the open data")
            write_site(directory, root / "templates", site, progress)
            if indexing:
                progress.stage("Making the search index")
                indexing.result()
        progress.stage("Putting the new site in place")
        site.put_in_place()
    except BaseException as exc:  # Ctrl+C too: no half-written folder is left behind
        if site:
            site.discard()
        problem = isinstance(exc, Exception) and (faults.render_problem(exc, root) or faults.write_problem(exc, target))
        if not problem:
            raise  # a fault nobody foresaw keeps its traceback
        checked.problems.append(problem)
        return checked, None
    finally:
        gc.unfreeze()
        progress.done()
    return checked, directory


def write_site(directory: Directory, templates: Path, site: output.FreshFolder, progress: Progress) -> None:
    """Every file of the site but the search index: the open data, the feed, then the pages."""
    sizes = {}
    for path, data in [*opendata.json_downloads(directory).items(), *opendata.csv_download(directory).items()]:
        site.write(path, data)
        sizes[path] = len(data)
    feed = oruk.Feed(directory)
    documents = chain(oruk.list_documents(feed).items(),
                      (document for entry in directory.providers for document in feed.provider_documents(entry)))
    for address, document in documents:
        # Each document is at its ORUK address and again with .json added: the same bytes.
        first, *others = [oruk.FEED_FOLDER + path for path in oruk.file_paths(address)]
        site.write(first, oruk.feed_json(document))
        for other in others:
            site.copy(other, first)
    renderer = SiteRenderer(directory, templates)
    pages = [*renderer.specs, renderer.data_page(sizes)]
    for done, page in enumerate(pages, 1):
        site.write(page.path, renderer.render(page))
        progress.count(done, len(pages))
    for path, data in renderer.site_files(pages[-1]).items():
        site.write(path, data)


def index_in_place(directory: Directory, root: Path, target: Path) -> None:
    """Make the site's search index anew beside it, then put it in place of the old one."""
    beside = output.FreshFolder(target, root)
    try:
        search_index.write_index(directory, beside.path)
        output.swap_into_place(beside.path / search_index.FOLDER, target / search_index.FOLDER)
    finally:
        beside.discard()
