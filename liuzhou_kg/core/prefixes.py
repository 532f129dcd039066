"""The predeclared prefixes, read from ``prefixes.rq`` (a SPARQL prologue kept as data)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

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


def compact(iri: str) -> str:
    """Shorten an IRI to prefix:local when a predeclared namespace covers it."""
    best = ""
    best_name = None
    for name, namespace in prefixes().items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            local = iri[len(namespace):]
            if re.fullmatch(r"[\w.\-]*", local) and not local.endswith("."):
                best, best_name = namespace, name
    if best_name is None:
        return f"<{iri}>"
    return f"{best_name}:{iri[len(best):]}"


@lru_cache(maxsize=1)
def prologue() -> str:
    """The predeclared prefixes as SPARQL text, one PREFIX per line.

    Prepending this text is faster in Oxigraph than passing the prefixes as an option; error
    positions are shifted back by :func:`prologue_lines`."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes().items())


def prologue_lines() -> int:
    """How many lines :func:`prologue` adds in front of a query (to shift error positions back)."""
    return prologue().count("\n")
