"""The input schema: one declaration on the Inputs dataclasses gives the path tables, the labels and the builder."""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal

import pytest

from tests.reference import reference_data
from xlperf.engine import fields as F
from xlperf.engine.inputs import EvaluatorEntry, Inputs, Staff
from xlperf.engine.schema import build, count, derive, section, spec_of, table, text
from xlperf.errors import InputError


def test_labels_and_kinds_come_from_the_declaration() -> None:
    # Composed from the declaration by hand: section prefix + field label; a series numbers its items from 1;
    # an optional section makes its fields optional; only= leaves 人员经费 out of last year's budget.
    assert F.SCALARS["budget.adjusted.total"] == ("调整后预算合计", "amount")
    assert F.SCALARS["budget.initial.personnel"] == ("年初预算人员经费", "amount?")
    assert F.SCALARS["budget.prior_year.basic"] == ("上年预算基本支出", "amount?")
    assert "budget.prior_year.personnel" not in F.SCALARS
    assert F.SCALARS["quarterly.progress[2]"] == ("第3季度末累计支出进度", "rate?")
    assert F.SCALARS["staff.dispatched"] == ("劳务派遣人数", "count?")
    assert F.SCALARS["year"] == ("评价年度", "int")
    assert list(F.TABLES["assets.groups"][1]) == ["name", "status", "count", "value"]  # the declared order
    assert F.TABLES["key_tasks"][1]["source"] == ("交办来源", "text?")
    assert F.label_of("projects[2].status") == "项目清单第 3 行“完成状态”"


def _records(cls: type, seen: set[type]) -> None:
    import typing

    seen.add(cls)
    for hint in typing.get_type_hints(cls).values():
        for inner in (hint, *typing.get_args(hint)):
            if is_dataclass(inner) and inner not in seen:
                _records(inner, seen)


def test_every_field_of_every_input_record_is_declared() -> None:
    seen: set[type] = set()
    _records(Inputs, seen)
    undeclared = {f"{cls.__name__}.{f.name}" for cls in seen for f in fields(cls) if spec_of(f) is None}
    # The evaluator's entries are keyed by the indicator system, the stated figures by the report: built by hand.
    entry = {f"EvaluatorEntry.{f.name}" for f in fields(EvaluatorEntry)}
    assert undeclared == {"Inputs.evaluator", "Inputs.stated"} | entry
    assert derive(Inputs).undeclared == ("evaluator", "stated")


@dataclass(frozen=True)
class _Loose:
    size: int


@dataclass(frozen=True)
class _LooseRoot:
    part: _Loose = section()


def test_a_nested_field_without_a_declaration_is_refused() -> None:
    with pytest.raises(TypeError, match="_Loose.size"):
        derive(_LooseRoot)


# Adding a field: one declaration in the schema (here a subclass, as a new year's inputs would be) …
@dataclass(frozen=True)
class _StaffWithRetired(Staff):
    retired: int = count("离退休人数", default=0)


@dataclass(frozen=True)
class _InputsWithRetired(Inputs):
    staff: _StaffWithRetired = section()


def test_a_new_field_is_labelled_typed_and_built_from_its_declaration_alone() -> None:
    derived = derive(_InputsWithRetired)
    assert derived.scalars["staff.retired"] == ("离退休人数", "count?")
    data = copy.deepcopy(reference_data())
    data["staff"]["retired"] = "12"
    built = build(_InputsWithRetired, F._Builder(data))
    assert built.staff.retired == 12 and built.staff.authorized == int(reference_data()["staff"]["authorized"])
    del data["staff"]["retired"]
    assert build(_InputsWithRetired, F._Builder(data)).staff.retired == 0  # its declared default


@dataclass(frozen=True)
class _Row:
    name: str = text("名称")


@dataclass(frozen=True)
class _Root:
    rows: tuple[_Row, ...] = table("清单")


def test_a_new_required_column_is_reported_by_path_when_blank() -> None:
    assert derive(_Root).tables == {"rows": ("清单", {"name": ("名称", "text")})}
    b = F._Builder({"rows": [{"name": "甲"}, {"name": " "}]})
    built = build(_Root, b)
    assert [r.name for r in built.rows] == ["甲", ""]
    assert [(p.code, p.field) for p in b.problems] == [("REQUIRED", "rows[1].name")]


def test_the_layout_must_place_every_declared_field(monkeypatch) -> None:
    # … and one line in book/layout.toml: without it the layout is refused, naming the field.
    from xlperf.book import layout as L
    from xlperf.errors import LayoutError

    monkeypatch.setattr(L, "SCALARS", derive(_InputsWithRetired).scalars)
    with pytest.raises(LayoutError, match="staff.retired"):
        L._check(L.load_layout())


def test_an_optional_section_is_absent_when_its_first_field_is_blank() -> None:
    data = copy.deepcopy(reference_data())
    data["budget"]["prior_year"] = {"basic": "10"}
    assert F.inputs_from_dict(data).budget.prior_year is None
    data["budget"]["prior_year"] = {"total": "0", "basic": "0"}
    stage = F.inputs_from_dict(data).budget.prior_year
    assert stage is not None and stage.total == Decimal(0) and stage.project == Decimal(0)


def test_blank_required_fields_are_reported_once_each_by_path() -> None:
    data = copy.deepcopy(reference_data())
    del data["procurement"]["paid"]
    data["projects"][0]["status"] = ""
    with pytest.raises(InputError) as err:
        F.inputs_from_dict(data)
    assert [(p.code, p.field) for p in err.value.problems if p.code == "REQUIRED"] == [
        ("REQUIRED", "procurement.paid"), ("REQUIRED", "projects[0].status")]
