"""The micro-wish board (心愿墙): public H5 pages per county, township and village; claiming,
withdrawing and fulfilling for signed-in party members and unit accounts; the reviewer's
signed page (/h5/w/<token>). The public pages render only a wish's public fields — never the
villager's name, phone or openid. No JavaScript: readable and shareable in WeChat's browser."""
from __future__ import annotations

import secrets
import time
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from bot import ext
from bot.models import County, Member, Township, Village, Villager, Wish
from bot.services import wishes
from bot.services.clock import utcnow
from bot.services.effects import Effects
from config.settings import var_dir
from handlers import texts

bp = Blueprint("wishes", __name__)
MAX_PHOTO = 5 * 1024 * 1024
EVENT_LABELS = {"created": "提交", "wish_listed": "列入微心愿", "wish_approved": "审核通过并发布",
                "wish_declined": "未通过审核", "wish_claimed": "认领", "wish_withdrawn": "放弃认领",
                "wish_reminded": "提醒认领人", "wish_released": "超时释放", "wish_fulfilled": "送达（附照片）",
                "wish_confirmed": "村民确认", "notified": "已通知", "cancelled": "撤销"}


@bp.app_context_processor
def _inject():
    return {"wish_csrf": generate_csrf}


@bp.before_request
def _csrf():
    if request.endpoint == "wishes.fulfil":
        request.max_content_length = MAX_PHOTO + 64 * 1024  # a photo; the app's limit is for webhooks
    if request.method == "POST" and request.path.startswith("/board"):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except (ValidationError, CSRFError):
            return _page("wishes/message.html", 400, message="页面已过期，请返回刷新后重试。")
    return None


def _page(template: str, status: int = 200, **kw):
    return render_template(template, me=kw.pop("me", None), **kw), status


# ---- who is signed in ------------------------------------------------------------------------
def _claimer(s):
    data = session.get("board")
    if not data:
        return None
    from bot.admin import signed_in_recently

    if not signed_in_recently(data.get("t")):  # 12 hours after sign-in, as in the console
        session.pop("board", None)
        return None
    return wishes.claimer_of_login(s, data.get("k"), data.get("i"))


@bp.route("/board/login", methods=["GET", "POST"])
def login():
    nxt = request.values.get("next") or url_for("wishes.board")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = url_for("wishes.board")
    error = ""
    if request.method == "POST":
        # console logins may sign in here too: the same failure counter and lock as /admin/login
        from bot.admin.auth import LOCKED_MESSAGE, client_ip
        from bot.services import admin_auth

        res = ext.get()
        login_name = (request.form.get("login") or "").strip()[:64]
        ip = client_ip()
        if admin_auth.blocked(res.redis, ip, login_name):
            return _page("wishes/login.html", 429, error=LOCKED_MESSAGE, next=nxt)
        with res.db.session() as s:
            who = wishes.authenticate(s, login_name, request.form.get("password", ""))
        if who is not None:
            admin_auth.clear(res.redis, ip, login_name)
            session.permanent = True  # the cookie expires with the sign-in (PERMANENT_SESSION_LIFETIME)
            session["board"] = {"k": who[0], "i": who[1], "t": int(time.time())}
            return redirect(nxt, code=303)
        admin_auth.record_failure(res.redis, ip, login_name)
        error = "账号或密码不对。"
    return _page("wishes/login.html", 401 if error else 200, error=error, next=nxt)


@bp.post("/board/logout")
def logout():
    session.pop("board", None)
    return redirect(url_for("wishes.board"), code=303)


# ---- the public board ------------------------------------------------------------------------
def _county(s, county_id: int | None = None) -> County:
    county = s.get(County, county_id) if county_id else s.scalar(select(County).order_by(County.id).limit(1))
    if county is None:
        abort(404)
    return county


def _render_board(s, county: County, township: Township | None = None, village: Village | None = None):
    village_filter = request.args.get("village", type=int)
    category = request.args.get("category") or None
    if category not in wishes.categories():
        category = None
    only_open = request.args.get("open") == "1"
    rows = wishes.board(s, county.id, township.id if township else None,
                        village.id if village else village_filter, category, only_open)
    villages = list(s.scalars(select(Village).join(Township).where(
        Township.county_id == county.id, Village.active.is_(True),
        *( [Village.township_id == township.id] if township else [])).order_by(Village.id)))
    title = (village.name if village else township.name if township else county.name) + "微心愿墙"
    me = _claimer(s)
    return _page("wishes/board.html", rows=rows, county=county, township=township, village=village,
                 villages=villages if not village else [], village_filter=village_filter, category=category,
                 only_open=only_open, categories=wishes.categories(), title=title, me=me,
                 share_url=request.url, next=request.full_path)


@bp.get("/board")
def board():
    with ext.get().db.session() as s:
        return _render_board(s, _county(s, request.args.get("county", type=int)))


@bp.get("/board/township/<int:township_id>")
def township_board(township_id: int):
    with ext.get().db.session() as s:
        township = s.get(Township, township_id) or abort(404)
        return _render_board(s, _county(s, township.county_id), township=township)


@bp.get("/board/village/<int:village_id>")
def village_board(village_id: int):
    with ext.get().db.session() as s:
        village = s.get(Village, village_id) or abort(404)
        return _render_board(s, _county(s, village.township.county_id), village=village)


def _public_wish(s, wish_id: int) -> Wish:
    wish = s.get(Wish, wish_id)
    if wish is None or wish.status not in wishes.PUBLIC or wish.request.status == "cancelled":
        abort(404)
    return wish


@bp.get("/board/wish/<int:wish_id>")
def wish_page(wish_id: int):
    with ext.get().db.session() as s:
        wish = _public_wish(s, wish_id)
        me = _claimer(s)
        mine = me is not None and wish.status == "claimed" and me.owns(wish)
        return _page("wishes/wish.html", wish=wish, me=me, mine=mine, categories=wishes.categories(),
                     message=request.args.get("m", ""), share_url=request.url, next=request.full_path)


def _act(wish_id: int, fn):
    res = ext.get()
    fx = Effects()
    with res.db.session() as s:
        wish = _public_wish(s, wish_id)
        me = _claimer(s)
        if me is None:
            return redirect(url_for("wishes.login", next=url_for("wishes.wish_page", wish_id=wish_id)), code=303)
        message, fx = fn(s, res, wish, me, utcnow())
    fx.run(res)
    return redirect(url_for("wishes.wish_page", wish_id=wish_id, m=message), code=303)


@bp.post("/board/wish/<int:wish_id>/claim")
def claim(wish_id: int):
    def go(s, res, wish, me, now):
        _, message, fx = wishes.claim(s, res, wish.id, me, now)
        return message, fx
    return _act(wish_id, go)


@bp.post("/board/wish/<int:wish_id>/withdraw")
def withdraw(wish_id: int):
    return _act(wish_id, wishes.withdraw)


@bp.post("/board/wish/<int:wish_id>/fulfil")
def fulfil(wish_id: int):
    photo = request.files.get("photo")
    data = photo.read(MAX_PHOTO + 1) if photo else b""
    note = (request.form.get("note") or "").strip()[:1000]

    def go(s, res, wish, me, now):
        if not _is_image(data) or len(data) > MAX_PHOTO:
            return texts.WISH_NEED_PHOTO, Effects()
        if wish.status != "claimed" or not me.owns(wish):
            return texts.WISH_NOT_YOURS.format(number=wish.request.number), Effects()
        ext_ = "png" if data.startswith(b"\x89PNG") else "jpg"
        name = f"{wish.id}-{wish.claim_seq}-{secrets.token_hex(8)}.{ext_}"
        folder = var_dir() / "wish_proof"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        return wishes.fulfil(s, res, wish, me, note, None, wishes.proof_url(wish.id, name), now)
    return _act(wish_id, go)


def _is_image(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"


@bp.get("/board/proof/<token>")
def proof(token: str):
    """A proof photo: only through the signed link the reviewer, admins and the claimer get."""
    data = wishes.read_proof_token(token)
    if not data or "/" in data.get("f", "/") or ".." in data["f"]:
        abort(404)
    path = var_dir() / "wish_proof" / data["f"]
    if not path.is_file() or not data["f"].startswith(f"{data['w']}-"):
        abort(404)
    return Response(path.read_bytes(), mimetype="image/png" if data["f"].endswith(".png") else "image/jpeg",
                    headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/board/mine")
def mine():
    with ext.get().db.session() as s:
        me = _claimer(s)
        if me is None:
            return redirect(url_for("wishes.login", next=url_for("wishes.mine")), code=303)
        return _page("wishes/mine.html", rows=wishes.claims_of(s, me), me=me, categories=wishes.categories())


# ---- the reviewer's page (signed link in the wish_review notification) ---------------------------
def _review(s, token: str):
    data = wishes.read_review_token(token)
    if not data:
        abort(404)
    member, wish = s.get(Member, data["m"]), s.get(Wish, data["w"])
    if member is None or wish is None or not wishes.can_review(s, member, wish):
        abort(404)
    return member, wish


@bp.get("/h5/w/<token>")
def review(token: str):
    with ext.get().db.session() as s:
        member, wish = _review(s, token)
        req = wish.request
        villager = s.get(Villager, req.villager_id)
        return _page("wishes/review.html", wish=wish, req=req, villager=villager, member=member, token=token,
                     events=[e for e in req.events if e.kind != "classified"], labels=EVENT_LABELS,
                     attachments=req.attachments, categories=wishes.categories(),
                     message=request.args.get("m", ""))


@bp.post("/h5/w/<token>/<action>")
def review_action(token: str, action: str):
    res = ext.get()
    with res.db.session() as s:
        member, wish = _review(s, token)
        now = utcnow()
        if action == "approve":
            message, fx = wishes.approve(s, res, wish, member, request.form.get("public_text", ""),
                                         request.form.get("category", "other"), now)
        elif action == "decline":
            message, fx = wishes.decline(s, res, wish, member, request.form.get("reason", ""), now)
        else:
            abort(404)
    fx.run(res)
    return redirect(url_for("wishes.review", token=token, m=message), code=303)


# ---- export for admins (the admin console's session) ------------------------------------------
@bp.get("/board/export.xlsx")
def export():
    from bot.admin.auth import load_member
    from bot.services import admin_scope

    m = load_member()
    if m is None or m.role not in ("county_admin", "township_supervisor", "village_secretary"):
        abort(403)
    start = _date(request.args.get("start"))
    end = _date(request.args.get("end"))
    with ext.get().db.session() as s:
        body = wishes.export_xlsx(s, admin_scope.village_ids(m), start, end)
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=cunsheng-wishes.xlsx"})


def _date(value: str | None) -> datetime | None:
    from bot.services.clock import BEIJING

    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=BEIJING).astimezone(timezone.utc) if value else None
    except ValueError:
        abort(400)


__all__ = ["bp"]
