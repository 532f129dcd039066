"""Tell targets from stated results: target cues, their scope, and a target's deadline.

A cue of the rules (力争, 目标, 确保, 计划, 到 + a period …) makes every figure after it in its
sentence a target; a paragraph cue (主要目标) does so to the end of the paragraph. Figures before
any cue are stated results (observations). A target's deadline is a period right after 到/至/截至
or right before 前/底/末, else the period named after the cue, else none stated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .periods import Period
from .rules import Rules, alternation


@dataclass(frozen=True)
class Cue:
    """A target cue in a sentence."""

    text: str
    start: int
    end: int
    scope: str  # "sentence" or "paragraph"


class TargetFinder:
    """The compiled target rules."""

    def __init__(self, rules: Rules):
        """Compile the cue, deadline and target-verb patterns of ``rules``."""
        self.rules = rules
        self.cues = {c["text"]: c for c in rules["target_cues"]}
        self.cue_pattern = re.compile(alternation(self.cues))
        self.before = re.compile(rf"(?:{alternation(rules['deadline_before'])})[\s“”\"]*$")
        self.after = re.compile(rf"^[\s“”\"]*(?:{alternation(rules['deadline_after'])})")
        self.end_marks = re.compile(r"^[\s“”\"]*(?:末|底)")
        self.verbs = re.compile(rf"^(?:{alternation(rules['target_verbs'])})")

    def cues_in(self, text: str, periods: list[Period], blocked: list[tuple[int, int]]) -> list[Cue]:
        """The target cues of ``text``; none inside a name (``blocked`` spans, e.g. 人才计划)."""
        found = []
        for m in self.cue_pattern.finditer(text):
            if any(s <= m.start() < e for s, e in blocked):
                continue
            rule = self.cues[m.group(0)]
            if rule.get("followed_by_period") and not any(
                    p.start >= m.end() and text[m.end():p.start].strip(" “”\"") == "" for p in periods):
                continue
            if rule.get("preceded_by_period") and not any(
                    p.end <= m.start() and text[p.end:m.start()].strip(" “”\"底末") == "" for p in periods):
                continue
            found.append(Cue(m.group(0), m.start(), m.end(), rule["scope"]))
        return found

    def deadlines(self, text: str, periods: list[Period]) -> list[Period]:
        """The periods of ``text`` in a deadline position (到2025年, 2025年前, “十四五”末)."""
        found = []
        for p in periods:
            if self.before.search(text[:p.start]) or self.after.match(text[p.end:]):
                if p.first != p.last and self.end_marks.match(text[p.end:]):
                    p = Period(p.last, p.last, None, p.start, p.end, p.text)  # “十四五”末: its last year
                found.append(p)
        return found

    def starts_with_target_verb(self, clause: str) -> bool:
        """Whether ``clause`` opens with a target verb (建成, 打造 …)."""
        return bool(self.verbs.match(clause))
