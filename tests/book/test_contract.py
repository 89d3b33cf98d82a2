"""The book contract (contract.py) holds for the zip book and the memory book alike."""

from __future__ import annotations

import pytest

from contract import check_reads, check_writes, make_contract_workbook
from xlperf.workbook.zipbook import ZipBook


@pytest.fixture
def workbook(tmp_path):
    return make_contract_workbook(tmp_path / "contract.xlsx")


@pytest.fixture(params=["zip", "memory"])
def kind(request):
    return request.param


def open_book(kind, path, out):
    book = ZipBook.open(path, out)
    return book if kind == "zip" else book.to_memory()


def test_reads(kind, workbook, tmp_path):
    check_reads(open_book(kind, workbook, tmp_path / "out.xlsx"))


def test_writes(kind, workbook, tmp_path):
    out = tmp_path / "out.xlsx"
    check_writes(open_book(kind, workbook, out), lambda b: ZipBook.open(out) if kind == "zip" else b)
