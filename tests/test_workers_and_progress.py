"""Several worker processes make the same site as one; a build on a terminal shows its progress.

Progress is for a person watching a terminal: in CI and when the output goes to a pipe or a file
the build prints only its report.
"""
from __future__ import annotations

import os
import re
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_build
from snapshot import snapshot

from apdirectory.workers import MIN_PER_WORKER, WorkFailed, share_out

PROGRESS = "Making the pages and the open data:"


def many_providers(project: Path, copies: int) -> int:
    """Copies of the sample's providers under new file names; returns how many providers there are."""
    providers = project / "content/providers"
    originals = sorted(providers.glob("*.md"))
    for path in originals:
        for n in range(copies):
            (providers / f"{path.stem}-{n}.md").write_bytes(path.read_bytes())
    return len(list(providers.glob("*.md")))


def test_the_site_is_the_same_whatever_the_number_of_workers(project, tmp_path):
    many_providers(project, copies=35)
    sites = []
    for workers in ("1", "2", "3"):
        out = tmp_path / f"site-{workers}"
        result = run_build("build", "--output", str(out), "--no-search", "--workers", workers, root=project)
        assert result.returncode == 0, result.stderr
        sites.append(snapshot(out))
    pages = [name for name in sites[0] if name.endswith(".html")]
    assert len(pages) >= 3 * MIN_PER_WORKER, "enough pages for three workers to share"
    assert sites[0] == sites[1] == sites[2]


def test_problems_are_the_same_whatever_the_number_of_workers_that_read_the_files(project, tmp_path):
    """The files are read and checked by several processes at this size: every problem is still
    found, reported once and in the same order, and nothing is written."""
    count = many_providers(project, copies=35)
    assert count >= 2 * MIN_PER_WORKER, "enough files for two workers to share"
    providers = sorted((project / "content/providers").glob("*.md"))
    for path in providers[::97]:  # spread over the workers' shares
        path.write_text(path.read_text().replace("status:", "status: nonsense\nstatus_was:", 1))
    (project / "content/providers/not-yaml.md").write_text("---\nname: [unclosed\n---\n")
    printed = []
    for workers in ("1", "2", "3"):
        result = run_build("build", "--output", str(tmp_path / "_site"), "--workers", workers, root=project)
        assert result.returncode == 1
        printed.append(result.stderr)
    assert printed[0] == printed[1] == printed[2]
    assert printed[0].count("content/providers/not-yaml.md:") == 1
    assert printed[0].count(": status_was:") == len(providers[::97])
    assert not (tmp_path / "_site").exists() and not (project / ".build-cache").exists()


def test_workers_must_be_a_whole_number_from_one_up(project):
    result = run_build("build", "--workers", "0", root=project)
    assert result.returncode == 2
    assert "--workers: must be a whole number from 1 up, not '0'" in result.stderr


def on_a_terminal(project: Path, out: Path, env: dict) -> str:
    """Build with stdout and stderr on a pseudo-terminal, as in a person's terminal window."""
    leader, follower = pty.openpty()
    build = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                              "--output", str(out), "--no-search"], stdin=follower, stdout=follower,
                             stderr=follower, env=env)
    os.close(follower)
    printed = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the build ends
            break
        if not chunk:
            break
        printed += chunk
    os.close(leader)
    assert build.wait(timeout=300) == 0, printed.decode()
    return printed.decode()


def without_ci() -> dict:
    return {name: value for name, value in os.environ.items() if name != "CI"}


def test_a_build_on_a_terminal_shows_its_stages_and_a_count_of_pages(project, tmp_path):
    printed = on_a_terminal(project, tmp_path / "_site", without_ci())
    assert "Checking the content" in printed
    finished = re.search(PROGRESS + r" ([0-9,]+) of \1\b", printed)
    assert finished and int(finished[1]) > 100, printed
    assert "Putting the new site in place" in printed
    last_line = printed.rstrip().splitlines()[-1]
    assert last_line.startswith("Built 18 providers into"), "the progress line is cleared at the end"


def test_in_ci_a_terminal_shows_no_progress(project, tmp_path):
    printed = on_a_terminal(project, tmp_path / "_site", {**without_ci(), "CI": "true"})
    assert PROGRESS not in printed and "\r" not in printed.replace("\r\n", "\n")


def test_output_to_a_pipe_shows_no_progress(project, tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                             "--output", str(tmp_path / "_site"), "--no-search"],
                            capture_output=True, text=True, env=without_ci(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert PROGRESS not in result.stdout + result.stderr
    assert "\r" not in result.stdout + result.stderr


def test_timings_lists_each_stage_with_its_seconds(project, tmp_path):
    result = run_build("build", "--output", str(tmp_path / "_site"), "--timings", root=project)
    assert result.returncode == 0, result.stderr
    stages = re.findall(r"^ +([0-9]+\.[0-9]{2}) s  (.+)$", result.stderr, re.M)
    assert [name for _, name in stages] == ["Checking the content",
                                            "Making the pages, the open data and the search index",
                                            "Putting the new site in place"]
    assert sum(float(seconds) for seconds, _ in stages) > 0


def test_results_come_back_in_order_and_are_received_in_the_calling_process():
    """Workers send their results as they go; `receive` turns each into what the caller keeps, in
    the caller's own process, whichever worker made it."""
    items = list(range(3 * MIN_PER_WORKER))
    caller = os.getpid()

    def work(n: int) -> tuple[int, int]:
        time.sleep(0.001)  # long enough for every worker to have started before the items run out
        return n * n, os.getpid()

    made = share_out(items, work, workers=3, receive=lambda index, result: (index, *result, os.getpid()))
    assert [(index, square) for index, square, _, _ in made] == [(n, n * n) for n in items]
    assert {received_in for _, _, _, received_in in made} == {caller}
    assert len({made_in for _, _, made_in, _ in made}) > 1, "the work was shared out"


def test_a_worker_that_stops_before_it_finishes_fails_the_work():
    """A worker killed halfway (by the system when memory runs out, say) sends no last message."""
    caller = os.getpid()

    def work(n: int) -> int:
        if n == len(items) // 2 and os.getpid() != caller:
            os._exit(3)
        time.sleep(0.0005)  # long enough for the worker to have started before the items run out
        return n

    items = list(range(3 * MIN_PER_WORKER))
    for _ in range(20):  # until a worker, not the calling process, takes the middle item
        try:
            share_out(items, work, workers=2)
        except WorkFailed as failed:
            assert str(failed) == "a worker process stopped before it finished (exit status 3)"
            return
    pytest.fail("the calling process took the middle item every time")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for entry in os.scandir("/proc"):
        try:
            stat = Path(entry.path, "stat").read_text() if entry.name.isdigit() else ""
        except OSError:  # it has ended
            continue
        if stat and int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stage", ["loading", "making the pages"])
def test_a_build_whose_worker_is_killed_says_so_and_keeps_the_site(project, tmp_path, stage):
    """The system may kill a worker (when memory runs out, say): the build says what happened and
    what to do, and the site built before stays as it was."""
    many_providers(project, copies=35)
    out = tmp_path / "_site"
    assert run_build("build", "--output", str(out), "--no-search", root=project).returncode == 0
    before = snapshot(out)
    build = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--root", str(project),
                              "--output", str(out), "--no-search"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[int] = []  # the first worker loads the files; the next one makes pages
    while build.poll() is None and len(seen) < (1 if stage == "loading" else 2):
        seen += [pid for pid in children(build.pid) if pid not in seen]
    os.kill(seen[-1], signal.SIGKILL)
    printed = build.communicate(timeout=300)[1]
    assert build.returncode == 1, printed
    assert printed.rstrip().endswith(
        "Stopped: a worker process stopped before it finished (killed by signal 9). Nothing was written; a site "
        "built before is as it was. Run the command again. If a worker is stopped again, the computer may be "
        "short of memory: build with --workers 1 to use less."), printed
    assert snapshot(out) == before
    assert not list(tmp_path.glob("_site.new-*")), "the unfinished site is gone"
