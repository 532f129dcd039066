"""Tie records to the sentences they cite, and describe those sentences as passages.

Provenance model (see README, "Provenance"): each sentence of the source is a passage
``lzp:<pid>`` with its exact quote (line wraps undone) and a Web Annotation position selector
giving code-point offsets into the source file as stored. Every triple derived from a sentence
lives in the named graph ``lzg:<pid>``, which ``prov:wasDerivedFrom`` the passage; each entity
also points at the passages that state facts about it with ``prov:wasDerivedFrom``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..core.errors import InputError, Problem
from ..core.namespaces import LZ, LZG, LZO, LZP, OA, SCHEMA
from ..core.numbers import Cues, canonical, find_numbers
from .records import Record
from .source import Sentence, SourceText

SOURCE_IRI = LZ["source-liuzhou-innovation-2015"]
SECTION_IRIS = {
    0: LZ["section-review-2014"],
    1: LZ["section-plan-1"],
    2: LZ["section-plan-2"],
    3: LZ["section-plan-3"],
    4: LZ["section-plan-4"],
}
QUOTE_CONTEXT = 12  # characters of prefix and suffix in a TextQuoteSelector


@dataclass(frozen=True)
class Citation:
    """Where a record's quote sits: the sentence, and the quote's span in the unwrapped text."""

    sentence: Sentence
    start: int  # offset of the quote in the unwrapped text
    end: int


def passage_iri(sentence: Sentence) -> URIRef:
    """The IRI of ``sentence`` as a passage (``lzp:<pid>``), the resource that carries its text."""
    return LZP[sentence.pid]


def graph_iri(sentence: Sentence) -> URIRef:
    """The IRI of the named graph (``lzg:<pid>``) that holds the facts ``sentence`` states."""
    return LZG[sentence.pid]


def cite(record: Record, source: SourceText) -> list[Citation]:
    """Find each quote of the record in the source; every quote must occur once, in one sentence."""
    citations, problems = [], []
    for quote in record.quotes:
        text = quote.data
        hits = source.find(text)
        if not hits:
            problems.append(Problem(record.file, quote.line,
                                    f"quote not found in {source.path.name} (line wraps undone): {text!r}"))
            continue
        if len(hits) > 1:
            problems.append(Problem(record.file, quote.line,
                                    f"quote occurs {len(hits)} times in {source.path.name}; lengthen it so it is unique: {text!r}"))
            continue
        start = hits[0]
        sentence = source.sentence_at(start)
        if start + len(text) > sentence.end:
            problems.append(Problem(record.file, quote.line, f"quote spans more than one sentence: {text!r}"))
            continue
        citations.append(Citation(sentence, start, start + len(text)))
    if problems:
        raise InputError(problems)
    return citations


def check_numbers(record: Record, numbers: dict[str, int], cues: Cues | None = None) -> None:
    """Every number written in the record must appear in one of its quotes (read with ``cues``)."""
    quoted = {m.value for quote in record.quotes for m in find_numbers(quote.data, cues)}
    problems = [
        Problem(record.file, line, f"number {value} is not in the record's quote(s): "
                                   + " / ".join(repr(q.data) for q in record.quotes))
        for value, line in sorted(numbers.items())
        if canonical(value) not in quoted
    ]
    if problems:
        raise InputError(problems)


def provenance_graph(source: SourceText, raw_sha256: str, document=None) -> Graph:
    """The source document, its sections and every passage (sentence) with its selectors.

    ``document`` is the catalogue's entry (``corpus.Document``); without one, the source is the
    default document with the sections of ``ontology/reference.ttl``.
    """
    g = Graph()
    source_iri = document.iri if document is not None else SOURCE_IRI
    sections = document.sections if document is not None else SECTION_IRIS
    g.add((source_iri, RDF.type, LZO.SourceDocument))
    g.add((source_iri, RDF.type, PROV.Entity))
    if document is None:
        g.add((source_iri, RDFS.label, Literal("柳州创新驱动发展（2015）", lang="zh")))
        g.add((source_iri, RDFS.label, Literal("Innovation-driven development of Liuzhou (2015)", lang="en")))
        g.add((source_iri, DCTERMS.language, Literal("zh")))
    else:
        _describe_document(g, document)
    g.add((source_iri, DCTERMS.identifier, Literal(f"sha256:{raw_sha256}")))
    g.add((source_iri, SCHEMA.encodingFormat, Literal("text/plain; charset=utf-8")))
    if document is None or document.default:
        g.add((source_iri, DCTERMS.temporal, LZ["year-2015"]))
    for number, section in sections.items():
        g.add((section, DCTERMS.isPartOf, source_iri))
    for number, label in (document.section_labels.items() if document is not None else ()):
        section = sections[number]
        g.add((section, RDF.type, LZO.Section))
        g.add((section, LZO.sectionNumber, Literal(number, datatype=XSD.nonNegativeInteger)))
        for lang, text in sorted(label.items()):
            g.add((section, RDFS.label, Literal(text, lang=lang)))
    for sentence in source.sentences:
        passage = passage_iri(sentence)
        position = URIRef(f"{passage}#position")
        quote = URIRef(f"{passage}#quote")
        g.add((passage, RDF.type, LZO.Passage))
        g.add((passage, RDF.type, OA.SpecificResource))
        g.add((passage, RDFS.label, Literal(f"第{sentence.paragraph}段第{sentence.number}句", lang="zh")))
        g.add((passage, RDFS.label, Literal(f"paragraph {sentence.paragraph}, sentence {sentence.number}", lang="en")))
        g.add((passage, PROV.value, Literal(sentence.text, lang="zh")))
        g.add((passage, OA.hasSource, source_iri))
        g.add((passage, LZO.inSection, sections[sentence.section]))
        g.add((passage, LZO.paragraphNumber, Literal(sentence.paragraph, datatype=XSD.positiveInteger)))
        g.add((passage, LZO.sentenceNumber, Literal(sentence.number, datatype=XSD.positiveInteger)))
        g.add((passage, OA.hasSelector, position))
        g.add((passage, OA.hasSelector, quote))
        g.add((position, RDF.type, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(sentence.raw_start, datatype=XSD.nonNegativeInteger)))
        g.add((position, OA.end, Literal(sentence.raw_end, datatype=XSD.nonNegativeInteger)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(sentence.text)))
        prefix = source.text[max(0, sentence.start - QUOTE_CONTEXT):sentence.start].replace("\n", "")
        suffix = source.text[sentence.end:sentence.end + QUOTE_CONTEXT].replace("\n", "")
        if prefix:
            g.add((quote, OA.prefix, Literal(prefix)))
        if suffix:
            g.add((quote, OA.suffix, Literal(suffix)))
    return g


def _describe_document(g: Graph, document) -> None:
    """The catalogue's metadata of a document: title, issuer, date, language, origin, licence, note."""
    iri = document.iri
    for lang, text in sorted(document.title.items()):
        g.add((iri, RDFS.label, Literal(text, lang=lang)))
        g.add((iri, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in sorted(document.issuer.items()):
        g.add((iri, LZO.issuedBy, Literal(text, lang=lang)))
    g.add((iri, DCTERMS.issued, Literal(document.date, datatype=_date_type(document.date))))
    g.add((iri, DCTERMS.language, Literal(document.language)))
    g.add((iri, DCTERMS.source, Literal(document.origin)))
    if document.licence.startswith(("http://", "https://")):
        g.add((iri, DCTERMS.license, URIRef(document.licence)))
    else:
        g.add((iri, DCTERMS.rights, Literal(document.licence)))
    for lang, text in sorted(document.note.items()):
        g.add((iri, SKOS.editorialNote, Literal(text, lang=lang)))


def _date_type(date: str) -> URIRef:
    return {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(date), XSD.date)


def describe_fact_graph(g: Graph, sentence: Sentence) -> None:
    """State that the named graph of a sentence's facts was derived from that sentence."""
    fact_graph = graph_iri(sentence)
    g.add((fact_graph, RDF.type, PROV.Bundle))
    g.add((fact_graph, PROV.wasDerivedFrom, passage_iri(sentence)))


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()
