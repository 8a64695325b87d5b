"""People: cadres (members, with roles and scope) and villagers (WeChat followers)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime, utcnow

ROLES = ("county_admin", "township_supervisor", "village_secretary", "team_leader", "team_member")
ROLE_LABELS = {"county_admin": "县级管理员", "township_supervisor": "乡镇督导", "village_secretary": "村党支部书记",
               "team_leader": "工作队队长", "team_member": "工作队队员"}


class Member(Base):
    """A cadre. Scope follows the role: county, township, village or team."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    login: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    password_hash: Mapped[str | None] = mapped_column(String(256), default=None)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), default=None)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), default=None)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), default=None, index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), default=None, index=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    team: Mapped["Team | None"] = relationship(back_populates="members")  # noqa: F821


class Villager(Base):
    __tablename__ = "villagers"
    __table_args__ = (UniqueConstraint("account_id", "openid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    openid: Mapped[str] = mapped_column(String(64))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), default=None, index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), default=None)
    name: Mapped[str | None] = mapped_column(String(64), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    # dialog state, e.g. {"step": "confirm_village", "village_id": 3, "pending_text": "..."}
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    # WeChat's customer-service window: opened by the villager's last message, 5 messages at most
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    window_sent: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8), default="zh")  # zh | bo (Tibetan replies beside Chinese)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    village: Mapped["Village | None"] = relationship()  # noqa: F821
