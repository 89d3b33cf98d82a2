"""Empty or conflicting data (issue 6, point 6) and the messages of point 8, through a real workbook.

Each case edits the reference unit's data, builds the workbook with the template builder, reads it
back with ``compute`` and checks the finding's code and severity, the cell the 校验结果 row names
(derived here from the template's own defined names and tables, not from the reader) and the
points of the item concerned. Wording is not asserted, except that names are not double-quoted
and that a zero denominator is named by its field's label.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import openpyxl
import pytest

from fixtures import Pkg, build_example, field_cell, table_cell
from xlperf.examples import reference_data
from xlperf.engine.fields import TABLES, label_of
from xlperf.engine.system import load
from xlperf.book.a1 import from_a1
from xlperf.book.layout import item_name
from xlperf.book.outputs import OutputNames, _finding_row
from xlperf.workbook.package import Package
from xlperf.book.fill import compute as compute_book
from xlperf.workbook.zipbook import ZipBook


def compute(pkg, system):
    """(result, read, output cells) of a zip package, through the book interface."""
    scored = compute_book(ZipBook(pkg), system)
    return scored.result, scored.read, scored.cells



def first_row(pkg: Pkg, sheet: str, table: str, key: str) -> str:
    """sheet!A1 of a table's first data row, first column: where a finding about the whole table points."""
    first_label = next(iter(TABLES[key][1].values()))[0]
    return f"{sheet}!{table_cell(pkg, sheet, table, first_label)}"


def evaluator_cell(path, key: str) -> str:
    """The 填写值 cell of the evaluator row whose 编号 is key."""
    pkg = Pkg(path)
    ws = openpyxl.load_workbook(path)["评价人评分"]
    for k in range(200):
        if ws[table_cell(pkg, "评价人评分", "xp_evaluator", "编号", k)].value == key:
            return f"评价人评分!{table_cell(pkg, '评价人评分', 'xp_evaluator', '填写值', k)}"
    raise KeyError(key)


def score_cell(path, item_id: str) -> str:
    sheet, ref = Pkg(path).defined_name(item_name(item_id))
    return f"{sheet}!{ref}"


def run(tmp_path, edit, system="shenzhen-2024"):
    data = copy.deepcopy(reference_data())
    edit(data)
    path = build_example(tmp_path / "book.xlsx", data) if system == "shenzhen-2024" else _build(tmp_path, data, system)
    pkg = Package.open(path)
    result, read, _ = compute(pkg, system)
    on = OutputNames(ZipBook(pkg).defined_names())
    rows = {}
    for f in result.findings:
        severity, code, sheet, cell, message = _finding_row(f, read, on, "评分表")
        rows.setdefault(code, []).append((severity, f"{sheet}!{cell}", f.item, message))
    return path, result, rows


def _build(tmp_path, data, system):
    from xlperf.workbook.template import build_template

    path = tmp_path / "book.xlsx"
    build_template(path, load(system), data=data)
    return path


def set_(**kw):
    return lambda d: d.update(copy.deepcopy(kw))


# (edit, code, where(path) → expected "sheet!cell", item, the item's points). Points derived per case:
CASES = [
    # 项目支出 533.46 with no project: 按期完成率 0 ÷ 0, if_undefined full → 项目完成及时性 6 of 6, but a 警告.
    pytest.param(set_(projects=[]), "PROJECTS_MISSING",
                 lambda p: first_row(Pkg(p), "项目", "xp_projects", "projects"), "project_timeliness", "6",
                 id="projects empty"),
    # No key task: 0 unfinished → 8 − 4 × 0 = 8, with a 警告 pointing at the empty list.
    pytest.param(set_(key_tasks=[]), "KEY_TASKS_MISSING",
                 lambda p: first_row(Pkg(p), "重点工作", "xp_key_tasks", "key_tasks"), "key_tasks", "8",
                 id="key tasks empty"),
    # No survey: 满意度 cannot be computed → 0 of 6 (if_undefined zero), with a 警告.
    pytest.param(set_(surveys=[]), "SURVEY_MISSING",
                 lambda p: first_row(Pkg(p), "满意度调查", "xp_surveys", "surveys"), "satisfaction", "0",
                 id="no survey"),
    # 编制 0, 在编 0: both staff rates 0 ÷ 0 → full (1 and 1), one way now, with a 警告 at 核定编制数.
    pytest.param(set_(staff={"authorized": 0, "on_payroll": 0, "dispatched": 0, "direct_hire": 0}), "STAFF_EMPTY",
                 lambda p: "!".join(field_cell(Pkg(p), "staff.authorized")), "staff_control", "1", id="no staff"),
    # Typed rate 95 % but 18 of 20 satisfied (90 %): the rate is scored (≥ 95 % → 6); the conflict is a 警告.
    pytest.param(set_(surveys=[{"name": "问卷", "respondents": 20, "satisfied": 18, "rate": "0.95"}]),
                 "SURVEY_RATE_MISMATCH",
                 lambda p: f"满意度调查!{table_cell(Pkg(p), '满意度调查', 'xp_surveys', '满意率')}", "satisfaction", "6",
                 id="survey counts disagree with rate"),
    # 挪用 ticked without a reason: the whole 财务规范性 is 0 of 3, and the missing reason is a 警告.
    pytest.param(lambda d: d["evaluator"].update(financial_violation={"flag": "是"}), "FLAG_WITHOUT_REASON",
                 lambda p: evaluator_cell(p, "financial_violation"), "financial_compliance", "0",
                 id="violation without reason"),
]


@pytest.mark.parametrize("edit, code, where, item, points", CASES)
def test_empty_or_conflicting_data_is_a_finding(tmp_path, edit, code, where, item, points):
    path, result, rows = run(tmp_path, edit)
    [(severity, cell, about, _)] = rows[code]
    assert (severity, cell, about) == ("警告", where(path), item)
    assert result.item(item).points == Decimal(points)


def test_a_reason_silences_the_flag_finding(tmp_path):
    _, result, rows = run(tmp_path, lambda d: d["evaluator"].update(
        financial_violation={"flag": "是", "reason": "审计发现挪用 2.00 万元"}))
    assert "FLAG_WITHOUT_REASON" not in rows and result.item("financial_compliance").points == 0


# A blank deduction count or 违规 flag is not “0 项” or “否”: as a blank tick, judgment or tier, it earns
# nothing until the evaluator enters it, and the warning, the score and its 计分依据 say so alike.
BLANKS = [
    # 预算编制规范性 5 − 1 × (no count) → 0 of 5: 96.88 − 5 = 91.88.
    pytest.param("budget_compliance", "budget_compliance", "91.88", id="deduction count"),
    # 绩效目标完整性 3 → 0 of 3: 96.88 − 3 = 93.88.
    pytest.param("target_completeness", "target_completeness", "93.88", id="target count"),
    # 违规 unknown: 财务规范性 (1 + 1 + 1 = 3 in the example) → 0 of 3: 96.88 − 3 = 93.88.
    pytest.param("financial_violation", "financial_compliance", "93.88", id="violation flag"),
]


@pytest.mark.parametrize("key, item, total", BLANKS)
def test_a_blank_evaluator_entry_earns_nothing(tmp_path, key, item, total):
    path, result, rows = run(tmp_path, lambda d: d["evaluator"].pop(key))
    [(severity, cell, about, message)] = rows["EVALUATOR_MISSING"]
    assert (severity, cell, about) == ("警告", evaluator_cell(path, key), item)
    score = result.item(item)
    assert (score.points, result.total) == (0, Decimal(total))
    assert "0 项" not in score.rule and "评价人未填写" in score.rule and "暂按 0 分计" in score.rule
    assert "暂按 0 分计" in message and "未满足" not in message


def test_a_blank_classified_flag_scores_the_parts(tmp_path):
    # 涉密 blank: not full by the flag; 预算公开 1.5 + 决算公开 1.5 as chosen = 3, with the warning saying so.
    path, result, rows = run(tmp_path, lambda d: d["evaluator"].pop("classified_unit"))
    [(_, cell, about, message)] = rows["EVALUATOR_MISSING"]
    assert (cell, about) == (evaluator_cell(path, "classified_unit"), "disclosure")
    assert "按各部分计分" in message and result.item("disclosure").points == 3


def test_an_adjustment_without_its_reason_says_it_was_not_applied(tmp_path):
    # 调整后得分 4 for 预算编制合理性 with no 调整理由: not applied, the item keeps its 5 of 5 (total 96.88),
    # and the warning, at the 调整理由 cell of that row, says so and what to fill in.
    path, result, rows = run(tmp_path, lambda d: d["evaluator"].update(
        {"override:budget_reasonableness": {"points": "4"}}))
    pkg, ws = Pkg(path), openpyxl.load_workbook(path)["评价人评分"]
    row = next(k for k in range(60)
               if ws[table_cell(pkg, "评价人评分", "xp_overrides", "三级指标编号", k)].value == "budget_reasonableness")
    [(severity, cell, item, message)] = rows["POINTS_DIFFER_FROM_DATA"]
    assert (severity, cell, item) == (
        "警告", f"评价人评分!{table_cell(pkg, '评价人评分', 'xp_overrides', '调整理由', row)}", "budget_reasonableness")
    assert "未采用" in message and "调整理由" in message and "5.00" in message
    assert (result.item("budget_reasonableness").points, result.total) == (5, Decimal("96.88"))


def test_counts_that_agree_with_the_rate_are_not_a_conflict(tmp_path):
    # 19 / 20 = 95 % and a typed 95.00 %: consistent.
    _, _, rows = run(tmp_path, set_(surveys=[{"name": "问卷", "respondents": 20, "satisfied": 19, "rate": "0.95"}]))
    assert "SURVEY_RATE_MISMATCH" not in rows


# --- point 8: messages -------------------------------------------------------------------------------


def test_zero_denominator_names_the_zero_figure_and_its_cell(tmp_path):
    # Nothing planned, nothing bought: 政府采购执行率 0 ÷ 0; if_undefined full → 1 + policy 1 = 2.
    path, result, rows = run(tmp_path, set_(procurement={"plan": "0", "contracted": "0", "paid": "0"}))
    by_cell = {cell: message for severity, cell, _, message in rows["ZERO_DENOMINATOR"]}
    plan = "!".join(field_cell(Pkg(path), "procurement.plan"))
    contracted = "!".join(field_cell(Pkg(path), "procurement.contracted"))
    assert set(by_cell) == {plan, contracted}  # 执行率 ÷ plan, 支付进度 ÷ contracted
    assert f"{label_of('procurement.plan')}为 0" in by_cell[plan]
    assert all(severity == "提示" for severity, *_ in rows["ZERO_DENOMINATOR"])
    assert result.item("procurement").points == Decimal("2")


def test_zero_denominator_of_an_empty_table_points_at_the_table(tmp_path):
    path, _, rows = run(tmp_path, set_(projects=[]))
    cells = {cell for _, cell, _, _ in rows["ZERO_DENOMINATOR"]}
    assert cells == {first_row(Pkg(path), "项目", "xp_projects", "projects")}


def test_quoted_names_are_not_doubled(tmp_path):
    # 三公 0 ÷ 0: the finding quotes “‘三公’经费控制率”, never ““三公”经费控制率”.
    _, result, rows = run(tmp_path, set_(sangong={"budget": "0", "actual": "0"}))
    [message] = [m for _, _, _, m in rows["ZERO_DENOMINATOR"] if "三公" in m]
    assert "““" not in message and "””" not in message and "‘三公’" in message
    # 三公 part 0 ÷ 0 → [0, 90%) band, 3; + 日常公用 90.95 % → 2.
    assert result.item("public_expense_control").points == Decimal("5")


def test_points_without_reason_points_at_the_evaluator_cell(tmp_path):
    # 政府采购政策功能落实 0.5 of 1 with no reason: 采购执行率 88.58 % × 1 + 0.5 = 1.3858 → 1.39.
    path, result, rows = run(tmp_path, lambda d: d["evaluator"].update(procurement_policy={"points": "0.5"}))
    [(severity, cell, item, _)] = rows["POINTS_WITHOUT_REASON"]
    assert (severity, cell, item) == ("警告", evaluator_cell(path, "procurement_policy"), "procurement")
    assert result.item("procurement").points == Decimal("1.39")


def test_item_finding_without_input_cell_points_at_the_score(tmp_path):
    # Hunan's “三公”经费变动率 needs last year's 三公 budget; without it the item scores 0 and the row
    # points at that item's score cell on 评分表 rather than at nothing.
    def edit(d):
        d["sangong"].pop("prior_budget", None)
    path, result, rows = run(tmp_path, edit, system="hunan-district")
    [(severity, cell, item, message)] = rows["INDICATOR_MISSING"]
    assert (severity, cell, item) == ("警告", score_cell(path, "sangong_change"), "sangong_change")
    assert "““" not in message and "‘三公’" in message
    assert result.item("sangong_change").points == 0


def test_the_readme_sheet_states_every_empty_case_handling():
    # The bundled template, as shipped: every case of gaps.HANDLING and every 0 ÷ 0 rule of the system.
    from pathlib import Path

    from xlperf.engine.gaps import HANDLING

    path = Path(__file__).parents[2] / "workbooks" / "template.xlsx"
    text = "\n".join(str(c.value) for row in openpyxl.load_workbook(path)["说明"].iter_rows() for c in row if c.value)
    assert "空缺与冲突数据的处理" in text
    for case, how in HANDLING:
        assert f"{case}：{how}。" in text
    # Shenzhen: 项目完成及时性 and both staff items score an undefined rate as full; 满意度 (no if_undefined) as 0.
    for item, figure, how in (("项目完成及时性", "项目按期完成率", "满分"), ("财政供养人员控制率", "财政供养人员控制率", "满分"),
                              ("编外人员控制率", "编外人员控制率", "满分"), ("公众或服务对象满意度", "公众或服务对象满意度", " 0 分")):
        assert f"“{item}”：{figure}无法计算（0 ÷ 0 或未填写）时按{how}计。" in text


def test_indicator_sheet_notes_the_exact_rate_where_two_decimals_would_cross_an_edge(tmp_path):
    # 三公 899.95 / 1000.00 = 89.995 %: the cell's 0.00% format shows 90.00 %, the band is [0, 90%) → the
    # note beside it gives 89.995 %. 日常公用 61.23 / 67.32 = 90.95…% is far from its edges: no note added.
    from xlperf.workbook.fill import fill
    from xlperf.book.layout import indicator_name, load_layout

    data = copy.deepcopy(reference_data())
    data["sangong"] = {"budget": "1000.00", "actual": "899.95"}
    src = build_example(tmp_path / "in.xlsx", data)
    fill(src, tmp_path / "out.xlsx")
    pkg = Package.open(tmp_path / "out.xlsx")
    sheet = load_layout().sheet("计算指标")
    offset = sheet.column("note") - sheet.column("value")

    def note(ind_id: str) -> str:
        dn = pkg.defined_names()[indicator_name(ind_id)]
        r, c = from_a1(dn.ref.split(":")[0])
        return str(pkg.read_cells(dn.sheet).get((r, c + offset), (None,))[0] or "")

    assert "89.995%" in note("sangong_control_rate")
    assert "%" not in note("daily_public_control_rate")



def test_full_points_despite_missed_targets_points_at_the_evaluator_cell(tmp_path):
    # One target (≥ 10 场) met with 8 场: missed. 效果性 25 of 25 without a reason → the data implies a
    # deduction: a POINTS_DIFFER_FROM_DATA 警告 at the evaluator's 效果性 cell; the points stay 25.
    def edit(d):
        d["targets"] = [{"level1": "产出指标", "level2": "数量指标", "name": "活动场次", "target": "≥10场", "actual": "8场"}]
        d["evaluator"]["effectiveness"] = {"points": "25"}
    path, result, rows = run(tmp_path, edit)
    [(severity, cell, item, _)] = rows["POINTS_DIFFER_FROM_DATA"]
    assert (severity, cell, item) == ("警告", evaluator_cell(path, "effectiveness"), "effects")
    assert result.item("effects").points == Decimal("25")
