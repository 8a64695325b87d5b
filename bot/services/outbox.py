"""Getting Outbox rows to the workers: enqueue after commit, and sweep for what was lost."""
from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import or_, select, update

from bot.models import Outbox
from bot.services.clock import utcnow

log = logging.getLogger("cunsheng.outbox")
LOST_AFTER = timedelta(seconds=60)  # a pending row this old with no enqueue mark is swept
REENQUEUE_AFTER = timedelta(minutes=5)  # an enqueued row not done by then is enqueued again
STUCK_SENDING = timedelta(minutes=10)  # a worker died while sending
SWEEP_BATCH = 500


def enqueue(res, outbox_ids: list[int], respect_backoff: bool = True) -> int:
    """Enqueue notify jobs. Redis down → logged, not raised: the sweeper delivers later."""
    from bot.jobs import notify
    from bot.services.effects import redis_available, redis_failed

    done = 0
    for oid in outbox_ids:
        if respect_backoff and not redis_available():
            break
        try:
            res.queue("high").enqueue(notify, oid, job_timeout=60, result_ttl=3600, failure_ttl=7 * 86400)
            done += 1
        except RedisError as exc:
            redis_failed(exc)
            break
    return done


def sweep(res, now=None) -> int:
    """Re-enqueue outbox rows that never reached a worker or whose retry time has come."""
    now = now or utcnow()
    with res.db.session() as s:
        s.execute(update(Outbox).where(Outbox.status == "sending", Outbox.enqueued_at < now - STUCK_SENDING)
                  .values(status="failed", last_error="worker stopped while sending"))
        rows = s.scalars(
            select(Outbox.id).where(
                Outbox.status.in_(("pending", "failed")),
                or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= now),
                or_(
                    (Outbox.enqueued_at.is_(None) & (Outbox.created_at <= now - LOST_AFTER)),
                    Outbox.enqueued_at <= now - REENQUEUE_AFTER,
                    (Outbox.status == "failed") & (Outbox.enqueued_at <= Outbox.next_attempt_at),
                ),
            ).order_by(Outbox.id).limit(SWEEP_BATCH)
        ).all()
    count = enqueue(res, list(rows), respect_backoff=False)
    if count:
        with res.db.session() as s:
            s.execute(update(Outbox).where(Outbox.id.in_(rows[:count])).values(enqueued_at=now))
    if rows:
        log.info("sweep re-enqueued=%s of %s", count, len(rows))
    return count
