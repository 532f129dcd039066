"""Importing an RDF file (any syntax pyoxigraph reads) as its own named graph, with a progress bar.

Containment: the file is parsed, and every quad, whatever graph the file puts it in (TriG,
N-Quads, JSON-LD ``@graph`` with an ``@id``), is written into the import's own graph, with its
blank nodes renamed so that they cannot meet another dataset's. N3 formulas (graphs named by a
blank node) are refused. The write itself is :func:`liuzhou_kg.store.imports.write.write_graph`.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import InputError, Problem
from .catalogue import DCT_LICENSE, check_graph_iri, default_graph_iri
from .limits import check_decimal, line_of
from .literals import LiteralChanges
from .progress import byte_progress
from .rdf_input import rdf_format_for, syntax_problem
from .write import ImportResult, write_graph

_BATCH = 200_000  # quads per bulk write
GRAPHLESS_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML})


def import_rdf(store_dir: Path, path: Path, *, graph_iri: str | None = None, replace: bool = False,
               license_iri: str | None = None, progress: bool = True, create: bool = False) -> ImportResult:
    """Load the RDF file ``path`` into the store folder ``store_dir`` as the named graph ``graph_iri``.

    All or nothing: see the module docstring. ``create`` makes a new, empty store folder when
    ``store_dir`` does not exist."""
    from .limits import check_rdf_file

    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path, None, "no such file")])
    fmt = rdf_format_for(path)
    graph = check_graph_iri(graph_iri or default_graph_iri(path))
    if license_iri is not None:
        _check_license_iri(license_iri)
    source = path.resolve().as_uri()
    checked = _identity(path.stat())
    check_rdf_file(path, fmt)  # caps on size, nesting, entities … before the parser runs
    literals = LiteralChanges()  # what the store will not keep as given, counted in the same pass
    found = _check_quads(path, fmt, source, progress, literals)  # decimals, N3 formulas, the licence
    chosen = license_iri or (found[0] if found else None)
    if chosen is None:
        raise InputError([Problem(path, None, "the dataset states no licence (dcterms:license); "
                                              "pass --license IRI, e.g. --license "
                                              "https://creativecommons.org/licenses/by/4.0/")])

    def load(store: ox.Store, target: ox.NamedNode) -> None:
        try:
            with path.open("rb") as raw, byte_progress(raw, path.stat().st_size,
                                                       f"import {path.name}", enabled=progress) as handle:
                if _identity(os.fstat(raw.fileno())) != checked:
                    raise InputError([Problem(path, None, "the file changed after it was checked; "
                                                          "import it again")])
                if fmt in GRAPHLESS_FORMATS:
                    # No named graph can be written in these syntaxes: Oxigraph's bulk loader puts
                    # the one default graph into the target (and renames blank nodes) at full speed.
                    store.bulk_load(_skip_bom(handle), format=fmt, base_iri=source, to_graph=target)
                else:
                    quads = _contained(ox.parse(_skip_bom(handle), format=fmt, base_iri=source,
                                                rename_blank_nodes=True), target, path)
                    while batch := list(itertools.islice(quads, _BATCH)):
                        store.bulk_extend(batch)
        except SyntaxError as err:
            raise InputError([syntax_problem(path, err)]) from None
        except OSError as err:
            raise InputError([Problem(path, None, f"cannot import: {err}")]) from None

    return write_graph(store_dir, graph, load, replace=replace, source=source, title=path.name,
                       license=chosen, media_type=fmt.media_type, create=create, literals=literals)


def _identity(st: os.stat_result) -> tuple:
    """What tells a file's content changed: device, inode, size, modification time."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _check_license_iri(license_iri: str) -> None:
    try:
        ox.NamedNode(license_iri)
    except ValueError:
        raise InputError([Problem("--license", None, f"not an IRI: {license_iri!r}")]) from None


class _SkipBom:
    """A binary reader that drops a leading UTF-8 byte order mark (which pyoxigraph refuses)."""

    def __init__(self, raw):
        self._raw = raw
        self._first = True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._first:
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
                if not data and size != 0:
                    data = self._raw.read(size)
        return data

    def readable(self) -> bool:
        return True


def _skip_bom(raw):
    return _SkipBom(raw)


def _contained(quads, target: ox.NamedNode, path: Path):
    """Every parsed quad moved into ``target``; N3 formulas refused."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.BlankNode):
            raise InputError([Problem(path, None, "an N3 formula ({ … }) is not RDF data: statements "
                                                  "about statements cannot be imported; refused")])
        yield ox.Quad(quad.subject, quad.predicate, quad.object, target)


def _check_quads(path: Path, fmt: ox.RdfFormat, source: str, progress: bool,
                 literals: LiteralChanges | None = None) -> list[str]:
    """Parse the whole file once, storing nothing: refuse N3 formulas and bad ``xsd:decimal``
    literals (an exponent, NaN, Infinity, too many digits), count in ``literals`` the literals the
    store will not keep as given, and return the first licence IRI the data states
    (``dcterms:license``), if any. (Reading the terms back from the on-disk store
    would cost a lookup per literal; the parser is faster.)"""
    found: list[str] = []
    try:
        with path.open("rb") as raw, byte_progress(raw, path.stat().st_size, f"check {path.name}",
                                                   enabled=progress) as handle:
            for quad in ox.parse(_skip_bom(handle), format=fmt, base_iri=source):
                if not isinstance(quad.graph_name, (ox.DefaultGraph, ox.NamedNode)):
                    raise InputError([Problem(path, None, "an N3 formula ({ … }) is not RDF data: "
                                                          "statements about statements cannot be "
                                                          "imported; refused")])
                value = quad.object
                if isinstance(value, ox.Literal):
                    wrong = check_decimal(value)
                    if wrong:
                        raise InputError([Problem(path, line_of(path, value.value), f"the object of "
                                                  f"{quad.subject} <{quad.predicate.value}>: {wrong}; refused")])
                    if literals is not None:
                        literals.observe(value)
                elif not found and quad.predicate == DCT_LICENSE and isinstance(value, ox.NamedNode):
                    found.append(value.value)
    except SyntaxError as err:
        raise InputError([syntax_problem(path, err)]) from None
    return found
