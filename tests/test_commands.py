"""The program runs the same way from build.py, `python -m apdirectory` and the `ap-directory`
command, on any computer with Python 3.11+ (nothing POSIX-only, such as fcntl), and nothing a pull
request commits beside the content (a `.build-cache/` folder, say) is ever run as code."""
from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, run_build
from snapshot import rebuilt, snapshot


def test_the_package_builds_the_sample_without_fcntl_or_ctypes(project, tmp_path):
    """Windows has no fcntl, and ctypes reaching into the C library is not portable: with both
    made unavailable, the package imports and builds the same site."""
    blocked = ("import sys; sys.modules['fcntl'] = None; sys.modules['ctypes'] = None; "
               "from apdirectory.commands.cli import main; sys.exit(main(sys.argv[1:]))")
    out = tmp_path / "without" / "_site"
    result = subprocess.run([sys.executable, "-c", blocked, "build", "--root", str(project), "--output", str(out)],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert re.search(r"Built \d+ providers", result.stdout)
    assert run_build("build", "--output", str(tmp_path / "with" / "_site"), root=project).returncode == 0
    assert rebuilt(snapshot(out)) == rebuilt(snapshot(tmp_path / "with" / "_site"))


def test_python_m_apdirectory_and_the_console_script_run_the_commands(project):
    for command in ([sys.executable, "-m", "apdirectory"],
                    [shutil.which("ap-directory", path=Path(sys.executable).parent) or "ap-directory"]):
        result = subprocess.run([*command, "check", "--root", str(project)], capture_output=True, text=True,
                                timeout=300, cwd=REPO)
        assert result.returncode == 0, (command, result.stderr)
        assert re.search(r"All \d+ providers, \d+ lots and \d+ pages are valid", result.stdout)


def test_build_strict_fails_on_warnings_and_writes_nothing(project, tmp_path):
    out = tmp_path / "_site"
    result = run_build("build", "--strict", "--output", str(out), root=project)
    assert result.returncode == 1, result.stderr
    assert ": warning: " in result.stderr and "--strict makes warnings fail." in result.stderr
    assert f"Nothing was written: fix the errors and warnings above and build again. {out} is unchanged." in result.stderr
    assert not out.exists()
    assert run_build("build", "--output", str(out), root=project).returncode == 0, "without --strict it builds"


class _RunsCode:
    """A pickle that, if it were ever loaded, would write a file: what a hostile pull request commits."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "a committed cache ran code"))


def test_a_committed_build_cache_never_runs_code(project, tmp_path):
    marker = tmp_path / "ran"
    hostile = pickle.dumps(_RunsCode(marker))
    cache = project / ".build-cache"
    for name in ("site.pickle", "entries.pickle", "entries/00.pickle", "cache.json"):
        (cache / name).parent.mkdir(parents=True, exist_ok=True)
        (cache / name).write_bytes(hostile)
    before = snapshot(cache)
    for env in ({**os.environ, "CI": "true"}, {k: v for k, v in os.environ.items() if k != "CI"}):
        result = run_build("build", "--output", str(tmp_path / "_site"), root=project, env=env)
        assert result.returncode == 0, result.stderr
        assert not marker.exists(), "the build ran code from .build-cache/"
    assert snapshot(cache) == before
