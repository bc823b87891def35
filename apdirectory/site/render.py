"""Render stage: the directory -> every output file, one page at a time, keyed by site path.

Each page gets `root`, the relative path back to the site root, so the site works on any host
and under any sub-path (GitHub Pages serves it under /<repository>/).
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from apdirectory.site import changes, checks, opendata, present
from apdirectory.reading.load import Entry
from apdirectory.reading.models import Lot, Provider
from apdirectory.site.directory import Directory
from apdirectory.site.facets import Match, build_facets, provider_card
from apdirectory.site.markup import BLOCK_MARK, FirstUses, Renderer


DATA_PAGE = "data/index.html"


@dataclass(frozen=True)
class PageSpec:
    path: str  # output path, such as "providers/kestrel/index.html"
    template: str
    title: str
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)  # (label, path from root) above this page
    context: dict = field(default_factory=dict)
    in_sitemap: bool = True
    description: str = ""  # the meta description: plain text, cut to length by present.description

    @property
    def url_path(self) -> str:
        """The page's address below the site root: "providers/kestrel/"."""
        return self.path.removesuffix("index.html")


class SiteRenderer:
    """Renders the site's pages one by one, then the Data page, which needs the sizes of the
    downloads, and the files that list every page."""

    def __init__(self, directory: Directory, templates: Path):
        self.directory = directory
        self.templates = templates
        self.env = make_environment(templates, directory)
        self.first_uses = FirstUses(directory.abbreviations)

    @cached_property
    def specs(self) -> list[PageSpec]:
        return page_specs(self.directory)

    def render(self, spec: PageSpec) -> bytes:
        with self.env.globals["repeat"].collecting() as blocks:
            page = render_page(self.env, spec, self.directory)
        return self.first_uses(page, blocks).encode()

    def data_page(self, download_sizes: dict[str, int]) -> PageSpec:
        return PageSpec(DATA_PAGE, "data.html", "Open data", [("Home", "")],
                        context=opendata.data_page_context(self.directory, download_sizes))

    def site_files(self, data_page: PageSpec) -> dict[str, bytes]:
        """The sitemap, robots.txt, the changes feed and the assets."""
        return {**self.lists(data_page), **self.assets()}

    def lists(self, data_page: PageSpec) -> dict[str, bytes]:
        """The sitemap, robots.txt and the changes feed."""
        base_url = self.directory.config.site.base_url
        return {
            "sitemap.xml": self._render("sitemap.xml", base_url=base_url,
                                        pages=[s for s in [*self.specs, data_page] if s.in_sitemap]),
            "robots.txt": self._render("robots.txt", base_url=base_url),
            "changes.xml": self._render("changes.xml", base_url=base_url, changes=self.directory.changes,
                                        updated=changes.feed_updated(self.directory.changes,
                                                                     self.directory.config.framework.last_refreshed)),
        }

    def assets(self) -> dict[str, bytes]:
        """templates/assets/, as assets/, and the icon."""
        files = {f"assets/{asset.name}": asset.read_bytes() for asset in sorted((self.templates / "assets").iterdir())}
        # Where the site is a host's root, browsers ask for /favicon.ico without reading any page.
        files["favicon.ico"] = (self.templates / "favicon.ico").read_bytes()
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
    # auto_reload off: Jinja would look at each template file's time for every page; each build
    # makes its own environment, so a changed template is always read again.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), autoescape=True, auto_reload=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    markup = Renderer(directory.abbreviations)
    env.filters.update(present.FILTERS, markdown=markup.markdown, text=markup.text)
    env.globals.update(site=directory.config.site, framework=directory.config.framework,
                       vocab=directory.config.vocabularies, labels=present.LABELS,
                       footer_pages=directory.pages)
    env.globals["repeat"] = Repeat(env)
    return env


class Repeat:
    """`repeat(macro, first, items)`: `macro(first, item)` (a macro of macros.html) for each
    item, each followed by a line break, joined in one call rather than in a template loop.

    The same card stands on dozens of filter pages (facets.Match objects are shared), so each
    item's output is made once per build: the environment, and so this cache, lives for one build.
    An entry keeps its item, so that no other object can take its id meanwhile.

    While a page is made `collecting()`, the items are kept aside, for markup.FirstUses to look at
    each once, and a mark stands in the page where they go."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.made: dict[tuple[str, str, int], tuple[object, str]] = {}
        self.local = threading.local()  # the preview makes pages in several threads at once

    def __call__(self, name: str, first: str, items) -> Markup:
        macro = getattr(self.env.get_template("macros.html").module, name)
        made = [self._one(macro, name, first, item) for item in items]
        blocks = getattr(self.local, "blocks", None)
        if blocks is None:
            return Markup("".join(made))
        blocks.append(made)
        return Markup(BLOCK_MARK)

    @contextmanager
    def collecting(self) -> Iterator[list[list[str]]]:
        self.local.blocks = []
        try:
            yield self.local.blocks
        finally:
            self.local.blocks = None

    def _one(self, macro, name: str, first: str, item) -> str:
        key = (name, first, id(item))
        if key not in self.made:
            self.made[key] = (item, f"{macro(first, item)}\n")
        return self.made[key][1]


def render_page(env: jinja2.Environment, spec: PageSpec, directory: Directory) -> str:
    depth = spec.path.count("/")
    root = "../" * depth if depth else "./"
    if spec.path == "404.html":  # served at any missing address, so links must be absolute
        root = urlsplit(directory.config.site.base_url).path
    return env.get_template(spec.template).render(
        page=spec, root=root, canonical=directory.config.site.base_url + spec.url_path, **spec.context)


def page_specs(directory: Directory) -> list[PageSpec]:
    """Every page but the Data page, in the sitemap's order."""
    first, rest = _listing_pages(directory), _entry_pages(directory)
    return [*first, *find_pages(directory), *rest]


def pages_but_find(directory: Directory) -> list[PageSpec]:
    """Every page but the Data page and those of "Find a provider", which take longest to list."""
    return [*_listing_pages(directory), *_entry_pages(directory)]


def _listing_pages(directory: Directory) -> list[PageSpec]:
    lots = _lots_with_providers(directory)  # each lot with its providers, for three kinds of page
    site, framework = directory.config.site, directory.config.framework
    count = _providers(len(directory.providers))
    home = [("Home", "")]
    return [
        PageSpec("index.html", "home.html", site.title,
                 description=_described(directory.home.data.summary if directory.home else None,
                                        f"{site.council}'s directory of alternative provision: {count}."),
                 context={"intro": directory.home, "lots": lots}),
        PageSpec("lots/index.html", "lots.html", "Lots", home,
                 description=_described(f"The {len(lots)} lots of the {framework.name}, each one kind of "
                                        "provision, with the providers on each."),
                 context={"lots": lots}),
        PageSpec("providers/index.html", "providers.html", "Providers A to Z", home,
                 description=_described(f"Every provider on the {framework.name} from A to Z: {count}."),
                 context={"groups": _a_to_z(directory), "count": len(directory.providers)}),
        PageSpec("glossary/index.html", "glossary.html", "Glossary", home,
                 description=_described(f"What the words and abbreviations on the {site.title} mean."),
                 context={"entries": _glossary_anchors(directory)}),
        PageSpec("404.html", "404.html", "Page not found", in_sitemap=False,
                 description=_described(f"There is no page at this address on the {site.title}.")),
        PageSpec("changes/index.html", "changes.html", "What's changed", home,
                 description=_described("Providers that joined, left or changed since the framework was last "
                                        f"refreshed on {present.date_text(framework.last_refreshed)}."),
                 context={"sections": changes.sections(directory.changes)}),
        PageSpec("compare/index.html", "compare.html", "Compare providers", home,
                 description=_described(f"Compare up to {present.COMPARE_MOST} providers on the {framework.name} "
                                        "side by side, and print a pack for the placement panel."),
                 context={"labels": present.compare_labels(directory.config, directory.lots),
                          "most": present.COMPARE_MOST}),
    ]


def _entry_pages(directory: Directory) -> list[PageSpec]:
    """A page for each lot, each provider and each plain page."""
    specs = [lot_page(lot, providers) for lot, providers in _lots_with_providers(directory)]
    specs += [provider_page(directory, provider) for provider in directory.providers]
    title = directory.config.site.title
    specs += [PageSpec(f"{page.slug}/index.html", "page.html", page.data.title, [("Home", "")],
                       description=_described(page.data.summary, f"{page.data.title}: {title}."),
                       context={"entry": page})
              for page in directory.pages]
    return specs


def lot_page(lot: Entry[Lot], providers: list[Entry[Provider]]) -> PageSpec:
    return PageSpec(f"lots/{lot.slug}/index.html", "lot.html", f"Lot {lot.data.number}: {lot.data.title}",
                    [("Home", ""), ("Lots", "lots/")], description=_described(lot.data.summary),
                    context={"lot": lot, "providers": providers})


def provider_page(directory: Directory, provider: Entry[Provider]) -> PageSpec:
    return PageSpec(f"providers/{provider.slug}/index.html", "provider.html", provider.data.name,
                    [("Home", ""), ("Providers A to Z", "providers/")],
                    description=_described(provider.data.summary),
                    context=_provider_context(directory, provider))


def _provider_context(directory: Directory, provider: Entry[Provider]) -> dict:
    p = provider.data
    return {"provider": provider, "p": p,
            "offers": [(directory.lot(offer.lot), offer, _vacancies(directory, offer)) for offer in p.lots],
            "checks": checks.provider_checks(directory, p), "stale": checks.stale(directory, p),
            "review": directory.config.review, "report_url": checks.report_mistake_url(directory, provider)}


def _vacancies(directory: Directory, offer) -> str:
    """The offer's vacancies as its page shows them, or "" if none are given."""
    if offer.vacancies is None:
        return ""
    return present.vacancies_text(offer.vacancies, checks.current(directory, offer.vacancies))


def find_pages(directory: Directory) -> list[PageSpec]:
    """/find/ (search and filters, every provider with its facts) and a static page per filter option."""
    cards = [provider_card(directory, p) for p in directory.providers]
    facets = build_facets(directory, cards)
    find_crumbs = [("Home", ""), ("Find a provider", "find/")]
    specs = [PageSpec("find/index.html", "find.html", "Find a provider", [("Home", "")],
                      description=_described(f"Search and filter the {_providers(len(cards))} on the "
                                             f"{directory.config.framework.name} by lot, age, need, area, "
                                             "subject and more."),
                      context={"facets": facets, "matches": [Match(card, card.offers) for card in cards]})]
    for facet in facets:
        for option in facet.options:
            if option.count:
                specs.append(PageSpec(
                    f"find/{facet.key}/{option.value}/index.html", "find_option.html",
                    facet.title(option), find_crumbs,
                    description=_described(f"{facet.title(option)}. {option.count} of the {_providers(len(cards))} "
                                           f"on the {directory.config.framework.name} "
                                           f"{'matches' if option.count == 1 else 'match'}."),
                    context={"facets": facets, "facet": facet, "option": option,
                             "providers": option.providers}))
    return specs


def _described(text: str | None, otherwise: str = "") -> str:
    return present.description(text or otherwise)


def _providers(count: int) -> str:
    return f"{count} provider{'' if count == 1 else 's'}"


def _lots_with_providers(directory: Directory) -> list[tuple]:
    on_lot: dict[int, list] = {}
    for p in directory.providers:
        for number in dict.fromkeys(offer.lot for offer in p.data.lots):
            on_lot.setdefault(number, []).append(p)
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
    groups: dict[str, list] = {}
    for provider in directory.providers:
        first = provider.data.name[:1].upper()
        groups.setdefault(first if first.isalpha() else "0-9", []).append(provider)
    return list(groups.items())
