"""Invalid inputs: one InputError listing every problem, by code and field path.

Cases start from the reference unit's plain data and break it; the expected set of
(code, field) pairs is exact, so a missed problem and a spurious extra one both fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from xlperf.engine.evaluate import evaluate
from xlperf.errors import InputError
from xlperf.examples import reference_data, reference_inputs
from xlperf.engine.fields import inputs_from_dict
from xlperf.engine.inputs import Budget, BudgetStage, Staff, Survey

Edit = Callable[[dict], None]


def problems_of(*edits: Edit) -> set[tuple[str, str]]:
    data = reference_data()
    for edit in edits:
        edit(data)
    with pytest.raises(InputError) as caught:
        inputs_from_dict(data)
    problems = caught.value.problems
    found = {(p.code, p.field) for p in problems}
    assert len(found) == len(problems), "a problem is listed twice"
    return found


def put(path: str, value: object) -> Edit:
    """Set a nested key; path parts are dict keys or list indices ("assets.groups.0.count")."""
    def edit(d: dict) -> None:
        *parents, leaf = path.split(".")
        node: object = d
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]  # type: ignore[index]
        node[int(leaf) if leaf.isdigit() else leaf] = value  # type: ignore[index]
    return edit


def delete(path: str) -> Edit:
    def edit(d: dict) -> None:
        *parents, leaf = path.split(".")
        node: object = d
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]  # type: ignore[index]
        del node[int(leaf) if leaf.isdigit() else leaf]  # type: ignore[arg-type]
    return edit


CASES = [
    # Negative amounts and counts.
    pytest.param(put("budget.spent.total", "-1887.42"), {("NEGATIVE", "budget.spent.total")}, id="negative amount"),
    pytest.param(put("staff.dispatched", -4), {("NEGATIVE", "staff.dispatched")}, id="negative count"),
    pytest.param(put("assets.groups.1.value", "-5.84"), {("NEGATIVE", "assets.groups[1].value")},
                 id="negative asset value"),
    pytest.param(put("projects.0.spent", "-1"), {("NEGATIVE", "projects[0].spent")}, id="negative project spending"),
    # Adjustments may be reductions: a negative adjustment is not a problem (see test below).
    # More in use than in total.
    pytest.param(put("assets.groups.0.count", 300), {("IN_USE_EXCEEDS", "assets.groups")}, id="in-use count > total"),
    pytest.param(put("assets.groups.0.value", "70.00"), {("IN_USE_EXCEEDS", "assets.groups")},
                 id="in-use value > total"),
    # Missing required fields: REQUIRED only, no follow-on noise from the defaulted value.
    pytest.param(delete("unit"), {("REQUIRED", "unit")}, id="no unit"),
    pytest.param(put("unit", "   "), {("REQUIRED", "unit")}, id="blank unit"),
    pytest.param(delete("year"), {("REQUIRED", "year")}, id="no year"),
    pytest.param(delete("budget.adjusted.total"), {("REQUIRED", "budget.adjusted.total")}, id="no adjusted total"),
    pytest.param(delete("procurement"), {("REQUIRED", "procurement.plan"), ("REQUIRED", "procurement.contracted"),
                                         ("REQUIRED", "procurement.paid")}, id="no procurement"),
    pytest.param(delete("assets.total_value"), {("REQUIRED", "assets.total_value")}, id="no asset total value"),
    pytest.param(delete("assets.total_count"), {("REQUIRED", "assets.total_count")}, id="no asset total count"),
    pytest.param(delete("staff.authorized"), {("REQUIRED", "staff.authorized")}, id="no establishment"),
    pytest.param(delete("quarterly"), {("REQUIRED", "quarterly.cumulative[0]")}, id="no quarters"),
    pytest.param(put("quarterly.cumulative.2", ""), {("REQUIRED", "quarterly.cumulative[2]")}, id="Q3 blank"),
    pytest.param(put("quarterly", {"progress": ["26.24%", None, "76.51%", None]}),
                 {("REQUIRED", "quarterly.progress[1]"), ("REQUIRED", "quarterly.progress[3]")},
                 id="progress Q2 and Q4 blank"),
    pytest.param(delete("key_tasks.0.finished"), {("REQUIRED", "key_tasks[0].finished")}, id="task without status"),
    pytest.param(delete("projects.0.status"), {("REQUIRED", "projects[0].status")}, id="project without status"),
    pytest.param(delete("petitions.channel_exists"), {("REQUIRED", "petitions.channel_exists")}, id="no channel"),
    # Rates beyond any sensible bound, and shares above 100 %.
    pytest.param(put("surveys.0.rate", "98.7"), {("RATE_TOO_LARGE", "surveys[0].rate")}, id="survey 98.7"),
    pytest.param(put("surveys.0.rate", "1.2"), {("RATE_ABOVE_100", "surveys[0].rate")}, id="survey 120% as 1.2"),
    pytest.param(put("surveys.0.rate", "101%"), {("RATE_ABOVE_100", "surveys[0].rate")}, id="survey 101%"),
    pytest.param(put("petitions.reply_rate", "1.5"), {("RATE_ABOVE_100", "petitions.reply_rate")},
                 id="reply rate 150%"),
    pytest.param(put("petitions.on_time_rate", "100"), {("RATE_TOO_LARGE", "petitions.on_time_rate")},
                 id="on-time rate 100 typed for 100%"),
    pytest.param(put("quarterly", {"progress": ["26.24", "0.5131", "0.7651", "0.9870"]}),
                 {("RATE_TOO_LARGE", "quarterly.progress[0]")}, id="progress 26.24 typed for 26.24%"),
    pytest.param(put("surveys", [{"name": "问卷", "respondents": 20, "satisfied": 21}]),
                 {("COUNT_EXCEEDS", "surveys[0].satisfied")}, id="more satisfied than surveyed"),
    pytest.param(put("petitions", {"channel_exists": "是", "received": 5, "replied": 6, "replied_on_time": 6}),
                 {("COUNT_EXCEEDS", "petitions.replied"), ("COUNT_EXCEEDS", "petitions.replied_on_time")},
                 id="more replies than petitions"),
    pytest.param(put("petitions", {"channel_exists": "是", "received": 5, "replied": 3, "replied_on_time": 4}),
                 {("COUNT_EXCEEDS", "petitions.replied_on_time")}, id="more on time than replied"),
    pytest.param(put("surveys", [{"name": "问卷"}]), {("SURVEY_INCOMPLETE", "surveys[0]")}, id="survey without data"),
    # Text where a number belongs.
    pytest.param(put("budget.initial.basic", "一千四百"), {("NOT_NUMBER", "budget.initial.basic")}, id="amount text"),
    pytest.param(put("sangong.actual", "n/a"), {("NOT_NUMBER", "sangong.actual")}, id="amount n/a"),
    # Every amount is in 万元: one typed in 元 is neither taken nor called "not a number".
    pytest.param(put("sangong.actual", "53100元"), {("AMOUNT_IN_YUAN", "sangong.actual")}, id="amount in yuan"),
    pytest.param(put("projects.0.budget", "1,234.50 元"), {("AMOUNT_IN_YUAN", "projects[0].budget")},
                 id="table amount in yuan"),
    pytest.param(put("sangong.actual", "53100（元）"), {("AMOUNT_IN_YUAN", "sangong.actual")}, id="yuan in brackets"),
    pytest.param(put("sangong.actual", "5.31（万人）"), {("NOT_NUMBER", "sangong.actual")}, id="another unit in brackets"),
    pytest.param(put("staff.on_payroll", "23（万）"), {("NOT_INTEGER", "staff.on_payroll")}, id="a count in 万, bracketed"),
    pytest.param(put("sangong.actual", "9E999万元"), {("OUT_OF_RANGE", "sangong.actual")}, id="bound with its unit"),
    # A comma only groups thousands: "1,5" (a decimal comma, or a slip) was read as 15, ten times the amount.
    pytest.param(put("procurement.plan", "5,34"), {("NOT_NUMBER", "procurement.plan")}, id="decimal comma"),
    pytest.param(put("projects.0.spent", "51,8.56"), {("NOT_NUMBER", "projects[0].spent")}, id="comma misplaced"),
    pytest.param(put("surveys.0.rate", "98,6%"), {("NOT_NUMBER", "surveys[0].rate")}, id="rate decimal comma"),
    # A TRUE/FALSE cell where a figure belongs was read as 1 or 0 (TRUE in 调整后预算合计 scored 96.89).
    pytest.param(put("budget.adjusted.total", True), {("NOT_NUMBER", "budget.adjusted.total")}, id="bool amount"),
    pytest.param(put("petitions.reply_rate", False), {("NOT_NUMBER", "petitions.reply_rate")}, id="bool rate"),
    pytest.param(put("staff.authorized", True), {("NOT_INTEGER", "staff.authorized")}, id="bool count"),
    pytest.param(put("staff.on_payroll", "2万人"), {("NOT_INTEGER", "staff.on_payroll")}, id="count in 万"),
    pytest.param(put("staff.authorized", "二十五"), {("NOT_INTEGER", "staff.authorized")}, id="count text"),
    pytest.param(put("staff.on_payroll", "23.5"), {("NOT_INTEGER", "staff.on_payroll")}, id="count fraction"),
    pytest.param(put("key_tasks.1.finished", "也许"), {("NOT_BOOL", "key_tasks[1].finished")}, id="bool text"),
    pytest.param(put("projects.0.planned_finish", "年底"), {("NOT_DATE", "projects[0].planned_finish")},
                 id="date text"),
    # The first ten characters were read: 2024-12-311 passed as 2024-12-31.
    pytest.param(put("projects.0.planned_finish", "2024-12-311"), {("NOT_DATE", "projects[0].planned_finish")},
                 id="date with more digits"),
    pytest.param(put("projects.0.actual_finish", "2024-02-30"), {("NOT_DATE", "projects[0].actual_finish")},
                 id="no such day"),
    # Outside the template's date window (2000-01-01 … 2099-12-31): a slip, such as 2024.6 read as 1905-07-16.
    pytest.param(put("projects.0.planned_finish", "1905-07-16"), {("DATE_RANGE", "projects[0].planned_finish")},
                 id="date before 2000"),
    pytest.param(put("adjustments.0.date", "2100-01-01"), {("DATE_RANGE", "adjustments[0].date")},
                 id="date after 2099"),
    pytest.param(put("evaluator.budget_compliance.count", "零"), {("NOT_INTEGER", "evaluator.budget_compliance.count")},
                 id="evaluator count text"),
    # Binary floats instead of exact text or Decimal.
    pytest.param(put("procurement.plan", 5.34), {("NOT_EXACT", "procurement.plan")}, id="float amount"),
    pytest.param(put("staff.on_payroll", 23.0), {("NOT_EXACT", "staff.on_payroll")}, id="float count"),
    pytest.param(put("surveys.0.rate", 0.986), {("NOT_EXACT", "surveys[0].rate")}, id="float rate"),
    pytest.param(put("quarterly.cumulative.0", 501.81), {("NOT_EXACT", "quarterly.cumulative[0]")},
                 id="float quarter"),
    # Values outside their choices.
    pytest.param(put("projects.0.status", "完成了"), {("CHOICE", "projects[0].status")}, id="project status"),
    pytest.param(put("assets.groups.1.status", "报废中"), {("CHOICE", "assets.groups[1].status")}, id="asset status"),
    pytest.param(put("year", 1900), {("YEAR_RANGE", "year")}, id="year 1900"),
    pytest.param(put("year", "2024年3月"), {("NOT_INTEGER", "year")}, id="year with a month"),
    pytest.param(put("budget.adjusted.total", "1912。37。5"), {("NOT_NUMBER", "budget.adjusted.total")},
                 id="two points"),
]


@pytest.mark.parametrize("edit, expected", CASES)
def test_problem(edit: Edit, expected: set[tuple[str, str]]) -> None:
    assert problems_of(edit) == expected


def test_every_problem_at_once() -> None:
    found = problems_of(
        put("budget.spent.total", "-1"),
        delete("budget.adjusted.total"),
        delete("year"),
        put("surveys.0.rate", "98.7"),
        put("staff.authorized", "二十五"),
        put("procurement.plan", 5.34),
        put("assets.groups.0.count", 300),
        put("petitions.reply_rate", "1.5"),
        put("projects.0.status", "完成了"),
    )
    assert found == {
        ("NEGATIVE", "budget.spent.total"),
        ("REQUIRED", "budget.adjusted.total"),
        ("REQUIRED", "year"),
        ("RATE_TOO_LARGE", "surveys[0].rate"),
        ("NOT_INTEGER", "staff.authorized"),
        ("NOT_EXACT", "procurement.plan"),
        ("IN_USE_EXCEEDS", "assets.groups"),
        ("RATE_ABOVE_100", "petitions.reply_rate"),
        ("CHOICE", "projects[0].status"),
    }


def test_the_error_text_names_every_problem_on_its_own_line() -> None:
    data = reference_data()
    put("budget.spent.total", "-1")(data)
    put("surveys.0.rate", "98.7")(data)
    with pytest.raises(InputError) as caught:
        inputs_from_dict(data)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("budget.spent.total: ") and lines[1].startswith("surveys[0].rate: ")


@pytest.mark.parametrize("edit, read, expected", [
    (put("adjustments.0.amount", "-23.75"), lambda i: i.adjustments[0].amount, Decimal("-23.75")),  # signed
    (put("surveys.0.rate", "1"), lambda i: i.surveys[0].rate, Decimal("1")),  # exactly 100 %
    (put("surveys.0.rate", "100%"), lambda i: i.surveys[0].rate, Decimal("1")),
    (put("petitions.reply_rate", "100%"), lambda i: i.petitions.reply_rate, Decimal("1")),
    (put("quarterly", {"progress": ["0.2624", "0.5131", "0.7651", "1.05"]}),  # over-spent by year end: possible
     lambda i: (i.quarterly.cumulative, i.quarterly.progress[3]), (None, Decimal("1.05"))),
    (put("staff.on_payroll", "23"), lambda i: i.staff.on_payroll, 23),  # an integer as text
    (put("key_tasks.0.finished", True), lambda i: i.key_tasks[0].finished, True),
    # An amount typed with its own unit, 万元 (or 万, of 元): the unit every amount is in, so the number is meant.
    (put("sangong.actual", "5.31万元"), lambda i: i.sangong.actual, Decimal("5.31")),
    (put("projects.0.budget", " 533.46 万"), lambda i: i.projects[0].budget, Decimal("533.46")),
    (put("budget.adjusted.total", "1,912.37"), lambda i: i.budget.adjusted.total, Decimal("1912.37")),  # grouped
    # The unit in brackets, as a form's column heads write it (refused before as not a number).
    (put("sangong.actual", "5.31（万元）"), lambda i: i.sangong.actual, Decimal("5.31")),
    (put("projects.0.budget", "533.46 (万元)"), lambda i: i.projects[0].budget, Decimal("533.46")),
    (put("staff.on_payroll", "23（人）"), lambda i: i.staff.on_payroll, 23),
    (put("budget.adjusted.total", "１，９１２．３７"), lambda i: i.budget.adjusted.total, Decimal("1912.37")),
    # A reduction copied from a PDF or Word table carries the minus sign U+2212, not the hyphen (refused before).
    (put("adjustments.0.amount", "−23.75"), lambda i: i.adjustments[0].amount, Decimal("-23.75")),
    # The point as a Chinese input method in Chinese punctuation types it (refused before).
    (put("budget.adjusted.total", "1912。37"), lambda i: i.budget.adjusted.total, Decimal("1912.37")),
    (put("sangong.actual", "3.10。"), lambda i: i.sangong.actual, Decimal("3.10")),
    (put("surveys.0.rate", "98。6%"), lambda i: i.surveys[0].rate, Decimal("0.986")),
    # Dates typed as text the ways people write them (refused before, but for the ISO form).
    (put("projects.0.planned_finish", "2024年12月31日"), lambda i: i.projects[0].planned_finish, dt.date(2024, 12, 31)),
    (put("projects.0.planned_finish", "2024/1/5"), lambda i: i.projects[0].planned_finish, dt.date(2024, 1, 5)),
    (put("projects.0.planned_finish", "2024.1.5 9:30"), lambda i: i.projects[0].planned_finish, dt.date(2024, 1, 5)),
    # A count typed with what it counts (refused before as not an integer).
    (put("staff.on_payroll", "23人"), lambda i: i.staff.on_payroll, 23),
    (put("petitions.received", " 12 件"), lambda i: i.petitions.received, 12),
    (put("year", "2024年度"), lambda i: i.year, 2024),  # 评价年度 as people write it (refused before)
    (put("year", "2024 年"), lambda i: i.year, 2024),
    (put("petitions.channel_exists", "有"), lambda i: i.petitions.channel_exists, True),  # 已建立…渠道: 有 / 无
    (put("key_tasks.0.finished", "✔"), lambda i: i.key_tasks[0].finished, True),  # Word's and WPS's symbols
    (put("key_tasks.0.finished", "✘"), lambda i: i.key_tasks[0].finished, False),
    (put("petitions.channel_exists", "无"), lambda i: i.petitions.channel_exists, False),
    # The answers people write (refused before): 是的, and 已建立 / 未建立 to "已建立…渠道".
    (put("key_tasks.0.finished", "是的"), lambda i: i.key_tasks[0].finished, True),
    (put("key_tasks.0.finished", "不是"), lambda i: i.key_tasks[0].finished, False),
    (put("petitions.channel_exists", "已建立"), lambda i: i.petitions.channel_exists, True),
    (put("petitions.channel_exists", "未建立"), lambda i: i.petitions.channel_exists, False),
])
def test_valid_edge_values_are_accepted(edit: Edit, read: Callable, expected: object) -> None:
    data = reference_data()
    edit(data)
    value = read(inputs_from_dict(data))
    assert value == expected and type(value) is type(expected)


# --------------------------------------------------------------------------- typed inputs, no dict


def test_typed_inputs_are_validated_by_evaluate() -> None:
    ref = reference_inputs()
    broken = replace(
        ref,
        budget=Budget(initial=ref.budget.initial, adjusted=BudgetStage(Decimal("-1"), Decimal("0"), Decimal("0")),
                      spent=replace(ref.budget.spent, total=1887.42)),  # type: ignore[arg-type]
        staff=Staff(authorized=25, on_payroll=-1),
        surveys=(Survey("问卷", rate=Decimal("98.6")), Survey("活动", rate=Decimal("1.01"))),
        year=1800,
    )
    with pytest.raises(InputError) as caught:
        evaluate(broken, "shenzhen-2024")
    assert {(p.code, p.field) for p in caught.value.problems} == {
        ("NEGATIVE", "budget.adjusted.total"),
        ("NOT_EXACT", "budget.spent.total"),
        ("NEGATIVE", "staff.on_payroll"),
        ("RATE_TOO_LARGE", "surveys[0].rate"),
        ("RATE_ABOVE_100", "surveys[1].rate"),
        ("YEAR_RANGE", "year"),
    }


def test_every_problem_has_a_message_and_the_value_found() -> None:
    data = reference_data()
    put("surveys.0.rate", "98.7")(data)
    put("staff.authorized", "二十五")(data)
    with pytest.raises(InputError) as caught:
        inputs_from_dict(data)
    by_field = {p.field: p for p in caught.value.problems}
    assert by_field["surveys[0].rate"].value == "98.7"
    assert by_field["staff.authorized"].value == "二十五"
    assert all(p.message and "{" not in p.message for p in caught.value.problems)


def only_problem(*edits: Edit):
    """The one problem the edits make, with its message."""
    data = reference_data()
    for edit in edits:
        edit(data)
    with pytest.raises(InputError) as caught:
        inputs_from_dict(data)
    [problem] = caught.value.problems
    return problem


@pytest.mark.parametrize("value, conversion", [
    ("53100元", "元数 ÷ 10000"),
    ("53100（元）", "元数 ÷ 10000"),
    ("1912370千元", "千元数 ÷ 10"),
    ("1912370 （千元）", "千元数 ÷ 10"),
    ("19.1237百万元", "百万元数 × 100"),
    ("0.191237亿元", "亿元数 × 10000"),
    ("0.191237(亿元)", "亿元数 × 10000"),
])
def test_an_amount_in_another_unit_of_yuan_is_told_how_to_make_wan(value: str, conversion: str) -> None:
    # 千元 and 亿元 were told 元数 ÷ 10000 as 元 is: a tenth, or a hundred-millionth, of the right figure.
    problem = only_problem(put("budget.adjusted.total", value))
    assert (problem.code, problem.field) == ("AMOUNT_IN_YUAN", "budget.adjusted.total")
    assert f"请换算为万元（{conversion}）后只填数字" in problem.message and value in problem.message


def test_text_before_yuan_that_is_no_figure_is_not_a_number() -> None:
    # "约五万元" is no figure in another unit: there is nothing to convert.
    assert only_problem(put("budget.adjusted.total", "约五万元")).code == "NOT_NUMBER"


@pytest.mark.parametrize("path, value, code", [
    ("sangong.outbound_budget", "—", "NOT_NUMBER"),
    ("sangong.reception_actual", "——", "NOT_NUMBER"),
    ("budget.spent.personnel", "-", "NOT_NUMBER"),
    ("budget.initial.public", "－", "NOT_NUMBER"),
    ("staff.dispatched", "/", "NOT_INTEGER"),
    ("petitions.received", "无", "NOT_INTEGER"),
    ("petitions.reply_rate", "不适用", "NOT_NUMBER"),
    ("surveys.0.respondents", "N/A", "NOT_INTEGER"),
    ("petitions.on_time_rate", "／", "NOT_NUMBER"),
])
def test_a_placeholder_for_none_in_an_optional_figure_says_to_leave_it_blank_or_type_0(path, value, code):
    # Still refused (a blank is no figure, 0 is a figure of zero, and they score apart), but it said only
    # 应为数字，实际为“—”, as for any text.
    problem = only_problem(put(path, value))
    assert problem.code == code
    assert problem.message.endswith(f"实际为“{value}”；没有该项数据请留空，数值为零请填 0")


def test_a_placeholder_in_a_required_figure_or_an_optional_date_gets_its_own_advice():
    assert only_problem(put("staff.on_payroll", "无")).message.endswith("实际为“无”；此项必填，数值为零请填 0")
    assert only_problem(put("sangong.actual", "n/a")).message.endswith("实际为“n/a”；此项必填，数值为零请填 0")
    assert only_problem(put("projects.0.actual_finish", "—")).message.endswith("实际为“—”；没有该日期请留空")
    assert only_problem(put("sangong.outbound_budget", "待定")).message.endswith("实际为“待定”")  # no placeholder


@pytest.mark.parametrize(
    "key, entry, code",
    [
        ("budget_disclosure", {"choice": "部分公开"}, "EVALUATOR_CHOICE"),  # not one of the three tiers
        ("procurement_policy", {"points": "5"}, "EVALUATOR_POINTS_RANGE"),  # the part is worth 1 point
        ("effectiveness", {"points": "26", "reason": "x"}, "EVALUATOR_POINTS_RANGE"),  # max 25
        ("asset_safety", {"ticks": ["是", "是", "是"]}, "EVALUATOR_TICKS"),  # two criteria only
        ("override:no_such_item", {"points": "1", "reason": "x"}, "EVALUATOR_UNKNOWN_ITEM"),
        ("override:staff_control", {"points": "3", "reason": "x"}, "EVALUATOR_POINTS_RANGE"),  # max 1
    ],
)
def test_evaluator_entries_are_checked_against_the_system(key, entry, code):
    from xlperf.engine.evaluate import evaluate
    from xlperf.examples import reference_data
    from xlperf.engine.fields import inputs_from_dict

    data = reference_data()
    data["evaluator"][key] = entry
    with pytest.raises(InputError) as exc:
        evaluate(inputs_from_dict(data))
    # The path of the value itself (….choice, ….points, ….ticks), which a workbook's reader locates.
    assert [(p.code, p.field) for p in exc.value.problems] == [(code, f"evaluator.{key}.{next(iter(entry))}")]


def test_text_in_number_fields_of_inputs_built_directly():
    # Built with dataclasses, not from a dict: text where an amount or a count belongs is a problem, not a crash.
    from dataclasses import replace

    from xlperf.engine.evaluate import evaluate
    from xlperf.examples import reference_inputs

    ref = reference_inputs()
    broken = replace(ref, budget=replace(ref.budget, adjusted=replace(ref.budget.adjusted, total="1912.37")),
                     staff=replace(ref.staff, authorized="25"))
    with pytest.raises(InputError) as exc:
        evaluate(broken)
    assert {(p.code, p.field) for p in exc.value.problems} == {
        ("NOT_NUMBER", "budget.adjusted.total"), ("NOT_NUMBER", "staff.authorized")}


def test_one_rate_limit_for_engine_reader_and_template() -> None:
    # 1.5 (150 %) is the one bound: above it a rate was typed as 98.7 for 98.7 %, wherever it comes from.
    from xlperf.engine.inputs import MAX_SENSIBLE_RATE
    from xlperf.workbook import styles

    assert MAX_SENSIBLE_RATE == Decimal("1.5") and styles.RATE_MAX == "1.5"
    assert problems_of(put("quarterly", {"progress": ["0.2624", "0.5131", "0.7651", "1.6"]})) == {
        ("RATE_TOO_LARGE", "quarterly.progress[3]")}


def test_a_hostile_long_number_text_is_refused_and_not_remembered():
    from xlperf.engine import fields

    fields._text_number.cache_clear()
    assert fields._text_number("9" * 5000, "amount")[0] == fields._BOUND
    b = fields._Builder({"x": "9" * 5000})
    assert b.get("x", "amount") is None and b.problems[0].code == "OUT_OF_RANGE"
    assert fields._text_number.cache_info().currsize == 0
