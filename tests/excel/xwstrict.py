"""The strict half of the xlwings fake: xlwings' own classes read into a spec, and a base that enforces it.

``spec_from_xlwings()`` reads the public members of xlwings' App, Book, Sheets, Sheet, Range,
Names, Name, Tables and Table (properties: settable or not; methods: their signatures). The spec
is plain data, so the Pyodide test hands it over as JSON. ``Strict`` refuses what the spec lacks:
an unknown attribute, an argument the real signature does not take, setting a read-only property.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

CLASSES = ("App", "Book", "Sheets", "Sheet", "Range", "Names", "Name", "Tables", "Table")
DUNDERS = ("__call__", "__getitem__", "__iter__", "__len__", "__contains__")
# Range.options() keywords xlwings' converters read (xlwings/conversion, 0.37).
OPTION_KEYS = frozenset({"convert", "ndim", "numbers", "dates", "empty", "transpose", "expand", "chunksize",
                         "err_to_str", "formatter", "index", "header", "dtype", "copy", "order"})
LOCAL = frozenset({"Range.options"})

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
