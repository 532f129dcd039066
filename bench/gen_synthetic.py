"""Deterministic synthetic regional dataset: cities x enterprises x indicators x years, as N-Quads.

It has the shape of the Liuzhou graph (docs/CONTRACT.md): enterprises with zh/en labels located
in cities and classified by industry, and Data Cube observations (indicator, area, period,
subject, value, growth) in one named graph per city. The same arguments always give the same
bytes.

    python bench/gen_synthetic.py --triples 100000 -o bench/data/synthetic-100k.nq
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
from pathlib import Path

LZO = "https://w3id.org/liuzhou-kg/ontology#"
LZ = "https://w3id.org/liuzhou-kg/resource/"
LZG = "https://w3id.org/liuzhou-kg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QB = "http://purl.org/linked-data/cube#"
SDMX = "http://purl.org/linked-data/sdmx/2009/dimension#"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"

CITIES = 40
INDICATORS = 8
YEARS = list(range(2010, 2020))
INDUSTRIES = 12
TRIPLES_PER_OBSERVATION = 8
TRIPLES_PER_ENTERPRISE = 5
ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    return "".join(ZH_DIGITS[int(d)] for d in str(n))


def enterprises_for(triples: int) -> int:
    """Enterprises in total so that the dataset has about ``triples`` triples."""
    per_enterprise = TRIPLES_PER_ENTERPRISE + INDICATORS * len(YEARS) * TRIPLES_PER_OBSERVATION
    return max(CITIES, triples // per_enterprise)


def generate(triples: int, seed: int = 2015):
    """Yield N-Quads lines."""
    rng = random.Random(seed)
    total = enterprises_for(triples)

    def quad(s: str, p: str, o: str, g: str) -> str:
        return f"<{s}> <{p}> {o} <{g}> .\n"

    vocabulary = LZG + "synthetic-vocabulary"
    for c in range(CITIES):
        city = f"{LZ}syn-city-{c}"
        yield quad(city, RDF_TYPE, f"<{LZO}City>", vocabulary)
        yield quad(city, RDFS_LABEL, f'"合成城市{zh_number(c)}"@zh', vocabulary)
        yield quad(city, RDFS_LABEL, f'"Synthetic city {c}"@en', vocabulary)
    for i in range(INDICATORS):
        indicator = f"{LZ}syn-indicator-{i}"
        yield quad(indicator, RDF_TYPE, f"<{LZO}Indicator>", vocabulary)
        yield quad(indicator, RDFS_LABEL, f'"合成指标{zh_number(i)}"@zh', vocabulary)
        yield quad(indicator, RDFS_LABEL, f'"synthetic indicator {i}"@en', vocabulary)
    for k in range(INDUSTRIES):
        industry = f"{LZ}syn-industry-{k}"
        yield quad(industry, RDF_TYPE, f"<{LZO}Industry>", vocabulary)
        yield quad(industry, RDFS_LABEL, f'"合成产业{zh_number(k)}"@zh', vocabulary)
        if k:  # a small industry hierarchy, for property paths
            parent = f"{LZ}syn-industry-{(k - 1) // 3}"
            yield quad(industry, "http://www.w3.org/2004/02/skos/core#broader", f"<{parent}>",
                       vocabulary)
    for e in range(total):
        c = e % CITIES
        city = f"{LZ}syn-city-{c}"
        graph = f"{LZG}synthetic-city-{c}"
        enterprise = f"{LZ}syn-enterprise-{e}"
        yield quad(enterprise, RDF_TYPE, f"<{LZO}Enterprise>", graph)
        yield quad(enterprise, RDFS_LABEL, f'"合成企业{zh_number(e)}"@zh', graph)
        yield quad(enterprise, RDFS_LABEL, f'"Synthetic enterprise {e}"@en', graph)
        yield quad(enterprise, f"{LZO}locatedIn", f"<{city}>", graph)
        yield quad(enterprise, f"{LZO}inIndustry", f"<{LZ}syn-industry-{rng.randrange(INDUSTRIES)}>",
                   graph)
        for i in range(INDICATORS):
            base = rng.uniform(1, 1000)
            for year in YEARS:
                obs = f"{LZ}syn-obs-{e}-{i}-{year}"
                value = base * (1 + rng.uniform(-0.1, 0.3)) ** (year - YEARS[0])
                growth = rng.uniform(-10, 30)
                yield quad(obs, RDF_TYPE, f"<{QB}Observation>", graph)
                yield quad(obs, f"{LZO}indicator", f"<{LZ}syn-indicator-{i}>", graph)
                yield quad(obs, f"{LZO}refEntity", f"<{enterprise}>", graph)
                yield quad(obs, f"{SDMX}refArea", f"<{city}>", graph)
                yield quad(obs, f"{SDMX}refPeriod", f"<{LZ}year-{year}>", graph)
                yield quad(obs, f"{LZO}statedValue", f'"{value:.2f}"^^<{XSD_DECIMAL}>', graph)
                yield quad(obs, f"{LZO}growthRate", f'"{growth:.1f}"^^<{XSD_DECIMAL}>', graph)
                yield quad(obs, f"{QB}dataSet", f"<{LZ}syn-dataset>", graph)


def write(path: Path, triples: int, seed: int = 2015) -> int:
    """Write the dataset atomically; return the number of quads written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            for line in generate(triples, seed):
                out.write(line)
                count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="approximate size")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    count = write(args.output, args.triples, args.seed)
    print(f"{args.output}: {count} quads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
