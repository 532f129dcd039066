"""``liuzhou-kg export``: GraphML, GEXF and CSV node/edge lists for Gephi and other tools."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, Problem
from .options import add_command, add_dataset_options


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg export`` to ``subparsers``."""
    from ..store.export import FORMATS

    parser = add_command(
        subparsers, "export", help="write the entity network as GraphML, GEXF (Gephi) and CSV",
        examples=["liuzhou-kg export --out dist/export",
                  "liuzhou-kg export --format gexf --data dist/liuzhou.trig --out /tmp/gephi"],
        description="Write the network of entities and relations (every triple between two IRIs "
                    "except rdf:type; ontology and provenance graphs left out unless --all-graphs) "
                    "as GraphML, GEXF and CSV lists of nodes and edges, with zh/en labels.")
    parser.add_argument("--format", action="append", choices=FORMATS, dest="formats",
                        help="a format to write (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: dist/export)")
    parser.add_argument("--all-graphs", action="store_true",
                        help="also export the ontology and provenance graphs")
    add_dataset_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    """Write the entity network in the formats ``args`` ask for; return 0 (InputError for a missing
    store or a bad format)."""
    from ..store.export import FORMATS, export
    from ..core.layout import Layout
    from ..store.reader import open_source

    store = open_source(args.store, args.data)
    out = args.out if args.out is not None else Layout.default().dist / "export"
    if out.exists() and not out.is_dir():
        raise InputError([Problem(out, None, "not a folder")])
    written = export(store, out, tuple(args.formats or FORMATS), all_graphs=args.all_graphs)
    for path in written:
        print(path)
    return 0
