"""Turn fact records into triples, each in the named graph of the sentence it comes from.

Keys of a record resolve against the ontology: ``inIndustry`` is ``lzo:inIndustry``, a prefixed
key such as ``skos:broader`` is taken as written; either must be declared there. Object values
are identifiers of entities (from any record, or from ``ontology/reference.ttl``), checked
against the property's range. Datatype values are typed by the property's range.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from ..core.errors import InputError, Problem
from ..core.namespaces import LZ, LZG, LZO, QB, SDMX_DIMENSION, bind_prefixes
from ..core.numbers import Cues, canonical, find_numbers
from ..core.prefixes import compact
from .ontology import Vocabulary
from .provenance import (
    Citation,
    check_numbers,
    cite,
    describe_fact_graph,
    graph_iri,
    passage_iri,
    provenance_graph,
)
from .records import Record
from .source import SourceText

ONTOLOGY_GRAPH = LZG["ontology"]
REFERENCE_GRAPH = LZG["reference"]
PROVENANCE_GRAPH = LZG["provenance"]
INFERENCES_GRAPH = LZG["inferences"]
NO_DEADLINE = "none-stated"
NO_PERIOD = "period-not-stated"
DATASET = LZ["dataset-liuzhou-statistics"]
# Columns of observations.csv and the Data Cube components they fill.
OBSERVATION_COMPONENTS = {
    "indicator": LZO.indicator,
    "area": SDMX_DIMENSION.refArea,
    "entity": LZO.refEntity,
    "period": SDMX_DIMENSION.refPeriod,
    "unit": LZO.statedUnit,
    "qualifier": LZO.valueQualifier,
    "share_of": LZO.shareOf,
    "value": LZO.statedValue,
    "growth_rate": LZO.growthRate,
    "threshold_passing_order": LZO.thresholdPassingOrder,
}
RATIONAL = OWL.rational
BASE_VALUE_PLACES = Decimal("0.0000000001")


@dataclass
class Facts:
    """The dataset and, per record, what coverage needs to know."""

    dataset: Dataset
    citations: dict[int, list[Citation]] = field(default_factory=dict)  # id(record) -> citations
    numbers_used: dict[int, set[tuple[str, str | None]]] = field(default_factory=dict)  # id(record) -> (value, unit)
    records: list[Record] = field(default_factory=list)


def build_dataset(records: list[Record], vocab: Vocabulary, source: SourceText, source_sha256: str) -> Facts:
    """The dataset of one source text (the default document) and the records that cite it."""
    return build_corpus_dataset([(None, source, source_sha256, records)], vocab)


def build_corpus_dataset(documents: list[tuple], vocab: Vocabulary, cues: Cues | None = None) -> Facts:
    """The dataset of every document: ``(document, source, sha256, records)``, each record citing its own (numbers read with ``cues``, default the checkout's).

    Entities are shared across documents: a record of one document may be ``about:`` an entity
    another document's record mints, and the entity then draws on sentences of both.
    """
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    _copy(vocab.ontology, dataset.graph(ONTOLOGY_GRAPH))
    _copy(vocab.reference, dataset.graph(REFERENCE_GRAPH))
    provenance = dataset.graph(PROVENANCE_GRAPH)
    for document, source, sha, _ in documents:
        _copy(provenance_graph(source, sha, document), provenance)

    records = [record for *_, document_records in documents for record in document_records]
    source_of = {id(record): source for _, source, _, document_records in documents for record in document_records}
    types = _entity_types(records, vocab)
    labels = _entity_labels(records, vocab)
    facts = Facts(dataset, records=records)
    problems: list[Problem] = []
    for record in records:
        try:
            citations = cite(record, source_of[id(record)])
            triples, numbers, used = _triples(record, vocab, types, labels, cues)
            check_numbers(record, numbers, cues)
        except InputError as err:
            problems.extend(err.problems)
            continue
        facts.citations[id(record)] = citations
        facts.numbers_used[id(record)] = used
        # The record's triples go into the graph of its first quote, the sentence that states them.
        # Further quotes give context (the year a paragraph opens with): their graphs record only
        # that the subject draws on them, so a triple is never repeated across graphs.
        subject = LZ[record.subject]
        for index, citation in enumerate(citations):
            graph = dataset.graph(graph_iri(citation.sentence))
            if index == 0:
                for triple in triples:
                    graph.add(triple)
            graph.add((subject, PROV.wasDerivedFrom, passage_iri(citation.sentence)))
            describe_fact_graph(provenance, citation.sentence)
    if problems:
        raise InputError(problems)
    return facts


def materialize_types(dataset: Dataset, vocab: Vocabulary) -> int:
    """Add every superclass type entailed by the ontology's subclass axioms to ``lzg:inferences``.

    A key laboratory is then also an ``lzo:InnovationPlatform`` and an ``org:Organization`` to a
    plain SPARQL query, with no reasoner at query time. The entailed triples live in their own
    graph, apart from what the text states. Returns the number of triples added.
    """
    inferred = dataset.graph(INFERENCES_GRAPH)
    stated = set()
    for s, _, o, g in dataset.quads((None, RDF.type, None, None)):
        if g not in (ONTOLOGY_GRAPH, INFERENCES_GRAPH) and isinstance(o, URIRef):
            stated.add((s, o))
    for subject, cls in sorted(stated):
        for ancestor in sorted(vocab.superclasses.get(cls, ())):
            if ancestor != cls and (subject, ancestor) not in stated and isinstance(ancestor, URIRef):
                inferred.add((subject, RDF.type, ancestor))
    return len(inferred)


# ---------------------------------------------------------------- per record
def _triples(record: Record, vocab: Vocabulary, types: dict[URIRef, set[URIRef]], labels: dict[URIRef, dict[str, str]], cues: Cues | None = None):
    """(triples, numbers written in the record -> line, numbers the record accounts for)."""
    subject = LZ[record.subject]
    triples: list[tuple] = []
    numbers: dict[str, int] = {}
    used: set[tuple[str, str | None]] = set()
    problems: list[Problem] = []

    def note_numbers(text: str, line: int) -> None:
        for mention in find_numbers(text, cues):
            numbers.setdefault(mention.value, line)
            used.add((mention.value, mention.unit))

    if record.is_new:
        cls = _class(record, vocab)
        triples.append((subject, RDF.type, cls))
        for lang, text in record.label.items():
            triples.append((subject, RDFS.label, Literal(text, lang=lang)))
            note_numbers(text, record.line)
        if vocab.is_concept_class(cls):
            triples.append((subject, RDF.type, SKOS.Concept))
            for lang, text in record.label.items():
                triples.append((subject, SKOS.prefLabel, Literal(text, lang=lang)))
            scheme = vocab.scheme_of(cls)
            if scheme is not None:
                triples.append((subject, SKOS.inScheme, scheme))

    for predicate, texts in ((SKOS.altLabel, record.alt_label), (SKOS.hiddenLabel, record.hidden_label),
                             (SKOS.editorialNote, record.note)):
        for lang, text in texts.items():
            triples.append((subject, predicate, Literal(text, lang=lang)))
            note_numbers(text, record.line)  # a note's figures must be in the quotes too

    if record.kind == "observation":
        triples.extend(_observation(record, vocab, types, labels, problems, note_numbers, used))
    else:
        for key, value in record.properties.items():
            if key == "deadline" and value.data == NO_DEADLINE:
                triples.append((subject, LZO.deadlineStated, Literal(False)))
                continue
            prop = vocab.resolve_property(key)
            if prop is None:
                problems.append(Problem(record.file, value.line, f"unknown property {key!r}: not declared in the ontology"))
                continue
            items = value.data if isinstance(value.data, list) else [value.data]
            for item in items:
                for obj in _objects(record, prop, item, value.line, vocab, types, problems, note_numbers, used, labels, cues):
                    triples.append((subject, prop, obj))
            if key == "deadline":
                triples.append((subject, LZO.deadlineStated, Literal(True)))
    if problems:
        raise InputError(problems)
    return triples, numbers, used


def _class(record: Record, vocab: Vocabulary) -> URIRef:
    cls = URIRef(str(LZO._NS) + str(record.type))
    if cls not in vocab.classes:
        raise InputError([Problem(record.file, record.line, f"unknown type {record.type!r}: not a class of the ontology")])
    return cls


def _objects(record, prop, item, line, vocab, types, problems, note_numbers, used, labels, cues=None):
    if prop in vocab.object_properties:
        target = _reference(record, item, line, types, problems)
        if target is None:
            return []
        expected = vocab.ranges.get(prop)
        if expected is not None and not any(vocab.is_subclass(t, expected) for t in types.get(target, ())):
            problems.append(Problem(record.file, line, f"{compact(prop)} expects a {compact(expected)}, "
                                                       f"but {item!r} is a {', '.join(sorted(compact(t) for t in types.get(target, ())))}"))
            return []
        for text in labels.get(target, {}).values():
            used.update((m.value, m.unit) for m in find_numbers(text, cues))
        return [target]
    rng = vocab.datatype_properties[prop]
    if rng == RDF.langString:
        if not isinstance(item, dict) or set(item) - {"zh", "en"} or not item:
            problems.append(Problem(record.file, line, f"{compact(prop)} needs text per language, e.g. {{zh: …, en: …}}; got {item!r}"))
            return []
        missing = [lang for lang in ("zh", "en") if lang not in item]
        if missing:
            problems.append(Problem(record.file, line, f"{compact(prop)} has no {', '.join(missing)} text"))
            return []
        for text in item.values():
            note_numbers(str(text), line)
        return [Literal(str(text).strip(), lang=lang) for lang, text in item.items()]
    if isinstance(item, (dict, list)) or item is None:
        problems.append(Problem(record.file, line, f"{compact(prop)} needs a single value; got {item!r}"))
        return []
    literal = _typed(str(item), rng, record, line, problems)
    if literal is not None:
        note_numbers(str(item), line)
    return [literal] if literal is not None else []


def _observation(record, vocab, types, labels, problems, note_numbers, used):
    subject = LZ[record.subject]
    props = record.properties
    triples = [(subject, RDF.type, QB.Observation), (subject, QB.dataSet, DATASET)]
    for column, prop in OBSERVATION_COMPONENTS.items():
        if column not in props:
            continue
        value = props[column]
        if prop in (LZO.statedValue, LZO.growthRate, LZO.thresholdPassingOrder):
            literal = _stated_value(value.data, record, value.line, problems) if prop == LZO.statedValue else \
                _typed(value.data, vocab.datatype_properties[prop], record, value.line, problems)
            if literal is None:
                continue
            triples.append((subject, prop, literal))
            numbers_line = value.line
            note_numbers(value.data, numbers_line)
            unit_label = None
            if prop == LZO.growthRate:
                unit_label = "%"
            elif prop == LZO.statedValue and "unit" in props:
                unit_label = labels.get(LZ[props["unit"].data], {}).get("zh")
            if unit_label and "/" not in value.data:
                used.add((canonical(value.data), unit_label if unit_label in ("亿元", "万吨", "万辆", "%", "家") else None))
        else:
            for obj in _objects(record, prop, value.data, value.line, vocab, types, problems, note_numbers, used, labels):
                triples.append((subject, prop, obj))
    base = _base_value(record, vocab, problems)
    if base is not None:
        base_value, base_unit = base
        triples.append((subject, LZO.baseValue, Literal(base_value, datatype=XSD.decimal)))
        triples.append((subject, LZO.baseUnit, base_unit))
    triples.extend(_observation_labels(record, subject, labels))
    return triples


def _stated_value(text: str, record, line, problems):
    if "/" in text:
        try:
            fraction = Fraction(text)
        except (ValueError, ZeroDivisionError):
            problems.append(Problem(record.file, line, f"value {text!r} is not a number or a fraction"))
            return None
        return Literal(f"{fraction.numerator}/{fraction.denominator}", datatype=RATIONAL)
    return _typed(text, XSD.decimal, record, line, problems)


def _base_value(record, vocab, problems):
    props = record.properties
    if "value" not in props or "unit" not in props:
        return None
    unit = LZ[props["unit"].data]
    factor = vocab.reference.value(unit, LZO.conversionFactor)
    base_unit = vocab.reference.value(unit, LZO.baseUnit)
    if factor is None or base_unit is None:
        problems.append(Problem(record.file, props["unit"].line, f"unit {props['unit'].data!r} has no conversion factor or base unit in ontology/reference.ttl"))
        return None
    try:
        stated = Decimal(Fraction(props["value"].data).numerator) / Decimal(Fraction(props["value"].data).denominator) \
            if "/" in props["value"].data else Decimal(props["value"].data)
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None  # reported by _stated_value
    value = stated * Decimal(str(factor))
    if "/" in props["value"].data:
        value = value.quantize(BASE_VALUE_PLACES)
    return _plain_decimal(value), base_unit


def _plain_decimal(value: Decimal) -> str:
    """The canonical xsd:decimal form: no exponent, no trailing zeros, at least one decimal
    (2.2085100000E+11 -> "220851000000.0"), so every serializer writes it the same way."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def _observation_labels(record, subject, labels):
    props = record.properties
    name = {lang: labels.get(LZ[props["indicator"].data], {}).get(lang, props["indicator"].data) for lang in ("zh", "en")}
    entity = props.get("entity") or props.get("area")
    who = {lang: labels.get(LZ[entity.data], {}).get(lang, entity.data) for lang in ("zh", "en")}
    if props["period"].data == NO_PERIOD:  # a standing quantity (land area): no year in its label
        period = {"zh": "", "en": ""}
    else:
        period = {lang: labels.get(LZ[props["period"].data], {}).get(lang, props["period"].data) for lang in ("zh", "en")}
    en_period = f", {period['en']}" if period["en"] else ""
    share = props.get("share_of")
    if share is not None and share.data != entity.data:
        # The indicator's own name says "share" (经济总量占比); the whole goes in brackets, so the
        # label never doubles 占 ("占广西的经济总量占比").
        whole = {lang: labels.get(LZ[share.data], {}).get(lang, share.data) for lang in ("zh", "en")}
        zh = f"{who['zh']}{period['zh']}{name['zh']}（占比基数：{whole['zh']}）"
        en = f"{who['en']}: {name['en']} of {whole['en']}{en_period}"
    else:
        zh = f"{who['zh']}{period['zh']}{name['zh']}"
        en = f"{who['en']}: {name['en']}{en_period}"
    return [(subject, RDFS.label, Literal(zh, lang="zh")), (subject, RDFS.label, Literal(en, lang="en"))]


def _typed(text: str, datatype, record, line, problems):
    try:
        if datatype == XSD.decimal:
            return Literal(_plain_decimal(Decimal(text)), datatype=XSD.decimal)
        if datatype in (XSD.positiveInteger, XSD.nonNegativeInteger, XSD.integer):
            number = int(text)
            if datatype == XSD.positiveInteger and number < 1 or datatype == XSD.nonNegativeInteger and number < 0:
                raise ValueError
            return Literal(number, datatype=datatype)
        if datatype == XSD.boolean:
            if text.lower() not in ("true", "false"):
                raise ValueError
            return Literal(text.lower() == "true")
    except (InvalidOperation, ValueError):
        problems.append(Problem(record.file, line, f"{text!r} is not a valid {compact(datatype)}"))
        return None
    return Literal(text, datatype=datatype) if datatype else Literal(text)


def _reference(record, item, line, types, problems) -> URIRef | None:
    if not isinstance(item, str) or not item:
        problems.append(Problem(record.file, line, f"expected the identifier of an entity, got {item!r}"))
        return None
    target = LZ[item]
    if target not in types:
        problems.append(Problem(record.file, line, f"unknown entity {item!r}: no record has `id: {item}` and ontology/reference.ttl does not define it"))
        return None
    return target


def _entity_types(records: list[Record], vocab: Vocabulary) -> dict[URIRef, set[URIRef]]:
    types = {iri: set(t) for iri, t in vocab.reference_types.items()}
    for record in records:
        if record.is_new and record.type:
            cls = URIRef(str(LZO._NS) + str(record.type))
            types.setdefault(LZ[record.subject], set()).add(cls)
            if record.kind == "observation":
                types[LZ[record.subject]].add(QB.Observation)
    for iri in list(types):
        expanded = set()
        for cls in types[iri]:
            expanded |= vocab.superclasses.get(cls, {cls})
        types[iri] = expanded
    return types


def _entity_labels(records: list[Record], vocab: Vocabulary) -> dict[URIRef, dict[str, str]]:
    labels: dict[URIRef, dict[str, str]] = {}
    for graph in (vocab.ontology, vocab.reference):
        for subject, label in graph.subject_objects(RDFS.label):
            if isinstance(subject, URIRef) and getattr(label, "language", None):
                labels.setdefault(subject, {})[label.language] = str(label)
    for record in records:
        if record.is_new and record.label:
            labels[LZ[record.subject]] = dict(record.label)
    return labels


def _copy(source: Graph, target: Graph) -> None:
    for triple in source:
        target.add(triple)
