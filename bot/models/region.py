"""Region tree: County → Township → Village → Grid, and the work teams of a village."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base


class County(Base):
    __tablename__ = "counties"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # prefix of request numbers, e.g. GC
    name: Mapped[str] = mapped_column(String(64))
    townships: Mapped[list["Township"]] = relationship(back_populates="county", order_by="Township.id")


class Township(Base):
    __tablename__ = "townships"
    __table_args__ = (UniqueConstraint("county_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    name: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    county: Mapped[County] = relationship(back_populates="townships")
    villages: Mapped[list["Village"]] = relationship(back_populates="township", order_by="Village.id")


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    township: Mapped[Township] = relationship(back_populates="villages")
    teams: Mapped[list["Team"]] = relationship(back_populates="village", order_by="Team.id")


class Grid(Base):
    __tablename__ = "grids"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Team(Base):
    """A village's work team of one configured kind (config/teams.yaml)."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("village_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    wecom_webhook: Mapped[str | None] = mapped_column(String(512), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    village: Mapped[Village] = relationship(back_populates="teams")
    members: Mapped[list["Member"]] = relationship(back_populates="team", order_by="Member.id")  # noqa: F821
