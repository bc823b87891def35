"""Render stage: the directory -> every output file, one page at a time, keyed by site path.

Each page gets `root`, the relative path back to the site root, so the site works on any host
and under any sub-path (GitHub Pages serves it under /<repository>/).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

try:  # the C function behind markupsafe 3's escape()
    from markupsafe._speedups import _escape_inner
except ImportError:  # another version, or one without its C speed-ups: Jinja then uses escape() itself
    _escape_inner = None

from . import changes, opendata, present
from .directory import Directory
from .facets import Match, build_facets, provider_card
from .markup import Renderer
from .memo import Memo


@dataclass(frozen=True)
class PageSpec:
    path: str  # output path, such as "providers/kestrel/index.html"
    template: str
    title: str
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)  # (label, path from root) above this page
    context: dict = field(default_factory=dict)
    in_sitemap: bool = True
    source: str = ""  # the one content file this page is made from, if it is made from one alone


    @property
    def url_path(self) -> str:
        """The page's address below the site root: "providers/kestrel/"."""
        return self.path.removesuffix("index.html")


class SiteRenderer:
    """Renders the site's pages one by one (so that workers can share them out), then the Data
    page, which needs the sizes of the downloads, and the files that list every page."""

    def __init__(self, directory: Directory, templates: Path):
        self.directory = directory
        self.templates = templates
        # Compiling the templates takes a tenth of a second: `serve` keeps them while they are the same.
        self.env = directory.memo.shared("templates", lambda: make_environment(templates, directory))
        self.specs = page_specs(directory)

    def render(self, spec: PageSpec) -> bytes:
        return render_page(self.env, spec, self.directory).encode()

    def data_page(self, download_sizes: dict[str, int]) -> PageSpec:
        return PageSpec("data/index.html", "data.html", "Open data", [("Home", "")],
                        context=opendata.data_page_context(self.directory, download_sizes))

    def site_files(self, data_page: PageSpec) -> dict[str, bytes]:
        """The sitemap, robots.txt, the changes feed and the assets."""
        base_url = self.directory.config.site.base_url
        files = {
            "sitemap.xml": self._render("sitemap.xml", base_url=base_url,
                                        pages=[s for s in [*self.specs, data_page] if s.in_sitemap]),
            "robots.txt": self._render("robots.txt", base_url=base_url),
            "changes.xml": self._render("changes.xml", base_url=base_url, changes=self.directory.changes,
                                        updated=changes.feed_updated(self.directory.changes,
                                                                     self.directory.config.framework.last_refreshed)),
        }
        for asset in sorted((self.templates / "assets").iterdir()):
            files[f"assets/{asset.name}"] = asset.read_bytes()
        return files

    def _render(self, template: str, **context) -> bytes:
        return self.env.get_template(template).render(**context).encode()


def render_site(directory: Directory, templates: Path, exports: dict[str, bytes]) -> dict[str, bytes]:
    """Every page and file the site has, in memory, given the open-data files: for small sites and tests."""
    renderer = SiteRenderer(directory, templates)
    data_page = renderer.data_page({path: len(data) for path, data in exports.items()})
    files = {spec.path: renderer.render(spec) for spec in [*renderer.specs, data_page]}
    files.update(renderer.site_files(data_page))
    return files


def make_environment(templates: Path, directory: Directory) -> jinja2.Environment:
    # auto_reload off: Jinja would look at each template file's time for every page. The memo makes
    # a new environment whenever a template changes (serve), and a build reads each template once.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), autoescape=True, auto_reload=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    if _escape_inner:
        env.template_class = _Template
    markup = Renderer(directory.abbreviations)
    env.filters.update(present.FILTERS, markdown=markup.markdown, text=markup.text)
    env.globals.update(site=directory.config.site, framework=directory.config.framework,
                       vocab=directory.config.vocabularies, labels=present.LABELS,
                       footer_pages=directory.pages)
    env.globals["repeat"] = _repeat(env, directory.memo)
    return env


class _Template(jinja2.Template):
    """A template whose `{{ value }}`s are escaped by `_escape` instead of markupsafe's `escape`."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled template looks `escape` up among its module's globals each time it is called.
        template.root_render_func.__globals__["escape"] = _escape
        return template


def _escape(value) -> Markup:
    """markupsafe.escape(value), the same Markup, without a call to Markup.__new__ (which is Python):
    a provider's page escapes about 170 values, and its template takes 12% less time (340 to 300 us)."""
    if type(value) is str:
        return _NEW_STR(Markup, _escape_inner(value))
    if hasattr(value, "__html__"):
        return _NEW_STR(Markup, value.__html__())
    return _NEW_STR(Markup, _escape_inner(str(value)))


_NEW_STR = str.__new__


def _repeat(env: jinja2.Environment, memo: Memo):
    """`repeat(macro, first, items)`: `macro(first, item)` (a macro of macros.html) for each
    item, each followed by a line break. Lists of providers repeat the same cards across dozens of
    pages: each is made once per item and first argument (and kept in the `memo`, as is the list),
    and joined here rather than in a template loop, which costs more than the cards at 10,000
    providers."""

    def repeat(name: str, first: str, items) -> Markup:
        macro = getattr(env.get_template("macros.html").module, name)
        return memo.joined((name, first), items, lambda: Markup("".join(
            memo.each((name, first), items, lambda item: f"{macro(first, item)}\n"))))
    return repeat


def render_page(env: jinja2.Environment, spec: PageSpec, directory: Directory) -> str:
    depth = spec.path.count("/")
    root = "../" * depth if depth else "./"
    if spec.path == "404.html":  # served at any missing address, so links must be absolute
        root = urlsplit(directory.config.site.base_url).path
    return env.get_template(spec.template).render(
        page=spec, root=root, canonical=directory.config.site.base_url + spec.url_path, **spec.context)


def page_specs(directory: Directory) -> list[PageSpec]:
    """Every page but the Data page."""
    lots = _lots_with_providers(directory)  # each lot with its providers, for three kinds of page
    home = [("Home", "")]
    lots_crumbs = home + [("Lots", "lots/")]
    az_crumbs = home + [("Providers A to Z", "providers/")]
    specs = [
        PageSpec("index.html", "home.html", directory.config.site.title,
                 context={"intro": directory.home, "lots": lots}),
        PageSpec("lots/index.html", "lots.html", "Lots", home,
                 context={"lots": lots}),
        PageSpec("providers/index.html", "providers.html", "Providers A to Z", home,
                 context={"groups": _a_to_z(directory), "count": len(directory.providers)}),
        PageSpec("glossary/index.html", "glossary.html", "Glossary", home,
                 context={"entries": _glossary_anchors(directory)}),
        PageSpec("404.html", "404.html", "Page not found", in_sitemap=False),
        PageSpec("changes/index.html", "changes.html", "What's changed", home,
                 context={"sections": changes.sections(directory.changes)}),
    ]
    specs += _find_pages(directory)
    for lot, providers in lots:
        specs.append(PageSpec(f"lots/{lot.slug}/index.html", "lot.html",
                              f"Lot {lot.data.number}: {lot.data.title}", lots_crumbs,
                              context={"lot": lot, "providers": providers}))
    specs += directory.memo.each("page", directory.providers, lambda provider: PageSpec(
        f"providers/{provider.slug}/index.html", "provider.html", provider.data.name, az_crumbs,
        context={"provider": provider, "p": provider.data,
                 "offers": [(directory.lot(offer.lot), offer) for offer in provider.data.lots]},
        source=provider.path))
    for page in directory.pages:
        specs.append(PageSpec(f"{page.slug}/index.html", "page.html", page.data.title, home,
                              context={"entry": page}))
    return specs


def _find_pages(directory: Directory) -> list[PageSpec]:
    """/find/ (search and filters, every provider with its facts) and a static page per filter option."""
    cards = directory.memo.each("card facts", directory.providers, lambda p: provider_card(directory, p))
    facets = build_facets(directory, cards)
    find_crumbs = [("Home", ""), ("Find a provider", "find/")]
    specs = [PageSpec("find/index.html", "find.html", "Find a provider", [("Home", "")],
                      context={"facets": facets, "matches": [Match(card, card.offers) for card in cards]})]
    for facet in facets:
        for option in facet.options:
            if option.count:
                specs.append(PageSpec(
                    f"find/{facet.key}/{option.value}/index.html", "find_option.html",
                    facet.title(option), find_crumbs,
                    context={"facets": facets, "facet": facet, "option": option,
                             "providers": option.providers}))
    return specs


def _lots_with_providers(directory: Directory) -> list[tuple]:
    on_lot = directory.memo.grouped("lots", directory.providers,
                                    lambda p: dict.fromkeys(offer.lot for offer in p.data.lots))
    return [(lot, on_lot.get(lot.data.number, [])) for lot in directory.lots]


def _glossary_anchors(directory: Directory) -> list[tuple[str, object]]:
    """Each entry with a unique id for links such as glossary/#semh."""
    anchors: dict[str, object] = {}
    for entry in directory.glossary:
        anchor = re.sub(r"[^a-z0-9]+", "-", (entry.abbr or entry.term).lower()).strip("-")
        while anchor in anchors:
            anchor += "-2"
        anchors[anchor] = entry
    return list(anchors.items())


def _a_to_z(directory: Directory) -> list[tuple[str, list]]:
    """Providers grouped by first letter ("0-9" for names that start with a digit)."""
    return list(directory.memo.grouped("a to z", directory.providers, _letter).items())


def _letter(provider) -> tuple[str]:
    first = provider.data.name[:1].upper()
    return (first if first.isalpha() else "0-9",)
