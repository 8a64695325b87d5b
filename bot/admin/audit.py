"""The audit log, searchable by county admins."""
from __future__ import annotations

from datetime import date, timedelta

from flask import g, render_template, request

from bot import ext
from bot.admin import bp
from bot.admin.auth import roles
from bot.services import audit
from bot.services.admin_inbox import local_day_start

PER_PAGE = 50


def _day(value: str):
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@bp.get("/audit")
@roles("county_admin")
def audit_log():
    m = g.member
    a = {k: (request.args.get(k) or "").strip()[:100] for k in ("login", "action", "target", "q", "since", "until")}
    page = request.args.get("page", "1")
    page = max(1, int(page)) if page.isdigit() else 1
    since, until = _day(a["since"]), _day(a["until"])
    with ext.get().db.session() as s:
        total, rows = audit.search(s, m.county_id, login=a["login"], action=a["action"], target=a["target"], q=a["q"],
                                   since=local_day_start(since) if since else None,
                                   until=local_day_start(until + timedelta(days=1)) if until else None,
                                   page=page, per_page=PER_PAGE)
    return render_template("admin/audit.html", rows=rows, total=total, a=a, page=page,
                           pages=max(1, (total + PER_PAGE - 1) // PER_PAGE), me=m)
