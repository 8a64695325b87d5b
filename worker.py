"""Cunsheng worker: `python worker.py` runs an RQ worker with the scheduler (enqueue_at/in)
and, with --cron, the periodic jobs. Run exactly one --cron process per deployment.

Jobs run in the worker process itself (RQ's SimpleWorker): its database pool, Redis
connection and HTTP session to WeChat are reused from job to job, which makes a notification
cost milliseconds instead of a fork and fresh connections (measured in bench/followup_bench.py).
Time limits still hold (SIGALRM in the main thread). `--fork` restores RQ's default of one
forked child per job, which isolates a job that crashes the interpreter or leaks memory.
jieba and the classifier are loaded before the first job either way.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")

from rq import Queue, SimpleWorker, Worker  # noqa: E402

from bot import ext  # noqa: E402
from config.settings import Settings  # noqa: E402

log = logging.getLogger("cunsheng.worker")

def beijing_cron(hour: int, minute: int = 0, day: str = "*") -> str:
    """A cron string for a Beijing time of day; RQ's cron reads the host's local time."""
    from datetime import datetime, timedelta

    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    host = datetime(2000, 1, 10, hour, minute) - timedelta(hours=8) + offset
    return f"{host.minute} {host.hour} {day} * *"


PERIODIC = [
    # (function path, interval seconds or None, cron string or None, queue)
    ("bot.jobs.sweep_outbox", 60, None, "default"),
    ("bot.jobs.sweep_followups", 300, None, "default"),
    ("bot.jobs.sweep_wishes", 300, None, "default"),
    ("bot.jobs.daily_digest", None, beijing_cron(8, 0), "low"),  # 08:00 Beijing
    ("bot.jobs.monthly_ranking", None, beijing_cron(12, 0, day="1"), "low"),  # the 1st, 12:00 Beijing
    ("bot.jobs.retrain_classifier", None, beijing_cron(2, 30), "low"),  # nightly, 02:30 Beijing
]


def setup_logging(level: str = "INFO") -> None:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(fmt)
    for name in ("cunsheng", "rq.worker", "rq.scheduler", "rq.cron"):
        lg = logging.getLogger(name)
        lg.handlers[:] = [handler]
        lg.setLevel(level)
        lg.propagate = False


def preload() -> None:
    """Everything a job needs, imported once here instead of in every forked job."""
    import bot.jobs  # noqa: F401 - the job modules and their imports (258 ms per job otherwise)
    import bot.services.followup  # noqa: F401
    import bot.services.wishes  # noqa: F401
    import nlp

    nlp.get_router().classify("村口的路灯坏了")


def die_with_parent(parent_pid: int) -> None:
    """The cron child must not outlive its worker: a second CronScheduler would start with
    the restarted worker and every periodic job would run twice. Linux sends SIGTERM to this
    process when the parent dies (even by SIGKILL or the OOM killer)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the supervisor has to stop the group
        log.warning("cron process cannot follow its parent's death on this system")
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def run_cron(settings: Settings, parent_pid: int | None = None) -> None:
    """The periodic jobs, on RQ's own CronScheduler."""
    import importlib

    from rq.cron import CronScheduler

    if parent_pid is not None:
        die_with_parent(parent_pid)
    setup_logging()
    res = ext.init(settings)
    cron = CronScheduler(connection=res.redis, name=f"cunsheng-cron-{os.getpid()}")
    for path, interval, cron_str, queue in PERIODIC:
        module, name = path.rsplit(".", 1)
        func = getattr(importlib.import_module(module), name)
        cron.register(func, queue_name=queue, interval=interval, cron=cron_str, job_timeout=300)
    cron.start()


def run_sweeps() -> None:
    """The periodic safety nets, once, before a burst drains the queues: notifications and
    follow-ups that never reached Redis (an outage) are enqueued, so an operator who drains
    the queues after an outage sends them too."""
    import importlib

    for path, _, _, _ in PERIODIC:
        module, name = path.rsplit(".", 1)
        if name.startswith("sweep_"):
            found = getattr(importlib.import_module(module), name)()
            log.info("burst: %s found %s", name, found)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Cunsheng RQ worker")
    p.add_argument("--burst", action="store_true",
                   help="run the safety-net sweeps once, drain the queues and exit")
    p.add_argument("--cron", action="store_true", help="also run the periodic jobs (one per deployment)")
    p.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler for enqueue_at/in")
    p.add_argument("--queues", default="high,default,low")
    p.add_argument("--fork", action="store_true", help="run each job in a forked child (RQ's default Worker)")
    args = p.parse_args(argv)

    setup_logging()
    settings = Settings.from_env()
    if not settings.redis_url and not settings.production:
        log.error("REDIS_URL is not set: start the worker through `make run`, or set REDIS_URL")
        return 2
    res = ext.init(settings)
    preload()
    if args.burst:
        run_sweeps()
    cron_proc = None
    if args.cron and not args.burst:
        cron_proc = multiprocessing.get_context("fork").Process(target=run_cron, args=(settings, os.getpid()),
                                                               daemon=True)
        cron_proc.start()
    queues = [Queue(q, connection=res.redis) for q in args.queues.split(",")]
    worker = (Worker if args.fork else SimpleWorker)(queues, connection=res.redis)
    try:
        worker.work(burst=args.burst, with_scheduler=not args.no_scheduler, logging_level="INFO")
    finally:
        if cron_proc is not None:
            cron_proc.terminate()
            cron_proc.join(5)
        ext.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
