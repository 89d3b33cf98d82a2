"""Every band edge of the Shenzhen 2024 system, on both sides, through the whole engine.

Each case starts from the reference unit (shared/spec/reference-case-2024.md), changes
the inputs one rule reads, and checks the points of that one item. Expected points come
from the 评分标准 in shared/spec/evaluation-rules.md; composite items add the parts the
case leaves as in the reference unit (noted per table).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlperf.engine.kinds import interval, number

from reference import Edit, scored
from reference import found as codes


# --------------------------------------------------------------------------- edits


def assets(in_use: str, total: str) -> Edit:
    def edit(d: dict) -> None:
        pending = str(Decimal(total) - Decimal(in_use))
        d["assets"] = {"total_count": 2, "total_value": total, "groups": [
            {"name": "在用资产", "status": "在用", "count": 1, "value": in_use},
            {"name": "待处置资产", "status": "待处置", "count": 1, "value": pending}]}
    return edit


def staff(authorized: int, on_payroll: int, dispatched: int = 0, direct_hire: int = 0) -> Edit:
    def edit(d: dict) -> None:
        d["staff"] = {"authorized": authorized, "on_payroll": on_payroll, "dispatched": dispatched,
                      "direct_hire": direct_hire}
    return edit


def sangong(actual: str, budget: str) -> Edit:
    return lambda d: d.update(sangong={"budget": budget, "actual": actual})


def daily_public(actual: str, budget: str) -> Edit:
    return lambda d: d.update(daily_public={"adjusted_budget": budget, "actual": actual})


def survey_rates(*rates: str) -> Edit:
    return lambda d: d.update(surveys=[{"name": f"调查 {k}", "rate": r} for k, r in enumerate(rates, 1)])


def survey_counts(satisfied: int, respondents: int) -> Edit:
    return lambda d: d.update(surveys=[{"name": "问卷", "respondents": respondents, "satisfied": satisfied}])


def procurement(contracted: str, plan: str) -> Edit:
    return lambda d: d.update(procurement={"plan": plan, "contracted": contracted, "paid": contracted})


def adjustments(*amounts: str) -> Edit:
    # A round 1,000.00 initial budget makes each adjustment's share obvious.
    def edit(d: dict) -> None:
        d["budget"]["initial"] = {"total": "1000.00", "basic": "700.00", "project": "300.00"}
        d["adjustments"] = [{"description": f"调整 {k}", "amount": a} for k, a in enumerate(amounts, 1)]
    return edit


def quarters(*cumulative: str) -> Edit:
    # Adjusted budget 1,000.00: cumulative 250.00 is the 25 % timeline of Q1, and so on.
    def edit(d: dict) -> None:
        d["budget"]["adjusted"] = {"total": "1000.00", "basic": "700.00", "project": "300.00"}
        d["quarterly"] = {"cumulative": list(cumulative)}
    return edit


def progress(*rates: str) -> Edit:
    return lambda d: d.update(quarterly={"progress": list(rates)})


def key_tasks(*finished: str) -> Edit:
    return lambda d: d.update(key_tasks=[{"name": f"任务 {k}", "source": "市委", "finished": f}
                                         for k, f in enumerate(finished, 1)])


def projects(*statuses: str) -> Edit:
    return lambda d: d.update(projects=[{"name": f"项目 {k}", "budget": "10", "spent": "10", "status": s}
                                        for k, s in enumerate(statuses, 1)])


def petitions(channel: str, received: int, replied: int, on_time: int) -> Edit:
    return lambda d: d.update(petitions={"channel_exists": channel, "received": received, "replied": replied,
                                         "replied_on_time": on_time})


def evaluator(key: str, **entry: object) -> Edit:
    return lambda d: d["evaluator"].update({key: entry})


# --------------------------------------------------------------------------- the edges

EDGES = [
    # 固定资产利用率 (1): ≥ 90 % → 1; ≥ 75 % → 0.7; ≥ 60 % → 0.4; else 0.
    pytest.param(assets("8.10", "9.00"), "asset_utilization", "1", id="assets 8.10/9.00 = 90% exactly"),
    pytest.param(assets("8.09", "9.00"), "asset_utilization", "0.7", id="assets 89.89%"),
    pytest.param(assets("100", "100"), "asset_utilization", "1", id="assets 100%"),
    pytest.param(assets("1.17", "1.56"), "asset_utilization", "0.7", id="assets 1.17/1.56 = 75% exactly"),
    pytest.param(assets("1.16", "1.56"), "asset_utilization", "0.4", id="assets 74.36%"),
    pytest.param(assets("60.00", "100.00"), "asset_utilization", "0.4", id="assets 60% exactly"),
    pytest.param(assets("59.99", "100.00"), "asset_utilization", "0", id="assets 59.99%"),
    pytest.param(assets("0", "100.00"), "asset_utilization", "0", id="assets 0%"),
    # 财政供养人员控制率 (1): ≤ 100 % → 1, else 0.
    pytest.param(staff(25, 25), "staff_control", "1", id="payroll 25/25 = 100%"),
    pytest.param(staff(25, 26), "staff_control", "0", id="payroll 26/25 = 104%"),
    pytest.param(staff(1000, 1001), "staff_control", "0", id="payroll 100.1%"),
    pytest.param(staff(25, 0), "staff_control", "1", id="payroll 0%"),
    # No establishment but people on the payroll: n ÷ 0 is above every bound.
    pytest.param(staff(0, 3), "staff_control", "0", id="payroll 3/0"),
    # 编外人员控制率 (1): 编外 ÷ (在编 + 编外); < 5 % → 1; 5 %–10 % inclusive → 0.5; > 10 % → 0.
    pytest.param(staff(25, 20, 1), "outside_staff_control", "1", id="outside 1/21 = 4.76%"),
    pytest.param(staff(25, 19, 1), "outside_staff_control", "0.5", id="outside 1/20 = 5% exactly"),
    pytest.param(staff(25, 19, 0, 1), "outside_staff_control", "0.5", id="outside direct hire 1/20 = 5%"),
    pytest.param(staff(25, 18, 1, 1), "outside_staff_control", "0.5", id="outside 2/20 = 10% exactly"),
    pytest.param(staff(100, 89, 10), "outside_staff_control", "0", id="outside 10/99 = 10.10%"),
    pytest.param(staff(25, 25), "outside_staff_control", "1", id="outside none"),
    pytest.param(staff(0, 0), "outside_staff_control", "1", id="outside no staff at all: if_undefined full"),
    # 公用经费控制率 (6) = 三公 part + 日常公用 part; < 90 % → 3, 90 %–100 % → 2, > 100 % → 0.
    # The reference's 日常公用 is 61.23 / 67.32 = 90.95 % → 2; its 三公 is 58.38 % → 3.
    pytest.param(sangong("8.10", "9.00"), "public_expense_control", "4", id="sangong 8.10/9.00 = 90%: 2 + 2"),
    pytest.param(sangong("8.09", "9.00"), "public_expense_control", "5", id="sangong 89.89%: 3 + 2"),
    pytest.param(sangong("9.00", "9.00"), "public_expense_control", "4", id="sangong 100% exactly: 2 + 2"),
    pytest.param(sangong("9.01", "9.00"), "public_expense_control", "2", id="sangong 100.11%: 0 + 2"),
    pytest.param(sangong("0", "0"), "public_expense_control", "5", id="sangong none budgeted none spent: 3 + 2"),
    pytest.param(sangong("3.00", "0"), "public_expense_control", "2", id="sangong spent without budget: 0 + 2"),
    pytest.param(daily_public("8.10", "9.00"), "public_expense_control", "5", id="daily 90% exactly: 3 + 2"),
    pytest.param(daily_public("8.09", "9.00"), "public_expense_control", "6", id="daily 89.89%: 3 + 3"),
    pytest.param(daily_public("9.00", "9.00"), "public_expense_control", "5", id="daily 100% exactly: 3 + 2"),
    pytest.param(daily_public("9.01", "9.00"), "public_expense_control", "3", id="daily 100.11%: 3 + 0"),
    # 满意度 (6): ≥ 95 % → 6; 90 %–95 % → 4; 80 %–90 % → 2; < 80 % → 1.
    pytest.param(survey_rates("1"), "satisfaction", "6", id="satisfaction 100%"),
    pytest.param(survey_rates("0.95"), "satisfaction", "6", id="satisfaction 95%"),
    pytest.param(survey_rates("95%"), "satisfaction", "6", id="satisfaction '95%' as text"),
    pytest.param(survey_rates("0.9499"), "satisfaction", "4", id="satisfaction 94.99%"),
    pytest.param(survey_rates("0.90"), "satisfaction", "4", id="satisfaction 90%"),
    pytest.param(survey_rates("0.8999"), "satisfaction", "2", id="satisfaction 89.99%"),
    pytest.param(survey_rates("0.80"), "satisfaction", "2", id="satisfaction 80%"),
    pytest.param(survey_rates("0.7999"), "satisfaction", "1", id="satisfaction 79.99%"),
    pytest.param(survey_rates("0"), "satisfaction", "1", id="satisfaction 0%"),
    # (0.97 + 0.95 + 0.93) / 3 is exactly 0.95 (binary floats give 0.9500000000000001).
    pytest.param(survey_rates("0.97", "0.95", "0.93"), "satisfaction", "6", id="satisfaction mean of 3 = 95%"),
    pytest.param(survey_rates("0.96", "0.93"), "satisfaction", "4", id="satisfaction mean 94.5%"),
    pytest.param(survey_counts(19, 20), "satisfaction", "6", id="satisfaction 19/20 = 95%"),
    pytest.param(survey_counts(18, 20), "satisfaction", "4", id="satisfaction 18/20 = 90%"),
    pytest.param(survey_counts(179, 200), "satisfaction", "2", id="satisfaction 179/200 = 89.5%"),
    # 政府采购执行情况 (2) = 执行率 × 1 (0 if actual > plan) + policy judgment 1 (reference: 1).
    pytest.param(procurement("5.34", "5.34"), "procurement", "2", id="procurement 100%: 1 + 1"),
    pytest.param(procurement("5.35", "5.34"), "procurement", "1", id="procurement above plan: 0 + 1"),
    pytest.param(procurement("2.67", "5.34"), "procurement", "1.5", id="procurement 50%: 0.5 + 1"),
    pytest.param(procurement("4.73", "5.34"), "procurement", "1.89", id="procurement reference 88.58%"),
    pytest.param(procurement("0", "0"), "procurement", "2", id="procurement none planned none made: full"),
    pytest.param(procurement("1.00", "0"), "procurement", "1", id="procurement without plan: above plan, 0 + 1"),
    # 财务规范性 (3) = 1 (judgment) + 调整调剂 + 1 (judgment); 调整调剂: ≤ 10 % → 1, −0.1 per point above.
    pytest.param(adjustments("-100.00"), "financial_compliance", "3", id="adjustments 10% exactly: 1"),
    pytest.param(adjustments("60.00", "-40.00"), "financial_compliance", "3", id="adjustments |60|+|-40| = 10%"),
    pytest.param(adjustments("105.00"), "financial_compliance", "2.95", id="adjustments 10.5%: 0.95"),
    pytest.param(adjustments("120.00"), "financial_compliance", "2.8", id="adjustments 12%: 0.8"),
    pytest.param(adjustments("200.00"), "financial_compliance", "2", id="adjustments 20%: 0"),
    pytest.param(adjustments("250.00"), "financial_compliance", "2", id="adjustments 25%: floor 0"),
    pytest.param(adjustments(), "financial_compliance", "3", id="adjustments none"),
    pytest.param(evaluator("financial_violation", flag="是"), "financial_compliance", "0", id="financial veto: 0"),
    # 预算执行率 (6): Σ min(r_q, 1) + min(mean of uncapped r_q, 1) × 2 (adjusted budget 1,000).
    # r = 0.8, 1, 0.8, 0.9; mean 0.875 → 3.5 + 1.75 = 5.25.
    pytest.param(quarters("200", "500", "600", "900"), "budget_execution", "5.25", id="quarters 5.25"),
    # r = 1.2, 0.8, 0.8, 0.95 → capped 3.55; mean (uncapped) 0.9375 × 2 = 1.875 → 5.425, half up 5.43.
    pytest.param(quarters("300", "400", "600", "950"), "budget_execution", "5.43", id="quarters uncapped mean"),
    pytest.param(quarters("250", "500", "750", "1000"), "budget_execution", "6", id="quarters on the timeline"),
    # r = 1.2, 1, 1, 1 → 4; mean 1.05 capped 1 → 2.
    pytest.param(quarters("300", "500", "750", "1000"), "budget_execution", "6", id="quarters ahead"),
    pytest.param(quarters("0", "0", "0", "0"), "budget_execution", "0", id="quarters nothing spent"),
    pytest.param(progress("26.24%", "51.31%", "76.51%", "98.70%"), "budget_execution", "5.99",
                 id="quarters as the report's percentages"),
    # 重点工作完成情况 (8): 8 − 4 per unfinished task, floor 0.
    pytest.param(key_tasks("是", "是", "是"), "key_tasks", "8", id="key tasks all finished"),
    pytest.param(key_tasks("是", "否", "是"), "key_tasks", "4", id="key tasks 1 unfinished"),
    pytest.param(key_tasks("否", "否", "是"), "key_tasks", "0", id="key tasks 2 unfinished"),
    pytest.param(key_tasks("否", "否", "否"), "key_tasks", "0", id="key tasks 3 unfinished: floor"),
    pytest.param(key_tasks(), "key_tasks", "8", id="key tasks none"),
    # 项目完成及时性 (6): all on schedule → 6, else on time ÷ planned × 6.
    pytest.param(projects(*["按期完成"] * 7, "逾期完成"), "project_timeliness", "5.25", id="projects 7 of 8"),
    pytest.param(projects(*["按期完成"] * 7, "未完成"), "project_timeliness", "5.25", id="projects 7 of 8 unfinished"),
    pytest.param(projects("按期完成", "逾期完成", "未完成"), "project_timeliness", "2", id="projects 1 of 3"),
    pytest.param(projects(*["按期完成"] * 8), "project_timeliness", "6", id="projects all on time"),
    pytest.param(projects(), "project_timeliness", "6", id="projects none: if_undefined full"),
    # 群众信访办理情况 (3): channel 1 + reply rate 100 % 1 + on-time rate 100 % 1.
    pytest.param(petitions("是", 10, 10, 10), "petitions", "3", id="petitions all"),
    pytest.param(petitions("是", 10, 10, 9), "petitions", "2", id="petitions one late"),
    pytest.param(petitions("是", 10, 9, 9), "petitions", "1", id="petitions one unanswered"),
    pytest.param(petitions("否", 10, 10, 10), "petitions", "2", id="petitions no channel"),
    pytest.param(petitions("否", 10, 0, 0), "petitions", "0", id="petitions nothing"),
    pytest.param(petitions("是", 0, 0, 0), "petitions", "3", id="petitions none received: 100%"),
    # 预决算信息公开 (3): 1.5 / 1 / 0 each; 涉密 → full.
    pytest.param(evaluator("budget_disclosure", choice="公开但不符合要求"), "disclosure", "2.5", id="disclosure 1 + 1.5"),
    pytest.param(evaluator("final_accounts_disclosure", choice="未公开"), "disclosure", "1.5", id="disclosure 1.5 + 0"),
    pytest.param(evaluator("budget_disclosure", choice="未公开"), "disclosure", "1.5", id="disclosure 0 + 1.5"),
]


@pytest.mark.parametrize("edit, item, points", EDGES)
def test_band_edge(edit: Edit, item: str, points: str) -> None:
    assert scored(edit).item(item).points == Decimal(points)


@pytest.mark.parametrize("budget, final, classified, points", [
    ("按规定公开", "按规定公开", "否", "3"),
    ("公开但不符合要求", "公开但不符合要求", "否", "2"),
    ("未公开", "未公开", "否", "0"),
    ("未公开", "未公开", "是", "3"),  # 涉密: full points whatever was published
    ("公开但不符合要求", "未公开", "是", "3"),
])
def test_disclosure_choices_and_classified_flag(budget: str, final: str, classified: str, points: str) -> None:
    result = scored(evaluator("budget_disclosure", choice=budget), evaluator("final_accounts_disclosure", choice=final),
                    evaluator("classified_unit", flag=classified))
    assert result.item("disclosure").points == Decimal(points)


def test_binary_float_would_land_below_the_edge() -> None:
    # The premise of the "exactly 90 % / 75 %" cases: floats get them wrong.
    assert 8.10 / 9.00 < 0.9
    assert 1.17 / 1.56 < 0.75
    result = scored(assets("8.10", "9.00"), sangong("8.10", "9.00"))
    assert result.indicators["asset_utilization_rate"].value == Decimal("0.9")
    assert result.indicators["sangong_control_rate"].value == Decimal("0.9")
    assert scored(assets("1.17", "1.56")).indicators["asset_utilization_rate"].value == Decimal("0.75")


def test_adjustment_just_over_ten_percent_is_linear() -> None:
    # 100.01 / 1000 = 10.001 %: 0.001 points over → 1 − 0.001 × 0.1 × 100 = 0.9999 for the part.
    item = scored(adjustments("100.01")).item("financial_compliance")
    assert item.exact == Decimal("2.9999")
    assert item.points == Decimal("3.00")


def test_quarterly_exact_before_rounding() -> None:
    assert scored(quarters("300", "400", "600", "950")).item("budget_execution").exact == Decimal("5.425")


def test_zero_denominator_is_reported_with_the_handling() -> None:
    result = scored(procurement("0", "0"))
    assert ("ZERO_DENOMINATOR", "procurement.plan") in codes(result)
    assert result.item("procurement").points == Decimal("2")


# --------------------------------------------------------------------------- kinds.interval

INTERVALS = [
    # (interval, x, contains)
    ("[90%, inf)", "0.9", True),
    ("[90%, inf)", "0.8999999", False),
    ("[90%, inf)", "1000", True),
    ("[75%, 90%)", "0.75", True),
    ("[75%, 90%)", "0.9", False),
    ("[75%, 90%)", "0.8999999", True),
    ("[0, 100%]", "1", True),
    ("[0, 100%]", "1.0000001", False),
    ("[0, 100%]", "0", True),
    ("(100%, inf)", "1", False),
    ("(100%, inf)", "1.0000001", True),
    ("[0, 5%)", "0.05", False),
    ("[0, 5%)", "0.0499999", True),
    ("[5%, 10%]", "0.05", True),
    ("[5%, 10%]", "0.1", True),
    ("[5%, 10%]", "0.1000001", False),
    ("(10%, inf)", "0.1", False),
    ("[0, 0]", "0", True),
    ("[0, 0]", "0.0000001", False),
    ("(0, 10%]", "0", False),
    ("(0, 10%]", "0.0000001", True),
    ("( 20% , 30% ]", "0.3", True),
    ("(-inf, 0)", "-5", True),
    ("(-inf, 0)", "0", False),
    ("[0.9, 1]", "0.9", True),  # plain fractions as well as percentages
]


@pytest.mark.parametrize("text, x, inside", INTERVALS)
def test_interval_contains(text: str, x: str, inside: bool) -> None:
    assert interval(text).contains(Decimal(x)) is inside


@pytest.mark.parametrize("text, low, high, low_closed, high_closed", [
    ("[90%, inf)", "0.9", "Infinity", True, False),
    ("[0, inf]", "0", "Infinity", True, False),  # an infinite end is never closed
    ("(-inf, 0]", "-Infinity", "0", False, True),
    ("(5%, 10%]", "0.05", "0.1", False, True),
])
def test_interval_parts(text: str, low: str, high: str, low_closed: bool, high_closed: bool) -> None:
    iv = interval(text)
    assert (iv.low, iv.high, iv.low_closed, iv.high_closed) == (Decimal(low), Decimal(high), low_closed, high_closed)


@pytest.mark.parametrize("text", ["0..1", "[1, 0]", "[90%, 80%)", "90%", "[a, 1]", "{0, 1}"])
def test_interval_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        interval(text)


@pytest.mark.parametrize("text, value", [("90%", "0.9"), ("90％", "0.9"), ("0.5", "0.5"), ("inf", "Infinity"),
                                         ("100%", "1"), ("12.5%", "0.125")])
def test_number(text: str, value: str) -> None:
    assert number(text) == Decimal(value)
