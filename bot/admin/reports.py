from flask import g, render_template

from bot.admin import bp
from bot.admin.auth import manager_required


@bp.get("/reports/quarterly")
@manager_required
def quarterly():
    return render_template("admin/error.html", message="TODO", me=g.member)
