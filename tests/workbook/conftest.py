"""Fixtures for the workbook package tests: a time guard (LibreOffice discovery is in tests/conftest.py)."""

from __future__ import annotations

import signal

import pytest


@pytest.fixture
def time_guard():
    """Turn a hang into a failure (POSIX only): the package layer promises bounded time."""

    def arm(seconds: int):
        if not hasattr(signal, "SIGALRM"):
            return

        def on_alarm(signum, frame):
            raise TimeoutError(f"took longer than {seconds} s")

        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(seconds)

    yield arm
    if hasattr(signal, "SIGALRM"):
        signal.alarm(0)
