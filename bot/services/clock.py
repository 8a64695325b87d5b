"""Time: all stored times are UTC; people read Beijing time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.db import utcnow  # noqa: F401

BEIJING = timezone(timedelta(hours=8), "CST")


def local(dt: datetime) -> datetime:
    return dt.astimezone(BEIJING)


def fmt_local(dt: datetime | None, with_year: bool = False) -> str:
    if dt is None:
        return ""
    return local(dt).strftime("%Y-%m-%d %H:%M" if with_year else "%m月%d日%H:%M")
