"""Label normalisation for link discovery.

A label is reduced to comparable keys:

- ``full``   — NFKC, traditional→simplified Chinese, lower case, punctuation and spaces removed;
- ``core``   — ``full`` without legal-form suffixes (有限公司, 股份, 集团, Co., Ltd., Group …);
- ``short``  — ``core`` without leading place names (中国, 广西, 柳州 …) and administrative suffixes
  (市, 自治区, Shi, City …), the short name a text uses for a full name;
- ``pinyin`` — the toneless pinyin of ``short`` (Latin labels are already their own pinyin), so
  柳州 and "Liuzhou Shi" meet on ``liuzhou``.

It also extracts two features a name carries beside its core: the legal form (``group`` for 集团,
``listed`` for 股份有限公司 …) and the numbers in it (宝骏730 vs 宝骏510 differ by number).
The word lists are in ``graph/mappings/link-normalize.yaml``.

Work per label is bounded: a label is cut to ``MAX_LABEL_LENGTH`` characters before anything else
is done with it (a 1 MB "name" costs what a 256-character one does), and an entity contributes at
most ``MAX_LABELS`` names.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from ..core.layout import Layout

NORMALIZE_RULES = Layout.default().link_normalize

MAX_LABEL_LENGTH = 256
MAX_LABELS = 64

_HAN = re.compile(r"[\u3400-\u9fff]")
_MARK_BEARING = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+")
_TONE_NUMBER = re.compile(r"(?<=[aeiouvngr])[1-5](?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Rules:
    """The word lists, filed by last (suffixes) or first (prefixes) character for quick look-up."""

    legal_forms: tuple[tuple[str, str], ...]   # (suffix, form), longest first
    admin_suffixes: tuple[str, ...]           # longest first
    place_prefixes: tuple[str, ...]           # longest first
    legal_by_last: dict = field(default_factory=dict, compare=False)
    admin_by_last: dict = field(default_factory=dict, compare=False)
    places_by_first: dict = field(default_factory=dict, compare=False)


def _file(words, position: int) -> dict:
    filed: dict = {}
    for word in words:
        text = word[0] if isinstance(word, tuple) else word
        filed.setdefault(text[position], []).append(word)
    return filed


@lru_cache(maxsize=None)
def rules() -> Rules:
    """The normaliser's word lists from ``graph/mappings/link-normalize.yaml``."""
    data = yaml.safe_load(NORMALIZE_RULES.read_text(encoding="utf-8"))
    forms = []
    for form, suffixes in data["legal_forms"].items():
        forms.extend((_fold(s), form) for s in suffixes)
    forms.sort(key=lambda pair: -len(pair[0]))
    admin = sorted({_fold(s) for s in data["admin_suffixes"]}, key=len, reverse=True)
    places = sorted({_fold(s) for s in data["place_prefixes"]}, key=len, reverse=True)
    return Rules(tuple(forms), tuple(admin), tuple(places), _file(forms, -1), _file(admin, -1),
                 _file(places, 0))


@lru_cache(maxsize=1)
def _t2s():
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified ones; other text unchanged."""
    if not _HAN.search(text):
        return text
    return _t2s().convert(text)


def _fold(text: str) -> str:
    """NFKC, simplified, lower case, '&' spelled out, punctuation and spaces removed."""
    text = unicodedata.normalize("NFKC", text)
    if _MARK_BEARING.search(text):  # pinyin with tones, accented Latin: Liǔzhōu → Liuzhou
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if unicodedata.category(c) != "Mn")
        text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).lower().replace("&", "and")
    return _PUNCT.sub("", text)


def without_tone_numbers(text: str) -> str:
    """Pinyin written with tone numbers without them (liu3 zhou1 → liu zhou); Chinese text and
    Latin text without such numbers are returned unchanged."""
    if _HAN.search(text):
        return text
    return _TONE_NUMBER.sub("", text)


def to_pinyin(text: str) -> str:
    """Toneless pinyin of the Chinese characters, other characters kept: 柳州 → liuzhou."""
    if not _HAN.search(text):
        return text
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


@dataclass(frozen=True)
class LabelKeys:
    """The keys one label is compared by: the label as given, its full folded form, its core (legal
    form and administrative suffix removed), a short form, its pinyin, and the legal form found
    (None if none)."""
    label: str
    full: str
    core: str
    short: str
    pinyin: str
    legal_form: str | None
    numbers: tuple[str, ...] = field(default=())

    def keys(self) -> set[str]:
        return {k for k in (self.full, self.core, self.short, self.pinyin) if k}


def _strip_legal(text: str, r: Rules) -> tuple[str, str | None]:
    form = None
    changed = True
    while changed and text:
        changed = False
        for suffix, kind in r.legal_by_last.get(text[-1], ()):
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                # The strongest form wins: a "listed" suffix beats a generic "company" one.
                if form is None or (form == "company" and kind != "company"):
                    form = kind
                changed = True
                break
    return text, form


def _strip_places(text: str, r: Rules) -> str:
    """Administrative suffix first (柳州市 → 柳州), then leading region names (广西柳工 → 柳工)."""
    for suffix in r.admin_by_last.get(text[-1:], ()):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    changed = True
    while changed and text:
        changed = False
        for prefix in r.places_by_first.get(text[0], ()):
            rest = text[len(prefix):]
            if text.startswith(prefix) and len(rest) >= 2 and rest not in r.admin_suffixes:
                text = rest
                changed = True
                break
    return text


def label_keys(label: str) -> LabelKeys:
    """The comparable keys of one label (cut to ``MAX_LABEL_LENGTH`` characters first)."""
    return _label_keys(label[:MAX_LABEL_LENGTH])


@lru_cache(maxsize=200_000)
def _label_keys(label: str) -> LabelKeys:
    r = rules()
    full = _fold(label)
    core, form = _strip_legal(full, r)
    short = _strip_places(core, r)
    return LabelKeys(
        label=label,
        full=full,
        core=core,
        short=short,
        pinyin=to_pinyin(short),
        legal_form=form,
        numbers=tuple(_NUMBER.findall(full)),
    )


_PAREN = re.compile(r"\s*[(（]([^()（）]*)[)）]\s*")


def label_variants(label: str) -> list[str]:
    """The label, and for "Name (Other name)" also "Name" and "Other name" (label cut first)."""
    label = label[:MAX_LABEL_LENGTH]
    variants = [label]
    inner = [m.group(1).strip() for m in _PAREN.finditer(label)]
    outer = _PAREN.sub(" ", label).strip()
    for text in [outer, *inner]:
        if text and text not in variants:
            variants.append(text)
    return variants


def name_keys(text: str) -> set[str]:
    """Every key (full, core, short, pinyin) of ``text`` and of its variants, tone numbers
    dropped: two texts name the same thing by the linker's rules when their key sets meet."""
    keys: set[str] = set()
    for variant in label_variants(without_tone_numbers(text)):
        keys |= label_keys(variant).keys()
    keys.discard("")
    return keys
