"""Request numbers like GC-2026-000123: per county and year, safe under concurrency."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam

from sqlalchemy.orm import Session

from bot.db import dialect_insert
from bot.models import Counter
from bot.services.clock import BEIJING


def next_value(session: Session, key: str) -> int:
    conn = session.connection()
    return conn.execute(_upsert(conn.dialect.name), {"key": key}).scalar_one()


@lru_cache(maxsize=4)
def _upsert(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE … RETURNING on the counters table (a Core statement,
    built once per dialect)."""
    table = Counter.__table__
    return (dialect_insert(dialect)(table).values(key=bindparam("key"), value=1)
            .on_conflict_do_update(index_elements=[table.c.key], set_={"value": table.c.value + 1})
            .returning(table.c.value))


def next_request_number(session: Session, county_code: str, now: datetime, prefix: str = "") -> str:
    year = now.astimezone(BEIJING).year
    seq = next_value(session, f"request:{county_code}:{year}")
    return f"{county_code}-{prefix}{year}-{seq:06d}"
