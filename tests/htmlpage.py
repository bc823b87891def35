"""Just enough HTML reading for tests, on the standard library's parser."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []  # every href and src
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict]] = []
        self._text: list[str] = []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append(attrs[name])
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._text.append(data)

    @property
    def text(self) -> str:
        """The visible text, with runs of white space folded."""
        return " ".join("".join(self._text).split())

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


def page(site: Path, url_path: str) -> Page:
    """The page served at `url_path` ("providers/kestrel/"), parsed."""
    path = site / url_path
    if url_path == "" or url_path.endswith("/"):
        path = path / "index.html"
    return Page(path.read_text(encoding="utf-8"))


def html_files(site: Path) -> list[Path]:
    # The Open Referral UK feed's index.html files hold JSON: a static host serves api/services/ from one.
    return sorted(path for path in site.rglob("*.html") if path.relative_to(site).parts[0] != "api")
