"""xlperf: fill, score and verify 部门/单位整体支出绩效评价 workbooks."""

__version__ = "0.3.0"
