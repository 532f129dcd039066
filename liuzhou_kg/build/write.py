"""Serialize the dataset and reports into an output folder, deterministically.

Every file is produced from sorted input, so two builds of the same inputs are byte-identical
(whatever PYTHONHASHSEED or locale). All text is UTF-8.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, TIME, VOID, XSD

from ..core.namespaces import LZ, LZG, PREFIXES, SDMX_DIMENSION, bind_prefixes

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DATASET_IRI = LZ["dataset"]
VOID_TEXTS = Path(__file__).resolve().parent / "void.yaml"
MEDIA_TYPES = {
    ".ttl": "text/turtle", ".trig": "application/trig", ".nq": "application/n-quads",
    ".nt": "application/n-triples", ".jsonld": "application/ld+json", ".owl": "application/rdf+xml",
}


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, with no newline translation."""
    path.write_bytes(text.encode("utf-8"))


def write_json(path: Path, data) -> None:
    """Write ``data`` to ``path`` as sorted, indented UTF-8 JSON with a final newline."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def sorted_graph(graph: Graph) -> Graph:
    """A copy whose triples were inserted in sorted order, so serializers iterate deterministically."""
    out = Graph()
    bind_prefixes(out)
    for triple in sorted(graph, key=_triple_key):
        out.add(triple)
    return out


def sorted_dataset(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` with graphs and triples added in sorted order and empty graphs dropped.

    Serialisers then write the same bytes for the same data on every build.
    """
    out = Dataset()
    bind_prefixes(out)
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        target = out.graph(graph.identifier)
        for triple in sorted(graph, key=_triple_key):
            target.add(triple)
    return out


def nquads(dataset: Dataset) -> bytes:
    """N-Quads, one statement per line, lines sorted."""
    text = dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def ntriples(graph: Graph) -> bytes:
    """``graph`` as N-Triples, one distinct line per triple, sorted, UTF-8."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def jsonld_context() -> dict:
    """The JSON-LD context of the outputs: the project prefixes, sorted."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def jsonld(graph: Graph) -> bytes:
    """Compacted JSON-LD with the project's context inline (also written alone as context.jsonld)."""
    context = jsonld_context()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8").decode("utf-8")
    data = json.loads(text)
    nodes = data.get("@graph", [data] if "@id" in data else [])
    data = {"@context": context, "@graph": sorted((_sort_node(n) for n in nodes), key=lambda n: str(n.get("@id", "")))}
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _sort_node(value):
    """Sort the values of multi-valued properties (sets in RDF); never the members of an @list."""
    if isinstance(value, dict):
        return {k: ([_sort_node(v) for v in items] if k == "@list" else _sort_node(items)) for k, items in value.items()}
    if isinstance(value, list):
        return sorted((_sort_node(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def void_description(dataset: Dataset, union: Graph, files: dict[str, int],
                     sources: list[URIRef]) -> Graph:
    """VoID and DCAT of the dataset: counts, vocabularies, partitions, license, distributions, and
    every source document of the corpus.

    ``union`` is the union graph of ``dataset``, ``files`` the size in bytes of each output file by
    name, ``sources`` the IRIs of the corpus's documents in the order of the catalogue: each is a
    ``dcterms:source``, and the description and ``dcterms:temporal`` (the documents' own periods
    and the periods of the figures) follow them. The texts are those of ``void.yaml``.
    """
    texts = _void_texts()
    g = Graph()
    bind_prefixes(g)
    g.bind("foaf", FOAF)
    d = DATASET_IRI
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    for lang in ("zh", "en"):
        g.add((d, DCTERMS.title, Literal(texts["title"][lang], lang=lang)))
        g.add((d, RDFS.label, Literal(texts["title"][lang], lang=lang)))
    g.add((d, DCTERMS.description, Literal(_void_description_text(texts, union, sources), lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    for source in sources:
        g.add((d, DCTERMS.source, source))
    for period in _periods(union, sources):
        g.add((d, DCTERMS.temporal, period))
    g.add((d, DCTERMS.language, Literal("zh")))
    g.add((d, DCTERMS.language, Literal("en")))
    g.add((d, DCTERMS.spatial, LZ["liuzhou"]))
    g.add((d, VOID.uriSpace, Literal(str(LZ))))
    g.add((d, VOID.exampleResource, LZ["liugong"]))
    g.add((d, VOID.triples, Literal(len(union), datatype=XSD.integer)))
    subjects = {s for s in union.subjects() if isinstance(s, URIRef)}
    g.add((d, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(len({s for s in subjects if str(s).startswith(str(LZ))}), datatype=XSD.integer)))
    properties = {p for p in union.predicates()}
    g.add((d, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    class_counts: dict[URIRef, int] = {}
    for s, o in union.subject_objects(RDF.type):
        if isinstance(o, URIRef):
            class_counts[o] = class_counts.get(o, 0) + 1
    g.add((d, VOID.classes, Literal(len(class_counts), datatype=XSD.integer)))
    for prefix in ("lzo", "rdfs", "owl", "skos", "org", "schema", "prov", "qb", "time", "oa", "dcterms",
                   "sdmx-dimension", "sdmx-attribute", "sdmx-measure"):
        g.add((d, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for cls, count in sorted(class_counts.items()):
        if not str(cls).startswith(PREFIXES["lzo"]):
            continue
        part = URIRef(f"{d}/class/{str(cls).rsplit('#', 1)[1]}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for graph in sorted(dataset.graphs(), key=lambda x: str(x.identifier)):
        if len(graph) == 0 or not str(graph.identifier).startswith(str(LZG)):
            continue
        g.add((d, VOID.subset, graph.identifier))
        g.add((graph.identifier, RDF.type, VOID.Dataset))
        g.add((graph.identifier, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    for name, size in sorted(files.items()):
        dist = URIRef(f"{d}/distribution/{name}")
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, URIRef(f"https://w3id.org/liuzhou-kg/dist/{name}")))
        g.add((dist, DCTERMS.title, Literal(name)))
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        media = MEDIA_TYPES.get(Path(name).suffix)
        if media:
            g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        if name in ("liuzhou.nt", "liuzhou.ttl", "liuzhou.jsonld"):
            g.add((d, VOID.dataDump, URIRef(f"https://w3id.org/liuzhou-kg/dist/{name}")))
    return g


@lru_cache(maxsize=None)
def _void_texts() -> dict:
    return yaml.safe_load(VOID_TEXTS.read_text(encoding="utf-8"))


def _void_description_text(texts: dict, union: Graph, sources: list[URIRef]) -> str:
    """The published text for the published corpus; else the corpus text naming each document."""
    if [str(s) for s in sources] == [texts["published"]["source"]]:
        return texts["published"]["description"]
    titles = []
    for source in sources:
        found = sorted(str(t) for t in union.objects(source, DCTERMS.title)
                       if isinstance(t, Literal) and t.language == "en")
        titles.append(found[0] if found else str(source))
    template = texts["corpus"]["one_document" if len(sources) == 1 else "description"]
    return template.format(count=len(sources), titles="; ".join(titles))


def _periods(union: Graph, sources: list[URIRef]) -> list[URIRef]:
    """The documents' own periods and the periods of the figures (not a period left unstated)."""
    periods = {p for s in sources for p in union.objects(s, DCTERMS.temporal) if isinstance(p, URIRef)}
    for period in union.objects(None, SDMX_DIMENSION.refPeriod):
        if isinstance(period, URIRef) and (
                (period, TIME.hasDateTimeDescription, None) in union
                or (period, TIME.hasBeginning, None) in union):
            periods.add(period)
    return sorted(periods)


def manifest(directory: Path) -> dict:
    """sha256 and size of every file under ``directory`` (the store is listed as a database)."""
    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name not in ("manifest.json", ".pid") and "store" not in path.relative_to(directory).parts:
            data = path.read_bytes()
            files[path.relative_to(directory).as_posix()] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    return {"files": files}


# ---------------------------------------------------------------- atomic output folder
def staging_dir(dist: Path) -> Path:
    """Make and return a fresh staging folder beside ``dist`` for a build to write into.

    An interrupted earlier swap is first put right (:func:`recover`); the folder records the
    builder's process id in ``.pid``.
    """
    dist.parent.mkdir(parents=True, exist_ok=True)
    recover(dist)
    staged = Path(tempfile.mkdtemp(prefix=f".{dist.name}-build-", dir=dist.parent))
    (staged / ".pid").write_text(str(os.getpid()))
    return staged


def swap_in(staged: Path, dist: Path, carry: tuple[str, ...] = ()) -> None:
    """Replace ``dist`` with ``staged``: the entries ``carry`` (the store folder) are moved from
    the old ``dist`` into ``staged`` first, then two renames, then the old folder is removed.

    A build killed before this point leaves ``dist`` untouched. If it dies between the renames,
    the next build restores the old folder and its store first (see ``recover``).
    """
    for name in carry:
        if (dist / name).exists() and not (staged / name).exists():
            os.rename(dist / name, staged / name)
    old = None
    if dist.exists():
        old = dist.parent / f".{dist.name}-old-{os.getpid()}"
        os.rename(dist, old)
    os.rename(staged, dist)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard_staging(staged: Path, dist: Path) -> None:
    """Delete a staging folder after a failed build, giving back the store folder if it had been
    carried into it already (the store is never deleted with the staging folder)."""
    carried = staged / "store"
    if (carried / "HEAD").is_file() and dist.exists() and not (dist / "store").exists():
        os.rename(carried, dist / "store")
    shutil.rmtree(staged, ignore_errors=True)


def recover(dist: Path) -> None:
    """Put back an old output folder left aside by a build that died mid-swap, and the store
    folder it had carried over; drop stale staging folders."""
    leftovers = sorted(dist.parent.glob(f".{dist.name}-old-*"))
    if leftovers and not dist.exists():
        os.rename(leftovers[-1], dist)
        leftovers = leftovers[:-1]
    staged = [path for path in sorted(dist.parent.glob(f".{dist.name}-build-*"))
              if not _owned_by_live_process(path)]
    for path in staged:
        carried = path / "store"
        if dist.exists() and not (dist / "store").exists() and (carried / "HEAD").is_file():
            os.rename(carried, dist / "store")
    for path in leftovers + staged:
        if not _owned_by_live_process(path):
            shutil.rmtree(path, ignore_errors=True)


def _owned_by_live_process(path: Path) -> bool:
    marker = path / ".pid" if path.is_dir() else None
    if marker is None or not marker.exists():
        return False
    try:
        os.kill(int(marker.read_text()), 0)
        return True
    except (ValueError, ProcessLookupError, PermissionError, OSError):
        return False


def _triple_key(triple):
    return tuple((type(t).__name__, str(t), str(getattr(t, "datatype", "") or ""), str(getattr(t, "language", "") or ""))
                 for t in triple)



def trig(dataset: Dataset) -> str:
    """TriG with the named graphs in IRI order (rdflib's own TriG writer orders them at random)."""
    prefix_lines = {f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()}
    blocks = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0 or graph.identifier == DATASET_DEFAULT_GRAPH_ID:
            continue
        body = sorted_graph(graph).serialize(format="turtle")
        prefix_lines.update(line.strip() for line in body.splitlines() if line.startswith("@prefix"))
        body = "\n".join(line for line in body.splitlines() if not line.startswith("@prefix")).strip()
        indented = "\n".join(("    " + line) if line else "" for line in body.splitlines())
        blocks.append(f"<{graph.identifier}> {{\n{indented}\n}}\n")
    return "\n".join(sorted(prefix_lines)) + "\n\n" + "\n".join(blocks)


def rdfxml(graph: Graph) -> bytes:
    """RDF/XML (opens in Protégé), written by Oxigraph from sorted triples so it is stable."""
    import pyoxigraph

    from ..core.terms import to_oxigraph_triple

    triples = [to_oxigraph_triple(t) for t in sorted(graph, key=_triple_key)]
    prefixes = {p: ns for p, ns in sorted(PREFIXES.items()) if "-" not in p}
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=prefixes)
