"""``liuzhou-kg viz``: write the interactive network explorer (one offline HTML file)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..core.errors import InputError, Problem
from .options import add_command, add_dataset_options, positive_float


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg viz`` to ``subparsers``."""
    parser = add_command(
        subparsers, "viz", help="write the interactive network explorer (an offline HTML page)",
        description="Write the knowledge graph as one self-contained HTML page: searchable, "
                    "filterable by class and by section of the source text, in Chinese or English, "
                    "with the source sentence of every fact. Without a view option it draws the "
                    "whole graph (what the build writes to dist/graph.html).",
        examples=["liuzhou-kg viz -o graph.html",
                  "liuzhou-kg viz --focus 柳工 --depth 2 -o liugong.html",
                  "liuzhou-kg viz --query program-targets --lang en",
                  "liuzhou-kg viz --ontology --data dist/liuzhou.trig"])
    view = parser.add_mutually_exclusive_group()
    view.add_argument("--focus", metavar="ENTITY",
                      help="draw one entity's neighbourhood; ENTITY is an IRI, a prefixed name "
                           "(lz:liugong) or an exact label (柳工, LiuGong)")
    view.add_argument("--query", metavar="FILE.rq", type=Path,
                      help="draw the result of a SELECT or CONSTRUCT query (a .rq file, or the "
                           "name of a question in queries/)")
    view.add_argument("--ontology", action="store_true",
                      help="draw the ontology: the class hierarchy and the properties between classes")
    parser.add_argument("--depth", type=_depth, default=None,
                        help="with --focus: how many steps from the entity (default 1)")
    parser.add_argument("--timeout", type=positive_float, default=10.0,
                        help="with --query: stop the query after this many seconds (default 10)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh",
                        help="label language the page opens with (it can switch; default zh)")
    parser.add_argument("-o", "--out", type=Path, default=None,
                        help="HTML file to write (default: dist/graph.html, or dist/<view>.html)")
    add_dataset_options(
        parser, data="read an RDF file (.trig, .nq, .ttl, .nt, .jsonld) instead of the store")
    parser.set_defaults(func=run)


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "entity"


def _query_path(arg: Path) -> Path:
    if arg.is_file() or arg.suffix == ".rq" or "/" in str(arg):
        return arg
    from ..sparql import library
    found = library.find(str(arg))
    if found is None:
        raise InputError([Problem(arg, None, "no such query file, and no question of that name in queries/")])
    return found.path


def run(args) -> int:
    """Write the explorer page (whole graph, one entity's neighbourhood, a query's result or the
    ontology); return 0."""
    from ..explore.config import load_config
    from ..explore.oxi import dataset_from_store
    from ..explore.render import write_graph
    from ..explore.views import Explorer
    from ..core.layout import Layout
    from ..store.reader import open_source

    if args.depth is not None and args.focus is None:
        raise InputError([Problem("--depth", None, "only makes sense with --focus ENTITY")])
    query_path = _query_path(args.query) if args.query is not None else None
    store = open_source(args.store, args.data)
    answer = None
    if query_path is not None:  # the query first, under its time limit, on the store itself
        from ..explore.views import run_view_query
        from ..sparql.library import read_query_file

        answer = run_view_query(store, read_query_file(query_path), query_path, args.timeout)
    explorer = Explorer.from_dataset(dataset_from_store(store), load_config())
    dist = Layout.default().dist
    if args.focus is not None:
        graph = explorer.focus(args.focus, 1 if args.depth is None else args.depth)
        default = dist / f"focus-{_slug(explorer.cfg.shorten(explorer.resolve(args.focus)).split(':')[-1])}.html"
    elif query_path is not None:
        graph = explorer.query_answer(answer, query_path)
        default = dist / f"query-{_slug(query_path.stem)}.html"
    elif args.ontology:
        graph = explorer.ontology()
        default = dist / "ontology.html"
    else:
        graph = explorer.full
        default = dist / "graph.html"
    out = args.out if args.out is not None else default
    if out.exists() and out.is_dir():
        raise InputError([Problem(out, None, "is a directory; give a file name for the HTML page")])
    try:
        stats = write_graph(graph, out, explorer.cfg, args.lang)
    except OSError as err:
        raise InputError([Problem(out, None, f"cannot write: {err.strerror or err}")]) from None
    print(f"wrote {out}: {stats['nodes']} nodes, {stats['edges']} edges ({stats['view']} view)")
    return 0
