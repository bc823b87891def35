"""The build, stage by stage: load -> check rules -> directory -> render -> write -> index -> swap."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import faults, opendata, output, search_index
from .changes import check_status_dates
from .directory import Directory, build_directory
from .load import Content, load_content
from .problems import Problem, errors
from .render import render_site
from .review import check_review_ages
from .rules import check_rules


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


def build(root: Path, target: Path, today: dt.date | None = None,
          search: bool = True) -> tuple[Checked, Directory | None]:
    """Check, render, index for search, then swap the new site into `target`.

    On any error, write nothing: a failed search index (search_index.SearchIndexError) leaves
    the previous site in place.
    """
    checked = check(root, today)
    if not checked.ok:
        return checked, None
    directory = build_directory(checked.content)
    try:
        exports = opendata.export_files(directory)
        files = render_site(directory, root / "templates", exports)
        files.update(exports)
    except Exception as exc:
        return _failed(checked, exc, faults.render_problem(exc, root))
    try:
        _write(files, target, directory, search)
    except Exception as exc:
        return _failed(checked, exc, faults.write_problem(exc, target))
    return checked, directory


def _write(files: dict[str, bytes], target: Path, directory: Directory, search: bool) -> None:
    fresh = output.write_fresh(files, target)
    try:
        if search:
            search_index.write_index(directory, fresh)
        output.swap_into_place(fresh, target, file_count=len(files))
    except BaseException:
        output.discard(fresh)
        raise


def _failed(checked: Checked, exc: Exception, problem: Problem | None) -> tuple[Checked, None]:
    """Report a failure after the checks as a problem; a fault nobody foresaw keeps its traceback."""
    if problem is None:
        raise exc
    checked.problems.append(problem)
    return checked, None
