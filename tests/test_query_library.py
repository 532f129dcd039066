"""The competency-question library: every queries/*.rq answers as its golden file says.

Goldens are tests/golden/queries/<name>.csv (SELECT: header, then the rows sorted), .nt (CONSTRUCT:
sorted N-Triples lines) or .json (ASK). After a deliberate change of the graph, rewrite them with
``LIUZHOU_KG_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_query_library.py`` and review
the diff; in that mode the comparisons are skipped, never passed.

The questions across documents (CORPUS_QUESTIONS) have nothing to compare in the published graph,
which holds the 2015 text alone: there they must answer no rows, and their goldens are the answers
on the build of the fixture corpus (tests/fixtures/corpus/, the conftest's corpus_store), which
adds two test documents written by us.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from liuzhou_kg.sparql.execute import QueryRequest, execute
from liuzhou_kg.sparql.analysis import analyse
from liuzhou_kg.sparql.large_stack import on_large_stack
from liuzhou_kg.sparql.policy import Policy
from liuzhou_kg.sparql.library import library
from liuzhou_kg.store.reader import open_store

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "queries"
QUERIES = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
UPDATE = os.environ.get("LIUZHOU_KG_UPDATE_GOLDEN") == "1"
SUFFIX = {"SELECT": ".csv", "CONSTRUCT": ".nt", "DESCRIBE": ".nt", "ASK": ".json"}
CORPUS_QUESTIONS = {"indicator-change-across-documents", "targets-reported-later"}


@pytest.fixture(scope="module")
def store(built_dist):
    return open_store(built_dist / "store")


def normalized(form: str, body: bytes) -> str:
    text = body.decode("utf-8")
    if form == "SELECT":
        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(rows[0])
        writer.writerows(sorted(rows[1:]))
        return out.getvalue()
    if form == "ASK":
        return json.dumps({"boolean": json.loads(text)["boolean"]}) + "\n"
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def query_form(text: str) -> str:
    return on_large_stack(analyse, text).form


def answer(store, text: str) -> tuple[str, str]:
    form = query_form(text)
    fmt = {"SELECT": "csv", "ASK": "json"}.get(form, "nt")
    body = on_large_stack(execute, store, QueryRequest(text, fmt), Policy.query()).body
    return form, normalized(form, body)


def test_the_library_has_at_least_25_questions_in_zh_and_en():
    questions = library()
    assert len(questions) >= 25
    for q in questions:
        assert q.question_zh and q.question_en
        assert any("\u4e00" <= c <= "\u9fff" for c in q.question_zh), q.name


@pytest.mark.parametrize("name", QUERIES)
def test_question_matches_its_golden_result(request, store, name):
    text = (REPO / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    on = request.getfixturevalue("corpus_store") if name in CORPUS_QUESTIONS else store
    form, got = answer(on, text)
    golden = GOLDEN / f"{name}{SUFFIX[form]}"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8", newline="\n")
        pytest.skip(f"golden written: {golden.name}")
    assert golden.exists(), f"no golden file {golden}; see the module docstring"
    expected = golden.read_text(encoding="utf-8")
    assert got == expected
    # A question whose answer is empty is a broken question.
    assert len(expected.splitlines()) >= (2 if form == "SELECT" else 1)


@pytest.mark.parametrize("name", sorted(CORPUS_QUESTIONS))
def test_questions_across_documents_answer_no_rows_on_the_published_graph(store, name):
    """One document, nothing to compare: the header alone, until a second real document is added."""
    text = (REPO / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    form, got = answer(store, text)
    assert form == "SELECT" and len(got.splitlines()) == 1, got
    assert "second real document" in text


def test_no_orphan_golden_files():
    assert sorted(p.stem for p in GOLDEN.iterdir()) == QUERIES


def test_docs_list_every_question():
    doc = (REPO / "docs" / "query.md").read_text(encoding="utf-8")
    for q in library():
        assert f"`{q.name}`" in doc, q.name
        assert q.question_en in doc, q.name


def test_cli_runs_a_question_by_name_on_the_built_store(built_dist):
    env = {**os.environ, "LC_ALL": "C"}
    done = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "query", "enterprise-output",
                           "--store", str(built_dist / "store"), "--lang", "en"],
                          cwd=REPO, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    text = done.stdout.decode("utf-8")
    assert "SAIC-GM-Wuling" in text and "上汽通用五菱" not in text
    zh = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "query", "enterprise-output",
                         "--store", str(built_dist / "store")],
                        cwd=REPO, env=env, capture_output=True, timeout=120)
    assert "上汽通用五菱" in zh.stdout.decode("utf-8")
