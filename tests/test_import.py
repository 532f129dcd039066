"""`liuzhou-kg import / imports / remove`: named graphs with metadata, all or nothing, union and GRAPH queries.

Hostile inputs, limits, locking and imports across builds are in tests/test_import_safety.py."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from liuzhou_kg.cli import main
from liuzhou_kg.core.errors import InputError
from liuzhou_kg.store.imports.catalogue import IMPORTS_GRAPH, imported
from liuzhou_kg.store.imports.rdf_file import import_rdf
from liuzhou_kg.store.imports.write import remove
from liuzhou_kg.store.imports.csv_cube import import_csv
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.store.generations import current_generation
from liuzhou_kg.store.reader import open_store

REPO = Layout.default().repo

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MAPPING = REPO / "graph" / "mappings" / "regional-statistics.yaml"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
G = "https://w3id.org/liuzhou-kg/graph/import/"
NANNING_TTL = """@prefix ex: <http://example.org/nanning/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
ex:dataset dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
ex:nanning rdfs:label "南宁市"@zh , "Nanning"@en ;
    ex:partner <https://w3id.org/liuzhou-kg/resource/liuzhou> .
"""


@pytest.fixture
def store_dir(built_dist, tmp_path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built_dist / "store", target)
    return target


def snapshot(store_dir: Path) -> set:
    """Every quad of the store's published generation."""
    store = ox.Store.read_only(str(current_generation(store_dir)))
    return set(store.quads_for_pattern(None, None, None, None))


def reader(store_dir: Path):
    return open_store(store_dir)


def union(store, query: str):
    """A query naming no graph, run as the project runs it: over the union of all graphs."""
    return store.query(query, use_default_graph_as_union=True)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_is_a_named_graph_with_metadata(store_dir, tmp_path):
    store = reader(store_dir)
    data = write(tmp_path / "nanning.ttl", NANNING_TTL)
    result = import_rdf(store_dir, data, progress=False)
    assert result.graph == G + "nanning"
    assert result.triples == 4
    assert result.license == CC_BY  # stated by the data itself
    [row] = imported(store)
    assert row["graph"] == G + "nanning" and row["triples"] == "4" and row["license"] == CC_BY
    assert row["source"] == data.resolve().as_uri()
    assert row["issued"][:4].isdigit()
    assert store.query(f"ASK {{ GRAPH <{IMPORTS_GRAPH}> {{ <{G}nanning> a <http://www.w3.org/ns/dcat#Dataset> , "
                       "<http://rdfs.org/ns/void#Dataset> } }")


def test_queries_span_the_union_or_one_graph(store_dir, tmp_path):
    store = reader(store_dir)
    import_rdf(store_dir, write(tmp_path / "nanning.ttl", NANNING_TTL), progress=False)
    # One query over the union joins the import with the built graph ...
    rows = list(union(store, """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?city ?partner WHERE {
          ?c <http://example.org/nanning/partner> ?p .
          ?c rdfs:label ?city FILTER(LANG(?city) = "zh")
          ?p rdfs:label ?partner FILTER(LANG(?partner) = "zh") }"""))
    assert [(r["city"].value, r["partner"].value) for r in rows] == [("南宁市", "柳州市")]
    # ... and GRAPH reads the import alone.
    rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}nanning> {{ ?s ?p ?o }} }}"))
    assert rows[0]["n"].value == "4"
    assert not store.query(f"ASK {{ GRAPH <{G}nanning> {{ ?s a ?t }} }}")


def test_an_existing_graph_needs_replace(store_dir, tmp_path):
    store = reader(store_dir)
    data = write(tmp_path / "nanning.ttl", NANNING_TTL)
    import_rdf(store_dir, data, progress=False)
    before = snapshot(store_dir)
    with pytest.raises(InputError, match="--replace"):
        import_rdf(store_dir, data, progress=False)
    assert snapshot(store_dir) == before


def test_replace_swaps_the_graph_and_its_metadata(store_dir, tmp_path):
    store = reader(store_dir)
    import_rdf(store_dir, write(tmp_path / "nanning.ttl", NANNING_TTL), progress=False)
    replacement = write(tmp_path / "v2.ttl", '<http://example.org/nanning/nanning> '
                        '<http://www.w3.org/2000/01/rdf-schema#label> "南寧市"@zh-Hant .\n')
    result = import_rdf(store_dir, replacement, graph_iri=G + "nanning", replace=True, license_iri=CC0,
                        progress=False)
    assert result.replaced and result.triples == 1
    labels = {r["l"].value for r in union(store,
        "SELECT ?l WHERE { <http://example.org/nanning/nanning> <http://www.w3.org/2000/01/rdf-schema#label> ?l }")}
    assert labels == {"南寧市"}  # the old labels left the store
    [row] = imported(store)
    assert (row["triples"], row["license"], row["title"]) == ("1", CC0, "v2.ttl")
    assert not any(g.value.startswith("https://w3id.org/liuzhou-kg/graph/staging/")
                   for g in store.named_graphs())


def test_replace_with_bad_data_changes_nothing(store_dir, tmp_path):
    store = reader(store_dir)
    import_rdf(store_dir, write(tmp_path / "nanning.ttl", NANNING_TTL), progress=False)
    before = snapshot(store_dir)
    bad = write(tmp_path / "bad.ttl", NANNING_TTL + 'ex:x ex:y "unterminated .\n')
    with pytest.raises(InputError) as err:
        import_rdf(store_dir, bad, graph_iri=G + "nanning", replace=True, progress=False)
    assert f"{bad}:7:" in str(err.value)
    assert snapshot(store_dir) == before


def test_malformed_input_names_line_and_column_and_leaves_the_store_untouched(store_dir, tmp_path):
    store = reader(store_dir)
    before = snapshot(store_dir)
    lines = "".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(5000))
    bad = write(tmp_path / "big.nt", lines + '<http://e/s> <http://e/p> <not an iri> .\n')
    with pytest.raises(InputError) as err:
        import_rdf(store_dir, bad, license_iri=CC0, progress=False)
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (5001, 27)
    assert snapshot(store_dir) == before


def test_a_missing_licence_is_an_error_and_writes_nothing(store_dir, tmp_path):
    store = reader(store_dir)
    before = snapshot(store_dir)
    with pytest.raises(InputError, match="licence"):
        import_rdf(store_dir, write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n"),
                   progress=False)
    assert snapshot(store_dir) == before


def test_build_graphs_cannot_be_overwritten(store_dir, tmp_path):
    store = reader(store_dir)
    data = write(tmp_path / "x.nt", "<http://e/a> <http://e/b> <http://e/c> .\n")
    for graph in ("https://w3id.org/liuzhou-kg/graph/ontology", "https://w3id.org/liuzhou-kg/graph/p01-s01",
                  "https://w3id.org/liuzhou-kg/graph/inferences", "https://w3id.org/liuzhou-kg/graph/staging/pending",
                  "not an iri"):
        with pytest.raises(InputError):
            import_rdf(store_dir, data, graph_iri=graph, license_iri=CC0, replace=True, progress=False)


def test_remove_takes_out_graph_and_metadata(store_dir, tmp_path):
    store = reader(store_dir)
    before = snapshot(store_dir)
    # a triple the built graph already has stays in the union after the removal
    shared = ('<https://w3id.org/liuzhou-kg/resource/liuzhou> <http://www.w3.org/2000/01/rdf-schema#label> '
              '"柳州市"@zh .\n')
    import_rdf(store_dir, write(tmp_path / "nanning.nt", shared + '<http://e/a> <http://e/b> "南宁" .\n'),
               license_iri=CC0, progress=False)
    assert remove(store_dir, G + "nanning") == 2
    assert snapshot(store_dir) == before
    with pytest.raises(InputError, match="no imported graph"):
        remove(store_dir, G + "nanning")


def test_csv_statistics_compare_with_liuzhou_in_one_query(store_dir):
    store = reader(store_dir)
    result = import_csv(store_dir, FIXTURES / "regional-statistics.csv", MAPPING, license_iri=CC0)
    assert result.graph == G + "regional-statistics"
    query = (FIXTURES / "compare-cities.rq").read_text(encoding="utf-8")
    rows = [(r["indicator"].value, r["city"].value, r["value"].value, r["unit"].value)
            for r in union(store, query)]
    by_indicator: dict[str, list[str]] = {}
    for indicator, city, _, unit in rows:
        by_indicator.setdefault(indicator, []).append(city)
        assert unit == "亿元"
    assert len(by_indicator) == 4
    for cities in by_indicator.values():
        assert sorted(cities) == ["Guilin", "Liuzhou", "Nanning"]
    assert ("gross regional product (GDP)", "Liuzhou", "2208.51", "亿元") in rows
    assert ("gross regional product (GDP)", "Nanning", "3100.5", "亿元") in rows
    # the same structure: imported observations carry base values like the build's
    base = list(union(store, """PREFIX lzo: <https://w3id.org/liuzhou-kg/ontology#>
        SELECT ?b WHERE { <https://w3id.org/liuzhou-kg/resource/obs-450300-gdp-2014> lzo:baseValue ?b ;
                          lzo:baseUnit <https://w3id.org/liuzhou-kg/resource/unit-yuan> }"""))
    assert base[0]["b"].value == "180025000000"
    # the cities carry their GB/T 2260 codes
    assert union(store, """ASK { <https://w3id.org/liuzhou-kg/resource/area-gbt2260-450100>
        <http://www.w3.org/2004/02/skos/core#notation>
        "450100"^^<https://w3id.org/liuzhou-kg/ontology#GBT2260Code> }""")


def test_csv_area_with_a_verified_code_is_the_existing_entity(store_dir, tmp_path):
    store = reader(store_dir)
    csv_file = write(tmp_path / "liuzhou-2015.csv",
                     "area_code,area_zh,area_en,year,indicator,value,unit,growth_rate\n"
                     "450200,柳州市,Liuzhou,2015,gdp,2300,unit-yi-yuan,\n")
    import_csv(store_dir, csv_file, MAPPING, license_iri=CC0, graph_iri=G + "liuzhou-2015")
    rows = list(union(store, """PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        SELECT ?area WHERE { <https://w3id.org/liuzhou-kg/resource/obs-450200-gdp-2015> sdmx-dimension:refArea ?area }"""))
    assert [r["area"].value for r in rows] == ["https://w3id.org/liuzhou-kg/resource/liuzhou"]


def test_csv_errors_name_line_and_column_and_write_nothing(store_dir, tmp_path):
    store = reader(store_dir)
    before = snapshot(store_dir)
    csv_file = write(tmp_path / "bad.csv",
                     "area_code,area_zh,area_en,year,indicator,value,unit,growth_rate\n"
                     "450100,南宁市,Nanning,2014,gdp,3100,unit-yi-yuan,8\n"
                     "450100,南宁市,Nanning,2014,gpd,12,unit-yi-yuan,8\n"
                     "450300,桂林市,Guilin,2014,gdp,many,unit-yi-yuan,8\n"
                     "450300,桂林市,Guilin,1999,fiscal-revenue,1,unit-yi-yuan,\n"
                     "450300,桂林市,,2014,fiscal-revenue,1,unit-yi-yuan,\n")
    with pytest.raises(InputError) as err:
        import_csv(store_dir, csv_file, MAPPING, license_iri=CC0)
    text = str(err.value)
    assert f"{csv_file}:3:5: indicator 'gpd'" in text
    assert f"{csv_file}:4:6: value 'many' is not a decimal number" in text
    assert f"{csv_file}:5:4: period '1999'" in text
    assert f"{csv_file}:6:3: empty 'area_en'" in text
    assert snapshot(store_dir) == before
    missing = write(tmp_path / "missing.csv", "area_code,year\n450100,2014\n")
    with pytest.raises(InputError, match=r"missing.csv:1: missing column\(s\): area_zh"):
        import_csv(store_dir, missing, MAPPING, license_iri=CC0)


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    return subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_cli_import_list_remove_under_c_locale(store_dir, tmp_path):
    data = write(tmp_path / "nanning.ttl", NANNING_TTL)
    proc = cli("import", str(data), "--store", str(store_dir))
    assert proc.returncode == 0, proc.stderr
    assert f"imported <{G}nanning>: 4 triples" in proc.stdout
    proc = cli("import", str(FIXTURES / "regional-statistics.csv"), "--mapping", str(MAPPING),
               "--license", CC0, "--store", str(store_dir))
    assert proc.returncode == 0, proc.stderr
    proc = cli("imports", "--store", str(store_dir))
    assert proc.returncode == 0 and f"<{G}nanning>  4 triples" in proc.stdout
    assert "regional-statistics.csv" in proc.stdout
    proc = cli("import", str(data), "--store", str(store_dir))
    assert proc.returncode == 2 and "--replace" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("remove", G + "nanning", "--store", str(store_dir))
    assert proc.returncode == 0 and "removed" in proc.stdout
    proc = cli("import", str(FIXTURES / "regional-statistics.csv"), "--store", str(store_dir))
    assert proc.returncode == 2 and "--mapping" in proc.stderr


def test_cli_import_reports_bad_input(store_dir, tmp_path, capsys):
    bad = write(tmp_path / "bad.trig", "<http://e/g> { <http://e/a> <http://e/b> }\n")
    assert main(["import", str(bad), "--store", str(store_dir), "--license", CC0]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "data.xyz"), "--store", str(store_dir)]) == 2
    assert main(["import", str(bad), "--store", str(tmp_path)]) == 2  # not a store


def test_progress_bar_reads_the_file_unchanged(store_dir, tmp_path, monkeypatch):
    import io

    from rich.console import Console

    from liuzhou_kg.store.imports import progress

    drawn = io.StringIO()
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(progress, "Console", lambda stderr: Console(file=drawn, force_terminal=True,
                                                                   width=100), raising=False)
    data = write(tmp_path / "nanning.ttl", NANNING_TTL * 1)
    with data.open("rb") as raw, progress.byte_progress(raw, data.stat().st_size, "import nanning.ttl") as handle:
        assert handle.read() == data.read_bytes()
    assert "import nanning.ttl" in drawn.getvalue()


def test_imports_write_named_graphs_only(store_dir, tmp_path):
    store = reader(store_dir)
    import_rdf(store_dir, write(tmp_path / "nanning.ttl", NANNING_TTL), progress=False)
    import_csv(store_dir, FIXTURES / "regional-statistics.csv", MAPPING, license_iri=CC0)
    assert list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())) == []
    # the union of the graphs has each imported triple once
    rows = list(union(store, "SELECT ?o WHERE { <http://example.org/nanning/nanning> ?p ?o }"))
    assert sorted(r["o"].value for r in rows) == sorted(
        ["南宁市", "Nanning", "https://w3id.org/liuzhou-kg/resource/liuzhou"])
    assert not any(g.value.startswith("https://w3id.org/liuzhou-kg/graph/staging/")
                   for g in store.named_graphs())


# A child process that imports and dies (os._exit: no cleanup) while it reads the file.
DYING_IMPORT = """
import os, sys
from contextlib import contextmanager
from pathlib import Path
from liuzhou_kg.store.imports import rdf_file as imports

@contextmanager
def dying(raw, total, description, enabled=True):
    if not description.startswith("import "):  # the check pass reads the file first
        yield raw
        return
    class Reader:
        reads = 0
        def read(self, size=-1):
            self.reads += 1
            if self.reads > 2:
                os._exit(9)
            return raw.read(4096)
        def readinto(self, buffer):
            data = self.read(len(buffer))
            buffer[:len(data)] = data
            return len(data)
        def readable(self):
            return True
    yield Reader()

imports.byte_progress = dying
imports.import_rdf(Path(sys.argv[1]), Path(sys.argv[2]), graph_iri=sys.argv[3], replace=True,
                   license_iri="https://creativecommons.org/publicdomain/zero/1.0/", progress=False)
"""


def generations(store_dir: Path) -> list[str]:
    return sorted(p.name for p in store_dir.iterdir() if p.name.startswith("gen-"))


def test_an_import_killed_mid_load_is_invisible_and_cleaned_by_the_next_writer(store_dir, tmp_path):
    before = snapshot(store_dir)
    published = current_generation(store_dir)
    big = write(tmp_path / "big.nt", "".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(20000)))
    killed = subprocess.run([sys.executable, "-c", DYING_IMPORT, str(store_dir), str(big), G + "big"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr
    # what queries see is exactly what was there: the half-written generation is not published
    assert current_generation(store_dir) == published
    assert snapshot(store_dir) == before
    assert imported(reader(store_dir)) == []
    leftover = [g for g in generations(store_dir) if g != published.name]
    assert len(leftover) == 1  # the killed import's folder, to be deleted by the next writer
    result = import_rdf(store_dir, big, graph_iri=G + "big", license_iri=CC0, progress=False)
    assert (result.triples, result.replaced) == (20000, False)
    assert not set(leftover) & set(generations(store_dir))
    assert not list(store_dir.rglob("bulk-*.sst"))  # the bulk loader's files went with the folder
    assert remove(store_dir, G + "big") == 20000
    assert snapshot(store_dir) == before


def test_a_replace_killed_mid_load_keeps_the_old_graph(store_dir, tmp_path):
    import_rdf(store_dir, write(tmp_path / "nanning.ttl", NANNING_TTL), progress=False)
    after_import = snapshot(store_dir)
    big = write(tmp_path / "big.nt", "".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(20000)))
    killed = subprocess.run([sys.executable, "-c", DYING_IMPORT, str(store_dir), str(big), G + "nanning"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr
    [row] = imported(reader(store_dir))
    assert row["triples"] == "4"
    assert snapshot(store_dir) == after_import
    assert remove(store_dir, G + "nanning") == 4


def test_a_failure_during_the_load_leaves_the_store_untouched(store_dir, tmp_path, monkeypatch):
    from contextlib import contextmanager

    import liuzhou_kg.store.imports.rdf_file as imports

    before = snapshot(store_dir)
    real = imports.byte_progress

    @contextmanager
    def failing(raw, total, description, enabled=True):
        if not description.startswith("import "):
            with real(raw, total, description, enabled=enabled) as handle:
                yield handle
            return

        class Reader:
            reads = 0

            def read(self, size=-1):
                self.reads += 1
                if self.reads > 2:
                    raise OSError("disk on fire")
                return raw.read(4096)

            def readable(self):
                return True
        yield Reader()

    monkeypatch.setattr(imports, "byte_progress", failing)
    big = write(tmp_path / "big.nt", "".join(f'<http://e/s{i}> <http://e/p> "{i}" .\n' for i in range(20000)))
    with pytest.raises(InputError, match="cannot import"):
        import_rdf(store_dir, big, license_iri=CC0, progress=False)
    assert snapshot(store_dir) == before
    assert len(generations(store_dir)) == 1  # the failed import's generation was deleted at once
