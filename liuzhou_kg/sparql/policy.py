"""The one query policy: what a query is and whether this caller may run it, decided by a parser.

Every way of running SPARQL in the project (``serve``, ``query``, ``viz --query``, ``federate``
and the library) asks :class:`Policy` before the engine sees the text. The facts about a query
come from a real SPARQL grammar, rdflib's parser and algebra (:func:`analyse`), never from
regular expressions, so a keyword glued to a prefixed name (``SERVICE:x``), an escape
(``SERVIC\\u0045``) or a keyword in a comment is read the way a SPARQL parser reads it. What
rdflib cannot parse is refused.

The parser costs a second of imports, too much for a cold ``liuzhou-kg query``. A conservative
screen (:func:`screen`) therefore lets a query through without it when none of the words that
could make a query reach outside the store or change it (SERVICE, LOAD, FROM and the update
keywords) occurs anywhere in its text, in any case. The screen never reads the query's structure:
it only proves the absence of those words, so it cannot disagree with any parser about them.

Limits that hold before any parser runs, in time linear in the text:

- a length cap (:data:`DEFAULT_MAX_QUERY_CHARS`, settable);
- a nesting cap (:data:`DEFAULT_MAX_DEPTH`) on the bracket depth ``{ ( [`` counted over the raw
  text. Brackets inside strings, IRIs or comments may make that count lower than the real
  depth, so the engine and the parser also run on a thread with a large stack
  (:func:`on_large_stack`), sized so that no query within the length cap can exhaust it.
"""
from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict

from .errors import QueryRefused, QuerySyntaxError, QueryTooComplex
from ..core.prefixes import prologue, prologue_lines

DEFAULT_MAX_QUERY_CHARS = 64 * 1024
DEFAULT_MAX_DEPTH = 256
DEFAULT_CACHE_BYTES = 8 * 1024 * 1024

# Oxigraph's parser needs up to about 10 KiB of stack per nesting level (measured: a nested RDF
# collection overflowed 256 MiB at 30,000 levels). A query of n characters whose counted depth
# is at most DEFAULT_MAX_DEPTH has a real depth below (n + DEFAULT_MAX_DEPTH) / 2: every level
# the count misses needs a closing bracket hidden in a string, an IRI or a comment.
STACK_BYTES_PER_CHAR = 6 * 1024
MIN_STACK_BYTES = 64 * 1024 * 1024
PARSER_RECURSION_LIMIT = 100_000

# Words whose absence proves that a query has no SERVICE, no dataset clause and no update.
SCREEN_WORDS = ("SERVICE", "LOAD", "FROM", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD",
                "MOVE", "COPY", "WITH", "USING")
_SCREEN = re.compile("|".join(SCREEN_WORDS), re.IGNORECASE)
# A variable name (?from_x) or the local part of a prefixed name after its colon
# (prov:wasDerivedFrom): SPARQL's tokens for these are greedy over letters, digits and "_", so a
# screen word inside such a run is never a keyword. The screen blanks these runs out first.
_NAME_RUN = re.compile(r"[?$:][A-Za-z0-9_]+")


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
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)

    def __repr__(self) -> str:
        return (f"Verdict(form={self.form!r}, read_only={self.read_only}, "
                f"services={self.services!r}, from_graphs={self.from_graphs!r}, "
                f"from_named_graphs={self.from_named_graphs!r})")


# --- linear-time screens --------------------------------------------------------------------

def _drop_comment_lines(text: str) -> str:
    """The text without the lines that hold only a comment.

    At the start of a line the engine is either in code or inside a long string (short strings
    and IRIs never span lines). A line whose first non-blank character is ``#`` and that holds no
    triple quote is therefore either a comment or string content, never code.
    """
    kept = [line for line in re.split(r"[\n\r]", text)
            if not (line.lstrip(" \t").startswith("#") and "'''" not in line
                    and '"""' not in line)]
    return "\n".join(kept)


def screen(text: str) -> bool:
    """True when ``text`` certainly has no SERVICE, no FROM and no update: safe without parsing.

    Conservative: a ``\\u``/``\\U`` escape anywhere (SPARQL decodes them before parsing) or any
    screen word outside a whole-line comment and not continuing a variable or prefixed name
    sends the query to the parser.
    """
    if "\\u" in text or "\\U" in text:
        return False
    code = _NAME_RUN.sub(" ", _drop_comment_lines(text))
    return _SCREEN.search(code) is None


def nesting_depth(text: str) -> int:
    """The deepest run of unclosed brackets, counted over every character of the text."""
    depth = deepest = 0
    for char in re.finditer(r"[{(\[\])}]", text):
        if char.group() in "{([":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth:
            depth -= 1
    return deepest


def check_size(text: str, max_chars: int = DEFAULT_MAX_QUERY_CHARS,
               max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Refuse a query longer than ``max_chars`` characters or nested deeper than ``max_depth``."""
    if len(text) > max_chars:
        raise QueryTooComplex(f"the query is {len(text):,} characters long; the limit is "
                              f"{max_chars:,}")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryTooComplex(f"the query is too deeply nested ({depth} levels of brackets; the "
                              f"limit is {max_depth})")


def stack_bytes(max_chars: int = DEFAULT_MAX_QUERY_CHARS) -> int:
    """The thread stack that lets the engine parse any query within the length cap."""
    size = MIN_STACK_BYTES + STACK_BYTES_PER_CHAR * max_chars
    return (size + 0xFFFF) & ~0xFFFF


def on_large_stack(function, *args, max_chars: int = DEFAULT_MAX_QUERY_CHARS):
    """Run ``function(*args)`` on a new thread with :func:`stack_bytes` of stack; return its result.

    Used for one-off calls (tests, the library); workers and the CLI start their own thread.
    """
    box: dict = {}

    def target():
        try:
            box["value"] = function(*args)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = _detached(err)

    previous = threading.stack_size(stack_bytes(max_chars))
    try:
        thread = threading.Thread(target=target, name="sparql-large-stack")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


# --- the parser -----------------------------------------------------------------------------

def analyse(text: str) -> Verdict:
    """Parse ``text`` (after the predeclared prefixes, as the engine reads it) into a Verdict.

    Call on a thread from :func:`on_large_stack` (the parser recurses once per nesting level).
    Raises QuerySyntaxError for text that is neither a query nor an update, QueryTooComplex when
    the parser runs out of recursion.
    """
    import pyparsing
    from rdflib.plugins.sparql import algebra
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    if sys.getrecursionlimit() < PARSER_RECURSION_LIMIT and \
            threading.current_thread().name == "sparql-large-stack":
        sys.setrecursionlimit(PARSER_RECURSION_LIMIT)
    full = prologue() + text
    try:
        try:
            parsed = parseQuery(full)
        except pyparsing.ParseException as query_error:
            try:
                parseUpdate(full)
            except pyparsing.ParseException:
                raise _engine_syntax_error(full) or _syntax_error(query_error) from None
            return Verdict(form="UPDATE", read_only=False, parsed=True)
        translated = algebra.translateQuery(parsed)
    except RecursionError:
        raise QueryTooComplex("the query is too deeply nested for the parser") from None
    except (QuerySyntaxError, QueryTooComplex):
        raise
    except Exception as err:  # rdflib rejects it while translating: refuse, never guess
        raise QuerySyntaxError(f"the query could not be analysed: {_first_line(err)}") from None
    form = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}.get(parsed[1].name)
    if form is None:
        raise QuerySyntaxError(f"not a query form: {parsed[1].name}")

    services: list[Service] = []

    def visit(node):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node["term"] if "term" in node else None
            silent = "silent" in node
            if type(term).__name__ == "Variable":
                services.append(Service(None, silent, str(term)))
            else:
                services.append(Service(str(term), silent))
        return None

    algebra.traverse(translated.algebra, visitPre=visit)
    # Count SERVICE clauses in the parse tree too: a clause the algebra dropped would be a gap.
    raw = []
    algebra.traverse(parsed[1], visitPre=lambda n: raw.append(1) if isinstance(n, CompValue)
                     and n.name == "ServiceGraphPattern" else None)
    if len(raw) != len(services):
        raise QueryRefused("the SERVICE clauses of this query could not all be identified")
    default, named = [], []
    for clause in translated.algebra.get("datasetClause") or ():
        if "default" in clause:
            default.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    for iri in default + named:
        if ":" not in iri:
            raise QueryRefused(f"FROM <{iri}> is a relative IRI and no BASE makes it absolute")
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


# --- the verdict cache ----------------------------------------------------------------------

class VerdictCache:
    """Verdicts (and refusals) by query text, least recently used first out, bounded in bytes.

    The size of an entry is its text's UTF-8 length plus a fixed allowance for the verdict, so a
    burst of large distinct queries evicts old entries instead of growing the process.
    """

    ENTRY_OVERHEAD = 512

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _size(self, key) -> int:
        total = self.ENTRY_OVERHEAD
        for part in key:
            if isinstance(part, str):
                total += len(part.encode("utf-8", "surrogatepass"))
            elif isinstance(part, tuple):
                total += sum(len(p.encode("utf-8", "surrogatepass")) for p in part)
        return total

    def get(self, key):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def put(self, key, value) -> None:
        size = self._size(key)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                old, _ = self._entries.popitem(last=False)
                self.bytes -= self._size(old)

    def __len__(self) -> int:
        return len(self._entries)


# --- the policy -----------------------------------------------------------------------------

class Policy:
    """Who may run what: the SERVICE endpoints allowed and the graphs FROM may name.

    - ``Policy.serve()``: the public endpoint; every SERVICE is refused.
    - ``Policy.query(allow_service)``: the store's own user; SERVICE only if asked for.
    - ``Policy.federate(allow)``: SERVICE only to the endpoints of the allow-list, named by a
      constant IRI.

    Updates are refused everywhere (the query path never writes). ``FROM``, ``FROM NAMED`` and the
    protocol's ``default-graph-uri``/``named-graph-uri`` may name only graphs of the dataset
    (nothing is ever fetched or read from a file).
    """

    _SETTINGS = ("mode", "allow", "any_service", "max_query_chars", "max_depth", "cache_bytes")

    def __init__(self, mode: str = "serve", allow=frozenset(), any_service: bool = False,
                 max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
                 max_depth: int = DEFAULT_MAX_DEPTH, cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.mode, self.allow, self.any_service = mode, frozenset(allow), any_service
        self.max_query_chars, self.max_depth = max_query_chars, max_depth
        self.cache_bytes = cache_bytes
        self._cache = VerdictCache(cache_bytes)

    def __getstate__(self):
        # Sent to worker processes: the cache stays behind, each process keeps its own.
        return {key: getattr(self, key) for key in self._SETTINGS}

    def __setstate__(self, state):
        self.__init__(**state)

    def __repr__(self) -> str:
        return f"Policy({self.mode!r}, allow={sorted(self.allow)!r}, any_service={self.any_service})"

    @classmethod
    def serve(cls, **limits) -> "Policy":
        return cls("serve", **limits)

    @classmethod
    def query(cls, allow_service: bool = False, **limits) -> "Policy":
        return cls("query", any_service=allow_service, **limits)

    @classmethod
    def federate(cls, allow, **limits) -> "Policy":
        return cls("federate", allow=frozenset(allow), **limits)

    def check(self, text: str, graphs: frozenset[str] | None = None,
              default_graph_uris=(), named_graph_uris=(), need_form: bool = False) -> Verdict:
        """The verdict on ``text``, or the QueryError that refuses it (remembered either way).

        ``graphs``: the dataset's graph IRIs that FROM and the protocol may name. ``need_form``:
        parse even a query the screen would let through, to know its form before running it.
        Call on a large stack (:func:`on_large_stack`) when the text may reach the parser.
        """
        key = (text, tuple(default_graph_uris), tuple(named_graph_uris), need_form)
        cached = self._cache.get(key)
        if cached is None:
            try:
                cached = self._decide(text, graphs, key[1], key[2], need_form)
            except (QueryRefused, QuerySyntaxError, QueryTooComplex) as err:
                cached = err
            self._cache.put(key, cached)
        if isinstance(cached, Exception):
            raise cached
        return cached

    def _decide(self, text, graphs, default_graph_uris, named_graph_uris, need_form) -> Verdict:
        check_size(text, self.max_query_chars, self.max_depth)
        if not need_form and screen(text):
            verdict = Verdict(form=None)
        else:
            verdict = analyse(text)
        if not verdict.read_only:
            raise QueryRefused("SPARQL Update is refused: queries here are read-only")
        for service in verdict.services:
            self._check_service(service)
        for iri in verdict.from_graphs:
            _check_graph(iri, graphs, "FROM")
        for iri in verdict.from_named_graphs:
            _check_graph(iri, graphs, "FROM NAMED")
        for iri in default_graph_uris:
            _check_graph(iri, graphs, "default-graph-uri")
        for iri in named_graph_uris:
            _check_graph(iri, graphs, "named-graph-uri")
        return verdict

    def _check_service(self, service: Service) -> None:
        if self.mode == "query" and self.any_service:
            return
        if self.mode == "serve":
            raise QueryRefused("SERVICE is refused: this service never sends requests to other "
                               "services")
        if self.mode == "query":
            raise QueryRefused("SERVICE is refused unless you ask for it (--allow-service): "
                               "it makes this process send requests to another endpoint")
        if service.iri is None:
            raise QueryRefused(f"SERVICE ?{service.variable}: a variable endpoint (chosen by the data) is "
                               "refused; name an allowed endpoint")
        if service.iri not in self.allow:
            hint = ("federation is off: list endpoints under federation.allow in the "
                    "configuration" if not self.allow else
                    "allowed: " + ", ".join(sorted(self.allow)))
            raise QueryRefused(f"SERVICE <{service.iri}> is not on the allow-list ({hint})")


def _check_graph(iri: str, graphs, what: str) -> None:
    if graphs is not None and iri in graphs:
        return
    raise QueryRefused(f"{what} <{iri}> is not a graph of this dataset; queries here never fetch "
                       "URLs or read files, they only query the dataset's own graphs")


def _detached(err: BaseException) -> BaseException:
    """``err`` without its traceback and context, collected here: pyoxigraph results belong to
    the thread that made them and must not be freed by another one."""
    import gc

    err.__traceback__ = None
    err.__context__ = None
    err.__cause__ = None
    gc.collect()
    return err
