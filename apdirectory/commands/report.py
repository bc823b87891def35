"""What the commands print about problems: one line each for people, or GitHub Actions annotations.

In the text form, warnings about review dates come last, grouped by provider under "Due for review",
so that the council can plan its reviews and visits; each line keeps the `path:line: field: message`
form, so an editor's terminal can still jump to it.
"""
from __future__ import annotations

import sys

from apdirectory.checking.problems import Problem, errors, warnings
from apdirectory.checking.review import is_review
from apdirectory.reading.load import Content


def report(problems: list[Problem], content: Content | None, fmt: str = "text", strict: bool = False) -> None:
    if fmt == "github":
        # GitHub shows only the first 10 errors and 10 warnings of a step on the files: reviews due
        # anywhere in the directory come after the warnings about what a pull request changed.
        for problem in sorted(problems, key=lambda p: (p.warning, is_review(p))):
            print(problem.github_annotation())
    else:
        for problem in problems:
            if not is_review(problem):
                print(problem, file=sys.stderr)
        _due_for_review([p for p in problems if is_review(p)], content)
    if problems:
        strictly = " --strict makes warnings fail." if strict and warnings(problems) else ""
        print(f"Found {_found(problems)}.{strictly}", file=sys.stderr)


def _found(problems: list[Problem]) -> str:
    """Such as "1 error and 4 warnings"."""
    found = [_count(len(errors(problems)), "error"), _count(len(warnings(problems)), "warning")]
    return " and ".join(part for part in found if part)


def _due_for_review(reviews: list[Problem], content: Content | None) -> None:
    if not reviews:
        return
    names = {entry.path: entry.data.name for entry in content.providers} if content else {}
    by_provider: dict[str, list[Problem]] = {}
    for problem in reviews:
        by_provider.setdefault(problem.path, []).append(problem)
    print(f"\nDue for review ({_count(len(by_provider), 'provider')}):", file=sys.stderr)
    for path in sorted(by_provider, key=lambda path: names.get(path, path).casefold()):
        print(f"  {names.get(path, path)}", file=sys.stderr)
        for problem in sorted(by_provider[path], key=lambda p: p.line):
            print(f"    {problem}", file=sys.stderr)
    print(file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"{n} {noun}{'' if n == 1 else 's'}"
