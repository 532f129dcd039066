"""Query benchmark: the project's query path vs raw pyoxigraph vs rdflib's in-memory engine,
and the endpoint vs rdflib-endpoint. Not a test; results go to BENCHMARKS.md.

    .venv/bin/python bench/bench_query.py                 # 100k triples (+ the built graph)
    .venv/bin/python bench/bench_query.py --sizes 100k,1m  # also 1M triples
    .venv/bin/python bench/bench_query.py --endpoint       # also endpoint throughput
    .venv/bin/python bench/bench_query.py --sizes 100k,1m --load-only --load-runs 3 \
        --engines project,oxigraph                          # loads only, no query rounds

Each engine runs in its own process (so peak memory is its own): it loads the same N-Quads file
(the synthetic regional dataset from gen_synthetic.py plus dist/liuzhou.nq when it exists), then
answers every question of queries/*.rq and the generic join/filter/aggregate/path queries as
SPARQL JSON results. All engines are loaded side by side (one process each) and every query is
run on each engine in turn, round after round (one warm-up round, then --repeat timed rounds), so
that load spikes from other work on the machine hit all engines alike; latencies are medians.

Engines:
- project   liuzhou_kg.store.load.write_store + liuzhou_kg.sparql.execute (in process)
- worker    the same through a query worker process (the CLI/endpoint path with time limits)
- oxigraph  raw pyoxigraph: Store(path).bulk_load + Store.query(...).serialize
- rdflib    rdflib.Dataset(default_union=True) parse + query + serialize
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

WORK = Path(os.environ.get("LIUZHOU_KG_BENCH_DIR", REPO / "test-artifacts" / "bench"))
GENERIC = {
    "generic-join": """
SELECT ?enterprise ?city ?value WHERE {
  ?obs lzo:indicator lz:syn-indicator-3 ; sdmx-dimension:refPeriod lz:year-2015 ;
       lzo:refEntity ?enterprise ; lzo:statedValue ?value .
  ?enterprise lzo:locatedIn ?c . ?c rdfs:label ?city FILTER(LANG(?city) = "zh")
}""",
    "generic-join-wide": """
SELECT ?industry (COUNT(*) AS ?n) (AVG(?value) AS ?mean) WHERE {
  ?obs lzo:indicator lz:syn-indicator-3 ; lzo:refEntity ?e ; lzo:statedValue ?value .
  ?e lzo:inIndustry ?industry ; lzo:locatedIn ?c .
  ?c a lzo:City
} GROUP BY ?industry ORDER BY ?industry""",
    "generic-filter": """
SELECT ?obs ?growth WHERE { ?obs lzo:growthRate ?growth FILTER(?growth > 29.9) }""",
    "generic-aggregate": """
SELECT ?area (COUNT(*) AS ?n) (AVG(?value) AS ?mean) WHERE {
  ?obs sdmx-dimension:refArea ?area ; lzo:statedValue ?value
} GROUP BY ?area ORDER BY DESC(?mean)""",
    "generic-path": """
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e lzo:inIndustry/skos:broader* lz:syn-industry-0 }""",
    "generic-text": """
SELECT ?e ?label WHERE { ?e a lzo:Enterprise ; rdfs:label ?label FILTER(CONTAINS(?label, "九九")) }""",
}


def parse_size(text: str) -> int:
    text = text.lower()
    if text.endswith("m"):
        return int(float(text[:-1]) * 1_000_000)
    if text.endswith("k"):
        return int(float(text[:-1]) * 1_000)
    return int(text)


def questions() -> dict[str, str]:
    from liuzhou_kg.sparql.library import library

    found = {q.name: q.text for q in library()}
    found.update(GENERIC)
    return found


def prologue() -> str:
    from liuzhou_kg.core.prefixes import PREFIXES_FILE

    return "\n".join(line for line in PREFIXES_FILE.read_text(encoding="utf-8").splitlines()
                     if line.startswith("PREFIX")) + "\n"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- one engine, in a child process ----------------------------------------------------------

def prepare_engine(engine: str, data: Path, scratch: Path):
    """Load ``data`` the way ``engine`` does; return (load seconds, ask(text, graph) -> bytes)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    if engine in ("project", "worker"):
        from liuzhou_kg.sparql.execute import QueryRequest, execute
        from liuzhou_kg.store.load import write_store
        from liuzhou_kg.store.reader import open_store

        start = time.perf_counter()
        write_store(data, scratch / "store")
        load_s = time.perf_counter() - start
        if engine == "project":
            store = open_store(scratch / "store")

            def ask(text, graph):
                return execute(store, QueryRequest(text, "nt" if graph else "json")).body
        else:
            from liuzhou_kg.sparql.policy import Policy
            from liuzhou_kg.sparql.worker import Worker
            from liuzhou_kg.sparql.workers import StoreSpec

            worker = Worker(StoreSpec(store_dir=str(scratch / "store"), allow_network=True),
                            Policy.serve())
            worker.wait_ready()

            def ask(text, graph):
                worker.conn.send(("run", QueryRequest(text, "nt" if graph else "json")))
                status, payload = worker.conn.recv()
                if status != "ok":
                    raise payload
                return payload.body
    elif engine == "oxigraph":
        import pyoxigraph

        start = time.perf_counter()
        store = pyoxigraph.Store(str(scratch / "raw"))
        store.bulk_load(path=str(data), format=pyoxigraph.RdfFormat.N_QUADS)
        load_s = time.perf_counter() - start
        head = prologue()

        def ask(text, graph):
            fmt = pyoxigraph.RdfFormat.N_TRIPLES if graph else pyoxigraph.QueryResultsFormat.JSON
            return store.query(head + text, use_default_graph_as_union=True).serialize(format=fmt)
    elif engine == "rdflib":
        import rdflib

        start = time.perf_counter()
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(str(data), format="nquads")
        load_s = time.perf_counter() - start
        head = prologue()

        def ask(text, graph):
            return dataset.query(head + text).serialize(format="nt" if graph else "json")
    else:
        raise SystemExit(f"unknown engine {engine}")
    return load_s, ask


def serve_engine(engine: str, data: Path, scratch: Path) -> None:
    """Child process: load, then answer JSON commands on stdin, one per line."""
    from liuzhou_kg.sparql.analysis import analyse
    from liuzhou_kg.sparql.large_stack import on_large_stack

    def query_form(text):
        return on_large_stack(analyse, text).form

    queries = questions()
    load_s, ask = prepare_engine(engine, data, scratch)
    reply({"load_s": load_s, "peak_mb": peak_mb()})
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        text = queries[command["name"]]
        graph = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        start = time.perf_counter()
        body = ask(text, graph)
        seconds = time.perf_counter() - start
        if graph:
            rows = len([row for row in body.splitlines() if row.strip()])
        else:
            parsed = json.loads(body)
            rows = len(parsed["results"]["bindings"]) if "results" in parsed else 1
        reply({"seconds": seconds, "rows": rows, "peak_mb": peak_mb()})
    shutil.rmtree(scratch, ignore_errors=True)


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class EngineProcess:
    def __init__(self, engine: str, data: Path):
        self.engine = engine
        scratch = WORK / f"scratch-{engine}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--engine", engine, "--data", str(data),
             "--scratch", str(scratch)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8")
        ready = json.loads(self.process.stdout.readline())
        self.load_s = ready["load_s"]
        self.peak_mb = ready["peak_mb"]

    def ask(self, name: str) -> dict:
        self.process.stdin.write(json.dumps({"cmd": "query", "name": name}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        self.peak_mb = max(self.peak_mb, answer["peak_mb"])
        return answer

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.process.stdin.flush()
        self.process.wait(60)


def run_size(data: Path, engines: list[str], repeat: int, rdflib_repeat: int) -> dict[str, dict]:
    """Load every engine (one after the other), then run each query interleaved across the
    engines, round after round, so that a load spike on the machine hits all engines alike."""
    running = []
    for engine in engines:
        print(f"  {data.name}: loading {engine} ...", file=sys.stderr, flush=True)
        running.append(EngineProcess(engine, data))
    results = {e.engine: {"load_s": e.load_s, "latency": {}, "rows": {}} for e in running}
    try:
        for name in questions():
            samples: dict[str, list[float]] = {e.engine: [] for e in running}
            for round_number in range(repeat + 1):  # round 0 is the warm-up
                order = running[round_number % len(running):] + running[:round_number % len(running)]
                for engine in order:
                    limit = rdflib_repeat if engine.engine == "rdflib" else repeat
                    if round_number > limit:
                        continue
                    answer = engine.ask(name)
                    results[engine.engine]["rows"][name] = answer["rows"]
                    if round_number:
                        samples[engine.engine].append(answer["seconds"])
            for engine, values in samples.items():
                results[engine]["latency"][name] = statistics.median(values)
    finally:
        for engine in running:
            engine.close()
            results[engine.engine]["peak_mb"] = engine.peak_mb
    return results


def load_only(data: Path, engines: list[str], runs: int) -> dict[str, dict]:
    """Load ``data`` into each engine ``runs`` times (a fresh process each time, engines
    alternating run after run), no query; medians of the load time and of the peak memory."""
    samples: dict[str, list[tuple[float, float]]] = {engine: [] for engine in engines}
    for run in range(runs):
        order = engines[run % len(engines):] + engines[:run % len(engines)]
        for engine in order:
            print(f"  {data.name}: loading {engine} (run {run + 1}/{runs}) ...", file=sys.stderr, flush=True)
            process = EngineProcess(engine, data)
            samples[engine].append((process.load_s, process.peak_mb))
            process.close()
    return {engine: {"load_s": statistics.median(s for s, _ in values),
                     "all_s": [s for s, _ in values],
                     "peak_mb": statistics.median(m for _, m in values)}
            for engine, values in samples.items()}


def load_report(size: int, quads: int, results: dict[str, dict], runs: int) -> str:
    lines = [f"### {quads:,} quads (synthetic {size:,} + built graph): load only", "",
             f"Median of {runs} loads per engine, each in a fresh process.", "",
             "| engine | load s | runs s | peak MB | load / oxigraph |", "| --- | ---: | --- | ---: | ---: |"]
    raw = results.get("oxigraph", {}).get("load_s")
    for engine, r in results.items():
        ratio = f"{r['load_s'] / raw:.2f}" if raw else ""
        runs_s = ", ".join(f"{v:.2f}" for v in r["all_s"])
        lines.append(f"| {engine} | {r['load_s']:.2f} | {runs_s} | {r['peak_mb']:.0f} | {ratio} |")
    return "\n".join(lines)


# --- the driver ------------------------------------------------------------------------------

def dataset_for(size: int) -> Path:
    from gen_synthetic import write

    WORK.mkdir(parents=True, exist_ok=True)
    synthetic = WORK / f"synthetic-{size}.nq"
    if not synthetic.exists():
        write(synthetic, size)
    combined = WORK / f"combined-{size}.nq"
    built = REPO / "dist" / "liuzhou.nq"
    with open(combined, "wb") as out:
        out.write(synthetic.read_bytes())
        if built.exists():
            out.write(built.read_bytes())
    return combined


def report(size: int, quads: int, results: dict[str, dict], repeat: int, rdflib_repeat: int) -> str:
    lines = [f"### {quads:,} quads (synthetic {size:,} + built graph)", "",
             f"Latency: median of {repeat} runs ({rdflib_repeat} for rdflib) after a warm-up, "
             "engines interleaved query by query.", "",
             "| engine | load s | peak MB |", "| --- | ---: | ---: |"]
    for engine, r in results.items():
        lines.append(f"| {engine} | {r['load_s']:.2f} | {r['peak_mb']:.0f} |")
    names = list(next(iter(results.values()))["latency"])
    engines = list(results)
    lines += ["", "| query | " + " | ".join(f"{e} ms" for e in engines)
              + " | project/oxigraph | worker/oxigraph | rdflib/project | rows (project) |",
              "| --- | " + " | ".join("---:" for _ in engines) + " | ---: | ---: | ---: | --- |"]
    worst = 0.0
    for name in names:
        row = [f"{results[e]['latency'][name] * 1000:.2f}" for e in engines]
        project = results["project"]["latency"][name]
        raw = results["oxigraph"]["latency"][name]
        ratio = project / raw
        worst = max(worst, ratio)
        worker = results["worker"]["latency"][name] / raw if "worker" in results else float("nan")
        slower = (results["rdflib"]["latency"][name] / project) if "rdflib" in results else float("nan")
        rows = results["project"]["rows"][name]
        differing = [f"{e} {results[e]['rows'][name]}" for e in engines
                     if results[e]["rows"][name] != rows]
        note = f"{rows}" + (f" (≠ {', '.join(differing)})" if differing else "")
        lines.append(f"| {name} | " + " | ".join(row)
                     + f" | {ratio:.2f} | {worker:.2f} | {slower:.0f}× | {note} |")
    load_ratio = results["project"]["load_s"] / results["oxigraph"]["load_s"]
    lines += ["", f"Load project/oxigraph: {load_ratio:.2f}. Worst query project/oxigraph: "
              f"{worst:.2f}."]
    return "\n".join(lines)


def endpoint_benchmark(data: Path, requests: int, concurrency: int) -> str:
    import httpx

    from liuzhou_kg.store.load import write_store

    store_dir = WORK / "endpoint-store"
    shutil.rmtree(store_dir, ignore_errors=True)
    write_store(data, store_dir)
    mix = [questions()[name] for name in ("generic-text", "generic-filter")]
    lookup = ("SELECT ?p ?o WHERE { lz:syn-enterprise-%d ?p ?o }")
    results = {}
    servers = {
        "project": [sys.executable, "-m", "liuzhou_kg.cli", "serve", "--store", str(store_dir),
                    "--port", "{port}", "--workers", "2"],
        "rdflib-endpoint": [sys.executable, __file__, "--rdflib-endpoint", str(data),
                            "--port", "{port}"],
    }
    head = prologue()
    for name, command in servers.items():
        port = _free_port()
        process = subprocess.Popen([c.replace("{port}", str(port)) for c in command], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/sparql"
        try:
            _wait(url, head)
            latencies: list[float] = []

            def one(i: int) -> None:
                query = head + (lookup % (i * 7 % 1000) if i % 2 else mix[(i // 2) % len(mix)])
                start = time.perf_counter()
                response = httpx.post(url, data={"query": query}, timeout=600,
                                      headers={"Accept": "application/sparql-results+json"})
                latencies.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text[:200]

            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(one, range(requests)))
            elapsed = time.perf_counter() - start
            latencies.sort()
            results[name] = (requests / elapsed, latencies[len(latencies) // 2],
                             latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))])
        finally:
            process.terminate()
            process.wait(10)
    lines = [f"Endpoint: {requests} requests at concurrency {concurrency} (half resource "
             "lookups, half text/filter queries)", "",
             "| server | requests/s | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |"]
    for name, (rate, p50, p99) in results.items():
        lines.append(f"| {name} | {rate:.1f} | {p50 * 1000:.1f} | {p99 * 1000:.1f} |")
    if len(results) == 2:
        lines += ["", f"Throughput project/rdflib-endpoint: "
                  f"{results['project'][0] / results['rdflib-endpoint'][0]:.1f}×"]
    return "\n".join(lines)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, head: str) -> None:
    import httpx

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": head + "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def serve_rdflib_endpoint(data: Path, port: int) -> None:
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(str(data), format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k", help="comma-separated, e.g. 100k,1m")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engines", default="project,worker,oxigraph,rdflib")
    parser.add_argument("--rdflib-repeat", type=int, default=None,
                        help="timed runs for rdflib (default: --repeat); rdflib is slow at 1M")
    parser.add_argument("--endpoint", action="store_true", help="also measure the endpoint")
    parser.add_argument("--load-only", action="store_true",
                        help="measure the loads only (no query rounds); see --load-runs")
    parser.add_argument("--load-runs", type=int, default=3, help="loads per engine with --load-only")
    parser.add_argument("--endpoint-size", default="100k")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rdflib-endpoint", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.rdflib_endpoint:
        serve_rdflib_endpoint(args.rdflib_endpoint, args.port)
        return 0
    if args.engine:
        serve_engine(args.engine, args.data, args.scratch)
        return 0

    print(f"command: {' '.join([Path(sys.executable).name, 'bench/bench_query.py', *(argv or sys.argv[1:])])}")
    for size_text in args.sizes.split(","):
        size = parse_size(size_text)
        data = dataset_for(size)
        quads = sum(1 for _ in open(data, "rb"))
        if args.load_only:
            print(load_report(size, quads, load_only(data, args.engines.split(","), args.load_runs),
                              args.load_runs))
            print()
            continue
        rdflib_repeat = args.rdflib_repeat if args.rdflib_repeat is not None else args.repeat
        results = run_size(data, args.engines.split(","), args.repeat, rdflib_repeat)
        print(report(size, quads, results, args.repeat, rdflib_repeat))
        print()
    if args.endpoint:
        data = dataset_for(parse_size(args.endpoint_size))
        print(endpoint_benchmark(data, args.requests, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
