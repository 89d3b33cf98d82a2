"""The reference unit of shared/spec/reference-case-2024.md, every figure as published."""

from decimal import Decimal

import pytest

from xlperf.engine.evaluate import evaluate
from xlperf.examples import reference_inputs
from xlperf.engine.money import percent_text

from reference import PUBLISHED_ITEMS


@pytest.fixture(scope="module")
def result():
    return evaluate(reference_inputs(), "shenzhen-2024")


@pytest.mark.parametrize(
    "indicator, shown",
    [
        ("budget_execution_rate", "98.70%"),
        ("basic_execution_rate", "99.27%"),
        ("project_execution_rate", "97.21%"),
        ("quarter_progress_1", "26.24%"),
        ("quarter_progress_2", "51.31%"),
        ("quarter_progress_3", "76.51%"),
        ("quarter_progress_4", "98.70%"),
        ("quarter_rate_1", "104.96%"),
        ("quarter_rate_2", "102.62%"),
        ("quarter_rate_3", "102.01%"),
        ("quarter_rate_4", "98.70%"),
        ("quarter_rate_mean", "102.07%"),
        ("procurement_execution_rate", "88.58%"),
        ("procurement_payment_rate", "100.00%"),
        ("sangong_control_rate", "58.38%"),
        ("daily_public_control_rate", "90.95%"),
        ("asset_utilization_rate", "90.93%"),
        ("staff_control_rate", "92.00%"),
        ("outside_staff_rate", "14.81%"),
        ("project_budget_execution_rate", "97.21%"),
    ],
)
def test_indicator_as_published(result, indicator, shown):
    assert percent_text(result.indicators[indicator].value) == shown


def test_other_figures(result):
    assert result.indicators["midyear_adjustment"].value == Decimal("-23.75")
    assert result.indicators["assets_in_use_count"].value == 169
    assert result.indicators["assets_pending_count"].value == 34
    assert result.indicators["assets_pending_value"].value == Decimal("5.84")


@pytest.mark.parametrize("item, points", PUBLISHED_ITEMS.items())
def test_item_score_as_published(result, item, points):
    assert result.item(item).points == Decimal(points)


def test_budget_execution_exact_before_rounding(result):
    # 1 + 1 + 1 + 0.98695… + min(102.07 %, 1) × 2: the spec's 5.987, shown as 5.99.
    exact = result.item("budget_execution").exact
    assert Decimal("5.986") < exact < Decimal("5.988")


def test_subtotals_and_total(result):
    assert result.level1 == {"decision": Decimal("20"), "management": Decimal("18.89"),
                             "performance": Decimal("57.99")}
    assert result.total == Decimal("96.88")


def test_reason_for_lost_points(result):
    assert result.item("outside_staff_control").reason.startswith("编外人员控制率 14.81%")
    # 14.81 % lies in (10%, ∞), worth 0 of 1: 计分依据 names the band, 扣分说明 the points lost, as the sheet shows them.
    assert result.item("outside_staff_control").rule.endswith("落在 (10%, ∞) 档，得 0.00 分")
    assert result.item("outside_staff_control").reason.endswith("扣 1.00 分")
    assert result.item("satisfaction").reason == ""


def test_published_figures_are_consistent(result):
    # The report's 88.71 % for 4.73 ÷ 5.34 lies within the rounding envelope; 1,330.19 + 71.48 vs 1,401.66 too.
    assert [f for f in result.findings if f.severity == "错误" or f.code == "STATED_MISMATCH"] == []


def test_catalog_names_every_computed_indicator(result):
    from xlperf.engine.indicators import CATALOG

    catalog = {i: (name, unit) for i, name, unit in CATALOG}
    for ind in result.indicators.values():
        assert catalog[ind.id] == (ind.name, ind.unit)
