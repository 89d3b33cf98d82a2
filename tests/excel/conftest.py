"""Fixtures of the Excel-front tests: the strict fake's spec, the example as Excel holds and saves it, its headless fill."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import xwfake  # noqa: E402
from excelfront import EXAMPLE, excel_with, save_like_excel  # noqa: E402

from xlperf.workbook.fill import fill as headless_fill  # noqa: E402
from xlperf.workbook.zipbook import ZipBook  # noqa: E402


@pytest.fixture(scope="module")
def spec():
    return xwfake.spec_from_xlwings()


@pytest.fixture(scope="module")
def example_memory():
    return ZipBook.open(EXAMPLE).to_memory()


@pytest.fixture(scope="module")
def saved_example(tmp_path_factory, spec, example_memory) -> Path:
    """The example as Excel would save it untouched: every number written back from its double."""
    return save_like_excel(excel_with(spec, example_memory), tmp_path_factory.mktemp("saved") / "example.xlsx")


@pytest.fixture(scope="module")
def headless(tmp_path_factory, saved_example):
    out = tmp_path_factory.mktemp("headless") / "filled.xlsx"
    headless_fill(saved_example, out)
    return ZipBook.open(out).to_memory()
