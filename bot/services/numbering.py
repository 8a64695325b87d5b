"""Request numbers like GC-2026-000123: per county and year, safe under concurrency."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.models import Counter
from bot.services.clock import BEIJING


def next_value(session: Session, key: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Counter)
        .values(key=key, value=1)
        .on_conflict_do_update(index_elements=[Counter.key], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return session.execute(stmt).scalar_one()


def next_request_number(session: Session, county_code: str, now: datetime, prefix: str = "") -> str:
    year = now.astimezone(BEIJING).year
    seq = next_value(session, f"request:{county_code}:{year}")
    return f"{county_code}-{prefix}{year}-{seq:06d}"
