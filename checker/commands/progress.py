"""Progress lines on stderr for long explorations (states, states/s, depth, frontier)."""

from __future__ import annotations

import sys

from checker.explorer import Progress


class ProgressPrinter:
    """Prints a line per report; on a terminal the line rewrites itself in place."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.printed = False

    def __call__(self, progress: Progress) -> None:
        line = (f"  {progress.states:,} states  {progress.states_per_second:,.0f} states/s  "
                f"depth {progress.depth}  frontier {progress.frontier:,}  "
                f"{progress.seconds:.0f} s")
        if self.tty:
            self.stream.write("\r" + line + "\033[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.printed = True

    def done(self) -> None:
        if self.printed and self.tty:
            self.stream.write("\n")
            self.stream.flush()
