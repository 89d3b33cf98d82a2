"""quick_plain answers only where plain would answer the same with no problem; the rest it hands back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xlperf.book.reader import CLOSER_LOOK, MAX_CELL_TEXT, plain, quick_plain
from xlperf.book.protocol import ErrorValue

VALUES = [None, "项目", "  ", "", "x" * (MAX_CELL_TEXT + 1), Decimal("12.5"), Decimal("-3"), Decimal("98.7"),
          Decimal("0.987"), Decimal("1E+999999999"), Decimal("NaN"), Decimal("-Infinity"), True, 45292, dt.date(2024, 1, 1), 1.5]
KINDS = ["amount", "amount?", "rate", "rate?", "count", "int", "text", "text?", "bool", "date?"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_quick_answer_is_plains_answer(value, kind):
    problems: list = []
    full = plain(value, kind, ("项目清单", "B5"), "projects[0].name", problems)
    quick = quick_plain(value, kind)
    if quick is not CLOSER_LOOK:
        assert quick == full and type(quick) is type(full)
        assert problems == []


@pytest.mark.parametrize("value, kind", [("x" * (MAX_CELL_TEXT + 1), "text"), (Decimal("98.7"), "rate"),
                                         (Decimal("1E+999999999"), "amount"), (ErrorValue("#DIV/0!"), "amount")])
def test_values_with_a_problem_get_the_closer_look(value, kind):
    # These record a problem that names the cell: the quick path must never swallow them.
    assert quick_plain(value, kind) is CLOSER_LOOK
    problems: list = []
    plain(value, kind, ("项目清单", "B5"), "projects[0].amount", problems)
    assert problems and (problems[0].sheet, problems[0].cell) == ("项目清单", "B5")


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")], ids=str)
@pytest.mark.parametrize("kind", KINDS)
def test_a_number_that_is_no_number_is_refused_with_its_cell(value, kind):
    # The codec never reads one from a file; a book adapter passing one on gets a problem, not a traceback.
    problems: list = []
    assert plain(value, kind, ("项目清单", "C7"), "projects[2].budget", problems) is None
    [problem] = problems
    assert (problem.code, problem.sheet, problem.cell, problem.field) == ("NOT_NUMBER", "项目清单", "C7", "projects[2].budget")
