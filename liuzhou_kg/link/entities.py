"""Entities of a dataset as the linker sees them: names, codes, same-as IRIs, a category, parents.

A dataset is an RDF file (any syntax pyoxigraph reads), a SPARQL endpoint URL with a CONSTRUCT
query, or a gazetteer built from an installed package (``gazetteer:NAME``); either way it is read
into an in-memory pyoxigraph store and the entities are taken from the union of its graphs. What
counts as a name, a code, a type or a parent is declared in ``graph/mappings/link-vocabulary.yaml``.
"""
from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..core.errors import InputError, Problem, yaml_problem
from ..core.hierarchy import superclass_closure
from ..store.imports.rdf_input import load_into, rdf_format_for_media_type, syntax_problem
from ..core.paths import GRAPH_DIR
from .normalize import MAX_LABELS, LabelKeys, label_keys, label_variants

VOCABULARY = GRAPH_DIR / "mappings" / "link-vocabulary.yaml"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
CONTEXT_DEPTH = 3
MAX_CODE_LENGTH = 64  # a longer "code" is not a code


@dataclass(frozen=True)
class Scheme:
    """A code scheme: how its codes are recognised and normalised, and whether they nest."""

    name: str
    datatypes: frozenset[str]
    properties: frozenset[str]
    pattern: re.Pattern
    replacement: str
    hierarchy: str | None
    conflicts: bool = True  # two different codes of this scheme mean two different things
    categories: tuple[tuple[re.Pattern, str], ...] = ()  # code pattern → category of the thing

    def category(self, value: str) -> str | None:
        """The category a code of this scheme implies (GB/T 2260 450200 → city), if any."""
        for pattern, name in self.categories:
            if pattern.match(value):
                return name
        return None

    def normalize(self, value: str) -> str | None:
        """The normalised code, or None when ``value`` is not a code of this scheme."""
        text = value.strip().upper()
        if not self.pattern.match(text):
            return None
        return self.pattern.sub(self.replacement, text)


@dataclass(frozen=True)
class Vocabulary:
    """The parsed mapping file: which properties and classes mean what to the linker."""

    label_groups: dict[str, dict[str, tuple[str, ...]]]  # vocabulary → kind → properties
    description_properties: tuple[str, ...]
    schemes: dict[str, Scheme]
    identifier_groups: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # → (properties, guess)
    same_as: tuple[str, ...]
    iri_schemes: tuple[tuple[str, re.Pattern], ...]
    pv_nodes: tuple[str, ...]
    pv_scheme: tuple[str, ...]
    pv_value: tuple[str, ...]
    type_properties: tuple[str, ...]
    parent_properties: tuple[str, ...]
    country_properties: tuple[str, ...]
    exclude_types: frozenset[str]
    categories: tuple[tuple[str, frozenset[str]], ...]
    weak_categories: frozenset[str]
    compatible: dict[frozenset[str], float]
    unknown: float

    @cached_property
    def label_properties(self) -> dict[str, str]:
        """Each label property → its kind ("preferred" or "alternate"); preferred wins."""
        out: dict[str, str] = {}
        for kinds in self.label_groups.values():
            for kind, props in kinds.items():
                for prop in props:
                    if out.get(prop) != "preferred":
                        out[prop] = kind
        return out

    @cached_property
    def identifier_properties(self) -> dict[str, tuple[str, ...]]:
        """Each identifier property → the schemes tried on its untyped values."""
        out: dict[str, tuple[str, ...]] = {}
        for props, guess in self.identifier_groups.values():
            for prop in props:
                out[prop] = tuple(dict.fromkeys(out.get(prop, ()) + guess))
        for scheme in self.schemes.values():
            for prop in scheme.properties:
                out.setdefault(prop, ())
        return out


def load_vocabulary(path: Path) -> Vocabulary:
    """Parse a link-vocabulary mapping file; a bad entry is an InputError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the link vocabulary: {err}")]) from err
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err, "cannot read the link vocabulary: ")]) from err
    if not isinstance(data, dict):
        raise InputError([Problem(path, None, "the link vocabulary is not a mapping")])
    prefixes = data.get("prefixes") or {}

    def expand(term: str) -> str:
        if not isinstance(term, str):
            raise InputError([Problem(path, None, f"not a term: {term!r}")])
        if term.startswith(("http://", "https://")):
            return term
        prefix, sep, local = term.partition(":")
        if sep and prefix in prefixes:
            return prefixes[prefix] + local
        raise InputError([Problem(path, None, f"unknown prefix in {term!r}")])

    def terms(values) -> tuple[str, ...]:
        return tuple(expand(t) for t in (values or ()))

    try:
        schemes = {}
        for name, spec in data["schemes"].items():
            try:
                pattern = re.compile(spec["pattern"])
            except re.error as err:
                raise InputError([Problem(path, None, f"scheme {name}: bad pattern: {err}")]) from err
            schemes[name] = Scheme(name, frozenset(terms(spec.get("datatypes"))),
                                   frozenset(terms(spec.get("properties"))), pattern,
                                   spec.get("normalize", r"\g<0>").replace("\\1", r"\g<1>"),
                                   spec.get("hierarchy"), bool(spec.get("conflicts", True)),
                                   tuple((re.compile(p), c) for p, c in
                                         (spec.get("categories") or {}).items()))
        identifier_groups = {}
        for group, spec in data["identifiers"].items():
            unknown = [g for g in spec.get("guess", ()) if g not in schemes]
            if unknown:
                raise InputError([Problem(path, None, f"identifiers/{group}: unknown scheme(s) "
                                                      f"{', '.join(unknown)}")])
            identifier_groups[group] = (terms(spec["properties"]), tuple(spec.get("guess", ())))
        iri_schemes = []
        for name, pattern in (data.get("iri_schemes") or {}).items():
            if name not in schemes:
                raise InputError([Problem(path, None, f"iri_schemes: unknown scheme {name}")])
            iri_schemes.append((name, re.compile(pattern)))
        pv = data.get("property_values") or {}
        return Vocabulary(
            label_groups={group: {kind: terms(props) for kind, props in kinds.items()}
                          for group, kinds in data["labels"].items()},
            description_properties=terms(data.get("descriptions")),
            schemes=schemes,
            identifier_groups=identifier_groups,
            same_as=terms(data.get("same_as")),
            iri_schemes=tuple(iri_schemes),
            pv_nodes=terms(pv.get("node")), pv_scheme=terms(pv.get("scheme")),
            pv_value=terms(pv.get("value")),
            type_properties=terms(data["type_properties"]),
            parent_properties=terms(data["parent_properties"]),
            country_properties=terms(data.get("country_properties")),
            exclude_types=frozenset(terms(data["exclude_types"])),
            categories=tuple((name, frozenset(terms(members)))
                             for name, members in data["categories"].items()),
            weak_categories=frozenset(data.get("weak_categories") or ()),
            compatible={frozenset((a, b)): float(f) for a, b, f in data["compatible"]},
            unknown=float(data["unknown"]),
        )
    except KeyError as err:
        raise InputError([Problem(path, None, f"the link vocabulary lacks the key {err.args[0]!r}")]) from err
    except (TypeError, ValueError, AttributeError) as err:
        raise InputError([Problem(path, None, f"bad link vocabulary: {err}")]) from err


@lru_cache(maxsize=None)
def vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    """The project's link vocabulary (cached)."""
    return load_vocabulary(path)


Code = tuple[str | None, str]  # (scheme or None when unknown, normalised value)


@dataclass
class Entity:
    """One thing to link: its IRI, names, codes, same-as IRIs, category and hierarchy."""

    iri: str
    labels: list[LabelKeys]
    category: str | None
    context: set[str] = field(default_factory=set)  # normalised names of the places it is in
    near: set[str] = field(default_factory=set)  # … of the places it is directly in
    codes: set[Code] = field(default_factory=set)
    same_as: set[str] = field(default_factory=set)  # its own IRI and the IRIs said to be it
    parents: set[str] = field(default_factory=set)  # IRIs of what it is directly in
    ancestors: set[str] = field(default_factory=set)  # IRIs of what it is in (3 steps up)
    ancestor_codes: set[Code] = field(default_factory=set)  # codes of those, and of the code tree
    types: set[str] = field(default_factory=set)  # its classes with their superclasses
    description: str = ""

    @property
    def legal_form(self) -> str | None:
        """"group" if any name says so, else "listed", else "company", else None."""
        forms = {k.legal_form for k in self.labels}
        for form in ("group", "listed", "company"):
            if form in forms:
                return form
        return None

    @property
    def name(self) -> str:
        """The first name read (the preferred one when there is one)."""
        return self.labels[0].label if self.labels else self.iri


def read_dataset(source: str, query: str | None = None, timeout: float = 60.0) -> ox.Store:
    """An RDF file, a SPARQL endpoint (http/https URL) asked a CONSTRUCT ``query``, or a gazetteer."""
    if source.startswith("gazetteer:"):
        from .gazetteers import gazetteer_store

        if query:
            raise InputError([Problem(source, None, "--query applies to a SPARQL endpoint URL")])
        return gazetteer_store(source.partition(":")[2])
    if source.startswith(("http://", "https://")):
        if not query:
            raise InputError([Problem(source, None,
                                      "a SPARQL endpoint needs --query FILE.rq (a CONSTRUCT query)")])
        return _read_endpoint(source, query, timeout)
    if query:
        raise InputError([Problem(source, None, "--query applies to a SPARQL endpoint URL, not a file")])
    store = ox.Store()
    load_into(store, Path(source))
    return store


def _read_endpoint(url: str, query: str, timeout: float) -> ox.Store:
    import httpx

    headers = {"Accept": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"}
    try:
        response = httpx.post(url, data={"query": query}, headers=headers, timeout=timeout)
    except httpx.HTTPError as err:
        raise InputError([Problem(url, None, f"endpoint unreachable: {err}")]) from err
    if response.status_code != 200:
        raise InputError([Problem(url, None, f"endpoint answered HTTP {response.status_code}: "
                                              f"{response.text[:300]}")])
    fmt = rdf_format_for_media_type(response.headers.get("content-type", ""))
    if fmt is None:
        raise InputError([Problem(url, None, "endpoint did not answer with RDF (is the query a "
                                              f"CONSTRUCT?): {response.headers.get('content-type')}")])
    store = ox.Store()
    try:
        store.load(response.content, format=fmt)
    except SyntaxError as err:
        raise InputError([syntax_problem(url, err)]) from err
    return store


def _union(store: ox.Store, s=None, p=None, o=None):
    return store.quads_for_pattern(s, p, o, None)


def superclasses(store: ox.Store, extra: ox.Store | None = None) -> dict[str, set[str]]:
    """Each class IRI → itself and its superclasses (rdfs:subClassOf*), from both stores."""
    direct: dict[str, set[str]] = defaultdict(set)
    for st in (store, extra):
        if st is None:
            continue
        for q in _union(st, p=ox.NamedNode(SUBCLASS)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                direct[q.subject.value].add(q.object.value)
    return superclass_closure(direct)


def category_of(types: set[str], closure: dict[str, set[str]], vocab: Vocabulary) -> str | None:
    """The first category of the mapping that one of ``types`` (or a superclass) belongs to."""
    expanded = _expand(types, closure)
    for name, members in vocab.categories:
        if expanded & members:
            return name
    return None


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


def entities(store: ox.Store, *, namespace: str | None = None, ontology: ox.Store | None = None,
             vocab: Vocabulary | None = None, shard: tuple[int, int] = (0, 1)) -> list[Entity]:
    """The named IRIs of ``store`` (optionally only those starting with ``namespace``).

    ``shard=(i, n)`` keeps the i-th of n disjoint parts (by a hash of the IRI), so that n
    processes can share the work on a large dataset."""
    vocab = vocab or vocabulary()
    labels: dict[str, list[str]] = defaultdict(list)
    label_props = vocab.label_properties
    for kind in ("preferred", "alternate"):
        for prop, prop_kind in label_props.items():
            if prop_kind != kind:
                continue
            for q in _union(store, p=ox.NamedNode(prop)):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    if namespace and not q.subject.value.startswith(namespace):
                        continue
                    names = labels[q.subject.value]
                    if len(names) < MAX_LABELS and q.object.value not in names:
                        names.append(q.object.value)
    codes: dict[str, set[Code]] = defaultdict(set)
    for prop in vocab.identifier_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                code = code_of(q.object.value, q.object.datatype.value, prop, vocab)
                if code is not None and len(codes[q.subject.value]) < MAX_LABELS:
                    codes[q.subject.value].add(code)
    _property_value_codes(store, vocab, codes)
    same: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.same_as:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                same[q.subject.value].add(q.object.value)
    descriptions: dict[str, str] = {}
    for prop in vocab.description_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.object, ox.Literal) and q.subject.value not in descriptions:
                descriptions[q.subject.value] = q.object.value[:200]
    types: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.type_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                types[q.subject.value].add(q.object.value)
    parents: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.parent_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                parents[q.subject.value].add(q.object.value)
    countries: set[str] = set()
    for prop in vocab.country_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.object, ox.NamedNode):
                countries.add(q.object.value)
    closure = superclasses(store, ontology)

    by_types: dict[frozenset[str], tuple[frozenset[str], str | None]] = {}

    def typing(iri: str) -> tuple[frozenset[str], str | None]:
        """The classes of ``iri`` with their superclasses, and their category (once per set)."""
        key = frozenset(types.get(iri, ()))
        found = by_types.get(key)
        if found is None:
            expanded = frozenset(_expand(set(key), closure))
            found = by_types[key] = (expanded, category_of(set(key), closure, vocab))
        return found

    def category(iri: str) -> str | None:
        found = typing(iri)[1]
        if iri in countries and found in (None, "place"):
            return "country"  # what gn:parentCountry points to is a country, whatever its type
        if found is None or found in vocab.weak_categories:
            for scheme, value in sorted(codes.get(iri, ()), key=str):
                spec = vocab.schemes.get(scheme or "")
                implied = spec.category(value) if spec else None
                if implied:
                    return implied  # a code list files a city as a concept; its code says city
        return found

    keys_cache: dict[str, list[LabelKeys]] = {}

    def keys_of(iri: str) -> list[LabelKeys]:
        if iri not in keys_cache:
            keys: list[LabelKeys] = []
            for text in labels.get(iri, ()):
                for variant in label_variants(text):
                    if len(keys) < MAX_LABELS:
                        keys.append(label_keys(variant))
            keys_cache[iri] = keys
        return keys_cache[iri]

    codes_cache: dict[str, frozenset[Code]] = {}

    def all_codes(iri: str) -> frozenset[Code]:
        found = codes_cache.get(iri)
        if found is None:
            out = set(codes.get(iri, ())) | iri_codes(iri, vocab)
            for other in same.get(iri, ()):
                out |= iri_codes(other, vocab)
            found = codes_cache[iri] = frozenset(out)
        return found

    place_cache: dict[str, tuple[frozenset[str], bool]] = {}

    def place_names(place: str) -> tuple[frozenset[str], bool]:
        """The short names and pinyin of a place, and whether it is a country (computed once)."""
        found = place_cache.get(place)
        if found is None:
            names = frozenset(x for k in keys_of(place) for x in (k.short, k.pinyin) if x)
            found = place_cache[place] = (names, category(place) == "country")
        return found

    result = []
    empty: frozenset = frozenset()
    part, parts = shard
    for iri in labels:
        if parts > 1 and zlib.crc32(iri.encode("utf-8")) % parts != part:
            continue
        expanded = typing(iri)[0]
        if expanded & vocab.exclude_types:
            continue
        context: set[str] = set()
        near: set[str] = set()
        ancestors: set[str] = set()
        ancestor_codes: set[Code] = set()
        frontier, seen = parents.get(iri, empty), {iri}
        for depth in range(CONTEXT_DEPTH):
            nxt: set[str] = set()
            for place in frontier:
                if place in seen:
                    continue
                seen.add(place)
                ancestors.add(place)
                ancestors |= same.get(place, empty)
                ancestor_codes |= all_codes(place)
                names, is_country = place_names(place)
                context |= names
                # A country is too coarse to place a thing: GeoNames gives every feature
                # its country directly, so a village in Guangdong would "agree" with Liuzhou.
                if depth == 0 and not is_country:
                    near |= names
                nxt |= parents.get(place, empty)
            if not nxt:
                break
            frontier = nxt
        own_codes = set(all_codes(iri))
        for code in own_codes:
            ancestor_codes |= code_ancestors(code, vocab)
        result.append(Entity(
            iri, keys_of(iri), category(iri), context, near,
            codes=own_codes, same_as={iri} | same.get(iri, empty),
            parents=set(parents.get(iri, ())), ancestors=ancestors,
            ancestor_codes=ancestor_codes, types=set(expanded), description=descriptions.get(iri, "")))
    return result


def _property_value_codes(store: ox.Store, vocab: Vocabulary, codes: dict[str, set[Code]]) -> None:
    """Codes given as schema:identifier [ schema:propertyID "…" ; schema:value "…" ]."""
    for prop in vocab.pv_nodes:
        for q in _union(store, p=ox.NamedNode(prop)):
            if not isinstance(q.subject, ox.NamedNode) or isinstance(q.object, ox.Literal):
                continue
            scheme = value = None
            for sp in vocab.pv_scheme:
                for s in _union(store, s=q.object, p=ox.NamedNode(sp)):
                    scheme = scheme_named(s.object.value, vocab)
            for vp in vocab.pv_value:
                for v in _union(store, s=q.object, p=ox.NamedNode(vp)):
                    if isinstance(v.object, ox.Literal):
                        value = v.object.value
            if value is None or len(value) > MAX_CODE_LENGTH:
                continue
            if scheme is not None:
                normalised = vocab.schemes[scheme].normalize(value)
                codes[q.subject.value].add((scheme, normalised) if normalised
                                           else (None, value.strip().upper()))
            else:
                codes[q.subject.value].add(code_of(value, None, prop, vocab)
                                           or (None, value.strip().upper()))


def _expand(types: set[str], closure: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for t in types:
        out |= closure.get(t, {t})
    return out
