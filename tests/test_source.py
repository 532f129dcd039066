"""The source text: a byte-identical copy, its line wraps undone, split into sentences and sections."""
from __future__ import annotations

import hashlib

import pytest

from liuzhou_kg.core.layout import Layout
from liuzhou_kg.build.source import read_source

REPO = Layout.default().repo
SOURCE_TEXT = Layout.default().source_text

SHARED = REPO.parent / "shared" / "sources" / SOURCE_TEXT.name


def test_copy_matches_its_recorded_checksum():
    recorded = (SOURCE_TEXT.parent / "SHA256SUMS").read_text(encoding="utf-8").split()[0]
    assert hashlib.sha256(SOURCE_TEXT.read_bytes()).hexdigest() == recorded


@pytest.mark.skipif(not SHARED.exists(), reason="the shared source folder is not beside this checkout")
def test_copy_is_byte_identical_to_the_shared_original():
    assert SOURCE_TEXT.read_bytes() == SHARED.read_bytes()


def test_line_wraps_are_undone_including_the_stray_blank_lines():
    source = read_source(SOURCE_TEXT)
    assert "2208.51亿元" in source.text  # wrapped as "2208.51亿\n元" in the file
    assert "柳州这座地处西部少数民族地区的工业城市" in source.text  # a blank line splits it in the file
    assert "大力实施“优秀人才接触柳州计划”" in source.text
    assert len(source.text.split("\n")) == 9  # paragraphs


def test_sentences_and_sections():
    source = read_source(SOURCE_TEXT)
    assert len(source.sentences) == 49
    headings = {s.section: s.text for s in source.sentences if s.number == 1 and s.section}
    assert headings == {1: "一、不断完善科技创新体系。", 2: "二、深入实施“人才强市”战略。",
                        3: "三、鼓励大众创业、万众创新。", 4: "四、科学统筹智慧城市建设。"}
    for sentence in source.sentences:
        assert source.raw[sentence.raw_start:sentence.raw_end].replace("\n", "") == sentence.text
