#!/usr/bin/env python3
"""Build the Liuzhou innovation knowledge graph into dist/ (same as `liuzhou-kg build`)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from liuzhou_kg.commands.build import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
