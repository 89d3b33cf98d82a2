"""Hostile and wrong files: XML bombs, zip bombs, limits, other kinds of file, damaged members."""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path

import pytest

from wb_builders import (
    MAIN, deflated_zeros, entries_of, formula_book, problem_code, raw_zip, sheet_xml, simple_book,
    workbook_parts, write_workbook, write_zip,
)
from xlperf.errors import WorkbookError
from xlperf.workbook.package import Limits, Package
from xlperf.workbook.problems import MESSAGES
from xlperf.workbook.writer import write_package
from xlperf.workbook.xmlsafe import parse_xml


# -- hostile and wrong files ------------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
    "</row></sheetData></worksheet>"
).encode()


def test_billion_laughs_in_a_sheet_is_refused_fast(tmp_path, time_guard):
    time_guard(5)
    path = write_workbook(tmp_path / "lol.xlsx", [{"name": "L", "xml": LAUGHS}])
    pkg = Package.open(path)
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("L")
    assert problem_code(exc) == "XML_UNSAFE"
    assert time.perf_counter() - start < 0.5


def test_unsafe_workbook_part_is_refused_on_open(tmp_path):
    parts = workbook_parts([{"name": "S", "xml": sheet_xml("")}])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"<workbook", b'<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]><workbook', 1
    )
    with pytest.raises(WorkbookError) as exc:
        Package.open(write_zip(tmp_path / "xxe.xlsx", parts))
    assert problem_code(exc) == "XML_UNSAFE"
    assert "xl/workbook.xml" in exc.value.problems[0].message


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
        b'<?xml version="1.0"?>\n<!-- hi --><?pi x?>\n<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>',
        "<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE a [<!ENTITY b 'c'>]><a>&b;</a>".encode("utf-16"),
        b"\xef\xbb\xbf<!DOCTYPE a><a/>",
    ],
)
def test_parse_xml_refuses_every_doctype(data):
    with pytest.raises(WorkbookError) as exc:
        parse_xml(data, "xl/x.xml")
    assert problem_code(exc) == "XML_UNSAFE"


def test_parse_xml_accepts_bom_and_names_broken_parts():
    assert parse_xml(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?><a>1</a>', "p").text == "1"
    assert parse_xml("<a>中</a>".encode("utf-16"), "p").text == "中"
    for broken in (b"", b"<a>", b"<a></b>", b"<x:a/>", b"plain text"):
        with pytest.raises(WorkbookError) as exc:
            parse_xml(broken, "xl/worksheets/sheet9.xml")
        assert problem_code(exc) == "XML_BROKEN"
        assert "xl/worksheets/sheet9.xml" in exc.value.problems[0].message


def bomb_book(tmp_path: Path, declared: int, megabytes: int = 1024) -> Path:
    parts = workbook_parts([{"name": "B", "xml": sheet_xml("")}])
    entries = entries_of(parts)
    entries = [e for e in entries if e[0] != "xl/worksheets/sheet1.xml"]
    entries.append(("xl/worksheets/sheet1.xml", 8, deflated_zeros(megabytes), 0, declared))
    return raw_zip(tmp_path / "bomb.xlsx", entries)


def test_zip_bomb_with_honest_size_is_refused_on_open(tmp_path, time_guard):
    time_guard(5)
    path = bomb_book(tmp_path, declared=1 << 30)
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as exc:
        Package.open(path)
    assert problem_code(exc) == "TOO_LARGE"
    assert time.perf_counter() - start < 0.5


def test_zip_bomb_under_the_total_is_refused_by_its_ratio(tmp_path, time_guard):
    time_guard(5)
    path = bomb_book(tmp_path, declared=150 << 20, megabytes=150)
    with pytest.raises(WorkbookError) as exc:
        Package.open(path)
    assert problem_code(exc) == "TOO_LARGE"
    assert "sheet1.xml" in exc.value.problems[0].message


def test_zip_bomb_that_lies_about_its_size_stops_at_the_declared_size(tmp_path, time_guard):
    time_guard(5)
    pkg = Package.open(bomb_book(tmp_path, declared=5000))
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("B")
    assert problem_code(exc) in ("CORRUPT_ZIP", "TOO_LARGE")
    with pytest.raises(WorkbookError):
        write_package(pkg, tmp_path / "o.xlsx", {})
    assert time.perf_counter() - start < 0.5
    assert not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize(
    "limits, action",
    [
        (Limits(max_members=5), "open"),
        (Limits(max_total_unzipped=1000), "open"),
        (Limits(max_part=200), "cells"),
        (Limits(max_cells_per_sheet=3), "cells"),
        (Limits(max_shared_string_chars=10), "cells"),
    ],
)
def test_limits_are_enforced(tmp_path, limits, action):
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 6))
    path = simple_book(tmp_path, rows, shared=["a fairly long shared string"])
    with pytest.raises(WorkbookError) as exc:
        Package.open(path, limits).read_cells("Data")
    assert problem_code(exc) == "TOO_LARGE"
    assert Package.open(path).read_cells("Data")[(5, 1)].value == "a fairly long shared string"


def test_wrong_kinds_of_file(tmp_path):
    cases = {}
    cases["NOT_FOUND"] = tmp_path / "missing.xlsx"
    cases["NOT_FOUND "] = tmp_path  # a folder
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n", "utf-8")
    cases["NOT_ZIP"] = csv
    rnd = tmp_path / "random.xlsx"
    rnd.write_bytes(os.urandom(4096))
    cases["NOT_ZIP "] = rnd
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    cases["NOT_ZIP  "] = empty
    good = formula_book(tmp_path, calc_chain=False).read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    cases["CORRUPT_ZIP"] = truncated
    cfb_header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    xls = tmp_path / "old.xls"
    xls.write_bytes(cfb_header + "Workbook".encode("utf-16-le") + b"\0" * 512)
    cases["XLS_BIFF"] = xls
    enc = tmp_path / "enc.xlsx"
    enc.write_bytes(cfb_header + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
                    + "EncryptedPackage".encode("utf-16-le"))
    cases["ENCRYPTED"] = enc
    for code, path in cases.items():
        with pytest.raises(WorkbookError) as exc:
            Package.open(path)
        assert problem_code(exc) == code.strip(), path


def test_other_office_and_zip_files_are_not_workbooks(tmp_path):
    docx = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    }
    for name, parts, code in [
        ("a.docx", docx, "NOT_WORKBOOK"),
        ("plain.zip", {"readme.txt": b"hello", "data/x.csv": b"1,2"}, "NOT_WORKBOOK"),
        ("b.xlsb", {**docx, "[Content_Types].xml": docx["[Content_Types].xml"].replace(
            b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml"),
            "_rels/.rels": docx["_rels/.rels"].replace(b"word/document.xml", b"xl/workbook.bin")}, "XLSB"),
    ]:
        with pytest.raises(WorkbookError) as exc:
            Package.open(write_zip(tmp_path / name, parts))
        assert problem_code(exc) == code, name


def test_strict_ooxml_is_refused_with_advice(tmp_path):
    parts = workbook_parts([{"name": "S", "xml": sheet_xml("")}])
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    )
    with pytest.raises(WorkbookError) as exc:
        Package.open(write_zip(tmp_path / "strict.xlsx", parts))
    assert problem_code(exc) == "STRICT_OOXML"
    assert "Excel 工作簿" in exc.value.problems[0].message


def test_damaged_members_are_found_when_read(tmp_path):
    parts = workbook_parts([{"name": "D", "xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')}])
    entries = [(n, m, d, crc ^ 0xFF if n.endswith("sheet1.xml") else crc, u) for n, m, d, crc, u in entries_of(parts)]
    pkg = Package.open(raw_zip(tmp_path / "crc.xlsx", entries))
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("D")
    assert problem_code(exc) == "CORRUPT_ZIP"
    assert "sheet1.xml" in exc.value.problems[0].message


def test_duplicate_member_names_are_refused(tmp_path):
    parts = workbook_parts([{"name": "D", "xml": sheet_xml("")}])
    entries = entries_of(parts) + [("XL/Workbook.xml", 0, b"<x/>", zlib.crc32(b"<x/>"), 4)]
    with pytest.raises(WorkbookError) as exc:
        Package.open(raw_zip(tmp_path / "dup.xlsx", entries))
    assert problem_code(exc) == "CORRUPT_ZIP"


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    path = formula_book(tmp_path)

    def denied(self):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(WorkbookError) as exc:
        Package.open(path)
    assert problem_code(exc) == "NO_ACCESS"


def test_messages_are_single_chinese_lines():
    for code, template in MESSAGES.items():
        assert "\n" not in template and "Traceback" not in template, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in template), code
