"""Errors that map to the documented exit codes (2 for input errors, 1 for failed validation)."""
from __future__ import annotations

import re
from pathlib import Path


class Problem:
    """One thing wrong with an input: where it is and what is wrong.

    A plain class, not a dataclass: this module is imported by every command, and ``dataclasses``
    (with ``inspect``) is a tenth of a cold ``liuzhou-kg query``'s start-up.
    """

    __slots__ = ("file", "line", "message", "column")

    def __init__(self, file: str | Path, line: int | None, message: str,
                 column: int | None = None):
        self.file, self.line, self.message, self.column = file, line, message, column

    def _key(self) -> tuple:
        return (self.file, self.line, self.message, self.column)

    def __eq__(self, other) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Problem(file={self.file!r}, line={self.line!r}, message={self.message!r}, "
                f"column={self.column!r})")

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input (file, query, argument). Exit code 2."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("<input>", None, problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ValidationFailed(Exception):
    """The graph was built but violates a shape, a check or OWL consistency. Exit code 1."""

    def __init__(self, report: str):
        self.report = report
        super().__init__(report)


# --- Where each parser says an error is -------------------------------------------------------
# Every parser the package reads input with reports the place of an error in its own way; these
# functions are the only ones that turn those reports into Problem(file, line, column, message)
# with 1-based lines and columns and the message without the position in it.

# Oxigraph: its RDF parsers write "Parser error at line L column C: ...", "... at line L between
# columns C and C2: ..." or "... between line L column C and line L2 column C2: ..." (and str()
# adds " (line L)"); its SPARQL parser writes "error at L:C: ...".
_OXIGRAPH_POSITION = re.compile(
    r"(?:^Parser error (?:at|between) line (?P<line>\d+) (?:column (?P<column>\d+)"
    r"(?: and line \d+ column \d+)?|between columns (?P<column2>\d+) and \d+)"
    r"|error at (?P<qline>\d+):(?P<qcolumn>\d+)"
    r"|at line (?P<oline>\d+) column (?P<ocolumn>\d+)):?\s*")
_OXIGRAPH_TAIL = re.compile(r"\s*\((?:[^()]*, )?line \d+\)\s*$")
# The query path's own errors (sparql.errors.QuerySyntaxError, the policy's guard) start with
# "line L, column C: ".
_LOCATED = re.compile(r"^line (\d+), column (\d+):\s*")


def split_position(message: str) -> tuple[int | None, int | None, str]:
    """(line, column, message without the position) of an Oxigraph parser's error message (RDF
    or SPARQL); (None, None, message) when it names no position."""
    match = _OXIGRAPH_POSITION.search(message)
    if not match:
        return None, None, _OXIGRAPH_TAIL.sub("", message).strip() or "syntax error"
    found = {k: v for k, v in match.groupdict().items() if v is not None}
    line = int(found.get("line") or found.get("qline") or found["oline"])
    column = int(found.get("column") or found.get("column2") or found.get("qcolumn")
                 or found["ocolumn"])
    rest = (message[: match.start()] + message[match.end():]).strip()
    rest = _OXIGRAPH_TAIL.sub("", rest)
    rest = re.sub(r"^Parser error\s*", "", rest).strip() or "syntax error"
    return line, column, rest


def oxigraph_problem(file: str | Path, err: BaseException, prefix: str = "") -> Problem:
    """The Problem of a SyntaxError from pyoxigraph (``parse``, ``Store.load``, ``Store.query``):
    its line and column (from ``lineno``/``offset`` when set, else from the message) and
    ``prefix`` + what is wrong."""
    line, column, message = split_position(str(getattr(err, "msg", None) or err))
    if getattr(err, "lineno", None):
        line, column = err.lineno, getattr(err, "offset", None) or column
    return Problem(file, line, prefix + message, column)


def split_located(message: str) -> tuple[int | None, int | None, str]:
    """(line, column, rest) of a query-path message that starts with "line L, column C: "."""
    match = _LOCATED.match(message)
    if match is None:
        return None, None, message
    return int(match.group(1)), int(match.group(2)), message[match.end():]


def query_problem(file: str | Path, err: BaseException, prefix: str = "") -> Problem:
    """The Problem of an error from the query path (a ``QueryError``: ``message`` and, for a
    syntax error, ``line`` and ``column``), with ``prefix`` + the message without its position."""
    line, column, message = split_located(getattr(err, "message", None) or str(err))
    line = getattr(err, "line", None) or line
    column = getattr(err, "column", None) or column
    return Problem(file, line, prefix + message, column)


def pyparsing_position(err: BaseException) -> tuple[int, int, str]:
    """(line, column, message without the position) of a pyparsing ``ParseException`` (rdflib's
    SPARQL parser)."""
    message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$", "",
                     getattr(err, "msg", None) or str(err))
    return err.lineno, err.col, message or "syntax error"


def yaml_problem(file: str | Path, err: BaseException, prefix: str = "malformed YAML: ") -> Problem:
    """The Problem of a PyYAML error (``yaml.YAMLError``): the line and column of its
    ``problem_mark`` (0-based there) and ``prefix`` + its ``problem``."""
    mark = getattr(err, "problem_mark", None)
    reason = getattr(err, "problem", None) or str(err)
    return Problem(file, mark.line + 1 if mark else None, prefix + reason,
                   mark.column + 1 if mark else None)


def xml_problem(file: str | Path, err: BaseException, prefix: str = "not well-formed XML: ") -> Problem:
    """The Problem of an expat error (``xml.parsers.expat.ExpatError``): its line, its column
    (0-based there) and ``prefix`` + expat's text for its code."""
    from xml.parsers.expat import ErrorString

    column = getattr(err, "offset", None)
    return Problem(file, getattr(err, "lineno", None), prefix + ErrorString(err.code),
                   column + 1 if column is not None else None)


def rdflib_problem(file: str | Path, err: BaseException, prefix: str = "") -> Problem:
    """The Problem of an error from rdflib's Turtle/N3 parser: ``BadSyntax`` carries the 0-based
    line, the text and the offset in it (for the column) and its reason; other errors keep their
    text and give no position."""
    why = getattr(err, "_why", None)
    lines = getattr(err, "lines", None)
    if why is not None and isinstance(lines, int):
        text, at = getattr(err, "_str", None), getattr(err, "_i", None)
        column = None
        if isinstance(text, bytes) and isinstance(at, int) and 0 <= at <= len(text):
            start = text.rfind(b"\n", 0, at) + 1
            column = len(text[start:at].decode("utf-8", "replace")) + 1
        return Problem(file, lines + 1, prefix + str(why), column)
    return Problem(file, getattr(err, "lineno", None), prefix + str(err))
