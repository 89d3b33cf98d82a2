"""A strict fake of the xlwings API, checked against the installed xlwings classes, recording every call.

The spec of xlwings' classes and the strictness live in xwstrict.py, the cell values in
xwvalues.py. The fake classes below implement the members the adapter may use over a plain dict
of cells, and are strict in three ways:

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

import re
from typing import Any

from xwstrict import LOCAL, OPTION_KEYS, Call, Strict, _check_members, spec_from_xlwings  # noqa: F401
from xlperf.book.a1 import col_letter as _col
from xwvalues import Error, _as_excel_stores, _last, _pos, excel_value  # noqa: F401


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


def _range_at(world: World, sheet: str, ref: str) -> Range:
    first, _, last = ref.replace("$", "").partition(":")
    return Range(world, sheet, _pos(first), _pos(last or first))


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
