"""Batch recompute: many workbooks, each under per-file limits, one summary workbook and CSV.

plan → (local forked children | Dask tasks) → outcomes → 汇总.xlsx + 汇总.csv. See runner.py.
"""

from .limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Limits
from .outcome import Outcome
from .plan import SetupError
from .runner import EXIT_NOT_RUN, EXIT_OK, EXIT_SOME_FAILED, Report, run

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "EXIT_NOT_RUN", "EXIT_OK", "EXIT_SOME_FAILED", "Limits",
           "Outcome", "Report", "SetupError", "run"]
