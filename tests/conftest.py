"""For every test folder: the TOML cache in a temporary folder (never ~/.cache), and LibreOffice discovery."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHE = tempfile.TemporaryDirectory(prefix="xlperf-test-cache-")


def pytest_configure(config):
    os.environ["XDG_CACHE_HOME"] = _CACHE.name  # inherited by subprocesses (CLI tests, benches)


@pytest.fixture(scope="session")
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found
