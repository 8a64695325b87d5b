"""Reading and adjusting stored requests by number, for test set-up and assertions."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import Request


def request_by_number(res, number: str) -> Request:
    """The request, detached from its session (its columns loaded)."""
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        assert req is not None, number
        s.expunge(req)
        return req


def set_request(res, number: str, **values) -> None:
    """Set columns of a stored request (e.g. times in the past), in their own transaction."""
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        for key, value in values.items():
            setattr(req, key, value)
