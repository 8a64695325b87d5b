"""The suite's clock: real time, or the instant in CUNSHENG_TEST_NOW for the whole run.

`make test-calendar` runs the suite at the instants that broke date-dependent tests before
(a month start, a quarter start, the Spring Festival week, New Year's Eve 23:59 Beijing time,
a make-up working Saturday), with time-machine moving every clock the code reads
(`datetime.now`, `time.time`, …) in this process and in the worker threads it runs. The
clock keeps running from that instant (tick=True), and every test starts at it again.

Tests that need a particular "now" set it themselves with `at(...)`; nothing in a test may
rely on the real date, weekday or hour.
"""
from __future__ import annotations

import contextlib
import os
from datetime import datetime

import time_machine

from bot.services.clock import BEIJING

ENV = "CUNSHENG_TEST_NOW"

# The instants `make test-calendar` uses (Beijing time).
CALENDAR = {
    "month-start": "2026-12-01T00:05:00+08:00",
    "quarter-start": "2026-10-01T00:01:00+08:00",   # also the National Day holiday
    "spring-festival": "2026-02-17T10:00:00+08:00",  # 春节, 2026-02-15 … 02-23 off
    "new-years-eve": "2026-12-31T23:59:00+08:00",
    "make-up-saturday": "2026-02-28T09:30:00+08:00",  # a Saturday that is a working day
}


def instant() -> datetime | None:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    value = CALENDAR.get(value, value)
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=BEIJING)


_session = None


def start_session() -> None:
    """Move the whole run (fixtures that seed data included) to the instant, if one is set."""
    global _session
    dest = instant()
    if dest is not None and _session is None:
        _session = time_machine.travel(dest, tick=True)
        _session.start()


def test_start():
    dest = instant()
    return time_machine.travel(dest, tick=True) if dest is not None else contextlib.nullcontext()


def at(when: datetime, tick: bool = True):
    """A test's own "now" (a Beijing datetime or any aware datetime)."""
    return time_machine.travel(when, tick=tick)


_LAUNCH = ("import datetime, runpy, sys, time_machine; "
           "time_machine.travel(datetime.datetime.fromtimestamp(float(sys.argv[1]), datetime.timezone.utc), "
           "tick=True).start(); sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')")


def python(script: str, *args: str) -> list[str]:
    """The command that runs `python <script> <args>` on this test's clock: a subprocess
    (e.g. `worker.py --burst`) starts at the test's "now" when the run is moved in time."""
    import sys
    import time

    if instant() is None:
        return [sys.executable, script, *args]
    return [sys.executable, "-c", _LAUNCH, repr(time.time()), script, *args]
