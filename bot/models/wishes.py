"""Micro-wishes (微心愿): the public side of a wish Request, who claimed it, and the partner
units (结对共建单位) that claim wishes with their own account.

A Wish is 1:1 with its Request (kind='wish'): the Request keeps the villager, the original
words and the timeline (RequestEvents); the Wish keeps what the public board may show and
the claim. `claim_seq` counts claims, so a scheduled reminder for an earlier claim is stale.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime, utcnow
from bot.models.requests import STATUS_LABELS

# Member roles that only exist for the wish board (the cadre roles are bot.models.people.ROLES).
# A member listed in unit_members is a contact of that unit and claims for it.
WISH_ROLES = ("party_member",)
WISH_STATUSES = ("pending", "open", "claimed", "fulfilled", "confirmed", "declined")
WISH_STATUS_LABELS = {"pending": "待审核", "open": "待认领", "claimed": "已认领", "fulfilled": "已实现",
                      "confirmed": "已实现", "declined": "未通过"}
# The wish's Request mirrors its status; these Request statuses exist only for wishes.
REQUEST_STATUS = {"pending": "wish_pending", "open": "wish_open", "claimed": "wish_claimed",
                  "fulfilled": "wish_fulfilled", "confirmed": "closed", "declined": "cancelled"}
STATUS_LABELS.setdefault("wish_open", "心愿待认领")
STATUS_LABELS.setdefault("wish_claimed", "心愿已认领")
STATUS_LABELS.setdefault("wish_fulfilled", "心愿已实现")


class Unit(Base):
    """A partner unit (结对共建单位), e.g. a county bureau paired with villages. It signs in to
    the board with its own login and claims for the unit; `contact_openid` hears about it."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    contact_name: Mapped[str | None] = mapped_column(String(64), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(32), default=None)
    contact_openid: Mapped[str | None] = mapped_column(String(64), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitMember(Base):
    """A member who is a contact of a unit: what they claim by chat, they claim for the unit.
    (A table of its own rather than a column on members, which other features own.)"""

    __tablename__ = "unit_members"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)


class Wish(Base):
    __tablename__ = "wishes"
    __table_args__ = (Index("ix_wishes_village_status", "village_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    public_text: Mapped[str] = mapped_column(Text)  # what the board shows: never name, phone or openid
    category: Mapped[str] = mapped_column(String(32), default="other")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decline_reason: Mapped[str | None] = mapped_column(Text, default=None)
    claimer_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None, index=True)
    claimer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None, index=True)
    claimer_name: Mapped[str | None] = mapped_column(String(64), default=None)  # shown on the board
    claim_seq: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claim_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claim_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    fulfil_note: Mapped[str | None] = mapped_column(Text, default=None)
    proof_media_id: Mapped[str | None] = mapped_column(String(128), default=None)
    proof_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    thanks_text: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request: Mapped["Request"] = relationship()  # noqa: F821
    village: Mapped["Village"] = relationship()  # noqa: F821

    @property
    def status_label(self) -> str:
        return WISH_STATUS_LABELS.get(self.status, self.status)
