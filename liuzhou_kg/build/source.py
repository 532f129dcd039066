"""Read the source text: undo its line wraps, split it into paragraphs, sections and sentences.

The source file is kept byte-identical to the original, so the build never edits it. Instead it
builds an *unwrapped* view: within a paragraph, line breaks are removed (Chinese needs no space
where a line was wrapped). A blank line ends a paragraph only when the line before it ends a
sentence; the original has two blank lines in mid-sentence, and those are wraps too.

Every character of the unwrapped text remembers its code-point offset in the file, so a quote
found in the unwrapped text maps back to exact offsets in the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SENTENCE_END = "。！？"
# Characters that may close a sentence after its final punctuation (closing quotes, brackets).
CLOSERS = "”’」』）)"
SECTION_START = re.compile(r"^([一二三四五六七八九十]+)、")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the source: the unit of provenance (a passage)."""

    pid: str  # stable id, e.g. "p05-s02": paragraph 5, sentence 2 ("<doc>/p05-s02" in a non-default document)
    paragraph: int
    number: int  # sentence number within its paragraph, from 1
    section: int  # 0 for the 2014 review and preamble, 1..4 for the plan's sections 一..四
    text: str  # unwrapped text
    start: int  # offset of the first character in the unwrapped text
    end: int
    raw_start: int  # code-point offsets in the source file as stored
    raw_end: int


@dataclass
class SourceText:
    """A source document as stored and as unwrapped, split into sentences.

    ``raw`` is the file's text; ``text`` joins its paragraphs with a newline (line wraps inside a
    paragraph removed); ``raw_offsets`` maps every offset of ``text`` back to the file, so a quote
    found in ``text`` is reported at its place in the file.
    """

    path: Path
    raw: str
    text: str  # unwrapped: paragraphs joined by "\n"
    raw_offsets: list[int]  # raw_offsets[i] is the file offset of text[i]
    sentences: list[Sentence] = field(default_factory=list)

    def find(self, quote: str) -> list[int]:
        """Every start offset of ``quote`` in the unwrapped text."""
        hits, at = [], self.text.find(quote)
        while at != -1:
            hits.append(at)
            at = self.text.find(quote, at + 1)
        return hits

    def sentence_at(self, offset: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        raise ValueError(f"offset {offset} is in no sentence")

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """File offsets [start, end) of the unwrapped span [start, end)."""
        return self.raw_offsets[start], self.raw_offsets[end - 1] + 1

    def paragraph_text(self, paragraph: int) -> str:
        return "".join(s.text for s in self.sentences if s.paragraph == paragraph)


def read_source(path: Path, pid_prefix: str = "") -> SourceText:
    """Read a source file as UTF-8 and split it as ``parse_text`` does."""
    from ..core.errors import InputError, Problem

    try:
        raw = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the source text: {err.strerror}")]) from None
    except UnicodeDecodeError as err:
        raise InputError([Problem(path, None, f"the source text is not UTF-8 (byte {err.start})")]) from None
    return parse_text(raw, path, pid_prefix)


def parse_text(raw: str, path: Path, pid_prefix: str = "") -> SourceText:
    """Undo the line wraps of any text and split it into sentences, as the build does for its source.

    ``pid_prefix`` starts every sentence id: "" for the default document, "<doc>/" for the others.
    """
    paragraphs = _paragraphs(raw)
    text_parts: list[str] = []
    offsets: list[int] = []
    sentences: list[Sentence] = []
    section = 0
    for p_index, chars in enumerate(paragraphs, start=1):
        if text_parts:
            text_parts.append("\n")
            offsets.append(offsets[-1] + 1)
        paragraph_start = len(offsets)
        para = "".join(ch for ch, _ in chars)
        text_parts.append(para)
        offsets.extend(pos for _, pos in chars)
        heading = SECTION_START.match(para)
        if heading:
            section = _chinese_number(heading.group(1))
        for s_index, (s_start, s_end) in enumerate(_sentence_spans(para), start=1):
            start, end = paragraph_start + s_start, paragraph_start + s_end
            sentences.append(
                Sentence(
                    pid=f"{pid_prefix}p{p_index:02d}-s{s_index:02d}",
                    paragraph=p_index,
                    number=s_index,
                    section=section,
                    text=para[s_start:s_end],
                    start=start,
                    end=end,
                    raw_start=offsets[start],
                    raw_end=offsets[end - 1] + 1,
                )
            )
    return SourceText(path, raw, "".join(text_parts), offsets, sentences)


def _paragraphs(raw: str) -> list[list[tuple[str, int]]]:
    """Paragraphs as lists of (character, file offset), with line wraps removed."""
    paragraphs: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    pos = 0
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            current.extend((ch, pos + i) for i, ch in enumerate(body))
        elif current and _ends_sentence("".join(ch for ch, _ in current)):
            paragraphs.append(current)
            current = []
        pos += len(line)
    if current:
        paragraphs.append(current)
    return [_strip(p) for p in paragraphs if "".join(ch for ch, _ in p).strip()]


def _strip(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    start, end = 0, len(chars)
    while start < end and chars[start][0].isspace():
        start += 1
    while end > start and chars[end - 1][0].isspace():
        end -= 1
    return chars[start:end]


def _ends_sentence(text: str) -> bool:
    text = text.rstrip().rstrip(CLOSERS)
    return bool(text) and text[-1] in SENTENCE_END


def _sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    spans, start, i = [], 0, 0
    while i < len(paragraph):
        if paragraph[i] in SENTENCE_END:
            j = i + 1
            while j < len(paragraph) and paragraph[j] in CLOSERS:
                j += 1
            spans.append((start, j))
            start = i = j
            continue
        i += 1
    if paragraph[start:].strip():
        spans.append((start, len(paragraph)))
    return spans


def _chinese_number(numeral: str) -> int:
    """The value of a section numeral (一 1, 十 10, 二十一 21), read by cn2an."""
    from ..core.numbers import chinese_number

    return chinese_number(numeral)
