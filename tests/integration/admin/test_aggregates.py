"""Dashboard and monthly ranking figures on a known, varied dataset, for every role.

The dashboard and the ranking are computed by a few aggregate statements (migration 0005's
indexes, `bot/services/reports.py`, `bot/services/ranking.py`). The oracles here are the
straightforward versions they replaced: the dashboard as one query per figure over
`id IN (the scoped period)`, the ranking scored in Python request by request from the
documented formula (docs/admin.md). Both must agree exactly, on both backends.
"""
from __future__ import annotations

import random
import statistics
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Float, case, cast, func, select

from bot.models import OPEN_STATUSES, Account, Member, Request, Team, Village, Villager
from bot.services import admin_scope, ranking, reports
from bot.services.admin_inbox import local_day_start
from bot.services.clock import BEIJING, utcnow
from tests.support import clock

ROLES = ["county", "guoluo"]  # + one township supervisor, one team leader, one team member (found below)


def _members(s) -> list[Member]:
    out = [s.scalar(select(Member).where(Member.login == login)) for login in ROLES]
    out.append(s.scalar(select(Member).where(Member.role == "township_supervisor").order_by(Member.id).limit(1)))
    guoluo = out[1]
    for role in ("team_leader", "team_member"):
        out.append(s.scalar(select(Member).where(Member.role == role, Member.village_id == guoluo.village_id)
                            .order_by(Member.id).limit(1)))
    return out


def _account(s, county_id: int) -> Account:
    acc = s.scalar(select(Account).order_by(Account.id).limit(1))
    if acc is None:
        acc = Account(key="aggregates", name="测试", appid="wxaggregates", token="t", county_id=county_id)
        s.add(acc)
        s.flush()
    return acc


def _seed(res, n: int = 400, seed: int = 11) -> None:
    """Requests over the last ~100 days in four villages of two townships: every status, unrouted
    and wish requests, missing deadlines, resolutions with and without acceptance, acceptances
    before receipt (negative hours), ratings with and without satisfaction, escalation levels."""
    rng = random.Random(seed)
    now = utcnow().replace(second=0, microsecond=0)
    with res.db.session() as s:
        guoluo = s.scalar(select(Member).where(Member.login == "guoluo"))
        account = _account(s, guoluo.county_id)
        villages = [s.get(Village, guoluo.village_id)]
        villages += s.scalars(select(Village).where(Village.id != guoluo.village_id).order_by(Village.id).limit(3)).all()
        teams = {(t.village_id, t.kind): t.id for t in s.scalars(select(Team)).all()}
        villagers = []
        for i, v in enumerate(villages):
            vg = Villager(account_id=account.id, openid=f"oAggregates{i:04d}", village_id=v.id)
            s.add(vg)
            villagers.append(vg)
        s.flush()
        statuses = ["new", "needs_review", "assigned", "accepted", "reopened", "resolved", "closed", "closed",
                    "cancelled", "merged"]
        kinds = ["welfare", "governance", "ecology", "industry", "culture", "wish", None]
        for i in range(n):
            vi = rng.choice([0, 0, 0, 1, 2, 3])
            v = villages[vi]
            kind = rng.choice(kinds)
            created = now - timedelta(minutes=rng.randint(0, 100 * 24 * 60))
            if kind == "wish":
                status = rng.choice(["wish_pending", "wish_open", "wish_claimed", "wish_fulfilled", "closed"])
            else:
                status = rng.choice(statuses)
            accepted = resolved = None
            if rng.random() < 0.7:
                accepted = created + timedelta(minutes=rng.randint(-90, 72 * 60))
            if status in ("resolved", "closed", "wish_fulfilled") or rng.random() < 0.1:
                resolved = (accepted or created) + timedelta(minutes=rng.randint(0, 20 * 24 * 60))
                if rng.random() < 0.3:
                    accepted = None  # resolved without an acceptance
            due = None if kind == "wish" or rng.random() < 0.1 else created + timedelta(hours=rng.choice([2, 24, 216]))
            rating = rng.choice([None, None, 1, 2, 3, 4, 5, 5]) if resolved else None
            satisfied = (rating >= 3 if rating else rng.choice([None, True, False])) if resolved else None
            s.add(Request(number=f"AG-{i:05d}", county_id=guoluo.county_id, village_id=v.id,
                          villager_id=villagers[vi].id, kind=kind,
                          team_id=teams.get((v.id, kind)) if kind and rng.random() < 0.95 else None,
                          status=status, text="路灯坏了" if i % 3 else "垃圾没人清理", created_at=created,
                          due_at=due, accepted_at=accepted, resolved_at=resolved, rating=rating, satisfied=satisfied,
                          escalation_level=rng.choice([0, 0, 0, 1, 2, 3])))


# ---- the oracles: the implementations the aggregates replaced --------------------------------

def _reference_dashboard(session, m, dialect, since, until, village_id=None) -> dict:
    start, end = local_day_start(since), local_day_start(until + timedelta(days=1))
    scoped = admin_scope.requests(select(Request.id), m)
    if village_id:
        scoped = scoped.where(Request.village_id == village_id)
    base = scoped.where(Request.created_at >= start, Request.created_at < end)
    sub = base.with_only_columns(Request.id).subquery()
    in_period = Request.id.in_(select(sub.c.id))

    def grouped(col, *where):
        return {k: n for k, n in session.execute(select(col, func.count()).where(in_period, *where).group_by(col)).all()}

    def median(end_col):  # as before: percentile_cont on PostgreSQL, Python on SQLite
        expr = reports._hours(dialect, end_col, Request.created_at)
        stmt = select(expr).where(in_period, end_col.is_not(None))
        if dialect == "postgresql":
            value = session.scalar(select(func.percentile_cont(0.5).within_group(stmt.subquery().c[0])))
            return round(float(value), 1) if value is not None else None
        values = [v for v in session.scalars(stmt) if v is not None]
        return round(statistics.median(values), 1) if values else None

    d = {"by_status": grouped(Request.status)}
    d["total"] = sum(d["by_status"].values())
    d["by_kind"] = {("none" if k is None else k): n
                    for k, n in grouped(Request.kind, Request.kind.is_distinct_from("wish")).items()}
    d["by_village"] = sorted(session.execute(
        select(Village.name, func.count()).join(Request, Request.village_id == Village.id).where(in_period)
        .group_by(Village.name)).all(), key=lambda r: (-r[1], r[0]))
    weeks: dict = {}
    for r in session.scalars(select(Request).where(in_period)).all():
        local = r.created_at.astimezone(BEIJING)
        monday = (local - timedelta(days=local.weekday())).strftime("%Y-%m-%d")
        weeks[monday] = weeks.get(monday, 0) + 1
    d["by_week"] = sorted(weeks.items())
    resolved = session.execute(select(func.count(), func.sum(case((Request.resolved_at <= Request.due_at, 1), else_=0)))
                               .where(in_period, Request.resolved_at.is_not(None))).one()
    d["resolved"], d["on_time"] = resolved[0] or 0, int(resolved[1] or 0)
    d["on_time_rate"] = round(d["on_time"] / d["resolved"], 3) if d["resolved"] else None
    d["median_accept_h"] = median(Request.accepted_at)
    d["median_resolve_h"] = median(Request.resolved_at)
    rated = session.execute(select(func.count(Request.rating), func.avg(cast(Request.rating, Float)),
                                   func.sum(case((Request.satisfied.is_(True), 1), else_=0)),
                                   func.count(Request.satisfied))
                            .where(in_period, Request.rating.is_not(None) | Request.satisfied.is_not(None))).one()
    d["rated"] = rated[0] or 0
    d["avg_rating"] = round(float(rated[1]), 2) if rated[1] is not None else None
    d["satisfied_rate"] = round((rated[2] or 0) / rated[3], 3) if rated[3] else None
    open_scope = Request.id.in_(scoped.where(Request.status.in_(OPEN_STATUSES)))
    d["open_total"] = session.scalar(select(func.count()).where(open_scope)) or 0
    d["open_overdue"] = session.scalar(select(func.count()).where(open_scope, Request.due_at < utcnow())) or 0
    d["escalations"] = dict(sorted(grouped(Request.escalation_level, Request.escalation_level > 0).items()))
    d["wishes"] = grouped(Request.status, Request.kind == "wish")
    return d


def _as_dict(d: reports.Dashboard) -> dict:
    keys = ("by_status", "total", "by_kind", "by_village", "by_week", "resolved", "on_time", "on_time_rate",
            "median_accept_h", "median_resolve_h", "rated", "avg_rating", "satisfied_rate", "open_total",
            "open_overdue", "escalations", "wishes")
    out = {k: getattr(d, k) for k in keys}
    out["by_village"] = [tuple(r) for r in out["by_village"]]
    return out


def _reference_ranking(session, m, month: str, now) -> dict:
    """The documented formula, request by request in Python: {team_id: (count, resolved, on_time,
    avg_rating, median_h, on_time_pts, satisfaction_pts, response_pts, volume_pts, total, rank)}.
    Scored over the whole county (every team, active or not); `m`'s scope picks the rows."""
    start, end = ranking.month_bounds(month)
    cutoff = min(end, now)
    county = session.scalar(select(Member).where(Member.role == "county_admin", Member.county_id == m.county_id)
                            .order_by(Member.id).limit(1))
    ids = [t.id for t in session.scalars(admin_scope.teams(select(Team), county)).all()]
    visible = set(session.scalars(admin_scope.teams(select(Team.id), m)))
    per: dict = {}
    for r in session.scalars(admin_scope.requests(select(Request), county).where(
            Request.team_id.in_(ids), Request.created_at >= start, Request.created_at < end,
            Request.status.not_in(("cancelled", "merged")))).all():
        t = per.setdefault(r.team_id, {"n": 0, "resolved": 0, "on_time": 0, "ratings": [], "hours": []})
        t["n"] += 1
        done = r.resolved_at is not None
        t["resolved"] += done
        t["on_time"] += done and r.due_at is not None and r.resolved_at <= r.due_at
        reached = r.accepted_at or r.resolved_at or cutoff
        t["hours"].append(max(0.0, (reached - r.created_at).total_seconds() / 3600))
        if r.rating:
            t["ratings"].append(r.rating)
    most = max((t["resolved"] for t in per.values()), default=0)
    out = {}
    for tid, t in per.items():
        avg = round(sum(t["ratings"]) / len(t["ratings"]), 2) if t["ratings"] else None
        median_h = round(statistics.median(t["hours"]), 1)
        pts = (round(40 * t["on_time"] / t["n"], 1),
               round(30 * ((avg if avg is not None else 4.0) - 1) / 4, 1),
               round(20.0 if median_h <= 2 else 0.0 if median_h >= 48 else 20 * (48 - median_h) / 46, 1),
               round(10 * t["resolved"] / most, 1) if most else 0.0)
        out[tid] = [t["n"], t["resolved"], t["on_time"], avg, median_h, *pts, round(sum(pts), 1)]
    order = sorted(out, key=lambda tid: (-out[tid][-1], -out[tid][1], tid))
    for rank, tid in enumerate(order, 1):
        out[tid].append(rank)
    return {tid: tuple(v) for tid, v in out.items() if tid in visible}


# ---- the tests ---------------------------------------------------------------------------------

# The dataset spans ~100 days before "now" and the tests read the current and the last month:
# they run at a fixed instant in the middle of a month, whatever today's date is.
NOW = datetime(2026, 11, 18, 15, 20, tzinfo=BEIJING)


@pytest.fixture
def dataset(res):
    with clock.at(NOW):
        _seed(res)
        yield res


def test_dashboard_equals_the_per_figure_queries_for_every_role(dataset):
    res = dataset
    today = utcnow().astimezone(BEIJING).date()
    with res.db.session() as s:
        members = _members(s)
        assert [m.role for m in members] == ["county_admin", "village_secretary", "township_supervisor",
                                             "team_leader", "team_member"]
        other_village = s.scalar(select(Request.village_id).where(Request.village_id != members[1].village_id))
        windows = [(today - timedelta(weeks=12), today, None), (today - timedelta(days=20), today - timedelta(days=3), None),
                   (today - timedelta(weeks=70), today, None),  # more weeks than MAX_WEEK_COLUMNS
                   (today - timedelta(weeks=12), today, members[1].village_id),
                   (today - timedelta(weeks=12), today, other_village)]
        checked = 0
        for m in members:
            for since, until, vid in windows:
                got = _as_dict(reports.dashboard(s, m, res.db.dialect, since, until, vid))
                want = _reference_dashboard(s, m, res.db.dialect, since, until, vid)
                assert got == want, (m.login, since, until, vid)
                checked += got["total"]
    assert checked > 500  # the windows are not empty


def test_dashboard_figures_on_a_small_known_dataset(res):
    """Figures worked out by hand: three requests in 果洛藏贡麻村, one elsewhere."""
    now = utcnow().replace(microsecond=0)
    with res.db.session() as s:
        guoluo = s.scalar(select(Member).where(Member.login == "guoluo"))
        account = _account(s, guoluo.county_id)
        other = s.scalar(select(Village.id).where(Village.id != guoluo.village_id).order_by(Village.id).limit(1))
        team = s.scalar(select(Team.id).where(Team.village_id == guoluo.village_id, Team.kind == "welfare"))
        vg = Villager(account_id=account.id, openid="oKnown", village_id=guoluo.village_id)
        s.add(vg)
        s.flush()
        base = dict(county_id=guoluo.county_id, village_id=guoluo.village_id, villager_id=vg.id, text="路灯坏了")
        s.add_all([
            Request(number="KN-1", kind="welfare", team_id=team, status="closed", created_at=now - timedelta(hours=10),
                    due_at=now, accepted_at=now - timedelta(hours=8), resolved_at=now - timedelta(hours=4),
                    rating=5, satisfied=True, **base),
            Request(number="KN-2", kind="welfare", team_id=team, status="resolved", created_at=now - timedelta(hours=10),
                    due_at=now - timedelta(hours=6), accepted_at=now - timedelta(hours=6),
                    resolved_at=now - timedelta(hours=2), rating=2, satisfied=False, escalation_level=1, **base),
            Request(number="KN-3", kind=None, status="needs_review", created_at=now - timedelta(hours=3),
                    due_at=now - timedelta(hours=1), escalation_level=2, **base),
            Request(number="KN-4", kind="wish", status="wish_open", created_at=now - timedelta(hours=1),
                    **dict(base, village_id=other)),
        ])
    with res.db.session() as s:
        m = s.scalar(select(Member).where(Member.login == "guoluo"))
        today = now.astimezone(BEIJING).date()
        d = reports.dashboard(s, m, res.db.dialect, today - timedelta(days=2), today + timedelta(days=1))
        county = reports.dashboard(s, s.scalar(select(Member).where(Member.login == "county")), res.db.dialect,
                                   today - timedelta(days=2), today + timedelta(days=1))
    assert (d.total, d.by_kind, d.wishes) == (3, {"welfare": 2, "none": 1}, {})
    assert d.by_status == {"closed": 1, "resolved": 1, "needs_review": 1}
    assert (d.resolved, d.on_time, d.on_time_rate) == (2, 1, 0.5)
    assert (d.median_accept_h, d.median_resolve_h) == (3.0, 7.0)  # (2 h, 4 h) and (6 h, 8 h)
    assert (d.rated, d.avg_rating, d.satisfied_rate) == (2, 3.5, 0.5)
    assert (d.open_total, d.open_overdue) == (1, 1)
    assert d.escalations == {1: 1, 2: 1}
    assert sum(n for _, n in d.by_week) == 3 and len(d.by_village) == 1
    assert county.total == 4 and county.wishes == {"wish_open": 1} and len(county.by_village) == 2


def test_monthly_ranking_equals_the_formula_request_by_request(dataset):
    res = dataset
    now = utcnow()
    this = ranking.current_month(now)
    first = now.astimezone(BEIJING).replace(day=1)
    last = (first - timedelta(days=1)).strftime("%Y-%m")
    with res.db.session() as s:
        ranked_any = 0
        for m in _members(s):
            for month in (this, last):
                want = _reference_ranking(s, m, month, now)
                ranked, idle = ranking.monthly(s, m, month, now=now)
                got = {x.team_id: (x.count, x.resolved, x.on_time, x.avg_rating, x.median_response_h, x.on_time_pts,
                                   x.satisfaction_pts, x.response_pts, x.volume_pts, x.total, x.rank) for x in ranked}
                assert got == want, (m.login, month)
                assert all(x.count == 0 and not x.lines for x in idle)
                ranked_any += len(ranked)
                if ranked:  # the drill-down lists exactly the requests behind the score
                    top = ranked[0]
                    drilled, _ = ranking.monthly(s, m, month, team_id=top.team_id, now=now)
                    score = next(x for x in drilled if x.team_id == top.team_id)
                    assert len(score.lines) == top.count and score.total == top.total
                    assert sum(1 for line in score.lines if line.on_time) == top.on_time
                    assert all(not x.lines for x in drilled if x.team_id != top.team_id)
    assert ranked_any > 10


def test_a_team_has_the_same_score_and_rank_whoever_looks(dataset):
    """The county admin, the township supervisor, the village secretary and the team's own leader
    see the same points and the same (county) rank for a team, the rank the monthly WeChat
    message tells its leader."""
    res = dataset
    now = utcnow()
    month = ranking.current_month(now)
    with res.db.session() as s:
        members = _members(s)
        county = {x.team_id: (x.total, x.volume_pts, x.rank, x.of) for x in ranking.monthly(s, members[0], month, now=now)[0]}
        leader = members[3]
        assert leader.team_id in county
        for m in members[1:]:
            ranked, _ = ranking.monthly(s, m, month, now=now)
            assert ranked, m.login
            for x in ranked:
                assert (x.total, x.volume_pts, x.rank, x.of) == county[x.team_id], (m.login, x.team)
        [own] = ranking.monthly(s, leader, month, now=now)[0]
    total, _, rank, of = county[leader.team_id]
    assert (own.rank, own.of, own.total) == (rank, of, total)


def test_a_deactivated_team_keeps_its_requests_and_place(dataset):
    """Deactivating a team does not erase its work: its requests keep counting, in past months and
    in the current one, and its drill-down still lists them."""
    from sqlalchemy import update

    res = dataset
    now = utcnow()
    this = ranking.current_month(now)
    last = (now.astimezone(BEIJING).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with res.db.session() as s:
        county = s.scalar(select(Member).where(Member.login == "county"))
        before = {month: {x.team_id: (x.count, x.total, x.rank) for x in ranking.monthly(s, county, month, now=now)[0]}
                  for month in (this, last)}
        team_id = next(tid for tid in before[last] if tid in before[this])
    with res.db.session() as s:
        s.execute(update(Team).where(Team.id == team_id).values(active=False))
    with res.db.session() as s:
        county = s.scalar(select(Member).where(Member.login == "county"))
        for month in (this, last):
            ranked, idle = ranking.monthly(s, county, month, team_id=team_id, now=now)
            assert {x.team_id: (x.count, x.total, x.rank) for x in ranked} == before[month], month
            score = next(x for x in ranked if x.team_id == team_id)
            assert len(score.lines) == score.count > 0
