"""The audit log: one row per admin action, written in the action's own transaction."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.models import AuditLog, Member


def _ip() -> str:
    try:
        from flask import has_request_context, request

        if has_request_context():
            return (request.remote_addr or "")[:64]
    except ImportError:  # pragma: no cover
        pass
    return ""


def record(session: Session, member: Member | None, action: str, target_type: str = "", target_key: str = "",
           summary: str = "", data: dict | None = None) -> AuditLog:
    row = AuditLog(member_id=member.id if member else None, login=(member.login or "") if member else "",
                   county_id=member.county_id if member else None, action=action, target_type=target_type,
                   target_key=str(target_key)[:64], summary=summary[:2000], data=data or {}, ip=_ip())
    session.add(row)
    return row


def search(session: Session, county_id: int | None, *, login: str = "", action: str = "", target: str = "",
           q: str = "", since: datetime | None = None, until: datetime | None = None,
           page: int = 1, per_page: int = 50) -> tuple[int, list[AuditLog]]:
    from sqlalchemy import func

    stmt = select(AuditLog)
    if county_id is not None:
        stmt = stmt.where(or_(AuditLog.county_id == county_id, AuditLog.county_id.is_(None)))
    if login:
        stmt = stmt.where(AuditLog.login == login)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if target:
        stmt = stmt.where(AuditLog.target_key == target)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(AuditLog.summary.like(like, escape="\\"))
    if since:
        stmt = stmt.where(AuditLog.created_at >= since)
    if until:
        stmt = stmt.where(AuditLog.created_at < until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(AuditLog.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return total, list(rows)
