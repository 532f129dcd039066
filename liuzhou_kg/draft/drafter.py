"""Draft records from a document: figures (observations and targets), qualitative targets, mentions
of known entities and proposals of new ones, each with the reason it was drafted.

The result is a list of ``Draft`` items, each tied to a span of one sentence; ``writer`` turns
them into records in the format of ``graph/facts/`` with exact, unique quotes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..build.source import Sentence
from .entities import EntityFinder, Lexicon, Mention, load_lexicon
from .figures import Figure, FigureFinder
from .periods import Period, PeriodFinder
from .rules import Rules, alternation, load_rules
from .sentences import CLAUSE_MARKS, Document, read_document
from .targets import TargetFinder

TITLE_LENGTH = 40
FRAMING = re.compile(r"^[”\"]?(?:末|底)?[，,]")  # 到2025年， / 到“十四五”末，: a clause of its own
OPENING = 2  # a period starting within the first characters of a sentence (“十三五”期间, 到2025年) frames it
SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
PUNCTUATION = " \t“”\"‘’（）()、，,；;：:。"


@dataclass
class Draft:
    """One finding: what kind, where (a span of one sentence), its data and why it was drafted."""

    kind: str  # observation | target | qualitative-target | mention | proposal
    sentence: Sentence
    start: int
    end: int
    data: dict
    reason: str
    context: tuple[Sentence, int, int] | None = None  # the sentence naming the period, if elsewhere


@dataclass
class DraftResult:
    """Everything drafted from one document."""

    document: Document
    lexicon: Lexicon
    drafts: list[Draft] = field(default_factory=list)
    proposed_indicators: dict[str, dict] = field(default_factory=dict)  # label -> data
    periods: dict[str, Period] = field(default_factory=dict)  # period id -> period


class Drafter:
    """Applies the rules to a document."""

    def __init__(self, rules: Rules, lexicon: Lexicon, area: str, doc_year: int | None):
        """Compile every finder of the rules; ``lexicon`` names the known entities."""
        self.rules = rules
        self.lexicon = lexicon
        self.area = area
        self.doc_year = doc_year
        self.periods = PeriodFinder(rules)
        self.figures = FigureFinder(rules)
        self.targets = TargetFinder(rules)
        self.entities = EntityFinder(rules, lexicon)
        strip_words = list(rules["lead_words"]) + [c["text"] for c in rules["target_cues"]] + \
            list(rules.qualifier_before) + list(rules["deadline_before"]) + list(rules["deadline_after"]) + \
            list(rules["growth_words"])
        self.base_period = re.compile(rf"(?:{alternation(rules['base_period_words'])})\s*$")
        self.strip_lead = re.compile(rf"^(?:{alternation(strip_words)})")
        self.strip_tail = re.compile(rf"(?:{alternation(strip_words)})$")
        # Before a target verb only cue and deadline words go (完成 and 新增 are the verbs themselves).
        cue_words = [c["text"] for c in rules["target_cues"]] + list(rules["deadline_before"]) + \
            list(rules["deadline_after"]) + list(rules["target_lead_words"])
        self.strip_cue = re.compile(rf"^(?:{alternation(cue_words)})")

    def draft(self, document: Document) -> DraftResult:
        """Every finding of ``document``, paragraph by paragraph, in order."""
        result = DraftResult(document, self.lexicon)
        paragraphs: dict[int, list[Sentence]] = {}
        for sentence in document.sentences:
            paragraphs.setdefault(sentence.paragraph, []).append(sentence)
        # A short first sentence is the title; a period it names is the document's (2022年上半年…).
        first = document.sentences[0]
        title_periods = self.periods.find(first.text, self.doc_year) if len(first.text) <= TITLE_LENGTH else []
        document_context = (title_periods[0], first) if title_periods else None
        section: tuple[tuple[Period, Sentence] | None, tuple[Period | None, Sentence] | None] = (None, None)
        for sentences in paragraphs.values():
            heading = sentences[0]
            if len(sentences) == 1 and SECTION_HEADING.match(heading.text):
                periods = self.periods.find(heading.text, self.doc_year)
                cues = [c for c in self.targets.cues_in(heading.text, periods, []) if c.scope == "paragraph"]
                context = (periods[0], heading) if periods else None
                section = (context, (periods[0] if periods else None, heading) if cues else None)
                continue
            self._paragraph(sentences, result, section[0] or document_context, section[1])
        return result

    # ------------------------------------------------------------ per paragraph and sentence
    def _paragraph(self, sentences: list[Sentence], result: DraftResult, outer_context, outer_target) -> None:
        """Findings of one paragraph; ``outer_context`` is the section's (or document's) period and
        ``outer_target`` the section's target cue, if its heading has one."""
        context: tuple[Period, Sentence] | None = outer_context  # the period the paragraph is about
        paragraph_target: tuple[Period | None, Sentence] | None = outer_target  # a paragraph-wide target cue
        carried = None
        for sentence in sentences:
            text = sentence.text
            context_year = context[0].first if context and context[0].first == context[0].last else self.doc_year
            periods = self.periods.find(text, self.doc_year, context_year)
            mentions = self.entities.mentions(text)
            cues = self.targets.cues_in(text, periods, [(m.start, m.end) for m in mentions])
            deadlines = self.targets.deadlines(text, periods)
            first_cue = min((c.start for c in cues), default=None)
            if any(c.scope == "paragraph" for c in cues):
                after = deadlines or [p for p in periods if p.start >= first_cue] or periods
                paragraph_target = (after[0] if after else None, sentence)
            elif paragraph_target is not None and deadlines and deadlines[0].start <= OPENING and \
                    FRAMING.match(text[deadlines[0].end:]):
                # In a target paragraph, a deadline that opens a sentence (到2025年，…) frames the
                # sentences after it too; one inside a sentence (确保2023年前完成…) does not.
                carried = (deadlines[0], sentence)
            # A period that opens the sentence, before any cue, sets the paragraph's period.
            deadline_spans = {(p.start, p.end) for p in deadlines}
            opening = [p for p in periods if p.start <= OPENING and (p.start, p.end) not in deadline_spans
                       and (first_cue is None or p.start < first_cue)]
            if opening:
                context = (opening[0], sentence)
            figures = self.figures.find(text)
            self._figures(sentence, figures, periods, deadlines, deadline_spans, mentions, first_cue, context,
                          paragraph_target, result)
            self._qualitative_targets(sentence, figures, periods, deadlines, first_cue, paragraph_target, result)
            if carried is not None:
                paragraph_target, carried = carried, None
            self._mentions(sentence, mentions, result)

    def _figures(self, sentence, figures: list[Figure], periods, deadlines, deadline_spans, mentions, first_cue,
                 context, paragraph_target, result: DraftResult) -> None:
        """Observation and target drafts for the figures of one sentence."""
        text = sentence.text
        previous: Draft | None = None
        previous_figure: Figure | None = None
        distributed: list[str] = []
        for figure in figures:
            is_target = (first_cue is not None and first_cue < figure.start) or paragraph_target is not None
            clause_start = max((i + 1 for i, ch in enumerate(text[:figure.start]) if ch in "，；：,;:。"), default=0)
            prefix_start = max(clause_start, previous_figure.end if previous_figure else 0,
                               previous_figure.growth_end or 0 if previous_figure else 0)
            prefix = text[prefix_start:figure.start]
            reasons = [f"figure {figure.text.strip()!r}"]
            # -- indicator and subject
            indicator = self.entities.indicator_in(prefix)
            subject = self.entities.subject_in(text[clause_start:figure.start])
            if "分别" in text[clause_start:figure.start] or (distributed and text[prefix_start:figure.start].strip(" 、") == ""):
                if not distributed:
                    distributed = [m.ident for m in mentions if m.ident and clause_start <= m.start < figure.start] or \
                        [self.entities.subjects[m.group(0)] for m in self.entities.subject_pattern.finditer(
                            text[_previous_clause(text, clause_start):figure.start])]
                if distributed:
                    subject = distributed.pop(0)
                    reasons.append("subject from a 分别 list")
            stripped = self._strip(prefix, periods, prefix_start)
            if indicator is None and stripped:
                indicator = self.entities.indicator_containing(stripped)
            if indicator is not None:
                indicator_id = indicator[0]
                reasons.append(f"indicator {indicator_id} (named {indicator[1]!r})")
            elif not stripped and previous is not None:
                indicator_id = previous.data["indicator"]
                subject = subject or previous.data.get("entity")
                reasons.append(f"indicator {indicator_id} as the figure before (a list)")
            else:
                # The subject named first (上汽通用五菱…年销量, 柳东新区新建…) is not part of the indicator.
                named = [m for m in self.entities.mentions(stripped)] + \
                    list(self.entities.subject_pattern.finditer(stripped) if self.entities.subjects else [])
                cut = max((m.end if isinstance(m, Mention) else m.end() for m in named), default=0)
                label = self._strip(stripped[cut:], [], 0) or stripped or figure.unit.en
                indicator_id = self._propose_indicator(label, result)
                reasons.append(f"indicator {label!r} not in the indicator scheme: proposed as {indicator_id}")
            # -- period
            before = [p for p in periods if p.end <= figure.start]
            context_quote = None
            if is_target:
                own = [p for p in deadlines if p.end <= figure.start] or \
                      [p for p in before if first_cue is not None and p.start >= first_cue] or \
                      [p for p in deadlines] or [p for p in before if first_cue is not None] or \
                      [p for p in before if not self.base_period.search(text[:p.start])]
                if own:
                    period = own[-1]
                    reasons.append(f"target: cue before it, deadline {period.text!r}")
                elif paragraph_target is not None and paragraph_target[0] is not None:
                    period = _deadline_of(paragraph_target[0])
                    if paragraph_target[1] is not sentence:
                        context_quote = paragraph_target[1], paragraph_target[0]
                    reasons.append(f"target: the goals of the paragraph or section, deadline {period.text!r}")
                else:
                    period = None
                    reasons.append("target: cue before it, no deadline stated")
            else:
                own = [p for p in before if not self.base_period.search(text[:p.start]) and (p.start, p.end) not in deadline_spans]
                if own:
                    period = own[-1]
                    reasons.append(f"stated result of {period.text!r}")
                elif context is not None:
                    period = context[0]
                    if context[1] is not sentence:
                        context_quote = context[1], period
                    reasons.append(f"stated result of {period.text!r} (the paragraph's period)")
                elif self.doc_year is not None:
                    period = Period(self.doc_year, self.doc_year, None, -1, -1, f"{self.doc_year}年")
                    reasons.append(f"stated result; no period in the text: the document's year {self.doc_year} (--year)")
                else:
                    period = None
                    reasons.append("stated result; no period stated")
            if figure.doubling:
                base = [p for p in periods if self.base_period.search(text[:p.start])]
                reasons.append("doubles the value of " + (repr(base[0].text) if base else "an unstated base period"))
            if period is not None:
                result.periods[period.id] = period
            data = {
                "indicator": indicator_id,
                "area": self.area,
                "entity": subject or self.area,
                "value": figure.value,
                "unit": figure.unit.id,
                "unit_text": figure.unit.text,
                "qualifier": figure.qualifier,
                "period": period.id if period else None,
                "period_key": period.key if period else None,
            }
            if figure.value_high is not None:
                data["value_high"] = figure.value_high
                reasons.append(f"a range {figure.value}–{figure.value_high}")
            if figure.growth_rate is not None:
                data["growth_rate"] = figure.growth_rate
            if figure.doubling:
                base = [p for p in periods if self.base_period.search(text[:p.start])]
                if base:
                    data["base_period"] = base[0].id
            if figure.qualifier != "qualifier-exact":
                reasons.append(f"qualifier {figure.qualifier}")
            end = figure.growth_end or figure.end
            quote_start = min(prefix_start, figure.start)
            draft = Draft("target" if is_target else "observation", sentence, quote_start, end, data, "; ".join(reasons))
            if context_quote is not None:
                ctx_sentence, ctx_period = context_quote
                draft.context = (ctx_sentence, ctx_period.start, ctx_period.end)
            result.drafts.append(draft)
            previous, previous_figure = draft, figure

    def _qualitative_targets(self, sentence, figures, periods, deadlines, first_cue, paragraph_target, result) -> None:
        """Target drafts for clauses under a target cue that start with a target verb and hold no figure."""
        if first_cue is None and paragraph_target is None:
            return
        text = sentence.text
        bounds = [0] + [i + 1 for i, ch in enumerate(text) if ch in CLAUSE_MARKS + "。"] + [len(text)]
        for lo, hi in zip(bounds, bounds[1:]):
            if first_cue is not None and hi <= first_cue and paragraph_target is None:
                continue
            if any(lo <= f.start < hi for f in figures):
                continue
            clause = self._strip(text[lo:hi], periods, lo, self.strip_cue, re.compile(r"(?!x)x"))
            if not clause or not self.targets.starts_with_target_verb(clause):
                continue
            own = [p for p in deadlines if p.end <= hi] or [p for p in periods if first_cue is not None and p.start >= first_cue and p.end <= hi]
            reasons = [f"target verb in {clause[:12]!r} after a target cue"]
            context = None
            if own:
                period = own[-1]
                reasons.append(f"deadline {period.text!r}")
            elif paragraph_target is not None and paragraph_target[0] is not None:
                period = _deadline_of(paragraph_target[0])
                context = (paragraph_target[1], paragraph_target[0].start, paragraph_target[0].end)
                reasons.append(f"deadline {period.text!r} of the paragraph's goals")
            else:
                period = None
                reasons.append("no deadline stated")
            if period is not None:
                result.periods[period.id] = period
            data = {"aim": clause, "period": period.id if period else None, "period_key": period.key if period else None}
            draft = Draft("qualitative-target", sentence, lo, hi, data, "; ".join(reasons))
            draft.context = context if context and context[0] is not sentence else None
            result.drafts.append(draft)

    def _mentions(self, sentence, mentions: list[Mention], result: DraftResult) -> None:
        """A mention draft per known entity and a proposal per new name, once per sentence."""
        seen = set()
        for mention in mentions:
            key = mention.ident or mention.name
            if key in seen:
                continue
            seen.add(key)
            if mention.ident:
                result.drafts.append(Draft("mention", sentence, mention.start, mention.end,
                                           {"about": mention.ident, "name": mention.name},
                                           f"mention of {mention.ident} (named {mention.name!r})"))
            else:
                result.drafts.append(Draft("proposal", sentence, mention.start, mention.end,
                                           {"name": mention.name, "type": mention.proposed_type},
                                           f"name ending in an entity suffix of type {mention.proposed_type}, not in the graph"))

    # ------------------------------------------------------------ helpers
    def _strip(self, text: str, periods: list[Period], offset: int, lead: re.Pattern | None = None,
               tail: re.Pattern | None = None) -> str:
        """``text`` without periods, cue and lead words, qualifiers and punctuation at its ends."""
        lead = lead or self.strip_lead
        tail = tail or self.strip_tail
        for period in sorted(periods, key=lambda p: -p.start):
            s, e = period.start - offset, period.end - offset
            if 0 <= s and e <= len(text):
                text = text[:s] + " " + text[e:]
        text = re.sub(r"\s+", "", text)
        changed = True
        while changed and text:
            before = text
            text = text.strip(PUNCTUATION)
            text = lead.sub("", text)
            text = tail.sub("", text)
            changed = text != before
        return text

    def _propose_indicator(self, label: str, result: DraftResult) -> str:
        """The id of the indicator named ``label``: a known one, or a new proposal."""
        known = self.entities.indicators.get(label)
        if known:
            return known
        if label not in result.proposed_indicators:
            from .writer import slug

            result.proposed_indicators[label] = {"id": slug(label, taken=set(self.lexicon.types) | {
                d["id"] for d in result.proposed_indicators.values()}), "label": label}
        return result.proposed_indicators[label]["id"]


def _deadline_of(period: Period) -> Period:
    """A target's deadline from the period of its section or paragraph: a plan period's last year."""
    if period.first == period.last:
        return period
    return Period(period.last, period.last, None, period.start, period.end, period.text)


def _previous_clause(text: str, clause_start: int) -> int:
    """Start of the clause before the one starting at ``clause_start``."""
    return max((i + 1 for i, ch in enumerate(text[:max(0, clause_start - 1)]) if ch in "，；：,;:"), default=0)


def draft_document(path: Path, *, graph: Path | None, facts_dir: Path, area: str = "liuzhou",
                   year: int | None = None, rules: Rules | None = None) -> DraftResult:
    """Read ``path`` and draft its records (the lexicon from ``graph`` or the records in ``facts_dir``)."""
    from ..core.errors import InputError, Problem

    rules = rules or load_rules()
    document = read_document(path)
    lexicon = load_lexicon(rules, graph, facts_dir)
    if area not in lexicon.types:
        raise InputError([Problem("--area", None, f"{area!r} is not an entity of the graph")])
    return Drafter(rules, lexicon, area, year).draft(document)
