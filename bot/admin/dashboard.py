"""The dashboard (charts from the vendored ECharts) and the monthly ranking with drill-down."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import abort, g, render_template, request

from bot import ext
from bot.admin import bp
from bot.admin.auth import login_required
from bot.admin.inbox import scope_options
from bot.services import admin_scope, ranking, reports
from bot.services.clock import BEIJING, utcnow

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default


@bp.get("/dashboard")
@login_required
def dashboard():
    m = g.member
    today = utcnow().astimezone(BEIJING).date()
    until = _date(request.args.get("until"), today)
    since = _date(request.args.get("since"), until - timedelta(weeks=12))
    if since > until:
        since, until = until, since
    village = request.args.get("village", "")
    res = ext.get()
    with res.db.session() as s:
        vid = int(village) if village.isdigit() else None
        if vid is not None and not admin_scope.can_see_village(s, m, vid):
            abort(404)
        d = reports.dashboard(s, m, res.db.dialect, since, until, vid)
        villages, _ = scope_options(s, m)
    return render_template("admin/dashboard.html", d=d, me=m, villages=villages, village=village,
                           charts=d.chart_data())


def _month() -> str:
    month = request.args.get("month") or ""
    return month if MONTH.match(month) else ranking.current_month()


@bp.get("/ranking", endpoint="ranking")
@login_required
def ranking_page():
    m = g.member
    month = _month()
    with ext.get().db.session() as s:
        ranked, idle = ranking.monthly(s, m, month)
    return render_template("admin/ranking.html", ranked=ranked, idle=idle, month=month, me=m,
                           weights=(ranking.W_ON_TIME, ranking.W_SATISFACTION, ranking.W_RESPONSE, ranking.W_VOLUME))


@bp.get("/ranking/<int:team_id>")
@login_required
def ranking_team(team_id: int):
    m = g.member
    month = _month()
    with ext.get().db.session() as s:
        ranked, idle = ranking.monthly(s, m, month, team_id=team_id)
        score = next((x for x in ranked + idle if x.team_id == team_id), None)
        if score is None:  # not a team in this member's scope
            abort(404)
    return render_template("admin/ranking_team.html", score=score, month=month, me=m, total_teams=score.of)
