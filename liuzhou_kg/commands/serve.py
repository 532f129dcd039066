"""``liuzhou-kg serve``: the read-only SPARQL 1.1 endpoint, query page and linked-data pages."""
from __future__ import annotations

import argparse

from ..errors import InputError
from ..sparql.execute import DEFAULT_MAX_RESULT_BYTES
from ..sparql.workers import DEFAULT_TIMEOUT
from .query import _add_dataset_options, _positive_float, dataset_spec


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
    _add_dataset_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    import uvicorn

    from ..server.app import Settings, create_app

    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port}: not a TCP port")
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    spec = dataset_spec(args)
    app = create_app(Settings(spec, args.timeout, args.workers, args.max_result_bytes,
                              args.max_body_bytes))
    print(f"serving http://{args.host}:{args.port}/ (SPARQL endpoint /sparql)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
