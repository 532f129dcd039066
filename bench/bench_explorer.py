"""Benchmark of the network explorer at 100, 1,000 and 5,000 nodes.

For each size it builds a synthetic dataset that follows docs/CONTRACT.md
(``liuzhou_kg.explore.synthetic``), then measures, as medians over the runs:

* Python: reading the dataset into the explorer graph, the layout, and writing the page
  (``write_explorer`` end to end);
* headless Chromium (Debian's ``chromium`` driven by Playwright, every network request blocked):
  **drawn** = from navigation start to vis-network's first ``afterDrawing`` event;
  **interactive** = after that, a search that selects and focuses a node until it is drawn again.

    .venv/bin/python bench/bench_explorer.py                 # print the table
    .venv/bin/python bench/bench_explorer.py --update-benchmarks   # also rewrite "## Explorer"
                                                                   # in BENCHMARKS.md
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from liuzhou_kg.explore import write_explorer  # noqa: E402
from liuzhou_kg.explore.config import load_config  # noqa: E402
from liuzhou_kg.explore.layout import positions, undirected  # noqa: E402
from liuzhou_kg.explore.network import explorer_graph  # noqa: E402
from liuzhou_kg.explore.synthetic import synthetic_dataset  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SIZES = (100, 1000, 5000)

INTERACT_JS = """async (label) => {
  const e = window.kgExplorer;
  const drawn = new Promise(resolve => e.network.once('afterDrawing', resolve));
  const t0 = performance.now();
  const id = e.search(label);
  await drawn;
  return {ms: performance.now() - t0, id};
}"""


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 0)


def python_timings(n: int, runs: int, workdir: Path) -> dict:
    dataset = synthetic_dataset(n)
    cfg = load_config()
    build, layout, write = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        graph = explorer_graph(dataset, cfg)
        build.append(time.perf_counter() - t)
        t = time.perf_counter()
        positions(undirected(graph), cfg)
        layout.append(time.perf_counter() - t)
        t = time.perf_counter()
        stats = write_explorer(dataset, workdir / f"explorer-{n}.html")
        write.append(time.perf_counter() - t)
    return {"nodes": stats["nodes"], "edges": stats["edges"], "bytes": stats["bytes"],
            "graph_ms": median_ms(build), "layout_ms": median_ms(layout), "write_ms": median_ms(write)}


def browser_timings(page_path: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    drawn, interactive, blocked = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 850})
            page.route("**/*", lambda r: r.continue_() if r.request.url == page_path.as_uri()
                       else (blocked.append(r.request.url), r.abort()))
            page.goto(page_path.as_uri())
            page.wait_for_function("() => window.kgExplorer && window.kgExplorer.ready", timeout=120000)
            drawn.append(page.evaluate("window.kgExplorer.firstDrawMs") / 1000)
            count = page.evaluate("window.kgExplorer.network.body.nodeIndices.length")
            label = page.evaluate("kgExplorer.data.nodes[Math.floor(kgExplorer.data.nodes.length / 2)].l.en")
            result = page.evaluate(INTERACT_JS, label)
            interactive.append(result["ms"] / 1000)
            page.close()
        browser.close()
    if blocked:
        raise SystemExit(f"the page made network requests: {blocked[:3]}")
    return {"drawn_nodes": count, "drawn_ms": median_ms(drawn),
            "interactive_ms": median_ms(interactive),
            "ready_ms": median_ms([d + i for d, i in zip(drawn, interactive)])}


def table(rows: list[dict], runs: int, browser_runs: int) -> str:
    base = rows[0]
    lines = [
        "| nodes | edges | page size | graph | layout | write_explorer (all) | drawn in Chromium | "
        "+ search & focus | drawn + interactive | vs 100 nodes (drawn + interactive) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['nodes']:,} | {r['edges']:,} | {r['bytes'] / 1e6:.1f} MB | {r['graph_ms']:.0f} ms | "
            f"{r['layout_ms']:.0f} ms | {r['write_ms']:.0f} ms | {r['drawn_ms']:.0f} ms | "
            f"{r['interactive_ms']:.0f} ms | **{r['ready_ms']:.0f} ms** | "
            f"{r['ready_ms'] / base['ready_ms']:.2f}× |")
    return "\n".join(lines)


def section(body: str, runs: int, browser_runs: int, load: tuple[float, float]) -> str:
    cpu = os.cpu_count()
    return f"""## Explorer

Command: `.venv/bin/python bench/bench_explorer.py --update-benchmarks` (this section is written by
it). Synthetic contract-shaped datasets (`liuzhou_kg.explore.synthetic`); medians of {runs} Python
runs and {browser_runs} page loads per size, all in one run, on this machine ({cpu} cores,
Python {platform.python_version()}, Debian chromium headless, every network request blocked;
1-minute load average {load[0]:.1f} before and {load[1]:.1f} after the run: other work on the
machine slows every figure).

*graph* = dataset to explorer nodes/edges; *layout* = positions (seeded spring layouts on
Louvain communities); *write_explorer (all)* = graph + centrality + layout + pyvis + HTML, written.
*drawn* = navigation start to vis-network's first `afterDrawing`; *search & focus* = a search that
selects and centres a node, until it is drawn again; the 2 s budget applies to *drawn + interactive*.

{body}
"""


def update_benchmarks(text: str) -> None:
    path = REPO / "BENCHMARKS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Explorer\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    fd, tmp = tempfile.mkstemp(dir=REPO, prefix=".BENCHMARKS.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(new)
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Python runs per size (default 3)")
    parser.add_argument("--browser-runs", type=int, default=5, help="page loads per size (default 5)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--update-benchmarks", action="store_true",
                        help='rewrite the "## Explorer" section of BENCHMARKS.md')
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            row = python_timings(n, args.runs, Path(tmp))
            row.update(browser_timings(Path(tmp) / f"explorer-{n}.html", args.browser_runs))
            if row["drawn_nodes"] != row["nodes"]:
                raise SystemExit(f"drew {row['drawn_nodes']} of {row['nodes']} nodes")
            rows.append(row)
            print(f"{n}: {row}", file=sys.stderr)
    body = table(rows, args.runs, args.browser_runs)
    print(body)
    if args.update_benchmarks:
        update_benchmarks(section(body, args.runs, args.browser_runs,
                                  (load_before, os.getloadavg()[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
