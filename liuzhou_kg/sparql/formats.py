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
    return RESULT_FORMATS if kind == "results" else GRAPH_FORMATS


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def negotiate(accept: str | None, candidates: list[Format]) -> Format | None:
    """The best of ``candidates`` for an Accept header; the first candidate for */*; None if the
    header accepts none of them."""
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("*/*", "*"):
            return candidates[0]
        for fmt in candidates:
            if media == fmt.media_type or media in fmt.aliases:
                return fmt
        major = media.split("/")[0]
        if media.endswith("/*"):
            for fmt in candidates:
                if fmt.media_type.startswith(major + "/"):
                    return fmt
    return None
