"""Indicator systems: loading a TOML file and validating it whole before any scoring.

A system is the three-level tree (一级 / 二级 / 三级 with 参考分值), the 指标说明
and 评分标准 texts, and for each 三级指标 a rule kind with its parameters.
See ``xlperf/engine/systems/README.md`` for the file format.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, wraps
from pathlib import Path
from typing import Callable, TypeVar

from .. import tomlcache
from ..digest import sha256
from ..errors import SystemFileError, not_utf8
from .kinds import BAND_ON, EVALUATOR_PARAMS, INDICATOR_PARAMS, KINDS, condition, number

BUNDLED = ("shenzhen-2024", "hunan-district")  # the ids in xlperf/engine/systems/

_T = TypeVar("_T")


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    points: Decimal
    parent: str = ""


@dataclass(frozen=True)
class Item:
    """A 三级指标 and its rule."""

    id: str
    name: str
    points: Decimal
    parent: str  # 二级 id
    description: str  # 指标说明
    criteria: str  # 评分标准
    kind: str
    params: dict

    @property
    def rules(self) -> tuple[dict, ...]:
        """The item's own parameters, then those of each composite part: every rule that reads data."""
        return (self.params, *self.params.get("parts", []))


@dataclass(frozen=True)
class System:
    id: str
    name: str
    total: Decimal
    level1: tuple[Node, ...]
    level2: tuple[Node, ...]
    items: tuple[Item, ...]
    source: str  # file path or bundled name
    sha256: str  # of the file's bytes: the audit stamp records it
    band_on: str = "exact"  # [system] band_on: rules compare the exact rate, or the rate as printed

    def children(self, parent: str) -> list:
        return [n for n in (*self.level2, *self.items) if n.parent == parent]

    def evaluator_keys(self) -> list[tuple[str, Item, dict]]:
        """Every evaluator input key with the item and (part) params that read it."""
        keys = []
        for item in self.items:
            for params in item.rules:
                for p in EVALUATOR_PARAMS:
                    if p in params:
                        keys.append((params[p], item, params))
        return keys


def once_per_system(work: Callable[[System], _T]) -> Callable[[System], _T]:
    """Remember ``work(system)`` per system object: a batch worker fills many files under the same one.

    Keyed by id() because a System holds dicts (unhashable); the system is kept beside its answer so
    its id cannot be reused by another object while remembered. At most 64 systems, then forgotten.
    The answer is shared: ``work`` must return something nobody mutates."""
    seen: dict[int, tuple[System, _T]] = {}

    @wraps(work)
    def remembered(system: System) -> _T:
        found = seen.get(id(system))
        if found is not None and found[0] is system:
            return found[1]
        if len(seen) >= 64:
            seen.clear()
        answer = work(system)
        seen[id(system)] = (system, answer)
        return answer

    remembered.cache_clear = seen.clear  # type: ignore[attr-defined]
    return remembered


def load(name_or_path: str | Path) -> System:
    """A bundled or registered system by id (``"shenzhen-2024"``), or a TOML file given as a ``Path``.

    A string is only ever an id, looked up in the registry (bundled systems plus the folders of
    XLPERF_SYSTEMS): text that came from a workbook can never name a file.
    """
    from .registry import default, read_regular

    if isinstance(name_or_path, Path):
        data = read_regular(name_or_path)
        if data is None:
            raise SystemFileError(f"{name_or_path}: 无法读取指标体系文件（文件不存在）")
        return _parsed(data, str(name_or_path))
    return default().by_id(name_or_path)


def parse_trusted(data: bytes, source: str) -> System:
    """Parse a file the registry found (remembered by its bytes)."""
    return _parsed(data, source)


@lru_cache(maxsize=16)
def _parsed(data: bytes, source: str) -> System:
    """parse, remembered by the file's bytes: a batch or a server loads the same system for every workbook."""
    return parse(data, source)


def parse(data: bytes, source: str) -> System:
    """Parse and validate; one SystemFileError naming the file and every bad entry."""
    try:
        raw = tomlcache.loads(data.removeprefix(codecs.BOM_UTF8))  # Notepad's UTF-8 mark: still UTF-8
    except UnicodeDecodeError as exc:
        raise SystemFileError(f"{source}: 不是有效的 TOML 文件：{not_utf8(exc)}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise SystemFileError(f"{source}: 不是有效的 TOML 文件：{exc}") from None
    errors: list[str] = []

    def err(entry: str, text: str) -> None:
        errors.append(f"{source}: [{entry}] {text}")

    head = raw.get("system", {})
    for key in ("id", "name", "total"):
        if key not in head:
            err("system", f"缺少字段 {key}")
    band_on = head.get("band_on", "exact")
    if band_on not in BAND_ON:
        err("system", f"band_on 应为 exact 或 printed，实际为“{band_on}”")

    def points(entry: str, value: object) -> Decimal:
        try:
            p = number(value)
        except (ValueError, TypeError):
            err(entry, f"分值“{value}”不是数字")
            return Decimal(0)
        if p < 0:
            err(entry, f"分值 {p} 为负数")
        return p

    def nodes(key: str, parent_ids: set[str] | None) -> list[Node]:
        out = []
        for i, n in enumerate(raw.get(key, [])):
            entry = f"{key} {n.get('id', f'#{i + 1}')}"
            missing = [f for f in ("id", "name", "points") + (("parent",) if parent_ids is not None else ())
                       if f not in n]
            if missing:
                err(entry, f"缺少字段 {', '.join(missing)}")
                continue
            if parent_ids is not None and n["parent"] not in parent_ids:
                err(entry, f"上级指标“{n['parent']}”不存在")
            out.append(Node(n["id"], n["name"], points(entry, n["points"]), n.get("parent", "")))
        return out

    level1 = nodes("level1", None)
    level2 = nodes("level2", {n.id for n in level1})
    items: list[Item] = []
    for i, it in enumerate(raw.get("item", [])):
        entry = f"item {it.get('id', f'#{i + 1}')}"
        missing = [f for f in ("id", "name", "points", "parent", "kind") if f not in it]
        if missing:
            err(entry, f"缺少字段 {', '.join(missing)}")
            continue
        if it["parent"] not in {n.id for n in level2}:
            err(entry, f"上级指标“{it['parent']}”不存在")
        kind = it["kind"]
        p = points(entry, it["points"])
        params = {k: v for k, v in it.items() if k not in ("id", "name", "points", "parent", "kind",
                                                             "description", "criteria")}
        if kind not in KINDS:
            err(entry, f"未知的规则类型“{kind}”；可用：{', '.join(KINDS)}")
        else:
            try:
                for problem in KINDS[kind][0](params, p):
                    err(entry, problem)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                err(entry, f"参数有误：{exc}")
        items.append(Item(it["id"], it["name"], p, it["parent"], it.get("description", ""), it.get("criteria", ""),
                          kind, params))

    ids = [n.id for n in (*level1, *level2, *items)]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        err(dup, "编号重复")
    for parent in (*level1, *level2):
        kids = [n for n in (*level2, *items) if n.parent == parent.id]
        total = sum((k.points for k in kids), Decimal(0))
        if not kids:
            err(parent.id, "没有下级指标")
        elif total != parent.points:
            err(parent.id, f"下级指标分值之和 {total} ≠ 本级参考分值 {parent.points}")
    if "total" in head:
        grand = sum((n.points for n in level1), Decimal(0))
        if grand != points("system", head["total"]):
            err("system", f"一级指标分值之和 {grand} ≠ 总分 {head['total']}")

    _check_references(items, err)
    if errors:
        raise SystemFileError("\n".join(errors))
    return System(head["id"], head["name"], number(head["total"]), tuple(level1), tuple(level2), tuple(items),
                  source, sha256(data).hexdigest(), band_on)


def _check_references(items: list[Item], err) -> None:
    """Every indicator a rule names must be one the engine computes; ``if_undefined`` is zero or full."""
    from .indicators import KNOWN_IDS

    for item in items:
        for params in item.rules:
            if not isinstance(params, dict):
                continue  # the kind's own check has reported it
            refs = [params[p] for p in INDICATOR_PARAMS if p in params]
            for c in params.get("checks", []):
                try:
                    refs.append(condition(c["when"])[0])
                except (TypeError, KeyError, ValueError):
                    pass  # no condition, or a malformed one the kind's check has reported
            for ref in refs:
                if ref not in KNOWN_IDS:
                    err(f"item {item.id}", f"引用的指标“{ref}”不存在")
            if params.get("if_undefined", "zero") not in ("zero", "full"):
                err(f"item {item.id}", f"参数 if_undefined 应为 zero 或 full，实际为“{params['if_undefined']}”")
