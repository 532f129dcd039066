"""Federated queries: SERVICE reaches only the endpoints on an explicit allow-list.

Federation is off unless a configuration file lists endpoints::

    # federation.yaml
    federation:
      allow:
        - http://127.0.0.1:3030/nanning/sparql
        - https://statistics.example.org/sparql

Before a query runs, every ``SERVICE`` in it is found with the SPARQL tokenizer of
:mod:`liuzhou_kg.sparql.guard` (so a keyword inside a string, an IRI or a comment is never
mistaken for one), its IRI resolved against the query's PREFIX/BASE declarations and the
predeclared prefixes, and compared with the allow-list exactly. A ``SERVICE ?variable`` (an
endpoint chosen by the data) is refused, and so is SPARQL Update (LOAD would fetch a URL).
Only then does Oxigraph run the query, and it contacts only those endpoints.

The public endpoint (``liuzhou-kg serve``) refuses SERVICE outright (``sparql/guard.py``): this
module is for ``liuzhou-kg federate`` and for a deployment that passes an allow-list on purpose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
import yaml

from .errors import InputError, Problem
from .sparql.guard import UPDATE_KEYWORDS, tokenize
from .sparql.prefixes import prefixes as predeclared

CONFIG_ENV = "LIUZHOU_KG_CONFIG"


@dataclass(frozen=True)
class Service:
    iri: str | None  # None: SERVICE ?variable
    line: int
    column: int
    silent: bool


def load_allow_list(path: Path | None) -> frozenset[str]:
    """The allowed SERVICE endpoints of a configuration file (empty: federation off)."""
    if path is None:
        return frozenset()
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path, None, "no such configuration file")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError([Problem(path, mark.line + 1 if mark else None, f"bad YAML: {err}",
                                  mark.column + 1 if mark else None)]) from None
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


def services_in(query: str) -> list[Service]:
    """Every SERVICE clause of a query, with its resolved endpoint IRI and position."""
    tokens = tokenize(query)
    declared = dict(predeclared())
    base: str | None = None
    found: list[Service] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        upper = token.text.upper() if token.kind == "word" else ""
        if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            name = tokens[i + 1].text
            if name.endswith(":"):
                declared[name[:-1]] = _resolve(tokens[i + 2].text[1:-1], base)
            i += 3
            continue
        if upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = _resolve(tokens[i + 1].text[1:-1], base)
            i += 2
            continue
        if upper in UPDATE_KEYWORDS:
            raise InputError([Problem("<query>", token.line, "SPARQL Update is not run here "
                                      f"({upper})", token.column)])
        if upper == "SERVICE":
            j = i + 1
            silent = j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "SILENT"
            if silent:
                j += 1
            target = tokens[j] if j < len(tokens) else None
            iri = None
            if target is not None and target.kind == "iri":
                iri = _resolve(target.text[1:-1], base)
            elif target is not None and target.kind == "pname":
                prefix, _, local = target.text.partition(":")
                if prefix not in declared:
                    raise InputError([Problem("<query>", target.line, f"undeclared prefix {prefix}:",
                                              target.column)])
                iri = declared[prefix] + re.sub(r"\\(.)", r"\1", local)
            elif target is None or target.kind != "var":
                raise InputError([Problem("<query>", token.line, "SERVICE needs an IRI", token.column)])
            found.append(Service(iri, token.line, token.column, silent))
            i = j + 1
            continue
        i += 1
    return found


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def check_services(query: str, allow: frozenset[str] | set[str]) -> list[Service]:
    """Refuse a query whose SERVICE endpoints are not all on the allow-list."""
    services = services_in(query)
    problems = []
    for service in services:
        if service.iri is None:
            problems.append(Problem("<query>", service.line, "SERVICE with a variable endpoint is "
                                    "refused; name an allowed endpoint", service.column))
        elif service.iri not in allow:
            hint = ("federation is off: list endpoints under federation.allow in the configuration"
                    if not allow else "allowed: " + ", ".join(sorted(allow)))
            problems.append(Problem("<query>", service.line, f"SERVICE <{service.iri}> is not on the "
                                    f"allow-list ({hint})", service.column))
    if problems:
        raise InputError(problems)
    return services


def federated_query(store: ox.Store, query: str, allow: frozenset[str] | set[str]):
    """Run ``query`` on ``store`` after checking its SERVICE endpoints against ``allow``."""
    check_services(query, allow)
    # Without FROM the default graph is the union of the store's graphs (see liuzhou_kg.store);
    # the option must not be given with FROM, which it would override.
    has_from = any(t.kind == "word" and t.text.upper() == "FROM" for t in tokenize(query))
    options = {} if has_from else {"use_default_graph_as_union": True}
    try:
        return store.query(query, prefixes=dict(predeclared()), **options)
    except SyntaxError as err:
        raise InputError([Problem("<query>", None, f"SPARQL syntax error: {err}")]) from None
    except OSError as err:
        raise InputError([Problem("<query>", None, f"a SERVICE call failed: {err}")]) from None
