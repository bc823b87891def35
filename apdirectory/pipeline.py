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
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Iterator

from apdirectory import faults
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
    # Loading makes many lasting objects and next to no cycles: the cycle collector, run each time
    # their number grows, would walk them all again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        content, problems = load_content(root, read)
        problems += check_rules(content, today) + check_review_ages(content, today) + check_status_dates(content, today)
        return Checked(content, today, sorted(set(problems), key=Problem.order))
    finally:
        if collecting:
            gc.enable()


def build(root: Path, target: Path, *, today: dt.date, search: bool = True, strict: bool = False,
          progress: Progress | None = None) -> tuple[Checked, Directory | None]:
    """Check the content as of `today` and, if it has no errors (nor warnings, when `strict`), write the
    site into `target`. Returns what the checks found, and the directory the site was made from (None when
    nothing was written)."""
    progress = progress or Progress()
    progress.stage("Checking the content")
    checked = check(root, today)
    if not checked.ok or (strict and warnings(checked.problems)):
        progress.done()
        return checked, None
    site = None
    try:
        directory = build_directory(checked.content, checked.today)
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

    def feed(self) -> Iterator[list[tuple[str, bytes]]]:
        """Each Open Referral UK document, at its ORUK address and again with .json added: the same bytes."""
        feed = oruk.Feed(self.directory)
        documents = chain(oruk.list_documents(feed).items(),
                          (document for entry in self.directory.providers for document in feed.provider_documents(entry)))
        for address, document in documents:
            data = oruk.feed_json(document)
            yield [(oruk.FEED_FOLDER + path, data) for path in oruk.file_paths(address)]

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


def write_site(directory: Directory, templates: Path, site: output.FreshFolder, progress: Progress) -> None:
    """Every file of the site but the search index: the open data, the feed, then the pages."""
    files = SiteFiles(directory, templates)
    for path, data in files.downloads.items():
        site.write(path, data)
    for (first, data), *others in files.feed():
        site.write(first, data)
        for other, _ in others:
            site.copy(other, first)
    pages = files.pages()
    for done, page in enumerate(pages, 1):
        site.write(page.path, files.render(page))
        progress.count(done, len(pages))
    for path, data in {**files.lists, **files.assets}.items():
        site.write(path, data)
