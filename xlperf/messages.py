"""The wording of every user-facing problem and finding, in one table (Chinese)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # Inputs
    "REQUIRED": "必填项“{label}”未填写",
    "NOT_NUMBER": "“{label}”应为数字，实际为“{value}”",
    "NOT_INTEGER": "“{label}”应为整数，实际为“{value}”",
    "NOT_BOOL": "“{label}”应为“是”或“否”，实际为“{value}”",
    "NOT_DATE": "“{label}”应为日期，实际为“{value}”",
    "ERROR_VALUE": "“{label}”是错误值 {value}，请改为数字",
    "NEGATIVE": "“{label}”不能为负数，实际为 {value}",
    "RATE_TOO_LARGE": "“{label}”为 {value}，超出合理范围；百分比请按 98.7% 或 0.987 填写，不要填 98.7",
    "RATE_ABOVE_100": "“{label}”为 {value}，即超过 100%，而它是一个整体中的比例；百分比请按 98.7% 或 0.987 填写",
    "OUT_OF_RANGE": "“{label}”为 {value}，超出合理范围，应为{expected}",
    "NOT_EXACT": "“{label}”是二进制浮点数 {value}，不精确；请以文本（如 \"1.5\"）或 Decimal 给出",
    "PERCENT_TYPED_AS_NUMBER": "“{label}”填了 {value}，像是把百分比写成了数字；请填 {value}% 或 {fraction}",
    "YEAR_RANGE": "年度“{value}”不在 1990–2100 之间",
    "QUARTERS": "季度数据应为 4 个，实际为 {value} 个",
    "IN_USE_EXCEEDS": "在用固定资产（{value}）超过固定资产总计（{total}）",
    "COUNT_EXCEEDS": "“{label}”（{value}）超过总数（{total}）",
    "SURVEY_INCOMPLETE": "满意度调查“{value}”需填写满意率，或同时填写调查人数与满意人数",
    "CHOICE": "“{label}”应为 {choices} 之一，实际为“{value}”",
    "EVALUATOR_MISSING": "评价人未填写“{label}”所需的评价项（{key}），暂按未满足计分",
    "EVALUATOR_TICKS": "“{label}”应勾选 {expected} 项，实际为 {value} 项",
    "EVALUATOR_POINTS_RANGE": "“{label}”评分 {value} 超出 0–{expected} 分",
    "EVALUATOR_CHOICE": "“{label}”应为 {choices} 之一，实际为“{value}”",
    "EVALUATOR_UNKNOWN_ITEM": "评分调整中的三级指标编号“{value}”在指标体系中不存在",
}

FINDINGS: dict[str, str] = {
    "SUM_MISMATCH": "{what}：分项合计 {parts} 与填报合计 {total} 相差 {diff}，超出四舍五入允许的 ±{tolerance}",
    "STATED_MISMATCH": "{what}：报告数 {stated} 与重新计算的 {computed} 不符，按四舍五入前的金额最多可得 {low}–{high}",
    "OVERSPENT": "{what}：支出 {spent} 超过预算 {budget}",
    "QUARTER_DECREASE": "第 {q} 季度末累计支出 {value} 低于上一季度的 {previous}，累计数不应减少",
    "ZERO_DENOMINATOR": "“{what}”的分母为 0，无法计算比率；{handling}",
    "COUNT_MISMATCH": "{what}：分项合计 {parts} 与总数 {total} 不一致",
    "POINTS_WITHOUT_REASON": "“{item}”得分 {points} 低于满分 {max}，但未填写扣分理由",
    "POINTS_DIFFER_FROM_DATA": "“{item}”评价人给分 {given} 与数据推算的 {implied} 不一致，且未说明理由",
    "TARGET_MISSED": "绩效目标“{name}”未达成：{evidence}",
    "TARGET_UNJUDGED": "绩效目标“{name}”需人工判断：{evidence}",
    "PROJECT_STATUS_DATES": "项目“{name}”状态为“{status}”，但计划完成 {planned}、实际完成 {actual}",
    "PROJECT_OVERSPENT": "项目“{name}”支出 {spent} 超过预算 {budget}",
}


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return ""


def message(code: str, *, field: str = "", label: str = "", **values: object) -> str:
    """The Chinese text of an input problem; ``label`` defaults to the field's label."""
    from .fields import label_of

    template = MESSAGES.get(code) or FINDINGS[code]
    return template.format_map(_Blanks(values, label=inner_quotes(label or label_of(field))))


def inner_quotes(text: str) -> str:
    """Quotes inside a quoted label become single quotes: “‘三公’经费预算数”, not ““三公”经费预算数”."""
    return text.replace("“", "‘").replace("”", "’")


def finding_text(code: str, **values: object) -> str:
    return FINDINGS[code].format_map(_Blanks(values))
