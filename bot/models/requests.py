"""Requests (群众诉求), their append-only timeline, attachments and the number counters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime, utcnow

OPEN_STATUSES = ("new", "needs_review", "assigned", "accepted", "reopened")
STATUS_LABELS = {
    "new": "已受理",
    "needs_review": "待分派",
    "assigned": "已派单",
    "accepted": "办理中",
    "resolved": "已办结",
    "closed": "已销号",
    "reopened": "重新办理",
    "cancelled": "已撤销",
    "merged": "已合并",
    "wish_pending": "待审核",
}
# the predicate of the partial index on open requests (migration 0005); queries that should use
# it write the same IN list literally (bot.services.admin_inbox.open_status)
OPEN_PREDICATE = "status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_village_status", "village_id", "status"),
        Index("ix_requests_villager_created", "villager_id", "created_at"),
        # admin console (migration 0005): open requests by deadline (overdue, sort=due, counts of
        # open); a county's and a village's request ids (search hits checked against the scope
        # from the index alone); a village's requests by date
        Index("ix_requests_county_ids", "county_id", "id"),
        Index("ix_requests_open_due", "county_id", "due_at", "id",
              postgresql_where=text(OPEN_PREDICATE), sqlite_where=text(OPEN_PREDICATE)),
        Index("ix_requests_village_created", "village_id", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    villager_id: Mapped[int] = mapped_column(ForeignKey("villagers.id"))
    kind: Mapped[str | None] = mapped_column(String(32), default=None)  # team kind or "wish"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), default=None, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="new")
    tier: Mapped[str] = mapped_column(String(16), default="general")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    source: Mapped[str] = mapped_column(String(16), default="text")  # text | voice
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str | None] = mapped_column(String(32), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    model_version: Mapped[str | None] = mapped_column(String(64), default=None)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    review_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    # follow-through (一事一销号)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)  # start of the time limit
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)  # 1..5 from the 回访
    satisfied: Mapped[bool | None] = mapped_column(default=None)
    survey_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    reminder_stage: Mapped[int] = mapped_column(Integer, default=0)  # reminders already sent
    chase_count: Mapped[int] = mapped_column(Integer, default=0)  # 催办 by the villager
    last_chased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    village: Mapped["Village"] = relationship()  # noqa: F821
    team: Mapped["Team | None"] = relationship()  # noqa: F821
    villager: Mapped["Villager"] = relationship()  # noqa: F821
    events: Mapped[list["RequestEvent"]] = relationship(order_by="RequestEvent.id", back_populates="request")
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class RequestEvent(Base):
    """The append-only timeline of a request (一问题一表)."""

    __tablename__ = "request_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request: Mapped[Request] = relationship(back_populates="events")


class Attachment(Base):
    """A photo, voice or location a villager added to a request."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), default=None)
    kind: Mapped[str] = mapped_column(String(16))  # image | voice | location | link
    media_id: Mapped[str | None] = mapped_column(String(128), default=None)
    url: Mapped[str | None] = mapped_column(String(1024), default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    label: Mapped[str | None] = mapped_column(String(256), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BindingCode(Base):
    """A one-time code an admin issues so a member can bind WeChat by sending "绑定 123456"."""

    __tablename__ = "binding_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Counter(Base):
    """Gap-tolerant sequences, e.g. request numbers per county and year."""

    __tablename__ = "counters"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class TrainingExample(Base):
    """A labelled text: an admin's correction becomes training data for the classifier."""

    __tablename__ = "training_examples"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32), default="correction")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), default=None)
    actor: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
