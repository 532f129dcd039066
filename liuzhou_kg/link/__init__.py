"""Links from the Liuzhou graph to other datasets.

- :func:`verified_links_graph` — the verified external identifiers of ``graph/links/`` (loaded by
  the build into ``https://w3id.org/liuzhou-kg/graph/links``).
- :mod:`.normalize` — label normalisation (traditional→simplified, pinyin, legal suffixes, short names).
- :mod:`.entities` — reading entities (labels, types, places) from an RDF file or a SPARQL endpoint.
- :mod:`.scoring` — candidate generation and scoring.
- :mod:`.linkset` — writing the linkset, its VoID description and the review CSV.
"""
from __future__ import annotations

from pathlib import Path

import rdflib

from ..namespaces import LZG
from ..paths import GRAPH_DIR

LINKS_DIR = GRAPH_DIR / "links"
LINKS_GRAPH_IRI = str(LZG["links"])


def verified_links_graph(links_dir: Path = LINKS_DIR) -> rdflib.Graph:
    """The verified identifiers: every ``*.ttl`` file of ``graph/links/``, parsed into one graph.

    The triples are ``skos:exactMatch`` links to Wikidata and GeoNames, ``skos:notation`` codes with
    typed literals (GB/T 2260, ISO 3166-2, stock codes), the listed companies as organisations, and
    a VoID linkset per source with ``dcterms:source``.
    """
    from ..errors import InputError, Problem

    graph = rdflib.Graph()
    files = sorted(links_dir.glob("*.ttl"))
    if not files:
        raise InputError([Problem(links_dir, None, "no *.ttl file of verified links here")])
    for path in files:
        try:
            graph.parse(data=path.read_text(encoding="utf-8"), format="turtle",
                        publicID=path.resolve().as_uri())
        except Exception as err:  # rdflib raises several types; report where and what
            raise InputError([Problem(path, getattr(err, "lineno", None), f"bad Turtle: {err}")]) from err
    return graph
