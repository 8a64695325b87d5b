"""WeChat accounts, every inbound message as received, and the notification outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime, utcnow


class Account(Base):
    """One WeChat Official Account; `key` is the webhook path segment (/wechat/<key>)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    appid: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(64))
    aes_key: Mapped[str | None] = mapped_column(String(64), default=None)  # empty: plaintext mode
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))


class InboundMessage(Base):
    """Every message and event as WeChat delivered it. Unique per (account, dedupe_key):
    a retry of the same message finds the stored reply and creates nothing new."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("account_id", "dedupe_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    dedupe_key: Mapped[str] = mapped_column(String(160))
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(32), default=None)
    content: Mapped[str | None] = mapped_column(Text, default=None)
    media_id: Mapped[str | None] = mapped_column(String(128), default=None)
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    reply: Mapped[str | None] = mapped_column(Text, default=None)
    act: Mapped[str | None] = mapped_column(String(16), default=None)  # what the dialog took it as
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Outbox(Base):
    """One notification to deliver. The row is the truth; Redis only makes delivery quick.
    At most one row per dedupe_key (request, event, recipient)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), default=None, index=True)
    event: Mapped[str] = mapped_column(String(32))
    recipient_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None)
    recipient_openid: Mapped[str | None] = mapped_column(String(64), default=None)
    channel: Mapped[str] = mapped_column(String(16), default="template")  # template | custom | wecom
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
