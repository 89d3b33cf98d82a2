"""Loaded by the test's Dask worker (--preload): plants the same deterministic hangs as the local tests."""

import hooks

hooks.plant(setattr)
