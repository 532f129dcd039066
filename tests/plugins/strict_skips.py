"""A pytest plugin that turns unexpected skips into failures when LIUZHOU_KG_STRICT_SKIPS=1.

CI installs every system tool the suite uses (Chromium, Virtuoso, Java, Jena), so a test that
skips there has silently stopped checking anything. Only tests named in ``tests/skips-allowed.yaml``,
each with a reason, may skip under the strict setting; locally (the variable unset) skips stay skips.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

STRICT_ENV = "LIUZHOU_KG_STRICT_SKIPS"
ALLOW_LIST = Path(__file__).resolve().parent.parent / "skips-allowed.yaml"


def load_allowed(path: Path = ALLOW_LIST) -> list[str]:
    """The node ids (or node-id prefixes) that may skip, read from the allow-list file.

    Raises pytest.UsageError when an entry has no test or no reason: an allowance without a reason
    is how a skip becomes permanent."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    allowed = []
    for number, entry in enumerate(data.get("allowed") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("test") or not entry.get("reason"):
            raise pytest.UsageError(f"{path}: entry {number} needs both 'test' and 'reason'")
        allowed.append(str(entry["test"]))
    return allowed


def is_allowed(nodeid: str, allowed: list[str]) -> bool:
    """Whether ``nodeid`` is allowed to skip: an exact entry, or an entry ending in '::' or '/'
    that prefixes it."""
    return any(nodeid == entry or (entry.endswith(("::", "/")) and nodeid.startswith(entry))
               for entry in allowed)


def pytest_configure(config):
    config._strict_skips = os.environ.get(STRICT_ENV) == "1"
    config._allowed_skips = load_allowed() if config._strict_skips else []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    config = item.config
    if not getattr(config, "_strict_skips", False) or not report.skipped:
        return
    if hasattr(report, "wasxfail") or is_allowed(item.nodeid, config._allowed_skips):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"skipped under {STRICT_ENV}=1 and not in tests/skips-allowed.yaml: {reason}")
