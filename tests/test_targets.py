"""Tests for xlperf.engine.targets: parsing 目标值 and judging 实际完成值."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.engine.targets import Judgement, Target, judge, parse_actual, parse_target

D = Decimal

# --------------------------------------------------------------------------- parse_target

# (text, kind, op, value, percent, unit, word) — every form in the seed table.
PARSE_CASES = [
    ("≥90%", "numeric", ">=", D("0.9"), True, "", None),
    ("≤100%", "numeric", "<=", D("1"), True, "", None),
    ("3 场", "numeric", ">=", D("3"), False, "场", None),
    ("2000 平方米", "numeric", ">=", D("2000"), False, "平方米", None),
    ("100 天", "numeric", ">=", D("100"), False, "天", None),
    ("≥10 次", "numeric", ">=", D("10"), False, "次", None),
    ("95%", "numeric", ">=", D("0.95"), True, "", None),
    ("6", "numeric", ">=", D("6"), False, "", None),
    ("1", "numeric", ">=", D("1"), False, "", None),
    ("≥95%", "numeric", ">=", D("0.95"), True, "", None),
    ("45 台", "numeric", ">=", D("45"), False, "台", None),
    ("2 个", "numeric", ">=", D("2"), False, "个", None),
    ("12 个月", "numeric", ">=", D("12"), False, "个月", None),
    ("3 人", "numeric", ">=", D("3"), False, "人", None),
    ("2 批次", "numeric", ">=", D("2"), False, "批次", None),
    ("100%", "numeric", ">=", D("1"), True, "", None),
    ("预算数", "word", "<=", None, False, "", "预算数"),
    ("不超过预算数", "word", "<=", None, False, "", "预算数"),
    ("不适用", "not_applicable", None, None, False, "", None),
]
WORDS = [
    "完成",
    "及时",
    "及时完成",
    "合格",
    "合规",
    "正常开放",
    "正常运行",
    "正常运转",
    "正常使用",
    "有效保障",
    "顺利完成",
    "当年完成",
    "得到提升",
    "显著",
    "提出咨询意见",
]
PARSE_CASES += [(w, "word", None, None, False, "", w) for w in WORDS]


@pytest.mark.parametrize("text,kind,op,value,percent,unit,word", PARSE_CASES)
def test_parse_target_forms(text, kind, op, value, percent, unit, word):
    target = parse_target(text)
    assert target == Target(text, kind, op, target.value, percent, unit, word)
    assert target.value == value
    if value is not None:
        assert isinstance(target.value, Decimal)


# Operator spellings: full-width, ASCII, words, LaTeX from PDF extraction.
OPERATOR_CASES = [
    ("≥90%", ">=", D("0.9"), True, ""),
    (">=90%", ">=", D("0.9"), True, ""),
    ("> = 90 %", ">=", D("0.9"), True, ""),
    ("＞＝９０％", ">=", D("0.9"), True, ""),
    ("大于等于90%", ">=", D("0.9"), True, ""),
    ("不少于10次", ">=", D("10"), False, "次"),
    ("不低于95%", ">=", D("0.95"), True, ""),
    ("10次以上", ">=", D("10"), False, "次"),
    ("１０　次以上", ">=", D("10"), False, "次"),
    ("90%及以上", ">=", D("0.9"), True, ""),
    ("$\\geq$ 90\\%", ">=", D("0.9"), True, ""),
    ("$\\geq 95\\%$", ">=", D("0.95"), True, ""),
    ("$\\leq$100%", "<=", D("1"), True, ""),
    ("≤100%", "<=", D("1"), True, ""),
    ("<=100%", "<=", D("1"), True, ""),
    ("＜＝100％", "<=", D("1"), True, ""),
    ("不超过100%", "<=", D("1"), True, ""),
    ("不高于5%", "<=", D("0.05"), True, ""),
    ("30天以内", "<=", D("30"), False, "天"),
    ("控制在100%以内", "<=", D("1"), True, ""),
    (">5 个", ">", D("5"), False, "个"),
    ("＞5个", ">", D("5"), False, "个"),
    ("<3次", "<", D("3"), False, "次"),
    ("＜3次", "<", D("3"), False, "次"),
    ("=12个月", "=", D("12"), False, "个月"),
    ("1,200 平方米", ">=", D("1200"), False, "平方米"),
    ("1，200平方米", ">=", D("1200"), False, "平方米"),
    ("2000㎡", ">=", D("2000"), False, "平方米"),
    ("2000平米", ">=", D("2000"), False, "平方米"),
    ("≥90%（含）", ">=", D("0.9"), True, ""),
]


@pytest.mark.parametrize("text,op,value,percent,unit", OPERATOR_CASES)
def test_parse_target_operator_spellings(text, op, value, percent, unit):
    target = parse_target(text)
    assert target.kind == "numeric"
    assert (target.op, target.value, target.percent, target.unit) == (op, value, percent, unit)
    assert target.text == text


def test_percent_target_is_an_exact_fraction():
    assert parse_target("95%").value == D("0.95")
    assert parse_target("99.99%").value == D("0.9999")
    assert parse_target("12.345%").value == D("0.12345")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "???", "≥", "≥%", "90%且≤100%", "≥90%人", "1,2 场", "90% 95%", "3场4场", "12:00"],
)
def test_garbage_targets_are_unparsed(text):
    target = parse_target(text)
    assert target.kind == "unparsed"
    assert target.value is None and target.op is None and target.word is None


def test_conflicting_operators_are_unparsed():
    assert parse_target("≤10次以上").kind == "unparsed"
    assert parse_target("≥10次以上").op == ">="


@pytest.mark.parametrize("text", ["不适用", " 不适用 ", "不涉及", "N/A", "“不适用”"])
def test_not_applicable_targets(text):
    assert parse_target(text).kind == "not_applicable"


# --------------------------------------------------------------------------- parse_actual

ACTUAL_CASES = [
    ("13场", "3 场", D("13")),
    ("13 场", "3 场", D("13")),
    ("13", "3 场", D("13")),
    ("98.6%", "≥90%", D("0.986")),
    ("98.6％", "≥90%", D("0.986")),
    ("98.6", "≥90%", D("0.986")),  # bare > 1 against a percent target: a percent
    ("0.986", "≥90%", D("0.986")),  # bare ≤ 1: already a fraction
    ("1", "≥90%", D("1")),
    ("1,200 平方米", "2000 平方米", D("1200")),
    ("１２００平方米", "2000 平方米", D("1200")),
    ("100%", "1", D("1")),
    ("6", "6", D("6")),
    ("-3.5%", "≤0%", D("-0.035")),
]


@pytest.mark.parametrize("actual,target,expected", ACTUAL_CASES)
def test_parse_actual(actual, target, expected):
    value = parse_actual(actual, parse_target(target))
    assert isinstance(value, Decimal)
    assert value == expected


@pytest.mark.parametrize("actual", ["完成", "", "约13场", "≥13场", "13场以上", "十三场", "13场和2次"])
def test_parse_actual_refuses_non_numbers(actual):
    assert parse_actual(actual, parse_target("3 场")) is None


# --------------------------------------------------------------------------- judge: numeric


def test_evidence_examples_from_the_brief():
    assert judge("3 场", "13 场") == Judgement("达成", "实际 13 场 ≥ 目标 3 场，达成")
    assert judge("≥90%", "88%") == Judgement("未达成", "实际 88.00% < 目标 ≥90%，未达成")
    assert judge("有效保障", "有效保障") == Judgement(
        "达成", "目标为文字“有效保障”，实际“有效保障”，达成"
    )


NUMERIC_EDGES = [
    # >= : at the target is met, one unit below is not
    ("3 场", "3场", "达成"),
    ("3 场", "2场", "未达成"),
    ("3 场", "4场", "达成"),
    ("≥10 次", "10次", "达成"),
    ("≥10 次", "9次", "未达成"),
    ("10次以上", "10次", "达成"),
    ("10次以上", "9", "未达成"),
    ("2000 平方米", "2000平方米", "达成"),
    ("2000 平方米", "1999平方米", "未达成"),
    ("2000 平方米", "1,999.99 平方米", "未达成"),
    ("100 天", "100天", "达成"),
    ("100 天", "99", "未达成"),
    ("6", "6", "达成"),
    ("6", "5", "未达成"),
    ("1", "1", "达成"),
    ("1", "0", "未达成"),
    ("≥95%", "95%", "达成"),
    ("≥95%", "94.99%", "未达成"),
    ("95%", "95%", "达成"),
    ("95%", "94%", "未达成"),
    # <= : at the target is met, just above is not
    ("≤100%", "100%", "达成"),
    ("≤100%", "100.01%", "未达成"),
    ("≤100%", "99%", "达成"),
    ("不超过5次", "5次", "达成"),
    ("不超过5次", "6次", "未达成"),
    ("30天以内", "30天", "达成"),
    ("30天以内", "31天", "未达成"),
    # strict and equality operators
    (">5 个", "5个", "未达成"),
    (">5 个", "6个", "达成"),
    ("<3次", "3次", "未达成"),
    ("<3次", "2次", "达成"),
    ("=12个月", "12个月", "达成"),
    ("=12个月", "11个月", "未达成"),
    ("=12个月", "13个月", "未达成"),
    # A figure reported with its verb (待判断 before): the word says what was done, not how much.
    ("3 场", "已完成3场", "达成"),
    ("3 场", "共2场", "未达成"),
    ("≥10 次", "累计 12 次", "达成"),
    ("95%", "实际完成96%", "达成"),
    ("2000 平方米", "累计2,000平方米", "达成"),
    # A bare zero means none at all ("at least 0" was met by anything: 安全事故 0起 with 1起 was 达成).
    ("0起", "0起", "达成"),
    ("0起", "1起", "未达成"),
    ("0次", "2次", "未达成"),
    ("0", "3", "未达成"),
    ("0%", "5%", "未达成"),
    ("0%", "0", "达成"),
    ("≥0次", "2次", "达成"),  # written as a floor, it stays one
]


@pytest.mark.parametrize("actual", ["完成3场中的2场", "共计三场"])
def test_a_verb_before_no_plain_figure_leaves_the_actual_to_the_evaluator(actual):
    assert judge("3 场", actual).status == "待判断"


@pytest.mark.parametrize("target,actual,status", NUMERIC_EDGES)
def test_numeric_edges(target, actual, status):
    result = judge(target, actual)
    assert result.status == status
    assert result.evidence.endswith(status)
    assert "实际" in result.evidence and "目标" in result.evidence


def test_exact_decimals_no_float_rounding():
    below = judge("≥90%", "89.995%")
    assert below.status == "未达成"
    # the rounded display equals the target, so the exact value must be shown
    assert "89.995%" in below.evidence
    assert judge("≥90%", "90%").status == "达成"
    assert judge("≥90%", "90.000%").status == "达成"
    assert judge("≥90%", "89.9999999999999999999999999999%").status == "未达成"
    assert judge("≤100%", "100.0000000000000000001%").status == "未达成"
    # 0.1 + 0.2 style traps: 0.3 is exactly 0.3
    assert judge("≥0.3", "0.3").status == "达成"


def test_percent_display_two_decimals_half_up():
    assert "98.70%" in judge("≥90%", "98.695%").evidence  # half up, not banker's
    assert "98.60%" in judge("≥90%", "98.6%").evidence
    assert "（精确值" not in judge("≥90%", "98.6%").evidence


def test_bare_number_against_percent_target():
    above = judge("≥90%", "98.6")
    assert above.status == "达成"
    assert "98.60%" in above.evidence and "按百分数理解" in above.evidence
    assert judge("≥90%", "0.95").status == "达成"
    assert judge("≥90%", "0.85").status == "未达成"
    assert judge("≥90%", "85").status == "未达成"


def test_percent_actual_against_fraction_target():
    # 验收通过率 written as “1”: 100% meets it, 99% does not
    assert judge("1", "100%").status == "达成"
    assert judge("1", "99%").status == "未达成"


def test_thousands_and_full_width_actuals():
    assert judge("2000 平方米", "1,200 平方米").status == "未达成"
    assert judge("1000 平方米", "1,200 平方米").status == "达成"
    assert judge("≥90%", "９５％").status == "达成"
    assert judge("2000 平方米", "2,000㎡").status == "达成"


@pytest.mark.parametrize(
    "target,actual",
    [
        ("3 场", "2000 平方米"),
        ("3 场", "13次"),
        ("≥90%", "13场"),
        ("3 场", "95%"),
        ("6", "95%"),  # a percent is not a count of 6
    ],
)
def test_unit_mismatch_is_undecided(target, actual):
    result = judge(target, actual)
    assert result.status == "待判断"
    assert "单位不一致" in result.evidence


def test_unit_less_actual_takes_the_target_unit():
    result = judge("3 场", "13")
    assert result.status == "达成"
    assert "13 场" in result.evidence


def test_numeric_target_with_word_actual():
    assert judge("3 场", "未完成").status == "未达成"
    assert "未完成" in judge("3 场", "未完成").evidence
    # a positive word does not prove a quantity
    assert judge("3 场", "完成").status == "待判断"
    # an actual with an operator is a bound: it settles the target only when every value it allows does
    result = judge("3 场", "≥2场")
    assert result.status == "待判断"
    assert "是一个范围，不能确定是否达到" in result.evidence


@pytest.mark.parametrize("target,actual,status", [
    # Each was 待判断 (不是确定数值) before, though the bound settles it. Hand check: ≥ 95 satisfies ≥ 90; ≤ 80
    # cannot reach ≥ 90; < 90 cannot either; ≤ 90 may be 90 exactly; > 90 from "90%以上" (≥ 90) may be 90.
    ("≥90%", "95%以上", "达成"),
    ("≥90%", "90%以上", "达成"),
    ("3 场", "≥3场", "达成"),
    ("≤3 天", "3天以内", "达成"),
    ("≥90%", "80%以下", "未达成"),
    ("≥90%", "<90%", "未达成"),
    ("≤100%", "≥101%", "未达成"),
    ("≥95%", "90%以上", "待判断"),
    ("≥90%", "≤90%", "待判断"),
    (">90%", "90%以上", "待判断"),
    ("=12个月", "≥12个月", "待判断"),
])
def test_an_actual_given_as_a_bound(target, actual, status):
    assert judge(target, actual).status == status


# --------------------------------------------------------------------------- judge: words

POSITIVE_CASES = [
    ("完成", "完成"),
    ("完成", "已完成"),
    ("及时", "及时"),
    ("及时", "按时"),
    ("及时", "已按时完成"),
    ("及时", "无延期"),
    ("及时完成", "及时完成"),
    ("合格", "合格"),
    ("合格", "验收合格"),
    ("合规", "合规"),
    ("正常开放", "正常开放"),
    ("正常运行", "正常运行"),
    ("正常运转", "正常运转"),
    ("正常使用", "正常使用"),
    ("有效保障", "有效保障"),
    ("顺利完成", "顺利完成"),
    ("当年完成", "当年完成"),
    ("得到提升", "得到提升"),
    ("显著", "显著"),
    ("提出咨询意见", "提出咨询意见"),
    ("合格", "达标"),
    ("有效保障", "是"),
    ("完成", "达成"),
    ("有效保障", "“有效保障”"),
    ("顺利完成", " 顺利 完成 "),
]


@pytest.mark.parametrize("target,actual", POSITIVE_CASES)
def test_word_targets_achieved(target, actual):
    result = judge(target, actual)
    assert result.status == "达成"
    assert f"目标为文字“{target}”" in result.evidence


NEGATIVE_CASES = [
    ("完成", "未完成"),  # the trap: contains 完成
    ("完成", "项目未完成"),  # …and by containment, not only as the whole answer
    ("顺利完成", "未完成"),
    ("当年完成", "没有完成"),
    ("完成", "部分完成"),
    ("及时", "不及时"),
    ("及时", "延期"),
    ("及时完成", "未按时完成"),
    ("合格", "不合格"),
    ("合规", "不合规"),
    ("正常开放", "未开放"),
    ("正常运行", "停止运行"),
    ("得到提升", "未提升"),
    ("显著", "不显著"),
    ("完成", "未达成"),
    ("有效保障", "否"),
    ("有效保障", "无"),
    ("有效保障", "保障不足"),  # was 达成: it contains 保障
    ("有效保障", "保障不到位"),
    ("正常运行", "维护欠缺"),
]


@pytest.mark.parametrize("target,actual", NEGATIVE_CASES)
def test_word_targets_not_achieved(target, actual):
    result = judge(target, actual)
    assert result.status == "未达成"
    assert "否定" in result.evidence


@pytest.mark.parametrize("target,actual,word", [
    # Each was 达成 by the positive word inside it.
    ("完成", "基本完成", "基本"), ("及时", "基本及时", "基本"), ("完成", "已完成部分", "部分"),
    ("完成", "初步完成", "初步"), ("顺利完成", "接近完成", "接近"),
])
def test_a_qualified_answer_goes_to_the_evaluator(target, actual, word):
    result = judge(target, actual)
    assert result.status == "待判断"
    assert f"含限定表述“{word}”" in result.evidence


@pytest.mark.parametrize(
    "target,actual", [("完成", "还行"), ("有效保障", "一般"), ("显著", "abc"), ("完成", "100%")]
)
def test_unknown_words_need_the_evaluator(target, actual):
    result = judge(target, actual)
    assert result.status == "待判断"
    assert "需评价人员判断" in result.evidence


def test_absence_target_is_met_by_none():
    # “无” is a negative word, but for 无安全事故 it is the wanted answer
    assert judge("无安全事故", "无").status == "达成"
    assert judge("无", "无").status == "达成"
    assert judge("无安全事故", "有一起").status == "待判断"


# --------------------------------------------------------------------------- 预算数


@pytest.mark.parametrize("actual", ["未超预算", "未超出", "未超出预算", "预算内", "预算数"])
def test_budget_target_met_by_words(actual):
    assert judge("预算数", actual).status == "达成"


@pytest.mark.parametrize("actual", ["超预算", "超出预算", "超支"])
def test_budget_target_exceeded(actual):
    assert judge("预算数", actual).status == "未达成"


@pytest.mark.parametrize("actual", ["95万元", "98%", "说不清"])
def test_budget_target_otherwise_undecided(actual):
    result = judge("预算数", actual)
    assert result.status == "待判断"
    assert "预算" in result.evidence


# --------------------------------------------------------------------------- 不适用 / empty


@pytest.mark.parametrize("actual", ["3", "完成", "", None, "不适用"])
def test_not_applicable_target(actual):
    result = judge("不适用", actual)
    assert result.status == "不适用"
    assert "不适用" in result.evidence


@pytest.mark.parametrize("target", ["3 场", "≥90%", "完成", "预算数"])
def test_not_applicable_actual(target):
    assert judge(target, "不适用").status == "不适用"


@pytest.mark.parametrize("actual", [None, "", "   ", "\u3000", "—", "/"])
def test_empty_actual(actual):
    result = judge("≥90%", actual)
    assert result.status == "待判断"
    assert "未填写实际完成值" in result.evidence


@pytest.mark.parametrize("target", ["", "abc", "≥", "90%且≤100%", "%%%"])
def test_unparsed_target_is_undecided(target):
    result = judge(target, "95%")
    assert result.status == "待判断"
    assert "无法识别" in result.evidence


def test_float_inputs_are_refused():
    with pytest.raises(TypeError):
        parse_target(0.9)  # type: ignore[arg-type]
    assert parse_target(6).value == D("6")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

STATUSES = {"达成", "未达成", "不适用", "待判断"}

_pieces = st.sampled_from(
    ["≥", "≤", ">", "<", "=", "＞＝", "以上", "以内", "不少于", "%", "％", ",", ".", "-",
     "$\\geq$", "\\%", "场", "平方米", "次", "完成", "未", "不适用", "预算数", "无", " ",
     "１", "0", "9", "99999999999999999999999999999999999", "(", ")", "（", "）", "$"]
)
_texty = st.one_of(st.text(), st.lists(_pieces, max_size=8).map("".join))


@settings(max_examples=400, deadline=None)
@given(_texty, st.one_of(st.none(), _texty))
def test_judge_never_raises(target, actual):
    result = judge(target, actual)
    assert result.status in STATUSES
    assert isinstance(result.evidence, str) and result.evidence
    parsed = parse_target(target)
    assert parsed.kind in {"numeric", "word", "not_applicable", "unparsed"}
    if parsed.kind == "numeric":
        assert isinstance(parsed.value, Decimal) and parsed.op in {">=", "<=", ">", "<", "="}
    if actual is not None:
        value = parse_actual(actual, parsed)
        assert value is None or isinstance(value, Decimal)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
)
def test_percent_judgement_matches_exact_comparison(goal, actual):
    result = judge(f"≥{goal}%", f"{actual}%")
    assert result.status == ("达成" if actual >= goal else "未达成")
    result = judge(f"≤{goal}%", f"{actual}%")
    assert result.status == ("达成" if actual <= goal else "未达成")


def test_a_cell_long_target_is_judged_but_never_held():
    from xlperf.engine import targets

    targets.judge.cache_clear()
    long_text = "≥ 95%" + " " * 5000
    assert targets.judge(long_text, "96%").status == targets.judge("≥ 95%", "96%").status
    assert targets.judge.cache_info().currsize == 1  # only the short pair
