"""The xlwings adapter and the five entry points, run against the strict fake of xlwings.

The fake Excel starts with the bundled example's cells (as Excel would hold them: floats,
datetimes), names and tables. Expected values come from the headless path: ``xlperf fill`` of the
same file, cell for cell.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import xwfake  # noqa: E402

from xlperf.book.protocol import Area  # noqa: E402
from xlperf.excel import actions  # noqa: E402
from xlperf.excel.xwbook import XwBook, from_excel  # noqa: E402
from xlperf.workbook.fill import fill as headless_fill  # noqa: E402
from xlperf.workbook.fill import verify as headless_verify  # noqa: E402
from xlperf.book.layout import STAMP_NAME, name_for  # noqa: E402
from xlperf.workbook.zipbook import ZipBook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "example-2024.xlsx"
# Calls into Excel for one recompute of the example (README, "xlperf in Excel"): the defined names
# (3 per name, 139 names, + 2: 419), the sheet list (2 + 2 per sheet: 32), the tables (2 per sheet
# + 4 per table: 66), 12 block reads (one per sheet read), 6 block writes and the probe below the
# findings list, with their 19 ranges (38), app state and the message (8: Book.app, read 2, set 4, alert).
RECOMPUTE_CALLS = 563


from excelfront import OUTPUT_SHEETS, excel_with, save_like_excel  # noqa: E402


def run(world: xwfake.World, action: str, **kw) -> actions.Outcome:
    book = world.book()
    return actions.run(action, XwBook(book), book.app, **kw)


def sheet_values(world: xwfake.World, sheet: str) -> dict:
    return {pos: from_excel(v) for pos, v in world.cells[sheet].items()}


# --- the fake itself is strict -----------------------------------------------------------------------


def test_fake_refuses_what_xlwings_lacks(spec, example_memory):
    world = excel_with(spec, example_memory)
    book = world.book()
    with pytest.raises(AttributeError):
        book.worksheets  # noqa: B018 - openpyxl's word, not xlwings'
    sheet = book.sheets["基本信息"]
    with pytest.raises(TypeError):
        sheet.range("A1", "B2", "C3")  # Sheet.range takes cell1, cell2
    with pytest.raises(TypeError):
        sheet.range("A1").options(ndims=2)  # a misspelt option no converter reads
    with pytest.raises(AttributeError):
        sheet.range("A1").address = "B2"  # read-only in xlwings
    with pytest.raises(AttributeError):
        sheet.name_of_sheet  # noqa: B018


def test_fake_cannot_offer_what_xlwings_lacks(spec):
    class Bad(xwfake.Range):
        def expand_all(self):  # no such Range method in xlwings
            pass

    with pytest.raises(AssertionError, match="expand_all"):
        xwfake._check_members(spec, "Range", Bad)


def test_fake_hands_back_what_com_hands_back(spec, example_memory):
    world = excel_with(spec, example_memory)
    at = example_memory.defined_names()[name_for("budget.adjusted.total")]
    value = world.book().sheets[at.sheet].range((at.top, at.left)).value
    assert type(value) is float and value == float(example_memory.read(at)[0][0])
    with pytest.raises(TypeError):
        world.book().sheets[at.sheet].range((at.top, at.left)).value = Decimal("1")  # COM takes no Decimal


# --- recompute: the same answer as the headless fill ----------------------------------------------------


def test_recompute_equals_headless_fill_cell_for_cell(spec, saved_example, example_memory, headless):
    world = excel_with(spec, ZipBook.open(saved_example).to_memory())
    outcome = run(world, "recompute")
    assert outcome.ok and "总分 96.88" in outcome.message
    for sheet in OUTPUT_SHEETS:
        # An empty text cell in the file is an empty cell in Excel.
        assert sheet_values(world, sheet) == {p: v for p, v in headless.cells(sheet).items() if v not in (None, "")}, sheet
    stamp = example_memory.defined_names()[STAMP_NAME]
    got = [world.cells["_xlperf"].get((stamp.top + i, stamp.left)) for i in range(5)]
    want = [headless.cells("_xlperf").get((stamp.top + i, stamp.left)) for i in range(5)]
    assert got == want  # version, system, its hash, the inputs and outputs hashes (filled_at differs)
    assert all(got)


def test_a_list_converted_to_a_range_in_excel_is_read_by_its_header(spec, example_memory):
    """表设计 → 转换为区域 is an Excel command: the sheet then has no table, and the list is found as the
    headless path finds it (test_list_without_table), through the same reader."""
    world = excel_with(spec, example_memory)
    del world.tables["xp_key_tasks"]
    world.cells["重点工作"][(8, 1)], world.cells["重点工作"][(8, 2)], world.cells["重点工作"][(8, 3)] = (
        "新增重点工作", "市科协", "否")  # typed under the list after the conversion: one unfinished task
    outcome = run(world, "recompute")
    assert outcome.ok and "总分 92.88" in outcome.message


def test_recompute_leaves_excel_as_it_was_and_says_so(spec, example_memory):
    world = excel_with(spec, example_memory)
    world.calculation = "semiautomatic"
    run(world, "recompute")
    assert world.history == [("screen_updating", False), ("calculation", "manual"),
                             ("calculation", "semiautomatic"), ("screen_updating", True)]
    assert len(world.alerts) == 1 and world.alerts[0][1] == "绩效评价"


def test_saved_file_verifies_headless(spec, example_memory, tmp_path):
    """What Excel holds after a recompute, saved, passes ``xlperf verify``."""
    world = excel_with(spec, example_memory)
    run(world, "recompute")
    saved = save_like_excel(world, tmp_path / "saved.xlsx")
    verdict = headless_verify(saved)
    assert verdict.status == "unchanged", verdict.message


# --- the call budget ---------------------------------------------------------------------------------


def large_memory(tmp_path: Path):
    from xlperf.examples import reference_data
    from xlperf.engine.system import load
    from xlperf.workbook.template import build_template

    data = copy.deepcopy(reference_data())
    project = data["projects"][0]
    data["projects"] = [dict(project, name=f"项目 {i + 1}") for i in range(200)]
    build_template(tmp_path / "large.xlsx", load("shenzhen-2024"), data=data)
    return ZipBook.open(tmp_path / "large.xlsx").to_memory()


def test_call_budget_does_not_grow_with_rows(spec, example_memory, tmp_path):
    small = excel_with(spec, example_memory)
    run(small, "recompute")
    large_book = large_memory(tmp_path)
    assert len(large_book.read(large_book.tables()["xp_projects"].area)) == 201
    large = excel_with(spec, large_book)
    run(large, "recompute")
    assert "项目 200" in {v for v in large.cells["项目"].values()}
    assert len(small.calls()) == RECOMPUTE_CALLS, [str(c) for c in small.calls()][:40]
    assert len(large.calls()) == RECOMPUTE_CALLS
    reads = [c for c in small.calls() if c.what == "Range.value"]
    writes = [c for c in small.calls() if c.what == "Range.value="]
    assert (len(reads), len(writes)) == (13, 6)  # one per block (+ the findings probe), never per cell


# --- bad input, errors -----------------------------------------------------------------------------------


def test_bad_input_lists_the_located_problems_and_selects_the_first(spec, example_memory):
    memory = copy.deepcopy(example_memory)
    at = memory.defined_names()[name_for("budget.adjusted.total")]
    memory.write(at.sheet, at.first, [["很多"]])
    world = excel_with(spec, memory)
    before = {s: dict(world.cells[s]) for s in OUTPUT_SHEETS}
    outcome = run(world, "recompute")
    assert not outcome.ok
    text = world.alerts[0][0]
    assert "未写入任何结果" in text and f"{at.sheet}!{at.a1()}" in text
    assert world.active == (at.sheet, at.a1())
    assert {s: world.cells[s] for s in OUTPUT_SHEETS} == before
    assert world.history[-2:] == [("calculation", "automatic"), ("screen_updating", True)]
    assert "Traceback" not in text


def test_headless_and_excel_report_the_same_problems(spec, example_memory, tmp_path):
    from xlperf.errors import InputError

    memory = copy.deepcopy(example_memory)
    at = memory.defined_names()[name_for("budget.adjusted.total")]
    memory.write(at.sheet, at.first, [["很多"]])
    bad = ZipBook.open(EXAMPLE, tmp_path / "bad.xlsx")
    bad.write(at.sheet, at.first, [["很多"]])
    bad.commit()
    with pytest.raises(InputError) as caught:
        headless_fill(tmp_path / "bad.xlsx", tmp_path / "out.xlsx")
    outcome = run(excel_with(spec, memory), "recompute")
    assert outcome.details == [p.located() for p in caught.value.problems]


def test_an_unexpected_error_is_one_sentence_and_excel_is_restored(spec, example_memory, tmp_path, monkeypatch):
    monkeypatch.setattr(actions.tempfile, "gettempdir", lambda: str(tmp_path))
    world = excel_with(spec, example_memory)
    world.fail_on = "Range.value="
    outcome = run(world, "recompute")
    assert not outcome.ok and "内部出错" in outcome.message and "Traceback" not in outcome.message
    assert world.history[-2:] == [("calculation", "automatic"), ("screen_updating", True)]
    assert "Traceback" in (tmp_path / actions.LOG_NAME).read_text(encoding="utf-8")


# --- the other actions -------------------------------------------------------------------------------------


def test_check_writes_the_findings_only(spec, example_memory):
    memory = copy.deepcopy(example_memory)
    at = memory.defined_names()[name_for("procurement.paid")]
    memory.write(at.sheet, at.first, [[Decimal("999999")]])  # paid more than contracted: a finding
    world = excel_with(spec, memory)
    before = {s: dict(world.cells[s]) for s in ("计算指标", "评分表", "_xlperf")}
    outcome = run(world, "check")
    assert outcome.ok and "发现" in outcome.message
    assert {s: world.cells[s] for s in before} == before
    assert len(world.cells["校验结果"]) > len(example_memory.cells("校验结果"))


def test_clear_then_verify_then_recompute(spec, example_memory):
    world = excel_with(spec, example_memory)
    run(world, "recompute")
    assert run(world, "verify").ok
    run(world, "clear")
    inputs = {s: dict(world.cells[s]) for s in ("基本信息", "预算执行", "项目")}
    stamp = example_memory.defined_names()[STAMP_NAME]
    assert all(world.cells["_xlperf"].get((stamp.top + i, stamp.left)) is None for i in range(6))
    item = example_memory.defined_names()["xo_item_procurement"]
    assert world.cells[item.sheet].get(item.first) is None
    assert not run(world, "verify").ok  # nothing to check against
    run(world, "recompute")
    assert {s: world.cells[s] for s in inputs} == inputs
    assert from_excel(world.cells[item.sheet][item.first]) == Decimal("1.89")


def test_a_shorter_findings_list_leaves_no_old_rows(spec, large_book):
    # More findings than the template's 60 rows, then none: the rows below must come out empty.
    world = excel_with(spec, large_book)
    run(world, "recompute")
    baseline = sheet_values(world, "校验结果")
    projects = large_book.tables()["xp_projects"].area
    cells = world.cells[projects.sheet]
    spent = [(projects.top + i, projects.left + 2) for i in range(1, 81)]
    original = {at: cells[at] for at in spent}
    for at in spent:
        cells[at] = 9999.0  # 80 projects over budget: 80 findings
    run(world, "recompute")
    assert sum(v == "PROJECT_OVERSPENT" for v in world.cells["校验结果"].values()) == 80
    cells.update(original)
    run(world, "recompute")
    assert sheet_values(world, "校验结果") == baseline


def test_verify_names_an_edited_output_and_selects_it(spec, example_memory):
    world = excel_with(spec, example_memory)
    run(world, "recompute")
    item = example_memory.defined_names()["xo_item_procurement"]
    world.cells[item.sheet][item.first] = 2.0  # typed over by hand
    outcome = run(world, "verify")
    assert not outcome.ok and any(f"{item.sheet}!{item.a1()}" in d for d in outcome.details)
    assert world.active == (item.sheet, item.a1())


def test_text_stays_text(spec, example_memory):
    memory = copy.deepcopy(example_memory)
    at = memory.defined_names()[name_for("unit")]
    memory.write(at.sheet, at.first, [["00123"]])
    world = excel_with(spec, memory)
    world.cells[at.sheet][at.first] = "00123"  # typed as text in Excel
    run(world, "recompute")
    title = example_memory.defined_names()["xo_unit_title"]
    assert world.cells[title.sheet][title.first] == "单位：00123　　评价年度：2024"


def test_new_template_beside_the_book_never_over_a_file(spec, example_memory, tmp_path):
    world = excel_with(spec, example_memory)
    first = run(world, "new_template", folder=tmp_path)
    second = run(world, "new_template", folder=tmp_path)
    made = sorted(p.name for p in tmp_path.glob("*.xlsm"))
    assert first.ok and second.ok and len(made) == 2
    blank = ZipBook.open(tmp_path / made[0]).to_memory()
    year = blank.defined_names()[name_for("year")]
    assert blank.read(year) == [[Decimal(2024)]]


# --- the RunPython entry points -------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["recompute", "check", "clear", "verify"])
def test_entry_points_use_the_calling_book(spec, example_memory, monkeypatch, entry):
    import xlwings

    import xlperf.excel

    world = excel_with(spec, example_memory)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: world.book()))
    outcome = getattr(xlperf.excel, entry)()
    assert world.alerts and world.alerts[-1][0] == outcome.text()


def test_new_template_entry_point_writes_beside_the_calling_book(spec, example_memory, monkeypatch, tmp_path):
    import xlwings

    import xlperf.excel

    world = excel_with(spec, example_memory, fullname=str(tmp_path / "填报.xlsm"))
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: world.book()))
    outcome = xlperf.excel.new_template()
    assert outcome.ok and [p.parent for p in tmp_path.glob("*.xlsm")] == [tmp_path]


def test_an_app_without_screen_settings_is_left_alone(spec, example_memory):
    # xlwings Lite's App has no screen updating or calculation mode to switch.
    class LiteApp:
        def __init__(self):
            self.alerts = []

        def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
            self.alerts.append(prompt)

    app = LiteApp()
    outcome = actions.run("recompute", XwBook(excel_with(spec, example_memory).book()), app)
    assert outcome.ok and app.alerts == [outcome.text()]


def test_dates_come_from_excel_as_datetimes_and_read_as_the_file_reads_them(spec, saved_example, tmp_path):
    # A project finished late: planned 2024-06-30 (serial 45473), finished 2024-12-31 (45657).
    memory = ZipBook.open(saved_example).to_memory()
    projects = memory.tables()["xp_projects"]
    top, left = projects.area.top + 1, projects.area.left
    memory.write(projects.sheet, (top, left + 4), [[Decimal(45473), Decimal(45657)]])
    world = excel_with(spec, memory)
    assert world.cells[projects.sheet][(top, left + 4)] == dt.datetime(2024, 6, 30)
    file = ZipBook.open(saved_example, tmp_path / "dated.xlsx")
    file.write(projects.sheet, (top, left + 4), [[Decimal(45473), Decimal(45657)]])
    file.commit()
    from xlperf.book.fill import compute

    excel_read = compute(XwBook(world.book())).read.data
    file_read = compute(ZipBook.open(tmp_path / "dated.xlsx")).read.data
    assert excel_read["projects"][0]["actual_finish"] == dt.date(2024, 12, 31)
    assert excel_read == file_read


@pytest.fixture(scope="module")
def large_book(tmp_path_factory):
    return large_memory(tmp_path_factory.mktemp("large"))


@pytest.mark.parametrize("action", ["check", "clear", "verify"])
def test_every_action_costs_the_same_for_200_rows(spec, example_memory, large_book, action):
    counts = []
    for memory in (example_memory, large_book):
        world = excel_with(spec, memory)
        run(world, "recompute")
        before = len(world.calls())
        outcome = run(world, action)
        # Taking the user to a cell (activate, range, select) depends on the data, not on the rows.
        counts.append(len(world.calls()) - before - (3 if outcome.select else 0))
        writes = [c for c in world.calls()[before:] if c.what == "Range.value="]
        assert len(writes) <= 8, (action, len(writes))  # whole blocks, never cell by cell
    assert counts[0] == counts[1], counts
