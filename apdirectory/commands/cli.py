"""The command line: `python build.py [build|check|new|schema|serve] ...`; `build` is the default.

The same commands run as `ap-directory ...` (the console script) and `python -m apdirectory ...`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from apdirectory import parallel, pipeline
from apdirectory.checking.problems import errors, warnings
from apdirectory.commands.report import report
from apdirectory.commands.scaffold import ScaffoldError, next_steps, write_new_provider
from apdirectory.commands.serve import serve
from apdirectory.commands.today import council_today, date_argument
from apdirectory.progress import Progress
from apdirectory.reading.schema import DEFAULT_FOLDER, write_schemas

COMMANDS = ("build", "check", "new", "schema", "serve")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "build")  # `build.py --output x` means `build.py build --output x`
    args = _parser().parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "site_config.yaml").exists() and not (root / "content").is_dir():
        print(f"{root} has no site_config.yaml or content/ folder: run this in the directory's "
              "repository, or pass --root", file=sys.stderr)
        return 2
    return args.run(args, root)


def _build(args: argparse.Namespace, root: Path) -> int:
    started = time.perf_counter()
    target = _output(args, root)
    progress = Progress()
    checked, directory = pipeline.build(root, target, today=args.today or council_today(),
                                        search=not args.no_search, strict=args.strict, progress=progress,
                                        processes=args.processes)
    report(checked.problems, checked.content, args.format, args.strict)
    if args.timings:
        for stage, seconds in progress.seconds():
            print(f"{seconds:8.2f} s  {stage}", file=sys.stderr)
    if directory is None:
        what = "errors and warnings" if args.strict and checked.ok else "errors"
        print(f"Nothing was written: fix the {what} above and build again. {target} is unchanged.",
              file=sys.stderr)
        return 1
    print(f"Built {len(directory.providers)} providers into {target} "
          f"in {time.perf_counter() - started:.2f} s.")
    return 0


def _check(args: argparse.Namespace, root: Path) -> int:
    checked = pipeline.check(root, args.today or council_today())
    report(checked.problems, checked.content, args.format, args.strict)
    content = checked.content
    if checked.ok:
        print(f"All {len(content.providers)} providers, {len(content.lots)} lots and "
              f"{len(content.pages)} pages are valid.")
    failed = errors(checked.problems) or (args.strict and warnings(checked.problems))
    return 1 if failed else 0


def _new(args: argparse.Namespace, root: Path) -> int:
    try:
        relpath = write_new_provider(root, args.name)
    except ScaffoldError as exc:
        print(f"No file was written: {exc}", file=sys.stderr)
        return 1
    print(next_steps(relpath, " ".join(args.name.split())))
    return 0


def _schema(args: argparse.Namespace, root: Path) -> int:
    folder = Path(args.folder) if args.folder else root / DEFAULT_FOLDER
    for path in write_schemas(folder):
        print(f"Wrote {path}")
    return 0


def _serve(args: argparse.Namespace, root: Path) -> int:
    return serve(root, args.port, search=not args.no_search, today=args.today)


def _output(args: argparse.Namespace, root: Path) -> Path:
    return Path(args.output) if args.output else root / "_site"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description=(
        "Build the Alternative Provision Directory site from content/ into _site/, check the content, "
        "start a new provider's file, write the JSON Schemas, or preview the site while you edit. "
        "Without a command, build."))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="the repository folder (default: this folder)")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--output", help="where to write the site (default: _site in the root)")
    dated = argparse.ArgumentParser(add_help=False)
    dated.add_argument("--today", type=date_argument, metavar="YYYY-MM-DD", help=(
        "the date to build or check as of: what is due for review or out of date depends on it "
        "(default: today's date in the UK)"))
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=["text", "github"], default="text",
                     help="github prints problems as GitHub Actions annotations on the file and line")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser("build", parents=[common, output, dated, fmt], help="check the content and write the site")
    build.add_argument("--no-search", action="store_true",
                       help="skip the search index (the find page then works as without JavaScript)")
    build.add_argument("--timings", action="store_true", help="print how long each stage of the build took")
    build.add_argument("--strict", action="store_true", help="fail on warnings too, and then write nothing")
    build.add_argument("--processes", type=int, choices=[1, 2], help=(
        "build in one process, or two: one makes a share of the pages on a second core (default: two "
        f"where there are two cores and {parallel.MIN_PROVIDERS} or more providers)"))
    build.set_defaults(run=_build)

    check = commands.add_parser("check", parents=[common, dated, fmt], help=(
        "check every content file and list providers due for review; write nothing"))
    check.add_argument("--strict", action="store_true", help="fail on warnings too, such as reviews that are due")
    check.set_defaults(run=_check)

    new = commands.add_parser("new", parents=[common], help="write a new provider's file, ready to fill in")
    new.add_argument("name", help='the provider\'s name, in quotes: "Kestrel Learning Centre"')
    new.set_defaults(run=_new)

    schema = commands.add_parser("schema", parents=[common], help=(
        "write JSON Schemas of provider and lot fields, for editors"))
    schema.add_argument("folder", nargs="?", help=f"where to write them (default: {DEFAULT_FOLDER}/ in the root)")
    schema.set_defaults(run=_schema)

    preview = commands.add_parser("serve", parents=[common, dated], help=(
        "preview the site on this computer: the page open in a browser shows each change you save"))
    preview.add_argument("--port", type=int, default=8000, help="the port to serve on (default: 8000)")
    preview.add_argument("--no-search", action="store_true",
                         help="skip the search index (rebuilds of a large directory show sooner)")
    preview.set_defaults(run=_serve)
    return parser
