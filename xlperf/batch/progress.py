"""Progress: a bar on a terminal (tqdm), plain timestamped lines in a log.

Failures are printed as they happen, one line each ("失败：<file>：<reason>"), in both modes.
Text from workbooks is escaped before it reaches a terminal: a unit name must not carry
terminal control sequences.
"""

from __future__ import annotations

import sys
import time

from ..pathtext import shown_path
from .outcome import FAILED, Outcome

LOG_EVERY = 10.0  # seconds between plain progress lines


def printable(text: str) -> str:
    """One line, no control characters: the CLI's terminal escaping, and line breaks escaped too."""
    from ..terminal import escape

    return escape(text).replace("\n", "\\u000a").replace("\t", "\\u0009")


class Progress:
    def __init__(self, total: int, stream=None, bar: bool | None = None):
        from ..terminal import unwrap

        self.stream = unwrap(stream or sys.stderr)
        self.total, self.done, self.failed = total, 0, 0
        self.started = self.last_log = time.monotonic()
        use_bar = self.stream.isatty() if bar is None else bar
        self.bar = None
        if use_bar and total:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the runner forks, and forks want one thread
            self.bar = tqdm(total=total, unit="个", file=self.stream, dynamic_ncols=True, smoothing=0.1,
                            desc="评分", postfix={"失败": 0})

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.status == FAILED:
            self.failed += 1
            self._say(f"失败：{printable(shown_path(outcome.source))}：{printable(outcome.message)}")
        if self.bar is not None:
            if outcome.status == FAILED:
                self.bar.set_postfix({"失败": self.failed}, refresh=False)
            self.bar.update(1)
            return
        now = time.monotonic()
        if now - self.last_log >= LOG_EVERY:
            self.last_log = now
            self._say(self._line(now))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.total:
            self._say(self._line(time.monotonic()))

    def _line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        return (f"{time.strftime('%H:%M:%S')} 进度 {self.done}/{self.total}，失败 {self.failed}，"
                f"{rate:.1f} 个/秒，剩余约 {left:.0f} 秒")

    def _say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)
