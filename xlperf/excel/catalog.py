"""What xlperf offers inside Excel: the six actions and the worksheet functions, in one list.

The ribbon XML, the VBA under macros/, the buttons and the lists on the 说明 sheet, the Lite
scripts and the guide all name these; tests check that they agree. Pure data: the template
builder reads it without xlwings installed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    caption: str  # the button and ribbon caption
    macro: str  # the VBA macro a sheet button runs (macros/Xlperf.bas)
    callback: str  # the ribbon callback (macros/XlperfRibbon.bas)
    python: str  # the RunPython command; "" where xlwings' own ImportPythonUDFs does the work
    what: str


ENTRY = "import xlperf.excel; xlperf.excel."

ACTIONS = (
    Action("重新计算", "XlperfRecompute", "XlperfRibbonRecompute", ENTRY + "recompute()",
           "读取各填报表，计算指标和得分，写入计算指标、评分表、校验结果和计算记录。"),
    Action("仅校验", "XlperfCheck", "XlperfRibbonCheck", ENTRY + "check()",
           "只检查填报数据并写入校验结果；计算指标和评分表不动。"),
    Action("清除结果", "XlperfClear", "XlperfRibbonClear", ENTRY + "clear()",
           "清空计算指标、评分表、校验结果和计算记录中 xlperf 写入的内容；填报数据不动。"),
    Action("核对", "XlperfVerify", "XlperfRibbonVerify", ENTRY + "verify()",
           "按计算记录重新计算并比对：填报数据或结果在计算后被改动时列出改动的单元格。"),
    Action("新建空白模板", "XlperfNewTemplate", "XlperfRibbonNewTemplate", ENTRY + "new_template()",
           "在本文件所在文件夹生成同一指标体系、同一年度的空白模板（文件名带“空白模板”）。"),
    Action("导入工作表函数", "XlperfImportFunctions", "XlperfRibbonImportFunctions", "",
           "导入下面列出的 XLPERF_ 工作表函数（需要在信任中心勾选“信任对 VBA 工程对象模型的访问”）。"),
)


@dataclass(frozen=True)
class Function:
    name: str  # the Python function in xlperf.excel.udfs; Excel shows it in capitals
    signature: str
    what: str
    example: str  # a formula with literal arguments, and what it returns
    returns: str


FUNCTIONS = (
    Function("xlperf_rate", "XLPERF_RATE(分子, 分母)",
             "比率 = 分子 ÷ 分母，按报告口径四舍五入到 0.01%（结果为小数，设成百分比格式显示）。",
             "=XLPERF_RATE(1912.34, 1936.12)", "0.9877（即 98.77%）"),
    Function("xlperf_band", "XLPERF_BAND(指标编号, 比率)",
             "本工作簿指标体系中，该指标（分档计分）的比率所在的档次。",
             '=XLPERF_BAND("sangong_control_rate", 0.95)', "[90%, 100%]"),
    Function("xlperf_points", "XLPERF_POINTS(指标编号, 比率)",
             "该指标按比率计得的分数（分档、按比率或按超出幅度计分的指标），两位小数。",
             '=XLPERF_POINTS("sangong_control_rate", 0.95)', "2"),
    Function("xlperf_quarterly", "XLPERF_QUARTERLY(一季度进度, 二季度进度, 三季度进度, 四季度进度)",
             "由四个季度末支出进度算出的预算执行率得分（各季度执行率封顶 100%）。",
             "=XLPERF_QUARTERLY(0.25, 0.5, 0.75, 1)", "6"),
    Function("xlperf_item", "XLPERF_ITEM(评分项编号)",
             "按工作簿中当前填报的数据计算的该评分项得分（不写入任何单元格）。",
             '=XLPERF_ITEM("procurement")', "1.89（示例数据）"),
)
