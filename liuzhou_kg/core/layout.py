"""Where a checkout keeps its inputs and where a build puts its outputs.

A :class:`Layout` is a checkout-shaped folder (``ontology/``, ``graph/``, ``queries/``) and the
output folder of its build (``dist/``). The build and the commands take one instead of reading
module-level paths, so ``liuzhou-kg build --repo X`` reads everything from ``X``; the code that
has no layout given uses :meth:`Layout.default`, this checkout. Nothing here reads a file: the
properties only name them. All text I/O in the project is explicitly UTF-8.
"""
from __future__ import annotations

import os
from pathlib import Path

DIST_VARIABLE = "LIUZHOU_KG_DIST"
_CHECKOUT = Path(__file__).resolve().parents[2]


class Layout:
    """The input files of one checkout and the output folder of its build.

    Takes ``repo``, the folder holding ``ontology/``, ``graph/`` and ``queries/``, and ``dist``, the
    output folder (default ``repo/dist``). Both are kept as given (made ``Path``s, not resolved).
    Two layouts are equal when their repo and dist are; a layout is hashable, so cached readers
    may key on it.
    """

    __slots__ = ("repo", "dist")

    def __init__(self, repo: Path, dist: Path | None = None):
        object.__setattr__(self, "repo", Path(repo))
        object.__setattr__(self, "dist", Path(dist) if dist is not None else Path(repo) / "dist")

    def __setattr__(self, name, value):
        raise AttributeError("a Layout does not change; make another one")

    def __eq__(self, other) -> bool:
        return isinstance(other, Layout) and (self.repo, self.dist) == (other.repo, other.dist)

    def __hash__(self) -> int:
        return hash((self.repo, self.dist))

    def __repr__(self) -> str:
        return f"Layout(repo={str(self.repo)!r}, dist={str(self.dist)!r})"

    @classmethod
    def default(cls, dist: Path | None = None) -> Layout:
        """This checkout (the folder above the package) and its output folder.

        Takes ``dist``, an output folder to use instead of the default. Returns the layout; its dist
        is ``dist`` when given, else the ``LIUZHOU_KG_DIST`` environment variable when set (read at
        each call), else ``dist/`` of the checkout. Raises nothing.
        """
        if dist is None and os.environ.get(DIST_VARIABLE):
            dist = Path(os.environ[DIST_VARIABLE])
        return cls(_CHECKOUT, dist)

    # ------------------------------------------------------------------ inputs
    @property
    def ontology(self) -> Path:
        """``ontology/``: the OWL ontology, SKOS schemes, reference data and SHACL shapes."""
        return self.repo / "ontology"

    @property
    def graph(self) -> Path:
        """``graph/``: sources, fact records, mappings, cue lists and verified links."""
        return self.repo / "graph"

    @property
    def facts(self) -> Path:
        """``graph/facts/``: the curated fact records (a subfolder per further document)."""
        return self.graph / "facts"

    @property
    def sources(self) -> Path:
        """``graph/sources/``: the source texts, their catalogue and their SHA-256 sums."""
        return self.graph / "sources"

    @property
    def catalogue(self) -> Path:
        """``graph/sources/catalogue.yaml``: the documents the build reads."""
        return self.sources / "catalogue.yaml"

    @property
    def source_text(self) -> Path:
        """The text of the default document, the 2015 report (``graph/sources/liuzhou-innovation-2015.zh.txt``)."""
        return self.sources / "liuzhou-innovation-2015.zh.txt"

    @property
    def links(self) -> Path:
        """``graph/links/``: the verified links to external identifiers (Turtle files)."""
        return self.graph / "links"

    @property
    def mappings(self) -> Path:
        """``graph/mappings/``: the linker's vocabulary and label-normalisation rules."""
        return self.graph / "mappings"

    @property
    def link_vocabulary(self) -> Path:
        """``graph/mappings/link-vocabulary.yaml``: what the linker reads as names, codes and types."""
        return self.mappings / "link-vocabulary.yaml"

    @property
    def link_evidence(self) -> Path:
        """``graph/mappings/link-evidence.yaml``: what a query's property values add to a score."""
        return self.mappings / "link-evidence.yaml"

    @property
    def link_normalize(self) -> Path:
        """``graph/mappings/link-normalize.yaml``: legal forms, admin suffixes and place prefixes."""
        return self.mappings / "link-normalize.yaml"

    @property
    def number_cues(self) -> Path:
        """``graph/number-cues.yaml``: the cues that tell quantities from names and idioms."""
        return self.graph / "number-cues.yaml"

    @property
    def coverage_exclusions(self) -> Path:
        """``graph/coverage-exclusions.yaml``: numbers of the text that no fact needs to use, with reasons."""
        return self.graph / "coverage-exclusions.yaml"

    @property
    def queries(self) -> Path:
        """``queries/``: the competency questions (``*.rq``)."""
        return self.repo / "queries"

    @property
    def checks(self) -> Path:
        """``queries/checks/``: the zero-row SPARQL checks of the build."""
        return self.queries / "checks"

    # ----------------------------------------------------------------- outputs
    @property
    def store(self) -> Path:
        """``dist/store/``: the SPARQL store the build writes and the query commands read."""
        return self.dist / "store"

    @property
    def graph_file(self) -> Path:
        """``dist/liuzhou.trig``: the built graph, every named graph in one file."""
        return self.dist / "liuzhou.trig"
