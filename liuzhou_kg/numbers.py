"""Find the numbers in a piece of Chinese or English text.

What counts as a number: Arabic numerals (``2208.51``, ``16``), fractions (``1/13``) and
Chinese ordinals (``第五`` is 5). Each is returned with the unit printed right after it, if any.
Chinese numerals inside set phrases (一批 'a number of', 双百 'Double Hundred', 两化 'the two
integrations', the enumerators 一、二、) name things rather than count them and are not numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

UNITS = ("亿元", "万吨", "万辆", "%", "家", "年", "个")
_UNIT_PATTERN = "|".join(re.escape(u) for u in UNITS)
_NUMBER = re.compile(
    r"(?P<arabic>(?<![\d.])\d+(?:\.\d+)?(?:/\d+)?)(?:\s*(?P<unit>" + _UNIT_PATTERN + "))?"
    r"|第(?P<ordinal>[一二三四五六七八九十]+)"
)
_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class NumberMention:
    text: str  # as printed, e.g. "2208.51亿元" or "第五"
    value: str  # canonical value: "2208.51", "1/13", "5"
    unit: str | None
    start: int  # offset in the searched text
    end: int


def find_numbers(text: str) -> list[NumberMention]:
    mentions = []
    for match in _NUMBER.finditer(text):
        if match.group("arabic"):
            value = canonical(match.group("arabic"))
            unit = match.group("unit")
        else:
            value = str(_ordinal(match.group("ordinal")))
            unit = None
        mentions.append(NumberMention(match.group(0), value, unit, match.start(), match.end()))
    return mentions


def canonical(number: str) -> str:
    """One spelling per value: ``16`` and ``16.0`` are the same, ``1/13`` stays a fraction."""
    number = str(number).strip()
    if "/" in number:
        fraction = Fraction(number)
        return f"{fraction.numerator}/{fraction.denominator}"
    value = Decimal(number).normalize()
    text = format(value, "f")
    return text


def number_values(text: str) -> set[str]:
    return {mention.value for mention in find_numbers(text)}


def _ordinal(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + _DIGITS[numeral[1]]
    if numeral.endswith("十"):
        return _DIGITS[numeral[0]] * 10
    if "十" in numeral:
        tens, ones = numeral.split("十")
        return _DIGITS[tens] * 10 + _DIGITS[ones]
    return _DIGITS[numeral]
