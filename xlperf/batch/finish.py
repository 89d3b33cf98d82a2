"""Each output's last step, taken by the batch process when the worker that wrote it reports the file.

A worker writes an output as a temp file beside its target and reports the file at once, naming the
temp (writer.FINISH_LATER). The batch makes the temp durable (fsync), renames it over the target and
records the output's identity for the manifest; only then is the file counted done, so every success
the batch reports is whole under its name. Meanwhile the worker fills its next file: the disk's wait
(0.3 to 1.3 ms a file here, a round trip on network storage) is not on its path. The batch process is
idle between reports, so the step costs it no contention; a second thread in each worker, which took
the step before, cost more in handing the interpreter lock back and forth (~15 context switches a
file) than the fsync it moved off the main thread.
If the step fails, the temp file is removed and the outcome says the output could not be written.
"""

from __future__ import annotations

import os
from pathlib import Path

from .outcome import INPUT, OK, Outcome, failed


def finish_output(outcome: Outcome, tmp: str, out: str) -> Outcome:
    """The outcome a worker reported for the temp file ``tmp``, once ``out`` is in place (or why not)."""
    from ..workbook import writer
    from ..workbook.problems import workbook_error
    from .manifest import file_identity

    if outcome.status != OK:  # the file failed after its output was written: the output goes
        _remove(tmp)
        return outcome
    try:
        writer.finish_write(Path(tmp), Path(out))
        outcome.output_id = file_identity(out)  # the file as renamed, for the record
    except OSError:  # a full disk or a vanished folder fails this file only
        _remove(tmp)
        message = str(workbook_error("WRITE_FAILED", path=Path(out))).splitlines()[0]
        return _replaced(outcome, failed(outcome.source, INPUT, message))
    return outcome


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _replaced(outcome: Outcome, by: Outcome) -> Outcome:
    by.peak_kb, by.seconds = outcome.peak_kb, outcome.seconds
    return by
