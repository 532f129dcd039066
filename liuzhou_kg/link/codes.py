"""Codes as the linker reads them: a (scheme, value) pair from a literal, an IRI or a label.

A code of a known scheme (GB/T 2260, ISO 3166-2, a stock code … as the link vocabulary declares
them) is normalised by its scheme; a value no scheme claims is kept upper-cased with no scheme.
"""
from __future__ import annotations

import re

from .vocabulary import Vocabulary

MAX_CODE_LENGTH = 64  # a longer "code" is not a code

Code = tuple[str | None, str]  # (scheme or None when unknown, normalised value)


def code_of(value: str, datatype: str | None, prop: str, vocab: Vocabulary) -> Code | None:
    """The (scheme, value) of a literal of an identifier property, or None if it is no code."""
    if not value.strip() or len(value) > MAX_CODE_LENGTH:
        return None
    for scheme in vocab.schemes.values():
        if datatype in scheme.datatypes or prop in scheme.properties:
            normalised = scheme.normalize(value)
            return (scheme.name, normalised) if normalised else (None, value.strip().upper())
    for name in vocab.identifier_properties.get(prop, ()):
        normalised = vocab.schemes[name].normalize(value)
        if normalised:
            return (name, normalised)
    return (None, value.strip().upper())


def scheme_named(label: str, vocab: Vocabulary) -> str | None:
    """A scheme from a PropertyValue's propertyID ("GB/T 2260", "iso3166-2", "geonames" …)."""
    key = re.sub(r"[^a-z0-9]", "", label.lower())
    for name, scheme in vocab.schemes.items():
        if key and key in {re.sub(r"[^a-z0-9]", "", name), re.sub(r"[^a-z0-9]", "",
                                                                   scheme.name)}:
            return name
    aliases = {"gbt2260": "gbt2260", "gb2260": "gbt2260", "adcode": "gbt2260", "iso31662": "iso3166-2",
               "geonamesid": "geonames", "geonameid": "geonames"}
    return aliases.get(key)


def iri_codes(iri: str, vocab: Vocabulary) -> set[Code]:
    """Codes an IRI stands for (a GeoNames or Wikidata IRI, http or https)."""
    out = set()
    for name, pattern in vocab.iri_schemes:
        m = pattern.match(iri)
        if m:
            out.add((name, m.group(1).upper()))
    return out


def code_ancestors(code: Code, vocab: Vocabulary) -> set[Code]:
    """Codes above ``code`` in its scheme's tree (GB/T 2260: 450206 → 450200, 450000)."""
    scheme = vocab.schemes.get(code[0] or "")
    if scheme is None or scheme.hierarchy != "gbt2260" or len(code[1]) != 6:
        return set()
    value = code[1]
    out = set()
    if value[4:] != "00":
        out.add((code[0], value[:4] + "00"))
    if value[2:] != "0000":
        out.add((code[0], value[:2] + "0000"))
    return out
