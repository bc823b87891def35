"""Every byte of a folder, to compare a site before and after a build."""
from __future__ import annotations

import re
from pathlib import Path

# Pagefind 1.5 writes its filter and metadata indexes in an order that changes from run to run
# (github.com/Pagefind/pagefind/issues/638: its fragments are stable since 1.3, "other files will
# still change"). Two separate builds are compared with those files counted, not read; the index
# and fragment files, and everything this project writes itself, must match byte for byte.
UNSTABLE_SEARCH_FILES = re.compile(r"(.*/)?pagefind/\d+/(filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta"
                                   r"|pagefind-entry\.json)")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes for every file below `folder`; each folder as "path/" -> b""."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        found[name + "/" if path.is_dir() else name] = b"" if path.is_dir() else path.read_bytes()
    return found


def rebuilt(found: dict[str, bytes]) -> dict[str, bytes]:
    """A snapshot made comparable with one of another build: Pagefind's unstable files counted."""
    stable = {name: data for name, data in found.items() if not UNSTABLE_SEARCH_FILES.fullmatch(name)}
    unstable = sorted(name for name in found if UNSTABLE_SEARCH_FILES.fullmatch(name))
    kinds = [re.sub(r"[0-9a-f]{7,}", "#", name) for name in unstable]  # names hold content hashes
    stable["(Pagefind's unstable index files)"] = "\n".join(kinds).encode()
    return stable
