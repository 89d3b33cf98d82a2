"""Deterministic misbehaviour, planted in the parent before the batch forks its workers.

A file whose name contains 挂起 hangs in its fill; 写入中 hangs once its temporary output is
written, before its worker reports it (and the batch renames it into place); 大 allocates far more
than any limit in the tests; 致命 kills its process outright. Nothing here relies on a bug: the hangs
are the test's own.
"""

from __future__ import annotations

import os
import time

import xlperf.workbook.fill as fill_module

HANG_SECONDS = 60


class OsView:
    """The package writer's view of os (writer.os), for a test to change one call of."""

    def __getattr__(self, name):
        return getattr(os, name)


def plant(setattr_) -> None:
    """setattr_: pytest's monkeypatch.setattr, or plain setattr in a subprocess or a Dask worker."""
    real_fill = fill_module.fill

    def fill(source, out=None, **kw):
        name = str(source)
        if "挂起" in name:
            time.sleep(HANG_SECONDS)
        if "大" in name:
            hog = bytearray(3 * 2**30)  # noqa: F841 - over every limit the tests set
        if "致命" in name:
            os._exit(9)
        filled = real_fill(source, out, **kw)
        if "写入中" in name:
            time.sleep(HANG_SECONDS)
        return filled

    setattr_(fill_module, "fill", fill)
