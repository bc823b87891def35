"""The build, stage by stage: load -> check rules -> directory -> render -> write -> index -> swap."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import output, search_index
from .directory import Directory, build_directory
from .load import Content, load_content
from .problems import Problem, errors
from .render import render_site
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
    problems += check_rules(content, today or dt.date.today())
    return Checked(content, sorted(set(problems)))


def build(root: Path, target: Path, today: dt.date | None = None) -> tuple[Checked, Directory | None]:
    """Check, render, index for search, then swap the new site into `target`.

    On any error, write nothing: a failed search index (search_index.SearchIndexError) leaves
    the previous site in place.
    """
    checked = check(root, today)
    if not checked.ok:
        return checked, None
    directory = build_directory(checked.content)
    files = render_site(directory, root / "templates")
    fresh = output.write_fresh(files, target)
    try:
        search_index.write_index(directory, fresh)
        output.swap_into_place(fresh, target)
    except BaseException:
        output.discard(fresh)
        raise
    return checked, directory
