"""The inbox: filters (all in the URL), full-text search, sorting and pagination of requests."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from bot.models import OPEN_STATUSES, Request, Village
from bot.services import admin_scope, search
from bot.services.clock import BEIJING, utcnow

PER_PAGE = 50
SORTS = {
    "new": (Request.id.desc(),),
    "old": (Request.id.asc(),),
    "due": (Request.due_at.asc(), Request.id.asc()),
    "escalation": (Request.escalation_level.desc(), Request.id.desc()),
}


@dataclass
class Filters:
    status: str = ""
    kind: str = ""
    village: str = ""
    township: str = ""
    priority: str = ""
    tier: str = ""
    overdue: str = ""
    review: str = ""
    escalated: str = ""
    since: str = ""  # Beijing dates, YYYY-MM-DD, inclusive
    until: str = ""
    q: str = ""
    sort: str = "new"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        f = cls()
        for fld in fields(cls):
            raw = (args.get(fld.name) or "").strip()[:100]
            if fld.name == "page":
                f.page = max(1, min(int(raw), 10_000)) if raw.isdigit() else 1
            elif raw:
                setattr(f, fld.name, raw)
        if f.sort not in SORTS:
            f.sort = "new"
        return f

    def args(self, **override) -> dict:
        """Non-empty filters as URL arguments (for links that keep the filters)."""
        d = {k: v for k, v in asdict(self).items() if v not in ("", None) and not (k == "page" and v == 1)
             and not (k == "sort" and v == "new")}
        d.update({k: v for k, v in override.items()})
        return {k: v for k, v in d.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return any(v for k, v in asdict(self).items() if k not in ("page", "sort"))


def open_status():
    """`status IN ('new', …)` with the open statuses written into the SQL text, not bound: the
    partial index on open requests (ix_requests_open_due) has this predicate, and PostgreSQL
    can only use it when it sees the values — also in the generic plan of a prepared statement."""
    return Request.status.in_(bindparam("open_statuses", list(OPEN_STATUSES), expanding=True,
                                        literal_execute=True, unique=True))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def local_day_start(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=BEIJING)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def build(f: Filters, m, dialect: str, now: datetime | None = None):
    now = now or utcnow()
    stmt = admin_scope.requests(select(Request), m)
    if f.status and f.status != "open":
        stmt = stmt.where(Request.status == f.status)
    if f.status == "open" or f.overdue:
        # once, even with both: a repeated IN makes PostgreSQL square its selectivity, expect
        # ~1,000 overdue rows instead of ~50,000 and pick a nested loop over the search index
        stmt = stmt.where(open_status())
    if f.kind:
        stmt = stmt.where(Request.kind.is_(None)) if f.kind == "none" else stmt.where(Request.kind == f.kind)
    if (v := _int(f.village)) is not None:
        stmt = stmt.where(Request.village_id == v)
    if (t := _int(f.township)) is not None:
        stmt = stmt.where(Request.village_id.in_(select(Village.id).where(Village.township_id == t)))
    if f.priority:
        stmt = stmt.where(Request.priority == f.priority)
    if f.tier:
        stmt = stmt.where(Request.tier == f.tier)
    if f.overdue:
        stmt = stmt.where(Request.due_at < now)
    if f.review:
        stmt = stmt.where(Request.status == "needs_review")
    if f.escalated:
        stmt = stmt.where(Request.escalation_level > 0)
    if (d := _day(f.since)) is not None:
        stmt = stmt.where(Request.created_at >= local_day_start(d))
    if (d := _day(f.until)) is not None:
        stmt = stmt.where(Request.created_at < local_day_start(d + timedelta(days=1)))
    q = f.q.strip()
    if q:
        if search.NUMBER_RE.match(q):
            stmt = stmt.where(Request.number == q.upper())
        else:
            ids = search.matching_ids(dialect, q)
            if ids is not None:
                stmt = stmt.where(Request.id.in_(ids))
    return stmt


COUNT_CAP = 10000


def page(session: Session, f: Filters, m, dialect: str) -> tuple[int, list[Request]]:
    stmt = build(f, m, dialect)
    # counting a whole county's million rows costs more than the page itself: count at most
    # COUNT_CAP + 1 rows; the page shows "10000+" and pagination stops there
    total = session.scalar(select(func.count()).select_from(
        stmt.order_by(None).with_only_columns(Request.id).limit(COUNT_CAP + 1).subquery()))
    rows = session.scalars(stmt.options(joinedload(Request.village)).order_by(*SORTS[f.sort])
                           .offset((f.page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return total, list(rows)
