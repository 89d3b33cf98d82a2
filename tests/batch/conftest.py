"""Batch fixtures: the unit workbooks of batchdata, built once per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from batchdata import VARIANTS
from fixtures import build_example


@pytest.fixture(scope="session")
def unit_books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("unit-books")
    return {k: build_example(folder / f"{k}.xlsx", data) for k, data in VARIANTS.items()}


@pytest.fixture
def make_inputs(tmp_path, unit_books):
    """make_inputs({"单位A/填报.xlsx": "A", "坏.xlsx": b"junk"}) → the input folder."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "in"
        for name, what in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(what, bytes):
                path.write_bytes(what)
            else:
                shutil.copy(unit_books[what], path)
        return root

    return make
