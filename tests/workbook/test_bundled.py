"""The shipped workbooks are exactly what the generator makes, and making them again changes no byte."""

from __future__ import annotations

import zipfile
from pathlib import Path

from xlperf.workbook.bundled import FILES, PINNED, regenerate

SHIPPED = Path(__file__).parents[2] / "workbooks"


def _members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def test_the_shipped_workbooks_are_what_the_generator_makes(tmp_path, monkeypatch) -> None:
    # Compared member by member, uncompressed: another zlib may compress the same bytes differently.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    made = regenerate(tmp_path)
    assert [p.name for p in made] == list(FILES)
    for path in made:
        assert _members(path) == _members(SHIPPED / path.name), f"{path.name}: run python -m xlperf.workbook.bundled"


def test_regenerating_is_reproducible_and_dated_by_the_pin_or_source_date_epoch(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = regenerate(tmp_path / "a")[0].read_bytes()
    assert regenerate(tmp_path / "b")[0].read_bytes() == first
    with zipfile.ZipFile(tmp_path / "a" / FILES[0]) as z:
        assert {i.date_time for i in z.infolist()} == {PINNED.timetuple()[:6]}
        assert b">2025-01-01T00:00:00Z</dcterms:modified>" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735732800")  # 2025-01-01 12:00:00 UTC
    with zipfile.ZipFile(regenerate(tmp_path / "c")[0]) as z:
        assert b">2025-01-01T12:00:00Z</dcterms:created>" in z.read("docProps/core.xml")
