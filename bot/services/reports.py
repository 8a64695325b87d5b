"""Numbers for the dashboard and the quarterly joint-meeting report (工作联席会), always within
the signed-in member's scope. Aggregates run in the database; medians use percentile_cont on
PostgreSQL and are taken in Python on SQLite."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from bot.models import OPEN_STATUSES, STATUS_LABELS, Request, Team, Village
from bot.services import admin_scope
from bot.services.admin_inbox import local_day_start
from bot.services.catalog import team_names
from bot.services.clock import BEIJING, fmt_local, utcnow

CLOSED_OUT = ("cancelled", "merged")


def _hours(dialect: str, end, start):
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def _median(session: Session, dialect: str, base, end_col, start_col) -> float | None:
    expr = _hours(dialect, end_col, start_col)
    stmt = base.with_only_columns(expr).where(end_col.is_not(None)).order_by(None)
    if dialect == "postgresql":
        sub = stmt.with_only_columns(expr.label("h")).subquery()
        value = session.scalar(select(func.percentile_cont(0.5).within_group(sub.c.h)))
        return round(float(value), 1) if value is not None else None
    values = [v for v in session.scalars(stmt) if v is not None]
    return round(statistics.median(values), 1) if values else None


def _week_expr(dialect: str):
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d", Request.created_at, "+8 hours", "weekday 0", "-6 days")
    return func.to_char(func.date_trunc("week", func.timezone("Asia/Shanghai", Request.created_at)), "YYYY-MM-DD")


@dataclass
class Dashboard:
    since: date
    until: date
    total: int = 0
    by_kind: dict = field(default_factory=dict)
    by_village: list = field(default_factory=list)
    by_week: list = field(default_factory=list)
    resolved: int = 0
    on_time: int = 0
    on_time_rate: float | None = None
    median_accept_h: float | None = None
    median_resolve_h: float | None = None
    rated: int = 0
    avg_rating: float | None = None
    satisfied_rate: float | None = None
    open_overdue: int = 0
    open_total: int = 0
    escalations: dict = field(default_factory=dict)
    wishes: dict = field(default_factory=dict)
    by_status: dict = field(default_factory=dict)

    def chart_data(self) -> dict:
        names = team_names()
        return {
            "kinds": [{"name": names.get(k, "待分派" if k == "none" else k), "value": v}
                      for k, v in self.by_kind.items()],
            "villages": {"names": [v[0] for v in self.by_village], "values": [v[1] for v in self.by_village]},
            "weeks": {"names": [w[0] for w in self.by_week], "values": [w[1] for w in self.by_week]},
            "escalations": {"names": [f"{k} 级" for k in self.escalations], "values": list(self.escalations.values())},
            "wishes": {"names": [STATUS_LABELS.get(k, k) for k in self.wishes], "values": list(self.wishes.values())},
        }


def dashboard(session: Session, m, dialect: str, since: date, until: date, village_id: int | None = None) -> Dashboard:
    d = Dashboard(since=since, until=until)
    start, end = local_day_start(since), local_day_start(until + timedelta(days=1))
    scoped = admin_scope.requests(select(Request.id), m)
    if village_id:
        scoped = scoped.where(Request.village_id == village_id)
    base = scoped.where(Request.created_at >= start, Request.created_at < end)
    sub = base.with_only_columns(Request.id).subquery()
    in_period = Request.id.in_(select(sub.c.id))

    def grouped(col, *where):
        stmt = select(col, func.count()).where(in_period, *where).group_by(col)
        return {k: n for k, n in session.execute(stmt).all()}

    d.by_status = grouped(Request.status)
    d.total = sum(d.by_status.values())
    kinds = grouped(Request.kind, Request.kind.is_distinct_from("wish"))
    d.by_kind = {("none" if k is None else k): n for k, n in kinds.items()}
    rows = session.execute(select(Village.name, func.count()).join(Request, Request.village_id == Village.id)
                           .where(in_period).group_by(Village.name).order_by(func.count().desc())).all()
    d.by_village = [(n, c) for n, c in rows]
    week = _week_expr(dialect)
    d.by_week = [(w, c) for w, c in session.execute(
        select(week.label("w"), func.count()).where(in_period).group_by(week).order_by(week)).all()]
    resolved = session.execute(select(func.count(), func.sum(case((Request.resolved_at <= Request.due_at, 1), else_=0)))
                               .where(in_period, Request.resolved_at.is_not(None))).one()
    d.resolved, d.on_time = resolved[0] or 0, int(resolved[1] or 0)
    d.on_time_rate = round(d.on_time / d.resolved, 3) if d.resolved else None
    timing = select(Request.id).where(in_period)
    d.median_accept_h = _median(session, dialect, timing, Request.accepted_at, Request.created_at)
    d.median_resolve_h = _median(session, dialect, timing, Request.resolved_at, Request.created_at)
    rated = session.execute(select(func.count(Request.rating), func.avg(cast(Request.rating, Float)),
                                   func.sum(case((Request.satisfied.is_(True), 1), else_=0)),
                                   func.count(Request.satisfied))
                            .where(in_period, Request.rating.is_not(None) | Request.satisfied.is_not(None))).one()
    d.rated = rated[0] or 0
    d.avg_rating = round(float(rated[1]), 2) if rated[1] is not None else None
    d.satisfied_rate = round((rated[2] or 0) / rated[3], 3) if rated[3] else None
    open_scope = Request.id.in_(scoped.where(Request.status.in_(OPEN_STATUSES)))
    d.open_total = session.scalar(select(func.count()).where(open_scope)) or 0
    d.open_overdue = session.scalar(select(func.count()).where(open_scope, Request.due_at < utcnow())) or 0
    d.escalations = dict(sorted(grouped(Request.escalation_level, Request.escalation_level > 0).items()))
    d.wishes = grouped(Request.status, Request.kind == "wish")
    return d


# ---- quarterly joint-meeting report -------------------------------------------------------

def quarter_bounds(q: str) -> tuple[date, date]:
    """'2026Q4' → (2026-10-01, 2027-01-01)."""
    year, n = int(q[:4]), int(q[-1])
    if not 1 <= n <= 4:
        raise ValueError(q)
    start = date(year, 3 * (n - 1) + 1, 1)
    end = date(year + 1, 1, 1) if n == 4 else date(year, 3 * n + 1, 1)
    return start, end


def current_quarter(now: datetime | None = None) -> str:
    d = (now or utcnow()).astimezone(BEIJING)
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


@dataclass
class TeamRow:
    name: str
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0
    escalated: int = 0
    avg_rating: float | None = None


@dataclass
class Quarterly:
    village: str
    township: str
    quarter: str
    teams: list[TeamRow]
    open_items: list[Request]
    escalated_items: list[Request]
    generated: str


def quarterly(session: Session, village: Village, quarter: str) -> Quarterly:
    start_d, end_d = quarter_bounds(quarter)
    start, end = local_day_start(start_d), local_day_start(end_d)
    now = utcnow()
    rows: dict[int | None, TeamRow] = {}
    teams = session.scalars(select(Team).where(Team.village_id == village.id).order_by(Team.id)).all()
    for t in teams:
        rows[t.id] = TeamRow(t.name)
    reqs = session.scalars(select(Request).where(
        Request.village_id == village.id, Request.status.not_in(CLOSED_OUT), Request.created_at < end,
        (Request.created_at >= start) | Request.status.in_(OPEN_STATUSES) | (Request.resolved_at >= start)
    ).order_by(Request.id)).all()
    ratings: dict[int | None, list[int]] = {}
    open_items, escalated = [], []
    for r in reqs:
        key = r.team_id if r.team_id in rows else None
        if key is None and r.kind == "wish":
            continue
        row = rows.setdefault(key, TeamRow("待分派"))
        if start <= r.created_at < end:
            row.received += 1
        if r.resolved_at and start <= r.resolved_at < end:
            row.resolved += 1
            if r.due_at and r.resolved_at <= r.due_at:
                row.on_time += 1
            if r.rating:
                ratings.setdefault(key, []).append(r.rating)
        if r.status in OPEN_STATUSES:
            row.open += 1
            open_items.append(r)
            if r.due_at and r.due_at < now:
                row.overdue += 1
        if r.escalation_level >= 2 or (r.tier == "complex" and r.status in OPEN_STATUSES):
            row.escalated += 1
            escalated.append(r)
    for key, values in ratings.items():
        rows[key].avg_rating = round(sum(values) / len(values), 2)
    return Quarterly(village.name, village.township.name, quarter, list(rows.values()), open_items, escalated,
                     fmt_local(now, with_year=True))


def quarterly_xlsx(rep: Quarterly) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = team_names()
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.append([f"{rep.township}{rep.village} {rep.quarter} 工作联席会报告"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"生成时间 {rep.generated}"])
    ws.append(["工作队", "本季度受理", "本季度办结", "按时办结", "未办结", "其中超时", "上报乡镇", "平均评价"])
    for t in rep.teams:
        ws.append([t.name, t.received, t.resolved, t.on_time, t.open, t.overdue, t.escalated, t.avg_rating])
    for title, items in (("未办结", rep.open_items), ("上报乡镇", rep.escalated_items)):
        sheet = wb.create_sheet(title)
        sheet.append(["编号", "工作队", "内容", "状态", "督办级别", "受理时间", "时限"])
        for r in items:
            sheet.append([r.number, names.get(r.kind or "", "待分派"), _cell(r.text), r.status_label,
                          r.escalation_level, fmt_local(r.created_at, True), fmt_local(r.due_at, True)])
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["C"].width = 40
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(text: str) -> str:
    """Villagers' text in a spreadsheet: never a formula (CSV/formula injection)."""
    text = (text or "")[:1000]
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
