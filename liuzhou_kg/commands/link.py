"""``liuzhou-kg link DATASET``: find, score and write links to another dataset."""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

from ..core.errors import InputError, Problem
from .options import add_command, add_dataset_options, positive_float


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg link`` and ``liuzhou-kg federate`` to ``subparsers``."""
    parser = add_command(
        subparsers, "link", help="find links between this graph's entities and another dataset's",
        examples=["liuzhou-kg link tests/fixtures/link/external.ttl --gold tests/fixtures/link/gold.csv",
                  "liuzhou-kg link gazetteer:gbt2260",
                  "liuzhou-kg link gazetteer:geonames:CN --exact 0.9",
                  "liuzhou-kg link http://127.0.0.1:3030/geo/sparql --query guangxi.rq"],
        description="Compare this graph's entities with DATASET's (an RDF file in any syntax, a "
                    "SPARQL endpoint URL with --query, or a standard gazetteer built from an "
                    "installed package: gazetteer:gbt2260, gazetteer:iso3166, gazetteer:geonames[:CC]) "
                    "by names in any common vocabulary (simplified/traditional Chinese, English, "
                    "pinyin, legal suffixes, short names), codes (GB/T 2260, ISO 3166, GeoNames, "
                    "stock codes), hierarchy and type (graph/mappings/link-vocabulary.yaml); write a "
                    "linkset (one-to-one skos:exactMatch for clear winners above --exact, "
                    "skos:closeMatch to review above --close) with its VoID description, and a "
                    "review CSV with every score and its evidence.")
    parser.add_argument("dataset", help="RDF file, SPARQL endpoint URL (needs --query), or "
                                        "gazetteer:NAME")
    parser.add_argument("--query", type=Path, help="CONSTRUCT query (.rq) to ask the endpoint")
    parser.add_argument("--kg", type=Path, default=None,
                        help="this graph as an RDF file (default: dist/liuzhou.trig)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: dist/links/<dataset name>)")
    parser.add_argument("--exact", type=_score, default=None,
                        help="score from which a one-to-one match is skos:exactMatch (default 0.85)")
    parser.add_argument("--close", type=_score, default=None,
                        help="score from which a candidate is listed for review (default 0.6)")
    parser.add_argument("--gold", type=Path, default=None,
                        help="CSV of known matches (columns local,external): print precision and recall")
    parser.add_argument("--timeout", type=float, default=60.0, help="endpoint timeout in seconds")
    parser.set_defaults(func=run)

    federate = add_command(
        subparsers, "federate", help="run a query whose SERVICE calls go to allow-listed endpoints only",
        examples=["liuzhou-kg federate -f compare-with-nanning.rq --config federation.yaml",
                  "(federation.yaml: federation: {allow: [http://127.0.0.1:3030/nanning/sparql]})"],
        heading="Example:",
        description="Run a SPARQL query on the store; SERVICE may name only the endpoints listed "
                    "under federation.allow in the configuration file (--config, or the "
                    "LIUZHOU_KG_CONFIG variable). Without one, federation is off.")
    federate.add_argument("query", nargs="?", help="inline SPARQL (or use -f)")
    federate.add_argument("-f", "--file", type=Path, help="read the query from this .rq file")
    federate.add_argument("--config", type=Path, default=None,
                          help="YAML configuration with federation.allow (default: $LIUZHOU_KG_CONFIG)")
    federate.add_argument("--format", choices=["csv", "tsv", "json"], default="tsv",
                          help="result format for SELECT (CONSTRUCT is N-Triples)")
    federate.add_argument("--timeout", type=positive_float, default=60.0,
                          help="stop the query after this many seconds (default 60)")
    add_dataset_options(federate)
    federate.set_defaults(func=run_federate)


def run_federate(args) -> int:
    """Run a query whose SERVICE calls may reach only the configured allow-list, under a time
    limit; return 0 (exit 3 at the time limit)."""
    import os
    import sys

    from ..sparql.federation import CONFIG_ENV, federated_query, load_allow_list
    from ..store.reader import open_source

    if (args.query is None) == (args.file is None):
        raise InputError([Problem("<arguments>", None, "give a query inline or with -f FILE")])
    if args.file is not None:
        if not args.file.is_file():
            raise InputError([Problem(args.file, None, "no such file")])
        query = args.file.read_text(encoding="utf-8")
    else:
        query = args.query
    config = args.config if args.config is not None else (
        Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    allow = load_allow_list(config)
    store = open_source(args.store, args.data)
    answer = federated_query(store, query, allow, args.format, args.timeout,
                             str(args.file) if args.file is not None else "<query>")
    sys.stdout.flush()
    sys.stdout.buffer.write(answer.body)
    if not answer.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.buffer.flush()
    return 0


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a score is between 0 and 1")
    return value


def read_gold(path: Path) -> set[tuple[str, str]]:
    """Known (local, external) pairs from a CSV with the columns local,external."""
    if not path.is_file():
        raise InputError([Problem(path, None, "no such file")])
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"local", "external"} - set(reader.fieldnames or ())
        if missing:
            raise InputError([Problem(path, 1, f"missing column(s): {', '.join(sorted(missing))}")])
        pairs = set()
        for row in reader:
            if not row["local"] or not row["external"]:
                raise InputError([Problem(path, reader.line_num, "empty local or external IRI")])
            pairs.add((row["local"].strip(), row["external"].strip()))
    return pairs


def run(args) -> int:
    """Run link discovery and print the counts (and precision/recall with --gold)."""
    from ..link.discover import discover

    query = None
    if args.query is not None:
        if not args.query.is_file():
            raise InputError([Problem(args.query, None, "no such file")])
        query = args.query.read_text(encoding="utf-8")
    gold = read_gold(args.gold) if args.gold else None
    result = discover(args.dataset, query=query, kg=args.kg, out_dir=args.out, exact=args.exact,
                      close=args.close, timeout=args.timeout)
    exact = sum(1 for c in result.candidates if c.decision == "exact")
    close = sum(1 for c in result.candidates if c.decision == "close")
    print(f"{result.local_count} entities here, {result.external_count} in {args.dataset}: "
          f"{exact} exact matches, {close} candidates to review")
    print(f"linkset: {result.linkset_path}")
    print(f"review:  {result.review_path}")
    if gold is not None:
        from ..link.scoring import evaluate

        ev = evaluate(result.candidates, gold)
        print(f"precision {ev.precision:.3f} ({ev.true_positives}/{ev.true_positives + ev.false_positives}), "
              f"recall {ev.recall:.3f} ({ev.true_positives}/{ev.true_positives + ev.false_negatives})")
    return 0
