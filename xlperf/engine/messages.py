"""The wording of every user-facing problem and finding, in one table (Chinese)."""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal

from ..terminal import UNSAFE
from .shown import plain

MESSAGES: dict[str, str] = {
    # Inputs
    "REQUIRED": "必填项“{label}”未填写",
    "NOT_NUMBER": "“{label}”应为数字，实际为“{value}”{advice}",
    "AMOUNT_IN_YUAN": "“{label}”以万元为单位，实际填了“{value}”；请换算为万元（{conversion}）后只填数字",
    "NOT_INTEGER": "“{label}”应为整数，实际为“{value}”{advice}",
    "NOT_BOOL": "“{label}”应为“是”或“否”，实际为“{value}”",
    "NOT_DATE": "“{label}”应为日期（如 2024-12-31 或 2024年12月31日），实际为“{value}”{advice}",
    "DATE_RANGE": ("“{label}”为 {value}，不在 2000-01-01 至 2099-12-31 之间；2024.6 这样的数字会被读作 1905 年的日期，"
                   "请填写完整日期，如 2024-06-30"),
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
    "EVALUATOR_MISSING": "评价人未填写“{label}”的{what}（编号 {key}），{handling}",
    "EVALUATOR_TICKS": "“{label}”应勾选 {expected} 项，实际为 {value} 项",
    "EVALUATOR_POINTS_RANGE": "“{label}”为 {value}，超出 0–{expected} 分",
    "EVALUATOR_CHOICE": "“{label}”应为 {choices} 之一，实际为“{value}”",
    "EVALUATOR_UNKNOWN_ITEM": "评分调整中的三级指标编号“{value}”在指标体系中不存在",
    # Reading a workbook (the book layer)
    "FORMULA_NOT_CALCULATED": "“{label}”是公式（{value}），但文件中没有它的计算结果（文件可能由其他程序生成）；"
                              "请在 Excel/WPS 中打开并保存后再试",
    "TEXT_TOO_LONG": "单元格中的文字有 {length} 个字符，超过 Excel 单元格上限 {limit}，文件可能已损坏；请检查并改正该单元格",
    "NOT_TEMPLATE": "这不是 xlperf 模板生成的工作簿（缺少模板版本标记 {name}）；请用 `xlperf template` 生成模板后填写",
    "TEMPLATE_OLDER": "这是旧版模板（{value}），本程序使用 {expected}：请用 `xlperf template -o 新模板.xlsx` 生成新模板，"
                      "把各工作表中填写的数据复制到新模板后再评分",
    "TEMPLATE_NEWER": "这是较新版本的模板（{value}），本程序只认识 {expected}：请升级 xlperf 后再评分",
    "TEMPLATE_VERSION": "模板版本为“{value}”，本程序需要“{expected}”；请用 `xlperf template` 生成的模板重新填写",
    "MISSING_SHEET": "缺少工作表“{name}”；请勿删除模板中的工作表（改名不影响读取），可用 `xlperf template` 重新生成模板后把数据复制过去",
    "MISSING_NAME": "缺少定义名称 {name}（“{label}”，应在工作表“{sheet_name}”）",
    "MISSING_TABLE": ("工作表“{sheet_name}”中缺少 Excel 表格 {name}（可能被删除或“转换为区域”），也找不到它的表头行；"
                      "请从模板复制该工作表后重新填写"),
    "MISSING_COLUMN": ("工作表“{sheet_name}”的列表表头中没有“{column}”列（表头文字被清除或改动过）；"
                       "请把表头恢复为模板中的文字“{column}”"),
    "TABLE_TOO_LONG": "表格 {name} 有 {rows} 行，超过上限 {max_rows} 行；请删除多余的空行后再试",
    "TABLE_TOO_WIDE": "表格 {name} 有 {columns} 列，超过上限 {max_columns} 列；请删除多余的列后再试",
    "LIST_TOO_LONG": "列表连同其下方紧接着填写的行超过 {max_rows} 行；请检查是否粘贴了多余的内容，列表结束处请留一个空行",
    "MISSING_OUTPUT": "模板缺少输出位置 {name}；请用 `xlperf template` 重新生成模板",
    "NO_SYSTEM_ID": "工作簿中缺少指标体系标记（定义名称 {name}）；请用 `xlperf template` 生成的模板填写，或用 --system 指定指标体系",
    "SYSTEM_ID_EMPTY": "模板没有记录指标体系编号（该单元格为空）；请用 `xlperf template` 重新生成模板，或用 --system 指定指标体系",
    "BAD_SYSTEM_ID": "模板记录的指标体系编号“{value}”无效（只能是编号，如 shenzhen-2024，不能是文件路径）",
    "UNKNOWN_SYSTEM": "{reason}",
    "SYSTEM_MISMATCH": "模板按指标体系“{value}”生成，不能按“{expected}”评分；请用对应的模板，"
                       "或用 `xlperf template --system` 重新生成",
    # Writing a workbook file
    "WOULD_OVERWRITE": "输出文件与输入文件相同（{name}）；如确需覆盖原文件，请加 --in-place",
    "OUTPUT_FOREIGN": ("输出位置已有文件 {name}，它不是 xlperf 写出的已评分工作簿（可能是某个单位的填报表或其他文件），"
                       "未覆盖；请换一个输出文件名（-o），或先移走它"),
    "OUTPUT_SUFFIX": "输入是{kind}，输出文件须以 {wanted} 结尾（{name}）；扩展名与格式不符的文件 Excel 无法打开",
}

FINDINGS: dict[str, str] = {
    "SUM_MISMATCH": "{what}：分项合计 {parts} 与填报合计 {total} 相差 {diff}，超出四舍五入允许的 ±{tolerance}",
    "STATED_MISMATCH": "{what}：报告数 {stated} 与重新计算的 {computed} 不符，按四舍五入前的金额最多可得 {low}–{high}",
    "OVERSPENT": "{what}：支出 {spent} 超过预算 {budget}",
    "QUARTER_DECREASE": "第 {q} 季度末累计支出 {value} 低于上一季度的 {previous}，累计数不应减少",
    "ZERO_DENOMINATOR": "“{what}”无法计算：{denominator}为 0；{handling}",
    "COUNT_MISMATCH": "{what}：分项合计 {parts} 与总数 {total} 不一致",
    "POINTS_WITHOUT_REASON": "“{item}”得分 {points} 低于满分 {max}，但未填写扣分理由",
    "POINTS_DIFFER_FROM_DATA": ("“{item}”的调整后得分 {given} 未采用：没有填写调整理由，本项仍按数据推算的 {implied} 分计；"
                                "如需调整，请在“调整理由”中写明理由"),
    "FULL_DESPITE_DATA": "“{item}”：{reason}",
    "INDICATOR_MISSING": "“{item}”所需的指标“{indicator}”缺少计算所需的数据（如上年预算），按 0 分计",
    "TARGET_MISSED": "绩效目标“{name}”未达成：{evidence}",
    "TARGET_UNJUDGED": "绩效目标“{name}”需人工判断：{evidence}",
    "PROJECT_STATUS_DATES": "项目“{name}”状态为“{status}”，但计划完成 {planned}、实际完成 {actual}",
    "PROJECT_OVERSPENT": "项目“{name}”支出 {spent} 超过预算 {budget}",
    # Empty and conflicting data (gaps.py): the points rest on an empty input, not on a fact.
    "PROJECTS_MISSING": "项目支出为 {amount} 万元，但项目清单未填写任何项目；“{item}”无从计算，请补填项目清单",
    "KEY_TASKS_MISSING": "重点工作清单未填写任何重点工作；“{item}”按无未完成项计满分，请核实是否确无重点工作",
    "SURVEY_MISSING": "未填写满意度调查；“{item}”按 0 分计，请补填满意度调查结果",
    "STAFF_EMPTY": "核定编制数与在编人数均为 0；“{item}”按 0 ÷ 0 计分，请核实人员数据",
    "SURVEY_RATE_MISMATCH": "满意度调查“{name}”填写的满意率 {rate} 与满意人数 ÷ 调查人数（{satisfied} ÷ {respondents} = "
                            "{counted}）不符；按填写的满意率计分",
    "FLAG_WITHOUT_REASON": "“{item}”勾选了“{flag}”，但未写明理由；该标记决定整项得分，请在“理由或说明”中写明",
}


# A value a message shows stays on its line: a newline typed in a cell (Alt+Enter), or any character the
# terminal escapes (README), is shown as \uXXXX, so a list of problems or findings keeps one to a line, in
# the terminal, in --json and on the 校验结果 sheet alike.
_ONE_LINE = {cp: f"\\u{cp:04x}" for cp in (*UNSAFE, 0x0A)}


def one_line(text: str) -> str:
    """Text with its line breaks and control characters shown as \\uXXXX: "按期\\n完成" → "按期\\u000a完成"."""
    return text if text.isprintable() else text.translate(_ONE_LINE)


class _Blanks(dict):
    """Missing keys read as blanks; every number is in plain notation (50, never 5E+1); a value the
    template quotes (“{name}”) has its own quotes made single, so no name comes out as ““三公”…”; every
    text is on one line (one_line)."""

    def __init__(self, template: str, values: dict, **more: object):
        quoted = _quoted(template)
        super().__init__({k: one_line(inner_quotes(v) if k in quoted else v) if isinstance(v, str) else text_of(v)
                          for k, v in {**values, **more}.items()})

    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=512)  # the templates are this module's own few dozen
def _quoted(template: str) -> frozenset[str]:
    """The names a template puts in quotes (“{name}”)."""
    return frozenset(re.findall(r"“\{(\w+)\}”", template))


def text_of(value: object) -> object:
    """A value as a person reads it: a Decimal in plain notation with the precision it was given."""
    return plain(value) if isinstance(value, Decimal) and value.is_finite() else value


def message(code: str, *, field: str = "", label: str = "", **values: object) -> str:
    """The Chinese text of an input problem; ``label`` defaults to the field's label."""
    from .fields import label_of

    template = MESSAGES.get(code) or FINDINGS[code]
    return template.format_map(_Blanks(template, values, label=label or label_of(field)))


def inner_quotes(text: str) -> str:
    """Quotes inside a quoted label become single quotes: “‘三公’经费预算数”, not ““三公”经费预算数”."""
    return text.replace("“", "‘").replace("”", "’")


def finding_text(code: str, **values: object) -> str:
    return FINDINGS[code].format_map(_Blanks(FINDINGS[code], values))
