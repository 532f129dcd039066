"""Portable queries: every query file runs as it is, in Oxigraph and in Apache Jena ARQ, alike.

Users copy ``queries/*.rq`` and ``queries/checks/*.rq`` into their own tools, so each file declares
the prefixes it uses (no more and no fewer) and relies on nothing our CLI or endpoint predeclares.
The Jena test is the independent one: another engine's parser (strict SPARQL 1.1) and evaluator on
the built dataset, compared with ours as sorted rows (numbers by value, blank nodes by position).
The one prefix table is ``liuzhou_kg/core/prefixes.rq``; the namespace objects agree with it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from liuzhou_kg.core import namespaces
from liuzhou_kg.sparql.execute import QueryRequest, execute
from liuzhou_kg.core.prefixes import PREFIXES_FILE, prefixes, prologue
from liuzhou_kg.store.reader import open_store

REPO = Path(__file__).resolve().parent.parent
QUERY_FILES = (sorted((REPO / "queries").glob("*.rq"))
               + sorted((REPO / "queries" / "checks").glob("*.rq")))
RUNNER = REPO / "tests" / "jena" / "RunQueries.java"
SEPARATE = "# default graph: separate"  # the checks' directive, as liuzhou_kg.build.validate reads it
_DECLARATION = re.compile(r"^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>\s*$", re.IGNORECASE | re.MULTILINE)
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
                             "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def _parses_alone(text: str) -> bool:
    """True if Oxigraph parses the text with no predeclared prefix at all."""
    try:
        pyoxigraph.Store().query(text)
    except SyntaxError:
        return False
    return True


# --- one prefix table ---------------------------------------------------------------------------

def test_namespace_objects_agree_with_the_prefix_table():
    table = prefixes()
    assert namespaces.PREFIXES == table
    objects = {"lz": namespaces.LZ, "lzo": namespaces.LZO._NS, "lzp": namespaces.LZP,
               "lzg": namespaces.LZG, "rdf": namespaces.RDF, "rdfs": namespaces.RDFS,
               "owl": namespaces.OWL, "xsd": namespaces.XSD, "skos": namespaces.SKOS,
               "prov": namespaces.PROV, "qb": namespaces.QB, "time": namespaces.TIME,
               "oa": namespaces.OA, "org": namespaces.ORG, "schema": namespaces.SCHEMA,
               "dcterms": namespaces.DCTERMS, "dcat": namespaces.DCAT, "void": namespaces.VOID,
               "sdmx-dimension": namespaces.SDMX_DIMENSION,
               "sdmx-attribute": namespaces.SDMX_ATTRIBUTE,
               "sdmx-measure": namespaces.SDMX_MEASURE, "vann": namespaces.VANN}
    disagreeing = {name: (str(ns), table.get(name)) for name, ns in objects.items()
                   if table.get(name) != str(ns)}
    assert disagreeing == {}


def test_the_predeclared_prologue_is_the_prefix_table():
    declared = dict(_DECLARATION.findall(prologue()))
    assert declared == prefixes()
    assert dict(_DECLARATION.findall(PREFIXES_FILE.read_text(encoding="utf-8"))) == prefixes()


# --- every file declares its own prefixes ----------------------------------------------------

def prefix_problems(text: str) -> list[str]:
    """What is wrong with a query file's own prologue: an undeclared prefix, an unused one, or one
    whose IRI differs from the prefix table."""
    if not _parses_alone(text):
        return ["uses a prefix it does not declare (or is not SPARQL)"]
    problems = []
    table = prefixes()
    for match in _DECLARATION.finditer(text):
        name, iri = match.group(1), match.group(2)
        if table.get(name) != iri:
            problems.append(f"PREFIX {name}: <{iri}> differs from the prefix table "
                            f"({table.get(name)})")
        if _parses_alone(text.replace(match.group(0), "", 1)):
            problems.append(f"declares PREFIX {name}: but never uses it")
    return problems


@pytest.mark.parametrize("path", QUERY_FILES, ids=_relative)
def test_query_file_declares_exactly_the_prefixes_it_uses(path):
    assert prefix_problems(path.read_text(encoding="utf-8")) == []


def test_prefix_problems_are_caught():
    lzo = "PREFIX lzo: <https://w3id.org/liuzhou-kg/ontology#>\n"
    body = "SELECT * WHERE { ?s a lzo:Enterprise }\n"
    assert prefix_problems(lzo + body) == []
    assert prefix_problems(body) != []
    assert prefix_problems("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + lzo + body) \
        == ["declares PREFIX skos: but never uses it"]
    assert prefix_problems(lzo.replace("ontology#", "ontology/") + body)[0].startswith(
        "PREFIX lzo: <https://w3id.org/liuzhou-kg/ontology/> differs")


# --- the same rows in Jena ARQ ----------------------------------------------------------------

def jena_command(scratch: Path) -> list[str] | None:
    """How to start Java with Jena ARQ on the class path, or None where Jena is not installed.

    ``LIUZHOU_KG_JENA`` names a launcher (a script taking ``CLASS ARGS...``); otherwise the
    checkout's sibling ``shared/tools/jena``, or Debian's ``libapache-jena-java`` jars with a JDK.
    Debian's jena-core lacks the Xerces message files under the names Jena looks them up by, so they
    are copied out of the jar into ``scratch`` (as the shared launcher does).
    """
    for candidate in (os.environ.get("LIUZHOU_KG_JENA"), REPO.parent / "shared" / "tools" / "jena",
                      REPO.parent.parent / "shared" / "tools" / "jena"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    java, share = shutil.which("java"), Path("/usr/share/java")
    jars = sorted(share.glob("jena-*-4*.jar"))
    if java is None or not jars or not (share / "jena-core.jar").exists():
        return None
    fix = scratch / "xerces-fix"
    with zipfile.ZipFile(share / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/impl/") and name.endswith(".properties"):
                target = fix / "xerces" / name[len("org/apache/jena/ext/xerces/"):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    extra = [share / f"{name}.jar" for name in (
        "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
        "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
        "jackson-core", "jackson-databind", "jackson-annotations", "jakarta.json-api",
        "jsonld-java", "protobuf", "thrift", "titanium-json-ld", "slf4j-api", "slf4j-simple")]
    classpath = ":".join(str(p) for p in [fix, *jars, *extra] if p.exists())
    return [java, "-XX:TieredStopAtLevel=1", "-cp", classpath]


def _term(binding: dict | None):
    """A result term in a form both engines agree on: numbers by value, blank nodes unnamed."""
    if binding is None:
        return None
    kind = binding["type"]
    if kind == "uri":
        return ("iri", binding["value"])
    if kind == "bnode":
        return ("bnode",)
    datatype = binding.get("datatype")
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(binding["value"]))
        except InvalidOperation:
            pass
    if datatype == XSD + "string":
        datatype = None
    return ("literal", binding["value"], (binding.get("xml:lang") or "").lower(), datatype)


def rows_of(results: dict, concatenated: dict[str, str] | None = None):
    """Sorted rows of a SPARQL JSON result (or the boolean of an ASK).

    ``concatenated`` maps a GROUP_CONCAT variable to its separator. SPARQL leaves the order of a
    group's values open, and Oxigraph keeps a language tag the values share while Jena gives a
    simple literal (as SPARQL 1.1 says), so such a value is compared as the sorted list of its parts.
    """
    if "boolean" in results:
        return results["boolean"]
    concatenated = concatenated or {}
    variables = results["head"]["vars"]

    def term(variable, binding):
        if variable in concatenated and binding is not None and binding["type"] == "literal":
            return ("parts", tuple(sorted(binding["value"].split(concatenated[variable]))))
        return _term(binding)

    rows = [tuple(term(v, row.get(v)) for v in variables) for row in results["results"]["bindings"]]
    return variables, sorted(rows, key=repr)


_GROUP_CONCAT = re.compile(r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*SEPARATOR\s*=\s*"
                           r"(\"[^\"]*\"|'[^']*')\s*\)\s*AS\s*[?$](\w+)", re.IGNORECASE)


def group_concat_variables(text: str) -> dict[str, str]:
    """GROUP_CONCAT result variable -> separator, for the queries of this repository."""
    return {name: separator[1:-1] for separator, name in _GROUP_CONCAT.findall(text)}


def test_group_concat_values_compare_as_parts():
    text = 'SELECT (GROUP_CONCAT(DISTINCT ?name; separator=", ") AS ?names) WHERE {}'
    assert group_concat_variables(text) == {"names": ", "}
    result = {"head": {"vars": ["names"]}, "results": {"bindings": [
        {"names": {"type": "literal", "value": "b, a", "xml:lang": "zh"}}]}}
    other = {"head": {"vars": ["names"]}, "results": {"bindings": [
        {"names": {"type": "literal", "value": "a, b"}}]}}
    assert rows_of(result, {"names": ", "}) == rows_of(other, {"names": ", "})
    assert rows_of(result) != rows_of(other)


def ours(store, text: str):
    """Our answer to a query file: library questions through the endpoint's execute(), checks as
    liuzhou_kg.build.validate runs them."""
    if SEPARATE in text:
        result = store.query(text)
        return json.loads(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON))
    form_is_graph = re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", text, re.IGNORECASE | re.MULTILINE)
    answer = execute(store, QueryRequest(text, "nt" if form_is_graph else "json"))
    if form_is_graph:
        return answer.body
    return json.loads(answer.body)


@pytest.fixture(scope="module")
def jena_answers(built_dist, tmp_path_factory):
    command = jena_command(tmp_path_factory.mktemp("jena-classpath"))
    if command is None:
        pytest.skip("Apache Jena (java + libapache-jena-java) is not installed")
    out = tmp_path_factory.mktemp("jena")
    done = subprocess.run([*command, str(RUNNER), str(built_dist / "liuzhou.trig"), str(out),
                           *map(str, QUERY_FILES)], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    return out


def test_the_jena_runner_reports_a_query_it_cannot_parse(jena_answers, tmp_path, built_dist):
    """The comparison can fail: a query leaning on a predeclared prefix is an error in Jena."""
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE { ?s a lzo:Enterprise }\n", encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([*jena_command(tmp_path), str(RUNNER), str(built_dist / "liuzhou.trig"),
                           str(out), str(bad)], capture_output=True, timeout=300)
    assert done.returncode == 0
    assert (out / "0.err").exists() and "lzo" in (out / "0.err").read_text(encoding="utf-8")


@pytest.mark.parametrize("index", range(len(QUERY_FILES)),
                         ids=[_relative(p) for p in QUERY_FILES])
def test_jena_arq_gives_the_same_answer(jena_answers, built_dist, index):
    path = QUERY_FILES[index]
    error = jena_answers / f"{index}.err"
    assert not error.exists(), f"Jena ARQ refused {_relative(path)}: " + error.read_text(
        encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    store = _store(built_dist)
    mine = ours(store, text)
    graph_answer = jena_answers / f"{index}.nt"
    if graph_answer.exists():
        theirs = rdflib.Graph().parse(graph_answer, format="nt")
        assert isomorphic(theirs, rdflib.Graph().parse(data=mine.decode("utf-8"), format="nt"))
        assert len(theirs) > 0
        return
    theirs = json.loads((jena_answers / f"{index}.srj").read_text(encoding="utf-8"))
    concatenated = group_concat_variables(text)
    assert rows_of(theirs, concatenated) == rows_of(mine, concatenated)


_STORES: dict = {}


def _store(built_dist):
    if built_dist not in _STORES:
        _STORES[built_dist] = open_store(built_dist / "store")
    return _STORES[built_dist]


# The questions across documents answer no rows on the published graph (one document), so the
# comparison above is of two empty answers; on the fixture corpus build they have rows to compare.
CORPUS_QUESTION_FILES = [REPO / "queries" / f"{name}.rq"
                         for name in ("indicator-change-across-documents", "targets-reported-later")]


@pytest.fixture(scope="module")
def jena_corpus_answers(corpus_dist, tmp_path_factory):
    command = jena_command(tmp_path_factory.mktemp("jena-corpus-classpath"))
    if command is None:
        pytest.skip("Apache Jena (java + libapache-jena-java) is not installed")
    out = tmp_path_factory.mktemp("jena-corpus")
    done = subprocess.run([*command, str(RUNNER), str(corpus_dist / "liuzhou.trig"), str(out),
                           *map(str, CORPUS_QUESTION_FILES)], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    return out


@pytest.mark.parametrize("index", range(len(CORPUS_QUESTION_FILES)),
                         ids=[_relative(p) for p in CORPUS_QUESTION_FILES])
def test_jena_arq_gives_the_same_answer_on_the_fixture_corpus(jena_corpus_answers, corpus_store, index):
    path = CORPUS_QUESTION_FILES[index]
    error = jena_corpus_answers / f"{index}.err"
    assert not error.exists(), f"Jena ARQ refused {_relative(path)}: " + error.read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    concatenated = group_concat_variables(text)
    mine = rows_of(ours(corpus_store, text), concatenated)
    theirs = rows_of(json.loads((jena_corpus_answers / f"{index}.srj").read_text(encoding="utf-8")), concatenated)
    assert theirs == mine
    assert mine, "the fixture corpus answers this question with rows"
