"""The transitive closure of a class hierarchy, shared by linking and reconciliation."""
from __future__ import annotations

from collections.abc import Iterable, Mapping


def superclass_closure(direct: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Each class of ``direct`` (class → its direct superclasses) → itself and every class above it,
    as ``rdfs:subClassOf*`` reads; cycles end where a class is met again."""
    closure: dict[str, set[str]] = {}
    for cls in list(direct):
        stack, seen = [cls], {cls}
        while stack:
            for parent in direct.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        closure[cls] = seen
    return closure
