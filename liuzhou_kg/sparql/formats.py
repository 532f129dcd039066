"""Result formats: their names, media types and pyoxigraph formats, and Accept negotiation."""
from __future__ import annotations

import pyoxigraph


class Format:
    """A result format: its name, media type, kind ("results" for SELECT/ASK, "graph" for
    CONSTRUCT/DESCRIBE) and the other media types that mean it. Compared by value."""

    __slots__ = ("name", "media_type", "kind", "aliases")

    def __init__(self, name: str, media_type: str, kind: str, aliases: tuple[str, ...] = ()):
        self.name, self.media_type, self.kind, self.aliases = name, media_type, kind, aliases

    def _key(self) -> tuple:
        return (self.name, self.media_type, self.kind, self.aliases)

    def __eq__(self, other) -> bool:
        return isinstance(other, Format) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.media_type!r}, {self.kind!r})"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    def oxigraph(self):
        if self.kind == "results":
            return getattr(pyoxigraph.QueryResultsFormat, _OXIGRAPH[self.name])
        return getattr(pyoxigraph.RdfFormat, _OXIGRAPH[self.name])


_OXIGRAPH = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV",
             "turtle": "TURTLE", "jsonld": "JSON_LD", "nt": "N_TRIPLES"}

RESULT_FORMATS = [
    Format("json", "application/sparql-results+json", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "results"),
    Format("tsv", "text/tab-separated-values", "results"),
]
GRAPH_FORMATS = [
    Format("turtle", "text/turtle", "graph", ("application/x-turtle",)),
    Format("jsonld", "application/ld+json", "graph", ("application/json",)),
    Format("nt", "application/n-triples", "graph", ("text/plain",)),
]
BY_NAME = {f.name: f for f in RESULT_FORMATS + GRAPH_FORMATS}
# Short names accepted in the endpoint's non-standard ``format`` parameter (SPARQLWrapper sends it).
FORMAT_PARAM_ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv",
                        "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "jsonld": "jsonld",
                        "json-ld": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
                        "rdf+xml": None, "rdf": None}


def formats_for(kind: str) -> list[Format]:
    """The formats a result can be written in: result-set formats for ``results``, RDF formats for a graph."""
    return RESULT_FORMATS if kind == "results" else GRAPH_FORMATS


def parse_accept(header: str | None) -> list[tuple[str, str, dict]]:
    """The media ranges of an Accept header, parsed by python-mimeparse (RFC 9110, section 12.5.1).

    No header accepts everything. A range that is not ``type/subtype`` is left out (and so accepts
    nothing); a missing or out-of-range q counts as 1, as mimeparse reads it."""
    import mimeparse  # here, not at the top: only the endpoint negotiates

    if header is None or not header.strip():
        return [("*", "*", {"q": "1"})]
    ranges = []
    for part in header.lower().split(","):  # media types and "q" are case-insensitive
        if not part.strip():
            continue
        try:
            ranges.append(mimeparse.parse_media_range(part))
        except ValueError:  # mimeparse's MimeTypeParseException is a ValueError
            continue
    return ranges


def negotiate(accept: str | None, candidates: list[Format]) -> Format | None:
    """The best of ``candidates`` for an Accept header; None if the header accepts none of them.

    Each candidate gets the q of the most specific range that matches it (so ``text/turtle;q=0``
    refuses Turtle even beside ``text/*;q=0.5``); the highest q wins, then the more specific match,
    then a format's own media type over an alias, then the earlier candidate."""
    import mimeparse

    ranges = parse_accept(accept)
    best, best_key = None, None
    for position, fmt in enumerate(candidates):
        for media in (fmt.media_type, *fmt.aliases):
            quality, fitness = mimeparse.quality_and_fitness_parsed(media, ranges)
            if quality <= 0:
                continue
            key = (quality, fitness, media == fmt.media_type, -position)
            if best_key is None or key > best_key:
                best, best_key = fmt, key
    return best
