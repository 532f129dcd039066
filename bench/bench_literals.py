"""What counting the literals the store rewrites adds to an import's check pass.

    .venv/bin/python bench/bench_literals.py [--triples 1000000] [--runs 3]

The import parses the file once before loading it (decimals, N3 formulas, the licence); the count
of literals the store keeps in another form (liuzhou_kg/store/imports/literals.py) runs in that
pass. Timed here on two generated N-Triples files of ``--triples`` triples: the data of
bench_import.py (every object a Chinese literal: one dictionary lookup each), and typed literals
(xsd:nonNegativeInteger, integer, decimal "n.0", boolean "1", string: four in five are counted).
Prints the median of ``--runs`` runs of the pass without and with the count.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench_import import generate  # noqa: E402
from liuzhou_kg.store.imports.literals import LiteralChanges  # noqa: E402
from liuzhou_kg.store.imports.rdf_file import _check_quads  # noqa: E402

XSD = "http://www.w3.org/2001/XMLSchema#"


def typed(path: Path, triples: int) -> None:
    """Write ``triples`` N-Triples whose objects are typed literals of five datatypes."""
    kinds = [("nonNegativeInteger", "{i}"), ("integer", "{i}"), ("decimal", "{i}.0"),
             ("boolean", "1"), ("string", "s{i}")]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(triples):
            datatype, form = kinds[i % len(kinds)]
            handle.write(f'<http://example.org/s{i // 10}> <http://example.org/p{i % 10}> '
                         f'"{form.format(i=i)}"^^<{XSD}{datatype}> .\n')


def timed(path: Path, count: bool) -> tuple[float, int]:
    changes = LiteralChanges() if count else None
    start = time.perf_counter()
    _check_quads(path, ox.RdfFormat.N_TRIPLES, path.resolve().as_uri(), False, changes)
    return time.perf_counter() - start, changes.total if changes else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, make in (("Chinese literals (bench_import data)", generate), ("typed literals", typed)):
            path = Path(tmp) / "data.nt"
            make(path, args.triples)
            without = statistics.median(timed(path, False)[0] for _ in range(args.runs))
            runs = [timed(path, True) for _ in range(args.runs)]
            with_count = statistics.median(seconds for seconds, _ in runs)
            print(f"{args.triples:,} triples, {label}: check pass {without:.2f} s, with the count "
                  f"{with_count:.2f} s (+{with_count - without:.2f} s; {runs[0][1]:,} literals counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
