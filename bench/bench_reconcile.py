"""Reconciliation benchmark: a batch of 50 queries against `liuzhou-kg serve` on the built graph.
Not a test; results go to BENCHMARKS.md.

    .venv/bin/python build.py                        # once: dist/store
    .venv/bin/python bench/bench_reconcile.py        # 15 timed rounds (median, min, max)
    .venv/bin/python bench/bench_reconcile.py --rounds 30 --store dist/store

The server runs as a subprocess on 127.0.0.1 (a free port); the first request (which reads the
catalog from the store) is timed apart as "first request". Then each round POSTs the same batch
form-encoded, as OpenRefine does, and times the whole HTTP round trip. The batch mixes what a
spreadsheet holds: 30 names of the graph's entities (every k-th entity, its Chinese and English
names alternating), 8 spelling variants (traditional characters, pinyin with tones, full-width,
legal suffixes), 6 typed queries with property evidence, 3 nonsense cells and 3 hostile cells of
2,000 characters. The engine alone (in process, no HTTP) is timed on the same batch as well.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

VARIANTS = ["廣西", "Liǔzhōu", "liu3 gong1", "ＬｉｕＧｏｎｇ", "廣西柳工機械股份有限公司",
            "Guangxi LiuGong Machinery Co., Ltd.", "柳钢股份有限公司", "東風柳汽"]
TYPED = [
    {"query": "柳州", "type": "lzo:City"},
    {"query": "柳州", "type": "lzo:Place", "properties": [{"pid": "lzo:GBT2260Code", "v": "450200"}]},
    {"query": "柳工", "type": "lzo:Enterprise", "properties": [{"pid": "lzo:locatedIn", "v": "广西"}]},
    {"query": "Liuzhou Iron & Steel", "type": "lzo:Enterprise",
     "properties": [{"pid": "skos:notation", "v": 601003}]},
    {"query": "河西工业园", "type": "lzo:Park", "type_strict": "should"},
    {"properties": [{"pid": "lzo:locatedIn", "v": {"id": "liuzhou"}}]},
]
NONSENSE = ["qwertyuiop", "火星基地有限公司", "Acme Widgets Ltd."]
HOSTILE = ['"} ; DROP ALL ; SELECT * WHERE {' * 60, "柳" * 2000, "😀" * 2000]


def batch(store_dir: Path) -> dict:
    """The 50 queries, keyed q0…q49."""
    from liuzhou_kg.reconcile.catalog import load_catalog
    from liuzhou_kg.store.reader import open_store

    catalog = load_catalog(open_store(store_dir))
    entities = sorted(catalog.entities.values(), key=lambda r: r.id)
    step = max(1, len(entities) // 30)
    names = [r.name("zh" if i % 2 == 0 else "en") for i, r in enumerate(entities[::step][:30])]
    queries = [{"query": n} for n in names] + [{"query": v} for v in VARIANTS] + TYPED + [
        {"query": n} for n in NONSENSE] + [{"query": h} for h in HOSTILE]
    assert len(queries) == 50, len(queries)
    return {f"q{i}": q for i, q in enumerate(queries)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(store_dir: Path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "liuzhou_kg.cli", "serve", "--port", str(port),
                                "--store", str(store_dir), "--workers", "1"], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode("utf-8", "replace"))
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def summary(times: list[float]) -> str:
    return (f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms ({len(times)} rounds)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path(os.environ.get("LIUZHOU_KG_DIST", REPO / "dist")) / "store")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    queries = batch(args.store)
    payload = {"queries": json.dumps(queries, ensure_ascii=False)}

    with server(args.store) as url, httpx.Client(timeout=60) as client:
        start = time.perf_counter()
        client.get(url + "/reconcile").raise_for_status()
        first = time.perf_counter() - start
        times, matches = [], 0
        for _ in range(args.rounds):
            start = time.perf_counter()
            response = client.post(url + "/reconcile", data=payload)
            times.append(time.perf_counter() - start)
            response.raise_for_status()
            matches = sum(any(c["match"] for c in a["result"]) for a in response.json().values())
    print(f"first request (reads the catalog): {first * 1000:.0f} ms")
    print(f"batch of 50 over HTTP: {summary(times)}; {matches}/50 queries with a match")

    from liuzhou_kg.reconcile.app import Service
    from liuzhou_kg.store.reader import open_store
    from liuzhou_kg.reconcile.queries import parse_v02, run_query

    service = Service.from_store(open_store(args.store))
    parsed = parse_v02(payload["queries"], service.catalog)
    engine_times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for query in parsed.values():
            run_query(service.engine, query, None)
        engine_times.append(time.perf_counter() - start)
    print(f"batch of 50, engine only: {summary(engine_times)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
