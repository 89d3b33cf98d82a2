"""The 依据 (inputs) text of each figure: formatted once per cited cell and per shared list, the same text
as formatting every figure on its own."""

from decimal import Decimal
from pathlib import Path

from xlperf.book import fill as book_fill
from xlperf.book.outputs import _CitedText
from xlperf.engine.indicators import Indicator, Used
from xlperf.engine.money import amount_text, percent_text
from xlperf.workbook.zipbook import ZipBook

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-2024.xlsx"


def by_definition(ind: Indicator, read) -> str:
    """Each cited input as "label value（sheet!cell）", joined with "；", formatted here without any memo."""
    parts = []
    for path, label, value in ind.used:
        if isinstance(value, Decimal):
            shown = percent_text(value) if "rate" in path or "progress" in path else amount_text(value)
        elif isinstance(value, bool):
            shown = "是" if value else "否"
        else:
            shown = str(value)
        where = read.cell_of(path)
        parts.append(f"{label} {shown}（{where[0]}!{where[1]}）" if where else f"{label} {shown}")
    return "；".join(parts)


def test_one_memo_for_all_figures_gives_each_figure_its_own_text():
    scored = book_fill.compute(ZipBook.open(EXAMPLE))
    indicators = list(scored.result.indicators.values())
    # The case the memo is for: figures citing one list object (the projects, the key tasks) and one cell.
    shared = [a.id for a in indicators for b in indicators if a is not b and a.used and a.used is b.used]
    assert shared
    cited = _CitedText(scored.read)
    texts = {ind.id: cited.of(ind) for ind in indicators}
    for ind in indicators:
        assert texts[ind.id] == by_definition(ind, scored.read), ind.id
    assert any("（" in t for t in texts.values())  # cells were located, not only labels written


def test_a_path_cited_with_another_value_gets_its_own_text():
    one = Indicator("a", "甲", Decimal(1), "amount", "", (Used("budget.adjusted.total", "调整后预算合计", Decimal("10.5")),))
    other = Indicator("b", "乙", Decimal(1), "amount", "", (Used("budget.adjusted.total", "调整后预算合计", Decimal("11")),))
    flag = Indicator("c", "丙", Decimal(1), "count", "", (Used("budget.adjusted.total", "调整后预算合计", True),))
    cited = _CitedText(None)
    assert [cited.of(i) for i in (one, other, one, flag)] == [
        "调整后预算合计 10.50", "调整后预算合计 11.00", "调整后预算合计 10.50", "调整后预算合计 是"]
