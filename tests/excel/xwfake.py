"""A strict fake of the xlwings API, checked against the installed xlwings classes, recording every call.

``spec_from_xlwings()`` reads the public members of xlwings' App, Book, Sheets, Sheet, Range,
Names, Name, Tables and Table (properties: settable or not; methods: their signatures). The
fake classes below implement the members the adapter may use over a plain dict of cells, and
are strict in three ways:

- a member the real class lacks cannot be defined here (checked when the fake is built) and
  cannot be reached (``__getattr__`` raises AttributeError);
- every method call is bound against the real signature first, so a wrong argument fails;
- setting a read-only property fails, as it does on the real class.

Values come back as COM hands them to xlwings: numbers as floats, dates as datetimes, empty
cells as None, error cells as None (or their text with ``err_to_str``). Writes behave as Excel
does with ``Range.value``: a 2-D list fills from the top-left cell; text that looks like a
number, a date or a formula becomes one unless it starts with Excel's text prefix "'".

Every property read, property write and method call is one entry in ``log`` (a round trip into
Excel); ``options()`` builds a new Range on the Python side and is recorded as local. The spec
is plain data, so the Pyodide test hands the same fake a spec made here as JSON.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CLASSES = ("App", "Book", "Sheets", "Sheet", "Range", "Names", "Name", "Tables", "Table")
DUNDERS = ("__call__", "__getitem__", "__iter__", "__len__", "__contains__")
# Range.options() keywords xlwings' converters read (xlwings/conversion, 0.37).
OPTION_KEYS = frozenset({"convert", "ndim", "numbers", "dates", "empty", "transpose", "expand", "chunksize",
                         "err_to_str", "formatter", "index", "header", "dtype", "copy", "order"})
LOCAL = frozenset({"Range.options"})
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def spec_from_xlwings() -> dict:
    """{class: {member: {"kind": "property", "settable": bool} | {"kind": "method", "params": [...]}}}"""
    import xlwings.main as m

    spec: dict[str, dict] = {}
    for cls_name in CLASSES:
        cls = getattr(m, cls_name)
        members = {}
        for attr in [a for a in dir(cls) if not a.startswith("_")] + [d for d in DUNDERS if any(d in vars(k) for k in cls.__mro__[:-1])]:
            raw = inspect.getattr_static(cls, attr)
            if isinstance(raw, property):
                members[attr] = {"kind": "property", "settable": raw.fset is not None}
            elif isinstance(raw, (classmethod, staticmethod)) or callable(raw):
                func = raw.__func__ if isinstance(raw, (classmethod, staticmethod)) else raw
                params = [[p.name, int(p.kind), p.default is not inspect.Parameter.empty]
                          for p in inspect.signature(func).parameters.values()]
                if not isinstance(raw, staticmethod):
                    params = params[1:]  # self / cls
                members[attr] = {"kind": "method", "params": params}
        spec[cls_name] = members
    return spec


def _signature(params: list) -> inspect.Signature:
    return inspect.Signature([inspect.Parameter(name, inspect._ParameterKind(kind),
                                                default=None if has_default else inspect.Parameter.empty)
                              for name, kind, has_default in params])


@dataclass
class Call:
    what: str  # "Range.value", "Range.value=", "Sheet.range(...)"
    args: tuple = ()

    def __str__(self) -> str:
        return f"{self.what}{self.args if self.args else ''}"


class Error:
    """An error value in a cell, as the fake workbook holds it."""

    def __init__(self, code: str):
        self.code = code


class World:
    """The fake Excel: cells per sheet, names, tables, app state, and the call log."""

    def __init__(self, spec: dict, sheets: dict[str, dict[tuple[int, int], Any]],
                 names: dict[str, tuple[str, str]], tables: dict[str, tuple[str, str]], fullname: str = "C:/x/book.xlsm"):
        self.spec = spec
        self.cells = sheets  # values as Excel holds them: float, str, bool, datetime, Error
        self.names = names  # name -> (sheet, "$B$3")
        self.tables = tables  # name -> (sheet, "$A$3:$F$9")
        self.fullname = fullname
        self.log: list[Call] = []
        self.alerts: list[tuple[str, str | None, str | None]] = []  # (prompt, title, mode)
        self.screen_updating, self.calculation = True, "automatic"
        self.history: list[tuple[str, Any]] = []  # app state changes, in order
        self.active: tuple[str, str] | None = None
        self.fail_on: str | None = None  # a call name that raises, to test clean-up on error
        for cls_name, fake in FAKES.items():
            _check_members(spec, cls_name, fake)

    def record(self, what: str, *args: Any) -> None:
        self.log.append(Call(what, args))
        if what == self.fail_on:
            raise RuntimeError(f"Excel refused {what}")

    def calls(self) -> list[Call]:
        return [c for c in self.log if c.what not in LOCAL]

    def book(self) -> "Book":
        return Book(self)


def _check_members(spec: dict, cls_name: str, fake: type) -> None:
    real = spec[cls_name]
    members = {}
    for klass in reversed(fake.__mro__[:fake.__mro__.index(Strict)]):
        members.update(vars(klass))
    for attr, value in members.items():
        if attr.startswith("_") and attr not in DUNDERS:
            continue
        if attr not in real:
            raise AssertionError(f"the fake {cls_name} defines {attr}, which xlwings.{cls_name} does not have")
        kind = "property" if isinstance(value, property) else "method"
        assert real[attr]["kind"] == kind, f"{cls_name}.{attr} is a {real[attr]['kind']} in xlwings"


class Strict:
    _cls = ""

    def __init__(self, world: World):
        object.__setattr__(self, "_w", world)

    def __getattr__(self, name: str) -> Any:
        real = self._w.spec[self._cls]
        if name not in real:
            raise AttributeError(f"xlwings.{self._cls} has no attribute {name!r}")
        raise NotImplementedError(f"the fake {self._cls} does not implement {name!r} (xlwings has it)")

    def __setattr__(self, name: str, value: Any) -> None:
        member = self._w.spec[self._cls].get(name)
        if member is None:
            raise AttributeError(f"xlwings.{self._cls} has no attribute {name!r}")
        if member["kind"] != "property" or not member["settable"]:
            raise AttributeError(f"xlwings.{self._cls}.{name} cannot be set")
        self._w.record(f"{self._cls}.{name}=", value)
        getattr(type(self), name).fset(self, value)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Record a method call after binding it to xlwings' real signature."""
        _signature(self._w.spec[self._cls][name]["params"]).bind(*args, **kwargs)
        self._w.record(f"{self._cls}.{name}", *args, *(f"{k}={v!r}" for k, v in kwargs.items()))

    def _get(self, name: str) -> None:
        assert name in self._w.spec[self._cls], f"xlwings.{self._cls} has no {name}"
        self._w.record(f"{self._cls}.{name}")


class App(Strict):
    _cls = "App"

    @property
    def screen_updating(self):
        self._get("screen_updating")
        return self._w.screen_updating

    @screen_updating.setter
    def screen_updating(self, value):
        self._w.screen_updating = value
        self._w.history.append(("screen_updating", value))

    @property
    def calculation(self):
        self._get("calculation")
        return self._w.calculation

    @calculation.setter
    def calculation(self, value):
        assert value in ("automatic", "manual", "semiautomatic"), value
        self._w.calculation = value
        self._w.history.append(("calculation", value))

    def calculate(self):
        self._call("calculate")

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        assert mode in (None, "info", "critical"), mode
        self._call("alert", prompt, title=title, mode=mode)
        self._w.alerts.append((prompt, title, mode))
        return "ok"


class Book(Strict):
    _cls = "Book"

    @property
    def app(self):
        self._get("app")
        return App(self._w)

    @property
    def sheets(self):
        self._get("sheets")
        return Sheets(self._w)

    @property
    def names(self):
        self._get("names")
        return Names(self._w)

    @property
    def fullname(self):
        self._get("fullname")
        return self._w.fullname


class Sheets(Strict):
    _cls = "Sheets"

    def __len__(self):
        self._call("__len__")
        return len(self._w.cells)

    def __iter__(self):
        self._w.record("Sheets.count")  # xlwings counts, then fetches each sheet by index
        for name in list(self._w.cells):
            self._w.record("Sheets(i)")
            yield Sheet(self._w, name)

    def __getitem__(self, key):
        self._call("__getitem__", key)
        names = list(self._w.cells)
        name = names[key] if isinstance(key, int) else key
        if name not in self._w.cells:
            raise KeyError(key)
        return Sheet(self._w, name)

    def __call__(self, name_or_index):
        return self[name_or_index]


class Sheet(Strict):
    _cls = "Sheet"

    def __init__(self, world: World, name: str):
        super().__init__(world)
        object.__setattr__(self, "_name", name)

    @property
    def name(self):
        self._get("name")
        return self._name

    def range(self, cell1, cell2=None):
        self._call("range", cell1, cell2)
        first = _pos(cell1)
        last = _pos(cell2) if cell2 is not None else (_last(cell1) if isinstance(cell1, str) else first)
        return Range(self._w, self._name, first, last)

    @property
    def tables(self):
        self._get("tables")
        return Tables(self._w, self._name)

    @property
    def used_range(self):
        self._get("used_range")
        cells = self._w.cells[self._name]
        if not cells:
            return Range(self._w, self._name, (1, 1), (1, 1))
        return Range(self._w, self._name, (1, 1), (max(r for r, _ in cells), max(c for _, c in cells)))

    def activate(self):
        self._call("activate")
        self._w.active = (self._name, "")

    @property
    def book(self):
        self._get("book")
        return Book(self._w)


class Range(Strict):
    _cls = "Range"

    def __init__(self, world: World, sheet: str, first: tuple[int, int], last: tuple[int, int], **options):
        super().__init__(world)
        for key, value in (("_sheet", sheet), ("_first", first), ("_last", last), ("_options", options)):
            object.__setattr__(self, key, value)

    def options(self, convert=None, **options):
        self._call("options", convert, **options)
        unknown = set(options) - OPTION_KEYS
        if unknown:
            raise TypeError(f"xlwings' converters read no option {sorted(unknown)}")
        return Range(self._w, self._sheet, self._first, self._last, **options)

    @property
    def address(self):
        self._get("address")
        (r1, c1), (r2, c2) = self._first, self._last
        a = f"${_col(c1)}${r1}"
        return a if (r1, c1) == (r2, c2) else f"{a}:${_col(c2)}${r2}"

    @property
    def row(self):
        self._get("row")
        return self._first[0]

    @property
    def sheet(self):
        self._get("sheet")
        return Sheet(self._w, self._sheet)

    @property
    def last_cell(self):
        self._get("last_cell")
        return Range(self._w, self._sheet, self._last, self._last)

    @property
    def value(self):
        self._get("value")
        cells = self._w.cells[self._sheet]
        err_to_str = self._options.get("err_to_str", False)

        def out(v):
            if isinstance(v, Error):
                return v.code if err_to_str else None
            return v

        rows = [[out(cells.get((r, c))) for c in range(self._first[1], self._last[1] + 1)]
                for r in range(self._first[0], self._last[0] + 1)]
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(row) == 1 for row in rows):
            return [row[0] for row in rows]
        return rows

    @value.setter
    def value(self, data):
        cells = self._w.cells[self._sheet]
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        top, left = self._first
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                stored = _as_excel_stores(v)
                if stored is None:
                    cells.pop((top + i, left + j), None)
                else:
                    cells[(top + i, left + j)] = stored

    def clear_contents(self):
        self._call("clear_contents")
        cells = self._w.cells[self._sheet]
        for pos in [p for p in cells if self._first[0] <= p[0] <= self._last[0]
                    and self._first[1] <= p[1] <= self._last[1]]:
            del cells[pos]

    def select(self):
        self._call("select")
        assert self._w.active and self._w.active[0] == self._sheet, "select() on a sheet that is not active"
        (r1, c1), (r2, c2) = self._first, self._last
        self._w.active = (self._sheet, f"{_col(c1)}{r1}" + ("" if (r1, c1) == (r2, c2) else f":{_col(c2)}{r2}"))


class Names(Strict):
    _cls = "Names"

    def __len__(self):
        self._call("__len__")
        return len(self._w.names)

    def __getitem__(self, item):
        self._call("__getitem__", item)
        if item not in self._w.names:
            raise KeyError(item)
        return Name(self._w, item)

    def __iter__(self):
        self._w.record("Names.count")
        for name in list(self._w.names):
            self._w.record("Names(i)")
            yield Name(self._w, name)


class Named(Strict):
    """A Name or a Table: an item known by its name."""

    def __init__(self, world: World, key: str):
        super().__init__(world)
        object.__setattr__(self, "_key", key)

    @property
    def name(self):
        self._get("name")
        return self._key


class Name(Named):
    _cls = "Name"

    @property
    def refers_to(self):
        self._get("refers_to")
        sheet, ref = self._w.names[self._key]
        quoted = sheet if re.fullmatch(r"[\w\u4e00-\u9fff]+", sheet) else "'" + sheet.replace("'", "''") + "'"
        return f"={quoted}!{ref}"

    @property
    def refers_to_range(self):
        self._get("refers_to_range")
        return _range_at(self._w, *self._w.names[self._key])


class Tables(Strict):
    _cls = "Tables"

    def __init__(self, world: World, sheet: str):
        super().__init__(world)
        object.__setattr__(self, "_sheet", sheet)

    def __iter__(self):
        self._w.record("Tables.count")
        for name, (sheet, _) in list(self._w.tables.items()):
            if sheet == self._sheet:
                self._w.record("Tables(i)")
                yield Table(self._w, name)


class Table(Named):
    _cls = "Table"

    @property
    def range(self):
        self._get("range")
        return _range_at(self._w, *self._w.tables[self._key])


FAKES = {"App": App, "Book": Book, "Sheets": Sheets, "Sheet": Sheet, "Range": Range, "Names": Names,
         "Name": Name, "Tables": Tables, "Table": Table}


# --- values as Excel stores and hands them ----------------------------------------------------------------

_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _as_excel_stores(value: Any) -> Any:
    """What a cell holds after ``Range.value = value`` (COM marshals these types and no others)."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        raise TypeError("COM cannot pass a Decimal into Excel; convert to float")
    if isinstance(value, bool) or isinstance(value, dt.datetime):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:] or None
        if value.startswith("="):
            raise AssertionError(f"Excel would take {value!r} as a formula")
        if _NUMBER.match(value):
            text = value.strip()
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        m = _DATE.match(value)
        if m:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
        return value
    raise TypeError(f"COM cannot pass {type(value).__name__} into Excel")


def excel_value(value: Any, *, date: bool = False) -> Any:
    """A zip/memory book's raw value → what the same cell holds in Excel."""
    from xlperf.book.protocol import ErrorValue

    if isinstance(value, ErrorValue):
        return Error(value.code)
    if isinstance(value, Decimal):
        if date:
            return EXCEL_EPOCH + dt.timedelta(days=float(value))
        return float(value)
    return value


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _pos(cell: Any) -> tuple[int, int]:
    if isinstance(cell, tuple):
        return int(cell[0]), int(cell[1])
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)(?::.*)?", cell)
    if not m:
        raise ValueError(f"not a cell: {cell!r}")
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]), col


def _range_at(world: World, sheet: str, ref: str) -> Range:
    first, _, last = ref.replace("$", "").partition(":")
    return Range(world, sheet, _pos(first), _pos(last or first))


def _last(ref: str) -> tuple[int, int]:
    return _pos(ref.split(":")[1]) if ":" in ref else _pos(ref)


def world_from_book(spec: dict, book: Any, *, dates: set[tuple[str, tuple[int, int]]] = frozenset(),
                    fullname: str = "C:/x/book.xlsm") -> World:
    """A fake Excel holding the same workbook as a memory (or zip) book."""
    names = {}
    for name, area in book.defined_names().items():
        ref = f"${_col(area.left)}${area.top}"
        if (area.bottom, area.right) != (area.top, area.left):
            ref += f":${_col(area.right)}${area.bottom}"
        names[name] = (area.sheet, ref)
    tables = {name: (t.sheet, f"${_col(t.area.left)}${t.area.top}:${_col(t.area.right)}${t.area.bottom}")
              for name, t in book.tables().items()}
    sheets = {}
    for sheet in book.sheet_names():
        cells = book.cells(sheet) if hasattr(book, "cells") else {}
        sheets[sheet] = {pos: excel_value(v, date=(sheet, pos) in dates) for pos, v in cells.items() if v is not None}
    return World(spec, sheets, names, tables, fullname)
