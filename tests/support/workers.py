"""Run real RQ workers against the test's Redis."""
from __future__ import annotations

from rq import SimpleWorker

from bot.ext import QUEUE_NAMES


def drain(res) -> None:
    """A burst worker (RQ's own, in this process) runs every queued job and stops."""
    worker = SimpleWorker([res.queue(q) for q in QUEUE_NAMES], connection=res.redis)
    worker.work(burst=True, logging_level="WARNING")
