"""Writing the result of link discovery: a linkset with its VoID description, and a review CSV.

- ``linkset.ttl`` — ``skos:exactMatch`` for the one-to-one matches above the exact threshold,
  ``skos:closeMatch`` for the rest above the review threshold; two ``void:Linkset`` descriptions
  (one per link predicate) naming the two datasets, the source, the date, the thresholds and the
  triple counts.
- ``review.csv`` — every candidate with its score, decision and the reasons for the score.

Files are written to a temporary name beside the target and renamed into place.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..core.namespaces import LZ, LZO
from ..core.fileio import atomic_write
from .scoring import Candidate
REVIEW_COLUMNS = ["local", "local_label", "external", "external_label", "score", "decision",
                  "label_score", "type_factor", "place", "local_type", "external_type", "evidence"]
# A cell a spreadsheet would run as a formula (or that starts with a control character) gets a
# leading apostrophe: names come from other people's datasets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` with a leading ' when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def slug(text: str) -> str:
    """A short ASCII name for a dataset, from its URL or file name (lower case, runs of other
    characters as '-'; 'dataset' when nothing is left)."""
    text = re.sub(r"^[a-z]+://", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "dataset"


def source_iri(source: str) -> URIRef:
    """The IRI naming a dataset: its URL, the gazetteer's IRI, or the file's ``file:`` IRI."""
    if source.startswith("gazetteer:"):
        from .gazetteers import GAZETTEER_BASE

        return URIRef(GAZETTEER_BASE + source.partition(":")[2].replace(":", "-").lower())
    if source.startswith(("http://", "https://")):
        return URIRef(source)
    return URIRef(Path(source).resolve().as_uri())


def linkset_graph(found: list[Candidate], source: str, name: str, *, exact: float, close: float,
                  created: _dt.date | None = None) -> rdflib.Graph:
    """The links found, as an RDF graph: skos:exactMatch at or above ``exact``, skos:closeMatch at
    or above ``close``, each with its score, described by a VoID linkset naming ``source``."""
    graph = rdflib.Graph()
    graph.bind("lz", LZ)
    graph.bind("lzo", LZO)
    graph.bind("skos", SKOS)
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    created = created or _dt.date.today()
    target = LZ[f"dataset-{name}"]
    graph.add((target, RDF.type, VOID.Dataset))
    graph.add((target, DCTERMS.source, source_iri(source)))
    for decision, predicate, threshold in (("exact", SKOS.exactMatch, exact),
                                           ("close", SKOS.closeMatch, close)):
        links = [c for c in found if c.decision == decision]
        linkset = LZ[f"linkset-{name}-{decision}"]
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, RDFS.label, Literal(
            f"{'Matches' if decision == 'exact' else 'Candidates to review'} between the Liuzhou "
            f"graph and {source}", lang="en")))
        graph.add((linkset, VOID.subjectsTarget, LZ["dataset"]))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((linkset, VOID.linkPredicate, predicate))
        graph.add((linkset, VOID.triples, Literal(len(links))))
        graph.add((linkset, DCTERMS.source, source_iri(source)))
        graph.add((linkset, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.date)))
        graph.add((linkset, PROV.wasGeneratedBy, Literal("liuzhou-kg link")))
        graph.add((linkset, LZO.scoreThreshold, Literal(f"{threshold:.2f}", datatype=XSD.decimal)))
        for cand in links:
            graph.add((URIRef(cand.local.iri), predicate, URIRef(cand.external.iri)))
    return graph


def review_rows(found: list[Candidate]) -> list[dict[str, str]]:
    """One row per candidate, every cell safe to open in a spreadsheet."""
    rows = [{
        "local": c.local.iri, "local_label": " | ".join(k.label for k in c.local.labels),
        "external": c.external.iri, "external_label": " | ".join(k.label for k in c.external.labels),
        "score": f"{c.score:.3f}", "decision": c.decision, "label_score": f"{c.label_score:.3f}",
        "type_factor": f"{c.type_factor:.2f}", "place": c.context,
        "local_type": c.local.category or "", "external_type": c.external.category or "",
        "evidence": "; ".join(c.evidence),
    } for c in found]
    return [{key: neutralise(value) for key, value in row.items()} for row in rows]


def write_outputs(found: list[Candidate], source: str, out_dir: Path, *, exact: float,
                  close: float, name: str | None = None) -> tuple[Path, Path]:
    """Write ``linkset.ttl`` and ``review.csv`` into ``out_dir``; return their paths."""
    name = name or slug(Path(source).stem if not source.startswith("http") else source)
    graph = linkset_graph(found, source, name, exact=exact, close=close)
    ttl = out_dir / "linkset.ttl"
    review = out_dir / "review.csv"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(review_rows(found))
    atomic_write(review, buffer.getvalue().encode("utf-8"))
    atomic_write(ttl, graph.serialize(format="turtle", encoding="utf-8"))
    return ttl, review
