#!/usr/bin/env python3
"""Benchmark the build: cold, warm and incremental build times, peak memory and output size.

usage: python bench/run.py N [--runs 3] [--search] [-- extra build.py arguments]

It makes a temporary copy of the project with N providers (written by the shared generator
../shared/bench/gen_providers.py when it is there, else by repeating the sample providers),
then times, as separate processes:
  cold         into a new folder
  warm         the same content again, over the site the cold build left
  incremental  one provider file changed
Each is run --runs times, each time into a new folder; the median wall time and the largest peak
memory are printed. Then the preview (`build.py serve`) is started on the same content, and one
provider file is saved --runs times, plus once before, printed apart (--preview-only skips the
builds above):
  preview      from the save until serve sends that provider's page with the change, asked
               for as soon as serve says a new version is in place (as the page open in a
               browser does); serve's own figure for its rebuild; and serve's peak memory.
Without --search the search index is skipped (--no-search), as in the Hugo comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_GENERATOR = REPO.parent / "shared" / "bench" / "gen_providers.py"
SETTLE_SECONDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="how many providers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search", action="store_true", help="include the search index")
    parser.add_argument("--preview-only", action="store_true", help="time the preview, not the builds")
    parser.add_argument("extra", nargs="*", help="more arguments for build.py, after --")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ap-bench-"))
    try:
        project = make_project(work, args.n)
        command = [sys.executable, str(REPO / "build.py"), "build", "--root", str(project), *args.extra]
        if not args.search:
            command.append("--no-search")
        if args.preview_only:
            print(f"providers: {args.n}  cpus: {os.cpu_count()}  saves: {args.runs}  "
                  f"search index: {'yes' if args.search else 'no'}")
            report_preview(args, project)
        else:
            report(args, project, command)
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
    report_preview(args, project)


def report_preview(args, project: Path) -> None:
    """Start serve, save one provider file --runs + 1 times, and print how soon each save shows."""
    command = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(project), "--port", "0",
               *([] if args.search else ["--no-search"])]
    started = time.perf_counter()
    server = Server(command)
    try:
        url = re.search(r"http://\S+", server.wait_for("Serving the directory at"))[0]
        ready = time.perf_counter() - started
        page = url + f"providers/{edited_provider(project).stem}/"
        fetch(page)  # the first page made takes longer: its templates are compiled
        events = Events(urllib.parse.urljoin(url, "/_preview/events"))
        first, *rest = [save_and_wait(server, events, project, page, args.search) for _ in range(args.runs + 1)]
        peak = server.peak_memory()
    finally:
        server.stop()
    print(f"{'preview':12} {statistics.median(r[0] for r in rest):10.3f} s {peak:8.1f} MiB   "
          f"(from the save to the changed page served; serve's own figure: "
          f"{statistics.median(r[1] for r in rest):.3f} s; serve's processor time meanwhile: "
          f"{statistics.median(r[3] for r in rest):.3f} s; the first save after starting: {first[0]:.3f} s; "
          f"serving {ready:.1f} s after starting)")
    if args.search:
        print(f"{'  and search':12} {statistics.median(r[2] for r in rest):10.3f} s")


def save_and_wait(server: Server, events: Events, project: Path, page: str, search: bool) -> tuple[float, ...]:
    """(seconds from the save until serve sends the changed page, serve's rebuild time, serve's time to
    the search index, serve's processor time until the page was sent). As an open page does, it waits for serve's word that a new version is in
    place (the live reload's events), then asks for the page."""
    time.sleep(1)
    saved, processor = time.perf_counter(), server.processor_seconds()
    marker = touch_one_provider(project)
    while marker not in fetch(page):
        events.next_version()
    shown, processor = time.perf_counter() - saved, server.processor_seconds() - processor
    rebuilt = server.wait_for("Rebuilt")
    indexed = server.wait_for("Search index updated") if search else rebuilt
    return shown, _seconds(rebuilt), _seconds(indexed), processor


class Events:
    """serve's events stream, read as it comes, as the live-reload script in a page reads it."""

    def __init__(self, url: str):
        self.states: queue.Queue = queue.Queue()
        self.response = urllib.request.urlopen(url, timeout=900)
        self.version = None
        threading.Thread(target=self._read, daemon=True).start()
        self.next_version()

    def _read(self) -> None:
        for line in self.response:
            if line.startswith(b"data: "):
                self.states.put(json.loads(line[len(b"data: "):]))

    def next_version(self) -> None:
        while True:
            state = self.states.get(timeout=900)
            if state["problems"]:
                sys.exit("serve found problems: " + "\n".join(state["problems"]))
            if state["version"] != self.version:
                self.version = state["version"]
                return


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read().decode("utf-8")


def _seconds(line: str) -> float:
    return float(re.search(r"in ([0-9.]+) s", line)[1])


class Server:
    """`build.py serve`, running, with its output read line by line as it comes."""

    def __init__(self, command: list[str]):
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str) -> str:
        while (line := self.lines.get(timeout=900)) is not None:
            if text in line:
                return line
        sys.exit(f"serve stopped before it printed {text!r}")

    def peak_memory(self) -> float:
        """The largest resident memory (MiB) serve has had, from /proc."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024

    def processor_seconds(self) -> float:
        """The processor time serve has used so far, from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


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


def edited_provider(project: Path) -> Path:
    """The provider file the benchmark edits: the first by name that is published."""
    return next(path for path in sorted((project / "content" / "providers").glob("*.md"))
                if "status: withdrawn" not in path.read_text(encoding="utf-8"))


def touch_one_provider(project: Path) -> str:
    """Change one provider's description, as an officer's edit would; return the words added."""
    marker = f"Edited for the benchmark at {time.time_ns()}."
    with edited_provider(project).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{marker}\n")
    return marker


if __name__ == "__main__":
    main()
