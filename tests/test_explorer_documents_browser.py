"""The document-and-section filter in Chromium, offline: on the fixture corpus (three documents)
sections are grouped under their documents and a document is selected as a whole; the published
graph (one document) keeps its flat list of sections, with the document named above it."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import requires_chromium
from liuzhou_kg.explore import write_explorer
from liuzhou_kg.explore.oxi import dataset_from_store
from liuzhou_kg.store.load import load_memory_store
from test_explorer_browser import assert_clean, open_page, screenshot
from test_explorer_support import LZ, real_dist  # noqa: F401

pytestmark = requires_chromium

DOC_REPORT = LZ + "source-work-report-2022"


def page_file(dist: Path, out: Path) -> Path:
    write_explorer(dataset_from_store(load_memory_store(Path(dist) / "liuzhou.trig")), out)
    return out


@pytest.fixture(scope="module")
def corpus_page(corpus_dist, tmp_path_factory):
    return page_file(corpus_dist, tmp_path_factory.mktemp("explorer-corpus") / "graph.html")


@pytest.fixture(scope="module")
def published_page(real_dist, tmp_path_factory):  # noqa: F811
    return page_file(real_dist, tmp_path_factory.mktemp("explorer-published") / "graph.html")


VISIBLE = """doc => { const e = kgExplorer, di = e.data.documents.findIndex(d => d.key === doc);
    const visible = e.nodes.get({filter: n => !n.hidden}).map(n => n.id);
    const inDoc = i => e.data.nodes[i].s.some(si => e.data.sections[si].doc === di);
    return {count: visible.length, outside: visible.filter(i => !inDoc(i)).length,
            expected: e.data.documents[di].count}; }"""


def test_sections_are_grouped_under_their_documents(browser, corpus_page):
    page, rec = open_page(browser, corpus_page)
    assert page.locator("#sections-heading").text_content() == "文件与章节"
    docs = page.locator("#section-list input[data-document]")
    assert docs.count() == 3
    report = page.locator(f'li.doc:has(input[data-document="{DOC_REPORT}"])')
    assert "柳州市人民政府工作报告" in report.inner_text()
    assert report.locator("ul.doc-sections input[data-section]").count() == 3
    assert page.locator("#sections-source").is_hidden()
    # nothing selected, then the whole work report: only its nodes are shown, all of them
    page.click("#sections-none")
    assert page.evaluate("kgExplorer.nodes.get({filter: n => !n.hidden}).length") == 0
    page.check(f'input[data-document="{DOC_REPORT}"]')
    shown = page.evaluate(VISIBLE, DOC_REPORT)
    assert shown["count"] == shown["expected"] > 0 and shown["outside"] == 0
    screenshot(page, "explorer-documents.png")
    # one of its sections off: the document's box is mixed, and fewer nodes are shown
    report.locator("ul.doc-sections input[data-section]").nth(1).uncheck()  # the year in review
    box = page.locator(f'input[data-document="{DOC_REPORT}"]')
    assert box.evaluate("b => b.indeterminate") and not box.is_checked()
    assert page.evaluate(VISIBLE, DOC_REPORT)["count"] < shown["count"]
    # the whole document again, in English
    box.check()
    assert box.evaluate("b => !b.indeterminate && b.checked")
    page.click('#lang-switch button[data-lang="en"]')
    assert page.locator("#sections-heading").text_content() == "Documents and sections"
    assert "Liuzhou government work report" in page.locator("#section-list").inner_text()
    assert_clean(rec)
    page.close()


def test_a_source_sentence_names_its_document(browser, corpus_page):
    page, rec = open_page(browser, corpus_page)
    page.fill("#search", "柳工")
    page.press("#search", "Enter")
    panel = page.locator("#panel-body").inner_text()
    assert "柳州创新驱动发展（2015）" in panel and "柳州市人民政府工作报告" in panel
    assert_clean(rec)
    page.close()


def test_one_document_keeps_the_flat_list_of_sections(browser, published_page):
    page, rec = open_page(browser, published_page)
    assert page.locator("#section-list input[data-document]").count() == 0
    assert page.locator("#sections-heading").text_content() == "原文章节"
    assert page.locator("#sections-source").inner_text() == "柳州创新驱动发展（2015）"
    assert page.locator('#section-list input[data-section^="https://"]').count() == 5
    page.click("#sections-none")
    page.check('input[data-section="https://w3id.org/liuzhou-kg/resource/section-plan-1"]')
    assert page.evaluate("kgExplorer.nodes.get({filter: n => !n.hidden}).length") > 0
    screenshot(page, "explorer-one-document.png")
    assert_clean(rec)
    page.close()
