"""Where the constructs the policy refuses are in a query's text, as the policy's parser read it.

rdflib's parse results carry no position. To say where a refused SERVICE, FROM or update is, this
module parses the text again with a private copy of rdflib's own SPARQL grammar (the same
elements, deep-copied once per process, rdflib's objects left untouched) whose elements for
those constructs record where each match starts. The analysis then runs on that parse exactly as
it ran on the plain one (:func:`liuzhou_kg.sparql.analysis.analyse`), and each construct it
found is looked up by identity among the recorded matches: a match the parser tried and then
backtracked from is never in the tree, so it is never reported. Keywords in strings, comments
and IRIs are never matched by the grammar, and ``SERVICE:x`` is read as ``SERVICE :x`` as the
engine reads it.

rdflib decodes ``\\u``/``\\U`` escapes before parsing; positions are mapped back to the text as
written (a construct that starts with an escape, ``\\u0053ERVICE``, is reported at the
backslash). pyparsing's tab expansion is turned off on the copy, so columns count characters.

Only refused queries come here (the cost is one more parse, and the copy of the grammar once):
the cold path never imports this module's dependencies.
"""
from __future__ import annotations

import threading

from ..core.prefixes import prologue
from .screen import line_column

# The grammar elements (rdflib.plugins.sparql.parser names) whose starts are recorded.
MARKED = ("ServiceGraphPattern", "DatasetClause", "Load", "Clear", "Drop", "Create", "Add",
          "Move", "Copy", "InsertData", "DeleteData", "DeleteWhere", "Modify")

_lock = threading.Lock()
_grammar = None
_marks = threading.local()


class _Grammar:
    """rdflib's query and update grammars, copied, with start positions recorded per thread."""

    def __init__(self):
        import copy

        from rdflib.plugins.sparql import parser

        memo: dict = {}
        self._query, self._update = copy.deepcopy((parser.Query, parser.UpdateUnit), memo)
        for name in MARKED:
            memo[id(getattr(parser, name))].add_parse_action(_mark)
        self._query.parse_with_tabs()
        self._update.parse_with_tabs()
        self._expand = parser.expandUnicodeEscapes

    def query(self, full: str):
        return self._query.parse_string(self._expand(full), parse_all=True)

    def update(self, full: str):
        return self._update.parse_string(self._expand(full), parse_all=True)[0]


def _mark(_text, start, tokens):
    found = getattr(_marks, "found", None)
    if found is not None:
        found[id(tokens[0])] = (start, tokens[0])


def _get_grammar() -> _Grammar:
    global _grammar
    with _lock:
        if _grammar is None:
            _grammar = _Grammar()
        return _grammar


class Positions:
    """The (line, column) of each construct of one query text, in the policy's order: ``update``
    (the first operation of an update), ``services`` (one per ``Verdict.services``), ``from``
    and ``named`` (one per graph of ``Verdict.from_graphs`` / ``from_named_graphs``), ``lost``
    (SERVICE clauses the algebra dropped). None where a position is unknown."""

    def __init__(self):
        self.update = None
        self.services: list = []
        self.from_graphs: list = []
        self.from_named: list = []
        self.lost: list = []


def positions(text: str, verdict=None) -> Positions | None:
    """Where the constructs of ``text`` are, or None when the located parse does not agree with
    ``verdict`` (the plain analysis) or fails. Call on the large stack, as the analysis."""
    from .analysis import analyse
    from .errors import QueryError

    full = prologue() + text
    nodes: dict = {}
    _marks.found = {}
    try:
        try:
            located = analyse(text, _get_grammar(), nodes)
        except QueryError:
            located = None  # the "lost" SERVICE refusal: its nodes are in ``nodes``
        marks = _marks.found
    except Exception:  # noqa: BLE001 - a position is a courtesy; the verdict stands without it
        return None
    finally:
        _marks.found = None
    if verdict is not None and located is not None and (
            located.services != verdict.services or located.from_graphs != verdict.from_graphs
            or located.from_named_graphs != verdict.from_named_graphs):
        return None
    back = _Unescaped(full)
    skip = len(full) - len(text)

    def where(node):
        mark = marks.get(id(node))
        if mark is None or mark[1] is not node:
            return None
        offset = back.original(mark[0]) - skip
        return line_column(text, offset) if 0 <= offset <= len(text) else None

    found = Positions()
    if "update" in nodes:
        update = nodes["update"]
        requests = update["request"] if "request" in update else []
        found.update = where(requests[0]) if requests else None
    found.services = [where(n) for n in nodes.get("services", [])]
    found.from_graphs = [where(n) for n in nodes.get("from", [])]
    found.from_named = [where(n) for n in nodes.get("named", [])]
    found.lost = [where(n) for n in nodes.get("lost", [])]
    return found


class _Unescaped:
    """Offsets in the text rdflib parses (escapes decoded) mapped back to the text as written."""

    def __init__(self, written: str):
        from rdflib.plugins.sparql.parser import expandUnicodeEscapes_re

        # (start in the decoded text, start in the written text, length written) per escape
        self.escapes = []
        shift = 0
        for match in expandUnicodeEscapes_re.finditer(written):
            self.escapes.append((match.start() - shift, match.start(), match.end() - match.start()))
            shift += match.end() - match.start() - 1  # each escape decodes to one character

    def original(self, offset: int) -> int:
        shift = 0
        for decoded, written, length in self.escapes:
            if decoded > offset:
                break
            if decoded == offset:
                return written
            shift += length - 1
        return offset + shift
