"""The build: source text and curated records in, a validated knowledge graph in ``dist/`` out.

The steps run in order; each takes the previous step's output:

1. ``load_catalogue``   the source documents of graph/sources/catalogue.yaml, SHA-256 checked, split into sentences
2. ``load_vocabulary``  ontology, SKOS schemes, reference data and SHACL shapes
3. ``load_records``     the curated facts (YAML, CSV) of each document, with file:line on any error
4. ``build_dataset``    records -> triples, each in the named graph of its sentence
5. ``compute_coverage`` which facts each sentence gave; every quantity of the text accounted for
6. ``validate``         SHACL, zero-row SPARQL checks, HermiT consistency, fidelity to the text
7. write                every output (files, SPARQL store, explorer page) into a staging folder,
                        then swapped in for ``dist/``

Every input is read from one :class:`~liuzhou_kg.core.layout.Layout` (default: this checkout) and
every output goes to its dist folder. Input errors raise ``InputError`` (exit 2), validation
failures ``ValidationFailed`` (exit 1), and any other failure of a step ``StepFailed`` naming the
step (exit 1); in every case nothing is written and the previous ``dist/`` stays as it was.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from .corpus import load_catalogue
from .coverage import compute_corpus_coverage, corpus_json, corpus_markdown, load_exclusions
from ..core.errors import InputError, Problem, ValidationFailed
from ..core.layout import Layout
from ..core.namespaces import LZG, bind_prefixes
from ..core.numbers import load_cues
from ..explore import write_explorer
from ..link import verified_links_graph
from ..store.generations import is_store_dir
from ..store.imports.literals import store_notes
from ..store.imports.write import carry_over_imports
from ..store.load import write_store
from ..store.lock import StoreLock
from ..store.writer import StoreWriter
from .ontology import load_shapes, load_vocabulary
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


def build(layout: Layout | None = None, *, report: Callable[[str], None] | None = None,
          reasoning: bool = True, extras: bool = True, documents: set[str] | None = None) -> BuildResult:
    """Build the inputs of ``layout`` into its dist folder atomically.

    Takes ``layout`` (default :meth:`Layout.default`, this checkout): every input (the catalogue
    and texts, ontology, shapes, records, cue and exclusion files, verified links, zero-row
    checks) is read from its folders and nothing from elsewhere; the outputs go to
    ``layout.dist``. ``report`` receives a line per step. ``reasoning`` runs HermiT. ``extras``
    also writes the SPARQL store and the explorer page (``store/``, ``graph.html``), outputs of
    every real build; tests that need only the files turn it off. ``documents`` builds only those
    documents of the catalogue (by id), setting aside the records and coverage exclusions of the
    others (one document of a corpus built alone, to compare it with the whole).

    Returns the :class:`BuildResult`. Raises ``InputError`` for bad inputs, ``ValidationFailed``
    when a check fails, and :class:`StepFailed` when a step breaks for any other reason; in every
    case the previous ``dist/`` stays as it was.
    """
    layout = layout or Layout.default()
    dist = layout.dist
    say = report or (lambda message: None)
    result = BuildResult(dist)
    clock = _Clock(result.timings, say)

    with clock("read the source documents"):
        catalogue = load_catalogue(layout.sources)
        unknown = sorted((documents or set()) - {d.id for d in catalogue})
        if unknown:
            raise InputError([Problem(layout.catalogue, None,
                                      f"no document {', '.join(unknown)} in the catalogue")])
        set_aside = [d for d in catalogue if documents is not None and d.id not in documents]
        documents = [d for d in catalogue if d not in set_aside]
        for document in documents:
            _check_checksum(document.path, document.sha256)
    with clock("load the ontology, schemes and shapes"):
        vocab = load_vocabulary(layout.ontology)
        canonical = Graph()  # stable blank-node labels, so outputs are byte-identical build to build
        bind_prefixes(canonical)
        canonical += to_canonical_graph(vocab.ontology)
        vocab.ontology = canonical
        shapes = load_shapes(layout.ontology)
    with clock("load the fact records"):
        records_of = {document.id: _document_records(document, layout.facts) for document in documents}
        records = [record for document in documents for record in records_of[document.id]]
        check_unique_ids(records)
    with clock(f"derive triples from {len(records)} records of {len(documents)} documents"):
        cues = load_cues(layout.number_cues)
        facts = build_corpus_dataset([(document, document.source, document.sha256, records_of[document.id])
                                      for document in documents], vocab, cues)
        _add_links(facts.dataset, layout.links)
        materialize_types(facts.dataset, vocab)
        dataset = sorted_dataset(facts.dataset)
        quads = nquads(dataset)
    with clock("check coverage of the text"):
        exclusions = load_exclusions(layout.coverage_exclusions)
        exclusions = {key: reason for key, reason in exclusions.items()
                      if not any(_passage_of(key[0], d) for d in set_aside)}
        coverage = compute_corpus_coverage(documents, facts, exclusions, cues)
    with clock("validate (SHACL, SPARQL checks, HermiT)"):
        union = union_graph(dataset)
        validation = validate(union, shapes, quads, owl=reasoning, checks_dir=layout.checks)
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
                void = void_description(dataset, union, sizes, [d.iri for d in documents])
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
    """The SPARQL store (a new one, or a new generation of the one in dist/) and the explorer page."""
    with clock("load the SPARQL store"):
        if writer is None:
            write_store(staged / "liuzhou.nq", staged / "store")
        else:
            kept = carry_over_imports(writer, staged / "liuzhou.nq")
            if kept:
                clock.say(f"kept {len(kept)} imported graph(s) in the store")
        for line in store_notes(staged / "liuzhou.nq"):  # what the store cannot keep as declared
            clock.say(line)
    with clock("draw the explorer page"):
        write_explorer(dataset, staged / "graph.html")


def _add_links(dataset, links_dir: Path) -> None:
    """Add the verified links to external identifiers of ``links_dir`` to the graph ``lzg:links``."""
    target = dataset.graph(LZG["links"])
    for triple in verified_links_graph(links_dir):
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


class StepFailed(Exception):
    """A build step broke for a reason that is neither bad input nor a failed check (a bug, a
    broken dependency, a full disk). ``step`` names the step; the original error is the cause."""

    def __init__(self, step: str, error: BaseException):
        super().__init__(f"the build step {step!r} failed: {type(error).__name__}: {error}")
        self.step = step


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

    def __exit__(self, kind, error, traceback):
        self.clock.timings[self.step] = round(time.perf_counter() - self.start, 3)
        if isinstance(error, Exception) and not isinstance(error, (InputError, ValidationFailed, StepFailed)):
            raise StepFailed(self.step, error) from error
        return False
