"""Per-file limits: wall time and memory, with their defaults, and how a worker process applies them.

Time: the parent (local runner or the Dask task) kills a worker whose file runs past its
deadline. As a second line, the worker arms an alarm a little later than that deadline with
SIGALRM's default action, so the kernel ends it even inside C code or when its parent is gone.
Memory: RLIMIT_AS caps what a worker may add to what it had mapped when it started; Python then
raises MemoryError in that file only (and C code that cannot allocate ends the process, which
is reported as a crash of that file).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

DEFAULT_TIMEOUT = 60.0  # seconds of wall time per file: a unit workbook takes well under one
DEFAULT_MEMORY_MB = 2048  # what one file may add to its worker's address space
SELF_DESTRUCT_GRACE = 2.0  # seconds after the parent's deadline


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB


def _statm(field: int) -> int:
    """/proc/self/statm field in bytes: 0 = address space, 1 = resident (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def mapped_bytes() -> int:
    return _statm(0)


def resident_bytes() -> int:
    return _statm(1)


def cap_memory(memory_mb: int) -> None:
    try:
        import resource

        cap = mapped_bytes() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # not allowed or not on this platform: run without the cap
        pass


def arm_alarm(limits: Limits) -> None:
    signal.setitimer(signal.ITIMER_REAL, limits.timeout + SELF_DESTRUCT_GRACE)


def disarm_alarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
