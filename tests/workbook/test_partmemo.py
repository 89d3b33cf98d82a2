"""The per-process memo of structural parts: a hit answers what parsing would, a refusal is never kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures import Pkg

from xlperf.errors import WorkbookError
from xlperf.workbook import partmemo
from xlperf.workbook.package import Package

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-2024.xlsx"


def test_copies_share_answers_and_a_changed_part_gets_its_own(tmp_path):
    partmemo.clear()
    first = Package.open(shutil.copy(EXAMPLE, tmp_path / "a.xlsx"))
    names, tables = first.defined_names(), first.tables()
    pkg = Pkg(EXAMPLE)
    table = next(t for t in tables.values() if t.columns)
    root = pkg.xml(table.part)
    next(c for c in root.iter() if c.tag.endswith("tableColumn")).set("name", "改过的列")
    pkg.put_xml(table.part, root)
    wb = pkg.workbook_part
    renamed = next(iter(names))
    pkg.put(wb, pkg.members[wb].replace(f'name="{renamed}"'.encode(), b'name="xo_renamed_for_test"', 1))
    second = Package.open(pkg.save(tmp_path / "b.xlsx"))
    again = Package.open(shutil.copy(EXAMPLE, tmp_path / "c.xlsx"))

    assert again.defined_names() == names and again.tables() == tables  # the same bytes: the same answers
    changed = second.tables()[table.display_name]
    assert changed.columns[0] == "改过的列" and changed.columns[1:] == table.columns[1:]
    assert "xo_renamed_for_test" in second.defined_names() and renamed not in second.defined_names()


def test_a_refused_part_is_refused_again(tmp_path):
    partmemo.clear()
    pkg = Pkg(EXAMPLE)
    rels = pkg.rels_name(pkg.workbook_part)
    pkg.put(rels, pkg.members[rels][:-20])  # cut short: not well-formed
    broken = pkg.save(tmp_path / "broken.xlsx")
    for _ in range(2):
        with pytest.raises(WorkbookError) as info:
            Package.open(broken)
        assert info.value.problems[0].code == "XML_BROKEN"
    assert Package.open(EXAMPLE).sheets()  # the intact copy still opens


def test_the_memo_keeps_no_large_part_and_stays_bounded():
    partmemo.clear()
    calls = []
    big = b"x" * (partmemo.MAX_PART + 1)
    for _ in range(2):
        partmemo.remember("test", big, lambda: calls.append(1) or "answer")
    assert len(calls) == 2  # parsed every time, never held
    small = [bytes([i]) * (partmemo.MAX_PART // 2) for i in range(2 * partmemo.MAX_HELD // partmemo.MAX_PART + 2)]
    for data in small:
        assert partmemo.remember("test", data, lambda d=data: d[:1]) == data[:1]
    assert partmemo._held <= partmemo.MAX_HELD
    partmemo.clear()


def test_a_remembered_sheet_split_is_never_changed_by_a_patch():
    from xlperf.workbook import bytepatch
    from xlperf.workbook.sheetpatch import patch_sheet_xml

    partmemo.clear()
    xml = patch_sheet_xml(Pkg(EXAMPLE).members["xl/worksheets/sheet15.xml"], {(2, 2): "old", (3, 2): "x"})
    first = bytepatch.fast_patch(xml, bytepatch.prepare({(2, 2): "first"}, {}), None)
    second = bytepatch.fast_patch(xml, bytepatch.prepare({(3, 2): "second"}, {}), 3)  # a hit on the same bytes
    partmemo.clear()
    assert second == bytepatch.fast_patch(xml, bytepatch.prepare({(3, 2): "second"}, {}), 3)  # what a miss makes
    assert b"first" in first and b"old" not in first and b">x<" in first
    assert b"first" not in second and b"old" in second and b">x<" not in second and b"second" in second
    partmemo.clear()


def test_a_units_own_part_is_parsed_for_it_and_not_held():
    from xlperf import sightings

    partmemo.clear()
    sightings.reset()
    sightings.next_file()
    calls = []
    parse = lambda data: lambda: calls.append(data) or data.upper()  # noqa: E731
    assert partmemo.remember("test", b"template part", parse(b"template part")) == b"TEMPLATE PART"
    for k in range(3):
        sightings.next_file()
        own = b"unit %d part" % k
        assert partmemo.remember("test", own, parse(own)) == own.upper()
        assert partmemo.remember("test", b"template part", parse(b"template part")) == b"TEMPLATE PART"
        assert len(partmemo._memo) == 1  # the first file's part only
    sightings.next_file()
    partmemo.remember("test", b"unit 2 part", parse(b"unit 2 part"))  # shown by an earlier file
    assert len(partmemo._memo) == 2 and calls.count(b"template part") == 1
    partmemo.clear()
    sightings.reset()
