"""A workbook in the 1904 date system (Mac Excel's option, <workbookPr date1904="1"/>).

Its date cells hold serials counted from 1904-01-01, 1,462 days fewer than the same day's serial in the
1900 system. They were read as 1900-system serials, so every date came out 1,462 days (four years and a
day) early: a planned 2024-12-31 was read as 2020-12-30. Dates compared with each other moved together,
but a date typed as text does not move: a project planned for 2024-12-31 (a date cell) and finished
2024-11-30 (typed as text) was reported as finished late although its status says 按期完成.

Hand derivation of the serials: 2024-12-31 − 1904-01-01 = 44,195 days (1900 system: 45,657 = 44,195 +
1,462); 2024-06-30 − 1904-01-01 = 44,011 days; 2024-09-30 − 1904-01-01 = 44,103 days.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from xlperf.book.memory import MemoryBook
from xlperf.workbook.fill import fill, verify
from xlperf.workbook.zipbook import ZipBook

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# The example's one project row: 项目!A3:F3, 计划完成日期 in E, 实际完成日期 in F, status 按期完成.


def mac_book(tmp_path: Path, planned: object, actual: object, *, date1904: bool = True) -> Path:
    """The example with its project's dates set, saved in the 1904 date system (openpyxl stores a date
    as the serial of the workbook's epoch and writes workbookPr date1904)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb["项目"]
    ws["E3"], ws["F3"] = planned, actual
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    return path


def late_findings(result) -> list[str]:
    return [f.message for f in result.findings if f.code == "PROJECT_STATUS_DATES"]


def test_the_file_says_which_date_system_it_uses(tmp_path):
    assert ZipBook.open(mac_book(tmp_path, dt.date(2024, 12, 31), None)).date1904 is True
    assert ZipBook.open(mac_book(tmp_path, dt.date(2024, 12, 31), None, date1904=False)).date1904 is False
    assert ZipBook.open(EXAMPLE).date1904 is False
    assert MemoryBook().date1904 is False


def test_the_serial_is_stored_in_the_1904_system(tmp_path):
    """The premise: the cell holds 44,195, not 45,657 (otherwise the test below proves nothing)."""
    book = ZipBook.open(mac_book(tmp_path, dt.date(2024, 12, 31), None))
    table = book.tables()["xp_projects"]
    assert str(book.read(table.area)[1][4]) == "44195"


def test_a_date_cell_and_a_date_typed_as_text_agree(tmp_path):
    """Planned 2024-12-31 (a date cell), finished 2024-11-30 (text), 按期完成: on time, no finding.
    Read as a 1900 serial the plan was 2020-12-30, and the project was reported as finished late."""
    filled = fill(mac_book(tmp_path, dt.date(2024, 12, 31), "2024-11-30"), tmp_path / "out.xlsx")
    assert filled.result.inputs.projects[0].planned_finish == dt.date(2024, 12, 31)
    assert late_findings(filled.result) == []
    assert verify(tmp_path / "out.xlsx").status == "unchanged"


def test_findings_show_the_dates_the_workbook_shows(tmp_path):
    """Both dates as cells, the project finished three months late although 按期完成."""
    filled = fill(mac_book(tmp_path, dt.date(2024, 6, 30), dt.date(2024, 9, 30)), tmp_path / "out.xlsx")
    [message] = late_findings(filled.result)
    assert "计划完成 2024-06-30、实际完成 2024-09-30" in message


@pytest.mark.parametrize("flag, expected", [("1", True), ("true", True), ("0", False), ("false", False)])
def test_each_spelling_of_the_flag(tmp_path, flag, expected):
    """xsd:boolean: Excel writes 1, LibreOffice and openpyxl write true; both are read."""
    import zipfile

    source = mac_book(tmp_path, dt.date(2024, 12, 31), None)
    out = tmp_path / f"flag-{flag}.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode()
                assert 'date1904="1"' in text or 'date1904="true"' in text
                data = text.replace('date1904="1"', f'date1904="{flag}"').replace(
                    'date1904="true"', f'date1904="{flag}"').encode()
            zout.writestr(info, data)
    assert ZipBook.open(out).date1904 is expected


@pytest.mark.parametrize("serial", ["1E+999999999", "2958465", "-1E+999999999"])
def test_a_serial_out_of_range_in_the_1904_system_is_refused_not_overflowed(serial):
    """2,958,465 is 9999-12-31 in the 1900 system, and past it in the 1904 one; 1E+999999999 + 1,462
    overflows the decimal context. Each is OUT_OF_RANGE at its cell."""
    from decimal import Decimal

    from xlperf.book.reader import DAYS_1904, plain

    problems: list = []
    assert plain(Decimal(serial), "date", ("项目", "E3"), "projects[0].planned_finish", problems, DAYS_1904) is None
    assert [(p.code, p.cell) for p in problems] == [("OUT_OF_RANGE", "E3")]
