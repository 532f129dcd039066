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


# Oxigraph's parsers give positions inside the message; every caller maps them here.
_POSITION = re.compile(r"(?:error at |at line )(\d+)(?::| column )(\d+):?\s*")


def split_position(message: str) -> tuple[int | None, int | None, str]:
    """Find "line:column" in an Oxigraph error message; return (line, column, rest of message)."""
    match = _POSITION.search(message)
    if not match:
        return None, None, message.strip()
    rest = (message[: match.start()] + message[match.end():]).strip()
    rest = re.sub(r"\s*\((?:[^()]*, )?line \d+\)\s*$", "", rest)
    rest = re.sub(r"^Parser error\s*", "", rest).strip() or "syntax error"
    return int(match.group(1)), int(match.group(2)), rest
