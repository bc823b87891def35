"""Failures after the content passed its checks, told as Problems instead of tracebacks.

A template mistake is the developers' fault, and a full disk nobody's, but whoever runs the
build still needs the file and line to look at, and to know that the previous site is intact.
"""
from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from apdirectory.checking.problems import Problem
from apdirectory.publishing.output import UnsafeTarget
from apdirectory.publishing.search_index import SearchIndexError

_NOT_CONTENT = "this is a mistake in the site's templates, not in the content: ask a developer to fix it"


def render_problem(exc: Exception, root: Path) -> Problem | None:
    """The template and line that failed, or None when the fault is not in a template."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Problem(_relative(exc.filename, root), exc.lineno or 0, "",
                       f"is not a valid template: {exc.message} ({_NOT_CONTENT})")
    templates = (root / "templates").resolve()
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if Path(frame.filename).resolve().is_relative_to(templates)]
    if not frames:  # a page's own template is missing, or the fault is in the Python code
        if isinstance(exc, jinja2.TemplateNotFound):
            return Problem(f"templates/{exc.name}", 0, "", f"is missing ({_NOT_CONTENT})")
        return None
    where = frames[-1]  # the innermost template line, where an include or a macro failed
    if isinstance(exc, jinja2.TemplateNotFound):
        what = f"uses templates/{exc.name}, which does not exist"
    else:
        what = f"could not be turned into a page: {exc}"
    return Problem(_relative(where.filename, root), where.lineno or 0, "", f"{what} ({_NOT_CONTENT})")


def write_problem(exc: Exception, target: Path) -> Problem | None:
    """Why the site could not be written, or None for an unexpected fault."""
    if isinstance(exc, UnsafeTarget):
        return Problem(str(target), 0, "", str(exc))
    if isinstance(exc, SearchIndexError):
        return Problem(str(target), 0, "", f"the search index could not be built ({exc}), so nothing was "
                       "written; the site already there is as it was")
    if isinstance(exc, OSError):
        return Problem(str(target), 0, "", f"could not be written ({exc.strerror or exc}): check there is "
                       "space and the folder can be written to; the site already there is as it was")
    return None


def _relative(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    return path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else filename
