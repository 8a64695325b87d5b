"""Sign-in, sign-out, password change; the decorators every other admin view uses."""
from __future__ import annotations

import time
from functools import wraps

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from bot import ext
from bot.admin import bp, csrf, signed_in_recently
from bot.models import Member
from bot.services import admin_auth, admin_scope
from bot.services.catalog import team_names
from bot.services.clock import fmt_local

from bot.models.people import ROLE_LABELS  # noqa: E402,F401 - re-exported for the admin views


@bp.before_request
def _protect():
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        csrf.protect()  # every form, the login form included
    return None


@bp.errorhandler(CSRFError)
def _csrf_error(exc):
    return render_template("admin/error.html", message="页面已过期，请刷新后重试。", me=g.get("member")), 400


def load_member() -> Member | None:
    mid = session.get("member_id")
    if not mid or not signed_in_recently(session.get("since")):
        return None
    with ext.get().db.session() as s:
        m = s.get(Member, mid)
        if m is None or not m.active or session.get("pwv") != admin_auth.fingerprint(m):
            return None
        s.expunge(m)
    return m


def login_required(fn):
    @wraps(fn)
    def wrapper(*a, **kw):
        m = load_member()
        if m is None:
            session.clear()
            return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None))
        g.member = m
        return fn(*a, **kw)

    return wrapper


def roles(*allowed: str):
    def deco(fn):
        @wraps(fn)
        @login_required
        def wrapper(*a, **kw):
            if g.member.role not in allowed:
                abort(403)
            return fn(*a, **kw)

        return wrapper

    return deco


def manager_required(fn):
    return roles("county_admin", "township_supervisor", "village_secretary")(fn)


@bp.app_template_filter("local")
def _local(dt):
    return fmt_local(dt, with_year=True)


@bp.app_template_filter("mask_phone")
def _mask_phone(phone):
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else ("*" * len(phone))


@bp.app_context_processor
def _inject():
    return {"team_names": team_names(), "role_labels": ROLE_LABELS, "scope": admin_scope}


LOCKED_MESSAGE = "登录失败次数太多，请 15 分钟后再试。"


def client_ip() -> str:
    """The address the login limiter counts (also used by the wish board's login)."""
    return request.remote_addr or "-"


def _safe_next(nxt: str | None) -> str:
    nxt = (nxt or "").strip()
    if nxt.startswith("/admin") and not nxt.startswith("//") and "\\" not in nxt:
        return nxt
    return url_for("admin.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        login_name = (request.form.get("login") or "").strip()[:64]
        password = request.form.get("password") or ""
        res = ext.get()
        ip = client_ip()
        if admin_auth.blocked(res.redis, ip, login_name):
            return render_template("admin/login.html", error=LOCKED_MESSAGE), 429
        with res.db.session() as s:
            m = admin_auth.authenticate(s, login_name, password)
            if m is not None:
                from bot.services import audit

                audit.record(s, m, "login", "member", m.login or "", "登录")
                mid, pwv = m.id, admin_auth.fingerprint(m)
        if m is not None:
            admin_auth.clear(res.redis, ip, login_name)
            session.clear()
            session.permanent = True
            session["member_id"], session["pwv"] = mid, pwv
            session["since"] = int(time.time())  # the session ends 12 hours after this, used or not
            return redirect(_safe_next(request.args.get("next")))
        admin_auth.record_failure(res.redis, ip, login_name)
        error, status = "账号或密码不正确。", 401
    return render_template("admin/login.html", error=error), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    error = done = None
    if request.method == "POST":
        with ext.get().db.session() as s:
            m = s.get(Member, g.member.id)
            error = admin_auth.change_password(s, m, request.form.get("current") or "",
                                               request.form.get("new") or "", request.form.get("confirm") or "")
            if error is None:
                session["pwv"] = admin_auth.fingerprint(m)
                done = "密码已修改。"
    return render_template("admin/password.html", me=g.member, error=error, done=done), (400 if error else 200)
