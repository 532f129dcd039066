"""Imports that are safe and never lost: kept across builds, contained, locked, limited.

Each hostile input of the adversarial probe (issue 9) has a fixture here, written by the test;
they are regression guards. The evidence from outside is the ISO 3166-2 subdivisions of the
``pycountry`` package, turned into RDF by the test and imported, built over, queried and removed.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.store.imports.catalogue import IMPORTS_GRAPH, default_graph_iri, imported
from liuzhou_kg.store.imports.rdf_file import import_rdf
from liuzhou_kg.store.imports.write import remove
from liuzhou_kg.store.imports.csv_cube import import_csv
from liuzhou_kg.store.imports.limits import MAX_DEPTH, MAX_LINE_BYTES, MAX_LITERAL_BYTES
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.store.generations import LOCK, current_generation
from liuzhou_kg.store.lock import StoreLock
from liuzhou_kg.store.reader import open_store

REPO = Layout.default().repo

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
LZG = "https://w3id.org/liuzhou-kg/graph/"
LZ = "https://w3id.org/liuzhou-kg/resource/"
G = LZG + "import/"
MAPPING = REPO / "graph" / "mappings" / "regional-statistics.yaml"
PROTECTED = (LZG + "links", LZG + "imports", LZG + "p01-s01", LZG + "ontology")


@pytest.fixture
def store_dir(built_dist, tmp_path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built_dist / "store", target)
    return target


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(store_dir: Path) -> set:
    store = ox.Store.read_only(str(current_generation(store_dir)))
    return set(store.quads_for_pattern(None, None, None, None))


def graph_quads(store_dir: Path, graph: str) -> set:
    store = ox.Store.read_only(str(current_generation(store_dir)))
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def env(**extra: str) -> dict:
    return {**os.environ, "LC_ALL": "C", "LANG": "C", **extra}


def cli(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", *args], cwd=REPO, env=env(**extra),
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


# --------------------------------------------------------------------------- 1. never lost
def test_an_import_survives_the_build(built_dist, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    data = write(tmp_path / "nanning.ttl", '<http://example.org/nanning> <http://example.org/partner> '
                 f'<{LZ}liuzhou> .\n')
    assert cli("import", str(data), "--store", str(dist / "store"), "--license", CC0).returncode == 0
    proc = subprocess.run([sys.executable, "build.py", "--dist", str(dist), "--no-reasoner", "-q"],
                          cwd=REPO, env=env(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    store = open_store(dist / "store")
    assert [row["graph"] for row in imported(store)] == [G + "nanning"]
    rows = store.query("SELECT ?l WHERE { <http://example.org/nanning> <http://example.org/partner>/"
                       "<http://www.w3.org/2000/01/rdf-schema#label> ?l }", use_default_graph_as_union=True)
    assert "柳州市" in {row["l"].value for row in rows}
    # the build's graphs are exactly the new build's, besides the import and its entry
    fresh = ox.Store()  # the store writes literals in canonical form: compare with a store's reading
    fresh.load(path=str(dist / "liuzhou.nq"), format=ox.RdfFormat.N_QUADS)
    built = set(fresh)
    rest = {q for q in snapshot(dist / "store") if q.graph_name.value not in (G + "nanning", IMPORTS_GRAPH)}
    assert len(rest) == len(built)
    assert {q for q in rest if not _has_blank(q)} == {q for q in built if not _has_blank(q)}


def _has_blank(quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


DYING_BUILD = """
import os, sys
from pathlib import Path
from liuzhou_kg.build import pipeline as build, write
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.store.imports import write as imports

where = sys.argv[2]
real_carry, real_swap = imports.carry_over_imports, write.swap_in

def carry(writer, nquads):
    kept = real_carry(writer, nquads)
    if where == "after-store":
        os._exit(9)  # the new generation is written, not published
    return kept

def swap(staged, dist, carry=()):
    if where == "mid-swap":
        os.rename(dist / "store", staged / "store")  # the store is carried, dist not yet swapped
        os._exit(9)
    real_swap(staged, dist, carry)

build.carry_over_imports = carry  # the pipeline's own name for it
build.swap_in = swap
build.build(Layout.default(Path(sys.argv[1])), reasoning=False)
"""


@pytest.mark.parametrize("where", ["after-store", "mid-swap"])
def test_a_build_killed_midway_leaves_store_and_imports_intact(built_dist, tmp_path, where):
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    data = write(tmp_path / "kept.nt", '<http://example.org/a> <http://example.org/b> "kept" .\n')
    import_rdf(dist / "store", data, license_iri=CC0, progress=False)
    before = snapshot(dist / "store")
    killed = subprocess.run([sys.executable, "-c", DYING_BUILD, str(dist), where], cwd=REPO,
                            capture_output=True, text=True, timeout=900)
    assert killed.returncode == 9, killed.stderr
    if where == "mid-swap":  # the next build puts the store back first
        from liuzhou_kg.build.write import recover
        recover(dist)
        # the build had published its generation (same inputs: the same triples, fresh blank nodes)
        after = snapshot(dist / "store")
        assert len(after) == len(before)
        assert {q for q in after if not _has_blank(q)} == {q for q in before if not _has_blank(q)}
    else:
        assert snapshot(dist / "store") == before
    assert [row["graph"] for row in imported(open_store(dist / "store"))] == [G + "kept"]


# --------------------------------------------------------------------------- 2. contained
JSONLD_INTO_LINKS = json.dumps({
    "@context": {"skos": "http://www.w3.org/2004/02/skos/core#",
                 "dcterms": "http://purl.org/dc/terms/"},
    "@id": LZG + "links",
    "@graph": [{"@id": LZ + "liugong", "skos:exactMatch": {"@id": "http://evil.example/liugong"}},
               {"@id": "http://evil.example/x", "dcterms:license": {"@id": CC0}}]})
TRIG_FORGED_CATALOGUE = f"""
<{IMPORTS_GRAPH}> {{
  <{LZG}links> a <http://rdfs.org/ns/void#Dataset> , <http://www.w3.org/ns/dcat#Dataset> ;
     <http://purl.org/dc/terms/source> <http://evil.example/> ;
     <http://purl.org/dc/terms/issued> "2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;
     <http://purl.org/dc/terms/license> <{CC0}> ;
     <http://rdfs.org/ns/void#triples> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
}}
"""
NQUADS_INTO_PASSAGE = (f'<{LZ}liugong> <https://w3id.org/liuzhou-kg/ontology#describedAs> "evil" '
                       f'<{LZG}p01-s01> .\n')


@pytest.mark.parametrize("name,text,triple", [
    ("links.jsonld", JSONLD_INTO_LINKS, (LZ + "liugong", "http://www.w3.org/2004/02/skos/core#exactMatch",
                                         "http://evil.example/liugong")),
    ("catalogue.trig", TRIG_FORGED_CATALOGUE, (LZG + "links", "http://purl.org/dc/terms/source",
                                               "http://evil.example/")),
    ("passage.nq", NQUADS_INTO_PASSAGE, (LZ + "liugong", "https://w3id.org/liuzhou-kg/ontology#describedAs",
                                         "evil")),
])
def test_a_hostile_dataset_lands_in_its_own_graph_and_remove_takes_it_all(store_dir, tmp_path, name, text, triple):
    before = snapshot(store_dir)
    protected = {graph: graph_quads(store_dir, graph) for graph in PROTECTED}
    result = import_rdf(store_dir, write(tmp_path / name, text), license_iri=CC0, progress=False)
    graph = result.graph
    for protected_graph, quads in protected.items():
        if protected_graph != IMPORTS_GRAPH:
            assert graph_quads(store_dir, protected_graph) == quads, protected_graph
    # the catalogue gained this import's entry only
    catalogue = graph_quads(store_dir, IMPORTS_GRAPH) - protected[IMPORTS_GRAPH]
    assert {q.subject.value for q in catalogue} == {graph}
    assert [row["graph"] for row in imported(open_store(store_dir))] == [graph]
    # the hostile statement is in the import's graph, nowhere else
    s, p, o = triple
    where = {q.graph_name.value for q in snapshot(store_dir) - before
             if q.subject.value == s and q.predicate.value == p and q.object.value == o}
    assert where == {graph}
    assert remove(store_dir, graph) > 0
    assert snapshot(store_dir) == before


def test_n3_formulas_are_refused(store_dir, tmp_path):
    before = snapshot(store_dir)
    data = write(tmp_path / "rule.n3", "@prefix : <http://e/> .\n{ :a :b :c } => { :a :d :e } .\n")
    with pytest.raises(InputError, match="N3 formula"):
        import_rdf(store_dir, data, license_iri=CC0, progress=False)
    assert snapshot(store_dir) == before
    proc = cli("import", str(data), "--store", str(store_dir), "--license", CC0)
    assert proc.returncode == 2 and "N3 formula" in proc.stderr and "Traceback" not in proc.stderr


def test_blank_nodes_of_two_imports_never_meet(store_dir, tmp_path):
    text = '_:b0 <http://e/p> "{}" .\n'
    import_rdf(store_dir, write(tmp_path / "one.nt", text.format(1)), license_iri=CC0, progress=False)
    import_rdf(store_dir, write(tmp_path / "two.nt", text.format(2)), license_iri=CC0, progress=False)
    subjects = {q.subject for q in snapshot(store_dir) if q.predicate.value == "http://e/p"}
    assert len(subjects) == 2


def test_non_ascii_file_names_get_distinct_graphs(store_dir, tmp_path):
    names = ["南宁.ttl", "桂林.ttl", "نانینگ.ttl"]
    graphs = {default_graph_iri(Path(name)) for name in names}
    assert len(graphs) == 3 and all(g.startswith(G + "dataset-") for g in graphs)
    assert default_graph_iri(Path("nanning.ttl")) == G + "nanning"
    for name in names[:2]:
        import_rdf(store_dir, write(tmp_path / name, "<http://e/a> <http://e/b> <http://e/c> .\n"),
                   license_iri=CC0, progress=False)
    assert len(imported(open_store(store_dir))) == 2


# --------------------------------------------------------------------------- 3. one lock
def test_a_second_writer_gets_a_clear_error(store_dir, built_dist, tmp_path):
    data = write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n")
    before = snapshot(store_dir)
    with StoreLock(store_dir, "the test"):
        for args in (["import", str(data), "--license", CC0], ["remove", G + "x"],
                     ["push", "--endpoint", "http://127.0.0.1:9/sparql"]):
            proc = cli(*args, "--store", str(store_dir), LIUZHOU_KG_LOCK_TIMEOUT="0")
            assert proc.returncode == 2, (args, proc.stderr)
            assert "another writer holds the store" in proc.stderr and "the test" in proc.stderr
            assert "Traceback" not in proc.stderr
    assert snapshot(store_dir) == before
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    with StoreLock(dist / "store", "the test"):
        proc = subprocess.run([sys.executable, "build.py", "--dist", str(dist), "--no-reasoner", "-q"],
                              cwd=REPO, env=env(LIUZHOU_KG_LOCK_TIMEOUT="0"), capture_output=True,
                              text=True, timeout=900)
    assert proc.returncode == 2 and "another writer holds the store" in proc.stderr


# An import that holds the lock mid-load until the test creates the file argv[4].
HELD_IMPORT = """
import sys, time
from contextlib import contextmanager
from pathlib import Path
from liuzhou_kg.store.imports import rdf_file as imports

release = Path(sys.argv[4])

@contextmanager
def held(raw, total, description, enabled=True):
    if not description.startswith("import "):  # the check pass reads the file first
        yield raw
        return
    class Reader:
        def read(self, size=-1):
            for _ in range(6000):
                if release.exists():
                    break
                time.sleep(0.05)
            return raw.read(size)
        def readable(self):
            return True
    yield Reader()

imports.byte_progress = held
result = imports.import_rdf(Path(sys.argv[1]), Path(sys.argv[2]), graph_iri=sys.argv[3],
                            license_iri="https://creativecommons.org/publicdomain/zero/1.0/", progress=False)
print(result.triples)
"""


def _start_held_import(store_dir: Path, data: Path, graph: str, release: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HELD_IMPORT, str(store_dir), str(data), graph, str(release)],
                            cwd=REPO, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):  # until the import holds the lock
        text = (store_dir / LOCK).read_text(encoding="utf-8") if (store_dir / LOCK).exists() else ""
        if "import" in text or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    return proc


def test_build_during_an_import_waits_and_keeps_it(built_dist, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    data = write(tmp_path / "big.nt", "".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(5000)))
    release = tmp_path / "release"
    importer = _start_held_import(dist / "store", data, G + "big", release)
    log = tmp_path / "build.log"
    with log.open("w", encoding="utf-8") as handle:
        builder = subprocess.Popen([sys.executable, "build.py", "--dist", str(dist), "--no-reasoner", "-q"],
                                   cwd=REPO, env=env(), stdout=handle, stderr=handle)
        for _ in range(6000):  # the build reaches the store and waits for the import's lock
            if "waiting for the store lock" in log.read_text(encoding="utf-8") or builder.poll() is not None:
                break
            time.sleep(0.1)
        assert builder.poll() is None, log.read_text(encoding="utf-8")
        release.touch()
        out, err = importer.communicate(timeout=600)
        assert importer.returncode == 0, err
        assert builder.wait(timeout=900) == 0, log.read_text(encoding="utf-8")
    store = open_store(dist / "store")
    assert [row["graph"] for row in imported(store)] == [G + "big"]
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}big> {{ ?s ?p ?o }} }}")
    assert next(iter(rows))["n"].value == "5000"
    proc = cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }", "--store", str(dist / "store"))
    assert proc.returncode == 0 and "Corruption" not in proc.stderr, proc.stderr
    assert [p.name for p in (dist / "store").iterdir() if p.name.startswith("gen-")] \
        == [current_generation(dist / "store").name]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ask(port: int, query: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_serve_answers_through_an_import_and_then_sees_it(store_dir, tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "liuzhou_kg.cli", "serve", "--store", str(store_dir),
                               "--port", str(port), "--workers", "1"], cwd=REPO, env=env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):
            try:
                if _ask(port, "ASK {}")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.1)
        data = write(tmp_path / "big.nt", "".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(3000)))
        release = tmp_path / "release"
        importer = _start_held_import(store_dir, data, G + "big", release)
        ask = f"ASK {{ GRAPH <{G}big> {{ ?s ?p ?o }} }}"
        during = [_ask(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }") for _ in range(10)]
        during.append(_ask(port, ask))
        assert importer.poll() is None  # all of these ran while the import held the lock
        release.touch()
        assert importer.wait(timeout=600) == 0, importer.stderr.read()
        after = _ask(port, ask)
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert [status for status, _ in during] == [200] * len(during), during
    assert json.loads(during[-1][1])["boolean"] is False
    assert after[0] == 200 and json.loads(after[1])["boolean"] is True


# --------------------------------------------------------------------------- 4. limits
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">
  <rdf:Description rdf:about="http://e/bomb"><ex:p>&e;</ex:p></rdf:Description>
</rdf:RDF>
"""


def _refused(store_dir: Path, path: Path, *needles: str, line: int | None = None) -> None:
    before = snapshot(store_dir)
    with pytest.raises(InputError) as err:
        import_rdf(store_dir, path, license_iri=CC0, progress=False)
    problem = err.value.problems[0]
    for needle in needles:
        assert needle in problem.message
    if line is not None:
        assert problem.line == line and str(problem).startswith(f"{path}:{line}")
    assert snapshot(store_dir) == before


def test_an_xml_entity_bomb_is_refused_before_any_expansion(store_dir, tmp_path):
    bomb = write(tmp_path / "bomb.rdf", BILLION_LAUGHS)
    assert bomb.stat().st_size < 1200
    _refused(store_dir, bomb, "DOCTYPE", line=2)
    proc = cli("import", str(bomb), "--store", str(store_dir), "--license", CC0)
    assert proc.returncode == 2 and f"{bomb}:2:" in proc.stderr and "Traceback" not in proc.stderr


def test_deep_nesting_is_refused(store_dir, tmp_path):
    depth = MAX_DEPTH * 40
    turtle = write(tmp_path / "deep.ttl", "<http://e/a> <http://e/b> \n" + "(" * depth + ")" * depth + " .\n")
    _refused(store_dir, turtle, "nested more than", line=2)
    xml = write(tmp_path / "deep.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns:ex="http://e/">\n' + "<rdf:Description><ex:p>" * depth
                + "</ex:p></rdf:Description>" * depth + "\n</rdf:RDF>\n")
    _refused(store_dir, xml, "nested more than", line=2)
    jsonld = write(tmp_path / "deep.jsonld", '{"@id": "http://e/a",\n "http://e/p": ' + "[" * depth + "]" * depth + "}")
    _refused(store_dir, jsonld, "nested more than", line=2)
    # brackets inside strings, IRIs and comments do not count
    fine = write(tmp_path / "fine.ttl", '<http://e/a> <http://e/b> "' + "(" * depth + '" . # ' + "[" * depth
                 + '\n<http://e/a> <http://e/c> """' + "{\n" * depth + '""" .\n')
    assert import_rdf(store_dir, fine, license_iri=CC0, progress=False).triples == 2


def test_overlong_lines_and_literals_are_refused(store_dir, tmp_path):
    line = write(tmp_path / "line.nt", '<http://e/a> <http://e/b> "ok" .\n<http://e/a> <http://e/b> "'
                 + "x" * (MAX_LINE_BYTES + 1) + '" .\n')
    _refused(store_dir, line, "line longer than 16 MiB", line=2)
    proc = cli("import", str(line), "--store", str(store_dir), "--license", CC0)
    assert proc.returncode == 2 and f"{line}:2: line longer" in proc.stderr and "Traceback" not in proc.stderr
    literal = write(tmp_path / "literal.ttl", '<http://e/a> <http://e/b> """\n' + ("y" * 1000 + "\n") * (
        MAX_LITERAL_BYTES // 1000 + 1) + '""" .\n')
    _refused(store_dir, literal, "string literal longer than", line=1)


@pytest.mark.parametrize("value", ["NaN", "INF", "1e999990", "1E5", "1" * 50])
def test_decimals_are_plain_and_bounded(store_dir, tmp_path, value):
    data = write(tmp_path / "decimal.ttl", '<http://e/a> <http://e/b> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
                 f'<http://e/a> <http://e/b> "{value}"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n')
    _refused(store_dir, data, "not an xsd:decimal", line=2)


@pytest.mark.parametrize("value", ["1e999990", "NaN", "Infinity", "-inf", "1" * 50])
def test_csv_decimals_are_plain_and_bounded(store_dir, tmp_path, value):
    before = snapshot(store_dir)
    data = write(tmp_path / "bomb.csv", "area_code,area_zh,area_en,year,indicator,value,unit,growth_rate\n"
                 f"450100,南宁市,Nanning,2014,gdp,{value},unit-yi-yuan,\n")
    with pytest.raises(InputError) as err:
        import_csv(store_dir, data, MAPPING, license_iri=CC0)
    assert f"{data}:2:6: value" in str(err.value) and "not a decimal number" in str(err.value)
    assert snapshot(store_dir) == before


def test_a_utf8_byte_order_mark_is_accepted(store_dir, tmp_path):
    data = tmp_path / "bom.ttl"
    data.write_bytes(b"\xef\xbb\xbf<http://e/a> <http://e/b> \"\xe6\x9f\xb3\xe5\xb7\x9e\" .\n")
    assert import_rdf(store_dir, data, license_iri=CC0, progress=False).triples == 1
    assert next(iter(ox.parse(b'<http://e/a> <http://e/b> "\xe6\x9f\xb3\xe5\xb7\x9e" .', format=ox.RdfFormat.TURTLE))) \
        .object in {q.object for q in graph_quads(store_dir, G + "bom")}


# --------------------------------------------------------------------------- evidence from outside
def _subdivisions_turtle(path: Path) -> int:
    """ISO 3166-2 subdivisions from the pycountry package (data we did not write), as Turtle."""
    pycountry = pytest.importorskip("pycountry")
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

    iso = Namespace("http://example.org/iso3166-2/")
    graph = Graph()
    graph.add((URIRef("http://example.org/iso3166-2"), DCTERMS.license, URIRef(CC0)))
    for sub in pycountry.subdivisions:
        node = iso[urllib.parse.quote(sub.code)]
        graph.add((node, RDF.type, iso[urllib.parse.quote(sub.type.replace(" ", "_"))]))
        graph.add((node, RDFS.label, Literal(sub.name)))
        graph.add((node, SKOS.notation, Literal(sub.code)))
        graph.add((node, iso.country, iso[sub.country_code]))
        if sub.parent_code:
            graph.add((node, iso.parent, iso[urllib.parse.quote(sub.parent_code)]))
    graph.serialize(path, format=path.suffix.lstrip(".").replace("rdf", "xml").replace("jsonld", "json-ld"),
                    encoding="utf-8")
    return len(graph)


def test_iso_subdivisions_round_trip_through_a_build(built_dist, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    before = snapshot(dist / "store")
    counts = {}
    for name in ("iso-subdivisions.ttl", "iso-subdivisions.rdf", "iso-subdivisions.jsonld"):
        path = tmp_path / name
        counts[name] = _subdivisions_turtle(path)
        graph = G + name.replace(".", "-")
        result = import_rdf(dist / "store", path, graph_iri=graph, progress=False)
        assert result.triples == counts[name] and result.license == CC0
    proc = subprocess.run([sys.executable, "build.py", "--dist", str(dist), "--no-reasoner", "-q"],
                          cwd=REPO, env=env(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    store = open_store(dist / "store")
    assert len(imported(store)) == 3
    rows = store.query(f"""SELECT ?label WHERE {{ GRAPH <{G}iso-subdivisions-rdf> {{
        ?s <http://www.w3.org/2004/02/skos/core#notation> "CN-GX" ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}""")
    assert [row["label"].value for row in rows] == ["Guangxi Zhuangzu Zizhiqu"]
    for row in imported(store):
        assert int(row["triples"]) == counts[row["title"]]
        remove(dist / "store", row["graph"])
    after = snapshot(dist / "store")
    assert {q for q in after if not _has_blank(q)} == {q for q in before if not _has_blank(q)}
    assert len(after) == len(before)


# --------------------------------------------------------------------------- generations
READER = """
import sys, time
from pathlib import Path
from liuzhou_kg.store.reader import open_store
store = open_store(Path(sys.argv[1]))
print(store.generation.name, len(store), flush=True)
sys.stdin.readline()  # hold the generation open until the test says so
print(len(store), flush=True)
"""


def test_a_generation_a_process_reads_is_kept_until_it_lets_go(store_dir, tmp_path):
    reader = subprocess.Popen([sys.executable, "-c", READER, str(store_dir)], cwd=REPO, env=env(),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        name, count = reader.stdout.readline().split()
        data = write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n")
        import_rdf(store_dir, data, license_iri=CC0, progress=False)
        remove(store_dir, G + "x")  # two writers have run since the reader opened its generation
        assert (store_dir / name).is_dir() and current_generation(store_dir).name != name
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == count  # it read its generation to the end
    finally:
        reader.communicate(timeout=60)
    import_rdf(store_dir, data, license_iri=CC0, progress=False)
    assert not (store_dir / name).exists()  # deleted by the next writer once nobody read it


def test_a_bare_database_is_read_and_turned_into_a_generation(built_dist, tmp_path):
    bare = tmp_path / "bare"
    source = ox.Store.read_only(str(current_generation(built_dist / "store")))
    source.backup(str(bare))
    before = set(source)
    assert set(open_store(bare)) == before
    import_rdf(bare, write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n"),
               license_iri=CC0, progress=False)
    assert not (bare / "CURRENT").exists() and (bare / "HEAD").is_file()
    remove(bare, G + "x")
    assert snapshot(bare) == before


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    write(folder / "notes.txt", "mine")
    data = write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n")
    proc = cli("import", str(data), "--store", str(folder), "--license", CC0)
    assert proc.returncode == 2 and "not a pyoxigraph store folder" in proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    proc = cli("import", str(data), "--store", str(tmp_path / "new"), "--license", CC0)
    assert proc.returncode == 0 and (tmp_path / "new" / "HEAD").is_file()


def test_staging_graphs_of_the_old_layout_go_with_the_next_write(built_dist, tmp_path):
    """Stores written before generations could keep a killed import's staging graph and mark."""
    bare = tmp_path / "bare"
    ox.Store.read_only(str(current_generation(built_dist / "store"))).backup(str(bare))
    store = ox.Store(str(bare))
    before = set(store)
    staging = ox.NamedNode(LZG + "staging/0123abcd")
    store.add(ox.Quad(ox.NamedNode("http://e/partial"), ox.NamedNode("http://e/p"), ox.Literal("1"), staging))
    store.add(ox.Quad(staging, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode(LZG + "staging/IncompleteLoad"), ox.NamedNode(LZG + "staging/pending")))
    store.flush()
    del store
    data = write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n")
    import_rdf(bare, data, license_iri=CC0, progress=False)
    remove(bare, G + "x")
    assert snapshot(bare) == before


@pytest.mark.parametrize("target", [LZG + "links", LZG + "p01-s01", IMPORTS_GRAPH, LZG + "elsewhere", None])
def test_a_load_that_writes_outside_its_graph_publishes_nothing(store_dir, target):
    """The last line of defence, whatever the parser does: a load writing into a graph of the
    build, the catalogue, a new graph or the default graph is refused before publishing."""
    from liuzhou_kg.store.imports.write import write_graph

    before = snapshot(store_dir)
    own = ox.NamedNode(G + "mine")

    def load(store, graph):
        store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("x"), graph))
        stray = ox.NamedNode(target) if target else ox.DefaultGraph()
        store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("y"), stray))

    with pytest.raises(InputError, match="nothing was published"):
        write_graph(store_dir, own, load, replace=False, source="file:///x", title="x", license=CC0,
                    media_type="text/turtle")
    assert snapshot(store_dir) == before
