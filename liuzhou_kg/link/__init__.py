"""Links from the Liuzhou graph to other datasets.

- :func:`verified_links_graph` — the verified external identifiers of ``graph/links/`` (loaded by
  the build into ``https://w3id.org/liuzhou-kg/graph/links``).
- :mod:`.normalize` — label normalisation (traditional→simplified, pinyin, legal suffixes, short names).
- :mod:`.entities` — reading entities (names, codes, same-as IRIs, types, hierarchy) from an RDF
  file, a SPARQL endpoint or a gazetteer, as ``graph/mappings/link-vocabulary.yaml`` declares.
- :mod:`.engine` — the matching engine: index, scores, one-to-one decisions, and
  ``Matcher.match(names, type=…, properties=…, limit=…)`` for clients that match names
  (``discover.graph_matcher()`` builds one over this graph).
- :mod:`.scoring` — two-list linking and its evaluation (precision, recall).
- :mod:`.gazetteers` — GeoNames, GB/T 2260 and ISO 3166 as RDF from installed packages.
- :mod:`.evaluation` — the expected links to those gazetteers, derived from the packages' data.
- :mod:`.linkset` — writing the linkset, its VoID description and the review CSV.
"""
from __future__ import annotations

from pathlib import Path

import rdflib

from ..core.namespaces import LZG
from ..core.paths import GRAPH_DIR

LINKS_DIR = GRAPH_DIR / "links"
LINKS_GRAPH_IRI = str(LZG["links"])


def verified_links_graph(links_dir: Path = LINKS_DIR) -> rdflib.Graph:
    """The verified identifiers: every ``*.ttl`` file of ``graph/links/``, parsed into one graph.

    The triples are ``skos:exactMatch`` links to Wikidata and GeoNames, ``skos:notation`` codes with
    typed literals (GB/T 2260, ISO 3166-2, stock codes), the listed companies as organisations, and
    a VoID linkset per source with ``dcterms:source``.
    """
    from ..core.errors import InputError, Problem, rdflib_problem

    graph = rdflib.Graph()
    files = sorted(links_dir.glob("*.ttl"))
    if not files:
        raise InputError([Problem(links_dir, None, "no *.ttl file of verified links here")])
    for path in files:
        try:
            graph.parse(data=path.read_text(encoding="utf-8"), format="turtle",
                        publicID=path.resolve().as_uri())
        except Exception as err:  # rdflib raises several types; report where and what
            raise InputError([rdflib_problem(path, err, "bad Turtle: ")]) from err
    return graph
