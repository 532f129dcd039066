"""What a query is, decided by a parser: its form, its SERVICE clauses, its dataset clauses.

The facts about a query come from a real SPARQL grammar, rdflib's parser and algebra
(:func:`analyse`), never from regular expressions, so a keyword glued to a prefixed name
(``SERVICE:x``), an escape (``SERVIC\\u0045``) or a keyword in a comment is read the way a SPARQL
parser reads it. What rdflib cannot parse is refused. rdflib is imported only when a query
reaches the parser (see :mod:`liuzhou_kg.sparql.screen` for the ones that do not).
"""
from __future__ import annotations

import re
import sys
import threading

from ..core.prefixes import prologue, prologue_lines
from .errors import QueryRefused, QuerySyntaxError, QueryTooComplex
from .large_stack import PARSER_RECURSION_LIMIT

# Plain classes, not dataclasses: importing ``dataclasses`` (with ``inspect``) would be a tenth of
# a cold ``liuzhou-kg query``'s start-up.

class Service:
    """A SERVICE clause: its endpoint IRI (None when a variable chooses it) and SILENT."""

    __slots__ = ("iri", "silent", "variable")

    def __init__(self, iri: str | None, silent: bool = False, variable: str | None = None):
        self.iri, self.silent, self.variable = iri, silent, variable

    def __eq__(self, other) -> bool:
        return isinstance(other, Service) and (self.iri, self.silent, self.variable) == \
            (other.iri, other.silent, other.variable)

    def __hash__(self) -> int:
        return hash((self.iri, self.silent, self.variable))

    def __repr__(self) -> str:
        return f"Service({self.iri!r}, silent={self.silent}, variable={self.variable!r})"


class Verdict:
    """What the policy learned about a query text (read-only once made).

    ``form`` is SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE; None when the screen let the query
    through without parsing it (the engine's answer then tells its form).
    """

    __slots__ = ("form", "read_only", "services", "from_graphs", "from_named_graphs", "parsed")

    def __init__(self, form: str | None, read_only: bool = True, services: tuple = (),
                 from_graphs: tuple = (), from_named_graphs: tuple = (), parsed: bool = False):
        self.form, self.read_only, self.parsed = form, read_only, parsed
        self.services = tuple(services)
        self.from_graphs, self.from_named_graphs = tuple(from_graphs), tuple(from_named_graphs)

    @property
    def returns_graph(self) -> bool:
        """Whether the answer is a graph (CONSTRUCT or DESCRIBE)."""
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def has_dataset(self) -> bool:
        """Whether the query names graphs with FROM or FROM NAMED."""
        return bool(self.from_graphs or self.from_named_graphs)

    def __repr__(self) -> str:
        return (f"Verdict(form={self.form!r}, read_only={self.read_only}, "
                f"services={self.services!r}, from_graphs={self.from_graphs!r}, "
                f"from_named_graphs={self.from_named_graphs!r})")


def analyse(text: str, grammar=None, nodes: dict | None = None) -> Verdict:
    """Parse ``text`` (after the predeclared prefixes, as the engine reads it) into a Verdict.

    Call on a thread from :func:`on_large_stack` (the parser recurses once per nesting level).
    Raises QuerySyntaxError for text that is neither a query nor an update, QueryTooComplex when
    the parser runs out of recursion.

    For :mod:`liuzhou_kg.sparql.locate` only: ``grammar`` parses instead of rdflib's functions
    (an object with ``query(full)`` and ``update(full)``, the same grammar), and ``nodes``
    receives the parse-tree node of each construct found: ``services`` (one per
    ``Verdict.services``), ``from`` and ``named`` (one per graph), ``update`` (the update), and
    ``lost`` (SERVICE clauses the algebra dropped).
    """
    import pyparsing
    from rdflib.plugins.sparql import algebra
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    if grammar is not None:
        parseQuery, parseUpdate = grammar.query, grammar.update  # noqa: N806 - rdflib's names
    nodes = {} if nodes is None else nodes

    if sys.getrecursionlimit() < PARSER_RECURSION_LIMIT and \
            threading.current_thread().name == "sparql-large-stack":
        sys.setrecursionlimit(PARSER_RECURSION_LIMIT)
    full = prologue() + text
    try:
        try:
            parsed = parseQuery(full)
        except pyparsing.ParseException as query_error:
            try:
                nodes["update"] = parseUpdate(full)
            except pyparsing.ParseException:
                raise _engine_syntax_error(full) or _syntax_error(query_error) from None
            return Verdict(form="UPDATE", read_only=False, parsed=True)
        # The SERVICE clauses of the parse tree, before the translation rewrites it in place
        # (a clause under FILTER EXISTS is moved into the filter's expression).
        raw: list = []
        algebra.traverse(parsed[1], visitPre=lambda n: raw.append(n) if isinstance(
            n, CompValue) and n.name == "ServiceGraphPattern" else None)
        translated = algebra.translateQuery(parsed)
    except RecursionError:
        raise QueryTooComplex("the query is too deeply nested for the parser") from None
    except (QuerySyntaxError, QueryTooComplex):
        raise
    except Exception as err:  # rdflib rejects it while translating: refuse, never guess
        # (an undeclared prefix, say): the engine's message, with its position, when it also
        # refuses the text before its end
        raise _engine_syntax_error(full) or QuerySyntaxError(
            f"the query could not be analysed: {_first_line(err)}") from None
    form = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}.get(parsed[1].name)
    if form is None:
        raise QuerySyntaxError(f"not a query form: {parsed[1].name}")

    services: list[Service] = []
    found = nodes.setdefault("services", [])
    seen: set[int] = set()  # ids of the nodes in ``found``, which keeps them alive

    def visit(node):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern" and \
                id(node) not in seen:
            seen.add(id(node))
            term = node["term"] if "term" in node else None
            silent = "silent" in node
            if type(term).__name__ == "Variable":
                services.append(Service(None, silent, str(term)))
            else:
                services.append(Service(str(term), silent))
            found.append(node)
        return None

    algebra.traverse(translated.algebra, visitPre=visit)
    # Every SERVICE clause of the parse tree must be one the algebra has (the same node): a
    # clause the algebra dropped or rebuilt would be a gap.
    lost = [n for n in raw if id(n) not in seen]
    if lost or len(raw) != len(found):
        nodes["lost"] = lost or raw
        raise QueryRefused("the SERVICE clauses of this query could not all be identified")
    default, named = [], []
    for clause in translated.algebra.get("datasetClause") or ():
        if "default" in clause:
            default.append(str(clause["default"]))
            nodes.setdefault("from", []).append(clause)
        if "named" in clause:
            named.append(str(clause["named"]))
            nodes.setdefault("named", []).append(clause)
    return Verdict(form=form, services=tuple(services), from_graphs=tuple(default),
                   from_named_graphs=tuple(named), parsed=True)


def _syntax_error(err) -> QuerySyntaxError:
    from ..core.errors import pyparsing_position

    line, column, message = pyparsing_position(err)
    return QuerySyntaxError(message, max(1, line - prologue_lines()), column)


def _engine_syntax_error(full: str) -> QuerySyntaxError | None:
    """Oxigraph's own message for text the parser refused, when it finds an error before the end.

    Oxigraph reports clearer positions. A NUL character after a line break, which no query may
    contain outside a string, is appended so that Oxigraph can never accept the text and run it:
    only its parser is asked, on an empty store.
    """
    import pyoxigraph

    from ..core.errors import split_position

    guarded = full + "\n\x00"
    try:
        pyoxigraph.Store().query(guarded)
    except SyntaxError as err:
        line, column, message = split_position(str(err))
        if line is None or line > full.count("\n") + 1:
            return None  # the engine stumbled only on the guard: keep the parser's message
        return QuerySyntaxError(message, max(1, line - prologue_lines()), column)
    except Exception:
        return None
    return None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:300]
