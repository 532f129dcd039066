"""Links from the Liuzhou graph to other datasets.

- :func:`verified_links_graph` — the verified external identifiers of ``graph/links/`` (loaded by
  the build into ``https://w3id.org/liuzhou-kg/graph/links``).
- :mod:`.normalize` — label normalisation (traditional→simplified, pinyin, legal suffixes, short names).
- :mod:`.datasets` — reading a dataset to link: an RDF file, a SPARQL endpoint or a gazetteer.
- :mod:`.entities` — the entities of a dataset (names, codes, same-as IRIs, types, hierarchy), as
  the link vocabulary (:mod:`.vocabulary`, ``graph/mappings/link-vocabulary.yaml``) declares;
  codes are read by :mod:`.codes`.
- :mod:`.engine` — the matching engine: index, candidates, one-to-one decisions, and
  ``Matcher.match(names, type=…, properties=…, limit=…)`` for clients that match names
  (``discover.graph_matcher()`` builds one over this graph); the score of a pair is
  :mod:`.similarity`.
- :mod:`.evidence` — a query's property values judged against a candidate's (agrees, conflicts,
  unknown) and what that adds to its score (``Matcher.match(..., evidence=[Clue(...)])``; weights
  in ``graph/mappings/link-evidence.yaml``).
- :mod:`.decisions` — the one-to-one decisions of ``link`` and the match rule of one query.
- :mod:`.scoring` — two-list linking and its evaluation (precision, recall).
- :mod:`.gazetteers` — GeoNames, GB/T 2260 and ISO 3166 as RDF from installed packages.
- :mod:`.evaluation` — the expected links to those gazetteers, derived from the packages' data.
- :mod:`.linkset` — writing the linkset, its VoID description and the review CSV.
"""
from __future__ import annotations

from pathlib import Path

import rdflib

from ..core.namespaces import LZG
from ..core.layout import Layout

LINKS_GRAPH_IRI = str(LZG["links"])


def verified_links_graph(links_dir: Path | None = None) -> rdflib.Graph:
    """The verified identifiers: every ``*.ttl`` file of ``links_dir`` (default: the checkout's ``graph/links/``), parsed into one graph.

    The triples are ``skos:exactMatch`` links to Wikidata and GeoNames, ``skos:notation`` codes with
    typed literals (GB/T 2260, ISO 3166-2, stock codes), the listed companies as organisations, and
    a VoID linkset per source with ``dcterms:source``.
    """
    from ..core.errors import InputError, Problem, rdflib_problem

    links_dir = links_dir or Layout.default().links
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
