"""Cold-process benchmark: ``liuzhou-kg query -f Q --format csv`` against bare pyoxigraph.

For every competency question (``queries/*.rq``) both commands run as fresh processes on the same
store, alternating, ``--runs`` times each; the table gives the medians and their ratio. The bare
command opens the store read-only, prepends the same predeclared prefixes, queries the union of
the graphs and writes CSV to stdout: the least any tool must do for the same answer.

Usage::

    .venv/bin/python bench/bench_cold_query.py [--store dist/store] [--runs 5] [--update-benchmarks]

With ``--update-benchmarks`` the section "Cold query" of BENCHMARKS.md is rewritten.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BARE = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
text = open(sys.argv[3], encoding="utf-8").read()
prologue = open(sys.argv[2], encoding="utf-8").read()
result = store.query(prologue + text, use_default_graph_as_union=True)
if isinstance(result, ox.QueryTriples):
    result.serialize(sys.stdout.buffer, ox.RdfFormat.N_TRIPLES)
else:
    result.serialize(sys.stdout.buffer, ox.QueryResultsFormat.CSV)
"""
SECTION = "## Cold query"
NOTE = ("Reading: the store open and the pyoxigraph import are common to both commands; `liuzhou-kg query` adds its own start-up (argparse with its gettext and shutil, about 15 project modules: 20-25 ms on an idle machine by `python -X importtime`), the policy's screen (under a millisecond: every library question passes it, so rdflib is never imported) and no worker process. Before issue 8 the same command took 0.5-0.8 s, 5-13x. The margin is thin: the overhead is a fixed 15-20 ms, so a faster machine (a faster bare run) raises the ratio. Runs of this command have given worst ratios from 1.43x to 1.86x (one question in one run of 5, the rest at most 1.47x); on 2026-12-02 one run at load 1.2-1.9 gave 1.51x, and after the cold path stopped loading `typing` (about 2.5 ms) the run below. Under load 5-9, medians move by a third between runs.")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr.decode('utf-8', 'replace')}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=REPO / "dist" / "store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--update-benchmarks", action="store_true")
    args = parser.parse_args()

    from liuzhou_kg.core.prefixes import prologue
    from liuzhou_kg.store.generations import current_generation

    generation = current_generation(args.store)
    if generation is None:
        sys.exit(f"no store at {args.store}: run python build.py first")

    # An installed package has its bytecode compiled (pip does it); an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "liuzhou_kg")], check=True)

    prologue_file = REPO / "dist" / "bench-prologue.rq"
    prologue_file.write_text(prologue(), encoding="utf-8")
    cli = shutil.which("liuzhou-kg", path=str(Path(sys.executable).parent)) or "liuzhou-kg"
    python = sys.executable
    load_before = os.getloadavg()[0]
    rows = []
    for query in sorted((REPO / "queries").glob("*.rq")):
        text = query.read_text(encoding="utf-8")
        graph = re.search(r"^\s*(CONSTRUCT|DESCRIBE)", text, re.MULTILINE | re.IGNORECASE)
        ours_cmd = [cli, "query", "-f", str(query), "--format", "nt" if graph else "csv",
                    "--store", str(args.store)]
        # The bare command opens the database folder itself: the store's current generation.
        bare_cmd = [python, "-c", BARE, str(generation), str(prologue_file), str(query)]
        timed(ours_cmd), timed(bare_cmd)  # warm the page cache
        ours, bare = [], []
        for _ in range(args.runs):
            ours.append(timed(ours_cmd))
            bare.append(timed(bare_cmd))
        rows.append((query.stem, statistics.median(ours), statistics.median(bare)))
        print(f"{query.stem:32} {rows[-1][1] * 1000:7.1f} ms {rows[-1][2] * 1000:7.1f} ms "
              f"{rows[-1][1] / rows[-1][2]:5.2f}x", flush=True)
    load_after = os.getloadavg()[0]
    prologue_file.unlink()
    worst = max(r[1] / r[2] for r in rows)
    table = ["| question | `liuzhou-kg query` ms | bare pyoxigraph ms | ratio |",
             "| --- | ---: | ---: | ---: |"]
    table += [f"| {name} | {o * 1000:.0f} | {b * 1000:.0f} | {o / b:.2f} |" for name, o, b in rows]
    text = "\n".join([
        SECTION, "",
        "Command: `.venv/bin/python bench/bench_cold_query.py --runs "
        f"{args.runs} --update-benchmarks` (this section is written by it). Each figure is the "
        f"median of {args.runs} fresh processes, the two commands alternating, after one warm-up "
        "run each, with the package's bytecode compiled first (as an installed package has it); `liuzhou-kg query -f Q --format csv` (N-Triples for CONSTRUCT) against "
        "`python -c` that opens the same store read-only with pyoxigraph, prepends the same "
        "prefixes, queries the union of the graphs and writes CSV. Target: at most 1.5x on "
        "every question.",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on this machine "
        f"({os.cpu_count()} cores, Python {platform.python_version()}; 1-minute load average "
        f"{load_before:.1f} before and {load_after:.1f} after: other work on the machine "
        "slows every figure). Worst ratio: "
        f"**{worst:.2f}x** ({'met' if worst <= 1.5 else 'NOT met'}).",
        "", *table, "", NOTE, ""])
    print(text)
    if args.update_benchmarks:
        path = REPO / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8")
        if SECTION in current:
            start = current.index(SECTION)
            following = current.find("\n## ", start + len(SECTION))
            current = current[:start] + text + ("\n" + current[following + 1:] if following >= 0 else "")
        else:
            current = current.rstrip("\n") + "\n\n" + text
        path.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
