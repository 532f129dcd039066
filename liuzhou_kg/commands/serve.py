"""``liuzhou-kg serve``: the read-only SPARQL 1.1 endpoint, query page and linked-data pages."""
from __future__ import annotations

import argparse

from ..errors import InputError
from ..sparql.limits import DEFAULT_MAX_RESULT_BYTES, DEFAULT_TIMEOUT
from .query import _add_dataset_options, _positive_float, dataset_spec

DEFAULT_MEMORY_LIMIT_MIB = 2048


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the SPARQL endpoint, query page and linked-data pages",
        description="Serve /sparql (SPARQL 1.1 Protocol, read-only), a query page at / and a "
                    "page for every resource IRI (/resource/..., /passage/..., /ontology).",
        epilog="Examples:\n"
               "  liuzhou-kg serve                  # http://127.0.0.1:8000/\n"
               "  liuzhou-kg serve --port 8080 --timeout 30 --workers 4\n"
               "  curl -H 'Accept: text/turtle' http://127.0.0.1:8000/resource/liugong",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--timeout", type=_positive_float, default=DEFAULT_TIMEOUT,
                        help=f"time limit of every query in seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--workers", type=int, default=2,
                        help="query worker processes (default 2)")
    parser.add_argument("--max-result-bytes", type=int, default=DEFAULT_MAX_RESULT_BYTES,
                        help="refuse results larger than this (default 64 MiB)")
    parser.add_argument("--max-body-bytes", type=int, default=1024 * 1024,
                        help="refuse request bodies larger than this with 413 (default 1 MiB)")
    parser.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_LIMIT_MIB,
                        metavar="MIB",
                        help="memory a query worker may use beyond what opening the store takes, "
                             f"in MiB (default {DEFAULT_MEMORY_LIMIT_MIB}; 0: no limit)")
    parser.add_argument("--allow-network", action="store_true",
                        help="serve even when query workers cannot be cut off from the network "
                             "(by default the server refuses to start then)")
    _add_dataset_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    import uvicorn

    from ..server.app import Settings, create_app

    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port}: not a TCP port")
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.memory_limit < 0:
        raise InputError("--memory-limit must be 0 (no limit) or more MiB")
    spec = dataset_spec(args, memory_limit=args.memory_limit * 2**20 or None,
                        allow_network=args.allow_network)
    isolation = check_isolation(spec)
    app = create_app(Settings(spec, args.timeout, args.workers, args.max_result_bytes,
                              args.max_body_bytes))
    state = "isolated" if isolation.isolated else "NOT isolated (--allow-network)"
    limit = f"{args.memory_limit} MiB" if args.memory_limit else "none"
    print(f"query workers: network {state}: {isolation.detail}; memory limit {limit}",
          flush=True)
    print(f"serving http://{args.host}:{args.port}/ (SPARQL endpoint /sparql)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def check_isolation(spec):
    """Start one query worker and return what it found about its network isolation.

    Refuses to serve (InputError) when the worker could not be cut off from the network and
    ``--allow-network`` was not given: the policy refuses SERVICE, and the sandbox is the second
    line of defence that must hold on its own.
    """
    from ..sparql.errors import QueryError
    from ..sparql.policy import Policy
    from ..sparql.workers import NetworkNotIsolated, Worker, probe_listener

    with probe_listener() as listener:
        worker = Worker(spec, Policy.serve(), listener.getsockname()[1])
        try:
            worker.wait_ready()
        except NetworkNotIsolated as err:
            raise InputError(f"{err.message}. Refusing to serve: a query that got past the "
                             "policy could reach the network. Run where unprivileged user "
                             "namespaces are allowed (or as root), or pass --allow-network to "
                             "serve anyway.") from None
        except QueryError as err:
            raise InputError(err.message) from None
        finally:
            worker.kill()
    return worker.isolation
