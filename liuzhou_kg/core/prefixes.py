"""The predeclared prefixes, read from ``prefixes.rq`` (a SPARQL prologue kept as data)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from collections.abc import Mapping  # not typing: a cold query never loads typing (about 2.5 ms)

PREFIXES_FILE = Path(__file__).with_name("prefixes.rq")
_LINE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def prefixes() -> dict[str, str]:
    """Prefix name -> namespace IRI, in file order."""
    result: dict[str, str] = {}
    text = PREFIXES_FILE.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise ValueError(f"{PREFIXES_FILE}:{number}: expected 'PREFIX name: <iri>'")
        result[match.group(1) or ""] = match.group(2)
    return result


# A local name that SPARQL and Turtle read back as written: letters, digits and "_" first, then also
# "-" and ".", never ending in "."; or nothing at all (``lz:`` names the namespace itself).
_LOCAL = re.compile(r"(?:\w(?:[\w.\-]*[\w\-])?)?")
# A local name a reader can expand by pasting the namespace in front (a W3C CURIE reference, as
# in ``lzg:work-report-2022/p04-s02``), though SPARQL would need it escaped: no spaces or "<>".
_LOOSE_LOCAL = re.compile(r"[^\s<>\"{}|\\^`]*")


def _longest_first(table: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(table.items(), key=lambda item: -len(item[1]))


@lru_cache(maxsize=1)
def _table_longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(_longest_first(prefixes()))


def curie(iri: str, *, strict: bool = True, extra: Mapping[str, str] | None = None) -> str | None:
    """``iri`` as ``prefix:local`` under the longest namespace that covers it, or None.

    The namespaces are those of ``prefixes.rq``, plus ``extra`` (prefix name -> namespace IRI)
    where a caller names more (e.g. Wikidata's in the network export). With ``strict`` (the
    default) the local name must be one SPARQL and Turtle read back as written (letters, digits,
    "_", "-" and "."; not starting with "-" or ".", not ending in "."); without it, any local name
    without spaces or ``<>"{}|\\^``` is kept (``lzg:report/p04-s02``: a CURIE for people to read).
    This is the project's one IRI shortener; :func:`compact` and every caller go through it."""
    order = _table_longest_first() if not extra else _longest_first({**prefixes(), **extra})
    local_name = _LOCAL if strict else _LOOSE_LOCAL
    for name, namespace in order:
        if iri.startswith(namespace) and local_name.fullmatch(iri, len(namespace)):
            return f"{name}:{iri[len(namespace):]}"
    return None


def compact(iri: str) -> str:
    """``iri`` as a SPARQL prefixed name (see :func:`curie`), else as ``<iri>``: always valid
    SPARQL and Turtle."""
    return curie(iri) or f"<{iri}>"


@lru_cache(maxsize=1)
def prologue() -> str:
    """The predeclared prefixes as SPARQL text, one PREFIX per line.

    Prepending this text is faster in Oxigraph than passing the prefixes as an option; error
    positions are shifted back by :func:`prologue_lines`."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes().items())


def prologue_lines() -> int:
    """How many lines :func:`prologue` adds in front of a query (to shift error positions back)."""
    return prologue().count("\n")
