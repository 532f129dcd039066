"""Reading RDF input with pyoxigraph: format from the file name, syntax errors with line and column."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ...core.errors import InputError, Problem, oxigraph_problem

# Extensions pyoxigraph's guess does not know, or that mean something else here.
_EXTRA_EXTENSIONS = {
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


def rdf_format_for(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, from its extension (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ``.rdf`` …)."""
    suffix = path.suffix.lower()
    if suffix in _EXTRA_EXTENSIONS:
        return _EXTRA_EXTENSIONS[suffix]
    fmt = ox.RdfFormat.from_extension(suffix.lstrip(".")) if suffix else None
    if fmt is None:
        raise InputError([Problem(path, None,
                                  f"cannot tell the RDF syntax from the extension {suffix or '(none)'!r}; "
                                  "use .ttl, .nt, .nq, .trig, .rdf, .owl, .n3 or .jsonld")])
    return fmt


def rdf_format_for_media_type(media_type: str) -> ox.RdfFormat | None:
    """The pyoxigraph RDF format of a media type (parameters ignored), or None if it is not an RDF one."""
    return ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())


def syntax_problem(path: str | Path, err: SyntaxError) -> Problem:
    """An InputError problem for a pyoxigraph syntax error: file, line, column and what
    (:func:`liuzhou_kg.core.errors.oxigraph_problem`)."""
    return oxigraph_problem(path, err, "RDF syntax error: ")


def load_into(store: ox.Store, path: Path, *, to_graph: ox.NamedNode | None = None,
              fmt: ox.RdfFormat | None = None) -> None:
    """Load a whole file into ``store`` in one transaction; a syntax error loads nothing."""
    fmt = fmt or rdf_format_for(path)
    if not path.is_file():
        raise InputError([Problem(path, None, "no such file")])
    from .limits import check_rdf_file

    check_rdf_file(path, fmt)  # the import's caps: entities, nesting, line and literal length
    kwargs = {"format": fmt, "base_iri": path.resolve().as_uri()}
    if to_graph is not None and fmt not in QUAD_FORMATS:
        kwargs["to_graph"] = to_graph
    try:
        with path.open("rb") as handle:
            store.load(handle, **kwargs)
    except SyntaxError as err:
        raise InputError([syntax_problem(path, err)]) from err
    except (ValueError, OSError) as err:
        raise InputError([Problem(path, None, f"cannot read: {err}")]) from err
