"""The command line: `python build.py [build|check] ...`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import pipeline
from .problems import Problem, errors, warnings
from .search_index import SearchIndexError


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "site_config.yaml").exists() and not (root / "content").is_dir():
        print(f"{root} has no site_config.yaml or content/ folder: run this in the directory's "
              "repository, or pass --root", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.command == "check":
        checked = pipeline.check(root)
        _report(checked.problems, args.format)
        content = checked.content
        if checked.ok:
            print(f"All {len(content.providers)} providers, {len(content.lots)} lots and "
                  f"{len(content.pages)} pages are valid.")
        return _status(checked.problems)
    target = Path(args.output) if args.output else root / "_site"
    try:
        checked, directory = pipeline.build(root, target)
    except SearchIndexError as error:
        print(f"Nothing was written: the search index could not be built: {error}. {target} is unchanged.",
              file=sys.stderr)
        return 1
    _report(checked.problems, args.format)
    if directory is None:
        print(f"Nothing was written: fix the errors above and build again. {target} is unchanged.",
              file=sys.stderr)
        return 1
    print(f"Built {len(directory.providers)} providers into {target} "
          f"in {time.perf_counter() - started:.2f} s.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description=(
        "Build the Alternative Provision Directory site from content/ into _site/, "
        "or check the content without writing anything."))
    parser.add_argument("command", nargs="?", default="build", choices=["build", "check"],
                        help="build (the default) writes the site; check only validates the content")
    parser.add_argument("--root", default=".", help="the repository folder (default: this folder)")
    parser.add_argument("--output", help="where to write the site (default: _site in the root)")
    parser.add_argument("--format", choices=["text", "github"], default="text",
                        help="github prints problems as GitHub Actions annotations on the file and line")
    return parser


def _report(problems: list[Problem], fmt: str) -> None:
    for problem in problems:
        if fmt == "github":
            print(problem.github_annotation())
        else:
            print(problem, file=sys.stderr)
    if problems:
        found = [_count(len(errors(problems)), "error"), _count(len(warnings(problems)), "warning")]
        print(f"Found {' and '.join(part for part in found if part)}.", file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"{n} {noun}{'' if n == 1 else 's'}"


def _status(problems: list[Problem]) -> int:
    return 1 if errors(problems) else 0
