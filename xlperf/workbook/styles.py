"""Cell styles, number formats and data validation of the template workbook (openpyxl objects).

Kept apart from the placement logic in ``template.py``: these say how a cell of
a given field kind looks and what it accepts, never where it is.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..engine.bounds import DATE_WINDOW
from ..engine.inputs import MAX_SENSIBLE_RATE

# Fonts: 宋体 is on every Chinese Windows/WPS install; other systems substitute a CJK font.
FONT_NAME = "宋体"
BODY = Font(name=FONT_NAME, size=10)
BOLD = Font(name=FONT_NAME, size=10, bold=True)
BLOCK_TITLE = Font(name=FONT_NAME, size=12, bold=True)
SHEET_TITLE = Font(name=FONT_NAME, size=16, bold=True)
NOTE = Font(name=FONT_NAME, size=9, italic=True, color="595959")
HIDDEN_KEY = Font(name=FONT_NAME, size=10, color="808080")

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: type here
OUTPUT_FILL = PatternFill("solid", fgColor="DDEBF7")  # pale blue: written by xlperf
NO_FIELD_FILL = PatternFill("solid", fgColor="BFBFBF")  # grey: no such field
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")

THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
CENTER = Alignment(horizontal="center", vertical="center")
LEFT_CENTER = Alignment(vertical="center")

# Number format per field kind (the kind without its optional "?").
NUMBER_FORMATS = {
    "amount": "#,##0.00",
    "rate": "0.00%",
    "count": "0",
    "int": "0",
    "date": "yyyy-mm-dd",
    "text": "@",
    "bool": "@",
    "points": "0.00",
}
SCORE_FORMAT = "0.00"

YES_NO = ("是", "否")

# Bounds: 98.6 typed in a % cell is 98.6 % (0.986) only where Excel's automatic percent entry is on; in
# LibreOffice and WPS it is 98.6, above RATE_MAX and refused — the engine's one limit. So the hints ask for
# 98.6% or 0.986, which every program stores as 0.986.
RATE_MAX = str(MAX_SENSIBLE_RATE)
# The engine's DATE_WINDOW as Excel serials: 36526 (2000-01-01) and 73050 (2099-12-31).
DATE_MIN, DATE_MAX = ((day - dt.date(1899, 12, 30)).days for day in DATE_WINDOW)
AMOUNT_LIMIT = "1E+12"


def kind_base(kind: str) -> str:
    return kind.rstrip("?")


# Excel's column width unit is the digit width of the default font (Calibri 11: 7 px). A 10 pt
# CJK glyph is 13.3 px, a 10 pt Latin glyph about half that: 1.9 and 1.0 units, rounded up a little.
CJK_UNITS = 2.0
LATIN_UNITS = 1.05


def text_width(text: object) -> float:
    """Column width (Excel character units) that shows ``text`` of 10 pt on one line."""
    lines = str(text if text is not None else "").split("\n")
    return max(sum(CJK_UNITS if unicodedata.east_asian_width(ch) in "WFA" else LATIN_UNITS for ch in line)
               for line in lines)


LINE_HEIGHT = 13.5  # points per line of 10 pt text
ROW_PADDING = 3.0


def wrapped_lines(text: object, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` characters wide (a slightly generous estimate)."""
    usable = max(width - 0.8, 1.0)
    lines = 0
    for para in str(text if text is not None else "").split("\n"):
        need = text_width(para)
        lines += max(1, -int(-need // usable))
    return lines


def _dv(type_: str, title: str, prompt: str, error: str, *, operator: str | None = None,
        formula1: str | None = None, formula2: str | None = None) -> DataValidation:
    return DataValidation(
        type=type_, operator=operator, formula1=formula1, formula2=formula2, allow_blank=True,
        showInputMessage=True, showErrorMessage=True, errorStyle="stop",
        promptTitle=title[:32], prompt=prompt[:255], errorTitle="输入有误"[:32], error=error[:255],
    )


def list_validation(options: tuple[str, ...] | list[str], title: str = "请选择") -> DataValidation:
    shown = "、".join(options)
    formula = '"' + ",".join(options) + '"'
    return _dv("list", title, f"从下拉列表选择：{shown}。", f"只能填写：{shown}。", formula1=formula)


def kind_validation(kind: str, *, signed: bool = False) -> DataValidation | None:
    """The validation for a field kind; None for free text."""
    kind = kind_base(kind)
    if kind == "amount":
        if signed:
            return _dv("decimal", "金额（万元）", "填写金额，单位万元；减少或收回填负数，如 -23.75。",
                       "请填写数字（单位：万元），减少填负数。", operator="between",
                       formula1=f"-{AMOUNT_LIMIT}", formula2=AMOUNT_LIMIT)
        return _dv("decimal", "金额（万元）", "填写金额，单位万元，保留两位小数，如 1936.12。",
                   "请填写不小于 0 的数字（单位：万元）。", operator="greaterThanOrEqual", formula1="0")
    if kind == "rate":
        return _dv("decimal", "百分比", "填 98.6% 或 0.986：百分数请连同 % 号输入。",
                   "比率应在 0%–150% 之间。请连同 % 号输入百分数，如 98.6%，或填小数 0.986。",
                   operator="between", formula1="0", formula2=RATE_MAX)
    if kind == "count":
        return _dv("whole", "整数", "填写不小于 0 的整数。", "请填写不小于 0 的整数。",
                   operator="greaterThanOrEqual", formula1="0")
    if kind == "int":
        return _dv("whole", "年度", "填写四位年份，如 2024。", "请填写 2000–2099 之间的四位年份。",
                   operator="between", formula1="2000", formula2="2099")
    if kind == "bool":
        return list_validation(YES_NO, "是 / 否")
    if kind == "date":
        return _dv("date", "日期", "填写日期，如 2024-12-31。", "请填写 2000-01-01 至 2099-12-31 之间的日期（yyyy-mm-dd）。",
                   operator="between", formula1=str(DATE_MIN), formula2=str(DATE_MAX))
    return None


def points_validation(max_points: str) -> DataValidation:
    return _dv("decimal", "评价人评分", f"填写 0–{max_points} 分，可保留两位小数。",
               f"得分应在 0 到 {max_points} 分之间。", operator="between", formula1="0", formula2=str(max_points))


def stated_rate_validation() -> DataValidation:
    """Rates as stated in a report: changes can be negative; 98.6 typed as a plain number is still refused."""
    return _dv("decimal", "报告数（百分比）", "填写报告中写明的比率，如 98.7% 或 0.987，减少填负数；报告没有写明的留空。",
               "比率应在 -100% 到 500% 之间，请连同 % 号输入百分数，如 98.7%。", operator="between", formula1="-1",
               formula2="5")
