"""The JSON Schemas the reconciliation tests validate against, and checks that they can fail.

``validate(version, name, instance)`` is what the other reconciliation tests call on every
response. The schemas are ours (``tests/fixtures/reconcile/schemas/``, structure from the W3C
Entity Reconciliation CG's published schemas; see the README there); the cases below are
hand-made messages, valid and broken, so each schema is shown to reject what it must.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "reconcile" / "schemas"
VERSIONS = ("0.2", "1.0-draft")


@lru_cache(maxsize=None)
def _schemas(version: str) -> tuple[dict[str, dict], Registry]:
    schemas = {path.stem: json.loads(path.read_text(encoding="utf-8"))
               for path in sorted((SCHEMAS / version).glob("*.json"))}
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in schemas.values())
    return schemas, registry


def errors(version: str, name: str, instance) -> list[str]:
    """Every way ``instance`` breaks the schema, as 'path: message' lines."""
    schemas, registry = _schemas(version)
    validator = Draft7Validator(schemas[name], registry=registry)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))]


def validate(version: str, name: str, instance) -> None:
    """Assert that ``instance`` is a valid ``name`` message of protocol ``version``."""
    found = errors(version, name, instance)
    assert not found, f"{version}/{name}.json:\n" + "\n".join(found[:20])


@pytest.mark.parametrize("version", VERSIONS)
def test_every_schema_is_valid_draft7(version):
    schemas, _ = _schemas(version)
    assert len(schemas) >= 10
    for name, schema in schemas.items():
        Draft7Validator.check_schema(schema)
        assert schema["$id"].endswith(f"/{version}/{name}.json")


GOOD_V02_RESULT = {"q0": {"result": [{"id": "liugong", "name": "柳工", "score": 100, "match": True,
                                      "type": [{"id": "lzo:Enterprise", "name": "enterprise"}],
                                      "features": [{"id": "name_exact", "value": True}]}]}}
GOOD_V1_RESULT = {"results": [{"candidates": [{"id": "liugong", "name": "柳工", "score": 100,
                                               "match": True, "features": [
                                                   {"id": "name_exact", "name": "exact", "value": True}]}]}]}

CASES = [
    # (version, schema, instance, valid?)
    ("0.2", "reconciliation-result-batch", GOOD_V02_RESULT, True),
    ("0.2", "reconciliation-result-batch", {"q0": {"result": [{"name": "柳工", "score": 1}]}}, False),
    ("0.2", "reconciliation-result-batch", {"q0": {}}, False),
    ("0.2", "reconciliation-result-batch", [{"result": []}], False),
    ("0.2", "reconciliation-result-batch", {"q0": {"result": [{"id": "x", "name": "x", "score": "high"}]}}, False),
    ("0.2", "reconciliation-query-batch", {"q0": {"query": "柳工", "type": "lzo:Enterprise"}}, True),
    ("0.2", "reconciliation-query-batch", {"q0": {"properties": []}}, False),
    ("0.2", "reconciliation-query-batch", {"q0": {"query": "x", "typ": "y"}}, False),
    ("0.2", "reconciliation-query-batch", {"q0": {"properties": [{"pid": "p", "value": 1}]}}, False),
    ("0.2", "manifest", {"versions": ["0.2"], "name": "n", "identifierSpace": "i", "schemaSpace": "s"}, True),
    ("0.2", "manifest", {"versions": ["0.2"], "name": "n", "schemaSpace": "s"}, False),
    ("0.2", "manifest", {"versions": ["0.1"], "name": "n", "identifierSpace": "i", "schemaSpace": "s"}, False),
    ("0.2", "manifest", {"versions": ["0.2"], "name": "n", "identifierSpace": "i", "schemaSpace": "s",
                         "view": {"url": "http://x/{id}"}}, False),
    ("0.2", "manifest", {"versions": ["0.2"], "name": "n", "identifierSpace": "i", "schemaSpace": "s",
                         "preview": {"url": "http://x/{{id}}", "width": 1}}, False),
    ("0.2", "suggest-entities-response", {"result": [{"id": "a"}]}, False),
    ("0.2", "suggest-types-response", {"result": [{"id": "a", "name": "A", "broader": [{"id": "b"}]}]}, False),
    ("0.2", "suggest-properties-response", {"results": []}, False),
    ("0.2", "data-extension-response", {"meta": [{"id": "p", "name": "P"}],
                                        "rows": {"a": {"p": [{"str": "x"}, {"id": "b", "name": "B"}]}}}, True),
    ("0.2", "data-extension-response", {"meta": [], "rows": {"a": {"p": [{"str": 1}]}}}, False),
    ("0.2", "data-extension-response", {"meta": [], "rows": {"a": {"p": [{"id": "b"}]}}}, False),
    ("0.2", "data-extension-property-proposal", {"properties": [{"id": "p"}]}, False),
    ("1.0-draft", "reconciliation-result-batch", GOOD_V1_RESULT, True),
    ("1.0-draft", "reconciliation-result-batch", {"results": [{"candidates": [
        {"id": "a", "name": "A", "features": [{"id": "f", "value": 1}]}]}]}, False),
    ("1.0-draft", "reconciliation-result-batch", {"q0": {"result": []}}, False),
    ("1.0-draft", "reconciliation-query-batch", {"queries": [{"conditions": [
        {"matchType": "name", "propertyValue": "柳工"}]}]}, True),
    ("1.0-draft", "reconciliation-query-batch", {"queries": [{"conditions": []}]}, False),
    ("1.0-draft", "reconciliation-query-batch", {"queries": [{"conditions": [{"propertyValue": "x"}]}]}, False),
    ("1.0-draft", "reconciliation-query-batch", {"queries": [{"query": "x", "conditions": [
        {"matchType": "name", "propertyValue": "x"}]}]}, False),
    ("1.0-draft", "manifest", {"versions": ["1.0-draft"], "name": "n", "view": {"url": "http://x/{id}"}}, True),
    ("1.0-draft", "manifest", {"versions": ["1.0-draft"], "name": "n"}, False),
    ("1.0-draft", "manifest", {"versions": ["1.0-draft"], "name": "n", "view": {"url": "http://x/"}}, False),
    ("1.0-draft", "manifest", {"versions": ["1.0-draft"], "name": "n", "view": {"url": "http://x/{id}"},
                               "suggest": {"entity": True}}, False),
    ("1.0-draft", "manifest", {"versions": ["1.0-draft"], "name": "n", "view": {"url": "http://x/{id}"},
                               "dir": "up"}, False),
    ("1.0-draft", "data-extension-response", {"meta": [], "rows": [{"id": "a", "properties": [
        {"id": "p", "values": [{"str": "x", "lang": "zh"}]}]}]}, True),
    ("1.0-draft", "data-extension-response", {"meta": [], "rows": {"a": {}}}, False),
    ("1.0-draft", "data-extension-property-proposal", {"properties": []}, False),
    ("1.0-draft", "suggest-types-response", {"result": [{"id": "t", "name": "T", "lang": 5}]}, False),
]


@pytest.mark.parametrize("version,name,instance,valid", CASES,
                         ids=[f"{v}-{n}-{i}" for i, (v, n, _, _) in enumerate(CASES)])
def test_schema_accepts_good_and_rejects_broken_messages(version, name, instance, valid):
    assert (not errors(version, name, instance)) == valid, errors(version, name, instance)
