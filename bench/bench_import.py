"""Time `liuzhou-kg import` (RDF file into the store) and `liuzhou-kg push` (to Virtuoso).

    .venv/bin/python bench/bench_import.py [--triples 1000000] [--replace-triples 100000] [--runs 3]
                                           [--push-triples 200000]

Import: a generated N-Triples file (Chinese literals) into a fresh on-disk store as a new named
graph (check pass over the whole file, then Oxigraph's bulk loader into the graph, then the
catalogue entry in one transaction; see liuzhou_kg.imports), against two baselines on the same
file: pyoxigraph's parser alone, and pyoxigraph's bare ``bulk_load``. Then ``--replace`` (staged
by the bulk loader, swapped in by one update that moves the staged triples) and ``remove`` (one
update) of a graph of ``--replace-triples``: both delete quads one by one in Oxigraph.
Push: the built dataset (dist/store; built first if missing) and a generated graph of
``--push-triples`` triples, to a private Virtuoso on 127.0.0.1 (skipped without virtuoso-t).
Prints medians of ``--runs`` runs and the ratios; BENCHMARKS.md records one run.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "link"))

from liuzhou_kg.imports import import_rdf, remove  # noqa: E402
from liuzhou_kg.push import push  # noqa: E402

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


def generate(path: Path, triples: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(triples):
            handle.write(f'<http://example.org/region/s{i // 10}> <http://example.org/region/p{i % 10}> '
                         f'"柳州 数值 {i}"@zh .\n')


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_import(work: Path, data: Path, runs: int) -> dict[str, float]:
    results: dict[str, list[float]] = {"parse": [], "bulk_load": [], "import": []}
    for run in range(runs):
        results["parse"].append(timed(lambda: sum(1 for _ in ox.parse(path=str(data)))))
        bulk_dir = work / f"bulk-{run}"
        store = ox.Store(str(bulk_dir))
        results["bulk_load"].append(timed(lambda: store.bulk_load(
            path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://example.org/g"))))
        del store
        shutil.rmtree(bulk_dir)
        store_dir = work / f"store-{run}"
        store = ox.Store(str(store_dir))
        results["import"].append(timed(lambda: import_rdf(store, data, license_iri=CC0, progress=False)))
        del store
        shutil.rmtree(store_dir)
    return {name: median(values) for name, values in results.items()}


def bench_replace(work: Path, data: Path, runs: int) -> dict[str, float]:
    results: dict[str, list[float]] = {"import": [], "replace": [], "remove": []}
    graph = "https://w3id.org/liuzhou-kg/graph/import/" + data.stem
    for run in range(runs):
        store_dir = work / f"replace-{run}"
        store = ox.Store(str(store_dir))
        results["import"].append(timed(lambda: import_rdf(store, data, license_iri=CC0, progress=False)))
        results["replace"].append(timed(lambda: import_rdf(store, data, graph_iri=graph, replace=True,
                                                           license_iri=CC0, progress=False)))
        results["remove"].append(timed(lambda: remove(store, graph)))
        del store
        shutil.rmtree(store_dir)
    return {name: median(values) for name, values in results.items()}


def bench_push(work: Path, runs: int, push_triples: int) -> dict[str, float] | None:
    try:
        import virtuoso
    except ImportError:
        return None
    if virtuoso.VIRTUOSO is None:
        return None
    dist_store = REPO / "dist" / "store"
    if not dist_store.exists():
        from liuzhou_kg.build import build
        build(REPO / "dist")
    from liuzhou_kg.store import open_store

    store = open_store(dist_store)
    data = work / "push.nt"
    generate(data, push_triples)
    big = ox.Store()
    big.load(path=str(data), to_graph=ox.NamedNode("https://w3id.org/liuzhou-kg/graph/import/push"))
    server = virtuoso.start()
    try:
        auth = dict(user="dba", password="dba", progress=False)
        dataset = [timed(lambda: push(store, server.sparql_auth, graph_store=server.graph_store, **auth))
                   for _ in range(runs)]
        update = [timed(lambda: push(store, server.sparql_auth, method="update", **auth)) for _ in range(runs)]
        large = [timed(lambda: push(big, server.sparql_auth, graph_store=server.graph_store, **auth))
                 for _ in range(runs)]
    finally:
        server.stop()
    return {"dataset_gsp": median(dataset), "dataset_update": median(update), "large_gsp": median(large),
            "dataset_triples": sum(1 for g in store.named_graphs() for _ in store.quads_for_pattern(None, None, None, g)),
            "dataset_graphs": sum(1 for _ in store.named_graphs())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--replace-triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--push-triples", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lzkg-bench-import-"))
    try:
        data = work / "regional.nt"
        generate(data, args.triples)
        size = data.stat().st_size / 1e6
        print(f"import of {args.triples:,} N-Triples ({size:.0f} MB), median of {args.runs} runs:", flush=True)
        r = bench_import(work, data, args.runs)
        print(f"  parse only (pyoxigraph.parse)       {r['parse']:7.2f} s")
        print(f"  bulk_load (bare, no check/metadata) {r['bulk_load']:7.2f} s")
        print(f"  liuzhou-kg import (new graph)       {r['import']:7.2f} s   "
              f"{r['import'] / r['bulk_load']:.2f}x bulk_load, "
              f"{args.triples / r['import']:,.0f} triples/s", flush=True)
        small = work / "replaced.nt"
        generate(small, args.replace_triples)
        r = bench_replace(work, small, args.runs)
        print(f"replace and remove of a {args.replace_triples:,}-triple graph, median of {args.runs} runs:")
        print(f"  liuzhou-kg import (new graph)       {r['import']:7.2f} s")
        print(f"  liuzhou-kg import --replace         {r['replace']:7.2f} s   {r['replace'] / r['import']:.2f}x import")
        print(f"  liuzhou-kg remove                   {r['remove']:7.2f} s   {r['remove'] / r['import']:.2f}x import",
              flush=True)
        p = bench_push(work, args.runs, args.push_triples)
        if p is None:
            print("push: skipped (virtuoso-t not installed)")
        else:
            print(f"push to Virtuoso 7.2 on 127.0.0.1, median of {args.runs} runs (count check included):")
            print(f"  built dataset, {p['dataset_graphs']} graphs / {p['dataset_triples']:,} triples, "
                  f"Graph Store Protocol  {p['dataset_gsp']:6.2f} s")
            print(f"  built dataset, SPARQL Update                                  {p['dataset_update']:6.2f} s   "
                  f"{p['dataset_update'] / p['dataset_gsp']:.2f}x GSP")
            print(f"  one graph of {args.push_triples:,} triples, Graph Store Protocol          "
                  f"{p['large_gsp']:6.2f} s   {args.push_triples / p['large_gsp']:,.0f} triples/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
