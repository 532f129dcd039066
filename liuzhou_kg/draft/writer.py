"""Write drafted findings as records in the format of ``graph/facts/``, each with a unique quote.

Every record carries ``status: draft`` and a ``reason``; the build refuses it until a person has
checked it against its quote and set ``status: confirmed`` (or removed the field). Each quote is
a slice of a sentence of the document, and before anything is written every quote is checked to
occur exactly once in the document (line wraps undone), within one sentence, and to map back onto
the file's characters: a quote outside the document cannot be written.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import yaml
from pypinyin import lazy_pinyin

from ..core.fileio import atomic_write
from .drafter import Draft, DraftResult

MAX_SLUG = 48


def _words(text: str) -> list[str]:
    """The pinyin of ``text`` word by word (jieba's segmentation): 柳州银河 → ["liuzhou", "yinhe"]."""
    return ["".join(lazy_pinyin(word)) for word in jieba.cut(text) if word.strip(" “”\"")]


def slug(text: str, taken: set[str] = frozenset()) -> str:
    """An ASCII id for ``text`` (Chinese as pinyin, a hyphen between words), with -2, -3 … if taken."""
    words = [w.lower() for w in _words(text)]
    base = "-".join(re.sub(r"[^a-z0-9]+", "-", " ".join(words)).split("-"))
    base = re.sub(r"-+", "-", base).strip("-")[:MAX_SLUG].strip("-") or "item"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def transliterate(text: str) -> str:
    """A pinyin rendering of a Chinese name, as a draft English label for the reviewer to translate."""
    return " ".join(w[:1].upper() + w[1:] for w in _words(text) if w.strip())


@dataclass
class Output:
    """The records to write, and what was left out (with why)."""

    records: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def counts(self) -> Counter:
        """Records per section."""
        return Counter(r["_section"] for r in self.records)


SECTIONS = [
    ("proposal", "new entities proposed (names ending in an entity suffix, not in the graph)"),
    ("indicator", "indicators proposed (not in the indicator scheme)"),
    ("observation", "observations: figures stated as results"),
    ("target", "targets: figures and aims after a target cue, with their deadline"),
    ("mention", "mentions of entities the graph already has"),
]


def build_records(result: DraftResult) -> Output:
    """The records of ``result`` with their quotes; raises AssertionError on a quote not in the document."""
    document, lexicon = result.document, result.lexicon
    out = Output()
    taken = set(lexicon.types) | set(lexicon.names)
    proposed_ids: dict[str, str] = {}

    def quotes_of(draft: Draft) -> list[str] | None:
        """The quote(s) of ``draft``: its own, then its period's sentence; None if not unique."""
        main = document.quote(draft.sentence, draft.start, draft.end)
        if main is None:
            out.skipped.append(f"{draft.sentence.pid}: {draft.kind} not drafted: the sentence occurs twice, "
                               "so no quote of it is unique")
            return None
        quotes = [main]
        if draft.context is not None:
            ctx = document.quote(*draft.context)
            if ctx and ctx != main:
                quotes.append(ctx)
        return quotes

    def add(section: str, record: dict) -> None:
        """Keep ``record`` under ``section``."""
        record["_section"] = section
        out.records.append(record)

    for label, data in result.proposed_indicators.items():
        draft = next((d for d in result.drafts if d.kind in ("observation", "target") and d.data["indicator"] == data["id"]), None)
        if draft is None:
            continue
        quotes = quotes_of(draft)
        if quotes is None:
            continue
        taken.add(data["id"])
        add("indicator", {"id": data["id"], "type": "Indicator", "status": "draft",
                          "reason": "a figure's indicator that the indicator scheme has no label or alias for; "
                                    "map it to an existing indicator or keep it (translate the English label)",
                          "label": {"zh": label, "en": transliterate(label)}, "quote": quotes[0]})
    for draft in result.drafts:
        quotes = quotes_of(draft)
        if quotes is None:
            continue
        quote = quotes[0] if len(quotes) == 1 else quotes
        if draft.kind == "proposal":
            name = draft.data["name"]
            if name in proposed_ids:
                add("mention", {"about": proposed_ids[name], "status": "draft",
                                "reason": f"another mention of the proposed {name!r}", "quote": quote})
                continue
            ident = slug(name, taken)
            taken.add(ident)
            proposed_ids[name] = ident
            add("proposal", {"id": ident, "type": draft.data["type"], "status": "draft", "reason": draft.reason +
                             "; the English label is a transliteration: translate it",
                             "label": {"zh": name, "en": transliterate(name)}, "quote": quote})
        elif draft.kind == "mention":
            add("mention", {"about": draft.data["about"], "status": "draft", "reason": draft.reason, "quote": quote})
        elif draft.kind in ("observation", "target"):
            record = (_observation if draft.kind == "observation" else _target)(draft, quote, lexicon, taken)
            record["reason"] += _missing_reference(lexicon, record)
            add(draft.kind, record)
        elif draft.kind == "qualitative-target":
            period = draft.data["period"]
            ident = slug("target-" + draft.data["aim"][:10], taken)
            taken.add(ident)
            add("target", {"id": ident, "type": "Target", "status": "draft", "reason": draft.reason,
                           "label": {"zh": draft.data["aim"], "en": transliterate(draft.data["aim"])},
                           "quote": quote, "deadline": period or "none-stated",
                           "aimedState": {"zh": draft.data["aim"], "en": transliterate(draft.data["aim"])}})
    for record in out.records:
        for quote in record["quote"] if isinstance(record["quote"], list) else [record["quote"]]:
            document.verify(quote)  # by construction a slice of a sentence; checked all the same
    return out


def _missing_reference(lexicon, record: dict) -> str:
    """A note naming the periods and units of ``record`` that the graph does not have yet."""
    keys = ("period", "deadline", "base_period", "unit")
    missing = [record[k] for k in keys if k in record and record[k] != "none-stated" and record[k] not in lexicon.names]
    if not missing:
        return ""
    return f"; not yet in ontology/reference.ttl (add before building): {', '.join(missing)}"


def _label(lexicon, ident: str, lang: str) -> str:
    """The label of ``ident`` in ``lang``, or the id itself."""
    return lexicon.labels.get(ident, {}).get(lang, ident)


def _observation(draft: Draft, quote, lexicon, taken: set[str]) -> dict:
    """The Observation record of a drafted stated result."""
    data = draft.data
    who = "" if data["entity"] == data["area"] else data["entity"] + "-"
    ident = slug_id(f"{who}{data['indicator']}-{data['period_key'] or 'no-period'}", taken)
    # No label: the build makes an observation's labels from its indicator, entity and period (as
    # for a row of observations.csv), so the confirmed record builds as it is.
    record = {"id": ident, "type": "Observation", "status": "draft", "reason": draft.reason,
              "quote": quote, "indicator": data["indicator"], "area": data["area"], "entity": data["entity"],
              "period": data["period"] or "none-stated", "value": data["value"], "unit": data["unit"]}
    for key in ("value_high", "growth_rate", "base_period"):
        if key in data:
            record[key] = data[key]
    record["qualifier"] = data["qualifier"]
    return record


def _target(draft: Draft, quote, lexicon, taken: set[str]) -> dict:
    """The Target record of a drafted figure target."""
    data = draft.data
    ident = slug_id(f"target-{data['indicator']}-{data['period_key'] or 'open'}", taken)
    value = data["value"] + (f"–{data['value_high']}" if "value_high" in data else "")
    unit_en = data["unit"].removeprefix("unit-").replace("-", " ")
    deadline = data["period_key"]
    record = {"id": ident, "type": "Target", "status": "draft", "reason": draft.reason,
              "label": {"zh": f"{_label(lexicon, data['indicator'], 'zh')}目标",
                        "en": f"{_label(lexicon, data['indicator'], 'en')} target"},
              "quote": quote, "measuredBy": data["indicator"], "deadline": data["period"] or "none-stated",
              "aimedState": {"zh": quote if isinstance(quote, str) else quote[0],
                             "en": f"{_label(lexicon, data['indicator'], 'en')}: {value} {data['unit_text']} ({unit_en})"
                                   + (f" by {deadline}" if deadline else "")},
              "value": data["value"], "unit": data["unit"]}
    for key in ("value_high", "growth_rate", "base_period"):
        if key in data:
            record[key] = data[key]
    record["qualifier"] = data["qualifier"]
    return record


def slug_id(text: str, taken: set[str]) -> str:
    """An id from ``text`` (already ASCII), with -2, -3 … if taken; marks it taken."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


# ---------------------------------------------------------------- YAML
def _scalar(value) -> str:
    """A YAML scalar for ``value``, quoted only where YAML needs it."""
    text = yaml.safe_dump(str(value), allow_unicode=True, width=10 ** 6, default_style=None)
    text = text.removesuffix("\n").removesuffix("\n...").rstrip("\n")
    return text


def _lines(record: dict) -> list[str]:
    """The YAML lines of one record, maps and lists in flow style as in graph/facts/."""
    lines = []
    first = True
    for key, value in record.items():
        if key.startswith("_"):
            continue
        lead = "- " if first else "  "
        first = False
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
            lines.append(f"{lead}{key}: {{{inner}}}")
        elif isinstance(value, list):
            lines.append(f"{lead}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{lead}{key}: {_scalar(value)}")
    return lines


def render(result: DraftResult, output: Output, source_name: str) -> str:
    """The draft file's text: a header, then the records by section, each with a blank line after."""
    sha = hashlib.sha256(result.document.source.raw.encode("utf-8")).hexdigest()
    counts = output.counts()
    head = [
        f"# Draft records for {source_name} (SHA-256 {sha}), written by `liuzhou-kg draft`.",
        f"# {len(result.document.sentences)} sentences; "
        + ", ".join(f"{counts.get(name, 0)} {name}{'s' if counts.get(name, 0) != 1 else ''}" for name, _ in SECTIONS) + ".",
        "# Every record is `status: draft`: the build refuses it until a person has checked it against",
        "# its quote and set `status: confirmed` (or removed the field). `reason` says why it was drafted.",
        "# Quotes are exact text of the document (line wraps undone), each found there exactly once.",
    ]
    for line in output.skipped:
        head.append(f"# not drafted: {line}")
    body = []
    for name, title in SECTIONS:
        records = [r for r in output.records if r["_section"] == name]
        if not records:
            continue
        body.append("")
        body.append(f"# ---------------------------------------------------------------- {title}")
        for record in records:
            body.extend(_lines(record))
            body.append("")
    return "\n".join(head + body).rstrip("\n") + "\n"


def write_draft(result: DraftResult, out: Path, source_name: str) -> Output:
    """Render and write the draft atomically; the text is parsed back before it is written."""
    output = build_records(result)
    text = render(result, output, source_name)
    parsed = yaml.safe_load(text) or []
    rendered = [r for name, _ in SECTIONS for r in output.records if r["_section"] == name]
    if [r["quote"] for r in parsed] != [r["quote"] for r in rendered]:
        raise AssertionError("the draft does not parse back to the quotes it was rendered from")
    atomic_write(out, text.encode("utf-8"))
    return output
