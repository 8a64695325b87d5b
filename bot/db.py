"""Engine and sessions. Plain SQLAlchemy 2.x so the web app, workers and scripts share one setup."""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import DateTime, MetaData, create_engine, event, inspect, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _column_default(col):
    d = col.default
    if d is None:
        return None
    if d.is_scalar:
        return d.arg
    if d.is_callable:
        return d.arg(None)  # SQLAlchemy wraps zero-argument callables to take the context
    raise NotImplementedError(f"default of {col} is not a scalar or a callable")


def with_defaults(model, values: dict) -> dict:
    """Every column of `model` but the primary key: the given values, else the column's
    default (what the ORM would have filled). Rows for one multi-row Core INSERT must all
    carry the same keys; this gives them that."""
    mapper = inspect(model)
    row = {}
    for prop in mapper.column_attrs:
        col = prop.columns[0]
        if prop.key in values:
            row[prop.key] = values[prop.key]
        elif not col.primary_key:
            row[prop.key] = _column_default(col)
    return row


def dialect_insert(dialect: str):
    """The `insert` construct with ON CONFLICT support for this database (PostgreSQL or SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_row(session: Session, model, values: dict):
    """INSERT one row with Core, on the session's connection and transaction, without the
    unit of work (a flush costs ~1 ms of Python; a Core INSERT ~0.1 ms). Column defaults are
    filled here, so the returned object is complete: a clean, persistent instance, as if it had
    been loaded, that later code reads without another SELECT (relationships load lazily).
    Used on the webhook's hot path; ORM events such as after_flush do not see these rows.
    (The mapped attribute names are the column names here.)"""
    mapper = inspect(model)
    row = with_defaults(model, values)
    pk = session.connection().execute(insert(mapper.local_table), row).inserted_primary_key[0]
    obj = model(**row)
    setattr(obj, mapper.primary_key[0].key, pk)
    make_transient_to_detached(obj)  # history reset: the values above are its loaded state
    session.add(obj)
    return obj


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Take the write lock at the start: avoids SQLITE_BUSY on lock upgrade, which
        # busy_timeout cannot resolve, when two processes write at the same moment.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})
        _sqlite_setup(engine)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return engine


class Database:
    """Holds one engine and session factory per process."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()
        self._lock_file = None  # (pid, file object) of the cross-process lock file
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        self._lock_path = f"{database}.writelock" if database and database != ":memory:" else None

    def write_lock(self):
        """SQLite allows one writer at a time. Webhook writers queue here: the threads of this
        process on a lock, the processes (gunicorn workers) on an flock of `<db>.writelock`,
        instead of retrying in SQLite's busy handler, whose growing sleeps gave a long
        latency tail (p99 1.4 s with 8 concurrent clients). Writers that do not take it
        (workers' jobs) still wait through busy_timeout. PostgreSQL needs no such lock."""
        if self.engine.dialect.name != "sqlite":
            return nullcontext()
        return self._sqlite_write_lock()

    @contextmanager
    def _sqlite_write_lock(self) -> Iterator[None]:
        with self._write_lock:
            fh = self._lock_fh()
            if fh is None:
                yield
                return
            fcntl.flock(fh, fcntl.LOCK_EX)  # blocks without holding the GIL
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _lock_fh(self):
        """This process's own open file of the lock (a forked child must not share the
        parent's: flock locks belong to the open file, not the process)."""
        if self._lock_path is None:
            return None
        pid = os.getpid()
        if self._lock_file is None or self._lock_file[0] != pid:
            try:
                self._lock_file = (pid, open(self._lock_path, "a+b"))  # noqa: SIM115 - kept open
            except OSError:  # a read-only directory: the thread lock alone
                self._lock_path = None
                return None
        return self._lock_file[1]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.sessionmaker() as s:
            with s.begin():
                yield s

    def dispose(self) -> None:
        self.engine.dispose()
        if self._lock_file is not None and self._lock_file[0] == os.getpid():
            self._lock_file[1].close()
        self._lock_file = None
