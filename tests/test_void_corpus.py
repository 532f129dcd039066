"""dist/void.ttl names every source document of the corpus: the published build names the 2015
text alone (in the words it always had), the fixture corpus build its three documents."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from liuzhou_kg.build.write import _void_texts, void_description
from liuzhou_kg.core.namespaces import LZ

DATASET = LZ["dataset"]
SOURCE_2015 = LZ["source-liuzhou-innovation-2015"]
CORPUS_SOURCES = {SOURCE_2015, LZ["source-work-report-2022"], LZ["source-communique-2022-h1"]}


def void_of(dist) -> Graph:
    return Graph().parse(dist / "void.ttl", format="turtle")


def description(void: Graph) -> str:
    [text] = [str(t) for t in void.objects(DATASET, DCTERMS.description)]
    return text


def test_the_published_dataset_names_the_2015_text_in_its_own_words(built_dist):
    void = void_of(built_dist)
    assert set(void.objects(DATASET, DCTERMS.source)) == {SOURCE_2015}
    assert description(void) == _void_texts()["published"]["description"]
    assert description(void).startswith("Every fact of a 2015 text")
    assert set(void.objects(DATASET, DCTERMS.temporal)) == {LZ["year-2014"], LZ["year-2015"]}


def test_the_corpus_dataset_names_every_document(corpus_dist):
    void = void_of(corpus_dist)
    assert set(void.objects(DATASET, DCTERMS.source)) == CORPUS_SOURCES
    text = description(void)
    assert "2015 text" not in text and text.startswith("Every fact of 3 source documents")
    for title in ("Innovation-driven development of Liuzhou (2015)",
                  "Liuzhou government work report (excerpt; test document)",
                  "Liuzhou's economy in the first half of 2022 (test document)"):
        assert title in text
    periods = set(void.objects(DATASET, DCTERMS.temporal))
    assert {LZ["year-2014"], LZ["year-2015"], LZ["year-2021"], LZ["year-2022-h1"]} <= periods
    assert LZ["period-not-stated"] not in periods


def test_one_other_document_alone_is_not_described_as_the_2015_text():
    union = Graph()
    other = LZ["source-other"]
    union.add((other, DCTERMS.title, Literal("Another report", lang="en")))
    text = str(next(void_description_graph(union, [other]).objects(DATASET, DCTERMS.description)))
    assert text.startswith("Every fact of one source document") and "Another report" in text
    sources = set(void_description_graph(union, [other, SOURCE_2015]).objects(DATASET, DCTERMS.source))
    assert sources == {other, SOURCE_2015}


def void_description_graph(union: Graph, sources: list[URIRef]) -> Graph:
    from rdflib import Dataset

    return void_description(Dataset(), union, {}, sources)
