"""The preview (`build.py serve`) in Chromium: the open page shows a saved change by itself, and a
save with a mistake shows the mistake in an accessible dialog over the last good version until it
is fixed. A real serve process on 127.0.0.1, on a copy of the project."""
from __future__ import annotations

import pytest
from browser import axe_violations, describe
from test_serve import PAGE, SUMMARY, Server

from apdirectory.checking.problems import Problem
from apdirectory.reading.sources import read_source

WAIT_MS = 60_000  # only a guard against hanging: never a measure
ENTRY = "content/providers/kestrel-learning-centre.md"


@pytest.fixture
def server(project):
    running = Server(project)
    yield running
    running.stop()


def edit(project, old: str, new: str) -> None:
    path = project / ENTRY
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def status_problem(project, status: str) -> str:
    """The message check gives for a status that is not one: the file, its line, the field."""
    line = read_source(project, ENTRY, front_matter=True).line(("status",))
    return str(Problem(ENTRY, line, "status", f"'{status}' is not a status (one of active, paused, withdrawn)"))


def test_the_open_page_shows_a_saved_change_by_itself(server, project, open_tab):
    tab = open_tab()
    tab.page.goto(server.url + PAGE)
    assert tab.page.get_by_text("Small-group full-time education").first.is_visible()
    edit(project, SUMMARY, "summary: Newly revised small-group education")
    tab.page.get_by_text("Newly revised small-group education").first.wait_for(timeout=WAIT_MS)
    assert tab.page.get_by_role("dialog").count() == 0
    assert tab.errors == []


def test_a_mistake_shows_in_a_dialog_until_it_is_fixed(server, project, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(server.url + PAGE)
    page.get_by_role("link", name="Providers A to Z").first.focus()
    edit(project, "status: active", "status: <b>open</b>")

    dialog = page.get_by_role("dialog", name="Your change was not shown: 1 mistake to fix")
    dialog.wait_for(timeout=WAIT_MS)
    # The message exactly as check prints it, shown as text: what was typed is never markup.
    assert dialog.get_by_role("listitem").all_inner_texts() == [status_problem(project, "<b>open</b>")]
    assert dialog.locator("b").count() == 0
    # Focus moves into the dialog, to its heading, so that a screen reader says first what happened.
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    assert page.evaluate("document.activeElement.tagName") == "H2"
    assert describe(axe_violations(page)) == ""
    # Behind it, the last good version.
    assert page.get_by_text("Small-group full-time education").first.is_visible()

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Close"
    page.keyboard.press("Escape")
    assert dialog.count() == 0 or not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Providers A to Z", "focus back where it was"

    # Fixed: the page reloads, showing the change, with no dialog.
    edit(project, "status: <b>open</b>", "status: active")
    edit(project, SUMMARY, "summary: Mended and revised small-group education")
    page.get_by_text("Mended and revised small-group education").first.wait_for(timeout=WAIT_MS)
    assert page.get_by_role("dialog").count() == 0
    assert tab.errors == []


def test_a_page_opened_after_the_mistake_shows_it_too(server, project, open_tab):
    edit(project, "status: active", "status: open")
    server.wait_for("Still serving the last good version")
    tab = open_tab()
    tab.page.goto(server.url + "providers/")
    dialog = tab.page.get_by_role("dialog")
    dialog.wait_for(timeout=WAIT_MS)
    assert dialog.get_by_role("listitem").all_inner_texts() == [status_problem(project, "open")]
    dialog.get_by_role("button", name="Close").click()
    assert not dialog.is_visible()
    assert tab.errors == []


def test_tabs_closing_while_listening_leave_no_traceback(server, project, open_tab):
    for _ in range(3):
        tab = open_tab()
        with tab.page.expect_request(lambda request: request.url.endswith("/_preview/events"), timeout=WAIT_MS):
            tab.page.goto(server.url + PAGE)
        tab.page.context.close()  # the events stream is cut off
    # Two saves: a write to a closed connection may pass once, before the other side says it is closed.
    edit(project, SUMMARY, "summary: Revised with no one looking")
    server.wait_for("Rebuilt")
    edit(project, "Revised with no one looking", "Revised again with no one looking")
    server.wait_for("Rebuilt")
    assert "Revised again with no one looking" in server.get(PAGE)
    printed = "\n".join(server.printed())
    assert "Traceback" not in printed and "Error" not in printed, printed
