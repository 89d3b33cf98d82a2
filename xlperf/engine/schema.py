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
    undeclared = []

    def walk(cls: type, path: str, prefix: str, optional: bool, only: tuple[str, ...] | None) -> None:
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            if only is not None and f.name not in only:
                continue
            spec, at = spec_of(f), f"{path}{f.name}"
            if isinstance(spec, Value):
                scalars[at] = (prefix + spec.label, shown_kind(spec, optional))
            elif isinstance(spec, Series):
                for i in range(spec.length):
                    scalars[f"{at}[{i}]"] = (prefix + spec.label.format(n=i + 1), spec.kind + "?")
            elif isinstance(spec, Section):
                walk(record_type(hints[f.name]), f"{at}.", prefix + spec.prefix, optional or spec.optional, spec.only)
            elif isinstance(spec, Table):
                row = record_type(hints[f.name])
                columns = {c.name: c for c in fields(row) if _is_value(c, row)}
                tables[at] = (spec.label, {name: (spec_of(columns[name]).label, shown_kind(spec_of(columns[name])))
                                           for name in spec.order or columns})
            elif cls is root:
                undeclared.append(f.name)
            else:
                raise TypeError(f"{cls.__name__}.{f.name} has no schema declaration")

    walk(root, "", "", False, None)
    return Derived(scalars, tables, tuple(undeclared))


def _is_value(f: Field, cls: type) -> bool:
    if not isinstance(spec_of(f), Value):
        raise TypeError(f"table column {cls.__name__}.{f.name} must be a plain value")
    return True


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
        if inner is None:  # a Value
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
            got = tuple(build(inner, source, f"{at}[{i}].", row=r or {}) for i, r in enumerate(source.rows(at)))
        values[name] = got
    return cls(**values)


@cache
def _plan(cls: type, only: tuple[str, ...] | None, optional: bool) -> tuple[tuple[str, Any, str, Any, Any], ...]:
    """(name, spec, kind as shown, fallback, inner record or series marker) per declared field, once per class:
    building runs for every table row, and resolving annotations is the slow part."""
    hints = typing.get_type_hints(cls)
    plan = []
    for f in fields(cls):
        spec = spec_of(f)
        if (only is not None and f.name not in only) or spec is None:
            continue
        if isinstance(spec, Value):
            plan.append((f.name, spec, shown_kind(spec, optional), _fallback(f, spec.kind), None))
        elif isinstance(spec, Series):
            plan.append((f.name, spec, spec.kind + "?", None, Series))
        else:
            plan.append((f.name, spec, "", None, record_type(hints[f.name])))
    return tuple(plan)


def _fallback(f: Field, kind: str) -> Any:
    return f.default if f.default is not MISSING else ZERO[kind]
