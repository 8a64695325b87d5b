"""Monthly ranking of work teams (月度排名) on a 100-point scale. See docs/admin.md.

The requests of a team in a month: those assigned to the team and received in that month
(Beijing time), except cancelled and merged ones.

  时效 on-time      40 × (resolved by the deadline) / (all its requests of the month)
  满意 satisfaction 30 × (average rating − 1) / 4; no rating yet → 24 (neutral, 4 stars)
  响应 response     20 × (48 − median hours to accept) / 46, clamped to 0..20
                    (≤ 2 h full marks, ≥ 48 h none; a request not yet accepted counts
                    with the hours it has waited up to the end of the month or now)
  办件 volume       10 × (requests resolved) / (most resolved by any team of the county)

Teams without requests in the month are listed apart, unranked. Scores and ranks are
county-wide whoever looks; a viewer's scope only filters the rows (see `monthly`).

Computed with one GROUP BY team in the database; see `monthly`.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, literal, select, text
from sqlalchemy.orm import Session, joinedload, load_only

from bot.db import UTCDateTime

from bot.models import Request, Team, Township, Village
from bot.services import admin_scope
from bot.services.admin_inbox import local_day_start
from bot.services.clock import BEIJING, utcnow
from bot.services.reports import _hours

W_ON_TIME, W_SATISFACTION, W_RESPONSE, W_VOLUME = 40, 30, 20, 10
FULL_RESPONSE_H, ZERO_RESPONSE_H = 2.0, 48.0
NEUTRAL_RATING = 4.0


def month_bounds(month: str) -> tuple[datetime, datetime]:
    y, mth = int(month[:4]), int(month[5:7])
    start = date(y, mth, 1)
    end = date(y + 1, 1, 1) if mth == 12 else date(y, mth + 1, 1)
    return local_day_start(start), local_day_start(end)


def current_month(now: datetime | None = None) -> str:
    return (now or utcnow()).astimezone(BEIJING).strftime("%Y-%m")


@dataclass
class Line:
    request: Request
    on_time: bool
    response_h: float
    resolved: bool


@dataclass
class Score:
    team_id: int
    team: str
    village: str
    count: int = 0
    resolved: int = 0
    on_time: int = 0
    rated: int = 0  # requests with a rating
    rating_sum: int = 0
    median_response_h: float | None = None
    lines: list[Line] = field(default_factory=list)  # filled for the drilled-down team only
    on_time_pts: float = 0.0
    satisfaction_pts: float = 0.0
    response_pts: float = 0.0
    volume_pts: float = 0.0
    rank: int = 0  # the county rank
    of: int = 0  # ranked teams in the county

    @property
    def total(self) -> float:
        return round(self.on_time_pts + self.satisfaction_pts + self.response_pts + self.volume_pts, 1)

    @property
    def avg_rating(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None


def response_points(median_h: float) -> float:
    if median_h <= FULL_RESPONSE_H:
        return float(W_RESPONSE)
    if median_h >= ZERO_RESPONSE_H:
        return 0.0
    return W_RESPONSE * (ZERO_RESPONSE_H - median_h) / (ZERO_RESPONSE_H - FULL_RESPONSE_H)


def _counted(stmt, county_id: int, team_ids, start: datetime, end: datetime):
    """The requests that count for the ranking: of the county, of the teams (ids or a SELECT of
    ids), received in the month, neither cancelled nor merged."""
    return stmt.where(
        Request.county_id == county_id,
        Request.team_id.in_(team_ids), Request.created_at >= start, Request.created_at < end,
        Request.status.not_in(("cancelled", "merged")))


def _county_teams(county_id: int, columns):
    return select(*columns).where(Team.village_id.in_(
        select(Village.id).join(Township).where(Township.county_id == county_id)))


def monthly(session: Session, m, month: str, team_id: int | None = None,
            now: datetime | None = None) -> tuple[list[Score], list[Score]]:
    """(ranked scores, teams without requests), as far as `m` may see them.

    Scores and ranks are the county's, whoever looks: the volume points compare with the most
    resolved by any team of the county and `rank` is the county rank, as the monthly WeChat
    message tells team leaders; `m`'s scope only decides which rows are returned
    (`Score.of` = the number of ranked teams in the county). A team that has been
    deactivated keeps its requests and its place, in past months and in the current one; teams
    without requests are listed only while active. `team_id` fills the lines of one team
    (drill-down).

    One GROUP BY team in the database (counts, on time, ratings; the median response hours with
    percentile_cont on PostgreSQL, in Python on SQLite); request rows are loaded only for the
    drilled-down team."""
    start, end = month_bounds(month)
    cutoff = min(end, now or utcnow())
    county_id = m.county_id
    visible = set(session.scalars(admin_scope.teams(select(Team.id), m)))
    if not visible:
        return [], []
    teams = session.scalars(_county_teams(county_id, (Team,)).options(joinedload(Team.village))
                            .order_by(Team.village_id, Team.id)).all()
    scores = {t.id: Score(t.id, t.name, t.village.name) for t in teams}
    active = {t.id for t in teams if t.active}
    dialect = session.get_bind().dialect.name
    # hours to acceptance (a resolution without an acceptance counts; not yet accepted: the
    # hours waited until the cut-off), never below 0
    reached = func.coalesce(Request.accepted_at, Request.resolved_at, literal(cutoff, UTCDateTime()))
    hours = _hours(dialect, reached, Request.created_at)
    hours = case((hours < 0, 0.0), else_=hours)
    rated = (Request.rating.is_not(None)) & (Request.rating != 0)
    cols = [Request.team_id, func.count(), func.count(Request.resolved_at),
            func.sum(case(((Request.resolved_at.is_not(None)) & (Request.due_at.is_not(None))
                           & (Request.resolved_at <= Request.due_at), 1), else_=0)),
            func.sum(case((rated, 1), else_=0)), func.sum(case((rated, Request.rating), else_=0))]
    if dialect == "postgresql":
        cols.append(func.percentile_cont(0.5).within_group(hours))
        # the month's requests sorted per team for the median: 4 MB (the default) spills to disk
        session.execute(text("SET LOCAL work_mem = '32MB'"))
    # the county's teams as a subquery, not 150 bound ids: one plan, whatever the number of teams
    in_scope = _county_teams(county_id, (Team.id,))
    for row in session.execute(_counted(select(*cols), county_id, in_scope, start, end).group_by(Request.team_id)):
        s = scores[row[0]]
        s.count, s.resolved, s.on_time, s.rated, s.rating_sum = row[1], row[2], int(row[3] or 0), \
            int(row[4] or 0), int(row[5] or 0)
        if dialect == "postgresql" and row[6] is not None:
            s.median_response_h = round(float(row[6]), 1)
    if dialect != "postgresql":
        per_team: dict[int, list[float]] = {}
        for tid, created, at in session.execute(_counted(
                select(Request.team_id, Request.created_at, reached), county_id, in_scope, start, end)):
            per_team.setdefault(tid, []).append(max(0.0, (at - created).total_seconds() / 3600))
        for tid, values in per_team.items():
            scores[tid].median_response_h = round(statistics.median(values), 1)
    if team_id is not None and team_id in scores and team_id in visible:
        cols = (Request.number, Request.text, Request.status, Request.rating, Request.created_at,
                Request.accepted_at, Request.resolved_at, Request.due_at)
        for r in session.scalars(_counted(select(Request), county_id, [team_id], start, end)
                                 .options(load_only(*cols, raiseload=True)).order_by(Request.id)):
            resolved = r.resolved_at is not None
            on_time = resolved and r.due_at is not None and r.resolved_at <= r.due_at
            accepted = r.accepted_at or (r.resolved_at if resolved else None)
            h = ((accepted or cutoff) - r.created_at).total_seconds() / 3600
            scores[team_id].lines.append(Line(r, on_time, round(max(0.0, h), 1), resolved))
    ranked = [s for s in scores.values() if s.count]
    most = max((s.resolved for s in ranked), default=0)
    for s in ranked:
        s.on_time_pts = round(W_ON_TIME * s.on_time / s.count, 1)
        avg = s.avg_rating if s.avg_rating is not None else NEUTRAL_RATING
        s.satisfaction_pts = round(W_SATISFACTION * (avg - 1) / 4, 1)
        s.response_pts = round(response_points(s.median_response_h or 0.0), 1)
        s.volume_pts = round(W_VOLUME * s.resolved / most, 1) if most else 0.0
    ranked.sort(key=lambda s: (-s.total, -s.resolved, s.team_id))
    for i, s in enumerate(ranked, 1):
        s.rank, s.of = i, len(ranked)
    return ([s for s in ranked if s.team_id in visible],
            [s for s in scores.values() if not s.count and s.team_id in visible and s.team_id in active])


def village_of(session: Session, team_id: int) -> Village | None:
    t = session.get(Team, team_id)
    return t.village if t else None
