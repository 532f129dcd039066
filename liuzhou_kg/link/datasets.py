"""Reading a dataset to link: an RDF file, a SPARQL endpoint asked a CONSTRUCT query, or a gazetteer.

Whatever the source, the answer is an in-memory pyoxigraph store; the entities are then taken from
the union of its graphs (:func:`liuzhou_kg.link.entities.entities`).
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InputError, Problem
from ..store.imports.rdf_input import load_into, rdf_format_for_media_type, syntax_problem


def read_dataset(source: str, query: str | None = None, timeout: float = 60.0) -> ox.Store:
    """An RDF file, a SPARQL endpoint (http/https URL) asked a CONSTRUCT ``query``, or a gazetteer."""
    if source.startswith("gazetteer:"):
        from .gazetteers import gazetteer_store

        if query:
            raise InputError([Problem(source, None, "--query applies to a SPARQL endpoint URL")])
        return gazetteer_store(source.partition(":")[2])
    if source.startswith(("http://", "https://")):
        if not query:
            raise InputError([Problem(source, None,
                                      "a SPARQL endpoint needs --query FILE.rq (a CONSTRUCT query)")])
        return _read_endpoint(source, query, timeout)
    if query:
        raise InputError([Problem(source, None, "--query applies to a SPARQL endpoint URL, not a file")])
    store = ox.Store()
    load_into(store, Path(source))
    return store


def _read_endpoint(url: str, query: str, timeout: float) -> ox.Store:
    import httpx

    headers = {"Accept": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"}
    try:
        response = httpx.post(url, data={"query": query}, headers=headers, timeout=timeout)
    except httpx.HTTPError as err:
        raise InputError([Problem(url, None, f"endpoint unreachable: {err}")]) from err
    if response.status_code != 200:
        raise InputError([Problem(url, None, f"endpoint answered HTTP {response.status_code}: "
                                              f"{response.text[:300]}")])
    fmt = rdf_format_for_media_type(response.headers.get("content-type", ""))
    if fmt is None:
        raise InputError([Problem(url, None, "endpoint did not answer with RDF (is the query a "
                                              f"CONSTRUCT?): {response.headers.get('content-type')}")])
    store = ox.Store()
    try:
        store.load(response.content, format=fmt)
    except SyntaxError as err:
        raise InputError([syntax_problem(url, err)]) from err
    return store
