"""Find the periods a sentence names: years, year ranges, five-year-plan periods, parts of a year.

A period is a span of years with an optional part (``h1`` for 上半年), and an id in the style of
``ontology/reference.ttl``: ``year-2021``, ``years-2016-2020``, ``year-2022-h1``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import Rules, alternation

DASHES = "-—–~～至到"


@dataclass(frozen=True)
class Period:
    """A period named in a sentence, with where it is (offsets in the sentence)."""

    first: int
    last: int
    part: str | None
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        """The period's id in the style of ontology/reference.ttl."""
        if self.first == self.last:
            return f"year-{self.first}" + (f"-{self.part}" if self.part else "")
        return f"years-{self.first}-{self.last}"

    @property
    def key(self) -> str:
        """The period as the benchmark writes it: ``2021``, ``2016-2020``, ``2022-h1``."""
        if self.first == self.last:
            return f"{self.first}" + (f"-{self.part}" if self.part else "")
        return f"{self.first}-{self.last}"

    def label(self) -> dict[str, str]:
        """Chinese and English labels of the period."""
        if self.first == self.last:
            return {"zh": f"{self.first}年", "en": f"{self.first}" + (f" {self.part}" if self.part else "")}
        return {"zh": f"{self.first}—{self.last}年", "en": f"{self.first}–{self.last}"}


class PeriodFinder:
    """Compiled period patterns of the rules."""

    def __init__(self, rules: Rules):
        """Compile the year, range, plan-period and part-of-year patterns of ``rules``."""
        self.rules = rules
        parts = alternation(rules["year_parts"])
        plans = alternation(rules["five_year_plans"])
        relative = alternation(rules["relative_years"])
        dash = "[" + re.escape(DASHES) + "]"
        self.pattern = re.compile(
            rf"(?P<y1>(?:19|20)\d\d)\s*(?:年\s*)?{dash}\s*(?P<y2>(?:19|20)\d\d)\s*年"
            rf"|(?P<year>(?:19|20)\d\d)\s*年(?:\s*(?P<part>{parts}))?"
            rf"|[“\"‘]?(?P<plan>{plans})[”\"’]?"
            rf"|(?P<relative>{relative})(?P<relpart>{parts})?"
            rf"|(?P<alone>{parts})"
        )

    def find(self, text: str, doc_year: int | None, context_year: int | None = None) -> list[Period]:
        """Every period named in ``text``.

        Relative years (今年, 去年) count from ``doc_year``, the document's own year; a part of a
        year written alone (上半年) belongs to ``context_year``, the year the paragraph is about.
        """
        context_year = context_year if context_year is not None else doc_year
        found = []
        parts = self.rules["year_parts"]
        for m in self.pattern.finditer(text):
            if m.group("y1"):
                first, last = int(m.group("y1")), int(m.group("y2"))
                if last <= first:
                    continue
                found.append(Period(first, last, None, m.start(), m.end(), m.group(0)))
            elif m.group("year"):
                year = int(m.group("year"))
                part = parts[m.group("part")] if m.group("part") else None
                found.append(Period(year, year, part, m.start(), m.end(), m.group(0)))
            elif m.group("plan"):
                first, last = self.rules["five_year_plans"][m.group("plan")]
                found.append(Period(first, last, None, m.start(), m.end(), m.group(0)))
            elif m.group("relative"):
                if doc_year is None:
                    continue
                year = doc_year + self.rules["relative_years"][m.group("relative")]
                part = parts[m.group("relpart")] if m.group("relpart") else None
                found.append(Period(year, year, part, m.start(), m.end(), m.group(0)))
            elif m.group("alone") and context_year is not None:
                found.append(Period(context_year, context_year, parts[m.group("alone")], m.start(), m.end(), m.group(0)))
        return found
