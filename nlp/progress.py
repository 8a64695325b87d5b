"""A plain-text progress bar on stderr (no extra package).

On a terminal the bar is redrawn in place; otherwise (a log file, CI) each step
is one line, so the output stays readable.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Call it with a message for each step: ``bar("fitting")``."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24, label: str = "train"):
        self.total = max(1, int(total))
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.tty = False

    def render(self, message: str) -> str:
        filled = round(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        return f"{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {message}"

    def __call__(self, message: str) -> None:
        self.done = min(self.total, self.done + 1)
        line = self.render(message)
        if self.tty:
            end = "\n" if self.done >= self.total else ""
            self.stream.write("\r\x1b[K" + line + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()
