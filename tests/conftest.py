"""Every test, and every command a test starts, keeps the TOML cache in a temporary folder, never in ~/.cache."""

import os
import tempfile

_CACHE = tempfile.TemporaryDirectory(prefix="xlperf-test-cache-")


def pytest_configure(config):
    os.environ["XDG_CACHE_HOME"] = _CACHE.name  # inherited by subprocesses (CLI tests, benches)
