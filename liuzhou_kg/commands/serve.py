"""``liuzhou-kg serve``: the read-only SPARQL 1.1 endpoint, query page and linked-data pages."""
from __future__ import annotations

import resource

from ..core.errors import InputError
from ..sparql.limits import DEFAULT_MAX_RESULT_BYTES, DEFAULT_TIMEOUT
from .options import add_command, add_dataset_options, positive_float, positive_int
from .query import QUERY_DATA_HELP, dataset_spec

# Defaults of the limits; docs/query.md ("Limits") explains each.
MAX_BODY_BYTES = 256 * 1024
MAX_QUERY_BYTES = 64 * 1024
MAX_ROWS = 10_000
MAX_BUFFERED_BYTES = 128 * 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_CONNECTIONS = 256
MAX_CLIENT_CONNECTIONS = 32
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
WRITE_TIMEOUT = 15.0
SHUTDOWN_TIMEOUT = 5.0
KEEP_ALIVE_TIMEOUT = 5
DEFAULT_MEMORY_LIMIT_MIB = 2048


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg serve`` to ``subparsers``."""
    parser = add_command(
        subparsers, "serve", help="serve the SPARQL endpoint, query page and linked-data pages",
        description="Serve /sparql (SPARQL 1.1 Protocol, read-only, CORS-enabled), a query page "
                    "at / and a page for every resource IRI (/resource/..., /passage/..., "
                    "/ontology). Every limit below bounds what one client can take.",
        examples=["liuzhou-kg serve                  # http://127.0.0.1:8000/",
                  "liuzhou-kg serve --port 8080 --timeout 30 --workers 4",
                  "liuzhou-kg serve --cors-origin https://example.org --max-rows 50000",
                  "curl -H 'Accept: text/turtle' http://127.0.0.1:8000/resource/liugong"])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--timeout", type=positive_float, default=DEFAULT_TIMEOUT,
                        help=f"time limit of every query in seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--workers", type=positive_int, default=3,
                        help="query worker processes (default 3); a client with a query running "
                             "never takes the last free one")
    limits = parser.add_argument_group("limits per request and per client")
    limits.add_argument("--max-rows", type=positive_int, default=MAX_ROWS,
                        help="refuse (400 'too many rows') an answer with more solutions or "
                             f"triples than this; never cut it short (default {MAX_ROWS})")
    limits.add_argument("--max-result-bytes", type=positive_int, default=DEFAULT_MAX_RESULT_BYTES,
                        help="refuse results larger than this (default 64 MiB)")
    limits.add_argument("--max-query-bytes", type=positive_int, default=MAX_QUERY_BYTES,
                        help="refuse (413) a longer query, before parsing it (default 64 KiB)")
    limits.add_argument("--max-body-bytes", type=positive_int, default=MAX_BODY_BYTES,
                        help="refuse (413) a longer form-encoded request body (default 256 KiB)")
    limits.add_argument("--max-client-queries", type=positive_int, default=2,
                        help="queries one client address may have running at once; more get "
                             "429 with Retry-After (default 2)")
    limits.add_argument("--queue-timeout", type=positive_float, default=None,
                        help="seconds a query may wait for a free worker before 503 with "
                             "Retry-After (default: the --timeout)")
    limits.add_argument("--max-buffered-bytes", type=positive_int, default=MAX_BUFFERED_BYTES,
                        help="answer bytes held for clients still reading them; past it, 503 with "
                             "Retry-After (default 128 MiB)")
    limits.add_argument("--max-header-bytes", type=positive_int, default=MAX_HEADER_BYTES,
                        help="largest request line + headers (default 16 KiB)")
    limits.add_argument("--max-connections", type=positive_int, default=MAX_CONNECTIONS,
                        help=f"open connections; past it, 503 (default {MAX_CONNECTIONS})")
    limits.add_argument("--max-client-connections", type=positive_int,
                        default=MAX_CLIENT_CONNECTIONS,
                        help="open connections from one client address; past it, 503 "
                             f"(default {MAX_CLIENT_CONNECTIONS})")
    limits.add_argument("--header-timeout", type=positive_float, default=HEADER_TIMEOUT,
                        help="seconds a client has to send a request's headers, 408 after "
                             f"(default {HEADER_TIMEOUT:g})")
    limits.add_argument("--body-timeout", type=positive_float, default=BODY_TIMEOUT,
                        help="seconds to send a request body, 408 after "
                             f"(default {BODY_TIMEOUT:g})")
    limits.add_argument("--write-timeout", type=positive_float, default=WRITE_TIMEOUT,
                        help="seconds a client may stop reading its answer before the connection "
                             f"is dropped (default {WRITE_TIMEOUT:g})")
    limits.add_argument("--shutdown-timeout", type=positive_float, default=SHUTDOWN_TIMEOUT,
                        help="seconds open requests get to finish on SIGTERM/Ctrl-C "
                             f"(default {SHUTDOWN_TIMEOUT:g})")
    parser.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                        help="origin allowed to call /sparql from a browser (repeatable; default "
                             "'*', any origin)")
    limits.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_LIMIT_MIB,
                        metavar="MIB",
                        help="memory a query worker may use beyond what opening the store takes, "
                             f"in MiB (default {DEFAULT_MEMORY_LIMIT_MIB}; 0: no limit)")
    parser.add_argument("--allow-network", action="store_true",
                        help="serve even when query workers cannot be cut off from the network "
                             "(by default the server refuses to start then)")
    add_dataset_options(parser, data=QUERY_DATA_HELP)
    parser.set_defaults(func=run)


def run(args) -> int:
    """Check that query workers can be cut off from the network, then serve the endpoint until
    stopped; return 0 (InputError for bad options or when isolation fails without --allow-network)."""
    import uvicorn

    from ..server.app import Settings, create_app
    from ..server.connections import guarded_h11

    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port}: not a TCP port")
    if args.memory_limit < 0:
        raise InputError("--memory-limit must be 0 (no limit) or more MiB")
    origins = args.cors_origin or ["*"]
    for origin in origins:
        if origin != "*" and ("://" not in origin or origin.endswith("/")):
            raise InputError(f"--cors-origin {origin}: an origin is scheme://host[:port], "
                             "without a path, or *")
    spec = dataset_spec(args, memory_limit=args.memory_limit * 2**20 or None,
                        allow_network=args.allow_network)
    isolation = check_isolation(spec)
    app = create_app(Settings(
        spec, args.timeout, args.workers, args.max_result_bytes, args.max_body_bytes,
        max_query_bytes=args.max_query_bytes, max_rows=args.max_rows, cors_origins=origins,
        max_client_queries=args.max_client_queries, max_buffered_bytes=args.max_buffered_bytes,
        body_timeout=args.body_timeout, queue_timeout=args.queue_timeout))
    state = "isolated" if isolation.isolated else "NOT isolated (--allow-network)"
    limit = f"{args.memory_limit} MiB" if args.memory_limit else "none"
    inherited = resource.getrlimit(resource.RLIMIT_AS)[1]
    if inherited != resource.RLIM_INFINITY:  # ulimit -v, a container: workers cannot go above it
        limit += f" (the inherited address-space limit, {inherited >> 20} MiB in all, also holds)"
    print(f"query workers: network {state}: {isolation.detail}; memory limit {limit}",
          flush=True)
    print(f"serving http://{args.host}:{args.port}/ (SPARQL endpoint /sparql)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                http=guarded_h11(args.header_timeout, args.write_timeout, args.max_header_bytes,
                                 args.max_client_connections),
                h11_max_incomplete_event_size=args.max_header_bytes,
                limit_concurrency=args.max_connections, timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
                timeout_graceful_shutdown=args.shutdown_timeout)
    return 0


def check_isolation(spec):
    """Start one query worker and return what it found about its network isolation.

    Refuses to serve (InputError) when the worker could not be cut off from the network and
    ``--allow-network`` was not given: the policy refuses SERVICE, and the sandbox is the second
    line of defence that must hold on its own.
    """
    from ..sparql.errors import QueryError
    from ..sparql.policy import Policy
    from ..sparql.sandbox import NetworkNotIsolated, probe_listener
    from ..sparql.worker import Worker

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
