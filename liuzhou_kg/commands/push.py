"""``liuzhou-kg push``: load the dataset's named graphs into an external SPARQL 1.1 store."""
from __future__ import annotations

import os
import sys

from .options import add_command, add_dataset_options


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg push`` to ``subparsers``."""
    parser = add_command(
        subparsers, "push",
        help="load the named graphs into an external SPARQL 1.1 store (Virtuoso, Fuseki, ...)",
        examples=["liuzhou-kg push --endpoint http://localhost:8890/sparql-auth "
                  "--graph-store http://localhost:8890/sparql-graph-crud-auth --user dba --password dba",
                  "liuzhou-kg push --endpoint http://localhost:3030/ds/sparql --update-endpoint "
                  "http://localhost:3030/ds/update --graph-store http://localhost:3030/ds/data"],
        description="PUT every named graph of the dataset to the store's Graph Store HTTP Protocol "
                    "endpoint (replacing it: pushing twice gives the same data), falling back to "
                    "SPARQL Update (DROP SILENT GRAPH + INSERT DATA); then check the triple count "
                    "of every graph on the store.")
    parser.add_argument("--endpoint", required=True,
                        help="the store's SPARQL endpoint (queries; also updates and graph store "
                             "unless given below)")
    parser.add_argument("--graph-store", help="Graph Store Protocol URL "
                                              "(e.g. Virtuoso: http://host:8890/sparql-graph-crud-auth)")
    parser.add_argument("--update-endpoint", help="SPARQL Update URL, if not --endpoint")
    parser.add_argument("--user", help="user name (Digest or Basic, as the server asks)")
    parser.add_argument("--password", help="password (or set LIUZHOU_KG_PUSH_PASSWORD)")
    parser.add_argument("--method", choices=["auto", "graph-store", "update"], default="auto",
                        help="auto: Graph Store Protocol, SPARQL Update if the store has none")
    parser.add_argument("--graph", action="append", dest="graphs", help="push only this graph (repeatable)")
    parser.add_argument("--no-verify", action="store_true", help="skip the count check after the push")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per request")
    parser.add_argument("--no-progress", action="store_true", help="draw no progress bar")
    add_dataset_options(parser, data="push an RDF file (.trig, .nq) instead")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Push the store's named graphs to an external SPARQL store under the store's writer lock;
    return 0 (InputError when the target refuses)."""
    from ..store.push import push
    from ..store.reader import open_source

    password = args.password if args.password is not None else os.environ.get("LIUZHOU_KG_PUSH_PASSWORD")
    user = args.user
    if user is not None and password is None:
        from ..core.errors import InputError, Problem
        raise InputError([Problem("--password", None, "--user needs --password or LIUZHOU_KG_PUSH_PASSWORD")])
    from contextlib import nullcontext

    from ..core.layout import Layout
    from ..store.generations import is_store_dir
    from ..store.lock import StoreLock

    root = args.store if args.store is not None else Layout.default().store
    # The store's one writers' lock, held for the whole push: what is pushed is one state of the
    # store, and no build, import or remove runs meanwhile.
    lock = StoreLock(root, "push") if args.data is None and is_store_dir(root) else nullcontext()
    with lock:
        store = open_source(args.store, args.data)
        result = push(store, args.endpoint, graph_store=args.graph_store,
                      update_endpoint=args.update_endpoint, user=user, password=password,
                      graphs=args.graphs, method=args.method, verify=not args.no_verify,
                      progress=not args.no_progress, timeout=args.timeout,
                      report=lambda text: print(text, file=sys.stderr))
    checked = "" if args.no_verify else ", counts checked"
    print(f"pushed {result.graphs} graphs, {result.triples} triples by {result.method}{checked}")
    return 0
