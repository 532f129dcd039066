"""The explorer's document-and-section filter: sections grouped under their documents on the
fixture corpus (three documents), and the published graph (one document) as it was.

The data model in Python here; the page in Chromium in test_explorer_documents_browser.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from liuzhou_kg.explore import write_explorer
from liuzhou_kg.explore.network import explorer_graph, passage_id
from liuzhou_kg.explore.oxi import dataset_from_store
from liuzhou_kg.explore.views import Explorer
from liuzhou_kg.store.load import load_memory_store
from test_explorer_support import LIUGONG, LZ, page_json, real_dist  # noqa: F401

DOC_2015 = LZ + "source-liuzhou-innovation-2015"
DOC_REPORT = LZ + "source-work-report-2022"
DOC_H1 = LZ + "source-communique-2022-h1"


@pytest.fixture(scope="module")
def corpus_dataset(corpus_dist):
    return dataset_from_store(load_memory_store(Path(corpus_dist) / "liuzhou.trig"))


@pytest.fixture(scope="module")
def corpus_graph(corpus_dataset):
    return explorer_graph(corpus_dataset)


@pytest.fixture(scope="module")
def corpus_page(corpus_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("explorer-corpus") / "graph.html"
    stats = write_explorer(corpus_dataset, out)
    return out, stats


@pytest.fixture(scope="module")
def published_graph(real_dist):  # noqa: F811
    return explorer_graph(dataset_from_store(load_memory_store(Path(real_dist) / "liuzhou.trig")))


def test_the_corpus_has_three_documents_in_order_of_issue(corpus_graph):
    assert list(corpus_graph.documents) == [DOC_2015, DOC_REPORT, DOC_H1]
    assert corpus_graph.documents[DOC_2015].labels["en"] == "Innovation-driven development of Liuzhou (2015)"
    assert [d.issued for d in corpus_graph.documents.values()] == ["2015", "2022", "2022-07"]


def test_every_section_belongs_to_a_document_and_sections_are_grouped_by_document(corpus_graph):
    sections = list(corpus_graph.sections.values())
    assert all(s.document in corpus_graph.documents for s in sections)
    docs = [s.document for s in sections]
    assert docs == sorted(docs, key=list(corpus_graph.documents).index)  # one run per document
    by_doc = {d: [s.number for s in sections if s.document == d] for d in corpus_graph.documents}
    assert by_doc == {DOC_2015: [0, 1, 2, 3, 4], DOC_REPORT: [0, 1, 2], DOC_H1: [0]}


def test_liugong_is_in_sections_of_two_documents(corpus_graph):
    docs = {corpus_graph.sections[s].document for s in corpus_graph.nodes[LIUGONG].sections}
    assert docs == {DOC_2015, DOC_REPORT}


def test_passages_of_two_documents_never_share_an_id(corpus_graph):
    pids = [p.pid for p in corpus_graph.passages.values()]
    assert len(pids) == len(set(pids))
    assert "p05-s02" in pids and "work-report-2022/p05-s01" in pids
    assert passage_id("https://w3id.org/liuzhou-kg/passage/p05-s02") == "p05-s02"
    assert passage_id("https://example.org/x#y") == "y"


def test_the_page_data_counts_nodes_per_document_and_links_sections_to_documents(corpus_page):
    path, stats = corpus_page
    data = page_json(path.read_text(encoding="utf-8"))
    assert stats["documents"] == 3
    assert [d["key"] for d in data["documents"]] == [DOC_2015, DOC_REPORT, DOC_H1]
    assert {s["doc"] for s in data["sections"]} == {0, 1, 2}
    for di, doc in enumerate(data["documents"]):
        mine = {si for si, s in enumerate(data["sections"]) if s["doc"] == di}
        assert doc["count"] == sum(1 for n in data["nodes"] if mine & set(n["s"])) > 0


def test_focused_views_keep_every_document_for_the_filter(corpus_dataset, corpus_graph):
    view = Explorer.from_dataset(corpus_dataset).focus("柳工", depth=1)
    assert list(view.documents) == list(corpus_graph.documents)
    assert view.sections == corpus_graph.sections


def test_the_published_graph_has_its_one_document(published_graph):
    assert list(published_graph.documents) == [DOC_2015]
    assert [s.number for s in published_graph.sections.values()] == [0, 1, 2, 3, 4]
    assert {s.document for s in published_graph.sections.values()} == {DOC_2015}


def test_data_with_no_documents_still_has_sections(tmp_path):
    from test_explorer_support import MINI, load

    graph = explorer_graph(load(MINI))
    assert graph.sections and graph.documents == {}
    assert all(s.document is None for s in graph.sections.values())
    data = page_json(Path(write_explorer(load(MINI), tmp_path / "g.html")["path"]).read_text(encoding="utf-8"))
    assert data["documents"] == [] and all(s["doc"] == -1 for s in data["sections"])
