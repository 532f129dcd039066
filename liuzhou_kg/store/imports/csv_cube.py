"""Regional statistics in CSV → Data Cube observations, through a declarative YAML mapping.

The mapping (``graph/mappings/regional-statistics.yaml`` is the documented example) says which
columns a row has, how the observation, area, period, indicator and unit IRIs are made from them,
which of those must already exist in the store, the measures with their datatypes, and constant
attributes. The observations share Liuzhou's structure (``qb:structure`` of the data set), so one
query compares cities. Every problem names the CSV line and column; nothing is written then.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import yaml

from ...core import namespaces
from ...core.errors import InputError, Problem, yaml_problem
from .catalogue import check_graph_iri
from .limits import _DECIMAL, MAX_DECIMAL_DIGITS
from .literals import LiteralChanges
from .write import ImportResult, write_graph

RDF_TYPE = str(namespaces.RDF.type)
RDFS_LABEL = str(namespaces.RDFS.label)
SKOS_NOTATION = str(namespaces.SKOS.notation)
QB = str(namespaces.QB)
SDMX_DIMENSION = str(namespaces.SDMX_DIMENSION)
LZO = str(namespaces.LZO._NS)
XSD = str(namespaces.XSD)
DEFAULT_GRAPH = str(namespaces.LZG["import/regional-statistics"])


@dataclass
class Mapping:
    """A loaded CSV-to-Data-Cube mapping file, with helpers that fail naming the file."""

    path: Path
    data: dict

    def term(self, text: str, where: str = "") -> str:
        prefix, sep, local = text.partition(":")
        prefixes = self.data.get("prefixes", {})
        if sep and prefix in prefixes:
            return prefixes[prefix] + local
        if re.match(r"^https?://", text):
            return text
        raise InputError([Problem(self.path, None, f"{where}: unknown prefix in {text!r}")])

    def section(self, key: str) -> dict:
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise InputError([Problem(self.path, None, f"the mapping needs a {key!r} section")])
        return value


def load_mapping(path: Path) -> Mapping:
    """Read the YAML mapping at ``path`` and check that it has every required section.

    Raises ``InputError`` naming the file (with line and column for malformed YAML) when the file is
    missing, is not a YAML mapping, or lacks one of ``columns``, ``dataset``, ``observation``,
    ``area``, ``period``, ``indicator``, ``unit`` or ``measures``.
    """
    if not path.is_file():
        raise InputError([Problem(path, None, "no such mapping file")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(path, None, "a mapping is a YAML mapping")])
    for key in ("columns", "dataset", "observation", "area", "period", "indicator", "unit", "measures"):
        if key not in data:
            raise InputError([Problem(path, None, f"the mapping needs {key!r}")])
    return Mapping(path, data)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _fill(mapping: Mapping, template: str, row: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        column = match.group(1)
        if column not in row:
            raise InputError([Problem(mapping.path, None, f"template {template!r} names the unknown "
                                                          f"column {column!r}")])
        return _slug(row[column])
    return mapping.term(re.sub(r"\{([^}]+)\}", one, template), template)


def _exists(store: ox.Store, iri: str) -> bool:
    return next(iter(store.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None) is not None


def _has_type(store: ox.Store, iri: str, cls: str) -> bool:
    return next(iter(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDF_TYPE),
                                             ox.NamedNode(cls), None)), None) is not None


def _object(store: ox.Store, iri: str, prop: str):
    quad = next(iter(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(prop), None, None)), None)
    return quad.object if quad is not None else None


def _by_notation(store: ox.Store, code: str, datatype: str) -> str | None:
    literal = ox.Literal(code, datatype=ox.NamedNode(datatype))
    for quad in store.quads_for_pattern(None, ox.NamedNode(SKOS_NOTATION), literal, None):
        if isinstance(quad.subject, ox.NamedNode):
            return quad.subject.value
    return None


def rows_to_quads(store: ox.Store, csv_path: Path, mapping: Mapping) -> list[tuple]:
    """Validate every row and return (s, p, o) triples of pyoxigraph terms, or raise with all problems."""
    problems: list[Problem] = []
    triples: list[tuple] = []
    columns = list(mapping.data["columns"])
    optional = set(mapping.data.get("optional", []))
    area_spec = mapping.section("area")
    period_spec = mapping.section("period")
    indicator_spec = mapping.section("indicator")
    unit_spec = mapping.section("unit")
    dataset_spec = mapping.section("dataset")
    observation_spec = mapping.section("observation")
    observation_types = [ox.NamedNode(mapping.term(t, "observation")) for t in
                         observation_spec.get("types", [QB + "Observation"])]
    dataset = ox.NamedNode(mapping.term(dataset_spec["iri"], "dataset"))
    structure = ox.NamedNode(mapping.term(dataset_spec["structure"], "dataset"))
    if not _exists(store, structure.value):
        raise InputError([Problem(mapping.path, None, f"the structure <{structure.value}> is not in the "
                                                      "store; import into the built store")])
    triples.append((dataset, ox.NamedNode(RDF_TYPE), ox.NamedNode(QB + "DataSet")))
    triples.append((dataset, ox.NamedNode(QB + "structure"), structure))
    for lang, text in (dataset_spec.get("label") or {}).items():
        triples.append((dataset, ox.NamedNode(RDFS_LABEL), ox.Literal(text, language=lang)))
    seen_obs: dict[str, int] = {}
    areas_done: set[str] = set()
    try:
        handle = csv_path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise InputError([Problem(csv_path, None, f"cannot read: {err}")]) from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in columns + sorted(optional) if c not in header]
        if missing:
            raise InputError([Problem(csv_path, 1, f"missing column(s): {', '.join(missing)}")])
        for row in reader:
            line = reader.line_num
            row = {k: (v or "").strip() for k, v in row.items() if k is not None}

            def bad(column: str, message: str) -> None:
                problems.append(Problem(csv_path, line, message, header.index(column) + 1))

            empty = [c for c in columns if not row.get(c)]
            for column in empty:
                bad(column, f"empty {column!r}")
            if empty:
                continue
            obs = ox.NamedNode(_fill(mapping, observation_spec["template"], row))
            if obs.value in seen_obs:
                bad(columns[0], f"a second row for the same observation (first on line {seen_obs[obs.value]})")
                continue
            seen_obs[obs.value] = line
            # area
            area_iri = None
            reuse = area_spec.get("reuse_by_notation")
            if reuse:
                area_iri = _by_notation(store, row[reuse["column"]], mapping.term(reuse["datatype"]))
            if area_iri is None:
                area_iri = _fill(mapping, area_spec["template"], row)
                if area_iri not in areas_done:
                    area = ox.NamedNode(area_iri)
                    if "type" in area_spec:
                        triples.append((area, ox.NamedNode(RDF_TYPE), ox.NamedNode(mapping.term(area_spec["type"]))))
                    for lang, column in (area_spec.get("labels") or {}).items():
                        if row.get(column):
                            triples.append((area, ox.NamedNode(RDFS_LABEL), ox.Literal(row[column], language=lang)))
                    notation = area_spec.get("notation")
                    if notation:
                        triples.append((area, ox.NamedNode(SKOS_NOTATION), ox.Literal(
                            row[notation["column"]], datatype=ox.NamedNode(mapping.term(notation["datatype"])))))
            areas_done.add(area_iri)
            refs = {}
            ok = True
            for name, spec, column in (("period", period_spec, "year"), ("indicator", indicator_spec, "indicator"),
                                       ("unit", unit_spec, "unit")):
                iri = _fill(mapping, spec["template"], row)
                col = re.search(r"\{([^}]+)\}", spec["template"]).group(1)
                if spec.get("must_exist") and not _exists(store, iri):
                    bad(col, f"{name} {row[col]!r}: <{iri}> is not in the store")
                    ok = False
                elif "type" in spec and not _has_type(store, iri, mapping.term(spec["type"])):
                    bad(col, f"{name} {row[col]!r}: <{iri}> is not a {spec['type']}")
                    ok = False
                refs[name] = iri
            if not ok:
                continue
            measures = []
            for measure in mapping.data["measures"]:
                text = row.get(measure["column"], "")
                if not text:
                    if measure["column"] not in optional:
                        bad(measure["column"], f"empty {measure['column']!r}")
                        ok = False
                    continue
                number = _strict_decimal(text)
                if number is None:
                    bad(measure["column"], f"{measure['column']} {text[:40]!r} is not a decimal number "
                                           f"(digits with an optional sign and point, at most "
                                           f"{MAX_DECIMAL_DIGITS} digits; no exponent, NaN or Infinity)")
                    ok = False
                    continue
                measures.append((measure, number))
            if not ok:
                continue
            o = lambda iri: ox.NamedNode(iri)  # noqa: E731
            triples += [(obs, o(RDF_TYPE), t) for t in observation_types]
            triples += [
                (obs, o(QB + "dataSet"), dataset),
                (obs, o(SDMX_DIMENSION + "refArea"), o(area_iri)),
                (obs, o(LZO + "refEntity"), o(area_iri)),
                (obs, o(SDMX_DIMENSION + "refPeriod"), o(refs["period"])),
                (obs, o(LZO + "indicator"), o(refs["indicator"])),
                (obs, o(LZO + "statedUnit"), o(refs["unit"])),
            ]
            for measure, number in measures:
                triples.append((obs, o(mapping.term(measure["property"])),
                                ox.Literal(_decimal(number), datatype=o(mapping.term(measure["datatype"])))))
                if measure["property"] == "lzo:statedValue":
                    factor = _object(store, refs["unit"], LZO + "conversionFactor")
                    base_unit = _object(store, refs["unit"], LZO + "baseUnit")
                    if factor is not None and base_unit is not None:
                        triples.append((obs, o(LZO + "baseValue"), ox.Literal(
                            _decimal(number * Decimal(factor.value)), datatype=o(XSD + "decimal"))))
                        triples.append((obs, o(LZO + "baseUnit"), base_unit))
            for prop, value in (mapping.data.get("constants") or {}).items():
                triples.append((obs, o(mapping.term(prop)), o(mapping.term(value))))
    if problems:
        raise InputError(problems)
    if not seen_obs:
        raise InputError([Problem(csv_path, None, "no data rows")])
    return triples




def _strict_decimal(text: str) -> Decimal | None:
    """The xsd:decimal lexical form only: no exponent (1e999990 would be a million digits), no
    NaN or Infinity (not decimals), at most MAX_DECIMAL_DIGITS digits."""
    if len(text) > MAX_DECIMAL_DIGITS + 2 or not _DECIMAL.fullmatch(text):
        return None
    if sum(ch.isdigit() for ch in text) > MAX_DECIMAL_DIGITS:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _decimal(number: Decimal) -> str:
    return format(number.normalize(), "f")


def import_csv(store_dir: Path, csv_path: Path, mapping_path: Path, *, graph_iri: str | None = None,
               replace: bool = False, license_iri: str | None = None, create: bool = False) -> ImportResult:
    """Import the CSV ``csv_path`` through the mapping into the store folder ``store_dir`` (all or
    nothing, like every import: see liuzhou_kg.store.imports.write)."""
    from .limits import check_text_file

    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise InputError([Problem(csv_path, None, "no such file")])
    mapping = load_mapping(Path(mapping_path))
    graph = check_graph_iri(graph_iri or mapping.data.get("graph") or DEFAULT_GRAPH)
    if license_iri is None:
        raise InputError([Problem(csv_path, None, "a CSV states no licence; pass --license IRI")])
    check_text_file(csv_path)

    literals = LiteralChanges()  # a mapped datatype the store writes as another (xsd:int …)

    def load(store: ox.Store, target: ox.NamedNode) -> None:
        triples = rows_to_quads(store, csv_path, mapping)
        for _, _, value in triples:
            if isinstance(value, ox.Literal):
                literals.observe(value)
        store.extend(ox.Quad(s, p, o, target) for s, p, o in triples)

    return write_graph(store_dir, graph, load, replace=replace, source=csv_path.resolve().as_uri(),
                       title=csv_path.name, license=license_iri, media_type="text/csv", create=create,
                       literals=literals)
