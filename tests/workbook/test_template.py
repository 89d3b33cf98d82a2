"""The template workbook built with openpyxl from layout.toml: names, tables, example data, print layout."""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from xlperf.examples import reference_data
from xlperf.engine.fields import SCALARS, TABLES
from xlperf.engine.indicators import CATALOG
from xlperf.engine.inputs import ASSET_STATUSES
from xlperf.engine.system import load
from xlperf.engine import paths
from xlperf.book.evaluator_rows import evaluator_rows
from xlperf.book.layout import (
    FINDINGS_NAME,
    STAMP_KEYS,
    STAMP_NAME,
    SYSTEM_NAME_CELL,
    TOTAL_NAME,
    UNIT_TITLE_CELL,
    indicator_name,
    item_name,
    level1_name,
    load_layout,
    name_for,
)
from xlperf.workbook.template import build_example, build_template, evaluator_values

LAYOUT = load_layout()
SYSTEM = load("shenzhen-2024")


@pytest.fixture(scope="module")
def blank_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "template.xlsx"
    build_template(path, SYSTEM, year=2025)
    return path


@pytest.fixture(scope="module")
def example_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("ex") / "example.xlsx"
    build_example(path)
    return path


@pytest.fixture(scope="module")
def blank(blank_path):
    return load_workbook(blank_path)


@pytest.fixture(scope="module")
def example(example_path):
    return load_workbook(example_path)


def target(wb, name):
    """(worksheet, cell) a workbook-scope defined name points to; it must be exactly one cell."""
    assert name in wb.defined_names, f"missing defined name {name}"
    dests = list(wb.defined_names[name].destinations)
    assert len(dests) == 1, (name, dests)
    sheet, ref = dests[0]
    assert ":" not in ref, (name, ref)
    ws = wb[sheet]
    return ws, ws[ref.replace("$", "")]


# 评分表: 扣分说明 and 计分依据 stand right after 评分 (the order layout.toml declares).
REASON_OFFSET, RULE_OFFSET = 1, 2


def sheet_of_kind(kind):
    return [s for s in LAYOUT.sheets if s.kind == kind]


# ---------------------------------------------------------------------------------------------
# Names and tables


def test_sheets_in_layout_order_and_stamp_hidden(blank):
    assert blank.sheetnames == [s.name for s in LAYOUT.sheets]
    for sheet in LAYOUT.sheets:
        expected = "hidden" if sheet.kind == "stamp" else "visible"
        assert blank[sheet.name].sheet_state == expected


def test_every_scalar_field_has_one_named_cell_on_its_layout_sheet(blank):
    where = dict(LAYOUT.scalar_fields())
    assert set(where) == set(SCALARS)
    cells = set()
    for path, sheet in where.items():
        ws, cell = target(blank, name_for(path))
        assert ws.title == sheet, path
        cells.add((ws.title, cell.coordinate))
    assert len(cells) == len(SCALARS)  # no two fields share a cell


def test_fields_have_label_left_of_value(blank):
    for path, _ in LAYOUT.scalar_fields():
        ws, cell = target(blank, name_for(path))
        if any(path in b.fields for s in LAYOUT.sheets for b in s.blocks):
            assert ws.cell(cell.row, cell.column - 1).value == SCALARS[path][0]


def test_matrix_cells_without_a_field_are_grey_and_empty(blank):
    sheet, block = next((s, b) for s in LAYOUT.sheets for b in s.blocks if b.type == "matrix"
                        and any(p is None for line in b.matrix_paths() for p in line))
    ws = blank[sheet.name]
    grid = block.matrix_paths()
    # Locate the block by a named cell, then walk its grid.
    r0, c0 = next((i, j) for i, line in enumerate(grid) for j, p in enumerate(line) if p)
    _, anchor = target(blank, name_for(grid[r0][c0]))
    top, left = anchor.row - r0, anchor.column - c0
    assert ws.cell(top - 1, left).value == block.cols[0][0]  # header row of column labels
    assert ws.cell(top, left - 1).value == block.rows[0][0]  # row labels in the column left of the grid
    holes = 0
    for i, line in enumerate(grid):
        for j, path in enumerate(line):
            cell = ws.cell(top + i, left + j)
            if path is None:
                holes += 1
                assert cell.value is None
                assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("BFBFBF")
            else:
                assert blank.defined_names[name_for(path)].attr_text.endswith(f"${cell.row}")
    assert holes


def test_every_layout_table_exists_with_its_columns(blank):
    for table_key, name, sheet in LAYOUT.tables():
        ws = blank[sheet]
        assert name in ws.tables, (sheet, name)
        table = ws.tables[name]
        assert table.displayName == name
        assert table.tableStyleInfo.name == "TableStyleMedium2"
        labels = [label for label, _ in TABLES[table_key][1].values()]
        assert [c.name for c in table.tableColumns] == labels
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        assert [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)] == labels
        block = next(b for s in LAYOUT.sheets for b in s.blocks if b.name == name)
        assert max_row - min_row == block.n_rows
        assert ws.freeze_panes == ws.cell(min_row + 1, 1).coordinate


def test_evaluator_tables(blank):
    sheet = sheet_of_kind("evaluator")[0]
    ws = blank[sheet.name]
    rows = evaluator_rows(SYSTEM)
    expected_rows = {"evaluator": len(rows), "overrides": len(SYSTEM.items),
                     "stated": sum(1 for _, _, unit in CATALOG if unit == "rate")}
    tops = []
    for block in sheet.blocks:
        table = ws.tables[block.name]
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        tops.append(min_row)
        assert [c.name for c in table.tableColumns] == [c.label for c in block.columns]
        assert max_row - min_row == expected_rows[block.type]
    assert tops == sorted(tops)  # one below another
    table = ws.tables["xp_evaluator"]
    min_col, min_row, _, _ = range_boundaries(table.ref)
    keys = sheet.blocks[0].keys
    for i, row in enumerate(rows, start=1):
        assert ws.cell(min_row + i, min_col + keys.index("key")).value == row.key
        assert ws.cell(min_row + i, min_col + keys.index("value")).value is None  # empty without data
    stated = ws.tables["xp_stated"]
    min_col, min_row, _, _ = range_boundaries(stated.ref)
    rate_ids = [id_ for id_, _, unit in CATALOG if unit == "rate"]
    assert [ws.cell(min_row + i, min_col).value for i in range(1, len(rate_ids) + 1)] == rate_ids
    assert ws.cell(min_row + 1, min_col + 2).number_format == "0.00%"


def test_output_and_stamp_names(blank):
    indicators = LAYOUT.by_role("indicators")
    formats = {"rate": "0.00%", "amount": "#,##0.00", "count": "0"}
    for id_, name, unit in CATALOG:
        ws, cell = target(blank, indicator_name(id_))
        assert ws.title == indicators.name
        assert cell.value is None and cell.number_format == formats[unit]
        assert ws.cell(cell.row, cell.column - indicators.column("value") + indicators.column("id")).value == id_
        assert ws.cell(cell.row, cell.column - indicators.column("value") + indicators.column("name")).value == name
    for item in SYSTEM.items:
        ws, cell = target(blank, item_name(item.id))
        assert cell.number_format == "0.00" and cell.value is None
    for node in SYSTEM.level1:
        target(blank, level1_name(node.id))
    for name in (TOTAL_NAME, FINDINGS_NAME, SYSTEM_NAME_CELL, UNIT_TITLE_CELL):
        target(blank, name)
    _, version = target(blank, LAYOUT.version_name)
    assert version.value == LAYOUT.version
    ws, system_id = target(blank, LAYOUT.system_name)
    assert system_id.value == SYSTEM.id and ws.title == "_xlperf"
    assert ws.cell(system_id.row, system_id.column - 1).value == "system_id"
    ws, stamp = target(blank, STAMP_NAME)
    assert ws.title == "_xlperf"
    for i, key in enumerate(STAMP_KEYS):
        assert ws.cell(stamp.row + i, stamp.column - 1).value == key
        assert ws.cell(stamp.row + i, stamp.column).value is None


def test_findings_sheet(blank):
    sheet = next(s for s in LAYOUT.sheets if s.rows)
    ws, first = target(blank, FINDINGS_NAME)
    assert ws.title == sheet.name
    assert [ws.cell(first.row - 1, first.column + j).value for j in range(len(sheet.columns))] == [
        c.label for c in sheet.columns]
    last = ws.cell(first.row + sheet.rows - 1, first.column + len(sheet.columns) - 1)
    assert last.border.bottom.style == "thin"


def test_year_prefilled_without_data(blank):
    assert target(blank, name_for("year"))[1].value == 2025
    assert target(blank, name_for("unit"))[1].value is None


# ---------------------------------------------------------------------------------------------
# The example workbook reads back as the example data


def as_decimal(value):
    return Decimal(str(value))


def equal(cell_value, data_value, kind):
    kind = kind.rstrip("?")
    if kind in ("amount", "rate"):
        return isinstance(cell_value, int | float) and as_decimal(cell_value) == Decimal(str(data_value))
    if kind in ("count", "int"):
        return cell_value == int(data_value)
    if kind == "date":
        return cell_value.date() == dt.date.fromisoformat(str(data_value))
    return cell_value == data_value


def test_example_scalars_read_back_exactly(example):
    data = reference_data()
    checked = 0
    for path, (_, kind) in SCALARS.items():
        _, cell = target(example, name_for(path))
        value = paths.get(data, path)
        if value is None:
            assert cell.value is None, path
        else:
            assert equal(cell.value, value, kind), (path, cell.value, value)
            checked += 1
    assert checked > 30


@pytest.mark.parametrize("sheet, ref, expected", [
    # Typed from shared/spec/reference-case-2024.md and the layout's order of blocks, not from the builder.
    ("基本信息", "B2", "深圳市科技交流服务中心"),
    ("基本信息", "B3", 2024),
    ("基本信息", "B6", 25),  # 核定编制
    ("预算执行", "E3", 1887.42),  # 全年支出 合计
    ("预算执行", "B17", 5.34),  # 政府采购 plan
])
def test_example_cells_at_their_addresses(example, sheet, ref, expected):
    assert example[sheet][ref].value == expected


def test_example_tables_read_back_exactly(example):
    data = reference_data()
    for table_key, name, sheet in LAYOUT.tables():
        ws = example[sheet]
        min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
        columns = TABLES[table_key][1]
        rows = paths.get(data, table_key) or []
        assert max_row - min_row == max(len(rows), 1), name
        for i, row in enumerate(rows, start=1):
            for j, (col, (_, kind)) in enumerate(columns.items()):
                cell = ws.cell(min_row + i, min_col + j)
                if row.get(col) is None:
                    assert cell.value is None
                else:
                    assert equal(cell.value, row[col], kind), (name, i, col, cell.value)


def test_example_evaluator_and_stated_read_back(example):
    data = reference_data()
    sheet = sheet_of_kind("evaluator")[0]
    ws = example[sheet.name]
    block = sheet.blocks[0]
    keys = block.keys
    min_col, min_row, _, _ = range_boundaries(ws.tables[block.name].ref)
    got = {}
    for i, _ in enumerate(evaluator_rows(SYSTEM), start=1):
        row = {k: ws.cell(min_row + i, min_col + j).value for j, k in enumerate(keys)}
        got[row["key"]] = row
    ev = data["evaluator"]
    assert got["budget_reasonableness#3"]["value"] == "是"
    assert got["budget_compliance"]["value"] == 0
    assert got["budget_disclosure"]["value"] == "按规定公开"
    assert got["financial_violation"]["value"] == "否"
    assert as_decimal(got["effectiveness"]["value"]) == Decimal(ev["effectiveness"]["points"])
    assert got["effectiveness"]["reason"] == ev["effectiveness"]["reason"]
    for key, entry in ev.items():
        for n, tick in enumerate(entry.get("ticks", ()), start=1):
            assert got[f"{key}#{n}"]["value"] == tick
    stated = ws.tables["xp_stated"]
    min_col, min_row, _, max_row = range_boundaries(stated.ref)
    values = {ws.cell(r, min_col).value: ws.cell(r, min_col + 2).value for r in range(min_row + 1, max_row + 1)}
    for id_, value in data["stated"].items():
        assert as_decimal(values[id_]) == Decimal(value), id_
    assert values["yoy_rate_total"] is None


def test_evaluator_values_mapping_reason_on_first_row_only():
    data = {"evaluator": {"budget_reasonableness": {"ticks": ["是", "否"], "reason": "第二项不符合"}}}
    values = evaluator_values(SYSTEM, data)
    assert values["budget_reasonableness#1"] == ("是", "第二项不符合")
    assert values["budget_reasonableness#2"] == ("否", "")
    assert values["budget_reasonableness#3"] == (None, "")
    assert values["budget_compliance"] == (None, "")


def test_numbers_are_stored_with_their_exact_digits(example_path):
    # openpyxl alone would write 518.56 as "518.5599999999999" ("%.16g" of the float).
    with zipfile.ZipFile(example_path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<v>518.56</v>" in xml and "<v>-23.75</v>" in xml and "<v>0.9870</v>" in xml
    assert not re.search(r"<v>-?\d+\.\d{10,}</v>", xml)


# ---------------------------------------------------------------------------------------------
# Score sheet


def score_sheet(wb):
    return target(wb, TOTAL_NAME)[0]


def test_score_sheet_merges_cover_exactly_their_items(blank):
    ws = score_sheet(blank)
    merged = {(m.min_col, m.min_row): m for m in ws.merged_cells.ranges}
    rows = {item.id: target(blank, item_name(item.id))[1].row for item in SYSTEM.items}
    assert sorted(rows.values()) == list(range(min(rows.values()), max(rows.values()) + 1))
    l2_of = {n.id: n.parent for n in SYSTEM.level2}
    for level, nodes, col, parent_of in ((1, SYSTEM.level1, 1, lambda i: l2_of[i.parent]),
                                         (2, SYSTEM.level2, 3, lambda i: i.parent)):
        for node in nodes:
            mine = [rows[i.id] for i in SYSTEM.items if parent_of(i) == node.id]
            top, bottom = min(mine), max(mine)
            assert ws.cell(top, col).value == node.name
            assert Decimal(str(ws.cell(top, col + 1).value)) == node.points
            if bottom > top:
                for c in (col, col + 1):
                    m = merged[(c, top)]
                    assert (m.min_row, m.max_row, m.max_col) == (top, bottom, c), (level, node.id, m)
            else:
                assert (col, top) not in merged
    score_col = target(blank, item_name(SYSTEM.items[0].id))[1].column
    first = min(rows.values())
    header = [ws.cell(r, c).value for r in range(1, first) for c in range(1, score_col + RULE_OFFSET + 1)]
    for label in ("评价指标", "一级指标", "二级指标", "三级指标", "名称", "参考分值", "指标说明", "评分标准", "评分"):
        assert label in header
    for item in SYSTEM.items:
        r = rows[item.id]
        assert ws.cell(r, 5).value == item.name
        assert ws.cell(r, score_col - 2).value == item.description
        assert ws.cell(r, score_col - 1).value == item.criteria
        assert ws.cell(r, score_col - 1).alignment.wrap_text and ws.cell(r, score_col - 2).alignment.wrap_text
    top_header = min(r for r in range(1, first) if "指标说明" in [ws.cell(r, c).value for c in range(1, 12)])
    assert ws.cell(top_header, score_col + REASON_OFFSET).value == "扣分说明"
    assert ws.cell(top_header, score_col + RULE_OFFSET).value == "计分依据"
    _, total = target(blank, TOTAL_NAME)
    assert total.column == score_col and total.row > max(rows.values()) and total.number_format == "0.00"
    for n, node in enumerate(SYSTEM.level1, start=1):
        _, cell = target(blank, level1_name(node.id))
        assert (cell.row, cell.column) == (total.row + n, score_col)
    _, title = target(blank, SYSTEM_NAME_CELL)
    assert title.value == SYSTEM.name


def test_score_sheet_print_settings(blank):
    ws = score_sheet(blank)
    first_item = min(target(blank, item_name(i.id))[1].row for i in SYSTEM.items)
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    title_rows = ws.print_title_rows.replace("$", "")
    start, end = (int(x) for x in title_rows.split(":"))
    assert end == first_item - 1 and start > 2  # the form's header rows, not the title
    assert ws.freeze_panes == f"A{first_item}"
    assert ws.column_dimensions["H"].width > 40  # 评分标准 wide
    assert ws.cell(first_item, 1).border.left.style == "thin"


# ---------------------------------------------------------------------------------------------
# Formats, validation, injection


def validations_of(ws, coordinate):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def test_validation_on_amount_bool_and_rate_cells(blank):
    ws, cell = target(blank, name_for("budget.adjusted.total"))
    assert cell.number_format == "#,##0.00" and cell.fill.fgColor.rgb.endswith("FFF2CC")
    (dv,) = validations_of(ws, cell.coordinate)
    assert dv.type == "decimal" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
    assert dv.prompt and dv.promptTitle and dv.error and dv.showErrorMessage and dv.showInputMessage

    ws, cell = target(blank, name_for("petitions.channel_exists"))
    (dv,) = validations_of(ws, cell.coordinate)
    assert dv.type == "list" and dv.formula1 == '"是,否"' and dv.prompt and dv.error

    ws, cell = target(blank, name_for("petitions.reply_rate"))
    assert cell.number_format == "0.00%"
    (dv,) = validations_of(ws, cell.coordinate)
    assert dv.type == "decimal" and (dv.formula1, dv.formula2) == ("0", "1.5") and dv.error

    ws, cell = target(blank, name_for("staff.authorized"))
    (dv,) = validations_of(ws, cell.coordinate)
    assert dv.type == "whole" and dv.formula1 == "0"


def test_every_rate_hint_holds_in_libreoffice_and_wps_too(blank):
    # 98.6 typed in a % cell is 98.6 % only with Excel's automatic percent entry; LibreOffice and WPS store
    # 98.6, which is refused. The hints said 输入 98.6 即 98.6%: they must ask for the % sign or a fraction.
    ws, cell = target(blank, name_for("petitions.reply_rate"))
    (dv,) = validations_of(ws, cell.coordinate)
    stated = [v for v in blank["评价人评分"].data_validations.dataValidation if v.promptTitle == "报告数（百分比）"]
    texts = [ws.cell(cell.row, cell.column + 1).value, dv.prompt, dv.error, *(v.prompt for v in stated),
             *(v.error for v in stated), *(c.value for row in blank["说明"].iter_rows() for c in row
                                          if isinstance(c.value, str) and "98." in c.value)]
    assert len(texts) >= 6 and "98.6% 或 0.986" in texts[0], texts
    for text in texts:
        assert not re.search(r"输入 98\.[67] 即", text), text
        assert re.search(r"98\.[67]%|0\.98[67]", text), text


def test_table_column_validation(blank):
    for table_key, name, sheet in LAYOUT.tables():
        ws = blank[sheet]
        min_col, min_row, _, _ = range_boundaries(ws.tables[name].ref)
        for j, (col, (_, kind)) in enumerate(TABLES[table_key][1].items()):
            cell = ws.cell(min_row + 1, min_col + j)
            below = ws.cell(min_row + 50, min_col + j)  # where the table grows
            dvs = validations_of(ws, cell.coordinate)
            if (table_key, col) == ("assets.groups", "status"):
                assert dvs[0].formula1 == '"' + ",".join(ASSET_STATUSES) + '"'
            elif (table_key, col) == ("projects", "status"):
                assert dvs[0].formula1 == '"按期完成,逾期完成,未完成"'
            elif (table_key, col) == ("adjustments", "amount"):
                assert dvs[0].operator == "between" and dvs[0].formula1.startswith("-")
            elif kind.rstrip("?") == "date":
                assert cell.number_format == "yyyy-mm-dd" and dvs[0].type == "date"
            elif kind.rstrip("?") == "amount":
                assert dvs[0].formula1 == "0"
            if dvs:
                assert validations_of(ws, below.coordinate) == dvs


def test_evaluator_value_validation_per_row(blank):
    sheet = sheet_of_kind("evaluator")[0]
    ws = blank[sheet.name]
    keys = sheet.blocks[0].keys
    min_col, min_row, _, _ = range_boundaries(ws.tables["xp_evaluator"].ref)
    for i, row in enumerate(evaluator_rows(SYSTEM), start=1):
        cell = ws.cell(min_row + i, min_col + keys.index("value"))
        (dv,) = validations_of(ws, cell.coordinate)
        assert dv.prompt and dv.error
        if row.kind in ("tick", "flag"):
            assert dv.formula1 == '"是,否"'
        elif row.kind == "choice":
            assert dv.formula1 == '"' + ",".join(row.choices) + '"'
        elif row.kind == "count":
            assert dv.type == "whole"
        elif row.kind == "points":
            assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", row.max_points)


def test_text_from_data_stays_text(tmp_path):
    data = copy.deepcopy(reference_data())
    data["unit"] = "=HYPERLINK(\"http://x\",\"click\")"
    data["projects"][0]["name"] = "=1+1"
    data["key_tasks"][0]["name"] = "#REF!"
    data["key_tasks"][1]["source"] = "-3"
    path = tmp_path / "inject.xlsx"
    build_template(path, SYSTEM, data=data)
    wb = load_workbook(path)
    _, unit = target(wb, name_for("unit"))
    assert unit.data_type == "s" and unit.value == data["unit"] and unit.quotePrefix
    name = next(n for t, n, _ in LAYOUT.tables() if t == "projects")
    sheet = next(s for t, _, s in LAYOUT.tables() if t == "projects")
    ws = wb[sheet]
    min_col, min_row, _, _ = range_boundaries(ws.tables[name].ref)
    cell = ws.cell(min_row + 1, min_col)
    assert cell.data_type == "s" and cell.value == "=1+1" and cell.quotePrefix
    sheet = next(s for t, _, s in LAYOUT.tables() if t == "key_tasks")
    ws = wb[sheet]
    min_col, min_row, _, _ = range_boundaries(ws.tables["xp_key_tasks"].ref)
    assert ws.cell(min_row + 1, min_col).data_type == "s" and ws.cell(min_row + 1, min_col).value == "#REF!"
    assert ws.cell(min_row + 2, min_col + 1).value == "-3" and ws.cell(min_row + 2, min_col + 1).data_type == "s"
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in xml and 't="e"' not in xml


def test_unconvertible_numbers_and_dates(tmp_path):
    data = copy.deepcopy(reference_data())
    data["budget"]["spent"]["total"] = "一千"
    data["projects"][0]["planned_finish"] = "2024-12-31"
    path = tmp_path / "bad.xlsx"
    build_template(path, SYSTEM, data=data)
    wb = load_workbook(path)
    _, cell = target(wb, name_for("budget.spent.total"))
    assert cell.value == "一千" and cell.data_type == "s"  # kept as typed, for the reader to report
    sheet = next(s for t, _, s in LAYOUT.tables() if t == "projects")
    ws = wb[sheet]
    min_col, min_row, _, _ = range_boundaries(ws.tables["xp_projects"].ref)
    col = list(TABLES["projects"][1]).index("planned_finish")
    assert ws.cell(min_row + 1, min_col + col).value == dt.datetime(2024, 12, 31)


def test_other_system_builds(tmp_path):
    other = load("hunan-district")
    path = tmp_path / "hunan.xlsx"
    build_template(path, other)
    wb = load_workbook(path)
    for item in other.items:
        target(wb, item_name(item.id))
    assert target(wb, LAYOUT.system_name)[1].value == other.id
    assert len(wb["评价人评分"].tables["xp_overrides"].tableColumns) == 4


# ---------------------------------------------------------------------------------------------
# LibreOffice


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_template_to_pdf(example_path, tmp_path):
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo_profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(example_path)],
        capture_output=True, text=True, timeout=300,
    )
    pdf = tmp_path / "example.pdf"
    assert pdf.exists(), result.stderr
    assert pdf.stat().st_size > 0


ROOT_WORKBOOKS = Path(__file__).parents[2] / "workbooks"


def test_echoed_text_cells_keep_text_after_f2_enter():
    # Output cells that may echo user text carry quotePrefix, so Excel's F2+Enter keeps "=1+1" as text.
    import openpyxl

    wb = openpyxl.load_workbook(ROOT_WORKBOOKS / "template.xlsx")
    dn = wb.defined_names["xo_item_procurement"]
    (sheet, ref), = dn.destinations
    cell = wb[sheet][ref.replace("$", "")]
    assert wb[sheet].cell(cell.row, cell.column + REASON_OFFSET).quotePrefix
    (fsheet, fref), = wb.defined_names["xo_findings"].destinations
    assert wb[fsheet][fref.replace("$", "")].offset(0, 4).quotePrefix


@pytest.mark.parametrize("name", ["template.xlsx", "template.xlsm", "example-2024.xlsx"])
def test_bundled_workbooks_are_up_to_date(name, tmp_path):
    # workbooks/ is generated (python -m xlperf.workbook.bundled): same sheets, names and cell values.
    from xlperf.workbook.bundled import regenerate
    from xlperf.workbook.package import Package

    fresh_dir = tmp_path / "fresh"
    regenerate(fresh_dir)
    committed, fresh = Package.open(ROOT_WORKBOOKS / name), Package.open(fresh_dir / name)
    assert [s.name for s in committed.sheets()] == [s.name for s in fresh.sheets()]
    assert committed.defined_names() == fresh.defined_names(), "run: python -m xlperf.workbook.bundled"
    for sheet in fresh.sheets():
        assert committed.read_cells(sheet.name) == fresh.read_cells(sheet.name), sheet.name
