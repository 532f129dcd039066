"""`liuzhou-kg draft`: figures, periods, targets and entities drafted from a document.

The test documents and their expected records (tests/fixtures/draft/) were written by us: the
thresholds below are regression guards set a little under the measured scores (BENCHMARKS.md),
not evidence of how the drafter does on texts in the field.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from liuzhou_kg.cli import main
from liuzhou_kg.draft.evaluate import Report, evaluate
from liuzhou_kg.draft.figures import FigureFinder
from liuzhou_kg.draft.periods import PeriodFinder
from liuzhou_kg.draft.rules import RULES_FILE, load_rules
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.build.source import parse_text, read_source

FACTS_DIR = Layout.default().facts
SOURCE_TEXT = Layout.default().source_text

FIXTURES = Path(__file__).parent / "fixtures" / "draft"
DOCS = sorted((FIXTURES / "docs").glob("*.txt"))
EXPECTED = sorted((FIXTURES / "expected").glob("*.yaml"))


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def graph(built_dist) -> Path:
    """The published graph: the 2015 text alone. The test documents are never in it (the fixture
    corpus of tests/fixtures/corpus/ is built apart), so none of their entities is already known."""
    return built_dist / "liuzhou.trig"


@pytest.fixture(scope="module")
def total(graph, rules) -> Report:
    total = Report("all")
    for expected in EXPECTED:
        total.add(evaluate(expected, FIXTURES / "docs", graph=graph, facts_dir=FACTS_DIR, rules=rules))
    return total


# ---------------------------------------------------------------- the reading rules
def test_the_build_reader_is_unchanged_for_its_source():
    raw = SOURCE_TEXT.read_bytes().decode("utf-8")
    parsed, read = parse_text(raw, SOURCE_TEXT), read_source(SOURCE_TEXT)
    assert parsed.text == read.text and parsed.sentences == read.sentences and parsed.raw_offsets == read.raw_offsets


@pytest.mark.parametrize("text, expected", [
    ("全市实现地区生产总值 2208.51亿元，增长 8.5%", [("2208.51", None, "unit-yi-yuan", "qualifier-exact", "8.5")]),
    ("新能源汽车年销量超过四十万辆", [("40", None, "unit-wan-vehicles", "qualifier-exceeded", None)]),
    ("新登记市场主体三万二千户", [("32000", None, "unit-household", "qualifier-exact", None)]),
    ("年均增长6%—7%", [("6", "7", "unit-percent", "qualifier-exact", None)]),
    ("第二产业增加值671.8亿元，下降0.9%", [("671.8", None, "unit-yi-yuan", "qualifier-exact", "-0.9")]),
    ("比2020年翻一番", [("2", None, "unit-times", "qualifier-exact", None)]),
    ("企业300多家，面积约120平方公里", [("300", None, "unit-jia", "qualifier-at-least", None),
                                  ("120", None, "unit-square-km", "qualifier-approximate", None)]),
    ("占全国产量的百分之九左右", [("9", None, "unit-percent", "qualifier-approximate", None)]),
    ("分别迈上 700 亿元、200 亿元台阶", [("700", None, "unit-yi-yuan", "qualifier-reached-level", None),
                                 ("200", None, "unit-yi-yuan", "qualifier-reached-level", None)]),
    ("柳州市成为国内第五个城市，培育一批企业", []),
    ("柳州以广西 1/13 的面积", [("1/13", None, "unit-fraction", "qualifier-exact", None)]),
])
def test_figures(rules, text, expected):
    found = [(f.value, f.value_high, f.unit.id, f.qualifier, f.growth_rate) for f in FigureFinder(rules).find(text)]
    assert found == expected


@pytest.mark.parametrize("text, doc_year, context_year, expected", [
    ("“十三五”期间，地区生产总值年均增长", None, None, ["2016-2020"]),
    ("2022年上半年，全市", None, None, ["2022-h1"]),
    ("上半年，全市", 2022, None, ["2022-h1"]),
    ("上半年，全市", 2022, 2021, ["2021-h1"]),
    ("力争全年增长5%，去年增长3%", 2022, None, ["2022", "2021"]),
    ("2016—2020年累计完成", None, None, ["2016-2020"]),
    ("今年增长", None, None, []),
])
def test_periods(rules, text, doc_year, context_year, expected):
    assert [p.key for p in PeriodFinder(rules).find(text, doc_year, context_year)] == expected


# ---------------------------------------------------------------- the command
@pytest.mark.parametrize("doc", DOCS, ids=[d.stem for d in DOCS])
def test_every_drafted_record_is_sourced_and_a_draft(doc, graph, tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    assert main(["draft", str(doc), "-o", str(out), "--graph", str(graph), "--year", "2022"]) == 0
    assert "wrote" in capsys.readouterr().out
    records = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert records
    # Checked here independently of the drafter: the build's reader, and str.count.
    text = read_source(doc).text
    for record in records:
        assert record["status"] == "draft" and record["reason"]
        assert ("id" in record) != ("about" in record)
        if "id" in record and record["type"] != "Observation":
            assert set(record["label"]) == {"zh", "en"} and record["type"]
        elif "id" in record:  # the build makes an observation's labels from its dimensions
            assert "label" not in record
        for quote in record["quote"] if isinstance(record["quote"], list) else [record["quote"]]:
            assert text.count(quote) == 1, quote
        if record.get("type") == "Target":
            assert record["deadline"] == "none-stated" or record["deadline"].startswith("year")


def test_the_draft_is_refused_by_the_build_record_by_record(graph, tmp_path, repo_copy, capsys):
    doc = FIXTURES / "docs" / "work-report-2022.txt"
    out = repo_copy / "graph" / "facts" / "99-draft.yaml"
    assert main(["draft", str(doc), "-o", str(out), "--graph", str(graph), "--year", "2022"]) == 0
    count = len(yaml.safe_load(out.read_text(encoding="utf-8")))
    capsys.readouterr()
    code = main(["build", "--repo", str(repo_copy), "--dist", str(tmp_path / "dist"), "-q", "--no-reasoner"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("is a draft nobody has reviewed") == count


def test_scores_on_the_test_documents(total):
    """Regression guards a little under the measured scores (BENCHMARKS.md, 'Drafting records')."""
    figures = total.scores["figures (value, unit, kind, period)"]
    assert figures.recall >= 0.93 and figures.precision >= 0.93, total.misses
    entities = total.scores["known entities resolved (entity, sentence)"]
    assert entities.recall >= 0.95 and entities.precision >= 0.95, total.misses
    deadlines = total.scores["target deadlines (of those found)"]
    assert deadlines.recall >= 0.95, total.misses
    assert total.scores["targets found"].recall >= 0.93, total.misses
    assert total.scores["new entities proposed (name)"].recall >= 0.85, total.misses
    assert total.quotes_checked > 150 and total.quotes_outside == 0


def test_the_rules_are_data(graph, tmp_path):
    """A unit added to a copy of rules.yaml is recognised: the vocabulary is not in the code."""
    expected = FIXTURES / "expected" / "communique-2022-h1.yaml"
    before = evaluate(expected, FIXTURES / "docs", graph=graph, facts_dir=FACTS_DIR)
    assert any("亿袋" in miss for miss in before.misses)
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    data["units"].append({"text": "袋", "id": "unit-bag", "en": "bags", "factor": 1, "base": "unit-bag", "scalable": True})
    copy = tmp_path / "rules.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    after = evaluate(expected, FIXTURES / "docs", graph=graph, facts_dir=FACTS_DIR, rules=load_rules(copy))
    assert not any("亿袋" in miss for miss in after.misses)


def test_known_names_come_from_the_records_without_a_build(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LIUZHOU_KG_DIST", str(tmp_path / "no-dist"))
    out = tmp_path / "draft.yaml"
    assert main(["draft", str(FIXTURES / "docs" / "communique-2022-h1.txt"), "-o", str(out)]) == 0
    assert "names from" in capsys.readouterr().out
    abouts = {r["about"] for r in yaml.safe_load(out.read_text(encoding="utf-8")) if "about" in r}
    assert {"liugang", "sgmw", "dongfeng-liuzhou"} <= abouts


# ---------------------------------------------------------------- bad input
def _run(args, capsys) -> tuple[int, str]:
    code = main(["draft", *map(str, args)])
    return code, capsys.readouterr().err


def test_bad_inputs_exit_2_naming_what(tmp_path, capsys):
    out = tmp_path / "out.yaml"
    code, err = _run([tmp_path / "missing.txt", "-o", out], capsys)
    assert code == 2 and "missing.txt" in err and "cannot read" in err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("柳州".encode("gbk"))
    code, err = _run([latin, "-o", out], capsys)
    assert code == 2 and "not UTF-8" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n  \n", encoding="utf-8")
    code, err = _run([empty, "-o", out], capsys)
    assert code == 2 and "no text" in err
    code, err = _run([DOCS[0], "-o", tmp_path], capsys)
    assert code == 2 and "is a directory" in err
    code, err = _run([DOCS[0], "-o", out, "--graph", tmp_path / "nope.trig"], capsys)
    assert code == 2 and "nope.trig" in err
    code, err = _run([DOCS[0], "-o", out, "--area", "atlantis"], capsys)
    assert code == 2 and "atlantis" in err
    assert not out.exists() and not list(tmp_path.glob(".out.yaml.*"))


def test_an_existing_draft_is_kept_unless_forced(tmp_path, capsys):
    out = tmp_path / "out.yaml"
    out.write_text("# my review\n", encoding="utf-8")
    code, err = _run([DOCS[0], "-o", out], capsys)
    assert code == 2 and "--force" in err
    assert out.read_text(encoding="utf-8") == "# my review\n"
    code, _ = _run([DOCS[0], "-o", out, "--force"], capsys)
    assert code == 0 and "status: draft" in out.read_text(encoding="utf-8")


def test_a_write_that_fails_midway_leaves_the_old_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out.yaml"
    out.write_text("# my review\n", encoding="utf-8")

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, err = _run([DOCS[0], "-o", out, "--force"], capsys)
    assert code == 2 and "No space left" in err
    assert out.read_text(encoding="utf-8") == "# my review\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml"]


def test_entities_by_full_short_and_english_names(graph, rules):
    from liuzhou_kg.draft.entities import EntityFinder, load_lexicon

    finder = EntityFinder(rules, load_lexicon(rules, graph, FACTS_DIR))
    text = "柳州钢铁集团、上汽通用五菱汽车股份有限公司、东风柳汽与LiuGong、SGMW在柳州银河机械有限公司合作"
    found = [(m.name, m.ident, m.proposed_type) for m in finder.mentions(text)]
    assert found == [("柳州钢铁集团", "liugang", None), ("上汽通用五菱汽车股份有限公司", "sgmw", None),
                     ("东风柳汽", "dongfeng-liuzhou", None), ("LiuGong", "liugong", None), ("SGMW", "sgmw", None),
                     ("柳州银河机械有限公司", None, "Enterprise")]  # 柳州 inside a new name is not the city


def test_a_killed_draft_leaves_the_old_file_or_the_whole_new_one(graph, tmp_path):
    """SIGKILL at spread-out moments: the output is always the old file or a complete draft."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out.yaml"
    old = "# my review\n"
    doc = FIXTURES / "docs" / "work-report-2022.txt"
    command = [sys.executable, "-m", "liuzhou_kg.cli", "draft", str(doc), "-o", str(out), "--graph", str(graph),
               "--year", "2022", "--force"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    full_run = time.monotonic() - started
    complete = out.read_text(encoding="utf-8")
    for step in range(6):
        out.write_text(old, encoding="utf-8")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full_run * (0.5 + 0.12 * step))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert out.read_text(encoding="utf-8") in (old, complete)
