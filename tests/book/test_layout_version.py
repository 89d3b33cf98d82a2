"""The template version moves with the layout: each version has one fingerprint.

A change to anything a filled workbook is read by — sheets, roles, blocks, fields and their
labels, names, tables, column keys and labels — changes layout.fingerprint(). When this test
fails: bump `version` in xlperf/book/layout.toml, add the new version's fingerprint below
(keep the old ones), regenerate the bundled workbooks (python -m xlperf.workbook.bundled), and
say in the 说明 how to move data from the older template.
"""

from __future__ import annotations

import dataclasses

import pytest

from xlperf.book.memory import MemoryBook
from xlperf.book.protocol import Area
from xlperf.errors import WorkbookError
from xlperf.engine.system import load
from xlperf.book.layout import Column, fingerprint, load_layout, version_number
from xlperf.book.reader import read_inputs

FINGERPRINTS = {
    "xlperf-template-1": "3b7d3b07a95534a426847283dbca0aed9414e8e765957d38dfc8308972bb4b5c",
}
LAYOUT = load_layout()


def test_the_layout_matches_its_version():
    assert LAYOUT.version in FINGERPRINTS, "new template version: record its fingerprint here"
    assert fingerprint(LAYOUT) == FINGERPRINTS[LAYOUT.version], (
        "the layout changed without a template-version bump (see this module's docstring)")


def test_the_fingerprint_sees_a_relabelled_column_and_a_moved_field_but_not_a_width():
    sheet = LAYOUT.by_role("findings")
    relabelled = dataclasses.replace(sheet, columns=(dataclasses.replace(sheet.columns[0], label="等级"),
                                                     *sheet.columns[1:]))
    widened = dataclasses.replace(sheet, columns=(dataclasses.replace(sheet.columns[0], width=99),
                                                  *sheet.columns[1:]))
    inputs = LAYOUT.sheets[1]
    block = dataclasses.replace(inputs.blocks[0], fields=tuple(reversed(inputs.blocks[0].fields)))
    moved = dataclasses.replace(inputs, blocks=(block, *inputs.blocks[1:]))

    def with_sheet(new):
        return dataclasses.replace(LAYOUT, sheets=tuple(new if s.name == new.name else s for s in LAYOUT.sheets))

    assert fingerprint(with_sheet(relabelled)) != fingerprint(LAYOUT)
    assert fingerprint(with_sheet(moved)) != fingerprint(LAYOUT)
    assert fingerprint(with_sheet(widened)) == fingerprint(LAYOUT)


def test_version_numbers():
    assert version_number("xlperf-template-12") == 12
    assert version_number("template-1") is None and version_number("") is None


def _book_of_version(version: str) -> MemoryBook:
    return MemoryBook({"_xlperf": {(1, 2): version}}, {LAYOUT.version_name: Area("_xlperf", 1, 2, 1, 2)})


@pytest.mark.parametrize("found, code, says", [
    ("xlperf-template-0", "TEMPLATE_OLDER", "旧版模板"),  # older: how to move to the new template
    ("xlperf-template-99", "TEMPLATE_NEWER", "请升级 xlperf"),  # newer: upgrade the program
    ("something else", "TEMPLATE_VERSION", "重新填写"),
])
def test_another_template_version_says_what_to_do(found, code, says):
    with pytest.raises(WorkbookError) as exc:
        read_inputs(_book_of_version(found), load("shenzhen-2024"))
    (problem,) = exc.value.problems
    assert (problem.code, problem.value, problem.expected, problem.sheet, problem.cell) == (
        code, found, LAYOUT.version, "_xlperf", "B1")
    assert says in problem.message


def test_a_table_column_reads_under_its_former_label():
    # Relabelling an evaluator column keeps workbooks filled under the old label readable ("was").
    from pathlib import Path

    from xlperf.workbook.zipbook import ZipBook

    book = ZipBook.open(Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx")
    system = load("shenzhen-2024")
    before = read_inputs(book, system).data
    sheet = LAYOUT.by_role("evaluator")
    block = sheet.blocks[0]
    value = next(c for c in block.columns if c.key == "value")

    def relabelled(column: Column):
        new = dataclasses.replace(block, columns=tuple(column if c.key == "value" else c for c in block.columns))
        return dataclasses.replace(LAYOUT, sheets=tuple(
            dataclasses.replace(s, blocks=(new, *s.blocks[1:])) if s is sheet else s for s in LAYOUT.sheets))

    assert read_inputs(book, system, relabelled(Column("value", "评价人填写", was=(value.label,)))).data == before
    assert read_inputs(book, system, relabelled(Column("value", "评价人填写"))).data != before  # without "was"
