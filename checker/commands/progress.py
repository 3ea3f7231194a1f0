"""Progress lines on stderr for long explorations (states, states/s, depth, frontier)."""

from __future__ import annotations

import sys
from typing import TextIO

from leaderless.checker.explorer import Progress


class ProgressPrinter:
    """Prints a line per report; on a terminal the line rewrites itself in place."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream: TextIO | None = sys.stderr if stream is None else stream
        self.tty = self.stream.isatty()
        self.printed = False

    def __call__(self, progress: Progress) -> None:
        line = (
            f"  {progress.states:,} states  {progress.states_per_second:,.0f} states/s  "
            f"depth {progress.depth}  frontier {progress.frontier:,}  "
            f"{progress.seconds:.0f} s"
        )
        self._write("\r" + line + "\033[K" if self.tty else line + "\n")
        self.printed = True

    def done(self) -> None:
        if self.printed and self.tty:
            self._write("\n")

    def _write(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            # A reader gone (`2>&1 | head`) or a closed stream: progress is only a courtesy,
            # so the search goes on and the verdict keeps its exit code.
            self.stream = None
