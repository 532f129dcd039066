"""Federated queries: SERVICE reaches only the endpoints on an explicit allow-list.

Federation is off unless a configuration file lists endpoints::

    # federation.yaml
    federation:
      allow:
        - http://127.0.0.1:3030/nanning/sparql
        - https://statistics.example.org/sparql

Before a query runs, the query policy (:class:`liuzhou_kg.sparql.policy.Policy`, mode
``federate``) parses it with a SPARQL parser, resolves every ``SERVICE`` IRI against the query's
PREFIX/BASE declarations and the predeclared prefixes, and compares it with the allow-list
exactly. A ``SERVICE ?variable`` (an endpoint chosen by the data) is refused, and so is SPARQL
Update (LOAD would fetch a URL). The query then runs through the same step as every other query
(:func:`liuzhou_kg.sparql.execute.execute`), with a time limit.

The public endpoint (``liuzhou-kg serve``) refuses SERVICE outright: this module is for
``liuzhou-kg federate`` and for a deployment that passes an allow-list on purpose.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import InputError, Problem, query_problem, yaml_problem

CONFIG_ENV = "LIUZHOU_KG_CONFIG"


def load_allow_list(path: Path | None) -> frozenset[str]:
    """The allowed SERVICE endpoints of a configuration file (empty: federation off)."""
    import yaml

    if path is None:
        return frozenset()
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path, None, "no such configuration file")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    federation = data.get("federation", {}) if isinstance(data, dict) else None
    allow = federation.get("allow", []) if isinstance(federation, dict) else None
    if not isinstance(allow, list):
        raise InputError([Problem(path, None, "expected federation: {allow: [endpoint URL, ...]}")])
    urls = []
    for url in allow:
        if not isinstance(url, str) or not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            raise InputError([Problem(path, None, f"not an http(s) endpoint URL: {url!r}")])
        urls.append(url)
    return frozenset(urls)


def check_services(query: str, allow, graphs=None):
    """The SERVICE clauses of ``query``; InputError if one is not on the allow-list."""
    from .errors import QueryError
    from .large_stack import on_large_stack
    from .policy import Policy

    try:
        verdict = on_large_stack(Policy.federate(allow).check, query, graphs, (), (), True)
    except QueryError as err:
        raise InputError([query_problem("<query>", err)]) from None
    return list(verdict.services)


def federated_query(store, query: str, allow, fmt: str = "json", timeout: float | None = None,
                    origin: str = "<query>"):
    """Run ``query`` on ``store`` after checking its SERVICE endpoints against ``allow``.

    Returns the serialized :class:`~liuzhou_kg.sparql.execute.Answer` (``fmt``: json, csv, tsv;
    graphs are N-Triples). With ``timeout``, this process is ended at the limit
    (:mod:`liuzhou_kg.sparql.runner`): for commands, not for long-lived callers.
    """
    from .errors import QueryError
    from .execute import QueryRequest, execute, graph_names
    from .large_stack import on_large_stack
    from .policy import Policy
    from .runner import run_here

    policy = Policy.federate(allow)
    try:
        verdict = on_large_stack(policy.check, query, graph_names(store), (), (), True)
        request = QueryRequest(query, format="nt" if verdict.returns_graph else fmt)
        if timeout is None:
            return on_large_stack(execute, store, request, policy)
        return run_here(store, request, policy, timeout, origin)
    except QueryError as err:
        raise InputError([query_problem(origin, err)]) from None
