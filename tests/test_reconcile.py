"""The reconciliation service (/reconcile, 0.2; /reconcile/v1, 1.0 draft) on the built graph.

The server app itself (``create_app``, with the service mounted by its one route) answers through
Starlette's test client; every JSON response is validated against the protocol's schemas
(``test_reconcile_schemas.validate``). The matching cases are the issue's: 柳州 typed as a city,
柳工 and LiuGong, 廣西 in traditional characters, nonsense; then spelling variants, hostile cells,
types with subclasses, properties as evidence, and every malformed request the parser refuses.
"""
from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from urllib.parse import quote_from_bytes

import pytest
from starlette.applications import Starlette

from liuzhou_kg.store.reader import open_store
from liuzhou_kg.core.errors import InputError
from liuzhou_kg.reconcile.app import ServiceMount, reconcile_app
from liuzhou_kg.reconcile.catalog import SERVICE_FILE, load_config
from liuzhou_kg.server.app import Settings, create_app
from liuzhou_kg.sparql.workers import StoreSpec
from test_reconcile_schemas import validate

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not a dependency: httpx serves the test client well
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def client(built_dist):
    app = create_app(Settings(StoreSpec(store_dir=str(built_dist / "store")), workers=1))
    with TestClient(app) as test_client:
        yield test_client


def reconcile(client, queries: dict, method: str = "POST") -> dict:
    """Send a 0.2 batch as OpenRefine does (form-encoded POST, or GET) and validate the answer."""
    payload = {"queries": json.dumps(queries, ensure_ascii=False)}
    if method == "POST":
        response = client.post("/reconcile", data=payload)
    else:
        response = client.get("/reconcile", params=payload)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    validate("0.2", "reconciliation-result-batch", body)
    assert set(body) == set(queries)
    for key, answer in body.items():
        scores = [c["score"] for c in answer["result"]]
        assert scores == sorted(scores, reverse=True), key
        assert sum(c["match"] for c in answer["result"]) <= 1, key
    return body


def first(body: dict, key: str = "q0") -> dict:
    assert body[key]["result"], f"{key}: no candidate"
    return body[key]["result"][0]


def matched(body: dict, key: str = "q0") -> str | None:
    return next((c["id"] for c in body[key]["result"] if c["match"]), None)


def match_v1(client, queries: list, lang: str | None = None) -> dict:
    headers = {"Accept-Language": lang} if lang else {}
    response = client.post("/reconcile/v1/match", json={"queries": queries}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    validate("1.0-draft", "reconciliation-result-batch", body)
    assert len(body["results"]) == len(queries)
    for result in body["results"]:
        assert sum(c["match"] for c in result["candidates"]) <= 1
    return body


# --- done when ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "GET"])
def test_done_when_cases_find_the_right_entity_first_with_match(client, method):
    body = reconcile(client, {
        "q0": {"query": "柳州", "type": "lzo:City"},
        "q1": {"query": "柳工"},
        "q2": {"query": "LiuGong"},
        "q3": {"query": "廣西"},
    }, method)
    for key, expected in [("q0", "liuzhou"), ("q1", "liugong"), ("q2", "liugong"), ("q3", "guangxi")]:
        top = first(body, key)
        assert (top["id"], top["match"]) == (expected, True), (key, body[key])


@pytest.mark.parametrize("text", ["qwertyuiopasdf", "火星基地", "Zanzibar Shipping Ltd.", "12345678",
                                  "柳", "x", "有限公司", "Co., Ltd."])
def test_nonsense_and_fragments_get_no_match(client, text):
    assert matched(reconcile(client, {"q0": {"query": text}})) is None


def test_a_type_with_subclasses_finds_the_city(client):
    for type_id in ("lzo:Place", "lzo:AdministrativeArea", "Place", "schema:Place",
                    "https://w3id.org/liuzhou-kg/ontology#Place"):
        body = reconcile(client, {"q0": {"query": "柳州", "type": type_id}})
        assert (first(body)["id"], first(body)["match"]) == ("liuzhou", True), type_id
        assert {"id": "lzo:City", "name": "city"} in first(body)["type"]


def test_a_type_restricts_the_candidates(client):
    body = reconcile(client, {"q0": {"query": "柳州", "type": "lzo:Enterprise", "limit": 10}})
    assert body["q0"]["result"], "enterprises named after the city exist"
    assert all(any(t["id"] == "lzo:Enterprise" for t in c["type"]) for c in body["q0"]["result"])
    assert "liuzhou" not in [c["id"] for c in body["q0"]["result"]]
    # "should": other types may come, below their untyped score
    soft = reconcile(client, {"q0": {"query": "柳州", "type": "lzo:Enterprise", "type_strict": "should"}})
    assert first(soft)["id"] == "liuzhou" and first(soft)["score"] == 80.0


# --- spellings --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Liǔzhōu", "liuzhou"),                                   # pinyin with tone marks
    ("liu3 zhou1", "liuzhou"),                               # pinyin with tone numbers
    ("liuzhou shi", "liuzhou"),                              # toneless, with the admin suffix
    ("柳州市", "liuzhou"),
    ("Liuzhou City", "liuzhou"),
    ("ＬｉｕＧｏｎｇ", "liugong"),                            # full-width Latin
    ("  LIUGONG  ", "liugong"),
    ("廣西柳工機械股份有限公司", "liugong-machinery"),          # traditional, with legal suffix
    ("Guangxi LiuGong Machinery Co., Ltd.", "liugong-machinery"),
    ("柳工股份", "liugong-machinery"),                        # the listed company's short name
    ("柳钢", "liugang"),
    ("Liuzhou Iron & Steel", "liuzhou-iron-steel"),
    ("柳州钢铁股份有限公司", "liuzhou-iron-steel"),
    ("SGMW", "sgmw"),
    ("上汽通用五菱", "sgmw"),
    ("Guangxi Zhuang Autonomous Region", "guangxi"),
    ("广西壮族自治区", "guangxi"),
    ("宝骏730", "baojun-730"),
    ("000528", "liugong-machinery"),                          # a stock code as the cell
    ("liugong", "liugong"),                                   # an id
    ("https://w3id.org/liuzhou-kg/resource/hexi-industrial-park", "hexi-industrial-park"),
    ("🚗柳工🚗", "liugong"),                                  # emoji around the name
])
def test_spelling_variants_match_their_entity(client, text, expected):
    body = reconcile(client, {"q0": {"query": text}})
    assert matched(body) == expected, body["q0"]["result"][:3]


def test_different_model_numbers_do_not_match(client):
    body = reconcile(client, {"q0": {"query": "宝骏510"}})
    assert "baojun-730" not in [c["id"] for c in body["q0"]["result"]]


def test_names_follow_the_language_of_the_cell(client):
    body = reconcile(client, {"q0": {"query": "柳工"}, "q1": {"query": "LiuGong"}})
    assert first(body, "q0")["name"] == "柳工" and first(body, "q1")["name"] == "LiuGong"
    assert "LiuGong" in first(body, "q0")["description"]


# --- hostile cells ------------------------------------------------------------------------------

HOSTILE = [
    '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "柳工\" } UNION { ?s ?p ?o } #",
    "'; DELETE WHERE { ?s ?p ?o } --",
    "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "<script>alert(1)</script>",
    "x" * 2000,
    "柳" * 2000,
    "柳工" + "\u0000" * 10 + "!",
    "\u202e工柳",
    "😀" * 500,
    "\\u0000\\",
    "%00%27%22",
]


def test_hostile_cells_are_plain_text(client):
    body = reconcile(client, {f"q{i}": {"query": text} for i, text in enumerate(HOSTILE)})
    for i, text in enumerate(HOSTILE):
        # control characters are spaces: that cell is 柳工 and a "!"; no other is a name
        expected = "liugong" if text.startswith("柳工\u0000") else None
        assert matched(body, f"q{i}") == expected, (text[:40], body[f"q{i}"]["result"][:2])


def test_lone_surrogates_in_json_are_answered(client):
    raw = '{"q0": {"query": "\\ud800\\udfff\\ud83d"}, "q1": {"query": "柳工\\udc00"}}'
    response = client.post("/reconcile", data={"queries": raw})
    assert response.status_code == 200
    validate("0.2", "reconciliation-result-batch", response.json())
    assert matched(response.json(), "q1") == "liugong"


class NoQueryStore:
    """A store that answers quad patterns only: any SPARQL (query or update) fails the test."""

    def __init__(self, store):
        self._store = store

    def quads_for_pattern(self, *args, **kwargs):
        return self._store.quads_for_pattern(*args, **kwargs)

    def __getattr__(self, name):
        raise AssertionError(f"the reconciliation service called store.{name}")


def test_no_sparql_is_run_for_any_request(built_dist):
    store = open_store(built_dist / "store")
    app = Starlette(routes=[ServiceMount("/reconcile", app=reconcile_app(lambda: NoQueryStore(store)))])
    with TestClient(app) as c:
        reconcile(c, {f"q{i}": {"query": text} for i, text in enumerate(HOSTILE)})
        reconcile(c, {"q0": {"query": "柳工", "properties": [{"pid": "lzo:locatedIn", "v": "广西"}]}})
        assert c.get("/reconcile/suggest/entity", params={"prefix": HOSTILE[0]}).status_code == 200
        assert c.get("/reconcile/preview", params={"id": "liugong"}).status_code == 200
        assert c.post("/reconcile", data={"extend": json.dumps(
            {"ids": ["liuzhou"], "properties": [{"id": "figures"}]})}).status_code == 200


# --- properties as evidence ------------------------------------------------------------------

def test_property_only_queries_find_by_code(client):
    body = reconcile(client, {
        "q0": {"properties": [{"pid": "lzo:GBT2260Code", "v": "450200"}]},
        "q1": {"properties": [{"pid": "lzo:SSEStockCode", "v": 601003}]},
        "q2": {"properties": [{"pid": "skos:notation", "v": 528}]},        # leading zeros lost
        "q3": {"properties": [{"pid": "lzo:locatedIn", "v": {"id": "liuzhou"}}], "limit": 25},
        "q4": {"properties": [{"pid": "lzo:GBT2260Code", "v": "450200"}], "type": "lzo:Enterprise",
               "type_strict": "should"},
    })
    assert first(body, "q4")["id"] == "liuzhou" and first(body, "q4")["score"] == 90.0  # 100 × 0.8 + 10 (a code)
    assert matched(body, "q0") == "liuzhou"
    assert matched(body, "q1") == "liuzhou-iron-steel"
    assert matched(body, "q2") == "liugong-machinery"
    located = {c["id"] for c in body["q3"]["result"]}
    assert {"liugong", "liugang", "sgmw", "hexi-industrial-park"} <= located
    assert matched(body, "q3") is None  # many things are in Liuzhou: no single winner


def test_conflicting_evidence_removes_the_match(client):
    body = reconcile(client, {
        "q0": {"query": "柳州", "properties": [{"pid": "lzo:GBT2260Code", "v": "450200"}]},
        "q1": {"query": "柳州", "properties": [{"pid": "lzo:GBT2260Code", "v": "450000"}]},
    })
    assert matched(body, "q0") == "liuzhou"
    assert matched(body, "q1") is None
    features = {f["id"]: f["value"] for f in first(body, "q1")["features"]}
    assert features["property0:lzo:GBT2260Code"] == -1


def test_location_evidence_holds_through_the_chain(client):
    body = reconcile(client, {"q0": {"query": "柳工", "properties": [
        {"pid": "lzo:locatedIn", "v": ["广西", "Guangxi"]}]}})
    top = first(body)
    assert top["id"] == "liugong" and top["match"]
    assert {f["id"]: f["value"] for f in top["features"]}["property0:lzo:locatedIn"] == 1


def test_evidence_decides_between_a_group_and_its_listed_company(client):
    plain = reconcile(client, {"q0": {"query": "柳钢股份有限公司"}})
    assert matched(plain) == "liuzhou-iron-steel"
    coded = reconcile(client, {"q0": {"query": "柳钢", "properties": [
        {"pid": "lzo:SSEStockCode", "v": "601003"}]}})
    # 柳钢 is the group's name, the code the listed company's: the code puts the company first,
    # and with the evidence split, neither is matched automatically
    assert first(coded)["id"] == "liuzhou-iron-steel" and matched(coded) is None
    assert [c["score"] for c in coded["q0"]["result"][:2]] == [100.0, 100.0]


# --- the 0.2 protocol ------------------------------------------------------------------------

def test_manifest_is_valid_and_points_at_the_pages(client):
    response = client.get("/reconcile")
    assert response.status_code == 200
    manifest = response.json()
    validate("0.2", "manifest", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/liuzhou-kg/resource/"
    type_ids = {t["id"] for t in manifest["defaultTypes"]}
    assert {"lzo:City", "lzo:Place", "lzo:Enterprise", "lzo:Industry"} <= type_ids
    assert "lzo:Passage" not in type_ids and "qb:Observation" not in type_ids
    page = manifest["view"]["url"].replace("{{id}}", "liugong").replace("http://testserver", "")
    assert client.get(page).status_code == 200
    preview = manifest["preview"]["url"].replace("{{id}}", "liugong").replace("http://testserver", "")
    assert client.get(preview).status_code == 200
    assert client.get("/reconcile/").json() == manifest  # with and without the slash, no redirect


def test_empty_batches(client):
    assert reconcile(client, {}) == {}
    assert reconcile(client, {}, "GET") == {}
    assert match_v1(client, []) == {"results": []}


@pytest.mark.parametrize("raw,status", [
    ("{bad json", 400),
    ("[]", 400),
    ('"q0"', 400),
    ('{"q0": "柳工"}', 400),
    ('{"q0": {}}', 400),
    ('{"q0": {"query": 5}}', 400),
    ('{"q0": {"query": "   "}}', 400),
    ('{"q0": {"query": "柳工", "limit": 0}}', 400),
    ('{"q0": {"query": "柳工", "limit": "5"}}', 400),
    ('{"q0": {"query": "柳工", "limit": NaN}}', 400),
    ('{"q0": {"query": "柳工", "limit": 1e999}}', 400),
    ('{"q0": {"query": "柳工", "type": "lzo:Nope"}}', 400),
    ('{"q0": {"query": "柳工", "type": 7}}', 400),
    ('{"q0": {"query": "柳工", "type_strict": "maybe"}}', 400),
    ('{"q0": {"query": "柳工", "properties": {"pid": "x"}}}', 400),
    ('{"q0": {"query": "柳工", "properties": [{"pid": "lzo:nope", "v": "x"}]}}', 400),
    ('{"q0": {"query": "柳工", "properties": [{"pid": "figures", "v": "x"}]}}', 400),
    ('{"q0": {"query": "柳工", "properties": [{"pid": "lzo:locatedIn", "v": [[1]]}]}}', 400),
    ('{"q0": {"query": "柳工", "extra": 1}}', 400),
    ('{"q0": {"query": "' + "1" * 5000 + '"}}', 200),
    ('{"q0": {"query": "x", "limit": ' + "9" * 5000 + "}}", 400),
    ("[" * 5000 + "]" * 5000, 400),
    ('{"a":' * 30 + "1" + "}" * 30, 400),
    (json.dumps({f"q{i}": {"query": "柳工"} for i in range(51)}), 413),
    (json.dumps({"q0": {"query": "柳工", "properties": [{"pid": "lzo:locatedIn", "v": "x"}] * 21}}), 400),
    (json.dumps({"q0": {"query": "柳工", "type": ["lzo:Place"] * 21}}), 400),
])
def test_malformed_batches_get_4xx_never_500(client, raw, status):
    for response in (client.post("/reconcile", data={"queries": raw}),
                     client.get("/reconcile", params={"queries": raw})):
        assert response.status_code == status, (raw[:60], response.text[:200])
        if status != 200:
            assert response.json()["error"]


@pytest.mark.parametrize("request_kwargs,status", [
    ({"content": b'{"q0": {"query": "x"}}', "headers": {"Content-Type": "application/json"}}, 415),
    ({"content": b"queries=%7B%7D"}, 415),
    ({"content": b"queries=%FF%FE", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ({"content": b"queries={}", "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}}, 415),
    ({"content": b"queries=%7B%7D&queries=%7B%7D",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ({"content": b"nothing=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ({"content": b"queries=%7B%7D&extend=%7B%7D",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
])
def test_malformed_posts_get_4xx(client, request_kwargs, status):
    response = client.post("/reconcile", **request_kwargs)
    assert response.status_code == status, response.text


def test_oversized_body_is_413(built_dist):
    store = open_store(built_dist / "store")
    app = Starlette(routes=[ServiceMount("/reconcile", app=reconcile_app(lambda: store, 1000))])
    with TestClient(app) as c:
        response = c.post("/reconcile", data={"queries": json.dumps({"q0": {"query": "x" * 2000}})})
        assert response.status_code == 413


ROUTES = ["/reconcile", "/reconcile/", "/reconcile/suggest/entity", "/reconcile/suggest/type",
          "/reconcile/suggest/property", "/reconcile/preview", "/reconcile/properties",
          "/reconcile/v1", "/reconcile/v1/", "/reconcile/v1/match", "/reconcile/v1/suggest/entity",
          "/reconcile/v1/suggest/type", "/reconcile/v1/suggest/property", "/reconcile/v1/preview",
          "/reconcile/v1/extend", "/reconcile/v1/extend/propose"]


@pytest.mark.parametrize("path", ROUTES)
def test_cors_preflight_on_every_route(client, path):
    response = client.options(path, headers={
        "Origin": "https://openrefine.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_cors_on_answers_and_errors(client):
    origin = {"Origin": "https://openrefine.example"}
    for response in (client.get("/reconcile", headers=origin),
                     client.post("/reconcile", data={"queries": "{bad"}, headers=origin),
                     client.get("/reconcile/suggest/nothing", headers=origin),
                     client.get("/reconcile/preview", params={"id": "liugong"}, headers=origin)):
        assert response.headers["access-control-allow-origin"] == "*"


def test_jsonp_manifest(client):
    response = client.get("/reconcile", params={"callback": "jQuery_123.cb$"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    text = response.text
    assert text.startswith("/**/jQuery_123.cb$(") and text.endswith(");")
    validate("0.2", "manifest", json.loads(text[len("/**/jQuery_123.cb$("):-2]))


@pytest.mark.parametrize("callback", ["alert(1)//", "a b", "<script>", "1abc", "", "a" * 101,
                                      "cb;alert(1)", "cb\u2028", "a-b", "cb\n", "ｃｂ"])
def test_jsonp_refuses_other_callback_names(client, callback):
    response = client.get("/reconcile", params={"callback": callback})
    assert response.status_code == 400
    assert callback not in response.text or callback == ""


# --- suggest, preview, extend (0.2) ------------------------------------------------------------

@pytest.mark.parametrize("prefix,expected", [("liuz", "liuzhou"), ("柳州", "liuzhou"), ("Liuzh", "liuzhou"),
                                             ("liǔzhōu", "liuzhou"), ("柳工", "liugong"), ("廣西", "guangxi"),
                                             ("LiuGong", "liugong"), ("hexi-ind", "hexi-industrial-park"),
                                             ("Wuling", "sgmw")])
def test_suggest_entities_by_prefix_in_zh_en_pinyin(client, prefix, expected):
    response = client.get("/reconcile/suggest/entity", params={"prefix": prefix})
    assert response.status_code == 200
    validate("0.2", "suggest-entities-response", response.json())
    ids = [item["id"] for item in response.json()["result"]]
    assert expected in ids[:5], (prefix, ids)


def test_suggest_types_and_properties(client):
    for prefix in ("cit", "城市", "chengshi", "lzo:Ci", "City"):
        body = client.get("/reconcile/suggest/type", params={"prefix": prefix}).json()
        validate("0.2", "suggest-types-response", body)
        assert body["result"][0]["id"] == "lzo:City", prefix
    body = client.get("/reconcile/suggest/property", params={"prefix": "loc"}).json()
    validate("0.2", "suggest-properties-response", body)
    assert body["result"][0]["id"] == "lzo:locatedIn"
    body = client.get("/reconcile/suggest/property", params={"prefix": "stock"}).json()
    assert {"lzo:SZSEStockCode", "lzo:SSEStockCode"} <= {p["id"] for p in body["result"]}


def test_suggest_pages_with_cursor(client):
    page1 = client.get("/reconcile/suggest/entity", params={"prefix": "", "limit": 5}).json()["result"]
    page2 = client.get("/reconcile/suggest/entity", params={"prefix": "", "limit": 5, "cursor": 5}).json()["result"]
    assert len(page1) == len(page2) == 5 and not {i["id"] for i in page1} & {i["id"] for i in page2}
    for bad in ("-1", "²", "1.5", "٣"):
        assert client.get("/reconcile/suggest/entity", params={"prefix": "x", "cursor": bad}).status_code == 400
        assert client.get("/reconcile/suggest/entity", params={"prefix": "x", "limit": bad}).status_code == 400
        assert client.get("/reconcile/properties", params={"type": "lzo:City", "limit": bad}).status_code == 400
    assert client.get("/reconcile/suggest/nothing", params={"prefix": "x"}).status_code == 404


def test_preview_is_a_framable_html_card(client):
    response = client.get("/reconcile/preview", params={"id": "liugong"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policies = response.headers.get_list("content-security-policy")
    assert len(policies) == 1 and "frame-ancestors *" in policies[0]
    assert "script-src" not in policies[0] and "default-src 'none'" in policies[0]
    assert "柳工" in response.text and "机械产业" in response.text and "柳州市" in response.text
    assert client.get("/reconcile/preview", params={"id": "nope"}).status_code == 404
    assert client.get("/reconcile/preview").status_code == 400
    # every other page keeps the server's strict policy
    assert "frame-ancestors 'none'" in client.get("/resource/liugong").headers["content-security-policy"]


def test_extend_fetches_identifiers_location_industry_and_figures(client):
    query = {"ids": ["liuzhou", "liugong", "liugong-machinery", "guangxi", "nope"],
             "properties": [{"id": "lzo:locatedIn"}, {"id": "lzo:inIndustry"},
                            {"id": "skos:notation"}, {"id": "skos:exactMatch"},
                            {"id": "figures", "settings": {"lang": "en"}}, {"id": "name-en"},
                            {"id": "org:subOrganizationOf"}]}
    validate("0.2", "data-extension-query", query)
    for response in (client.post("/reconcile", data={"extend": json.dumps(query)}),
                     client.get("/reconcile", params={"extend": json.dumps(query)})):
        assert response.status_code == 200, response.text
        body = response.json()
        validate("0.2", "data-extension-response", body)
        rows = body["rows"]
        assert set(rows) == set(query["ids"])
        assert {"id": "guangxi", "name": "广西"} in rows["liuzhou"]["lzo:locatedIn"]
        assert rows["liugong"]["lzo:inIndustry"] == [{"id": "machinery", "name": "机械产业"}]
        assert {"str": "450200"} in rows["liuzhou"]["skos:notation"]
        assert {"str": "000528"} in rows["liugong-machinery"]["skos:notation"]
        assert {"str": "https://sws.geonames.org/1809867/"} in rows["guangxi"]["skos:exactMatch"]
        assert any("2208.51" in v["str"] and "GDP" in v["str"] for v in rows["liuzhou"]["figures"])
        assert rows["liugong-machinery"]["org:subOrganizationOf"] == [{"id": "liugong", "name": "柳工"}]
        assert all(values == [] for values in rows["nope"].values())


@pytest.mark.parametrize("extend", [
    "{bad", "[]", '{"ids": "liugong", "properties": []}', '{"ids": [1], "properties": []}',
    '{"ids": [], "properties": [{"id": "lzo:nope"}]}', '{"ids": [], "properties": ["lzo:locatedIn"]}',
    '{"ids": [], "properties": [{"id": "figures", "settings": {"lang": "fr"}}]}',
])
def test_malformed_extend_gets_400(client, extend):
    assert client.post("/reconcile", data={"extend": extend}).status_code == 400


def test_property_proposals(client):
    body = client.get("/reconcile/properties", params={"type": "lzo:Enterprise", "limit": 20}).json()
    validate("0.2", "data-extension-property-proposal", body)
    ids = [p["id"] for p in body["properties"]]
    assert "lzo:SSEStockCode" in ids and "figures" in ids and "lzo:GBT2260Code" not in ids
    places = client.get("/reconcile/properties", params={"type": "lzo:Place"}).json()
    assert "lzo:GBT2260Code" in [p["id"] for p in places["properties"]]
    assert client.get("/reconcile/properties", params={"type": "lzo:Nope"}).status_code == 400
    assert client.get("/reconcile/properties").status_code == 400


# --- the 1.0 draft ---------------------------------------------------------------------------

def test_v1_manifest_and_accept_language(client):
    en = client.get("/reconcile/v1", headers={"Accept-Language": "en-GB,en;q=0.9"})
    zh = client.get("/reconcile/v1", headers={"Accept-Language": "fr, zh-CN;q=0.8, en;q=0.5"})
    for response in (en, zh):
        assert response.status_code == 200
        validate("1.0-draft", "manifest", response.json())
    assert en.headers["content-language"] == "en" and zh.headers["content-language"] == "zh"
    assert {"id": "lzo:City", "name": "city"} in [{k: t[k] for k in ("id", "name")}
                                                  for t in en.json()["defaultTypes"]]
    assert {"id": "lzo:City", "name": "城市"} in [{k: t[k] for k in ("id", "name")}
                                                for t in zh.json()["defaultTypes"]]


def test_v1_match_with_conditions(client):
    body = match_v1(client, [
        {"type": "lzo:City", "conditions": [{"matchType": "name", "propertyValue": "柳州"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "柳工"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "LiuGong"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "廣西"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "qwertyuiop"}]},
        {"conditions": [{"matchType": "id", "propertyValue": "hexi-industrial-park"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "柳州"},
                        {"matchType": "property", "propertyId": "lzo:GBT2260Code",
                         "propertyValue": "450000", "required": True}]},
        {"conditions": [{"matchType": "property", "propertyId": "lzo:locatedIn",
                         "propertyValue": ["liuzhou", "guangxi"], "matchQuantifier": "all"}],
         "limit": 25},
    ], lang="en")
    tops = [(r["candidates"][0]["id"], r["candidates"][0]["match"]) if r["candidates"] else None
            for r in body["results"]]
    assert tops[:4] == [("liuzhou", True), ("liugong", True), ("liugong", True), ("guangxi", True)]
    assert not any(c["match"] for c in body["results"][4]["candidates"])
    assert tops[5] == ("hexi-industrial-park", True)
    assert "liuzhou" not in [c["id"] for c in body["results"][6]["candidates"]]  # required, conflicts
    assert "liugong" in [c["id"] for c in body["results"][7]["candidates"]]
    assert body["results"][1]["candidates"][0]["name"] == "LiuGong"  # names in Accept-Language


@pytest.mark.parametrize("body,status", [
    ({"queries": [{"conditions": []}]}, 400),
    ({"queries": [{"conditions": [{"propertyValue": "x"}]}]}, 400),
    ({"queries": [{"conditions": [{"matchType": "label", "propertyValue": "x"}]}]}, 400),
    ({"queries": [{"conditions": [{"matchType": "property", "propertyValue": "x"}]}]}, 400),
    ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x",
                                   "matchQuantifier": "none"}]}]}, 400),
    ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x",
                                   "matchQualifier": "WildcardMatch"}]}]}, 400),
    ({"queries": [{"query": "x", "conditions": [{"matchType": "name", "propertyValue": "x"}]}]}, 400),
    ({"queries": [{"type": ["lzo:City"], "conditions": [{"matchType": "name", "propertyValue": "x"}]}]}, 400),
    ({"queries": {"q0": {}}}, 400),
    ({"q0": {"query": "x"}}, 400),
    ([], 400),
    ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x"}]}] * 51}, 413),
    ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x"}] * 21}]}, 400),
    ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": ["x"] * 11}]}]}, 400),
    ({"queries": [{"conditions": [{"matchType": "property", "propertyId": "skos:notation",
                                   "propertyValue": ["1"] * 21}]}]}, 400),
])
def test_v1_malformed_match_gets_4xx(client, body, status):
    response = client.post("/reconcile/v1/match", json=body)
    assert response.status_code == status, response.text


def test_v1_match_needs_a_json_body(client):
    assert client.post("/reconcile/v1/match", data={"queries": "[]"}).status_code == 415
    assert client.post("/reconcile/v1/match", content=b"{bad",
                       headers={"Content-Type": "application/json"}).status_code == 400
    assert client.post("/reconcile/v1/match", content=b"\xff\xfe",
                       headers={"Content-Type": "application/json"}).status_code == 400
    assert client.get("/reconcile/v1/match").status_code == 405


def test_v1_suggest_preview_extend_propose(client):
    headers = {"Accept-Language": "en"}
    body = client.get("/reconcile/v1/suggest/entity", params={"prefix": "liug", "limit": 3},
                      headers=headers).json()
    validate("1.0-draft", "suggest-entities-response", body)
    assert len(body["result"]) <= 3 and body["result"][0]["id"] in ("liugong", "liugang")
    validate("1.0-draft", "suggest-types-response",
             client.get("/reconcile/v1/suggest/type", params={"prefix": "ent"}).json())
    validate("1.0-draft", "suggest-properties-response",
             client.get("/reconcile/v1/suggest/property", params={"prefix": ""}).json())
    assert client.get("/reconcile/v1/suggest/entity").status_code == 400  # prefix is required
    preview = client.get("/reconcile/v1/preview", params={"id": "sgmw"}, headers=headers)
    assert preview.status_code == 200 and "SAIC-GM-Wuling" in preview.text
    query = {"ids": ["liugong-machinery", "liuzhou"], "properties": [{"id": "lzo:SZSEStockCode"},
                                                                    {"id": "lzo:locatedIn"}]}
    validate("1.0-draft", "data-extension-query", query)
    extended = client.post("/reconcile/v1/extend", json=query, headers=headers)
    assert extended.status_code == 200
    validate("1.0-draft", "data-extension-response", extended.json())
    rows = {row["id"]: {p["id"]: p["values"] for p in row["properties"]} for row in extended.json()["rows"]}
    assert rows["liugong-machinery"]["lzo:SZSEStockCode"] == [{"str": "000528"}]
    assert {"id": "guangxi", "name": "Guangxi"} in rows["liuzhou"]["lzo:locatedIn"]
    proposal = client.get("/reconcile/v1/extend/propose", params={"type": "lzo:City"}).json()
    validate("1.0-draft", "data-extension-property-proposal", proposal)
    assert client.post("/reconcile/v1/extend", json={"ids": []}).status_code == 400


# --- fuzzing: no input gives a 500 ------------------------------------------------------------

FIELDS = ["query", "type", "limit", "properties", "type_strict", "pid", "v", "id", "name", "ids",
          "queries", "conditions", "matchType", "propertyId", "propertyValue", "required",
          "matchQuantifier", "settings", "lang", "dir", "q0"]
ATOMS = [None, True, False, 0, -1, 1, 2.5, 10**30, "", "柳工", "lzo:City", "lzo:locatedIn", "name",
         "property", "id", "any", "all", "should", "none", "\ud800", "x" * 3000, "liuzhou",
         "skos:notation", "figures", "450200"]


def random_value(rng, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice(ATOMS)
    if roll < 0.75:
        return {rng.choice(FIELDS): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def maybe(rng, good, depth: int = 2):
    """Usually the well-formed value, sometimes a random one in its place."""
    return good if rng.random() < 0.8 else random_value(rng, depth)


def near_v02(rng):
    return {f"q{i}": {"query": maybe(rng, rng.choice(["柳工", "廣西", "LiuGong", "x"])),
                      **({"type": maybe(rng, "lzo:Place")} if rng.random() < 0.3 else {}),
                      **({"properties": [{"pid": maybe(rng, "lzo:locatedIn"), "v": maybe(rng, "柳州")}]}
                         if rng.random() < 0.3 else {})}
            for i in range(rng.randint(0, 3))}


def near_v1(rng):
    condition = {"matchType": maybe(rng, "name"), "propertyValue": maybe(rng, "柳工")}
    if rng.random() < 0.3:
        condition = {"matchType": "property", "propertyId": maybe(rng, "skos:notation"),
                     "propertyValue": maybe(rng, [450200, "000528"]), "required": maybe(rng, True)}
    return {"queries": [{"conditions": maybe(rng, [condition])} for _ in range(rng.randint(0, 3))]}


def near_extend(rng):
    return {"ids": maybe(rng, ["liugong", "nope"]),
            "properties": [{"id": maybe(rng, rng.choice(["figures", "lzo:locatedIn", "name-en"]))}]}


def test_random_messages_never_get_a_500(client):
    import random

    rng = random.Random(13)
    statuses: Counter = Counter()
    for _ in range(250):
        value = rng.choice([random_value, near_v02, near_v1, near_extend])(rng)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
        raw = text.encode("utf-8", "surrogatepass")  # lone surrogates: bytes that are not UTF-8
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        answers = {
            "queries": client.post("/reconcile", content=b"queries=" + quote_from_bytes(raw).encode(),
                                   headers=form),
            "extend": client.post("/reconcile", content=b"extend=" + quote_from_bytes(raw).encode(),
                                  headers=form),
            "match": client.post("/reconcile/v1/match", content=raw,
                                 headers={"Content-Type": "application/json"}),
            "v1extend": client.post("/reconcile/v1/extend", content=raw,
                                    headers={"Content-Type": "application/json"}),
            "suggest": client.get("/reconcile/suggest/entity?prefix=" + quote_from_bytes(raw[:300])
                                  + "&type=" + quote_from_bytes(str(rng.choice(ATOMS)).encode(
                                      "utf-8", "surrogatepass"))),
            "preview": client.get("/reconcile/preview?id=" + quote_from_bytes(raw[:300])),
        }
        for name, response in answers.items():
            assert response.status_code < 500, (name, text[:200], response.text[:200])
            statuses[name, response.status_code] += 1
        if answers["queries"].status_code == 200:
            validate("0.2", "reconciliation-result-batch", answers["queries"].json())
        if answers["match"].status_code == 200:
            validate("1.0-draft", "reconciliation-result-batch", answers["match"].json())
        if answers["extend"].status_code == 200:
            validate("0.2", "data-extension-response", answers["extend"].json())
        if answers["v1extend"].status_code == 200:
            validate("1.0-draft", "data-extension-response", answers["v1extend"].json())
    # the generator reaches both sides: answered batches (validated above) and refusals
    for name in ("queries", "extend", "match"):
        assert statuses[name, 200] >= 5 and statuses[name, 400] >= 5, statuses


# --- the service's own configuration ------------------------------------------------------------

@pytest.mark.parametrize("change,message", [
    (("entity_namespace: \"lz:\"", "entity_namespace: lz:"), ":9:21: malformed YAML"),
    (("preview: {width: 400, height: 180}", ""), "missing entry 'preview'"),
    (("    kind: entity\n    transitive: true", "    kind: place"), "unknown kind 'place'"),
    (("name_properties: [", "name_properties: [nope:label, "), "'nope:label' is neither"),
    (("  batch_size: 50 ", "  batch_size: fifty "), "malformed entry"),
])
def test_a_broken_service_file_names_the_file_and_the_problem(tmp_path, change, message):
    text = SERVICE_FILE.read_text(encoding="utf-8")
    assert change[0] in text
    broken = tmp_path / "service.yaml"
    broken.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_config(broken)
    assert str(broken) in str(raised.value) and message in str(raised.value)


def test_only_the_engine_adapter_uses_the_linker():
    """Switching the matching engine must stay a one-file change: no other module of the
    service imports liuzhou_kg.link."""
    import ast
    from pathlib import Path

    import liuzhou_kg.reconcile as package

    users = set()
    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.startswith("link") or node.module.startswith("liuzhou_kg.link")):
                users.add(path.name)
    assert users == {"engine.py"}


SIMILARITY_LIBRARIES = {"difflib", "rapidfuzz", "jellyfish", "Levenshtein", "thefuzz", "fuzzywuzzy",
                        "pypinyin", "opencc"}


def reconcile_imports() -> dict[str, set[str]]:
    """Every module imported by a module of liuzhou_kg/reconcile/, absolute, by file."""
    import ast
    from pathlib import Path

    import liuzhou_kg.reconcile as package

    found: dict[str, set[str]] = {}
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        names = found.setdefault(path.name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = "liuzhou_kg" if node.level == 2 else ("liuzhou_kg.reconcile" if node.level == 1
                                                             else "")
                names.add(".".join(x for x in (base, node.module or "") if x))
    return found


def test_one_matching_engine_for_link_and_reconcile():
    """Reconciliation matches with the linker's engine and nothing else: the only linker module
    it imports is liuzhou_kg.link.engine, it imports no similarity library, and it defines no
    similarity function (names are scored by Matcher alone)."""
    import ast
    from pathlib import Path

    import liuzhou_kg.reconcile as package
    from liuzhou_kg.reconcile.engine import Engine

    imported = {name for names in reconcile_imports().values() for name in names}
    assert {n for n in imported if n.startswith("liuzhou_kg.link")} == {"liuzhou_kg.link.engine"}
    assert not {n.split(".")[0] for n in imported} & SIMILARITY_LIBRARIES
    similar = re.compile(r"similar|(?<![a-z])ratio|distance|gram|jaccard|levenshtein|pair_|label_score",
                         re.IGNORECASE)
    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Name, ast.Attribute)):
                name = getattr(node, "name", None) or getattr(node, "id", None) or node.attr
                assert not similar.search(name), (path.name, name)
    # and the service's engine holds the linker's Matcher over the graph's entities
    assert "Matcher" in Engine.__init__.__code__.co_names


def test_the_service_offers_what_the_engine_indexes(built_dist):
    """The catalog (suggest, preview, extend) and the Matcher (matching) hold the same entities:
    nothing can be suggested that reconciliation cannot find."""
    from liuzhou_kg.reconcile.app import Service

    service = Service.from_store(open_store(built_dist / "store"))
    catalog = {record.iri for record in service.catalog.entities.values()}
    indexed = {entity.iri for entity in service.engine.matcher.entities}
    assert len(catalog) > 150 and catalog == indexed


def test_the_guard_fires_on_a_second_engine(tmp_path, monkeypatch):
    """The import walk of the guard above sees a module that brings its own similarity."""
    import liuzhou_kg.reconcile as package

    rogue = tmp_path / "reconcile"
    rogue.mkdir()
    (rogue / "__init__.py").write_text("", encoding="utf-8")
    (rogue / "rogue.py").write_text("from difflib import SequenceMatcher\n"
                                    "from ..link.normalize import label_keys\n", encoding="utf-8")
    monkeypatch.setattr(package, "__file__", str(rogue / "__init__.py"))
    imported = reconcile_imports()["rogue.py"]
    assert "difflib" in imported and "liuzhou_kg.link.normalize" in imported
