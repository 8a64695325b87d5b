"""The admin console (first cut): login, the inbox of requests, a request's timeline,
the micro-wish list. Every query is scoped to what the signed-in member may see."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from bot import ext
from bot.models import Member, Request, Township, Village
from bot.services.catalog import team_names
from bot.services.clock import fmt_local

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 50
ROLE_LABELS = {"county_admin": "县级管理员", "township_supervisor": "乡镇督导", "village_secretary": "村党支部书记",
               "team_leader": "工作队队长", "team_member": "工作队队员"}


def login_required(fn):
    @wraps(fn)
    def wrapper(*a, **kw):
        mid = session.get("member_id")
        if not mid:
            return redirect(url_for("admin.login", next=request.path))
        with ext.get().db.session() as s:
            m = s.get(Member, mid)
            if m is None or not m.active:
                session.clear()
                return redirect(url_for("admin.login"))
            s.expunge(m)
        g.member = m
        return fn(*a, **kw)

    return wrapper


def scoped(stmt, m: Member):
    """Limit a Request query to the member's scope."""
    if m.role == "county_admin":
        return stmt.where(Request.county_id == m.county_id)
    if m.role == "township_supervisor":
        return stmt.where(Request.village_id.in_(select(Village.id).where(Village.township_id == m.township_id)))
    if m.role == "village_secretary":
        return stmt.where(Request.village_id == m.village_id)
    return stmt.where(Request.team_id == m.team_id)


@bp.app_template_filter("local")
def _local(dt):
    return fmt_local(dt, with_year=True)


@bp.app_context_processor
def _inject():
    return {"team_names": team_names(), "role_labels": ROLE_LABELS}


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        login_name = (request.form.get("login") or "").strip()[:64]
        password = request.form.get("password") or ""
        with ext.get().db.session() as s:
            m = s.scalar(select(Member).where(Member.login == login_name, Member.active.is_(True)))
            ok = m is not None and m.password_hash and check_password_hash(m.password_hash, password)
            mid = m.id if ok else None
        if mid:
            session.clear()
            session["member_id"] = mid
            nxt = request.args.get("next") or ""
            return redirect(nxt if nxt.startswith("/admin") else url_for("admin.inbox"))
        error = "账号或密码不正确。"
    return render_template("admin/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
@login_required
def inbox():
    m = g.member
    status = request.args.get("status") or ""
    kind = request.args.get("kind") or ""
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    stmt = scoped(select(Request), m)
    if status:
        stmt = stmt.where(Request.status == status)
    if kind:
        stmt = stmt.where(Request.kind == kind) if kind != "none" else stmt.where(Request.kind.is_(None))
    with ext.get().db.session() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = s.scalars(stmt.options(joinedload(Request.village)).order_by(Request.id.desc())
                         .offset((page - 1) * PAGE).limit(PAGE)).all()
    return render_template("admin/inbox.html", rows=rows, total=total, page=page, pages=(total + PAGE - 1) // PAGE,
                           status=status, kind=kind, me=m)


@bp.get("/requests/<number>")
@login_required
def request_page(number: str):
    m = g.member
    with ext.get().db.session() as s:
        req = s.scalar(scoped(select(Request), m).where(Request.number == number).options(
            joinedload(Request.village).joinedload(Village.township), joinedload(Request.team),
            joinedload(Request.events), joinedload(Request.attachments)))
        if req is None:
            abort(404)
        others = s.scalars(scoped(select(Request), m).where(Request.villager_id == req.villager_id,
                                                            Request.id != req.id).order_by(Request.id.desc())
                           .limit(20)).all()
    return render_template("admin/request.html", req=req, others=others, me=m)


@bp.get("/wishes")
@login_required
def wishes():
    m = g.member
    with ext.get().db.session() as s:
        rows = s.scalars(scoped(select(Request), m).where(Request.kind == "wish")
                         .options(joinedload(Request.village)).order_by(Request.id.desc()).limit(200)).all()
    return render_template("admin/wishes.html", rows=rows, me=m)


__all__ = ["bp", "Township"]
