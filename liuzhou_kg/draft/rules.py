"""Load the drafter's rules and vocabularies (``rules.yaml``) and compile the patterns they imply.

The file is data: units with their scale, qualifier and target cue words, period words, entity
suffixes and aliases. This module only checks its shape and turns the word lists into regular
expressions, longest alternative first so that 万吨 wins over 吨.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.errors import InputError, Problem, yaml_problem

RULES_FILE = Path(__file__).with_name("rules.yaml")
REQUIRED = ("units", "scale_prefixes", "qualifiers", "lead_words", "growth_words", "decline_words", "doubling",
            "five_year_plans", "year_parts", "relative_years", "target_cues", "deadline_before", "deadline_after",
            "target_verbs", "resolve_types", "ignore_names", "entity_suffixes", "min_name_chars", "not_names",
            "name_stops", "name_stop_flags", "aliases", "not_figures", "generic_before", "fraction_unit",
            "ordinal_marks", "target_lead_words", "percent_words", "base_period_words")


@dataclass(frozen=True)
class Unit:
    """A unit as printed after a number, with its lzo:Unit id and conversion to the base unit."""

    text: str
    id: str
    en: str
    factor: float
    base: str


@dataclass
class Rules:
    """The loaded rules, with the compiled patterns the drafter uses."""

    data: dict
    units: dict[str, Unit] = field(default_factory=dict)
    unit_pattern: str = ""
    qualifier_before: dict[str, str] = field(default_factory=dict)
    qualifier_after: dict[str, str] = field(default_factory=dict)
    qualifier_en: dict[str, str] = field(default_factory=dict)
    fraction: Unit | None = None

    def __getitem__(self, key):
        """The rules file's entry ``key``, as loaded."""
        return self.data[key]


def alternation(words) -> str:
    """A regex alternation of ``words``, longest first, each escaped."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def load_rules(path: Path = RULES_FILE) -> Rules:
    """Read and check ``rules.yaml``; a malformed file is an input error naming file and line."""
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the drafting rules: {err.strerror}")]) from None
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(path, 1, "the drafting rules must be a mapping")])
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise InputError([Problem(path, None, f"the drafting rules lack {', '.join(missing)}")])
    rules = Rules(data)
    for entry in data["units"]:
        unit = Unit(str(entry["text"]), entry["id"], entry["en"], float(entry["factor"]), entry["base"])
        rules.units[unit.text] = unit
    for entry in data["units"]:
        if not entry.get("scalable"):
            continue
        for prefix in data["scale_prefixes"]:
            text = prefix["text"] + str(entry["text"])
            if text not in rules.units:
                base_id = entry["id"].removeprefix("unit-")
                rules.units[text] = Unit(text, f"unit-{prefix['slug']}-{base_id}", f"{prefix['en']} {entry['en']}",
                                         float(entry["factor"]) * prefix["factor"], entry["base"])
    rules.unit_pattern = alternation(rules.units)
    fraction = data["fraction_unit"]
    rules.fraction = Unit(fraction["text"], fraction["id"], fraction["en"], float(fraction["factor"]), fraction["base"])
    for entry in data["qualifiers"]:
        rules.qualifier_en[entry["id"]] = entry["en"]
        for word in entry.get("before", []):
            rules.qualifier_before.setdefault(word, entry["id"])
        for word in entry.get("after", []):
            rules.qualifier_after.setdefault(word, entry["id"])
    return rules
