"""The build: source text and curated records in, a validated knowledge graph in ``dist/`` out.

The steps run in order; each takes the previous step's output:

1. ``load_catalogue``   the source documents of graph/sources/catalogue.yaml, SHA-256 checked, split into sentences
2. ``load_vocabulary``  ontology, SKOS schemes, reference data and SHACL shapes
3. ``load_records``     the curated facts (YAML, CSV) of each document, with file:line on any error
4. ``build_dataset``    records -> triples, each in the named graph of its sentence
5. ``compute_coverage`` which facts each sentence gave; every quantity of the text accounted for
6. ``validate``         SHACL, zero-row SPARQL checks, HermiT consistency, fidelity to the text
7. write                every output into a staging folder, then swapped in for ``dist/``

Input errors raise ``InputError`` (exit 2) and validation failures ``ValidationFailed`` (exit 1);
in both cases nothing is written and the previous ``dist/`` stays as it was.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from ..core import paths
from .corpus import load_catalogue
from .coverage import compute_corpus_coverage, corpus_json, corpus_markdown, load_exclusions
from ..core.errors import InputError, Problem, ValidationFailed
from ..core.namespaces import bind_prefixes
from ..core.numbers import load_cues
from .ontology import load_shapes, load_vocabulary
from .provenance import SOURCE_IRI
from .records import check_unique_ids, load_records
from .to_rdf import ONTOLOGY_GRAPH, build_corpus_dataset, materialize_types
from .validate import check_fidelity, union_graph, validate
from .write import (
    jsonld,
    jsonld_context,
    manifest,
    nquads,
    ntriples,
    rdfxml,
    sorted_dataset,
    sorted_graph,
    discard_staging,
    recover,
    staging_dir,
    swap_in,
    trig,
    void_description,
    write_json,
    write_text,
)


@dataclass
class BuildResult:
    """What a build made: the output folder, and figures for the report.

    ``counts`` holds the figures the build reports (``triples``, ``quads``, ``named_graphs``,
    entities per ontology class, and the coverage in total and per document); ``timings`` maps each
    step's name to the seconds it took.
    """

    dist: Path
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def build(dist: Path | None = None, *, repo: Path | None = None, report: Callable[[str], None] | None = None,
          reasoning: bool = True, extras: bool = True, documents: set[str] | None = None) -> BuildResult:
    """Build everything into ``dist`` (default ``dist/`` of the repository) atomically.

    ``repo`` points at another checkout-shaped folder (``ontology/``, ``graph/``, ``queries/``),
    which the tests use for their bad-input fixtures. ``extras`` also writes the SPARQL store and
    the explorer page when their modules are installed. ``documents`` builds only those documents of
    the catalogue (by id), setting aside the records and coverage exclusions of the others (one
    document of a corpus built alone, to compare it with the whole).
    """
    repo = repo or paths.REPO
    dist = Path(dist or paths.DIST)
    say = report or (lambda message: None)
    result = BuildResult(dist)
    clock = _Clock(result.timings, say)

    with clock("read the source documents"):
        catalogue = load_catalogue(repo / "graph" / "sources")
        unknown = sorted((documents or set()) - {d.id for d in catalogue})
        if unknown:
            raise InputError([Problem(repo / "graph" / "sources" / "catalogue.yaml", None,
                                      f"no document {', '.join(unknown)} in the catalogue")])
        set_aside = [d for d in catalogue if documents is not None and d.id not in documents]
        documents = [d for d in catalogue if d not in set_aside]
        for document in documents:
            _check_checksum(document.path, document.sha256)
    with clock("load the ontology, schemes and shapes"):
        vocab = load_vocabulary(repo / "ontology")
        canonical = Graph()  # stable blank-node labels, so outputs are byte-identical build to build
        bind_prefixes(canonical)
        canonical += to_canonical_graph(vocab.ontology)
        vocab.ontology = canonical
        shapes = load_shapes(repo / "ontology")
    with clock("load the fact records"):
        facts_root = repo / "graph" / "facts"
        records_of = {document.id: _document_records(document, facts_root) for document in documents}
        records = [record for document in documents for record in records_of[document.id]]
        check_unique_ids(records)
    with clock(f"derive triples from {len(records)} records of {len(documents)} documents"):
        facts = build_corpus_dataset([(document, document.source, document.sha256, records_of[document.id])
                                      for document in documents], vocab)
        _add_links(facts.dataset)
        materialize_types(facts.dataset, vocab)
        dataset = sorted_dataset(facts.dataset)
        quads = nquads(dataset)
    with clock("check coverage of the text"):
        cues = load_cues(repo / "graph" / "number-cues.yaml")
        exclusions = load_exclusions(repo / "graph" / paths.COVERAGE_EXCLUSIONS.name)
        exclusions = {key: reason for key, reason in exclusions.items()
                      if not any(_passage_of(key[0], d) for d in set_aside)}
        coverage = compute_corpus_coverage(documents, facts, exclusions, cues)
    with clock("validate (SHACL, SPARQL checks, HermiT)"):
        union = union_graph(dataset)
        validation = validate(union, shapes, quads, owl=reasoning, checks_dir=repo / "queries" / "checks")
        validation.fidelity = check_fidelity(records, cues)
    failures = validation.failures()
    if coverage.uncovered:
        failures += ("\n" if failures else "") + "coverage: numbers of the text that no fact uses and no exclusion lists:\n" + "\n".join(
            f"  - {n.passage}: {n.text}" for n in coverage.uncovered)
    if failures:
        raise ValidationFailed(failures)

    with _store_writer(dist, extras) as writer:
        staged = staging_dir(dist)
        try:
            with clock("write the outputs"):
                union = sorted_graph(union)
                ontology = sorted_graph(dataset.graph(ONTOLOGY_GRAPH))
                write_text(staged / "ontology.ttl", ontology.serialize(format="turtle"))
                (staged / "ontology.owl").write_bytes(rdfxml(ontology))
                write_text(staged / "liuzhou.trig", trig(dataset))
                (staged / "liuzhou.nq").write_bytes(quads)
                write_text(staged / "liuzhou.ttl", union.serialize(format="turtle"))
                (staged / "liuzhou.nt").write_bytes(ntriples(union))
                (staged / "liuzhou.jsonld").write_bytes(jsonld(union))
                write_json(staged / "context.jsonld", jsonld_context())
                write_text(staged / "coverage.md", corpus_markdown(coverage))
                write_json(staged / "coverage.json", corpus_json(coverage))
                write_json(staged / "validation.json", validation.as_json())
                write_text(staged / "validation.md", _validation_markdown(validation))
            if extras:
                _write_extras(staged, dataset, clock, writer)
            with clock("describe the dataset (VoID, DCAT) and the manifest"):
                sizes = {p.name: p.stat().st_size for p in sorted(staged.iterdir()) if p.is_file() and p.suffix in (".ttl", ".trig", ".nq", ".nt", ".jsonld", ".owl")}
                void = void_description(dataset, union, sizes, SOURCE_IRI)
                write_text(staged / "void.ttl", sorted_graph(void).serialize(format="turtle"))
                write_json(staged / "manifest.json", manifest(staged))
            if writer is not None and writer.generation is not None:
                writer.commit()  # the store's new generation: the build's graphs and the imports
            swap_in(staged, dist, carry=("store",))
            (dist / ".pid").unlink(missing_ok=True)
        except BaseException:
            discard_staging(staged, dist)
            raise
    result.counts = _counts(dataset, union, coverage)
    say(f"built {dist}: {result.counts['triples']} triples in {result.counts['named_graphs']} named graphs")
    return result


def _store_writer(dist: Path, extras: bool):
    """The lock of ``dist/store`` for the whole write, when a store is there already.

    The store folder is not rebuilt in the staging folder: it is carried over into the new
    ``dist`` (:func:`swap_in`), and the build writes a new generation of it holding its own graphs
    and every catalogued import (:func:`liuzhou_kg.store.imports.write.carry_over_imports`). So imports
    survive the build, and readers of the store never see a half-written one."""
    from contextlib import ExitStack, contextmanager

    from ..store.generations import is_store_dir
    from ..store.lock import StoreLock
    from ..store.writer import StoreWriter

    @contextmanager
    def locked():
        with ExitStack() as stack:
            dist.parent.mkdir(parents=True, exist_ok=True)
            # Builds into the same dist take turns (the swap is theirs alone) …
            stack.enter_context(StoreLock(dist.parent, "build", path=dist.parent / f".{dist.name}.lock"))
            recover(dist)
            root = dist / "store"
            # … and the store's lock, shared with import, remove and push, covers the store.
            yield stack.enter_context(StoreWriter(root, "build")) if is_store_dir(root) else None

    return locked()


def _write_extras(staged: Path, dataset, clock, writer) -> None:
    """The SPARQL store and the explorer page, from the modules that own them."""
    try:
        from ..store.load import write_store
    except ImportError:
        write_store = None
    if write_store is not None:
        with clock("load the SPARQL store"):
            if writer is None:
                write_store(staged / "liuzhou.nq", staged / "store")
            else:
                from ..store.imports.write import carry_over_imports

                kept = carry_over_imports(writer, staged / "liuzhou.nq")
                if kept:
                    clock.say(f"kept {len(kept)} imported graph(s) in the store")
            from ..store.imports.literals import store_notes

            for line in store_notes(staged / "liuzhou.nq"):  # what the store cannot keep as declared
                clock.say(line)
    try:
        from ..explore import write_explorer
    except ImportError:
        write_explorer = None
    if write_explorer is not None:
        with clock("draw the explorer page"):
            write_explorer(dataset, staged / "graph.html")


def _add_links(dataset) -> None:
    """Verified links to external identifiers, when the linking module provides them."""
    try:
        from ..link import verified_links_graph
    except ImportError:
        return
    from ..core.namespaces import LZG

    target = dataset.graph(LZG["links"])
    for triple in verified_links_graph():
        target.add(triple)


def _passage_of(pid: str, document) -> bool:
    """Whether the passage id ``pid`` names a sentence of ``document``."""
    return "/" not in pid if document.default else pid.startswith(document.passage_prefix)


def _document_records(document, facts_root: Path) -> list:
    """The records of one document: graph/facts/*.yaml|csv for the default, graph/facts/<id>/ for others."""
    folder = document.facts_dir(facts_root)
    if not document.default and not folder.is_dir():
        raise InputError([Problem(folder, None, f"no folder of records for document {document.id!r} "
                                                f"(graph/sources/catalogue.yaml lists it)")])
    return load_records(folder)


def _check_checksum(source_path: Path, sha: str) -> None:
    sums = source_path.parent / "SHA256SUMS"
    if not sums.exists():
        return
    for line_number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == source_path.name and parts[0] != sha:
            raise InputError([Problem(source_path, None, f"SHA-256 is {sha}, but {sums.name}:{line_number} records "
                                                         f"{parts[0]}: the source must stay byte-identical to the original")])


def _counts(dataset, union: Graph, coverage) -> dict:
    from rdflib.namespace import RDF

    from ..core.namespaces import LZO

    classes: dict[str, int] = {}
    for s, o in union.subject_objects(RDF.type):
        if str(o).startswith(str(LZO._NS)):
            name = str(o).rsplit("#", 1)[1]
            classes[name] = classes.get(name, 0) + 1
    return {
        "triples": len(union),
        "quads": sum(len(g) for g in dataset.graphs()),
        "named_graphs": sum(1 for g in dataset.graphs() if len(g)),
        "classes": dict(sorted(classes.items())),
        "coverage": coverage.summary(),
        "coverage_by_document": coverage.by_document(),
    }


def _validation_markdown(validation) -> str:
    data = validation.as_json()
    lines = ["# Validation report", "", "Generated by `python build.py`; do not edit.", "",
             f"- SHACL (pySHACL, shapes in `ontology/shapes.ttl`): {'conforms' if data['shacl']['conforms'] else 'VIOLATIONS'}",
             "- SPARQL checks (`queries/checks/*.rq`), each must return zero rows:"]
    for name, check in sorted(data["checks"].items()):
        lines.append(f"  - `{name}`: {check['rows']} rows")
    lines.append("- fidelity to the text (`liuzhou_kg/build/validate.py`, cues in `graph/number-cues.yaml`):")
    for name, check in sorted(data["fidelity"].items()):
        lines.append(f"  - `{name}`: {check['findings']} findings")
    owl = data["owl"]
    if owl is not None:
        lines += [f"- OWL 2 consistency ({owl['reasoner']}): {'consistent' if owl['consistent'] else 'INCONSISTENT'}",
                  "", "## Class hierarchy inferred by HermiT", "", "| class | inferred superclasses |", "| --- | --- |"]
        for cls, ancestors in sorted(owl["inferred_class_hierarchy"].items()):
            lines.append(f"| {cls} | {', '.join(ancestors)} |")
    return "\n".join(lines) + "\n"


class _Clock:
    def __init__(self, timings: dict, say: Callable[[str], None]):
        self.timings, self.say = timings, say

    def __call__(self, step: str):
        return _Step(self, step)


class _Step:
    def __init__(self, clock: _Clock, step: str):
        self.clock, self.step = clock, step

    def __enter__(self):
        self.start = time.perf_counter()
        self.clock.say(f"{self.step} …")

    def __exit__(self, *exc):
        self.clock.timings[self.step] = round(time.perf_counter() - self.start, 3)
        return False
