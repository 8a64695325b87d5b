"""What must happen after a transaction commits: outbox rows to enqueue, jobs to schedule.
If Redis is down, nothing is lost: the periodic sweeps find the rows and the deadlines."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from redis.exceptions import RedisError

log = logging.getLogger("cunsheng.effects")
_down_until = 0.0  # after a Redis failure, skip enqueueing for a while: the sweeps catch up
BACKOFF_SECONDS = 15.0


def redis_available() -> bool:
    return time.monotonic() >= _down_until


def redis_failed(exc: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + BACKOFF_SECONDS
    log.warning("redis unavailable (%s); enqueueing paused for %ss, the sweepers deliver later",
                exc.__class__.__name__, BACKOFF_SECONDS)


def reset_backoff() -> None:
    global _down_until
    _down_until = 0.0


@dataclass
class Effects:
    outbox_ids: list[int] = field(default_factory=list)
    scheduled: list[tuple[datetime, str, tuple]] = field(default_factory=list)

    def schedule(self, when: datetime, job: str, *args) -> None:
        self.scheduled.append((when, job, args))

    def extend(self, other: "Effects") -> None:
        self.outbox_ids += other.outbox_ids
        self.scheduled += other.scheduled

    def run(self, res) -> None:
        """After commit, from a web request: ONE enqueue (the `dispatch` job) however many
        notifications and follow-ups there are, so the villager's reply is not held up."""
        from bot import jobs

        if not (self.outbox_ids or self.scheduled) or not redis_available():
            return
        scheduled = [(when.isoformat(), name, list(args)) for when, name, args in self.scheduled]
        try:
            queue = res.queue("high")
            with queue.connection.pipeline() as pipe:  # one round trip to Redis, not three
                queue.enqueue(jobs.dispatch, list(self.outbox_ids), scheduled, job_timeout=60,
                              result_ttl=600, failure_ttl=7 * 86400, pipeline=pipe)
                pipe.execute()
        except RedisError as exc:
            redis_failed(exc)

    def run_now(self, res) -> None:
        """In a worker: enqueue each notification and schedule each follow-up directly."""
        from bot import jobs
        from bot.services import outbox

        if self.outbox_ids:
            outbox.enqueue(res, self.outbox_ids, respect_backoff=False)
        for when, name, args in self.scheduled:
            try:
                res.queue("default").enqueue_at(when, getattr(jobs, name), *args, job_timeout=120)
            except RedisError as exc:
                log.warning("schedule failed job=%s: %s; the follow-up sweep covers it", name, exc.__class__.__name__)
                break
