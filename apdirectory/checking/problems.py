"""Problems found in content: what is wrong, where, and how to put it right.

Every stage reports problems instead of raising, so that one run lists all of them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based; 0 when the problem is about the whole file
    field: str  # dotted field path such as "lots[0].key_stages", or "" for the whole file
    message: str  # what is wrong (what would be right)
    warning: bool = False

    def order(self) -> tuple:
        """The key that sorts problems as their fields do, in order: compared as a tuple, thousands
        sort in a tenth of the time the generated __lt__ takes."""
        return self.path, self.line, self.field, self.message, self.warning

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {'warning: ' if self.warning else ''}{what}"

    def github_annotation(self) -> str:
        """The GitHub Actions workflow command that puts this problem on the file and line."""
        level = "warning" if self.warning else "error"
        props = f"file={_escape_property(self.path)}"
        if self.line:
            props += f",line={self.line}"
        text = f"{self.field}: {self.message}" if self.field else self.message
        return f"::{level} {props}::{_escape_data(text)}"


def field_path(loc: tuple) -> str:
    """("lots", 0, "key_stages") -> "lots[0].key_stages"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.warning]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.warning]


# Escaping rules of GitHub's workflow commands (the same as the actions/toolkit's command.ts).
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
