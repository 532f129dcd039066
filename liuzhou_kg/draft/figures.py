"""Find the figures of a sentence: a number (Arabic or Chinese), its unit, qualifier and growth rate.

Chinese numerals (三千, 一百二十, 两) are read with cn2an; they count as figures only when a unit
follows, and never inside the set phrases of the rules (一批, 双百 …). A percentage that follows a
figure after a growth word (增长 8.5%) is that figure's growth rate. Ranges (5%—8%, 5至8个) keep
both ends; 翻一番 is a figure of 2 times a base period.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import cn2an

from .rules import Rules, Unit, alternation

ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
CHINESE = r"(?<![零〇一二两三四五六七八九十百千万亿])[零〇一二两三四五六七八九十百千]+(?:[万亿][零〇一二两三四五六七八九十百千]+)*(?:点[零〇一二三四五六七八九]+)?"
RANGE_DASH = r"\s*[-—–~～至到]\s*"


@dataclass
class Figure:
    """A figure as printed, with its offsets in the sentence."""

    value: str
    unit: Unit
    qualifier: str
    start: int
    end: int
    text: str
    value_high: str | None = None
    growth_rate: str | None = None
    growth_end: int | None = None
    doubling: bool = False
    notes: list[str] = field(default_factory=list)


def _number(text: str) -> str | None:
    """The canonical decimal of an Arabic or Chinese numeral (``1,200`` → ``1200``, ``三千`` → ``3000``,
    ``百`` → ``100``); None if cn2an cannot read it as a number."""
    text = text.replace(",", "").strip()
    if not re.fullmatch(r"\d+(?:\.\d+)?", text):
        try:
            text = str(cn2an.cn2an(("一" + text) if text[0] in "百千" else text, "smart"))
        except ValueError:
            return None
    return format(Decimal(text).normalize(), "f")


class FigureFinder:
    """The compiled figure patterns of the rules."""

    def __init__(self, rules: Rules):
        """Compile the number, unit, qualifier and growth patterns of ``rules``."""
        self.rules = rules
        units = rules.unit_pattern
        after = alternation(rules.qualifier_after)
        number = rf"(?:(?<![\d.,]){ARABIC}|{CHINESE})"
        self.pattern = re.compile(
            rf"(?P<fraction>(?<![\d.])\d+/\d+)(?=\s*的)"
            rf"|(?P<low>{number})(?:\s*(?P<lowunit>{units}))?{RANGE_DASH}(?P<high>{number})\s*(?P<runit>{units})(?P<rafter>{after})?"
            rf"|(?P<num>{number})\s*(?P<more>多|余)?\s*(?P<unit>{units})(?P<after>{after})?"
            rf"|(?P<pword>{alternation(rules['percent_words'])})(?P<pnum>{number})(?P<pafter>{after})?"
        )
        self.doubling = re.compile(alternation(rules["doubling"]))
        self.before = re.compile(rf"(?:{alternation(rules.qualifier_before)})\s*$")
        growth = alternation(rules["growth_words"] + rules["decline_words"])
        self.growth_gap = re.compile(rf"^[，,、\s]*(?P<word>{growth})\s*$")
        self.not_figures = rules["not_figures"]
        self.ordinals = tuple(rules["ordinal_marks"])

    def find(self, text: str) -> list[Figure]:
        """Every figure of ``text`` (one sentence), in order, growth rates attached."""
        figures: list[Figure] = []
        for m in self.pattern.finditer(text):
            if self._in_set_phrase(text, m.start(), m.end()) or text[:m.start()].endswith(self.ordinals):
                continue
            if m.group("fraction"):
                figures.append(Figure(m.group("fraction"), self.rules.fraction, "qualifier-exact", m.start(), m.end(),
                                      m.group(0)))
                continue
            if m.group("pword"):  # 百分之九: a percentage written in words
                value = _number(m.group("pnum"))
                if value is not None:
                    after = m.group("pafter")
                    qualifier = self.rules.qualifier_after.get(after, "qualifier-exact") if after else self._before(text, m.start())
                    figures.append(Figure(value, self.rules.units["%"], qualifier, m.start(), m.end(), m.group(0)))
                continue
            if m.group("high"):
                unit_text = m.group("runit")
                if m.group("lowunit") and m.group("lowunit") != unit_text:
                    continue
                value, high = _number(m.group("low")), _number(m.group("high"))
                after = m.group("rafter")
            else:
                unit_text = m.group("unit")
                value, high = _number(m.group("num")), None
                after = m.group("after") or m.group("more")
            if value is None or (m.group("high") and high is None):
                continue
            qualifier = self._before(text, m.start())
            if after:
                qualifier = self.rules.qualifier_after.get(after, "qualifier-at-least")
            elif figures and qualifier == "qualifier-exact" and text[figures[-1].end:m.start()].strip() == "、":
                qualifier = figures[-1].qualifier  # 分别迈上 700 亿元、200 亿元: one qualifier for the list
            figures.append(Figure(value, self.rules.units[unit_text], qualifier, m.start(), m.end(), m.group(0),
                                  value_high=high))
        for m in self.doubling.finditer(text):
            times = str(self.rules["doubling"][m.group(0)])
            figures.append(Figure(times, self.rules.units["倍"], "qualifier-exact", m.start(), m.end(), m.group(0),
                                  doubling=True))
        figures.sort(key=lambda f: f.start)
        return self._attach_growth(text, figures)

    def _before(self, text: str, start: int) -> str:
        """The qualifier a word right before ``start`` gives (突破 → exceeded), else exact."""
        window = self.before.search(text[max(0, start - 6):start])
        return self.rules.qualifier_before[window.group(0).strip()] if window else "qualifier-exact"

    def _in_set_phrase(self, text: str, start: int, end: int) -> bool:
        """Whether [start, end) overlaps a set phrase of the rules (一批, 双百 …)."""
        for phrase in self.not_figures:
            at = text.find(phrase, max(0, start - len(phrase)), end + len(phrase))
            if at != -1 and at < end and at + len(phrase) > start:
                return True
        return False

    def _attach_growth(self, text: str, figures: list[Figure]) -> list[Figure]:
        """Fold each growth percentage into the figure before it; return the rest."""
        kept: list[Figure] = []
        for figure in figures:
            previous = kept[-1] if kept else None
            if (previous is not None and figure.unit.id == "unit-percent" and previous.growth_rate is None
                    and previous.unit.id != "unit-percent" and figure.value_high is None):
                gap = self.growth_gap.match(text[previous.end:figure.start])
                if gap:
                    sign = "-" if gap.group("word") in self.rules["decline_words"] else ""
                    previous.growth_rate = sign + figure.value
                    previous.growth_end = figure.end
                    continue
            kept.append(figure)
        return kept
