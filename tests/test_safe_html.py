"""Content cannot inject markup, every page carries a strict Content Security Policy, and links to
other sites do not hand them the page (rel="noopener noreferrer").

The injection test puts every string of tests/xss/vectors.yaml (the OWASP XSS filter evasion list,
and the same attacks written as Markdown) into every Markdown and text field of a provider, and into
lot and page bodies and the glossary, builds the site for real, and reads every page back.
"""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
import yaml
from conftest import REPO, TODAY, copy_project, run_build
from htmlpage import Page, html_files
from markupsafe import Markup

from apdirectory import pipeline
from apdirectory.site.directory import build_directory
from apdirectory.site.render import make_environment

VECTORS = yaml.safe_load((Path(__file__).parent / "xss/vectors.yaml").read_text(encoding="utf-8"))
ALL_VECTORS = VECTORS["owasp"] + VECTORS["markdown"]
# What Markdown may produce (the allow-list): anything else must have come from the templates.
MARKDOWN_TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code", "pre",
                 "blockquote", "table", "thead", "tbody", "tr", "th", "td", "abbr", "hr"}
MARKDOWN_ATTRIBUTES = {"a": {"href", "rel"}, "abbr": {"title"}}
# Elements that run, load or restyle things: only the templates' own, exactly as in the clean site.
ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "form", "object", "embed", "applet", "svg", "math",
               "style", "link", "meta", "base", "input", "button", "textarea", "select", "img", "bgsound", "xml"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "data", "poster", "lowsrc", "dynsrc",
                  "cite", "srcset", "xlink:href", "ping"}
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
HOSTILE_URL = 'https://xss.example.org/"><script>alert(1)</script>'  # a web address that passes the https check


def hostile_provider(template: dict, number: int, vector: str) -> str:
    """A provider file with `vector` in every field that takes text or Markdown."""
    data = yaml.safe_load(yaml.safe_dump(template))  # a deep copy
    data["name"] = f"XSS {number} {vector}"
    data["summary"] = vector[:200]
    data["organisation"].update(legal_name=vector, website=HOSTILE_URL)
    data["registration"]["ofsted_report"] = HOSTILE_URL
    data["contact"]["referrals"]["name"] = vector
    data["contact"]["safeguarding_lead"]["name"] = vector
    for place in data["locations"]:
        place.update(name=vector, address=[vector, "Bury"], travel=vector)
    data["how_to_refer"] = vector
    for offer in data["lots"]:
        offer.update(offer=vector, qualifications=[vector])
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{vector}\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    kestrel = root / "content/providers/kestrel-learning-centre.md"
    template = yaml.safe_load(kestrel.read_text(encoding="utf-8").split("---\n")[1])
    for number, vector in enumerate(ALL_VECTORS, start=1):
        (root / f"content/providers/xss-{number:03}.md").write_text(
            hostile_provider(template, number, vector), encoding="utf-8")
    every_vector = "\n\n".join(ALL_VECTORS) + "\n"
    for path in [*sorted((root / "content/lots").glob("*.md")), root / "content/pages/privacy.md"]:
        path.write_text(path.read_text(encoding="utf-8") + "\n" + every_vector, encoding="utf-8")
    glossary = root / "content/glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + yaml.safe_dump([
        {"term": ALL_VECTORS[1], "meaning": '" onmouseover="alert(1)" x="', "abbr": "XSS"},
        {"term": "Evasion", "meaning": ALL_VECTORS[0], "abbr": '"><svg onload=alert(1)>'}], allow_unicode=True))
    out = root / "_site"
    result = run_build("build", "--output", str(out), root=root)
    assert result.returncode == 0, result.stderr
    return out


def signature(tag: str, attrs: dict) -> tuple:
    """An element as the templates write it, with the parts that differ from page to page left out."""
    attrs = {name: re.sub(r"^(\./|(\.\./)+)", "", value or "") for name, value in attrs.items()}
    if tag == "meta" and attrs.get("name") == "description":
        attrs["content"] = "*"
    if tag == "link" and attrs.get("rel") == "canonical":
        attrs["href"] = "*"
    if "data-total" in attrs:  # a filter's count of providers: a number the template writes
        attrs["data-total"] = "*"
    if "data-shortlist" in attrs:  # a shortlist button: the provider's slug and name, escaped by the template
        attrs["data-shortlist"] = attrs["data-name"] = "*"
    return tag, tuple(sorted(attrs.items()))


def vocabulary(site: Path) -> tuple[dict[str, set[str]], set[tuple]]:
    """The clean site's elements with their attribute names, and its active elements exactly."""
    attributes: dict[str, set[str]] = {}
    active = set()
    for path in html_files(site):
        for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
            attributes.setdefault(tag, set()).update(attrs)
            if tag in ACTIVE_TAGS:
                active.add(signature(tag, attrs))
    return attributes, active


def injected(page: Page, attributes: dict[str, set[str]], active: set[tuple]) -> list[str]:
    """Everything on a page that neither the templates nor the Markdown allow-list could have made."""
    found = []
    for tag, attrs in page.tags:
        allowed = attributes.get(tag, set()) | MARKDOWN_ATTRIBUTES.get(tag, set())
        if tag not in attributes and tag not in MARKDOWN_TAGS:
            found.append(f"element <{tag}>")
        if tag in ACTIVE_TAGS and signature(tag, attrs) not in active:
            found.append(f"active element <{tag} {attrs}>")
        found += [f"attribute {name} on <{tag}>" for name in attrs if name not in allowed or name.startswith("on")]
        for name, value in attrs.items():
            bare = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and bare.startswith(BAD_SCHEMES):
                found.append(f"{name}={value!r} on <{tag}>")
    return found


def test_no_injected_element_attribute_or_link_on_any_page(site, hostile_site):
    attributes, active = vocabulary(site)
    pages = html_files(hostile_site)
    assert len(pages) > len(ALL_VECTORS)
    problems = []
    for path in pages:
        text = path.read_text(encoding="utf-8")
        parsed = Page(text)
        problems += [f"{path.relative_to(hostile_site)}: {what}" for what in injected(parsed, attributes, active)]
        # What a browser might read as a tag even where this parser does not.
        raw = len(re.findall(r"<\s*/?\s*(?:script|iframe|form|object|embed|svg|style|math|base|frame)\b", text, re.I))
        parsed_active = sum(1 for tag, _ in parsed.tags if tag in {"script", "iframe", "form", "object", "embed",
                                                                    "svg", "style", "math", "base", "frame"})
        if raw > 2 * parsed_active:  # an opening and a closing tag for each of the templates' own
            problems.append(f"{path.relative_to(hostile_site)}: {raw} raw active tags")
    assert not problems, "\n".join(problems[:50])


@pytest.mark.parametrize("number", [1, 5, 29, 57, 105])
def test_text_fields_show_the_attack_as_text(hostile_site, number):
    """Escaped, not dropped: what a provider wrote as plain text is shown to the reader as written."""
    vector = ALL_VECTORS[number - 1]
    text = Page((hostile_site / f"providers/xss-{number:03}/index.html").read_text(encoding="utf-8")).text
    assert " ".join(vector.split()) in text


def test_every_vector_became_a_provider_page(hostile_site):
    built = {path.parent.name for path in (hostile_site / "providers").glob("xss-*/index.html")}
    assert len(built) == len(ALL_VECTORS)


def csp_of(page: Page) -> dict[str, list[str]]:
    policies = [attrs.get("content", "") for tag, attrs in page.tags
                if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(policies) == 1, policies
    return {directive.split()[0]: directive.split()[1:] for directive in policies[0].split(";") if directive.strip()}


def test_every_page_forbids_inline_script_and_other_origins(site):
    for path in html_files(site):
        page = Page(path.read_text(encoding="utf-8"))
        policy = csp_of(page)
        assert policy["default-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], path
        sources = {source for values in policy.values() for source in values}
        assert sources <= {"'self'", "'none'", "'wasm-unsafe-eval'"}, f"{path}: {sources}"
        # What the policy forbids must not be needed: no inline script or style anywhere.
        assert not any(tag == "script" and "src" not in attrs for tag, attrs in page.tags), path
        assert not any(tag == "style" or "style" in attrs for tag, attrs in page.tags), path


def test_links_to_other_sites_carry_noopener_noreferrer(site, hostile_site):
    checked = 0
    for folder in (site, hostile_site):
        for path in html_files(folder):
            for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
                if tag == "a" and re.match(r"https?://", attrs.get("href") or ""):
                    assert {"noopener", "noreferrer"} <= set((attrs.get("rel") or "").split()), f"{path}: {attrs}"
                    checked += 1
    assert checked > 100


class _Html:
    def __html__(self):
        return "<em>already safe</em>"


class _Shown:
    def __str__(self):
        return "<b>&\"'</b>"


class _Text(str):
    pass


def test_templates_escape_every_kind_of_value_as_jinja_does():
    """The site's templates escape values by a faster way of their own: the same text as Jinja's."""
    values = {"text": "<script>alert('x') & \"y\"</script>", "markup": Markup("<i>kept</i>"), "number": 3.5,
              "html": _Html(), "shown": _Shown(), "subclass": _Text("<u>"), "none": None, "empty": ""}
    source = "".join(f"{{{{ {name} }}}}|" for name in values) + "{{ text | upper }}"
    ours = make_environment(REPO / "templates", build_directory(pipeline.check(REPO, TODAY).content, TODAY))
    expected = jinja2.Environment(autoescape=True).from_string(source).render(**values)
    assert ours.from_string(source).render(**values) == expected
    assert "&lt;script&gt;" in expected and "<i>kept</i>" in expected and "<em>already safe</em>" in expected
