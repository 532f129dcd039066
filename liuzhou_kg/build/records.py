"""Load the curated fact records (``graph/facts/*.yaml`` and ``*.csv``) with their line numbers.

A record states facts about one subject and cites the sentence(s) they come from with ``quote``.
This module only parses and checks the *shape* of records; what the keys mean is decided in
``to_rdf``, against the ontology. Every problem is reported as ``file:line: what``.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..core.errors import InputError, Problem, yaml_problem

# Keys every record may have; every other key names a property. `status` and `reason` are review
# metadata of records drafted by `liuzhou-kg draft`: they state no fact.
RESERVED = {"id", "about", "type", "label", "altLabel", "hiddenLabel", "note", "quote", "status", "reason"}
REVIEW_STATUSES = ("draft", "confirmed")
LANGUAGES = ("zh", "en")
OBSERVATION_COLUMNS = [
    "id", "indicator", "area", "entity", "period", "value", "unit", "growth_rate",
    "qualifier", "share_of", "threshold_passing_order", "quote", "context_quote",
]
OBSERVATION_REQUIRED = ["id", "indicator", "area", "entity", "period", "value", "unit", "qualifier", "quote"]


@dataclass
class Value:
    """A value as written in a record: a string, number, language map or list of those."""

    data: Any
    line: int


@dataclass
class Record:
    """One curated fact record (an entity or an observation) as read from a YAML or CSV file.

    ``file`` and ``line`` locate it for error messages. ``subject`` is the id of what it describes:
    ``is_new`` is true for ``id:`` (the record mints the entity) and false for ``about:`` (it adds to
    one defined elsewhere). Labels and notes map a language tag to text; ``quotes`` are the source
    sentences it cites, and ``properties`` the remaining keys with their values.
    """

    file: Path
    line: int
    subject: str  # the id of the subject
    is_new: bool  # True for `id:` (mints the entity), False for `about:`
    kind: str  # "entity" or "observation"
    type: str | None = None
    label: dict[str, str] = field(default_factory=dict)
    alt_label: dict[str, str] = field(default_factory=dict)
    hidden_label: dict[str, str] = field(default_factory=dict)  # a form the text uses that is no name (自治区)
    note: dict[str, str] = field(default_factory=dict)  # an editorial note: what is inferred or outside the text
    quotes: list[Value] = field(default_factory=list)
    properties: dict[str, Value] = field(default_factory=dict)

    def where(self, line: int | None = None) -> tuple[Path, int]:
        return self.file, line or self.line


def load_records(directory: Path) -> list[Record]:
    """Every record under ``directory``, in file order; raises InputError listing all problems."""
    records: list[Record] = []
    problems: list[Problem] = []
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.csv"))
    if not files:
        raise InputError([Problem(directory, None, "no fact files (*.yaml, *.csv) found")])
    for path in files:
        try:
            loaded = _load_yaml(path) if path.suffix == ".yaml" else _load_csv(path)
        except InputError as err:
            problems.extend(err.problems)
            continue
        records.extend(loaded)
    problems.extend(_duplicate_ids(records))
    if problems:
        raise InputError(problems)
    return records


# ---------------------------------------------------------------- YAML
def _load_yaml(path: Path) -> list[Record]:
    text = _read_text(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    if root is None:
        return []
    if not isinstance(root, SequenceNode):
        raise InputError([Problem(path, _line(root), "expected a list of records")])
    records, problems = [], []
    for node in root.value:
        try:
            records.append(_record_from_node(path, node))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return records


def _record_from_node(path: Path, node) -> Record:
    if not isinstance(node, MappingNode):
        raise InputError([Problem(path, _line(node), "a record must be a mapping of keys to values")])
    problems: list[Problem] = []
    entries: dict[str, Value] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str) or not key:
            problems.append(Problem(path, _line(key_node), "record keys must be plain names"))
            continue
        if key in entries:
            problems.append(Problem(path, _line(key_node), f"duplicate key {key!r} in one record"))
            continue
        entries[key] = Value(_plain(path, value_node, problems), _line(value_node))
    line = _line(node)
    if problems:
        raise InputError(problems)
    if "id" in entries and entries.get("type", Value(None, line)).data == "Observation":
        return _observation_from_entries(path, line, entries)
    return _record_from_entries(path, line, entries, kind="entity")


# Keys of an observation written in YAML (as `liuzhou-kg draft` writes them): the columns of
# observations.csv, with `quote` a text or a list (main sentence first, then context sentences), and
# the review metadata. The label is generated from the observation's dimensions, as for a CSV row.
OBSERVATION_YAML_KEYS = ({c for c in OBSERVATION_COLUMNS if c != "context_quote"}
                         | {"type", "status", "reason", "note"})


def _observation_from_entries(path: Path, line: int, entries: dict[str, Value]) -> Record:
    """An observation record from a YAML mapping with the keys of an observations.csv row.

    Raises InputError (file:line) for a key that is no column (``label`` included: observation
    labels are generated) and for a missing required column.
    """
    problems = []
    subject = entries["id"].data
    for key, value in entries.items():
        if key == "label":
            problems.append(Problem(path, value.line, f"observation {subject!r}: remove `label`; an observation's "
                                                      "labels are generated from its indicator, entity and period"))
        elif key not in OBSERVATION_YAML_KEYS:
            problems.append(Problem(path, value.line, f"observation {subject!r}: {key!r} is not a key of an "
                                                      f"observation; expected {', '.join(sorted(OBSERVATION_YAML_KEYS))}"))
    missing = [c for c in OBSERVATION_REQUIRED if c not in entries or entries[c].data in (None, "")]
    if missing:
        problems.append(Problem(path, line, f"observation {subject!r} lacks {', '.join(missing)}"))
    for key, value in entries.items():
        if key in OBSERVATION_COLUMNS and key != "quote" and not isinstance(value.data, (str, type(None))):
            problems.append(Problem(path, value.line, f"observation {subject!r}: `{key}` must be one value, got {value.data!r}"))
    if problems:
        raise InputError(problems)
    given = {k: v for k, v in entries.items() if v.data is not None}
    record = _record_from_entries(path, line, {**given, "label": Value({"zh": "-", "en": "-"}, line)}, "observation")
    record.label = {}  # generated from the dimensions, as for a row of observations.csv
    return record


def _plain(path: Path, node, problems: list[Problem]) -> Any:
    """The node as plain Python data (strings kept as written: no YAML type guessing for ids)."""
    if isinstance(node, ScalarNode):
        if node.tag.endswith(":null") or (node.value == "" and node.style is None):
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_plain(path, item, problems) for item in node.value]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in out:
                problems.append(Problem(path, _line(key_node), f"duplicate key {key!r}"))
            out[key] = _plain(path, value_node, problems)
        return out
    return None


def _record_from_entries(path: Path, line: int, entries: dict[str, Value], kind: str) -> Record:
    problems: list[Problem] = []
    has_id, has_about = "id" in entries, "about" in entries
    if has_id == has_about:
        raise InputError([Problem(path, line, "a record needs exactly one of `id` (a new entity) or `about` (an existing one)")])
    subject_value = entries["id"] if has_id else entries["about"]
    subject = subject_value.data
    if not isinstance(subject, str) or not _is_slug(subject):
        problems.append(Problem(path, subject_value.line,
                                f"identifier {subject!r} must be an ASCII slug (lower-case letters, digits and hyphens)"))
    record = Record(path, line, str(subject), has_id, kind)
    problems.extend(_review_status(path, entries, subject))
    if has_id:
        if "type" not in entries:
            problems.append(Problem(path, line, f"record {subject!r} has no `type`"))
        else:
            record.type = entries["type"].data
        if "label" not in entries:
            problems.append(Problem(path, line, f"record {subject!r} has no `label`"))
    elif "type" in entries or "label" in entries:
        problems.append(Problem(path, line, f"an `about` record adds statements only; give `type` and `label` where {subject!r} is defined"))
    for key, attribute in (("label", "label"), ("altLabel", "alt_label"), ("hiddenLabel", "hidden_label"), ("note", "note")):
        if key in entries:
            required = LANGUAGES if key in ("label", "note") else ()
            setattr(record, attribute, _language_map(path, entries[key], key, problems, required=required))
    if "quote" not in entries:
        problems.append(Problem(path, line, f"record {subject!r} cites no sentence: add `quote`"))
    else:
        quote = entries["quote"]
        quotes = quote.data if isinstance(quote.data, list) else [quote.data]
        for text in quotes:
            if not isinstance(text, str) or not text.strip():
                problems.append(Problem(path, quote.line, "`quote` must be text (or a list of texts) from the source"))
            else:
                record.quotes.append(Value(text, quote.line))
    record.properties = {k: v for k, v in entries.items() if k not in RESERVED}
    if problems:
        raise InputError(problems)
    return record


def _review_status(path: Path, entries: dict[str, Value], subject) -> list[Problem]:
    """Refuse a drafted record that no person has reviewed (`status: draft`)."""
    status = entries.get("status")
    if status is None or status.data == "confirmed":
        return []
    if status.data == "draft":
        return [Problem(path, status.line, f"record {subject!r} is a draft nobody has reviewed: check it against "
                                           "its quote, then set `status: confirmed` (or remove the field), or remove the record")]
    return [Problem(path, status.line, f"record {subject!r} has status {status.data!r}; "
                                       f"expected one of {', '.join(REVIEW_STATUSES)}")]


def _language_map(path: Path, value: Value, key: str, problems: list[Problem], required=()) -> dict[str, str]:
    if not isinstance(value.data, dict):
        problems.append(Problem(path, value.line, f"`{key}` needs a language for each text, e.g. {{zh: 柳工, en: LiuGong}}; got {value.data!r}"))
        return {}
    labels = {}
    for lang, text in value.data.items():
        if lang not in LANGUAGES:
            problems.append(Problem(path, value.line, f"`{key}` has an unknown language {lang!r} (use zh and en)"))
        elif not isinstance(text, str) or not text.strip():
            problems.append(Problem(path, value.line, f"`{key}` in {lang} is empty"))
        else:
            labels[lang] = text.strip()
    for lang in required:
        if lang not in value.data:
            problems.append(Problem(path, value.line, f"`{key}` has no {lang} text"))
    return labels


# ---------------------------------------------------------------- CSV (observations)
def _load_csv(path: Path) -> list[Record]:
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise InputError([Problem(path, reader.line_num, f"malformed CSV: {err}")]) from None
    if not rows:
        raise InputError([Problem(path, 1, "empty CSV: expected a header row")])
    header = [h.strip() for h in rows[0]]
    missing = [c for c in OBSERVATION_COLUMNS if c not in header]
    unknown = [c for c in header if c not in OBSERVATION_COLUMNS]
    if missing or unknown:
        detail = (f"missing columns {missing}" if missing else "") + ("; " if missing and unknown else "") + (
            f"unknown columns {unknown}" if unknown else "")
        raise InputError([Problem(path, 1, f"observation header: {detail}; expected {','.join(OBSERVATION_COLUMNS)}")])
    records, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(path, line, f"row has {len(row)} fields, the header has {len(header)}"))
            continue
        cells = {name: cell.strip() for name, cell in zip(header, row)}
        empty = [c for c in OBSERVATION_REQUIRED if not cells[c]]
        if empty:
            problems.append(Problem(path, line, f"observation {cells['id'] or '?'} lacks {', '.join(empty)}"))
            continue
        entries = {"id": Value(cells["id"], line), "quote": Value(
            [cells["quote"]] + ([cells["context_quote"]] if cells["context_quote"] else []), line)}
        for name in OBSERVATION_COLUMNS:
            if name not in ("id", "quote", "context_quote") and cells[name]:
                entries[name] = Value(cells[name], line)
        try:
            record = _record_from_entries(path, line, {**entries, "type": Value("Observation", line),
                                                       "label": Value({"zh": "-", "en": "-"}, line)}, "observation")
        except InputError as err:
            problems.extend(err.problems)
            continue
        record.label = {}  # observation labels are generated from their dimensions
        records.append(record)
    if problems:
        raise InputError(problems)
    return records


def check_unique_ids(records: list[Record]) -> None:
    """Raise if two records (of any documents) mint the same identifier."""
    problems = _duplicate_ids(records)
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------- helpers
def _duplicate_ids(records: list[Record]) -> list[Problem]:
    seen: dict[str, Record] = {}
    problems = []
    for record in records:
        if not record.is_new:
            continue
        if record.subject in seen:
            first = seen[record.subject]
            problems.append(Problem(record.file, record.line,
                                    f"duplicate identifier {record.subject!r} (first defined at {first.file.name}:{first.line})"))
        else:
            seen[record.subject] = record
    return problems


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError([Problem(path, None, f"not UTF-8 text (byte {err.start})")]) from None
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read: {err.strerror}")]) from None


def _line(node) -> int:
    return node.start_mark.line + 1


def _is_slug(text: str) -> bool:
    return bool(text) and all(c.islower() or c.isdigit() or c == "-" for c in text if c.isascii()) and text.isascii() \
        and not text.startswith("-") and not text.endswith("-")
