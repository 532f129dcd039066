"""Errors that map to the documented exit codes (2 for input errors, 1 for failed validation)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    file: str | Path
    line: int | None
    message: str
    column: int | None = None

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
