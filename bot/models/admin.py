"""What the admin console adds: the audit log of admin actions and the search index of requests."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db import Base, UTCDateTime, utcnow


class AuditLog(Base):
    """One row per admin action (who, what, on which object, from where). Never updated.
    Targets are kept as type + key strings, not foreign keys, so the log outlives what it names."""

    __tablename__ = "audit_logs"
    __table_args__ = (Index("ix_audit_logs_action_created", "action", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    member_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    login: Mapped[str] = mapped_column(String(64), default="")
    county_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")


class RequestSearch(Base):
    """A request's text cut by jieba (search mode), space-separated: the input of the full-text
    index (SQLite: the FTS5 table `request_search_fts`; PostgreSQL: a GIN index over the tokens).
    Written by an after_flush listener whenever a Request is created, in the same transaction."""

    __tablename__ = "request_search"
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True)
    tokens: Mapped[str] = mapped_column(Text, default="")


@event.listens_for(Session, "after_flush")
def _index_new_requests(session: Session, _ctx) -> None:
    from bot.models.requests import Request

    new = [obj for obj in session.new if isinstance(obj, Request)]
    if new:
        from bot.services.search import index_requests

        index_requests(session, new)
