"""Parse RDF input files with errors that name the file, line and column."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

from .errors import InputError, Problem, oxigraph_problem
from .namespaces import bind_prefixes

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition)


def parse_turtle_file(path: Path) -> Graph:
    """An rdflib Graph of a Turtle file; malformed Turtle raises InputError with line and column.

    pyoxigraph checks the syntax first because it reports exact positions; rdflib then builds the
    graph the rest of the build works with.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read: {err.strerror}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError([Problem(path, None, f"not UTF-8 text (byte {err.start})")]) from None
    try:
        for _ in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as err:
        raise InputError([oxigraph_problem(path, err, "malformed Turtle: ")]) from None
    graph = Graph()
    bind_prefixes(graph)
    graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    _check_label_languages(path, text, graph)
    return graph


def _check_label_languages(path: Path, text: str, graph: Graph) -> None:
    problems = []
    for prop in LABEL_PROPERTIES:
        for subject, literal in graph.subject_objects(prop):
            if isinstance(literal, Literal) and not literal.language:
                line = _line_of(text, str(literal))
                problems.append(Problem(path, line, f"{prop.n3(graph.namespace_manager)} {str(literal)!r} of "
                                                    f"{subject.n3(graph.namespace_manager)} has no language tag (add @zh or @en)"))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))


def _line_of(text: str, lexical: str) -> int | None:
    at = text.find(f'"{lexical}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else None

