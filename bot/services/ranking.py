"""Monthly ranking of work teams (月度排名) on a 100-point scale. See docs/admin.md.

The requests of a team in a month: those assigned to the team and received in that month
(Beijing time), except cancelled and merged ones.

  时效 on-time      40 × (resolved by the deadline) / (all its requests of the month)
  满意 satisfaction 30 × (average rating − 1) / 4; no rating yet → 24 (neutral, 4 stars)
  响应 response     20 × (48 − median hours to accept) / 46, clamped to 0..20
                    (≤ 2 h full marks, ≥ 48 h none; a request not yet accepted counts
                    with the hours it has waited up to the end of the month or now)
  办件 volume       10 × (requests resolved) / (most resolved by any ranked team)

Teams without requests in the month are listed apart, unranked.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.models import Request, Team, Village
from bot.services import admin_scope
from bot.services.admin_inbox import local_day_start
from bot.services.clock import BEIJING, utcnow

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
    ratings: list = field(default_factory=list)
    response_hours: list = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    on_time_pts: float = 0.0
    satisfaction_pts: float = 0.0
    response_pts: float = 0.0
    volume_pts: float = 0.0
    rank: int = 0

    @property
    def total(self) -> float:
        return round(self.on_time_pts + self.satisfaction_pts + self.response_pts + self.volume_pts, 1)

    @property
    def avg_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None

    @property
    def median_response_h(self) -> float | None:
        return round(statistics.median(self.response_hours), 1) if self.response_hours else None


def response_points(median_h: float) -> float:
    if median_h <= FULL_RESPONSE_H:
        return float(W_RESPONSE)
    if median_h >= ZERO_RESPONSE_H:
        return 0.0
    return W_RESPONSE * (ZERO_RESPONSE_H - median_h) / (ZERO_RESPONSE_H - FULL_RESPONSE_H)


def monthly(session: Session, m, month: str, team_id: int | None = None) -> tuple[list[Score], list[Score]]:
    """(ranked scores, teams without requests). `team_id` limits the lines to one team (drill-down),
    but the volume points still compare with every team in scope."""
    start, end = month_bounds(month)
    cutoff = min(end, utcnow())
    teams = session.scalars(admin_scope.teams(select(Team), m).where(Team.active.is_(True))
                            .options(joinedload(Team.village)).order_by(Team.village_id, Team.id)).all()
    scores = {t.id: Score(t.id, t.name, t.village.name) for t in teams}
    reqs = session.scalars(admin_scope.requests(select(Request), m).where(
        Request.team_id.in_(list(scores)), Request.created_at >= start, Request.created_at < end,
        Request.status.not_in(("cancelled", "merged"))).order_by(Request.id)).all()
    for r in reqs:
        s = scores[r.team_id]
        s.count += 1
        resolved = r.resolved_at is not None
        on_time = resolved and r.due_at is not None and r.resolved_at <= r.due_at
        accepted = r.accepted_at or (r.resolved_at if resolved else None)
        hours = ((accepted or cutoff) - r.created_at).total_seconds() / 3600
        s.resolved += resolved
        s.on_time += on_time
        s.response_hours.append(max(0.0, hours))
        if r.rating:
            s.ratings.append(r.rating)
        if team_id is None or r.team_id == team_id:
            s.lines.append(Line(r, on_time, round(max(0.0, hours), 1), resolved))
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
        s.rank = i
    return ranked, [s for s in scores.values() if not s.count]


def village_of(session: Session, team_id: int) -> Village | None:
    t = session.get(Team, team_id)
    return t.village if t else None
