"""The explorer page in a real browser (Debian's chromium driven by Playwright), offline.

Every network request is blocked and recorded; the page must need none. Screenshots are saved
under test-artifacts/ (git-ignored). Skipped with a reason when chromium or playwright is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import requires_chromium

from liuzhou_kg.explore import write_explorer
from liuzhou_kg.explore.oxi import dataset_from_store
from liuzhou_kg.explore.synthetic import synthetic_dataset
from liuzhou_kg.store.load import load_memory_store
from test_explorer_support import ARTIFACTS, HOSTILE, LIUGONG, LZO, load, real_dist  # noqa: F401

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def real_page_file(real_dist, tmp_path_factory):
    """The real build's graph, plus labels carrying script payloads, as an explorer page."""
    dataset = dataset_from_store(load_memory_store(Path(real_dist) / "liuzhou.trig"))
    for quad in load(HOSTILE).quads((None, None, None, None)):
        dataset.add(quad)
    out = tmp_path_factory.mktemp("browser") / "graph.html"
    stats = write_explorer(dataset, out)
    return out, stats


class Recorder:
    def __init__(self, allowed: str):
        self.allowed = allowed
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url == self.allowed:
            return route.continue_()
        self.blocked.append(url)
        return route.abort()

    def dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def open_page(browser, path: Path, timeout: float = 20000):
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    rec = Recorder(path.as_uri())
    page.route("**/*", rec.route)
    page.on("console", lambda m: rec.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: rec.errors.append(str(e)))
    page.on("dialog", rec.dialog)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.kgExplorer && window.kgExplorer.ready", timeout=timeout)
    return page, rec


def assert_clean(rec: Recorder):
    assert rec.blocked == [], "the page asked the network for something"
    assert rec.requests == [rec.allowed]
    assert rec.errors == []
    assert rec.dialogs == []


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def node_id(page, iri: str) -> int:
    return page.evaluate("iri => kgExplorer.data.nodes.findIndex(n => n.iri === iri)", iri)


def wait_centred_on(page, nid: int):
    page.wait_for_function(
        """id => { const n = kgExplorer.network; const p = n.getPositions([id])[id];
                  const v = n.getViewPosition(); return Math.hypot(p.x - v.x, p.y - v.y) < 1; }""",
        arg=nid, timeout=5000)


def test_the_page_draws_every_node_of_the_graph_offline(browser, real_page_file):
    path, stats = real_page_file
    page, rec = open_page(browser, path)
    drawn = page.evaluate("""() => ({
        nodes: kgExplorer.network.body.nodeIndices.length,
        edges: kgExplorer.network.body.edgeIndices.length,
        dataset: kgExplorer.nodes.length })""")
    assert drawn == {"nodes": stats["nodes"], "edges": stats["edges"], "dataset": stats["nodes"]}
    assert stats["nodes"] > 100
    # something was painted: count non-background pixels of the canvas
    inked = page.evaluate("""() => { const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200)) n++;
        return n; }""")
    assert inked > 2000
    assert page.locator("#legend li").count() == len(stats["classes"])
    assert page.locator("#counts").inner_text().startswith(f"显示 {stats['nodes']} / {stats['nodes']}")
    screenshot(page, "explorer-graph.png")
    assert_clean(rec)
    page.close()


def test_searching_liugong_focuses_it_and_shows_its_source(browser, real_page_file):
    path, _ = real_page_file
    page, rec = open_page(browser, path)
    page.fill("#search", "柳工")
    page.press("#search", "Enter")
    liugong = node_id(page, LIUGONG)
    assert liugong >= 0
    wait_centred_on(page, liugong)
    assert page.evaluate("kgExplorer.network.getSelectedNodes()") == [liugong]
    panel = page.locator("#panel-body").inner_text()
    assert "柳工" in panel and "LiuGong" in panel
    assert "柳工大吨位装载机" in panel  # the source sentence
    assert "2014" in panel  # its section
    screenshot(page, "explorer-search-liugong.png")
    # hovering shows a tooltip with type and sentence
    xy = page.evaluate("id => kgExplorer.network.canvasToDOM(kgExplorer.network.getPositions([id])[id])", liugong)
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_selector("#tooltip:not([hidden])", timeout=5000)
    tip = page.locator("#tooltip").inner_text()
    assert "柳工" in tip and "企业" in tip and "柳工大吨位装载机" in tip
    # the English label finds it too, whatever the case
    page.evaluate("kgExplorer.network.unselectAll()")
    page.fill("#search", "liugong")
    page.click("#search-button")
    assert page.evaluate("kgExplorer.network.getSelectedNodes()") == [liugong]
    assert_clean(rec)
    page.close()


def test_a_class_filter_hides_the_other_classes(browser, real_page_file):
    path, stats = real_page_file
    page, rec = open_page(browser, path)
    page.click("#classes-none")
    page.check(f'input[data-class="{LZO}Enterprise"]')
    shown = page.evaluate("""() => {
        const e = kgExplorer, ci = e.data.classes.findIndex(c => c.key.endsWith('#Enterprise'));
        const visible = e.nodes.get({filter: n => !n.hidden}).map(n => n.id);
        const drawnEdges = e.edges.get({filter: x => !x.hidden}).length;
        return {ci, classes: visible.map(i => e.data.nodes[i].c), drawnEdges,
                drawn: e.network.body.nodeIndices.length};
    }""")
    assert shown["classes"] and set(shown["classes"]) == {shown["ci"]}
    assert len(shown["classes"]) == stats["classes"][LZO + "Enterprise"]
    assert shown["drawn"] == len(shown["classes"])  # vis-network draws only the visible nodes
    assert shown["drawnEdges"] < stats["edges"]
    screenshot(page, "explorer-filter-enterprise.png")
    page.click("#classes-all")
    assert page.evaluate("kgExplorer.nodes.get({filter: n => n.hidden}).length") == 0
    assert_clean(rec)
    page.close()


def test_a_section_filter_keeps_only_nodes_from_that_section(browser, real_page_file):
    path, _ = real_page_file
    page, rec = open_page(browser, path)
    page.click("#sections-none")
    assert page.evaluate("kgExplorer.nodes.get({filter: n => !n.hidden}).length") == 0
    page.check('input[data-section="https://w3id.org/liuzhou-kg/resource/section-plan-1"]')
    result = page.evaluate("""() => {
        const e = kgExplorer, si = e.data.sections.findIndex(s => s.key.endsWith('section-plan-1'));
        const visible = e.nodes.get({filter: n => !n.hidden}).map(n => n.id);
        return {si, sections: visible.map(i => e.data.nodes[i].s)}; }""")
    assert result["sections"]
    assert all(result["si"] in s for s in result["sections"])
    assert_clean(rec)
    page.close()


def test_the_language_switch_shows_english_labels(browser, real_page_file):
    path, _ = real_page_file
    page, rec = open_page(browser, path)
    liugong = node_id(page, LIUGONG)
    assert page.evaluate("id => kgExplorer.nodes.get(id).label", liugong) == "柳工"
    page.click('#lang-switch button[data-lang="en"]')
    assert page.evaluate("id => kgExplorer.nodes.get(id).label", liugong) == "LiuGong"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#title").inner_text() == "Liuzhou innovation policy knowledge graph"
    legend = page.locator("#legend").inner_text().lower()
    assert "enterprise" in legend and "企业" not in legend
    edge_labels = page.evaluate("kgExplorer.edges.get().map(e => e.label)")
    assert "located in" in edge_labels and "位于" not in edge_labels
    page.fill("#search", "柳工")  # Chinese still finds it in the English view
    page.press("#search", "Enter")
    assert "Type" in page.locator("#panel-body").inner_text()
    screenshot(page, "explorer-english.png")
    assert_clean(rec)
    page.close()


def test_script_payloads_in_labels_never_run(browser, real_page_file):
    path, _ = real_page_file
    page, rec = open_page(browser, path)
    evil = node_id(page, "https://w3id.org/liuzhou-kg/resource/evil-1")
    page.fill("#search", "<script>alert('en')</script>")
    page.dispatch_event("#search", "input")
    page.press("#search", "Enter")
    wait_centred_on(page, evil)
    panel = page.locator("#panel-body").inner_text()
    assert "<img src=x onerror=alert('zh')>恶意" in panel
    assert "<a href=\"javascript:alert('href')\">href</a>" in panel
    xy = page.evaluate("id => kgExplorer.network.canvasToDOM(kgExplorer.network.getPositions([id])[id])", evil)
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_selector("#tooltip:not([hidden])", timeout=5000)
    assert "<img src=x onerror=alert('zh')>" in page.locator("#tooltip").inner_text()
    page.click('#lang-switch button[data-lang="en"]')
    page.evaluate("id => kgExplorer.focusNode(id)", evil)
    page.wait_for_timeout(400)
    counts = page.evaluate("""() => ({scripts: document.querySelectorAll('script').length,
        imgs: document.querySelectorAll('img').length,
        handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
        links: document.querySelectorAll('a[href]').length})""")
    assert counts == {"scripts": 3, "imgs": 0, "handlers": 0, "links": 0}
    screenshot(page, "explorer-hostile-labels.png")
    assert rec.dialogs == []
    assert_clean(rec)
    page.close()


def test_five_thousand_nodes_are_all_drawn(browser, tmp_path):
    out = tmp_path / "synthetic-5000.html"
    stats = write_explorer(synthetic_dataset(5000), out)
    assert stats["nodes"] == 5000
    page, rec = open_page(browser, out, timeout=60000)
    assert page.evaluate("kgExplorer.network.body.nodeIndices.length") == 5000
    # still interactive: a search focuses a node
    page.fill("#search", "Enterprise 42")
    page.press("#search", "Enter")
    target = page.evaluate("kgExplorer.network.getSelectedNodes()")
    assert len(target) == 1
    assert page.evaluate("id => kgExplorer.data.nodes[id].l.en", target[0]) == "Enterprise 42"
    # zoomed in on it, the edges get their property labels
    page.wait_for_function("() => kgExplorer.edgeLabelsShown()", timeout=10000)
    page.wait_for_function("() => kgExplorer.edges.get(0).label === '所属产业'", timeout=10000)
    screenshot(page, "explorer-5000.png")
    assert_clean(rec)
    page.close()
