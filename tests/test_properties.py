"""Properties of the engine over random but valid inputs (hypothesis).

Amounts are drawn as integers of cents and written as exact text: no float anywhere.
Invariants hold for every bundled system; monotonicity is checked where the rule is
monotone, by scoring two inputs that differ in one figure only.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.engine.evaluate import Result, evaluate
from xlperf.examples import reference_data, reference_inputs
from xlperf.engine.fields import inputs_from_dict
from xlperf.engine.inputs import PROJECT_STATUSES, Inputs, KeyTask, Project, Quarterly, Staff, Survey
from xlperf.engine.system import BUNDLED, load

SYSTEMS = {name: load(name) for name in BUNDLED}
REFERENCE = reference_inputs()
SHENZHEN = SYSTEMS["shenzhen-2024"]
FAST = settings(max_examples=150, deadline=None)


def money(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))


cents = st.integers(min_value=0, max_value=500_000_00)
small_cents = st.integers(min_value=0, max_value=1_000_00)
yes_no = st.sampled_from(["是", "否"])


@st.composite
def unit_data(draw: st.DrawFn) -> dict:
    """A nested plain dict the way a workbook reader hands it over, valid but arbitrary."""
    d = reference_data()
    for stage in ("initial", "adjusted", "spent"):
        b, p = draw(cents), draw(cents)
        d["budget"][stage] = {"total": money(b + p), "basic": money(b), "project": money(p)}
    d["quarterly"] = {"cumulative": [money(c) for c in sorted(draw(st.lists(cents, min_size=4, max_size=4)))]}
    plan, contracted = draw(small_cents), draw(small_cents)
    d["procurement"] = {"plan": money(plan), "contracted": money(contracted),
                        "paid": money(draw(st.integers(0, contracted)))}
    d["sangong"] = {"budget": money(draw(small_cents)), "actual": money(draw(small_cents)),
                    "prior_budget": money(draw(small_cents))}
    d["daily_public"] = {"adjusted_budget": money(draw(small_cents)), "actual": money(draw(small_cents))}
    in_use, pending = draw(small_cents), draw(small_cents)
    n_use, n_pending = draw(st.integers(0, 500)), draw(st.integers(0, 500))
    d["assets"] = {"total_count": n_use + n_pending, "total_value": money(in_use + pending), "groups": [
        {"name": "在用", "status": "在用", "count": n_use, "value": money(in_use)},
        {"name": "待处置", "status": "待处置", "count": n_pending, "value": money(pending)}]}
    d["staff"] = {k: draw(st.integers(0, 300)) for k in ("authorized", "on_payroll", "dispatched", "direct_hire")}
    d["projects"] = [{"name": f"项目 {k}", "budget": money(draw(small_cents)), "spent": money(draw(small_cents)),
                      "status": draw(st.sampled_from(PROJECT_STATUSES))} for k in range(draw(st.integers(0, 8)))]
    d["key_tasks"] = [{"name": f"任务 {k}", "source": "市委", "finished": draw(yes_no)}
                      for k in range(draw(st.integers(0, 5)))]
    received = draw(st.integers(0, 50))
    replied = draw(st.integers(0, received))
    d["petitions"] = {"channel_exists": draw(yes_no), "received": received, "replied": replied,
                      "replied_on_time": draw(st.integers(0, replied))}
    surveys = []
    for k in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            surveys.append({"name": f"调查 {k}", "rate": str(Decimal(draw(st.integers(0, 10000))).scaleb(-4))})
        else:
            n = draw(st.integers(1, 1000))
            surveys.append({"name": f"调查 {k}", "respondents": n, "satisfied": draw(st.integers(0, n))})
    d["surveys"] = surveys
    d["adjustments"] = [{"description": f"调整 {k}", "amount": money(draw(st.integers(-100_000_00, 100_000_00)))}
                        for k in range(draw(st.integers(0, 3)))]
    ev = d["evaluator"]
    for key in ("budget_reasonableness", "indicator_clarity", "project_procedure", "project_supervision",
                "asset_safety", "rules_soundness"):
        ev[key] = {"ticks": [draw(yes_no) for _ in ev[key]["ticks"]]}
    for key in ("budget_compliance", "target_completeness"):
        ev[key] = {"count": draw(st.integers(0, 10))}
    for key, top in (("procurement_policy", 100), ("spending_compliance", 100), ("accounting_compliance", 100),
                     ("effectiveness", 2500)):
        ev[key] = {"points": money(draw(st.integers(0, top))), "reason": draw(st.sampled_from(["", "有扣分"]))}
    for key in ("financial_violation", "classified_unit"):
        ev[key] = {"flag": draw(yes_no)}
    for key in ("budget_disclosure", "final_accounts_disclosure"):
        ev[key] = {"choice": draw(st.sampled_from(["按规定公开", "公开但不符合要求", "未公开"]))}
    return d


@FAST
@given(unit_data(), st.sampled_from(sorted(SYSTEMS)))
def test_scores_stay_within_their_bounds_and_add_up(data: dict, system_name: str) -> None:
    system = SYSTEMS[system_name]
    result = evaluate(inputs_from_dict(data), system)
    for s in result.items:
        assert Decimal(0) <= s.exact <= s.item.points, s.item.id
        assert Decimal(0) <= s.points <= s.item.points, s.item.id
        assert s.points == s.points.quantize(Decimal("0.01"))
    assert Decimal(0) <= result.total <= system.total
    assert result.total == sum(s.points for s in result.items)
    assert result.total == sum(result.level1.values())
    for n in system.level1:
        assert result.level1[n.id] == sum(result.level2[m.id] for m in system.level2 if m.parent == n.id)
    for n in system.level2:
        assert result.level2[n.id] == sum(s.points for s in result.items if s.level2.id == n.id)


@FAST
@given(unit_data())
def test_lost_points_are_explained(data: dict) -> None:
    # Every item below its maximum carries a reason (rule text or a finding that it is missing).
    result = evaluate(inputs_from_dict(data), SHENZHEN)
    flagged = {f.item for f in result.findings if f.code == "POINTS_WITHOUT_REASON"}
    for s in result.items:
        if s.points < s.item.points:
            assert s.reason or s.item.id in flagged, s.item.id


# --------------------------------------------------------------------------- monotonicity


def points(inputs: Inputs, item: str) -> Decimal:
    return evaluate(inputs, SHENZHEN).item(item).exact


def pair(low: int, high: int) -> tuple[int, int]:
    return (low, high) if low <= high else (high, low)


@FAST
@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 4))
def test_more_unfinished_key_tasks_never_raise_the_score(a: int, b: int, finished: int) -> None:
    fewer, more = pair(a, b)

    def tasks(unfinished: int) -> Inputs:
        return replace(REFERENCE, key_tasks=tuple(KeyTask(f"t{k}", "市委", k >= unfinished)
                                                  for k in range(unfinished + finished)))

    assert points(tasks(more), "key_tasks") <= points(tasks(fewer), "key_tasks")


@FAST
@given(st.integers(0, 10000), st.integers(0, 10000))
def test_higher_satisfaction_never_lowers_the_score(a: int, b: int) -> None:
    low, high = (Decimal(x).scaleb(-4) for x in pair(a, b))

    def rate(r: Decimal) -> Inputs:
        return replace(REFERENCE, surveys=(Survey("调查", rate=r),))

    assert points(rate(low), "satisfaction") <= points(rate(high), "satisfaction")


@FAST
@given(st.integers(0, 200), st.integers(0, 50), st.integers(0, 50))
def test_more_outside_staff_never_raises_the_score(on_payroll: int, a: int, b: int) -> None:
    fewer, more = pair(a, b)

    def outside(n: int) -> Inputs:
        return replace(REFERENCE, staff=Staff(authorized=200, on_payroll=on_payroll, dispatched=n))

    assert points(outside(more), "outside_staff_control") <= points(outside(fewer), "outside_staff_control")


@FAST
@given(st.lists(st.integers(0, 1_000_000), min_size=5, max_size=5))
def test_more_spending_within_budget_in_the_last_quarter_never_lowers_the_score(raw: list[int]) -> None:
    # Adjusted budget 10,000.00; Q1–Q3 fixed; Q4 grows from one value to a larger one, both ≤ budget.
    q1, q2, q3, q4a, q4b = sorted(raw)
    budget = replace(REFERENCE.budget, adjusted=replace(REFERENCE.budget.adjusted, total=Decimal("10000.00")))

    def last(q4: int) -> Inputs:
        cumulative = tuple(Decimal(c).scaleb(-2) for c in (q1, q2, q3, q4))
        return replace(REFERENCE, budget=budget, quarterly=Quarterly(cumulative=cumulative))  # type: ignore[arg-type]

    assert points(last(q4a), "budget_execution") <= points(last(q4b), "budget_execution")


@FAST
@given(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(1, 100_000))
def test_more_assets_in_use_never_lower_the_score(a: int, b: int, rest: int) -> None:
    # The same total value; more of it in use.
    low, high = pair(a, b)
    total = Decimal(high + rest).scaleb(-2)

    def in_use(c: int) -> Inputs:
        value = Decimal(c).scaleb(-2)
        groups = (replace(REFERENCE.assets.groups[0], value=value),
                  replace(REFERENCE.assets.groups[1], value=total - value))
        return replace(REFERENCE, assets=replace(REFERENCE.assets, total_value=total, groups=groups))

    assert points(in_use(low), "asset_utilization") <= points(in_use(high), "asset_utilization")


@FAST
@given(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(0, 100_000))
def test_more_sangong_spending_never_raises_the_score(a: int, b: int, budget: int) -> None:
    low, high = pair(a, b)

    def spent(c: int) -> Inputs:
        return replace(REFERENCE, sangong=replace(REFERENCE.sangong, budget=Decimal(budget).scaleb(-2),
                                                  actual=Decimal(c).scaleb(-2)))

    assert points(spent(high), "public_expense_control") <= points(spent(low), "public_expense_control")


@FAST
@given(st.integers(0, 500_000_00), st.integers(0, 500_000_00))
def test_larger_adjustments_never_raise_the_score(a: int, b: int) -> None:
    low, high = pair(a, b)

    def adjusted(c: int) -> Inputs:
        return replace(REFERENCE, adjustments=(replace(REFERENCE.adjustments[0], amount=-Decimal(c).scaleb(-2)),))

    assert points(adjusted(high), "financial_compliance") <= points(adjusted(low), "financial_compliance")


@FAST
@given(st.integers(1, 12), st.integers(0, 12), st.integers(0, 12))
def test_more_projects_on_time_never_lower_the_score(n: int, a: int, b: int) -> None:
    low, high = pair(min(a, n), min(b, n))

    def on_time(k: int) -> Inputs:
        return replace(REFERENCE, projects=tuple(
            Project(f"p{j}", Decimal(1), Decimal(1), "按期完成" if j < k else "逾期完成") for j in range(n)))

    assert points(on_time(low), "project_timeliness") <= points(on_time(high), "project_timeliness")


@FAST
@given(st.integers(0, 10_000_00), st.integers(0, 10_000_00), st.integers(1, 10_000_00))
def test_more_procurement_within_plan_never_lowers_the_score(a: int, b: int, plan: int) -> None:
    low, high = pair(min(a, plan), min(b, plan))

    def bought(c: int) -> Inputs:
        amount = Decimal(c).scaleb(-2)
        return replace(REFERENCE, procurement=replace(REFERENCE.procurement, plan=Decimal(plan).scaleb(-2),
                                                      contracted=amount, paid=amount))

    assert points(bought(low), "procurement") <= points(bought(high), "procurement")


def test_reference_result_is_unchanged_by_a_round_trip_through_replace() -> None:
    # The monotonicity tests build on ``replace``: it must not change the reference score.
    result: Result = evaluate(replace(REFERENCE), SHENZHEN)
    assert result.total == Decimal("96.88")
