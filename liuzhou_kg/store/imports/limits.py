"""Caps every imported file is checked against before a parser builds anything from it.

A hostile file can make a parser use memory or time out of all proportion to its size: XML
entities expanding a few hundred bytes into gigabytes (billion laughs), brackets nested millions
deep, one line or one literal of hundreds of megabytes, decimals with a million digits. These
checks read the file once, without building terms, and refuse it with ``file:line: what`` (exit
2) before the import starts:

- every format: no line longer than :data:`MAX_LINE_BYTES`;
- Turtle, TriG, N-Triples, N-Quads, N3: brackets ``( [ {`` nested at most :data:`MAX_DEPTH` deep,
  no string literal longer than :data:`MAX_LITERAL_BYTES` (a lexer that knows strings, IRIs,
  comments and escapes, so brackets inside them do not count);
- JSON-LD: arrays and objects nested at most :data:`MAX_DEPTH` deep, strings capped likewise;
- RDF/XML: read by Python's expat first; any ``<!DOCTYPE`` (and so any entity declaration) is
  refused, elements nest at most :data:`MAX_DEPTH` deep, text and attribute values are capped.

The lexers err on the side of refusing: a bracket they cannot place inside a string counts.
Decimal literals are checked as the quads are read (:func:`check_decimal`).
"""
from __future__ import annotations

import mmap
import re
import xml.parsers.expat
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import InputError, Problem, xml_problem

MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_LITERAL_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 256
MAX_DECIMAL_DIGITS = 40
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

# Turtle family: long strings, short strings, IRIs, comments, escapes outside strings, brackets.
_TURTLE_TOKENS = re.compile(rb'''
    """(?:[^"\\]|\\.|"(?!""))*"""
  | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
  | "(?:[^"\\\n\r]|\\.)*"
  | '(?:[^'\\\n\r]|\\.)*'
  | <[^>\s"{}|^`\\]*>
  | \#[^\n\r]*
  | \\.
  | [()\[\]{}]
''', re.VERBOSE | re.DOTALL)
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset(b"([{")
_CLOSE = frozenset(b")]}")


def _refuse(path: Path, data, offset: int | None, message: str) -> InputError:
    line = None
    if offset is not None:
        line, start = 1, 0
        while start < offset:  # count newlines in chunks (an mmap has no count())
            end = min(offset, start + (1 << 24))
            line += data[start:end].count(b"\n")
            start = end
    return InputError([Problem(path, line, message)])


def check_text_file(path: Path) -> None:
    """Refuse a file with a line longer than MAX_LINE_BYTES (naming the line)."""
    _with_map(path, _check_lines)


def check_rdf_file(path: Path, fmt: ox.RdfFormat) -> None:
    """Every cap above for an RDF file of syntax ``fmt``; raises InputError on the first breach."""
    def run(path: Path, data) -> None:
        _check_lines(path, data)
        if fmt == ox.RdfFormat.RDF_XML:
            _check_xml(path)
        elif fmt == ox.RdfFormat.JSON_LD:
            _check_tokens(path, data, _JSON_TOKENS, quotes=b'"')
        else:
            _check_tokens(path, data, _TURTLE_TOKENS, quotes=b"\"'")
    _with_map(path, run)


def _with_map(path: Path, check) -> None:
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            check(path, b"")
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            check(path, data)


def _check_lines(path: Path, data) -> None:
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", start, start + MAX_LINE_BYTES + 1)
        if end < 0:
            if size - start > MAX_LINE_BYTES:
                raise _refuse(path, data, start, f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; refused")
            return
        start = end + 1


def _check_tokens(path: Path, data, tokens: re.Pattern, quotes: bytes) -> None:
    depth = 0
    for match in tokens.finditer(data):
        first = data[match.start()]
        if first in _OPEN and match.end() - match.start() == 1:
            depth += 1
            if depth > MAX_DEPTH:
                raise _refuse(path, data, match.start(), f"brackets nested more than {MAX_DEPTH} deep; refused")
        elif first in _CLOSE and match.end() - match.start() == 1:
            depth = max(0, depth - 1)
        elif first in quotes and match.end() - match.start() > MAX_LITERAL_BYTES:
            raise _refuse(path, data, match.start(),
                          f"string literal longer than {MAX_LITERAL_BYTES // (1024 * 1024)} MiB; refused")


class _XmlRefused(Exception):
    def __init__(self, message: str):
        self.message = message


def _check_xml(path: Path) -> None:
    """Read RDF/XML with expat: no DOCTYPE or entity, bounded depth and text."""
    parser = xml.parsers.expat.ParserCreate()
    depth = [0]
    text = [0]

    def doctype(*_):
        raise _XmlRefused("a DOCTYPE (and so entity declarations, which can expand without bound) "
                          "is not accepted in imported RDF/XML; refused")

    def entity(*_):
        raise _XmlRefused("an entity declaration is not accepted in imported RDF/XML; refused")

    def start(_name, attributes):
        depth[0] += 1
        text[0] = 0
        if depth[0] > MAX_DEPTH:
            raise _XmlRefused(f"elements nested more than {MAX_DEPTH} deep; refused")
        for value in attributes.values():
            if len(value) > MAX_LITERAL_BYTES:
                raise _XmlRefused(f"attribute value longer than {MAX_LITERAL_BYTES // (1024 * 1024)} MiB; refused")

    def end(_name):
        depth[0] -= 1
        text[0] = 0

    def characters(data):
        text[0] += len(data)
        if text[0] > MAX_LITERAL_BYTES:
            raise _XmlRefused(f"text longer than {MAX_LITERAL_BYTES // (1024 * 1024)} MiB; refused")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except _XmlRefused as err:
        raise InputError([Problem(path, parser.CurrentLineNumber, err.message,
                                  parser.CurrentColumnNumber + 1)]) from None
    except xml.parsers.expat.ExpatError as err:
        raise InputError([xml_problem(path, err)]) from None


_XSD_DECIMAL_NODE = ox.NamedNode(XSD_DECIMAL)


def line_of(path: Path, text: str) -> int | None:
    """The line where ``text`` first appears in the file (to place an error the parser gives
    without a position), or None."""
    needle = text.encode("utf-8")
    found: list[int | None] = [None]

    def find(path: Path, data) -> None:
        at = data.find(needle) if needle else -1
        if at >= 0:
            found[0] = _refuse(path, data, at, "").problems[0].line
    _with_map(path, find)
    return found[0]


def check_decimal(literal: ox.Literal) -> str | None:
    """What is wrong with an ``xsd:decimal`` literal (exponent, NaN, too many digits), or None."""
    if literal.datatype != _XSD_DECIMAL_NODE:
        return None
    text = literal.value
    if len(text) > MAX_DECIMAL_DIGITS + 2 or not _DECIMAL.fullmatch(text) \
            or sum(ch.isdigit() for ch in text) > MAX_DECIMAL_DIGITS:
        shown = text if len(text) <= 40 else text[:40] + "…"
        return (f"{shown!r} is not an xsd:decimal this store accepts (digits with an optional sign "
                f"and point, at most {MAX_DECIMAL_DIGITS} digits; no exponent, NaN or Infinity)")
    return None
