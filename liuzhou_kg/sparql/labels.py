"""``--lang``: keep the rows whose labels are in the chosen language, and writers for such rows.

Rule: rows that are equal except for their language-tagged literals form a group (e.g. one
enterprise with its zh and its en label). From each group the rows with the most literals in the
chosen language are kept. A row whose only text is in another language (a Chinese sentence when
``--lang en`` is asked) is therefore kept rather than lost.
"""
from __future__ import annotations


import pyoxigraph

Row = list  # list of pyoxigraph terms or None (unbound), in variable order


def choose_language(rows: list[Row], lang: str) -> list[Row]:
    """Keep, from each group of rows differing only in language-tagged literals, those most in ``lang``.

    Rows keep their order. A row with no literal in ``lang`` survives when no row of its group has
    more, so a text in another language is kept rather than lost (see the module docstring).
    """
    groups: dict[tuple, list[tuple[int, int, Row]]] = {}
    for position, row in enumerate(rows):
        key = tuple(_placeholder(term) for term in row)
        score = sum(1 for term in row if _language(term) and _primary(_language(term)) == lang)
        groups.setdefault(key, []).append((position, score, row))
    kept: list[tuple[int, Row]] = []
    for members in groups.values():
        best = max(score for _, score, _ in members)
        kept.extend((position, row) for position, score, row in members if score == best)
    kept.sort(key=lambda item: item[0])
    return [row for _, row in kept]


def _language(term) -> str | None:
    return term.language if isinstance(term, pyoxigraph.Literal) and term.language else None


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _placeholder(term):
    return ("@lang",) if _language(term) else (None if term is None else str(term))


# Writers for filtered rows, following the SPARQL 1.1 results formats.

def write_results(variables: list[str], rows: list[Row], fmt: str) -> bytes:
    """Serialise filtered ``rows`` of ``variables`` in result format ``fmt`` as bytes."""
    return _WRITERS[fmt](variables, rows)


def _json_term(term) -> dict:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _json(variables, rows) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    import json

    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _csv_cell(term) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value
    if any(c in value for c in '",\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def _csv(variables, rows) -> bytes:
    lines = [",".join(variables)] + [",".join(_csv_cell(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv(variables, rows) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{_escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{_escape(term.value)}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={_quoteattr(term.language)}"
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        attrs = f" datatype={_quoteattr(term.datatype.value)}"
    return f"<literal{attrs}>{_escape(term.value)}</literal>"


def _xml(variables, rows) -> bytes:
    out = ['<?xml version="1.0"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={_quoteattr(v)}/>" for v in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={_quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row) if t is not None]
        out.append("</result>")
    out.append("</results></sparql>")
    return "".join(out).encode("utf-8")


_WRITERS = {"json": _json, "csv": _csv, "tsv": _tsv, "xml": _xml}


def _escape(text: str) -> str:
    # xml.sax.saxutils pulls in urllib.request (about 0.1 s): imported only when XML is written.
    from xml.sax.saxutils import escape

    return escape(text)


def _quoteattr(text: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(text)
