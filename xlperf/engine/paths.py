"""Field paths — 'budget.adjusted.total', 'projects[2].status', 'quarterly.cumulative[0]' — and the one walker.

Plain data (dicts and lists, as JSON or the workbook reader give them) and typed inputs
(dataclasses and tuples) are walked the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_PART = re.compile(r"[^.\[\]]+")


def parts(path: str) -> list[str]:
    """'quarterly.cumulative[2]' → ['quarterly', 'cumulative', '2']."""
    return list(_parts(path))


@lru_cache(maxsize=8192)  # the same few thousand paths every fill
def _parts(path: str) -> tuple[str, ...]:
    return tuple(_PART.findall(path))


def get(node: Any, path: str) -> Any:
    """The value at ``path`` in dicts, lists, tuples or attributes; None where the path leads nowhere."""
    for part in _parts(path):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list | tuple):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    return node


def put(data: dict, path: str, value: object) -> None:
    """Put ``value`` at ``path`` in plain data, creating the dicts and lists on the way."""
    names = parts(path)
    node: Any = data
    for i, part in enumerate(names):
        last = i == len(names) - 1
        fresh = None if last else ([] if names[i + 1].isdigit() else {})
        if isinstance(node, list):
            idx = int(part)
            node.extend([None] * (idx + 1 - len(node)))
            if last:
                node[idx] = value
            else:
                if node[idx] is None:
                    node[idx] = fresh
                node = node[idx]
        elif last:
            node[part] = value
        else:
            node = node.setdefault(part, fresh)


def parent(path: str) -> str:
    """The enclosing path: 'a.b' → 'a', 'a[2]' → 'a', 'projects[2].name' → 'projects[2]', 'a' → ''."""
    dot, bracket = path.rfind("."), path.rfind("[")
    cut = max(dot, bracket)
    return path[:cut] if cut > 0 else ""
