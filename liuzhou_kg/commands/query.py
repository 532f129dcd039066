"""``liuzhou-kg query`` and ``liuzhou-kg queries``: ask the graph, list the ready-made questions."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..core.errors import InputError, Problem, query_problem
from ..sparql import library
from ..sparql.limits import DEFAULT_MAX_RESULT_BYTES, DEFAULT_TIMEOUT
from .options import add_command, add_dataset_options, positive_float

FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "jsonld", "nt"]
QUERY_DATA_HELP = "query an RDF file (.trig, .nq, .ttl, .nt, .jsonld) loaded in memory"


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg query`` and ``liuzhou-kg queries`` to ``subparsers``."""
    parser = add_command(
        subparsers, "query", help="run a SPARQL query (inline, from a file, or by library name)",
        description="Run a SPARQL query on the graph. QUERY is inline SPARQL or the name of a "
                    "question in queries/ (see `liuzhou-kg queries`). The ontology's prefixes "
                    "(lzo:, lz:, lzp:, lzg:, rdfs:, skos:, prov:, qb: ...) are predeclared.",
        examples=["liuzhou-kg query enterprise-output --lang en",
                  "liuzhou-kg query 'SELECT ?e ?name WHERE { ?e a lzo:Enterprise ; rdfs:label ?name }'",
                  "liuzhou-kg query -f my-question.rq --format csv",
                  "liuzhou-kg query liugong-facts --format jsonld"])
    parser.add_argument("query", nargs="?", help="inline SPARQL or a library question's name")
    parser.add_argument("-f", "--file", type=Path, help="read the query from this .rq file")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="output format (default: table; turtle for CONSTRUCT/DESCRIBE)")
    parser.add_argument("--lang", choices=["zh", "en", "all"], default=None,
                        help="labels to show (default: zh for table, all otherwise)")
    parser.add_argument("--timeout", type=positive_float, default=DEFAULT_TIMEOUT,
                        help=f"stop the query after this many seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--max-result-bytes", type=int, default=DEFAULT_MAX_RESULT_BYTES,
                        help="refuse results larger than this")
    parser.add_argument("--allow-service", action="store_true",
                        help="let SERVICE clauses send requests to other endpoints (refused "
                             "by default)")
    add_dataset_options(parser, data=QUERY_DATA_HELP)
    parser.set_defaults(func=run)

    listing = add_command(subparsers, "queries", help="list the library of competency questions",
                          description="List the questions in queries/ with their names.",
                          examples=["liuzhou-kg queries --lang en"])
    listing.add_argument("--lang", choices=["zh", "en", "all"], default="all",
                         help="question language to show (default: both)")
    listing.set_defaults(func=run_list)


def dataset_spec(args, **sandbox):
    """The dataset of ``--store``/``--data`` for worker processes (checked now)."""
    from ..sparql.workers import StoreSpec

    if args.data is not None:
        spec = StoreSpec(data_file=str(args.data), **sandbox)
    else:
        from ..core.layout import Layout
        spec = StoreSpec(store_dir=str(args.store if args.store is not None else Layout.default().store),
                         **sandbox)
    spec.check()
    return spec


def open_dataset(args):
    """The pyoxigraph store of ``--store``/``--data``, opened in this process (read-only)."""
    from ..store.load import load_memory_store
    from ..store.reader import open_store

    if args.data is not None:
        return load_memory_store(Path(args.data))
    from ..core.layout import Layout
    return open_store(Path(args.store if args.store is not None else Layout.default().store),
                      read_only=True)


def resolve_query(args) -> tuple[str, str]:
    """(query text, where it came from) for the error messages."""
    if args.file is not None and args.query is not None:
        raise InputError("give either QUERY or -f FILE, not both")
    if args.file is not None:
        return library.read_query_file(args.file), str(args.file)
    if args.query is None:
        raise InputError("no query: give inline SPARQL, -f FILE or a name from `liuzhou-kg queries`")
    if library.NAME.match(args.query):
        found = library.find(args.query)
        if found is None:
            raise InputError(f"no question named {args.query!r} in queries/; "
                             "run `liuzhou-kg queries` for the list")
        return found.text, str(found.path)
    return args.query, "<query>"


def run(args) -> int:
    """Run one query (inline, from a file or by library name) through the query policy and print
    its answer; return 0 (exit 3 at the time limit; QueryError subclasses become exit 2)."""
    from ..sparql.errors import QueryError, QuerySyntaxError
    from ..sparql.execute import QueryRequest
    from ..sparql.policy import Policy
    from ..sparql.runner import run_here

    text, origin = resolve_query(args)
    fmt = args.format
    lang = args.lang or ("zh" if fmt in (None, "table") else "all")
    store = open_dataset(args)
    request = QueryRequest(text, format=None if fmt == "table" else fmt,
                           max_result_bytes=args.max_result_bytes,
                           lang=None if lang == "all" else lang)
    try:
        answer = run_here(store, request, Policy.query(allow_service=args.allow_service),
                          args.timeout, origin)
    except QuerySyntaxError as err:
        raise InputError([query_problem(origin, err, "syntax error: ")]) from None
    except QueryError as err:
        message = err.message
        if "cannot be written as" not in message:  # a refusal names its line and column
            raise InputError([query_problem(origin, err)]) from None
        message = (f"{message.split(' query')[0]} query gives a graph; use --format turtle, "
                   "jsonld or nt" if fmt in ("csv", "tsv", "json", "xml") else
                   f"{message.split(' query')[0]} query gives results; use --format table, "
                   "csv, tsv, json or xml")
        raise InputError([Problem(origin, None, message)]) from None
    graph = answer.form in ("CONSTRUCT", "DESCRIBE")
    if fmt == "table" and graph:
        raise InputError([Problem(origin, None, f"a {answer.form} query gives a graph; use "
                                  "--format turtle, jsonld or nt")])
    out = sys.stdout
    try:
        if not graph and fmt in (None, "table"):
            import json

            render_table(json.loads(answer.body.decode("utf-8")), out)
        else:
            out.flush()
            out.buffer.write(answer.body)
            if not answer.body.endswith(b"\n"):
                out.buffer.write(b"\n")
            out.buffer.flush()
    except BrokenPipeError:  # e.g. `liuzhou-kg query ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def render_table(results: dict, out) -> None:
    """SPARQL JSON results as a rich table; rich measures CJK characters as two columns wide."""
    from rich.console import Console
    from rich.table import Table

    from ..core.prefixes import compact

    console = Console(file=out, width=None if out.isatty() else 160, highlight=False,
                      soft_wrap=False)
    if "boolean" in results:
        console.print("true" if results["boolean"] else "false")
        return
    variables = results["head"].get("vars", [])
    table = Table(show_lines=False)
    for variable in variables:
        table.add_column(variable, overflow="fold")
    bindings = results["results"]["bindings"]
    for binding in bindings:
        table.add_row(*(_cell(binding.get(v), compact) for v in variables))
    console.print(table)
    console.print(f"{len(bindings)} row{'s' if len(bindings) != 1 else ''}")


def _cell(term: dict | None, compact) -> str:
    from rich.markup import escape

    if term is None:
        return ""
    if term["type"] == "uri":
        return escape(compact(term["value"]))
    if term["type"] == "bnode":
        return escape(f"_:{term['value']}")
    return escape(term["value"])


def run_list(args) -> int:
    """Print the library's competency questions with their questions in the chosen language; return
    0."""
    from rich.console import Console
    from rich.table import Table

    questions = library.library()
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160,
                      highlight=False)
    table = Table(show_lines=False)
    table.add_column("name", no_wrap=True)
    if args.lang in ("zh", "all"):
        table.add_column("问题")
    if args.lang in ("en", "all"):
        table.add_column("question", overflow="fold")
    for q in questions:
        row = [q.name]
        if args.lang in ("zh", "all"):
            row.append(q.question_zh)
        if args.lang in ("en", "all"):
            row.append(q.question_en)
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(questions)} questions; run one with `liuzhou-kg query NAME`")
    return 0
