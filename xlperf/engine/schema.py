"""The input schema: every input field's label, kind and shape, declared once.

The dataclasses in ``inputs.py`` carry the declaration as field metadata, written with
the helpers below (``amount("政府采购计划金额")``). Everything else derives from it: the
path → (label, kind) tables the workbook layout is checked against, the labels in
messages, and the builder that turns nested plain data into typed inputs. Adding an
input field is one line here in the schema and one in ``book/layout.toml``.

Kinds: amount | rate | count | int | bool | text | date; a trailing "?" marks a field
that may be left blank (it has a default, or is declared ``optional``).
"""

from __future__ import annotations

import typing
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Callable

_KEY = "xlperf"  # the metadata key, so other metadata can live beside ours


@dataclass(frozen=True)
class Value:
    """One typed value: a scalar input or a table column."""

    label: str
    kind: str
    optional: bool = False


@dataclass(frozen=True)
class Section:
    """A nested record (``budget.adjusted``); ``prefix`` goes before its fields' labels.

    An optional section is absent (None) when its first field is blank; ``only`` limits
    which of the record's fields this section asks for.
    """

    prefix: str = ""
    optional: bool = False
    only: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Series:
    """A fixed number of values of one kind (the four quarters); all given, or none."""

    label: str  # with {n}: the 1-based position
    kind: str
    length: int


@dataclass(frozen=True)
class Table:
    """A list of records, one per row of a workbook table."""

    label: str
    order: tuple[str, ...] | None = None  # the columns' order, when not the record's


def _declare(spec: object, default: Any = MISSING) -> Any:
    return field(default=default, metadata={_KEY: spec})


def _value(kind: str) -> Callable[..., Any]:
    def declare(label: str, *, optional: bool = False, default: Any = MISSING) -> Any:
        return _declare(Value(label, kind, optional or default is not MISSING), default)

    declare.__name__ = kind
    return declare


amount, rate, count, integer, flag, text, date = map(_value, ("amount", "rate", "count", "int", "bool", "text", "date"))


def section(prefix: str = "", *, optional: bool = False, only: tuple[str, ...] | None = None,
            default: Any = MISSING) -> Any:
    return _declare(Section(prefix, optional, only), default)


def series(label: str, kind: str, length: int) -> Any:
    return _declare(Series(label, kind, length), None)


def table(label: str, order: tuple[str, ...] | None = None) -> Any:
    return _declare(Table(label, order), ())


def spec_of(f: Field) -> object | None:
    """The schema declaration of one dataclass field; None for fields built by hand."""
    return f.metadata.get(_KEY)


@dataclass(frozen=True)
class Derived:
    """What the schema gives the rest of the program, derived once from the root class."""

    scalars: dict[str, tuple[str, str]]  # path → (label, kind)
    tables: dict[str, tuple[str, dict[str, tuple[str, str]]]]  # path → (label, {column: (label, kind)})
    undeclared: tuple[str, ...]  # root fields the schema leaves to hand-written code (evaluator, stated)


def shown_kind(spec: Value, optional: bool = False) -> str:
    return spec.kind + ("?" if spec.optional or optional else "")


@cache
def derive(root: type) -> Derived:
    """The path tables of ``root``; raises TypeError for a nested field with no declaration."""
    scalars: dict[str, tuple[str, str]] = {}
    tables: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {}
    undeclared = tuple(f.name for f in fields(root) if spec_of(f) is None)

    def walk(cls: type, path: str, prefix: str, optional: bool, only: tuple[str, ...] | None) -> None:
        if cls is not root:
            _refuse_undeclared(cls, "has no schema declaration", only)
        for step in _plan(cls, only, optional):
            spec, at = step.spec, path + step.name
            if isinstance(spec, Value):
                scalars[at] = (prefix + spec.label, step.kind)
            elif isinstance(spec, Series):
                for i in range(spec.length):
                    scalars[f"{at}[{i}]"] = (prefix + spec.label.format(n=i + 1), step.kind)
            elif isinstance(spec, Section):
                walk(step.inner, f"{at}.", prefix + spec.prefix, optional or spec.optional, spec.only)
            else:  # a Table: its columns are plain values
                _refuse_undeclared(step.inner, "must be a plain value (a table column)", None, Value)
                columns = {c.name: c for c in _plan(step.inner, None, False)}
                tables[at] = (spec.label, {name: (columns[name].spec.label, columns[name].kind)
                                           for name in spec.order or columns})

    walk(root, "", "", False, None)
    return Derived(scalars, tables, undeclared)


def _refuse_undeclared(cls: type, what: str, only: tuple[str, ...] | None, kind: type | None = None) -> None:
    """TypeError for a field of ``cls`` with no declaration (or, with ``kind``, another kind of one)."""
    for f in fields(cls):
        spec = spec_of(f)
        if (only is None or f.name in only) and (spec is None if kind is None else not isinstance(spec, kind)):
            raise TypeError(f"{cls.__name__}.{f.name} {what}")


def record_type(hint: Any) -> type:
    """The dataclass inside ``Budget``, ``Budget | None`` or ``tuple[Project, ...]``."""
    for candidate in (hint, *typing.get_args(hint)):
        if is_dataclass(candidate):
            return candidate
    raise TypeError(f"{hint} holds no record")


ZERO = {"amount": Decimal(0), "rate": Decimal(0), "count": 0, "int": 0, "bool": False, "text": "", "date": None}


class Source(typing.Protocol):
    """Where ``build`` gets plain values, typed, with problems recorded by the source."""

    def value(self, path: str, kind: str, node: Any = ...) -> Any:
        """The typed value at ``path`` (``node``: the raw value, when already at hand); None when blank or bad."""

    def rows(self, path: str) -> list[Any]:
        """The raw rows of the table at ``path``."""


def build(cls: type, source: Source, path: str = "", *, row: dict | None = None,
          only: tuple[str, ...] | None = None, optional: bool = False) -> Any:
    """A ``cls`` record built from ``source``; undeclared fields keep their defaults.

    A blank field takes its declared default, or a zero of its kind, so the record can
    still be checked as a whole (the source has recorded the blank if it mattered).
    """
    values: dict[str, Any] = {}
    for name, spec, kind, fallback, inner in _plan(cls, only, optional):
        at = path + name
        if isinstance(spec, Value):
            got = source.value(at, kind, row.get(name) if row is not None else ...)
            if got is None:
                if optional and not values:
                    return None  # an optional section whose first field is blank is absent
                got = fallback
        elif isinstance(spec, Series):
            items = [source.value(f"{at}[{i}]", kind) for i in range(spec.length)]
            got = tuple(items) if all(v is not None for v in items) else None
        elif isinstance(spec, Section):
            got = build(inner, source, at + ".", only=spec.only, optional=optional or spec.optional)
        else:  # a Table
            got = _table(inner, source, at)
        values[name] = got
    return cls(**values)


def _table(cls: type, source: Source, at: str) -> tuple:
    """The rows of a table. A row of plain values (every table so far) is built in one loop here, with
    what ``build`` would do for it: a blank value takes its fallback."""
    steps = _plan(cls, None, False)
    rows = source.rows(at)
    if not all(isinstance(step.spec, Value) for step in steps):
        return tuple(build(cls, source, f"{at}[{i}].", row=r or {}) for i, r in enumerate(rows))
    value = source.value
    built = []
    for i, row in enumerate(rows):
        row = row or {}
        prefix = f"{at}[{i}]."
        values = {}
        for step in steps:
            got = value(prefix + step.name, step.kind, row.get(step.name))
            values[step.name] = step.fallback if got is None else got
        built.append(cls(**values))
    return tuple(built)


class _Step(typing.NamedTuple):
    name: str
    spec: object  # Value | Series | Section | Table
    kind: str  # as shown ("amount?"), for values and series
    fallback: Any  # what a blank value becomes
    inner: Any  # the record type of a section or table


@cache
def _plan(cls: type, only: tuple[str, ...] | None, optional: bool) -> tuple[_Step, ...]:
    """Each declared field of ``cls`` as one step, worked out once per class for both ``derive`` and
    ``build``: building runs for every table row, and resolving annotations is the slow part."""
    hints = typing.get_type_hints(cls)
    plan = []
    for f in fields(cls):
        spec = spec_of(f)
        if (only is not None and f.name not in only) or spec is None:
            continue
        if isinstance(spec, Value):
            plan.append(_Step(f.name, spec, shown_kind(spec, optional), _fallback(f, spec.kind), None))
        elif isinstance(spec, Series):
            plan.append(_Step(f.name, spec, spec.kind + "?", None, None))
        else:
            plan.append(_Step(f.name, spec, "", None, record_type(hints[f.name])))
    return tuple(plan)


def _fallback(f: Field, kind: str) -> Any:
    return f.default if f.default is not MISSING else ZERO[kind]
