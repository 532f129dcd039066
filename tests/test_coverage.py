"""Coverage counts quantities, not digits: numbers inside names and idioms are recognised by the
cues of graph/number-cues.yaml and listed apart; Chinese numerals are read with cn2an."""
from __future__ import annotations

import json

import pytest
import yaml

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.core.numbers import chinese_number, default_cues, find_english_numbers, find_numbers, load_cues
from liuzhou_kg.build.source import _chinese_number


def test_section_numerals_are_read_whole():
    # The hand-written reader returned 2 for 二十一 (it read the first character only).
    assert _chinese_number("二十一") == 21
    assert [_chinese_number(n) for n in ("一", "四", "十", "十二", "二十", "九十九")] == [1, 4, 10, 12, 20, 99]
    assert chinese_number("两") == 2


def test_quantities_and_non_numbers():
    found = [(m.text, m.value, m.kind) for m in find_numbers("柳州市成为国内第五个汽车年产量突破 200 万辆的城市")]
    assert found == [("第五", "5", "quantity"), ("200 万辆", "200", "quantity")]  # 第五个 is one ordinal, not also 五个
    assert [(m.text, m.value) for m in find_numbers("重点推进三个国家级平台")] == [("三", "3")]
    assert [(m.text, m.value) for m in find_numbers("新增二十一家企业")] == [("二十一", "21")]
    # Set phrases and enumerators are not numbers at all.
    for text in ("培育一批示范性基地", "推动两化融合", "新的一年", "一、不断完善科技创新体系", "双百人才工程", "新一代信息技术"):
        assert [m for m in find_numbers(text) if m.is_quantity] == [], text


@pytest.mark.parametrize("text, number, kind", [
    ("3D 打印技术应用示范推广中心", "3", "name"),
    ("宝骏 730、景逸 S50 等汽车新产品相继上市", "730", "name"),
    ("宝骏 730、景逸 S50 等汽车新产品相继上市", "50", "name"),
    ("树立人才是第一资源的观念", "1", "idiom"),
    ("Baojun 730", "730", "name"),
])
def test_numbers_inside_names_and_idioms_are_not_quantities(text, number, kind):
    mention = next(m for m in find_numbers(text) if m.value == number)
    assert mention.kind == kind and mention.reason


def test_every_cue_recognises_its_own_examples():
    cues = default_cues()
    assert cues.not_quantities
    for cue in cues.not_quantities:
        assert cue.examples, cue.reason
        for example in cue.examples:
            assert cue.pattern.search(example), (cue.pattern.pattern, example)


def test_english_number_words_outside_names():
    assert [(m.text, m.value) for m in find_english_numbers("the three platforms of the fifth city")] == [("three", "3"), ("fifth", "5")]
    assert find_english_numbers("Double Hundred Talent Project") == []


def test_coverage_lists_names_and_idioms_apart(built_dist):
    coverage = json.loads((built_dist / "coverage.json").read_text(encoding="utf-8"))
    not_counted = sorted((n["passage"], n["text"], n["kind"]) for n in coverage["not_counted"])
    assert not_counted == [("p04-s05", "50", "name"), ("p04-s05", "730", "name"), ("p06-s03", "3", "name"),
                           ("p07-s02", "第一", "idiom")]
    quantities = {(n["passage"], n["value"]) for n in coverage["numbers"]}
    for passage, value in (("p04-s05", "730"), ("p04-s05", "50"), ("p06-s03", "3"), ("p07-s02", "1")):
        assert (passage, value) not in quantities
    assert coverage["summary"] == {"sentences": 49, "sentences_with_facts": 47, "numbers": 30, "numbers_used": 30,
                                   "numbers_excluded": 0, "numbers_uncovered": 0, "numbers_not_counted": 4}
    markdown = (built_dist / "coverage.md").read_text(encoding="utf-8")
    assert "## Numbers inside names and idioms (not counted)" in markdown
    assert "| p06-s03 | 3 | name |" in markdown


def test_the_order_of_passing_a_threshold_is_a_used_quantity(built_dist):
    coverage = json.loads((built_dist / "coverage.json").read_text(encoding="utf-8"))
    fifth = [n for n in coverage["numbers"] if n["passage"] == "p04-s06" and n["text"] == "第五"]
    assert fifth and fifth[0]["used_by"] == ["annual-vehicle-production-2014"]


def test_a_bad_cue_file_is_an_input_error(tmp_path):
    cues = yaml.safe_load(Layout.default().number_cues.read_text(encoding="utf-8"))
    cues["names"].append({"pattern": "([unclosed", "kind": "name", "reason": "broken on purpose"})
    bad = tmp_path / "number-cues.yaml"
    bad.write_text(yaml.safe_dump(cues, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_cues(bad)
    assert "bad regular expression" in str(err.value.problems[0].message) and "names #" in err.value.problems[0].message
    cues["names"][-1] = {"pattern": "x", "kind": "name", "reason": " "}
    bad.write_text(yaml.safe_dump(cues, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError):
        load_cues(bad)


def test_an_exclusion_of_a_name_is_stale(repo_copy, tmp_path, capsys):
    # 730 is a name, not a quantity: excluding it matches no quantity of the text and is refused.
    from liuzhou_kg.cli import main

    (repo_copy / "graph" / "coverage-exclusions.yaml").write_text(
        '- passage: p04-s05\n  number: "730"\n  reason: a model name\n', encoding="utf-8")
    code = main(["build", "--repo", str(repo_copy), "--dist", str(tmp_path / "dist"), "-q", "--no-reasoner"])
    err = capsys.readouterr().err
    assert code == 2 and "exclusion for p04-s05 number 730 matches no" in err


def test_without_the_cues_names_count_as_used_numbers(repo_copy, tmp_path, capsys):
    # The cue file is what keeps names out. Without its rules, coverage is back to counting digits:
    # the 3 of "3D", 730, the 50 of S50 and 第一 of 第一资源 all count as numbers "used" by facts
    # (by the labels and the scope that repeat them), which is what the audit objected to.
    from liuzhou_kg.cli import main

    path = repo_copy / "graph" / "number-cues.yaml"
    cues = yaml.safe_load(path.read_text(encoding="utf-8"))
    cues["names"], cues["idioms"], cues["english_numbers"] = [], [], {}
    path.write_text(yaml.safe_dump(cues, allow_unicode=True), encoding="utf-8")
    dist = tmp_path / "dist"
    code = main(["build", "--repo", str(repo_copy), "--dist", str(dist), "-q", "--no-reasoner"])
    assert code == 0, capsys.readouterr().err
    coverage = json.loads((dist / "coverage.json").read_text(encoding="utf-8"))
    assert coverage["summary"]["numbers"] == 34 and coverage["not_counted"] == []
    used = {(n["passage"], n["text"]) for n in coverage["numbers"] if n["status"] == "used"}
    assert {("p06-s03", "3"), ("p04-s05", "730"), ("p04-s05", "50"), ("p07-s02", "第一")} <= used
