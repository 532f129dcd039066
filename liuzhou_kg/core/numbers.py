"""Find the numbers in a piece of Chinese or English text, and tell quantities from names.

What counts as a number: Arabic numerals (``2208.51``, ``16``), fractions (``1/13``), Chinese
ordinals (``第五`` is 5) and Chinese numerals before a classifier (``三个`` is 3). Each is returned
with the unit printed right after it, if any. Chinese numerals inside set phrases (一批 'a number
of', 两化 'the two integrations', the enumerators 一、二、) name things rather than count them and
are not numbers at all.

Some numbers are numbers but not quantities: the 3 of "3D", the 730 of the Baojun 730, the 一 of
第一资源 ("the foremost resource"). The cues in ``graph/number-cues.yaml`` recognise them by rule;
such a mention carries ``kind`` "name" or "idiom" and the rule's reason, and coverage does not
count it. Chinese numerals are read with ``cn2an``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

from .errors import InputError, Problem, yaml_problem
from .layout import Layout

UNITS = ("亿元", "万吨", "万辆", "%", "家", "年", "个")
_UNIT_PATTERN = "|".join(re.escape(u) for u in UNITS)
_CHINESE_DIGITS = "零一二两三四五六七八九十百千万"


@dataclass(frozen=True)
class Cue:
    """A rule that recognises numbers that are part of a name or an idiom."""

    pattern: re.Pattern
    kind: str  # "name" or "idiom"
    reason: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    """An administrative level: the words that assert it and the text that supports it."""

    concept: str
    words: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Cues:
    """The declarative cues of ``graph/number-cues.yaml``, compiled."""

    not_quantities: tuple[Cue, ...] = ()
    classifiers: tuple[str, ...] = ()
    english_numbers: dict[str, int] = field(default_factory=dict)
    levels: tuple[Level, ...] = ()

    @property
    def number_pattern(self) -> re.Pattern:
        """The pattern that finds numbers, with this file's classifiers."""
        return _number_pattern(self.classifiers)


@dataclass(frozen=True)
class NumberMention:
    """A number found in a text by ``find_numbers``, with its unit and span.

    ``start`` and ``end`` are offsets in the text that was searched (end exclusive). ``kind`` and
    ``reason`` say whether a cue marked it as part of a name or an idiom rather than a quantity.
    """

    text: str  # as printed, e.g. "2208.51亿元" or "第五"
    value: str  # canonical value: "2208.51", "1/13", "5"
    unit: str | None
    start: int  # offset in the searched text
    end: int
    kind: str = "quantity"  # "quantity", or "name" / "idiom" when a cue recognised it
    reason: str | None = None  # the cue's reason, for names and idioms

    @property
    def is_quantity(self) -> bool:
        """True unless a cue recognised the number as part of a name or an idiom."""
        return self.kind == "quantity"


def load_cues(path: Path) -> Cues:
    """Read and compile the cue file ``path`` (``graph/number-cues.yaml`` of a layout).

    Returns the compiled :class:`Cues`. Raises ``InputError`` naming the file and entry for a
    missing file, malformed YAML, or an entry without its keys or with a bad regular expression.
    """
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(path, None, "the number cue file is missing")]) from None
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(path, None, "expected a mapping with names, idioms, classifiers, english_numbers, levels")])
    problems, cues = [], []
    for group in ("names", "idioms"):
        for index, entry in enumerate(data.get(group) or [], start=1):
            where = f"{group} #{index}"
            if not isinstance(entry, dict) or not {"pattern", "kind", "reason"} <= set(entry) or not str(entry["reason"]).strip():
                problems.append(Problem(path, None, f"{where} needs pattern, kind and a non-empty reason"))
                continue
            if entry["kind"] not in ("name", "idiom"):
                problems.append(Problem(path, None, f"{where}: kind must be name or idiom, not {entry['kind']!r}"))
                continue
            try:
                pattern = re.compile(str(entry["pattern"]))
            except re.error as err:
                problems.append(Problem(path, None, f"{where}: bad regular expression {entry['pattern']!r}: {err}"))
                continue
            cues.append(Cue(pattern, entry["kind"], str(entry["reason"]).strip(), tuple(entry.get("examples") or ())))
    classifiers = tuple(str(c) for c in data.get("classifiers") or ())
    english = {str(k).lower(): int(v) for k, v in (data.get("english_numbers") or {}).items()}
    levels = []
    for index, entry in enumerate(data.get("levels") or [], start=1):
        if not isinstance(entry, dict) or not {"concept", "words", "evidence"} <= set(entry):
            problems.append(Problem(path, None, f"levels #{index} needs concept, words and evidence"))
            continue
        levels.append(Level(str(entry["concept"]), tuple(map(str, entry["words"])), tuple(map(str, entry["evidence"]))))
    if problems:
        raise InputError(problems)
    return Cues(tuple(cues), classifiers, english, tuple(levels))


def default_cues(layout: Layout | None = None) -> Cues:
    """The cues of ``layout`` (default: this checkout), read once per cue file.

    What :func:`find_numbers` uses when given no cues; the build passes its own layout's. Raises
    ``InputError`` as :func:`load_cues` does.
    """
    return _cues_of((layout or Layout.default()).number_cues)


@lru_cache(maxsize=4)
def _cues_of(path: Path) -> Cues:
    """The cue file ``path``, compiled once."""
    return load_cues(path)


@lru_cache(maxsize=8)
def _number_pattern(classifiers: tuple[str, ...]) -> re.Pattern:
    """Arabic numbers with their unit, Chinese ordinals, and Chinese numerals before a classifier."""
    counted = ""
    if classifiers:
        counted = (r"|(?<![第" + _CHINESE_DIGITS + r"])(?P<cardinal>[" + _CHINESE_DIGITS + r"]+)(?=(?:"
                   + "|".join(re.escape(c) for c in classifiers) + "))")
    return re.compile(
        r"(?P<arabic>(?<![\d.])\d+(?:\.\d+)?(?:/\d+)?)(?:\s*(?P<unit>" + _UNIT_PATTERN + "))?"
        r"|第(?P<ordinal>[" + _CHINESE_DIGITS + "]+)" + counted
    )


def find_numbers(text: str, cues: Cues | None = None) -> list[NumberMention]:
    """Every number of ``text``, each marked a quantity or (by a cue) a name or an idiom."""
    cues = cues if cues is not None else default_cues()
    spans = [(m.start(), m.end(), cue) for cue in cues.not_quantities for m in cue.pattern.finditer(text)]
    mentions = []
    for match in cues.number_pattern.finditer(text):
        if match.group("arabic"):
            value = canonical(match.group("arabic"))
            unit = match.group("unit")
            digits = match.span("arabic")
        else:
            numeral = match.group("ordinal") or match.group("cardinal")
            try:
                value = str(chinese_number(numeral))
            except ValueError:
                continue  # not a well-formed numeral (两百万千): not a number
            unit = None
            digits = match.span("ordinal") if match.group("ordinal") else match.span("cardinal")
        kind, reason = "quantity", None
        for start, end, cue in spans:
            if start <= digits[0] and digits[1] <= end:
                kind, reason = cue.kind, cue.reason
                break
        mentions.append(NumberMention(match.group(0), value, unit, match.start(), match.end(), kind, reason))
    return mentions


def find_english_numbers(text: str, cues: Cues | None = None) -> list[NumberMention]:
    """Number words of an English text (``three``, ``fifth``) outside names and idioms."""
    cues = cues if cues is not None else default_cues()
    if not cues.english_numbers:
        return []
    spans = [(m.start(), m.end()) for cue in cues.not_quantities for m in cue.pattern.finditer(text)]
    words = re.compile(r"\b(" + "|".join(sorted(map(re.escape, cues.english_numbers), key=len, reverse=True)) + r")\b",
                       re.IGNORECASE)
    mentions = []
    for match in words.finditer(text):
        if any(start <= match.start() and match.end() <= end for start, end in spans):
            continue
        mentions.append(NumberMention(match.group(0), str(cues.english_numbers[match.group(0).lower()]), None,
                                      match.start(), match.end()))
    return mentions


def chinese_number(numeral: str) -> int:
    """The value of a Chinese numeral (``五`` 5, ``二十一`` 21, ``两`` 2), read by cn2an."""
    value = cn2an.cn2an(numeral, "smart")
    if value != int(value) or value < 0:
        raise ValueError(f"{numeral!r} is not a whole number")
    return int(value)


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
    """The values of every number of ``text``, names and idioms included."""
    return {mention.value for mention in find_numbers(text)}


def quantity_values(text: str, cues: Cues | None = None) -> set[str]:
    """The values of the quantities of ``text`` (names and idioms left out)."""
    return {mention.value for mention in find_numbers(text, cues) if mention.is_quantity}
