"""Fixtures for every test folder: LibreOffice discovery."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found
