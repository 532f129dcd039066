"""The statistics form a well-formed W3C Data Cube: every integrity constraint (IC-1 … IC-21) holds.

The build runs queries/checks/qb-ic-NN-violation.rq as zero-row checks, and
tests/test_checks_fire.py shows each one fires on a near miss. These tests add evidence from data we
did not shape for the checks: the imported regional CSV cube (mapped by
graph/mappings/regional-statistics.yaml), and the structure as it stood before issue 14, which must
fail IC-14 on exactly the figures the text gives no growth rate for, and IC-4 on lzo:refEntity.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from liuzhou_kg.store.imports.csv_cube import load_mapping, rows_to_quads
from liuzhou_kg.core.namespaces import PREFIXES
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.build.validate import run_checks

CHECKS_DIR = Layout.default().checks
GRAPH_DIR = Layout.default().graph

ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/liuzhou-kg/graph/ontology")
LZO = PREFIXES["lzo"]
PROLOGUE = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())
IMPORT_CSV = Path(__file__).parent / "fixtures" / "import" / "regional-statistics.csv"


def _ic_rows(store: ox.Store) -> dict[str, list[dict[str, str]]]:
    results = run_checks(store.dump(format=ox.RdfFormat.N_QUADS))
    return {name: rows for name, rows in results.items() if name.startswith("qb-ic-")}


def test_the_build_runs_all_21_constraints():
    names = sorted(path.stem for path in (CHECKS_DIR).glob("qb-ic-*-violation.rq"))
    assert names == [f"qb-ic-{n:02d}-violation" for n in range(1, 22)]


def test_built_graph_passes_every_constraint(quad_store):
    rows = _ic_rows(quad_store)
    assert len(rows) == 21
    assert {name: found for name, found in rows.items() if found} == {}


def test_imported_csv_cube_passes_every_constraint(built_dist):
    store = ox.Store()
    store.load(path=str(built_dist / "liuzhou.nq"), format=ox.RdfFormat.N_QUADS)
    mapping = load_mapping(GRAPH_DIR / "mappings" / "regional-statistics.yaml")
    triples = rows_to_quads(store, IMPORT_CSV, mapping)
    graph = ox.NamedNode("https://w3id.org/liuzhou-kg/graph/import-regional")
    store.extend(ox.Quad(s, p, o, graph) for s, p, o in triples)
    imported = {str(q.subject.value) for q in store.quads_for_pattern(
        None, ox.NamedNode("http://purl.org/linked-data/cube#dataSet"), None, graph)}
    assert len(imported) == 8  # the rows of the CSV
    assert {name: found for name, found in _ic_rows(store).items() if found} == {}


def test_structure_before_issue_14_fails_ic4_and_ic14(built_dist):
    """The structure as it stood before issue 14, restored on the built graph: the constraints catch it."""
    store = ox.Store()
    store.load(path=str(built_dist / "liuzhou.nq"), format=ox.RdfFormat.N_QUADS)
    store.update(PROLOGUE + """
        DELETE WHERE { GRAPH ?g { lzo:refEntity rdfs:range ?range } } ;
        INSERT DATA { GRAPH lzg:ontology { lz:dsd-liuzhou-statistics qb:component
            [ qb:measure lzo:baseValue ] , [ qb:measure lzo:growthRate ] } }""")
    rows = _ic_rows(store)
    assert rows["qb-ic-04-violation"] == [{"dimension": LZO + "refEntity"}]
    assert {row["measure"] for row in rows["qb-ic-14-violation"]} == {LZO + "growthRate"}
    without_growth = {row["observation"] for row in rows["qb-ic-14-violation"]}
    as_built = {solution["o"].value for solution in store.query(
        "SELECT ?o WHERE { ?o a qb:Observation FILTER NOT EXISTS { ?o lzo:growthRate [] } }",
        prefixes=PREFIXES, use_default_graph_as_union=True)}
    assert without_growth == as_built
    of_2015 = {solution["o"].value for solution in store.query(
        """SELECT ?o WHERE { ?o a qb:Observation ; prov:wasDerivedFrom/oa:hasSource lz:source-liuzhou-innovation-2015
           FILTER NOT EXISTS { ?o lzo:growthRate [] } }""", prefixes=PREFIXES, use_default_graph_as_union=True)}
    assert len(of_2015) == 15  # the count of issue 14
