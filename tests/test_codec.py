"""The value codec: a number cell means what the spreadsheet shows (15 significant digits, then exact)."""

from decimal import Decimal

import pytest

from xlperf.book import codec


@pytest.mark.parametrize("stored, shown", [
    ("0.57999999999999996", "0.58"),      # Excel's 17-digit text for 0.58
    ("8.300000000000001", "8.3"),         # openpyxl's %.16g of Decimal("8.3")
    ("0.9", "0.9"),
    ("0.89999999999999991", "0.9"),       # repr(0.9 - 1 ulp) rounds back at 15 digits
    ("123456.78", "123456.78"),
    ("1E-3", "0.001"),
    ("  42 ", "42"),
    ("1e20", "100000000000000000000"),    # plain digits, never 1E+20
    ("-0", "0"),
    ("0.1234567890123456789", "0.123456789012346"),  # digits past the 15th are noise
])
def test_number_text_reads_the_double_at_15_digits(stored, shown):
    got = codec.from_number_text(stored)
    assert got == Decimal(shown) and str(got) == shown


def test_float_goes_the_same_way():
    # What COM hands Python for a cell showing 90%: 8.1 / 9 in binary.
    assert codec.from_float(8.1 / 9) == Decimal("0.9")
    assert codec.from_float(0.1 + 0.2) == Decimal("0.3")
    assert codec.from_float(float(format(0.58, ".17g"))) == Decimal("0.58")


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "-Infinity", "1_000", "1,5"])
def test_not_a_number(bad):
    with pytest.raises(codec.NotANumber):
        codec.from_number_text(bad)


@pytest.mark.parametrize("stored", ["1E+400", "-1E+999999999", "1e-400"])
def test_text_beyond_a_double_stays_exact_for_the_range_checks(stored):
    # float() would make these inf or 0: the range check must see what the file says.
    assert codec.from_number_text(stored) == Decimal(stored)


def test_the_largest_double_in_plain_digits():
    # 1.7976931348623157e308 at 15 digits, written out without an exponent (309 digits).
    got = codec.from_number_text("1.7976931348623157e308")
    assert str(got) == "179769313486232" + "0" * 294


def test_sheet_number_texts_are_remembered_only_when_short():
    # A hostile <v> may hold a megabyte of digits: decoded as ever, never held by the per-process memo.
    from xlperf.workbook import cellvalues

    long_text = "1" * 5000
    cellvalues._decoded.cache_clear()
    assert cellvalues._number(long_text, "sheet1.xml", "A1") == Decimal(long_text)
    assert cellvalues._decoded.cache_info().currsize == 0
    assert cellvalues._number("0.57999999999999996", "sheet1.xml", "A1") == Decimal("0.58")
    assert cellvalues._decoded.cache_info().currsize == 1
