"""``liuzhou-kg import``, ``liuzhou-kg imports`` and ``liuzhou-kg remove``: other datasets in the store."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, Problem
from .options import add_command, add_dataset_options


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg import``, ``imports`` and ``remove`` to ``subparsers``."""
    parser = add_command(
        subparsers, "import", help="load another dataset into the store as its own named graph",
        examples=["liuzhou-kg import nanning.ttl --license https://creativecommons.org/licenses/by/4.0/",
                  "liuzhou-kg import regional.csv --mapping graph/mappings/regional-statistics.yaml "
                  "--license https://creativecommons.org/publicdomain/zero/1.0/"],
        description="Load DATASET (an RDF file in any syntax, or a CSV of regional statistics with "
                    "--mapping) into the store as one named graph, with DCAT/VoID metadata (source, "
                    "date, triple count, licence) in the graph "
                    "https://w3id.org/liuzhou-kg/graph/imports. All or nothing: bad input, an error or a "
                    "kill leaves the store as it was; every quad goes into the import's own graph. "
                    "Waits for another writer (build, import, remove, push) up to "
                    "LIUZHOU_KG_LOCK_TIMEOUT seconds (default 600), then exits 2. Queries see the "
                    "union of graphs, or one graph through GRAPH.")
    parser.add_argument("dataset", type=Path, help="RDF file (.ttl .nt .nq .trig .rdf .jsonld), CSV, "
                                                   "or gazetteer:geonames|geonames:CC|gbt2260|iso3166 "
                                                   "(built from installed packages)")
    parser.add_argument("--graph", help="the named graph's IRI "
                                        "(default: https://w3id.org/liuzhou-kg/graph/import/<file name>)")
    parser.add_argument("--replace", action="store_true", help="replace the graph if it exists (atomic)")
    parser.add_argument("--license", dest="license_iri",
                        help="the data's licence IRI (required unless the data states dcterms:license)")
    parser.add_argument("--mapping", type=Path,
                        help="YAML mapping for a CSV (e.g. graph/mappings/regional-statistics.yaml)")
    _store_option(parser)
    parser.add_argument("--no-progress", action="store_true", help="draw no progress bar")
    parser.set_defaults(func=run_import)

    listing = add_command(subparsers, "imports", help="list the datasets imported into the store",
                          description="List the imported graphs with their metadata.",
                          examples=["liuzhou-kg imports --store dist/store"])
    _store_option(listing)
    listing.set_defaults(func=run_list)

    remove = add_command(subparsers, "remove", help="remove an imported dataset's graph (atomic)",
                         description="Drop an imported named graph and its metadata in one "
                                     "transaction.",
                         examples=["liuzhou-kg remove https://w3id.org/liuzhou-kg/graph/import/nanning"])
    remove.add_argument("graph", help="the imported graph's IRI (see `liuzhou-kg imports`)")
    _store_option(remove)
    remove.set_defaults(func=run_remove)


def _store_option(parser) -> None:
    add_dataset_options(parser, data=None,
                        store="store folder (default: dist/store; with import, a new folder is created)")


def run_import(args) -> int:
    """Import ``args.dataset`` (RDF, a CSV with its mapping, or ``gazetteer:NAME``) into the store
    as one named graph; return 0 (InputError on bad input, with nothing written)."""
    from ..store.imports.write import store_root

    root = store_root(args.store)
    create = args.store is not None  # an explicit --store DIR may be new; dist/store comes from the build
    if str(args.dataset).startswith("gazetteer:"):
        return _import_gazetteer(args, root, create)
    if args.dataset.suffix.lower() == ".csv" or args.mapping is not None:
        if args.mapping is None:
            raise InputError([Problem(args.dataset, None, "a CSV needs --mapping FILE.yaml "
                                                          "(e.g. graph/mappings/regional-statistics.yaml)")])
        from ..store.imports.csv_cube import import_csv

        result = import_csv(root, args.dataset, args.mapping, graph_iri=args.graph,
                            replace=args.replace, license_iri=args.license_iri, create=create)
    else:
        from ..store.imports.rdf_file import import_rdf

        result = import_rdf(root, args.dataset, graph_iri=args.graph, replace=args.replace,
                            license_iri=args.license_iri, progress=not args.no_progress, create=create)
    verb = "replaced" if result.replaced else "imported"
    print(f"{verb} <{result.graph}>: {result.triples} triples, licence <{result.license}>")
    for note in result.notes:  # what the store keeps in another form than given
        print(note)
    return 0


def _import_gazetteer(args, root: Path, create: bool) -> int:
    """``gazetteer:NAME``: build the gazetteer from its installed package, then import that file."""
    import tempfile

    from ..store.imports.rdf_file import import_rdf
    from ..link.gazetteers import gazetteer_graph_iri, write_gazetteer

    name = str(args.dataset).partition(":")[2]
    with tempfile.TemporaryDirectory(prefix="liuzhou-kg-gazetteer-") as tmp:
        path = Path(tmp) / f"{name.replace(':', '-')}.nt"
        write_gazetteer(name, path)  # an unknown name or missing package: InputError, store untouched
        result = import_rdf(root, path, graph_iri=args.graph or gazetteer_graph_iri(name),
                            replace=args.replace, license_iri=args.license_iri,
                            progress=not args.no_progress, create=create)
    verb = "replaced" if result.replaced else "imported"
    print(f"{verb} <{result.graph}>: {result.triples} triples, licence <{result.license}>")
    for note in result.notes:  # what the store keeps in another form than given
        print(note)
    return 0


def run_list(args) -> int:
    """Print the imported datasets of the store, one line each; return 0."""
    from ..store.imports.catalogue import imported
    from ..core.layout import Layout
    from ..store.reader import open_store

    store = open_store(args.store if args.store is not None else Layout.default().store, read_only=True)
    rows = imported(store)
    if not rows:
        print("no imported datasets")
    for row in rows:
        print(f"<{row['graph']}>  {row['triples']} triples  {row['issued']}  {row['title']}\n"
              f"    source <{row['source']}>  licence <{row['license']}>")
    return 0


def run_remove(args) -> int:
    """Remove an imported dataset's graph and its catalogue entry from the store; return 0
    (InputError for a graph that is not an import)."""
    from ..store.imports.write import remove, store_root

    triples = remove(store_root(args.store), args.graph)
    print(f"removed <{args.graph}> ({triples} triples)")
    return 0
