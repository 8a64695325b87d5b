"""The quarterly joint-meeting report (工作联席会) of a village: printable page and XLSX."""
from __future__ import annotations

import re

from flask import Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot import ext
from bot.admin import bp
from bot.admin.auth import manager_required
from bot.admin.inbox import scope_options
from bot.models import Village
from bot.services import admin_scope, audit, reports

QUARTER = re.compile(r"^\d{4}Q[1-4]$")


def _quarter() -> str:
    q = (request.args.get("quarter") or "").upper()
    return q if QUARTER.match(q) else reports.current_quarter()


def _village(s, m, village_id: int) -> Village:
    if not admin_scope.can_see_village(s, m, village_id):
        abort(404)
    return s.scalar(select(Village).where(Village.id == village_id).options(joinedload(Village.township)))


@bp.get("/reports/quarterly")
@manager_required
def quarterly():
    m = g.member
    with ext.get().db.session() as s:
        villages, _ = scope_options(s, m)
    if len(villages) == 1:
        return redirect(url_for("admin.quarterly_village", village_id=villages[0].id, quarter=_quarter()))
    return render_template("admin/quarterly_index.html", villages=villages, quarter=_quarter(), me=m)


@bp.get("/reports/quarterly/<int:village_id>")
@manager_required
def quarterly_village(village_id: int):
    m = g.member
    with ext.get().db.session() as s:
        rep = reports.quarterly(s, _village(s, m, village_id), _quarter())
    return render_template("admin/quarterly.html", rep=rep, village_id=village_id, me=m)


@bp.get("/reports/quarterly/<int:village_id>.xlsx")
@manager_required
def quarterly_xlsx(village_id: int):
    m = g.member
    with ext.get().db.session() as s:
        village = _village(s, m, village_id)
        rep = reports.quarterly(s, village, _quarter())
        audit.record(s, m, "export_quarterly", "village", str(village_id), f"导出 {rep.village} {rep.quarter} 联席会报告")
        body = reports.quarterly_xlsx(rep)
    from urllib.parse import quote

    filename = quote(f"{rep.village}-{rep.quarter}-联席会报告.xlsx")
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=report-{village_id}-{rep.quarter}.xlsx; "
                                                    f"filename*=UTF-8''{filename}"})
