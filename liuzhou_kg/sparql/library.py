"""The competency-question library: ``queries/*.rq``, each opening with its question in zh and en.

Header format (the first comment lines of the file)::

    # zh: 柳州有哪些企业，产值多少？
    # en: Which enterprises does Liuzhou have, and what is their output?
"""
from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import InputError, Problem
from ..core.layout import Layout

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HEADER = re.compile(r"^#\s*(zh|en)\s*:\s*(.+?)\s*$")


class LibraryQuery:
    """A question of the library: its name, file, question in zh and en, and SPARQL text."""

    __slots__ = ("name", "path", "question_zh", "question_en", "text")

    def __init__(self, name: str, path: Path, question_zh: str, question_en: str, text: str):
        self.name, self.path, self.text = name, path, text
        self.question_zh, self.question_en = question_zh, question_en

    def __repr__(self) -> str:
        return f"LibraryQuery({self.name!r}, {self.path!r})"


def read_query_file(path: Path) -> str:
    """A query file's text; a clear error for a missing file or bytes that are not UTF-8."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(path, None, "query file not found")]) from None
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the query file: {err.strerror}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError([Problem(path, line, "not UTF-8 text (byte "
                                  f"0x{data[err.start]:02x})", column)]) from None


def load(path: Path) -> LibraryQuery:
    """Read a library query file as a :class:`LibraryQuery` (name, path, zh and en questions, text).

    Raises ``InputError`` for a missing or non-UTF-8 file, and (at line 1) when the file does not open
    with its ``# zh:`` and ``# en:`` question comments.
    """
    text = read_query_file(path)
    questions: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            questions[match.group(1)] = match.group(2)
    missing = [lang for lang in ("zh", "en") if lang not in questions]
    if missing:
        raise InputError([Problem(path, 1, "the query must open with comment lines "
                                  + " and ".join(f"'# {m}: <question>'" for m in missing))])
    return LibraryQuery(path.stem, path, questions["zh"], questions["en"], text)


def library(directory: Path | None = None) -> list[LibraryQuery]:
    """Every competency question of ``directory`` (default: the checkout's ``queries/``), sorted by name (queries/checks/ is not part of it)."""
    return [load(path) for path in sorted(Path(directory or Layout.default().queries).glob("*.rq"))]


def find(name: str, directory: Path | None = None) -> LibraryQuery | None:
    """The library query called ``name`` in ``directory`` (default: the checkout's ``queries/``), or None if there is none.

    A name that is not a plain query name (for example one with ``/`` or ``..``) is never looked up.
    """
    if not NAME.match(name):
        return None
    path = Path(directory or Layout.default().queries) / f"{name}.rq"
    return load(path) if path.is_file() else None
