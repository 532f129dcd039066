"""`liuzhou-kg query` and `liuzhou-kg queries`, run as a user would (a subprocess, LC_ALL=C)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "query" / "mini.trig"
LABELS = "SELECT ?s ?label WHERE { ?s a lzo:Enterprise ; rdfs:label ?label } ORDER BY ?label"


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONIOENCODING", None)
    return subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", *args], cwd=REPO, env=env,
                          capture_output=True, timeout=timeout)


def query(*args: str) -> subprocess.CompletedProcess:
    return cli("query", "--data", str(FIXTURE), *args)


def out(result) -> str:
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")


def test_table_is_the_default_and_aligns_chinese():
    from wcwidth import wcswidth

    text = out(query("SELECT ?label ?n WHERE { ?s rdfs:label ?label FILTER(LANG(?label) = 'zh') "
                     "BIND(STRLEN(?label) AS ?n) } ORDER BY ?label"))
    lines = [line for line in text.splitlines() if line.strip() and not line.endswith("rows")]
    assert any("柳工" in line for line in lines)
    widths = {wcswidth(line) for line in lines}
    assert len(widths) == 1, lines  # every table line is equally wide on screen


def test_lang_chooses_labels():
    assert "柳工" in out(query(LABELS)) and "LiuGong" not in out(query(LABELS))
    english = out(query(LABELS, "--lang", "en"))
    assert "LiuGong" in english and "柳工" not in english
    both = out(query(LABELS, "--format", "csv"))
    assert "LiuGong" in both and "柳工" in both
    assert "LiuGong" not in out(query(LABELS, "--format", "csv", "--lang", "zh"))


def test_prefixed_names_are_compacted_in_tables():
    assert "lz:liugong" in out(query(LABELS))


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_result_formats(fmt):
    text = out(query(LABELS, "--format", fmt))
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted(r["label"] for r in rows) == ["LiuGong", "柳工"]
    elif fmt == "tsv":
        assert text.splitlines()[0] == "?s\t?label"
        assert '"柳工"@zh' in text
    elif fmt == "json":
        bindings = json.loads(text)["results"]["bindings"]
        assert sorted(b["label"]["value"] for b in bindings) == ["LiuGong", "柳工"]
    else:
        import xml.dom.minidom

        doc = xml.dom.minidom.parseString(text.encode("utf-8"))
        assert sorted(n.firstChild.data for n in doc.getElementsByTagName("literal")) == [
            "LiuGong", "柳工"]


@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("jsonld", "json-ld"),
                                          ("nt", "nt")])
def test_graph_formats(fmt, parse_as):
    import rdflib

    text = out(query("CONSTRUCT WHERE { lz:liugong ?p ?o }", "--format", fmt))
    graph = rdflib.Graph().parse(data=text, format=parse_as)
    assert (rdflib.URIRef("https://w3id.org/liuzhou-kg/resource/liugong"), rdflib.RDFS.label,
            rdflib.Literal("柳工", lang="zh")) in graph


def test_construct_defaults_to_turtle_and_ask_prints_a_boolean():
    assert "lz:liugong" in out(query("DESCRIBE lz:liugong"))
    assert out(query("ASK { lz:liugong a lzo:Enterprise }")).strip() == "true"


def test_query_from_file(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# 柳工的标签\n" + LABELS + "\n", encoding="utf-8")
    assert "柳工" in out(query("-f", str(path)))


def test_syntax_error_shows_line_and_column(tmp_path):
    result = query("SELECT ?s\nWHERE {\n  ?s ?p\n}")
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert err.startswith("error: <query>:4:") and "syntax error" in err
    assert "Traceback" not in err
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * {\n ?s ?p }", encoding="utf-8")
    err = query("-f", str(path)).stderr.decode("utf-8")
    assert f"{path}:2:" in err


def test_refusal_shows_line_and_column(tmp_path):
    text = "PREFIX : <http://127.0.0.1:9/>\nSELECT * WHERE {\n  SERVICE:x { ?s ?p ?o } }"
    result = query(text)
    assert result.returncode == 2
    assert result.stderr.decode("utf-8") == (
        "error: <query>:3:3: SERVICE is refused unless you ask for it (--allow-service): it "
        "makes this process send requests to another endpoint\n")
    path = tmp_path / "remote.rq"
    path.write_text("# LOAD <http://127.0.0.1:9/data.ttl>\nSELECT *\n  from <file:///etc/passwd>"
                    "\nWHERE { ?s ?p ?o }\n", encoding="utf-8")
    err = query("-f", str(path)).stderr.decode("utf-8")
    assert err.startswith(f"error: {path}:3:3: FROM <file:///etc/passwd> is not a graph"), err


def test_non_utf8_file_is_named_with_its_position(tmp_path):
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT * {\n ?s ?p "é" }'.encode("latin-1"))
    result = query("-f", str(path))
    assert result.returncode == 2
    assert f"{path}:2:9: not UTF-8" in result.stderr.decode("utf-8")


def test_timeout_stops_the_query():
    started = time.monotonic()
    result = query("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }",
                   "--timeout", "1")
    assert result.returncode == 3  # EXIT_TIMEOUT
    assert "time limit of 1 s" in result.stderr.decode("utf-8")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("args,message", [
    (("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",), "SERVICE is refused"),
    (("INSERT DATA { lz:a lz:b lz:c }",), "read-only"),
    (("no-such-question",), "no question named 'no-such-question'"),
    (("CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"), "use --format turtle"),
    (("SELECT * {}", "--format", "nt"), "use --format table"),
    ((), "no query"),
])
def test_input_errors(args, message):
    result = query(*args)
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert message in err and "Traceback" not in err


def test_missing_store_is_an_input_error(tmp_path):
    result = cli("query", "--store", str(tmp_path / "nothing"), "ASK {}")
    assert result.returncode == 2
    assert "no pyoxigraph store" in result.stderr.decode("utf-8")


def test_queries_lists_every_question_in_both_languages():
    from liuzhou_kg.sparql.library import library

    text = out(cli("queries"))
    questions = library()
    assert len(questions) >= 25
    flat = " ".join(text.split())
    for q in questions:
        assert q.name in text
        assert q.question_zh.split("？")[0][:6] in flat
