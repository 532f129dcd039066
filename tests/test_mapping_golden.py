"""The record-to-RDF mapping, tested apart from the real data with golden folders (as morph-kgc does).

Each folder under ``tests/golden/mapping/`` holds input records (``records.yaml``, optionally
``observations.csv``) citing sentences of the real source, and ``expected.trig``: the fact graphs
the mapping must derive from them (the vocabulary and provenance graphs, which the mapping copies
unchanged, are left out). Graphs are compared with ``rdflib.compare.isomorphic``, graph by graph.

After a deliberate change to the mapping, rewrite the goldens with
``LIUZHOU_KG_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_mapping_golden.py`` and review
the diff of ``expected.trig`` before committing it.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from liuzhou_kg.core.namespaces import LZG, bind_prefixes
from liuzhou_kg.build.ontology import load_vocabulary
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.build.records import load_records
from liuzhou_kg.build.source import read_source
from liuzhou_kg.build.to_rdf import build_dataset
from liuzhou_kg.build.write import sorted_dataset, trig

ONTOLOGY_DIR = Layout.default().ontology
SOURCE_TEXT = Layout.default().source_text

GOLDEN = Path(__file__).parent / "golden" / "mapping"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
COPIED_GRAPHS = {LZG.ontology, LZG.reference, LZG.provenance}


@pytest.fixture(scope="module")
def vocabulary_and_source():
    return (load_vocabulary(ONTOLOGY_DIR), read_source(SOURCE_TEXT),
            hashlib.sha256(SOURCE_TEXT.read_bytes()).hexdigest())


def fact_graphs(case: Path, vocabulary_and_source) -> Dataset:
    vocab, source, sha = vocabulary_and_source
    facts = build_dataset(load_records(case), vocab, source, sha)
    derived = Dataset()
    bind_prefixes(derived)
    for graph in facts.dataset.graphs():
        if isinstance(graph.identifier, URIRef) and graph.identifier not in COPIED_GRAPHS and len(graph):
            target = derived.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
    return derived


def test_there_are_golden_cases():
    assert len(CASES) >= 4


@pytest.mark.parametrize("name", CASES)
def test_records_map_to_their_golden_graphs(name, vocabulary_and_source):
    case = GOLDEN / name
    got = fact_graphs(case, vocabulary_and_source)
    expected_file = case / "expected.trig"
    if os.environ.get("LIUZHOU_KG_UPDATE_GOLDENS") == "1":
        expected_file.write_text(trig(sorted_dataset(got)), encoding="utf-8", newline="\n")
    expected = Dataset()
    expected.parse(expected_file, format="trig")
    names = lambda ds: sorted(str(g.identifier) for g in ds.graphs()  # noqa: E731
                              if isinstance(g.identifier, URIRef) and len(g))
    assert names(got) == names(expected), "the records land in other graphs than the golden says"
    for graph in expected.graphs():
        if not len(graph):
            continue
        mine = got.graph(graph.identifier)
        if not isomorphic(mine, graph):
            extra = sorted(t.n3() for t in set(to_isomorphic(mine)) - set(to_isomorphic(graph)))
            missing = sorted(t.n3() for t in set(to_isomorphic(graph)) - set(to_isomorphic(mine)))
            pytest.fail(f"graph {graph.identifier}: unexpected {extra[:10]}; missing {missing[:10]}")
