"""Time and peak memory of `liuzhou-kg import`, `--replace`, `remove` (and `push` to Virtuoso).

    .venv/bin/python bench/bench_import.py [--triples 1000000] [--beside-triples 100000] [--runs 3]
                                           [--push-triples 200000] [--no-push]

Every operation runs as its own ``liuzhou-kg`` process (as a user runs it) on a store folder
copied from the built one (dist/store; built first if missing), and is measured from outside:
wall time, and the process's peak resident memory (``wait4`` rusage). Data: generated N-Triples,
10 triples per subject, every object a Chinese literal.

- import of ``--triples`` as a new graph (limits pre-scan, parse, every quad into the graph,
  catalogue entry, published as a new generation), against pyoxigraph's bare ``bulk_load`` of the
  same file into a fresh store (the floor);
- ``--replace`` of that graph by the same file, then ``remove`` of it: the graph is most of the
  store, so the new generation is a fresh database into which the other graphs are copied;
- ``remove`` of a graph of ``--beside-triples`` next to the big one: a small share of the store,
  so the new generation is a hard-linked checkpoint from which the graph is deleted.

Push: the built dataset and a generated graph of ``--push-triples`` triples, to a private Virtuoso
on 127.0.0.1 (skipped without virtuoso-t). Prints medians of ``--runs`` runs; BENCHMARKS.md
records one run with this command.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "link"))

from liuzhou_kg.store.push import push  # noqa: E402

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
G = "https://w3id.org/liuzhou-kg/graph/import/"


def generate(path: Path, triples: int, space: str = "region") -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(triples):
            handle.write(f'<http://example.org/{space}/s{i // 10}> <http://example.org/{space}/p{i % 10}> '
                         f'"柳州 数值 {i}"@zh .\n')


def measured(args: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB) of that process alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode('utf-8', 'replace')}")
    return elapsed, usage.ru_maxrss / 1024


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "liuzhou_kg.cli", *args]


BARE_BULK_LOAD = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://example.org/g"))
store.flush()
"""


def built_store() -> Path:
    dist_store = REPO / "dist" / "store"
    if not dist_store.exists():
        from liuzhou_kg.build.pipeline import build
        from liuzhou_kg.core.layout import Layout
        build(Layout(REPO))
    return dist_store


def bench_imports(work: Path, big: Path, beside: Path, runs: int) -> dict[str, tuple[float, float]]:
    names = ("bulk_load", "import", "replace", "remove", "import_beside", "remove_beside")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for run in range(runs):
        bare = work / f"bare-{run}"
        results["bulk_load"].append(measured([sys.executable, "-c", BARE_BULK_LOAD, str(bare), str(big)]))
        shutil.rmtree(bare)
        store = work / f"store-{run}"
        shutil.copytree(built_store(), store)
        common = ["--store", str(store), "--license", CC0, "--no-progress"]
        results["import"].append(measured(cli("import", str(big), *common)))
        results["replace"].append(measured(cli("import", str(big), "--replace", *common)))
        results["import_beside"].append(measured(cli("import", str(beside), *common)))
        results["remove_beside"].append(measured(cli("remove", G + beside.stem, "--store", str(store))))
        results["remove"].append(measured(cli("remove", G + big.stem, "--store", str(store))))
        shutil.rmtree(store)
    return {name: (statistics.median(t for t, _ in values), statistics.median(m for _, m in values))
            for name, values in results.items()}


def bench_push(work: Path, runs: int, push_triples: int) -> dict[str, float] | None:
    try:
        import virtuoso
    except ImportError:
        return None
    if virtuoso.VIRTUOSO is None:
        return None
    from liuzhou_kg.store.reader import open_store

    store = open_store(built_store())
    data = work / "push.nt"
    generate(data, push_triples)
    big = ox.Store()
    big.load(path=str(data), to_graph=ox.NamedNode(G + "push"))
    server = virtuoso.start()

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    try:
        auth = dict(user="dba", password="dba", progress=False)
        dataset = [timed(lambda: push(store, server.sparql_auth, graph_store=server.graph_store, **auth))
                   for _ in range(runs)]
        update = [timed(lambda: push(store, server.sparql_auth, method="update", **auth)) for _ in range(runs)]
        large = [timed(lambda: push(big, server.sparql_auth, graph_store=server.graph_store, **auth))
                 for _ in range(runs)]
    finally:
        server.stop()
    return {"dataset_gsp": statistics.median(dataset), "dataset_update": statistics.median(update),
            "large_gsp": statistics.median(large), "dataset_triples": len(store),
            "dataset_graphs": sum(1 for _ in store.named_graphs())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--beside-triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--push-triples", type=int, default=200_000)
    parser.add_argument("--no-push", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lzkg-bench-import-"))
    try:
        big = work / "regional.nt"
        generate(big, args.triples)
        beside = work / "beside.nt"
        generate(beside, args.beside_triples, space="beside")
        print(f"{args.triples:,} N-Triples ({big.stat().st_size / 1e6:.0f} MB) into a copy of the built store, "
              f"median of {args.runs} runs (wall time, peak RSS of the process):", flush=True)
        r = bench_imports(work, big, beside, args.runs)
        rows = [("bare bulk_load into a fresh store (floor)", "bulk_load"),
                (f"liuzhou-kg import ({args.triples:,}, new graph)", "import"),
                (f"liuzhou-kg import --replace ({args.triples:,} by {args.triples:,})", "replace"),
                (f"liuzhou-kg import ({args.beside_triples:,} beside them)", "import_beside"),
                (f"liuzhou-kg remove ({args.beside_triples:,} of {args.triples + args.beside_triples:,})",
                 "remove_beside"),
                (f"liuzhou-kg remove ({args.triples:,}, most of the store)", "remove")]
        for label, key in rows:
            seconds, rss = r[key]
            print(f"  {label:58s} {seconds:7.2f} s  {rss:7.0f} MB", flush=True)
        if args.no_push:
            return 0
        p = bench_push(work, args.runs, args.push_triples)
        if p is None:
            print("push: skipped (virtuoso-t not installed)")
        else:
            print(f"push to Virtuoso 7.2 on 127.0.0.1, median of {args.runs} runs (count check included):")
            print(f"  built dataset, {p['dataset_graphs']} graphs / {p['dataset_triples']:,} triples, "
                  f"Graph Store Protocol  {p['dataset_gsp']:6.2f} s")
            print(f"  built dataset, SPARQL Update                                  {p['dataset_update']:6.2f} s")
            print(f"  one graph of {args.push_triples:,} triples, Graph Store Protocol          "
                  f"{p['large_gsp']:6.2f} s   {args.push_triples / p['large_gsp']:,.0f} triples/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
