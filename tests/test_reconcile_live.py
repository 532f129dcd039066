"""The reconciliation service on a live `liuzhou-kg serve` (a subprocess on 127.0.0.1).

First a scripted session that does what OpenRefine does when a user adds the service and
reconciles a column: read the manifest, guess types from the first rows (an untyped batch), send
a typed batch of 10, open a preview for each match, ask which properties the type offers, and
extend the matched rows with them. Then the worked example of docs/reconcile.md, run as written
against the CSV in docs/examples/. Every response is validated against the protocol's schemas.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from test_reconcile_schemas import validate
from test_server import running_server

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "liuzhou-companies-places.csv"
EXPECTED = REPO / "docs" / "examples" / "liuzhou-companies-places.expected.csv"
ORIGIN = {"Origin": "http://127.0.0.1:3333"}  # OpenRefine's own origin, another port


@pytest.fixture(scope="module")
def live(built_dist):
    with running_server("--store", str(built_dist / "store"), "--workers", "1") as (url, _process):
        with httpx.Client(base_url=url, timeout=60, headers=ORIGIN) as client:
            yield url, client


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def post_queries(client: httpx.Client, service: str, queries: dict) -> dict:
    response = client.post(service, data={"queries": json.dumps(queries, ensure_ascii=False)})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    validate("0.2", "reconciliation-result-batch", body)
    return body


def test_openrefine_like_session(live):
    url, client = live
    service = url + "/reconcile"
    # 1. "Add standard service…": the manifest
    manifest = client.get(service).json()
    validate("0.2", "manifest", manifest)
    names = [row["name"] for row in read_rows(EXAMPLE)][:10]
    # 2. type guessing: the first rows, untyped, a few candidates each
    guess = post_queries(client, service, {f"q{i}": {"query": n, "limit": 3} for i, n in enumerate(names)})
    tally = Counter(t["id"] for answer in guess.values() for c in answer["result"][:1] for t in c["type"])
    assert tally["lzo:Enterprise"] >= 5
    # 3. the typed batch of 10, as OpenRefine sends it after the user picks the type
    typed = post_queries(client, service, {f"q{i}": {"query": n, "type": "lzo:Enterprise",
                                                     "type_strict": "should"}
                                           for i, n in enumerate(names)})
    matched = {names[int(k[1:])]: next((c["id"] for c in v["result"] if c["match"]), None)
               for k, v in typed.items()}
    assert matched["柳工"] == "liugong" and matched["東風柳汽"] == "dongfeng-liuzhou"
    assert matched["Liuzhou Iron & Steel"] == "liuzhou-iron-steel"
    # 4. a preview per match, through the manifest's template
    for entity_id in filter(None, matched.values()):
        preview = client.get(manifest["preview"]["url"].replace("{{id}}", entity_id))
        assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
        assert "frame-ancestors *" in preview.headers["content-security-policy"]
    # 5. data extension: proposed properties of the type, then their values for the matches
    propose = manifest["extend"]["propose_properties"]
    proposal = client.get(propose["service_url"] + propose["service_path"],
                          params={"type": "lzo:Enterprise"}).json()
    validate("0.2", "data-extension-property-proposal", proposal)
    wanted = [p["id"] for p in proposal["properties"]
              if p["id"] in ("lzo:inIndustry", "skos:notation", "figures")]
    assert len(wanted) == 3
    ids = sorted({i for i in matched.values() if i})
    extend = {"ids": ids, "properties": [{"id": pid} for pid in wanted]}
    response = client.post(service, data={"extend": json.dumps(extend)})
    assert response.status_code == 200
    body = response.json()
    validate("0.2", "data-extension-response", body)
    assert body["rows"]["liugong"]["lzo:inIndustry"] == [{"id": "machinery", "name": "机械产业"}]
    assert body["rows"]["liuzhou-iron-steel"]["skos:notation"] == [{"str": "601003"}]
    assert any("1300" in v["str"] for v in body["rows"]["liugang"]["figures"])
    # the suggest services the dialog uses while the user types
    for kind, schema in (("entity", "suggest-entities-response"), ("type", "suggest-types-response"),
                         ("property", "suggest-properties-response")):
        suggest = manifest["suggest"][kind]
        answer = client.get(suggest["service_url"] + suggest["service_path"], params={"prefix": "liu"})
        assert answer.status_code == 200
        validate("0.2", schema, answer.json())


def test_worked_example_of_the_docs(live):
    """docs/reconcile.md: reconcile `name` with no type, `located_in` as lzo:locatedIn and `code`
    as skos:notation; the result is the table in the docs (the .expected.csv beside the CSV)."""
    url, client = live
    rows = read_rows(EXAMPLE)
    queries = {}
    for i, row in enumerate(rows):
        properties = [{"pid": pid, "v": row[column]}
                      for column, pid in (("located_in", "lzo:locatedIn"), ("code", "skos:notation"))
                      if row[column]]
        queries[f"q{i}"] = {"query": row["name"], "properties": properties}
    body = post_queries(client, url + "/reconcile", queries)
    got = []
    for i, row in enumerate(rows):
        top = next((c for c in body[f"q{i}"]["result"] if c["match"]), None)
        got.append({"name": row["name"], "id": top["id"] if top else "",
                    "match": "true" if top else "false"})
    assert got == read_rows(EXPECTED)


def test_v1_on_the_live_server(live):
    url, client = live
    manifest = client.get(url + "/reconcile/v1", headers={"Accept-Language": "en"})
    validate("1.0-draft", "manifest", manifest.json())
    response = client.post(url + "/reconcile/v1/match", json={"queries": [
        {"type": "lzo:City", "conditions": [{"matchType": "name", "propertyValue": "柳州"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "LiuGong"}]}]})
    assert response.status_code == 200
    validate("1.0-draft", "reconciliation-result-batch", response.json())
    assert [r["candidates"][0]["id"] for r in response.json()["results"]] == ["liuzhou", "liugong"]
    assert client.post(url + "/reconcile/v1/match", content=b"{",
                       headers={"Content-Type": "application/json"}).status_code == 400
    preflight = client.options(url + "/reconcile/v1/match", headers={
        "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"


NEW_COMPANY = """@prefix lz: <https://w3id.org/liuzhou-kg/resource/> .
@prefix lzo: <https://w3id.org/liuzhou-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
lz:liuzhou-test-seal-works a lzo:Enterprise ;
    rdfs:label "柳州测试密封件有限公司"@zh, "Liuzhou Test Seal Works"@en .
"""


def test_the_catalog_follows_the_store_through_an_import_and_a_remove(built_dist, tmp_path):
    """A running server reconciles against what the store holds now: an entity imported while it
    runs is matched without a restart, and it is gone again after `remove`."""
    import shutil
    import subprocess
    import sys

    store = tmp_path / "store"
    shutil.copytree(built_dist / "store", store)
    dataset = tmp_path / "new-company.ttl"
    dataset.write_text(NEW_COMPANY, encoding="utf-8")
    query = {"q0": {"query": "柳州测试密封件有限公司", "type": "lzo:Enterprise"}}
    GRAPH = "https://w3id.org/liuzhou-kg/graph/import/test-seal-works"

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", *args], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    def top(client):
        result = post_queries(client, "/reconcile", query)["q0"]["result"]
        return next((c["id"] for c in result if c["match"]), None)

    with running_server("--store", str(store), "--workers", "1") as (url, _process):
        with httpx.Client(base_url=url, timeout=60, headers=ORIGIN) as client:
            assert top(client) is None
            cli("import", str(dataset), "--graph", GRAPH, "--store", str(store), "--no-progress")
            assert top(client) == "liuzhou-test-seal-works"
            cli("remove", GRAPH, "--store", str(store))
            assert top(client) is None
