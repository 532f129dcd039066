"""The link vocabulary: which properties and classes mean what to the linker, and the code schemes.

What counts as a name, a code, a type or a parent is declared in
``graph/mappings/link-vocabulary.yaml``; :func:`load_vocabulary` parses such a file into a
:class:`Vocabulary` (with its :class:`Scheme` of codes), and :func:`vocabulary` is the project's
own, read once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from ..core.errors import InputError, Problem, yaml_problem
from ..core.layout import Layout

VOCABULARY = Layout.default().link_vocabulary


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
