"""A1 helpers: tables of (row, col, "A1") and the edges of the sheet."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlperf.book.a1 import MAX_COL, MAX_ROW, col_index, col_letter, from_a1, parse_range, to_a1

COLUMNS = [
    (1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (28, "AB"), (52, "AZ"), (53, "BA"),
    (702, "ZZ"), (703, "AAA"), (16_384, "XFD"),
]
CELLS = [
    (1, 1, "A1"), (3, 2, "B3"), (10, 26, "Z10"), (100, 27, "AA100"), (MAX_ROW, MAX_COL, "XFD1048576"),
]


@pytest.mark.parametrize("col, letters", COLUMNS)
def test_col_letter_and_index(col, letters):
    assert col_letter(col) == letters
    assert col_index(letters) == col
    assert col_index(letters.lower()) == col
    assert col_index("$" + letters) == col


@pytest.mark.parametrize("row, col, ref", CELLS)
def test_to_and_from_a1(row, col, ref):
    assert to_a1(row, col) == ref
    assert from_a1(ref) == (row, col)
    letters = ref.rstrip("0123456789")
    assert from_a1(f"${letters}${row}") == (row, col)
    assert from_a1(ref.lower()) == (row, col)


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("A1:C5", ((1, 1), (5, 3))),
        ("$B$3:$D$9", ((3, 2), (9, 4))),
        ("C5:A1", ((1, 1), (5, 3))),
        ("A5:C1", ((1, 1), (5, 3))),
        ("B3", ((3, 2), (3, 2))),
    ],
)
def test_parse_range(ref, expected):
    assert parse_range(ref) == expected


@pytest.mark.parametrize("col", [0, -1, MAX_COL + 1, True, 1.0, "A"])
def test_col_letter_rejects(col):
    with pytest.raises(ValueError):
        col_letter(col)


@pytest.mark.parametrize("letters", ["", "XFE", "AAAA", "A1", "Ä", "$", None, "1"])
def test_col_index_rejects(letters):
    with pytest.raises(ValueError):
        col_index(letters)


@pytest.mark.parametrize("ref", ["A0", "A1048577", "XFE1", "1A", "A", "", "A1:B2", "A 1", "R1C1", None])
def test_from_a1_rejects(ref):
    with pytest.raises(ValueError):
        from_a1(ref)


@pytest.mark.parametrize("row, col", [(0, 1), (1, 0), (MAX_ROW + 1, 1), (1, MAX_COL + 1), (True, 1)])
def test_to_a1_rejects(row, col):
    with pytest.raises(ValueError):
        to_a1(row, col)


@pytest.mark.parametrize("ref", ["A1:B2:C3", "A1:", ":B2", "A1:XFE1", 5])
def test_parse_range_rejects(ref):
    with pytest.raises(ValueError):
        parse_range(ref)


@given(st.integers(1, MAX_COL), st.integers(1, MAX_ROW))
def test_round_trip(col, row):
    assert col_index(col_letter(col)) == col
    assert from_a1(to_a1(row, col)) == (row, col)


def test_remembered_answers_never_let_true_pass_as_one():
    # The helpers remember answers per process; 1 and True are equal keys to a plain dict.
    assert (col_letter(1), to_a1(1, 1), parse_range("A1")) == ("A", "A1", ((1, 1), (1, 1)))
    for call in (lambda: col_letter(True), lambda: to_a1(True, 1), lambda: to_a1(1, True)):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):  # unhashable: a ValueError like any bad ref, not the memo's TypeError
        parse_range(["A1"])
