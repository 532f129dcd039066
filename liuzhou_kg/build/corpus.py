"""The corpus: the source documents of ``graph/sources/catalogue.yaml``, each read and checked.

Each document has its metadata (title, issuer, date, language, origin, licence, SHA-256), its
sections and its own folder of records. The one ``default`` document keeps the IRIs it had before
the corpus existed (passages ``lzp:pNN-sMM``, its records directly in ``graph/facts/``); every
other document's passages are ``lzp:<id>/pNN-sMM`` and its records are in ``graph/facts/<id>/``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import URIRef

from ..core.errors import InputError, Problem, yaml_problem
from ..core.namespaces import LZ
from .source import SourceText, parse_text

CATALOGUE = "catalogue.yaml"
DEFAULT_SOURCE_ID = "source-liuzhou-innovation-2015"
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
REQUIRED = ("id", "file", "sha256", "title", "issuer", "date", "language", "origin", "licence", "sections")
KNOWN = set(REQUIRED) | {"default", "note"}


@dataclass
class Document:
    """One source document of the corpus, as the catalogue describes it, with its text read."""

    id: str
    default: bool
    path: Path
    sha256: str
    title: dict[str, str]
    issuer: dict[str, str]
    date: str
    language: str
    origin: str
    licence: str
    note: dict[str, str]
    sections: dict[int, URIRef]
    section_labels: dict[int, dict[str, str]] = field(default_factory=dict)  # sections the catalogue labels
    source: SourceText | None = None

    @property
    def iri(self) -> URIRef:
        return LZ[DEFAULT_SOURCE_ID] if self.default else LZ[f"source-{self.id}"]

    @property
    def passage_prefix(self) -> str:
        """What passage and graph names of the document start with: '' for the default, '<id>/' else."""
        return "" if self.default else f"{self.id}/"

    def facts_dir(self, facts_root: Path) -> Path:
        return facts_root if self.default else facts_root / self.id


def load_catalogue(sources_dir: Path) -> list[Document]:
    """Every document of ``sources_dir/catalogue.yaml``, its text read, split and checksum-checked."""
    path = sources_dir / CATALOGUE
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the catalogue of source documents: {err.strerror}")]) from None
    except UnicodeDecodeError as err:
        raise InputError([Problem(path, None, f"the catalogue is not UTF-8 (byte {err.start})")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    data = yaml.safe_load(text)
    if not isinstance(data, list) or not data:
        raise InputError([Problem(path, None, "expected a non-empty list of documents")])
    lines = [node.start_mark.line + 1 for node in root.value]
    problems: list[Problem] = []
    documents: list[Document] = []
    for entry, line in zip(data, lines):
        try:
            documents.append(_document(entry, path, line, sources_dir))
        except InputError as err:
            problems.extend(err.problems)
    ids = [d.id for d in documents]
    for doc_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(path, None, f"document id {doc_id!r} is listed more than once"))
    if sum(d.default for d in documents) > 1:
        problems.append(Problem(path, None, "more than one document is marked default: true"))
    if problems:
        raise InputError(problems)
    return documents


def _document(entry, path: Path, line: int, sources_dir: Path) -> Document:
    def fail(message: str) -> InputError:
        return InputError([Problem(path, line, message)])

    if not isinstance(entry, dict):
        raise fail("a document must be a mapping of keys to values")
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise fail(f"document {entry.get('id', '?')!r} lacks {', '.join(missing)}")
    unknown = sorted(set(entry) - KNOWN)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)} in document {entry['id']!r}")
    doc_id = str(entry["id"])
    if not ID_PATTERN.match(doc_id):
        raise fail(f"document id {doc_id!r} must be lower-case letters, digits and single hyphens")
    for key in ("title", "issuer") + (("note",) if "note" in entry else ()):
        if not isinstance(entry[key], dict) or set(entry[key]) != {"zh", "en"}:
            raise fail(f"{key} of {doc_id!r} needs text in zh and en: {{zh: …, en: …}}")
    date = str(entry["date"])
    if not DATE_PATTERN.match(date):
        raise fail(f"date of {doc_id!r} must be YYYY, YYYY-MM or YYYY-MM-DD; got {date!r}")
    default = entry.get("default", False) is True
    sections, section_labels = _sections(entry["sections"], doc_id, default, fail)
    name = str(entry["file"])
    if Path(name).name != name or name.startswith(".") or name == CATALOGUE:
        raise fail(f"file of {doc_id!r} must be the name of a text in {sources_dir.name}/, not a path: {name!r}")
    file = sources_dir / name
    if file.is_symlink():
        raise fail(f"{name} of {doc_id!r} is a symbolic link; keep the text itself in {sources_dir.name}/")
    try:
        raw = file.read_bytes()
    except OSError as err:
        raise fail(f"cannot read {file.name} of document {doc_id!r}: {err.strerror}") from None
    sha = hashlib.sha256(raw).hexdigest()
    if sha != str(entry["sha256"]):
        raise InputError([Problem(file, None, f"SHA-256 is {sha}, but {path.name}:{line} records {entry['sha256']}: "
                                              "the source must stay byte-identical to the original")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError([Problem(file, None, f"the source text is not UTF-8 (byte {err.start})")]) from None
    prefix = "" if default else f"{doc_id}/"
    source = parse_text(text, file, pid_prefix=prefix)
    unknown_sections = sorted({s.section for s in source.sentences} - set(sections))
    if unknown_sections:
        raise fail(f"{file.name} has section(s) {unknown_sections} that the catalogue entry of {doc_id!r} does not list")
    return Document(doc_id, default, file, sha, dict(entry["title"]), dict(entry["issuer"]), date,
                    str(entry["language"]), str(entry["origin"]), str(entry["licence"]), dict(entry.get("note") or {}),
                    sections, section_labels, source)


def _sections(data, doc_id: str, default: bool, fail) -> tuple[dict[int, URIRef], dict[int, dict[str, str]]]:
    if not isinstance(data, dict) or not data:
        raise fail(f"sections of {doc_id!r} must map section numbers to {{id: …}} or {{label: {{zh, en}}}}")
    sections, labels = {}, {}
    for number, spec in data.items():
        if not isinstance(number, int) or number < 0 or not isinstance(spec, dict):
            raise fail(f"section {number!r} of {doc_id!r}: a number from 0 with {{id: …}} or {{label: …}}")
        if "id" in spec:
            sections[number] = LZ[str(spec["id"])]
        elif isinstance(spec.get("label"), dict) and set(spec["label"]) == {"zh", "en"}:
            sections[number] = LZ[f"section-{doc_id}-{number}"]
            labels[number] = dict(spec["label"])
        else:
            raise fail(f"section {number} of {doc_id!r} needs an id or a label {{zh, en}}")
    return sections, labels
