"""The batch's finishing threads (batch/finish.py): each reported output put in place, or why not."""

from __future__ import annotations

import select
import threading
from pathlib import Path

from xlperf.batch.finish import Finisher
from xlperf.batch.outcome import INPUT, INTERNAL, OK, Outcome


def reported(folder: Path, name: str) -> tuple[Outcome, str, str]:
    tmp, out = folder / f".{name}.tmp", folder / name
    tmp.write_bytes(b"PK whole output")
    return Outcome(str(folder / "in.xlsx"), str(out), OK), str(tmp), str(out)


def collect_all(finisher: Finisher, n: int) -> dict[int, Outcome]:
    got: dict[int, Outcome] = {}
    while len(got) < n:
        ready, _, _ = select.select([finisher], [], [], 10)
        assert ready, "a finished output never woke the batch"
        got.update(finisher.collect())
    return got


def test_each_output_is_renamed_into_place_and_its_identity_recorded(tmp_path):
    finisher = Finisher(jobs=2)
    try:
        for i in range(3):
            finisher.submit(i, *reported(tmp_path, f"{i}.xlsx"))
        got = collect_all(finisher, 3)
    finally:
        finisher.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.xlsx", "1.xlsx", "2.xlsx"]
    for i, outcome in got.items():
        st = (tmp_path / f"{i}.xlsx").stat()
        assert outcome.status == OK and outcome.output_id == (st.st_size, st.st_mtime_ns, st.st_ino)
    assert len(finisher) == 0


def test_a_failed_step_fails_that_file_and_removes_its_temp(tmp_path, monkeypatch):
    import xlperf.workbook.writer as writer

    real = writer.finish_write

    def finish_write(tmp, out):
        if "disk" in out.name:
            raise OSError(28, "No space left on device")
        if "odd" in out.name:
            raise ValueError("not an OSError")
        real(tmp, out)

    monkeypatch.setattr(writer, "finish_write", finish_write)
    finisher = Finisher(jobs=1)
    try:
        for i, name in enumerate(("disk.xlsx", "odd.xlsx", "fine.xlsx")):
            finisher.submit(i, *reported(tmp_path, name))
        got = collect_all(finisher, 3)
    finally:
        finisher.close()
    assert (got[0].status, got[0].kind, got[0].output) == ("failed", INPUT, "")
    assert "disk.xlsx" in got[0].message
    assert (got[1].status, got[1].kind) == ("failed", INTERNAL)
    assert got[2].status == OK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine.xlsx"]


def test_closing_drops_the_steps_not_begun_with_their_temps_and_ends_the_one_under_way(tmp_path, monkeypatch):
    """An interrupted batch: the output being renamed is whole, the ones waiting leave no temp file."""
    import xlperf.workbook.writer as writer

    real, begun, go_on = writer.finish_write, threading.Event(), threading.Event()

    def finish_write(tmp, out):
        begun.set()
        go_on.wait(10)
        real(tmp, out)

    monkeypatch.setattr(writer, "finish_write", finish_write)
    finisher = Finisher(jobs=1)  # one thread: the second and third wait behind the first
    for i in range(3):
        finisher.submit(i, *reported(tmp_path, f"{i}.xlsx"))
    assert begun.wait(10)
    threading.Timer(0.2, go_on.set).start()
    finisher.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.xlsx"]
    assert (tmp_path / "0.xlsx").read_bytes() == b"PK whole output"
