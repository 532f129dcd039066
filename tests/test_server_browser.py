"""The query page in a real browser: the bundled editor works with no network at all.

Needs Chromium (`apt-get install -y chromium`) and the playwright Python package; skipped with a
reason when either is absent.
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from conftest import requires_chromium

from test_server import FIXTURE, running_server

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def url():
    with running_server("--data", str(FIXTURE)) as (base, _process):
        yield base


def test_query_page_runs_a_library_question_offline(browser, url):
    page = browser.new_page()
    requests: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []

    def route(route_):
        if urlparse(route_.request.url).netloc != urlparse(url).netloc:
            blocked.append(route_.request.url)
            return route_.abort()
        return route_.continue_()

    page.route("**/*", route)
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    buttons = page.locator("button.question")
    assert buttons.count() >= 1
    buttons.first.click()
    page.wait_for_selector(".yasr .dataTable tbody tr, .yasr_results .dataTable tbody tr",
                           timeout=15000)
    rows = page.locator(".yasr .dataTable tbody tr").count()
    assert rows >= 1
    assert blocked == [], blocked
    assert all(urlparse(r).netloc == urlparse(url).netloc or r.startswith(("data:", "blob:"))
               for r in requests), requests
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_resource_page_renders_in_the_browser(browser, url):
    page = browser.new_page()
    page.goto(url + "/resource/liugong")
    assert page.locator("h1").first.inner_text().startswith("柳工")
    assert page.locator("mark").count() >= 1
    page.close()


def test_editor_marks_no_library_question_as_an_error(browser, url):
    """Each library question carries its own PREFIX lines, so YASQE's own parser accepts it as it
    is; a query leaning on the server's predeclared prefixes is what it would flag."""
    page = browser.new_page()
    page.goto(url + "/", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    verdicts = page.evaluate("""() => {
        const questions = JSON.parse(document.getElementById("questions-data").textContent);
        const yasqe = window.liuzhouYasgui.getTab().getYasqe();
        const check = (text) => {
            yasqe.setValue(text);
            yasqe.checkSyntax();
            const marked = document.querySelectorAll(".CodeMirror-gutter-elt .error, "
                + ".gutterErrorBar .error, .CodeMirror-gutter-elt [class*=error]").length;
            return {valid: yasqe.queryValid, marked: marked};
        };
        const result = {};
        questions.forEach((q) => { result[q.name] = check(q.query); });
        result["(no prologue)"] = check("SELECT * WHERE { ?s a lzo:Enterprise }");
        return result;
    }""")
    page.close()
    control = verdicts.pop("(no prologue)")
    assert control["valid"] is False, control
    assert len(verdicts) >= 25
    flagged = {name: v for name, v in verdicts.items() if not v["valid"] or v["marked"]}
    assert flagged == {}
