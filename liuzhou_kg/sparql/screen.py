"""What is known about a query before any parser runs, in time linear in its text.

The parser costs a second of imports, too much for a cold ``liuzhou-kg query``. A conservative
screen (:func:`screen`) therefore lets a query through without it when none of the words that
could make a query reach outside the store or change it (SERVICE, LOAD, FROM and the update
keywords) occurs anywhere in its text, in any case. The screen never reads the query's structure:
it only proves the absence of those words, so it cannot disagree with any parser about them.

Limits that hold before any parser runs (:func:`check_size`):

- a length cap (:data:`DEFAULT_MAX_QUERY_CHARS`, settable);
- a nesting cap (:data:`DEFAULT_MAX_DEPTH`) on the bracket depth ``{ ( [`` counted over the raw
  text. Brackets inside strings, IRIs or comments may make that count lower than the real
  depth, so the engine and the parser also run on a thread with a large stack
  (:mod:`liuzhou_kg.sparql.large_stack`), sized so that no query within the length cap can
  exhaust it.
"""
from __future__ import annotations

import re

from .errors import QueryTooComplex

DEFAULT_MAX_QUERY_CHARS = 64 * 1024
DEFAULT_MAX_DEPTH = 256

# Words whose absence proves that a query has no SERVICE, no dataset clause and no update.
SCREEN_WORDS = ("SERVICE", "LOAD", "FROM", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD",
                "MOVE", "COPY", "WITH", "USING")
_SCREEN = re.compile("|".join(SCREEN_WORDS), re.IGNORECASE)
# A variable name (?from_x) or the local part of a prefixed name after its colon
# (prov:wasDerivedFrom): SPARQL's tokens for these are greedy over letters, digits and "_", so a
# screen word inside such a run is never a keyword. The screen blanks these runs out first.
_NAME_RUN = re.compile(r"[?$:][A-Za-z0-9_]+")


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


def _first_deeper_than(text: str, max_depth: int) -> int:
    """The offset of the first bracket that opens level ``max_depth + 1`` (counted as
    :func:`nesting_depth` counts), or -1."""
    depth = 0
    for char in re.finditer(r"[{(\[\])}]", text):
        if char.group() in "{([":
            depth += 1
            if depth > max_depth:
                return char.start()
        elif depth:
            depth -= 1
    return -1


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of ``offset`` in ``text``."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def check_size(text: str, max_chars: int = DEFAULT_MAX_QUERY_CHARS,
               max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Refuse a query longer than ``max_chars`` characters or nested deeper than ``max_depth``.

    The refusal points at the first character past the length cap, or at the first bracket past
    the depth cap (both limits are counted over the raw text, so that is where they are passed).
    """
    if len(text) > max_chars:
        raise QueryTooComplex(f"the query is {len(text):,} characters long; the limit is "
                              f"{max_chars:,} (passed here)", *line_column(text, max_chars))
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryTooComplex(f"the query is too deeply nested ({depth} levels of brackets; the "
                              f"limit is {max_depth}; this bracket opens level {max_depth + 1})",
                              *line_column(text, _first_deeper_than(text, max_depth)))
