"""Queue health from RQ's own API: queued, started, scheduled, deferred and failed jobs per queue;
retrying a failed job."""
from __future__ import annotations

from dataclasses import dataclass, field

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.worker import Worker

MAX_FAILED_SHOWN = 50


@dataclass
class QueueHealth:
    name: str
    queued: int
    started: int
    scheduled: int
    deferred: int
    failed: int
    finished: int
    failed_jobs: list = field(default_factory=list)


def health(res) -> tuple[list[QueueHealth], int]:
    out = []
    for name, q in res.queues.items():
        conn = q.connection
        failed = FailedJobRegistry(queue=q)
        ids = failed.get_job_ids(0, MAX_FAILED_SHOWN - 1)
        jobs = []
        for job in Job.fetch_many(ids, connection=conn):
            if job is None:
                continue
            result = job.latest_result()
            exc = ((result.exc_string if result is not None else "") or "").strip().splitlines()
            jobs.append({"id": job.id, "func": job.func_name, "args": repr(job.args)[:80],
                         "error": exc[-1][:200] if exc else "", "ended_at": job.ended_at})
        out.append(QueueHealth(name, q.count, StartedJobRegistry(queue=q).count, ScheduledJobRegistry(queue=q).count,
                               DeferredJobRegistry(queue=q).count, failed.count, FinishedJobRegistry(queue=q).count,
                               jobs))
    workers = len(Worker.all(connection=res.redis))
    return out, workers


def retry(res, queue_name: str, job_id: str) -> bool:
    q = res.queues.get(queue_name)
    if q is None:
        return False
    try:
        FailedJobRegistry(queue=q).requeue(job_id)
        return True
    except (NoSuchJobError, InvalidJobOperation):
        return False
