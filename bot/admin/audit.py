from flask import g, render_template

from bot.admin import bp
from bot.admin.auth import roles


@bp.get("/audit")
@roles("county_admin")
def audit_log():
    return render_template("admin/error.html", message="TODO", me=g.member)
