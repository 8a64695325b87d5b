"""Numbers for the dashboard and the quarterly joint-meeting report (工作联席会), always within
the signed-in member's scope. Aggregates run in the database; medians use percentile_cont on
PostgreSQL and are taken in Python on SQLite."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from bot.models import OPEN_STATUSES, STATUS_LABELS, Request, Team, Village
from bot.services import admin_scope
from bot.services.admin_inbox import local_day_start, open_status
from bot.services.catalog import team_names
from bot.services.clock import BEIJING, fmt_local, utcnow

CLOSED_OUT = ("cancelled", "merged")


def _hours(dialect: str, end, start):
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    # date_part gives a double; EXTRACT gives a numeric since PostgreSQL 14, ~3x slower to divide
    # and sort over 200,000 rows (the hours are the same once rounded to 0.1)
    return func.date_part("epoch", end - start) / 3600.0


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


def _scoped(stmt, m, village_id: int | None):
    stmt = admin_scope.requests(stmt, m)
    return stmt.where(Request.village_id == village_id) if village_id else stmt


MAX_WEEK_COLUMNS = 60  # longer periods group the weeks with date_trunc in a statement of their own


def dashboard(session: Session, m, dialect: str, since: date, until: date, village_id: int | None = None) -> Dashboard:
    """Three statements over the requests in scope, with the conditions in their WHERE (no
    `id IN (subquery)`), so PostgreSQL reads the period from an index on created_at, in parallel:

    1. GROUP BY status, kind, escalation level, village with the resolution and rating sums of
       each group → every count, the on-time rate, satisfaction, escalations, wishes, villages;
    2. the two medians (percentile_cont) and one `count(*) FILTER` per week of the period
       (PostgreSQL; SQLite: the hours in Python and the weeks grouped by strftime);
    3. open and open-overdue now, whenever received (the partial index on open requests)."""
    d = Dashboard(since=since, until=until)
    start, end = local_day_start(since), local_day_start(until + timedelta(days=1))
    period = (Request.created_at >= start, Request.created_at < end)

    # 1.
    on_time = func.sum(case((Request.resolved_at <= Request.due_at, 1), else_=0))
    satisfied = func.sum(case((Request.satisfied.is_(True), 1), else_=0))
    groups = (Request.status, Request.kind, Request.escalation_level, Request.village_id)
    rows = session.execute(_scoped(select(
        *groups, func.count(), func.count(Request.resolved_at), on_time, func.count(Request.rating),
        func.sum(Request.rating), satisfied, func.count(Request.satisfied)), m, village_id)
        .where(*period).group_by(*groups)).all()
    by_status: dict = {}
    by_kind: dict = {}
    escalations: dict = {}
    wishes: dict = {}
    per_village: dict[int, int] = {}
    rating_n = rating_sum = satisfied_n = satisfied_of = 0
    for status, kind, level, vid, n, resolved, in_time, rn, rsum, sat, sat_of in rows:
        by_status[status] = by_status.get(status, 0) + n
        if kind != "wish":
            key = "none" if kind is None else kind
            by_kind[key] = by_kind.get(key, 0) + n
        else:
            wishes[status] = wishes.get(status, 0) + n
        if level is not None and level > 0:
            escalations[level] = escalations.get(level, 0) + n
        per_village[vid] = per_village.get(vid, 0) + n
        d.resolved += resolved or 0
        d.on_time += int(in_time or 0)
        rating_n += rn or 0
        rating_sum += int(rsum or 0)
        satisfied_n += int(sat or 0)
        satisfied_of += sat_of or 0
    d.by_status = _by_count(by_status)
    d.total = sum(by_status.values())
    d.by_kind = _by_count(by_kind)
    d.escalations = dict(sorted(escalations.items()))
    d.wishes = _by_count(wishes)
    d.on_time_rate = round(d.on_time / d.resolved, 3) if d.resolved else None
    d.rated = rating_n
    d.avg_rating = round(rating_sum / rating_n, 2) if rating_n else None
    d.satisfied_rate = round(satisfied_n / satisfied_of, 3) if satisfied_of else None
    names = dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(list(per_village)))).all()) \
        if per_village else {}
    by_name: dict[str, int] = {}
    for vid, n in per_village.items():
        by_name[names[vid]] = by_name.get(names[vid], 0) + n
    d.by_village = sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0]))

    # 2.
    base = _scoped(select(), m, village_id).where(*period)
    hours = [_hours(dialect, Request.accepted_at, Request.created_at),
             _hours(dialect, Request.resolved_at, Request.created_at)]
    weeks = _week_starts(since, until)
    if dialect == "postgresql":
        # two sorts of the period's rows: 4 MB (the default work_mem) spills 200,000 rows to disk
        session.execute(text("SET LOCAL work_mem = '32MB'"))
        week_cols = [func.count().filter(Request.created_at >= w0, Request.created_at < w1)
                     for w0, w1 in zip(weeks, weeks[1:])] if len(weeks) <= MAX_WEEK_COLUMNS + 1 else []
        # percentile_cont skips NULLs: the hours of rows without an end are NULL
        row = session.execute(base.with_only_columns(
            *[func.percentile_cont(0.5).within_group(h) for h in hours], *week_cols)).one()
        d.median_accept_h, d.median_resolve_h = [round(float(v), 1) if v is not None else None for v in row[:2]]
        if week_cols:
            d.by_week = [(w0.strftime("%Y-%m-%d"), n) for w0, n in zip(weeks, row[2:]) if n]
        else:
            week = func.date_trunc("week", func.timezone("Asia/Shanghai", Request.created_at))
            d.by_week = [(w.strftime("%Y-%m-%d"), n) for w, n in session.execute(
                base.with_only_columns(week, func.count()).group_by(week).order_by(week)).all()]
    else:
        values = session.execute(base.with_only_columns(*hours)).all()
        accept = [r[0] for r in values if r[0] is not None]
        resolve = [r[1] for r in values if r[1] is not None]
        d.median_accept_h = round(statistics.median(accept), 1) if accept else None
        d.median_resolve_h = round(statistics.median(resolve), 1) if resolve else None
        week = _week_expr(dialect)
        d.by_week = [(w, n) for w, n in session.execute(
            base.with_only_columns(week, func.count()).group_by(week).order_by(week)).all()]

    # 3.
    opened = session.execute(_scoped(select(func.count(), func.count().filter(Request.due_at < utcnow())),
                                     m, village_id).where(open_status())).one()
    d.open_total, d.open_overdue = opened[0] or 0, opened[1] or 0
    return d


def _by_count(counts: dict) -> dict:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _week_starts(since: date, until: date) -> list[datetime]:
    """Monday 00:00 (Beijing time) of every week that meets [since, until], and the Monday after."""
    monday = since - timedelta(days=since.weekday())
    out = [local_day_start(monday)]
    while out[-1] < local_day_start(until + timedelta(days=1)):
        out.append(out[-1] + timedelta(weeks=1))
    return out


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
