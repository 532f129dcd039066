"""The package keeps its layers: import-linter's contracts (pyproject.toml) hold."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run([lint, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
