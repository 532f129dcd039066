"""Every way of running a query has a time limit, and the cold query path stays light.

One test per command (``query`` is in test_query_cli.py, ``serve`` in test_server.py, the
library's worker path in test_workers.py): a cross join that would run for hours on the built
store, stopped by ``--timeout 1`` with a clear error and exit status 3.
"""
from __future__ import annotations

import os
import subprocess
import sys

from liuzhou_kg.core.layout import Layout
from liuzhou_kg.sparql.runner import EXIT_TIMEOUT

REPO = Layout.default().repo

SLOW = "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("LIUZHOU_KG_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_viz_query_has_a_time_limit(built_dist, tmp_path):
    query = tmp_path / "slow.rq"
    query.write_text(SLOW, encoding="utf-8")
    out = tmp_path / "page.html"
    result = cli("viz", "--query", str(query), "--store", str(built_dist / "store"),
                 "--timeout", "1", "-o", str(out))
    assert result.returncode == EXIT_TIMEOUT, result.stderr
    assert f"{query}: the query was stopped after its time limit of 1 s" in result.stderr
    assert not out.exists()


def test_federate_has_a_time_limit(built_dist, tmp_path):
    result = cli("federate", SLOW, "--store", str(built_dist / "store"), "--timeout", "1")
    assert result.returncode == EXIT_TIMEOUT, result.stderr
    assert "time limit of 1 s" in result.stderr


def test_viz_query_runs_on_the_store_directly(built_dist, tmp_path):
    out = tmp_path / "targets.html"
    result = cli("viz", "--query", "program-targets", "--store", str(built_dist / "store"),
                 "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.is_file() and "query view" in result.stdout


LIGHT = """
import sys
from liuzhou_kg import cli
code = cli.main(sys.argv[1:])
heavy = sorted(m for m in ("rdflib", "networkx", "asyncio", "multiprocessing", "yaml", "starlette", "typing",
                           "pyparsing") if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
sys.exit(code)
"""


def test_cold_query_imports_no_heavy_module(built_dist):
    # The table of a terminal is drawn by rich, which needs typing; CSV needs neither.
    for args, allowed in (
            (["query", "-f", str(REPO / "queries" / "facts-per-section.rq"), "--format", "csv"], ""),
            (["query", "enterprise-output"], "typing")):
        result = subprocess.run([sys.executable, "-c", LIGHT, *args, "--store",
                                 str(built_dist / "store")], cwd=REPO, capture_output=True,
                                text=True, encoding="utf-8", timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.rstrip().endswith("HEAVY:" + allowed), result.stdout[-300:]


def test_a_query_that_needs_the_parser_still_runs(built_dist):
    # FROM sends the query to the parser (rdflib is imported then, and only then).
    result = cli("query", "--store", str(built_dist / "store"), "--format", "csv",
                 "SELECT (COUNT(*) AS ?n) FROM lzg:ontology WHERE { ?s ?p ?o }")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[1]) > 100
