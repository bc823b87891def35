#!/usr/bin/env python3
"""Benchmark the build: cold, warm and incremental build times, peak memory and output size.

usage: python bench/run.py N [--runs 3] [--search] [-- extra build.py arguments]

It makes a temporary copy of the project with N providers (written by the shared generator
../shared/bench/gen_providers.py when it is there, else by repeating the sample providers),
then times, as separate processes:
  cold         no build cache, into a new folder
  warm         the same content again, with the cache and site the cold build left
  incremental  one provider file changed
Each is run --runs times, each time into a new folder; the median wall time and the largest peak
memory are printed.
Without --search the search index is skipped (--no-search), as in the Hugo comparison.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_GENERATOR = REPO.parent / "shared" / "bench" / "gen_providers.py"
CACHE = ".build-cache"
SETTLE_SECONDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="how many providers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search", action="store_true", help="include the search index")
    parser.add_argument("extra", nargs="*", help="more arguments for build.py, after --")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ap-bench-"))
    try:
        project = make_project(work, args.n)
        command = [sys.executable, str(REPO / "build.py"), "build", "--root", str(project), *args.extra]
        if not args.search:
            command.append("--no-search")
        report(args, project, command)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the last build may still be deleting its old site


def report(args, project: Path, command: list[str]) -> None:
    print(f"providers: {args.n}  cpus: {os.cpu_count()}  runs: {args.runs}  "
          f"search index: {'yes' if args.search else 'no'}")
    print(f"{'build':12} {'median wall':>12} {'peak memory':>12}")
    results = {"cold": [], "warm": [], "incremental": []}
    for number in range(args.runs):
        # Each run builds into a new folder, and old ones are deleted only at the end: on this
        # machine's disk (ext4 without a journal, mounted with discard), creating files within a
        # minute or more of deleting tens of thousands is several times slower, which would time
        # the benchmark's own clean-up, not the build.
        shutil.rmtree(project / CACHE, ignore_errors=True)
        os.sync()
        time.sleep(SETTLE_SECONDS)
        site = ["--output", str(project / f"_site-{number}")]
        results["cold"].append(run(command + site, project))
        results["warm"].append(run(command + site, project))
        touch_one_provider(project)
        results["incremental"].append(run(command + site, project))
    for name, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        peak = max(s[1] for s in samples)
        print(f"{name:12} {wall:10.3f} s {peak:8.1f} MiB")
    files = [p for p in (project / f"_site-{args.runs - 1}").rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"output: {len(files)} files, {size / 1024 / 1024:.1f} MiB")


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one build."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"the build failed:\n{errors.decode()[-3000:]}")
    return wall, usage.ru_maxrss / 1024


def make_project(work: Path, n: int) -> Path:
    project = work / "project"
    project.mkdir()
    for name in ("templates", "content"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "site_config.yaml", project)
    if SHARED_GENERATOR.exists():
        for sub in ("providers", "lots"):
            shutil.rmtree(project / "content" / sub)
        subprocess.run([sys.executable, str(SHARED_GENERATOR), str(project), str(n)], check=True)
    else:
        repeat_sample(project / "content" / "providers", n)
    return project


def repeat_sample(folder: Path, n: int) -> None:
    """N providers made by repeating the sample ones under new names (without the shared generator)."""
    originals = sorted(p for p in folder.glob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in originals]
    for p in originals:
        p.unlink()
    for i in range(n):
        text = texts[i % len(texts)]
        name_line = next(line for line in text.splitlines() if line.startswith("name: "))
        text = text.replace(name_line, f"{name_line} {i:05d}", 1)
        (folder / f"provider-{i:05d}.md").write_text(text, encoding="utf-8")


def touch_one_provider(project: Path) -> None:
    """Change one provider's description, as an officer's edit would."""
    path = sorted((project / "content" / "providers").glob("*.md"))[0]
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nEdited for the benchmark at {time.time_ns()}.\n")


if __name__ == "__main__":
    main()
