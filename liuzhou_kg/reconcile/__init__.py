"""The W3C Entity Reconciliation API (0.2 and the 1.0 draft) over the Liuzhou graph.

- :mod:`.catalog` — the entities, classes and property values, read once from the store;
- :mod:`.engine` — matching and scoring (the one adapter to ``liuzhou_kg.link``);
- :mod:`.queries` — 0.2 query batches and 1.0-draft /match bodies, checked, and their results;
- :mod:`.manifest`, :mod:`.suggest`, :mod:`.preview`, :mod:`.extend` — the other services;
- :mod:`.app` — the Starlette app the server mounts at ``/reconcile``.
"""
from __future__ import annotations

from .app import reconcile_app, reconcile_mount
from .engine import Candidate, Engine, Evidence

__all__ = ["Candidate", "Engine", "Evidence", "reconcile_app", "reconcile_mount"]
