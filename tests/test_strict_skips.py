"""The CI skip policy: under LIUZHOU_KG_STRICT_SKIPS=1 a skip fails unless the allow-list names it."""
from __future__ import annotations

import pytest

from plugins.strict_skips import STRICT_ENV, is_allowed, load_allowed

INNER_TESTS = """
import pytest

def test_skipped_for_a_missing_tool():
    pytest.skip("chromium is not installed")

@pytest.mark.skipif(True, reason="some optional thing")
def test_skipped_by_marker():
    pass

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False

def test_passes():
    pass
"""


def _run_inner(pytester, monkeypatch, strict: bool):
    pytester.makepyfile(test_inner=INNER_TESTS)
    if strict:
        monkeypatch.setenv(STRICT_ENV, "1")
    else:
        monkeypatch.delenv(STRICT_ENV, raising=False)
    return pytester.runpytest_inprocess("-p", "plugins.strict_skips")


def test_strict_setting_fails_every_unlisted_skip(pytester, monkeypatch):
    result = _run_inner(pytester, monkeypatch, strict=True)
    # A skip in the call phase reports as a failure, a skip marker (setup phase) as an error.
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*not in tests/skips-allowed.yaml: *chromium is not installed*"])


def test_skips_stay_skips_without_the_setting(pytester, monkeypatch):
    result = _run_inner(pytester, monkeypatch, strict=False)
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)


def test_allow_list_entries_match_exactly_or_by_prefix():
    allowed = ["tests/test_a.py::test_one", "tests/test_b.py::"]
    assert is_allowed("tests/test_a.py::test_one", allowed)
    assert not is_allowed("tests/test_a.py::test_one_more", allowed)
    assert is_allowed("tests/test_b.py::test_anything[x]", allowed)


def test_an_allowance_without_a_reason_is_refused(tmp_path):
    listing = tmp_path / "skips.yaml"
    listing.write_text("allowed:\n  - test: tests/test_a.py::test_one\n", encoding="utf-8")
    with pytest.raises(pytest.UsageError, match="entry 1 needs both"):
        load_allowed(listing)


def test_the_project_allow_list_loads():
    assert isinstance(load_allowed(), list)
