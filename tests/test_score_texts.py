"""Score texts beside band edges: no displayed rate ever sits on the wrong side of the edge it names.

Each case puts one rate a hair from an edge — where two decimals of a percentage would round it
onto or across the edge — and checks the item's points, the figure shown, and (for every item of
the result, not only the edited one) that each "X% 落在 I 档", "X% 低于 Y%", "X% > Y%",
"未达序时进度" and "超过/低于 T% P 个百分点" text is true of the X it prints.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from xlperf.engine.evaluate import evaluate
from xlperf.errors import SystemFileError
from xlperf.engine.fields import inputs_from_dict
from xlperf.examples import reference_data
from xlperf.engine.kinds import interval
from xlperf.engine.system import parse

from reference import SYSTEM, scored
from test_band_edges import adjustments, assets, petitions, procurement, quarters, sangong, survey_counts

PCT = r"(-?\d+(?:\.\d+)?)%"
SYSTEM_TOML = (Path(__file__).parent.parent / "xlperf" / "engine" / "systems" / "shenzhen-2024.toml").read_text("utf-8")


def contradictions(text: str) -> list[str]:
    """Every claim in the text that the percentage it prints does not satisfy."""
    bad = []
    for shown, named in re.findall(PCT + r" 落在 ([\[(][^档]*?) 档", text):
        if not interval(named).contains(Decimal(shown) / 100):
            bad.append(f"{shown}% not in {named}")
    for shown, limit in re.findall(PCT + r" 低于 " + PCT, text):
        if not Decimal(shown) < Decimal(limit):
            bad.append(f"{shown}% not below {limit}%")
    for shown, best in re.findall(PCT + r" 未达满分档 ([^，]+)，", text):
        if any(interval(iv).contains(Decimal(shown) / 100) for iv in best.split("、")):
            bad.append(f"{shown}% is in the full band {best}")
    for shown, limit in re.findall(PCT + r" > " + PCT, text):
        if not Decimal(shown) > Decimal(limit):
            bad.append(f"{shown}% not above {limit}%")
    for shown in re.findall(PCT + r" 未达序时进度", text):
        if not Decimal(shown) < 100:
            bad.append(f"{shown}% is on the timeline")
    for shown, side, limit, pp in re.findall(PCT + r"，(超过|低于) " + PCT + r" (\d+(?:\.\d+)?) 个百分点", text):
        above = Decimal(shown) > Decimal(limit) if side == "超过" else Decimal(shown) < Decimal(limit)
        if Decimal(pp) > 0 and not above:
            bad.append(f"{shown}% {side} {limit}% by {pp}")
    for shown in re.findall(r"回复率\S* " + PCT + r"）", text):  # checklist "回复率达100%" unmet
        if Decimal(shown) >= 100:
            bad.append(f"{shown}% shown as unmet")
    return bad


CASES = [
    # 三公 899.95 / 1000.00 = 89.995 %: band [0, 90) → 3, + 日常公用 2 (reference) = 5; two decimals would say 90.00 %.
    pytest.param(sangong("899.95", "1000.00"), "public_expense_control", "5", "89.995%", id="sangong 89.995%"),
    # 90.004 %: just inside [90%, 100%] → 2 + 2; shown 90.00 % is inside the band too, so two decimals suffice.
    pytest.param(sangong("900.04", "1000.00"), "public_expense_control", "4", "90.00%", id="sangong 90.004%"),
    # 74.995 % → band [60%, 75%) → 0.4; two decimals would print 75.00 %.
    pytest.param(assets("74.995", "100.00"), "asset_utilization", "0.4", "74.995%", id="assets 74.995%"),
    # 19999 / 20000 = 99.995 % replied: criterion "回复率达100%" unmet (and the on-time one) → channel 1 only.
    pytest.param(petitions("是", 20000, 19999, 19999), "petitions", "1", "99.995%", id="reply rate 99.995%"),
    # 999.95 / 1000.00 = 99.995 %: rate_points 0.99995 × 1 + judgment 1 = 1.99995 → 2.00 shown; text says 99.995 %.
    pytest.param(procurement("999.95", "1000.00"), "procurement", "2", "99.995%", id="procurement 99.995%"),
    # 1000.04 / 1000.00: above plan, zero_above 100 % → 0 + 1; two decimals would print 100.00 % > 100%.
    pytest.param(procurement("1000.04", "1000.00"), "procurement", "1", "100.004%", id="procurement 100.004%"),
    # 调整 100.04 / 1000.00 = 10.004 %: 0.004 pp over 10 % → 1 − 0.1 × 0.004 = 0.9996; item 2.9996 → 3.00.
    pytest.param(adjustments("100.04"), "financial_compliance", "3", "10.004%", id="adjustments 10.004%"),
    # Q1 249.99 / 1000 = 24.999 % of a 25 % timeline: r1 = 0.99996 → 3.99996 + mean 0.99999 × 2 → 5.99994 → 6.00.
    pytest.param(quarters("249.99", "500", "750", "1000"), "budget_execution", "6", "99.996%", id="Q1 99.996%"),
    # 满意度 18999 / 20000 = 94.995 % → [90%, 95%) → 4.
    pytest.param(survey_counts(18999, 20000), "satisfaction", "4", "94.995%", id="satisfaction 94.995%"),
]


@pytest.mark.parametrize("edit, item, points, shown", CASES)
def test_texts_at_edges(edit, item, points, shown):
    result = scored(edit)
    score = result.item(item)
    assert score.points == Decimal(points)
    assert shown in score.rule + score.reason
    for s in result.items:
        assert contradictions(s.rule) == [] and contradictions(s.reason) == [], s.item.id


def test_the_checker_itself_catches_a_contradiction():
    assert contradictions("“三公”经费控制率 90.00% 落在 [0%, 90%) 档，得 3.00 分")
    assert contradictions("信访回复率 100.00%）")
    assert contradictions("固定资产利用率 90.00% 未达满分档 [90%, ∞)，扣 0.30 分")
    assert not contradictions("“三公”经费控制率 89.995% 落在 [0%, 90%) 档，得 3.00 分")


def test_points_in_texts_are_as_the_sheet_shows_them():
    # 调整 142.00 / 1000.00 = 14.2 %: 4.2 pp over → 1 − 0.42 = 0.58 → shown "0.58", never "0.5800".
    result = scored(adjustments("142.00"))
    reason = result.item("financial_compliance").reason
    assert "得 0.58 分" in reason and "0.5800" not in reason
    # Bands: 计分依据 names the band, 扣分说明 the loss; they do not repeat each other.
    band = scored(assets("80.00", "100.00")).item("asset_utilization")
    assert band.rule.endswith("落在 [75%, 90%) 档，得 0.70 分") and band.reason.endswith("扣 0.30 分")
    assert band.rule != band.reason


def _with_band_on(mode: str):
    text = SYSTEM_TOML.replace('total = "100"', f'total = "100"\nband_on = "{mode}"', 1)
    return parse(text.encode(), f"shenzhen-{mode}")


@pytest.mark.parametrize("mode, points, shown", [
    # 三公 899.95 / 1000 = 89.995 %: exact → [0, 90) → 3 (+2); printed 90.00 % → [90%, 100%] → 2 (+2).
    ("exact", "5", "89.995%"),
    ("printed", "4", "90.00%"),
])
def test_band_on_exact_or_printed(mode, points, shown):
    system = _with_band_on(mode)
    assert system.band_on == mode
    data = reference_data()
    sangong("899.95", "1000.00")(data)
    score = evaluate(inputs_from_dict(data), system).item("public_expense_control")
    assert score.points == Decimal(points)
    assert f"“三公”经费控制率 {shown} 落在" in score.rule
    assert contradictions(score.rule) == []


def test_band_on_default_and_bad_value():
    assert SYSTEM.band_on == "exact"
    with pytest.raises(SystemFileError, match="band_on 应为 exact 或 printed"):
        _with_band_on("rounded")


def test_no_staff_at_all_scores_both_staff_items_the_same_way():
    # 编制 0, 在编 0, 编外 0: 财政供养人员控制率 0 ÷ 0 and 编外人员控制率 0 ÷ 0 are both full (1 and 1),
    # where the first used to give 0 and the second 1.
    from test_band_edges import staff

    result = scored(staff(0, 0))
    assert (result.item("staff_control").points, result.item("outside_staff_control").points) == (1, 1)
    assert ("STAFF_EMPTY", "staff.authorized") in {(f.code, f.field) for f in result.findings}
