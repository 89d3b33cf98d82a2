"""Findings: rounding-aware consistency checks, overspending, zero denominators, and the
evaluator's points (shared/spec/evaluation-rules.md, "Numbers, units and rounding").
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlperf.engine.evaluate import Result
from xlperf.engine.findings import stated_consistent, sum_tolerance

from reference import Edit, found, scored


def set_(section: str, **values: object) -> Edit:
    def edit(d: dict) -> None:
        node = d
        for part in section.split("."):
            node = node[part]
        node.update(values)
    return edit


def stated(**values: str) -> Edit:
    return set_("stated", **values)


# The reference unit raises only these (its 效果性 24 of 25 comes with a reason).
REFERENCE = scored()


def test_reference_unit_has_no_consistency_findings() -> None:
    codes = {code for code, _ in found(REFERENCE)}
    assert not codes & {"SUM_MISMATCH", "STATED_MISMATCH", "OVERSPENT", "QUARTER_DECREASE", "COUNT_MISMATCH",
                        "ZERO_DENOMINATOR", "POINTS_WITHOUT_REASON", "POINTS_DIFFER_FROM_DATA"}


# --------------------------------------------------------------------------- sums of rounded parts

@pytest.mark.parametrize("basic, finding", [
    # 人员经费 1,330.19 + 公用经费 71.48 = 1,401.67; two rounded parts and a rounded total may differ by
    # up to 3 × 0.005 = 0.015.
    ("1401.66", False),  # the seed's own figures: 0.01 off, within rounding
    ("1401.67", False),
    ("1401.68", False),
    ("1401.65", True),  # 0.02 off: beyond the envelope
    ("1401.69", True),
])
def test_sum_of_two_rounded_parts(basic: str, finding: bool) -> None:
    # Keep 基本 + 项目 = 合计 exact, so only the 人员 + 公用 check can speak.
    total = str(Decimal(basic) + Decimal("534.46"))
    result = scored(set_("budget.initial", basic=basic, total=total))
    assert (("SUM_MISMATCH", "budget.initial.basic") in found(result)) is finding


def test_sum_tolerance_grows_with_the_parts() -> None:
    assert sum_tolerance(2) == Decimal("0.015")
    assert sum_tolerance(4) == Decimal("0.025")


@pytest.mark.parametrize("stated_total, finding", [
    # Four categories summing to 5.31: four rounded parts → tolerance 0.025.
    ("5.31", False), ("5.33", False), ("5.29", False), ("5.34", True), ("5.28", True),
])
def test_sangong_categories_sum(stated_total: str, finding: bool) -> None:
    result = scored(set_("sangong", budget=stated_total, outbound_budget="0.00", reception_budget="1.20",
                         vehicle_purchase_budget="0.00", vehicle_operation_budget="4.11"))
    assert (("SUM_MISMATCH", "sangong.budget") in found(result)) is finding


def test_fourth_quarter_must_match_the_year() -> None:
    result = scored(set_("quarterly", cumulative=["501.81", "981.24", "1463.15", "1887.40"]))
    assert ("SUM_MISMATCH", "quarterly.cumulative[3]") in found(result)
    assert ("SUM_MISMATCH", "quarterly.cumulative[3]") not in found(REFERENCE)


# --------------------------------------------------------------------------- stated rates

@pytest.mark.parametrize("rate, finding", [
    # 4.73 ÷ 5.34 = 88.58 %; unrounded amounts in [4.725, 4.735] ÷ [5.335, 5.345] give
    # 4.725 / 5.345 = 88.4004 % … 4.735 / 5.335 = 88.7535 %; a stated 88.71 % means [88.705, 88.715] %.
    ("0.8871", False),  # the seed's figure
    ("0.8858", False),
    ("0.8875", False),  # 88.745 % ≤ 88.7535 %
    ("0.8876", True),  # 88.755 % > 88.7535 %
    ("0.8880", True),
    ("0.8840", False),  # 88.405 % ≥ 88.4004 %
    ("0.8839", True),  # 88.395 % < 88.4004 %
])
def test_stated_procurement_rate(rate: str, finding: bool) -> None:
    result = scored(stated(procurement_execution_rate=rate))
    assert (("STATED_MISMATCH", "stated.procurement_execution_rate") in found(result)) is finding


def test_stated_rate_envelope_directly() -> None:
    envelope = (Decimal("4.725") / Decimal("5.345"), Decimal("4.735") / Decimal("5.335"))
    assert stated_consistent(Decimal("0.8871"), envelope)
    assert not stated_consistent(Decimal("0.8880"), envelope)


def test_stated_rate_of_exact_counts_has_no_envelope() -> None:
    # 在编 23 ÷ 编制 25 = 92 % exactly: counts are not rounded, so only ±0.005 % of printing is allowed.
    assert ("STATED_MISMATCH", "stated.staff_control_rate") not in found(scored(stated(staff_control_rate="0.92")))
    assert ("STATED_MISMATCH", "stated.staff_control_rate") in found(scored(stated(staff_control_rate="0.9202")))


# --------------------------------------------------------------------------- spending and quarters

@pytest.mark.parametrize("edit, field", [
    (set_("budget.spent", total="1912.38", basic="1378.92"), "budget.spent.total"),
    (set_("budget.spent", total="1912.38", basic="1378.92"), "budget.spent.basic"),
    (set_("sangong", actual="5.32"), "sangong.actual"),
    (set_("daily_public", actual="67.33"), "daily_public.actual"),
    (set_("procurement", contracted="5.35", paid="5.35"), "procurement.contracted"),
])
def test_spending_above_budget(edit: Edit, field: str) -> None:
    assert ("OVERSPENT", field) in found(scored(edit))


def test_spending_equal_to_budget_is_not_overspending() -> None:
    result = scored(set_("sangong", actual="5.31"))
    assert ("OVERSPENT", "sangong.actual") not in found(result)


def test_project_overspent() -> None:
    result = scored(lambda d: d["projects"][0].update(spent="533.47"))
    assert ("PROJECT_OVERSPENT", "projects[0].spent") in found(result)


def test_a_name_with_a_line_break_stays_on_the_findings_line() -> None:
    # A name typed over two lines of its cell (Alt+Enter) broke the 校验结果 line and the list in the terminal.
    result = scored(lambda d: d["projects"][0].update(name="信息化\n建设", spent="533.47"))
    [finding] = [f for f in result.findings if f.code == "PROJECT_OVERSPENT"]
    assert finding.message.startswith("项目“信息化\\u000a建设”支出 533.47")


@pytest.mark.parametrize("edit, field", [
    (set_("quarterly", cumulative=["501.81", "481.24", "1463.15", "1887.42"]), "quarterly.cumulative[1]"),
    (set_("quarterly", cumulative=["501.81", "981.24", "981.23", "1887.42"]), "quarterly.cumulative[2]"),
    (lambda d: d.update(quarterly={"progress": ["0.2624", "0.5131", "0.5000", "0.9870"]}), "quarterly.progress[2]"),
])
def test_cumulative_spending_that_decreases(edit: Edit, field: str) -> None:
    result = scored(edit)
    assert [f.field for f in result.findings if f.code == "QUARTER_DECREASE"] == [field]


def test_flat_quarters_do_not_decrease() -> None:
    result = scored(set_("quarterly", cumulative=["501.81", "501.81", "1463.15", "1887.42"]))
    assert "QUARTER_DECREASE" not in {code for code, _ in found(result)}


# --------------------------------------------------------------------------- zero denominators

def test_no_procurement_planned_nor_made() -> None:
    # Plan 0: the rate is undefined; the system says if_undefined = "full" for that part.
    result = scored(set_("procurement", plan="0", contracted="0", paid="0"))
    assert {("ZERO_DENOMINATOR", "procurement.plan"), ("ZERO_DENOMINATOR", "procurement.contracted")} <= found(result)
    assert result.indicators["procurement_execution_rate"].value is None
    assert result.item("procurement").points == Decimal("2")  # 1 (full, undefined) + 1 (policy)


def test_procurement_without_a_plan_is_above_the_plan() -> None:
    # Plan 0 but 1.00 bought: "如实际采购金额大于采购计划金额，本项得0分" — not the undefined case.
    result = scored(set_("procurement", plan="0", contracted="1.00", paid="1.00"))
    assert {("ZERO_DENOMINATOR", "procurement.plan"), ("OVERSPENT", "procurement.contracted")} <= found(result)
    assert result.item("procurement").points == Decimal("1")  # 0 + 1 (policy)


def test_zero_denominator_scored_zero_by_default() -> None:
    # 日常公用经费 has no if_undefined: 0 ÷ 0 gives that part 0; 三公 58.38 % keeps its 3.
    result = scored(set_("daily_public", adjusted_budget="0", actual="0"))
    assert ("ZERO_DENOMINATOR", "daily_public.adjusted_budget") in found(result)
    assert result.item("public_expense_control").points == Decimal("3")


# --------------------------------------------------------------------------- counts

@pytest.mark.parametrize("in_use, pending, total, finding", [
    (169, 34, 203, False),
    (169, 30, 203, True),  # 199 ≠ 203
    (160, 34, 203, True),
])
def test_asset_counts(in_use: int, pending: int, total: int, finding: bool) -> None:
    def edit(d: dict) -> None:
        d["assets"]["total_count"] = total
        d["assets"]["groups"][0]["count"] = in_use
        d["assets"]["groups"][1]["count"] = pending
    assert (("COUNT_MISMATCH", "assets.total_count") in found(scored(edit))) is finding


# --------------------------------------------------------------------------- evaluator's points

def evaluator(key: str, **entry: object) -> Edit:
    return lambda d: d["evaluator"].update({key: entry})


def item_findings(result: Result, code: str) -> set[str]:
    return {f.item for f in result.findings if f.code == code}


def test_judgment_below_maximum_without_reason() -> None:
    result = scored(evaluator("procurement_policy", points="0.5"))
    assert item_findings(result, "POINTS_WITHOUT_REASON") == {"procurement"}
    assert result.item("procurement").points == Decimal("1.39")  # 0.8858 + 0.5


def test_judgment_below_maximum_with_reason() -> None:
    result = scored(evaluator("procurement_policy", points="0.5", reason="采购意向公开不及时"))
    assert item_findings(result, "POINTS_WITHOUT_REASON") == set()
    assert "采购意向公开不及时" in result.item("procurement").reason


def test_effects_without_reason() -> None:
    result = scored(evaluator("effectiveness", points="24"))
    assert item_findings(result, "POINTS_WITHOUT_REASON") == {"effects"}
    assert result.item("effects").points == Decimal("24")


def test_missing_evaluator_entry() -> None:
    result = scored(lambda d: d["evaluator"].pop("procurement_policy"))
    assert ("EVALUATOR_MISSING", "evaluator.procurement_policy") in found(result)
    assert result.item("procurement").points == Decimal("0.89")


def test_a_count_left_blank_beside_its_reason_is_no_count() -> None:
    # An entry with a reason and no count (the engine's API allows it) is as blank as no entry:
    # 预算编制规范性 0 of 5, reported missing, instead of 5 − 1 × 0 = 5.
    result = scored(evaluator("budget_compliance", reason="见附件"))
    assert ("EVALUATOR_MISSING", "evaluator.budget_compliance") in found(result)
    assert result.item("budget_compliance").points == 0


def test_override_without_reason_keeps_the_computed_points() -> None:
    result = scored(evaluator("override:satisfaction", points="4"))
    assert [(f.code, f.field, f.item) for f in result.findings if f.code == "POINTS_DIFFER_FROM_DATA"] == [
        ("POINTS_DIFFER_FROM_DATA", "evaluator.override:satisfaction.reason", "satisfaction")]
    score = result.item("satisfaction")
    assert (score.points, score.overridden) == (Decimal("6"), False)


def test_override_with_reason_is_used() -> None:
    result = scored(evaluator("override:satisfaction", points="4", reason="调查样本不足，按评审组意见调整"))
    assert item_findings(result, "POINTS_DIFFER_FROM_DATA") == set()
    score = result.item("satisfaction")
    assert (score.points, score.implied, score.overridden) == (Decimal("4"), Decimal("6"), True)
    assert "调查样本不足" in score.reason
    assert result.total == Decimal("94.88")  # 96.88 − 2


def test_override_upwards_with_reason() -> None:
    # 编外 14.81 % gives 0; the evaluator restores 1 point with a reason.
    result = scored(evaluator("override:outside_staff_control", points="1", reason="劳务派遣为上级统一安排"))
    assert result.item("outside_staff_control").points == Decimal("1")
    assert result.total == Decimal("97.88")


def test_override_equal_to_the_data_is_silent() -> None:
    result = scored(evaluator("override:satisfaction", points="6"))
    assert item_findings(result, "POINTS_DIFFER_FROM_DATA") == set()
    assert result.item("satisfaction").overridden is False


def test_effectiveness_full_points_despite_missed_target_is_a_finding():
    from xlperf.engine.evaluate import evaluate
    from xlperf.examples import reference_data
    from xlperf.engine.fields import inputs_from_dict

    data = reference_data()
    data["targets"] = [{"level1": "产出指标", "level2": "数量指标", "name": "举办交流活动", "target": "≥10 场",
                        "actual": "8 场"}]  # missed
    data["evaluator"]["effectiveness"] = {"points": "25"}
    result = evaluate(inputs_from_dict(data))
    assert result.indicators["targets_missed"].value == 1
    assert result.item("effects").points == 25 and result.item("effects").reason == ""
    assert "未达成 1" in result.item("effects").rule
    assert [f.item for f in result.findings if f.code == "POINTS_DIFFER_FROM_DATA"] == ["effects"]
    data["evaluator"]["effectiveness"] = {"points": "25", "reason": "该目标因场地调整改为线上举办，评价组认可"}
    result = evaluate(inputs_from_dict(data))
    assert [f for f in result.findings if f.code == "POINTS_DIFFER_FROM_DATA"] == []
