"""Read a document to draft from and split it into sentences with the build's own rules.

The line-wrap undoing and the sentence splitting are those of ``liuzhou_kg.build.source`` (the build's
reader of its source text), so a quote drafted here is found by the build in the same way: in the
text with line wraps undone, within one sentence. This module also cuts quotes: the clause that
holds a finding, grown until it occurs exactly once in the document.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Problem
from ..build.source import Sentence, SourceText, parse_text

# Punctuation that ends a clause inside a sentence; a quote never starts or ends inside one.
CLAUSE_MARKS = "，；：,;:"


@dataclass
class Document:
    """A document to draft from: its path, its text and its sentences."""

    path: Path
    source: SourceText

    @property
    def sentences(self) -> list[Sentence]:
        """The document's sentences, in order."""
        return self.source.sentences

    def count(self, quote: str) -> int:
        """How often ``quote`` occurs in the text with line wraps undone."""
        return len(self.source.find(quote))

    def verify(self, quote: str) -> Sentence:
        """The one sentence that holds ``quote``; raises if the quote is not in the document exactly once."""
        hits = self.source.find(quote)
        if len(hits) != 1:
            raise AssertionError(f"drafted quote occurs {len(hits)} times in {self.path.name}: {quote!r}")
        sentence = self.source.sentence_at(hits[0])
        if hits[0] + len(quote) > sentence.end:
            raise AssertionError(f"drafted quote spans two sentences: {quote!r}")
        raw_start, raw_end = self.source.raw_span(hits[0], hits[0] + len(quote))
        if "".join(self.source.raw[raw_start:raw_end].split("\n")).replace("\r", "") != quote:
            raise AssertionError(f"drafted quote does not map back onto the file: {quote!r}")
        return sentence

    def quote(self, sentence: Sentence, start: int, end: int) -> str | None:
        """The clauses of ``sentence`` around [start, end) (offsets in the sentence), grown until unique.

        The quote starts at the clause holding ``start`` and ends with the clause holding ``end``;
        while it occurs more than once in the document it takes in one more clause before, then
        after, up to the whole sentence. None if even the whole sentence occurs more than once
        (the build could not cite it).
        """
        text = sentence.text
        bounds = [0] + [i + 1 for i, ch in enumerate(text) if ch in CLAUSE_MARKS] + [len(text)]
        lo = max(b for b in bounds if b <= start)
        hi = min(b for b in bounds if b >= end)
        while True:
            quote = _trim(text[lo:hi])
            if quote and self.count(quote) == 1:
                return quote
            earlier = [b for b in bounds if b < lo]
            later = [b for b in bounds if b > hi]
            if earlier:
                lo = earlier[-1]
            elif later:
                hi = later[0]
            else:
                quote = _trim(text)
                return quote if self.count(quote) == 1 else None


def _trim(text: str) -> str:
    """The text without clause marks and blanks at its ends (a quote ends on a word)."""
    return text.strip().strip(CLAUSE_MARKS + "。！？ ").strip()


def read_document(path: Path) -> Document:
    """Read ``path`` (UTF-8) and split it into sentences; an unreadable or empty file is an input error."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except IsADirectoryError:
        raise InputError([Problem(path, None, "is a directory; give a text file to draft from")]) from None
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the document: {err.strerror}")]) from None
    except UnicodeDecodeError as err:
        raise InputError([Problem(path, None, f"the document is not UTF-8 (byte {err.start})")]) from None
    if raw.startswith("\ufeff"):
        raise InputError([Problem(path, 1, "the document starts with a byte-order mark; save it as UTF-8 without BOM")])
    source = parse_text(raw, path)
    if not source.sentences:
        raise InputError([Problem(path, None, "the document has no text to draft from")])
    return Document(path, source)
