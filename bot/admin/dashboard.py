"""Dashboard and monthly ranking (stub, filled in below)."""
from flask import g, render_template

from bot.admin import bp
from bot.admin.auth import login_required


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template("admin/error.html", message="TODO", me=g.member)


@bp.get("/ranking")
@login_required
def ranking():
    return render_template("admin/error.html", message="TODO", me=g.member)
