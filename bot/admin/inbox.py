"""The inbox (filters in the URL), the review queue for needs_review, the micro-wish list."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from bot import ext
from bot.admin import bp
from bot.admin.auth import login_required
from bot.models import STATUS_LABELS, Request, Township, Village
from bot.services import admin_actions, admin_inbox, admin_scope, outbox
from bot.services.clock import utcnow


# why a request waits in the review queue (Request.review_reason, set by handlers/ and services)
REVIEW_REASON_LABELS = {"low_confidence": "自动分类把握不大", "no_team": "本村没有对应的工作队",
                        "non_chinese": "不是中文", "voice_unrecognised": "语音未能识别",
                        "returned": "工作队退回", "tibetan": "藏文留言，请懂藏文的同志确认"}


@bp.app_template_global()
def confidence_note(confidence, threshold=None) -> str:
    """Why low_confidence, in numbers: "（0.38，低于 0.45）" — the confidence and the review
    threshold it was compared with (kept in the needs_review event); "（0.38）" for a request
    from before the threshold was recorded; "" without a confidence."""
    if not isinstance(confidence, (int, float)):
        return ""
    if isinstance(threshold, (int, float)):
        return f"（{confidence:.2f}，低于 {threshold:.2f}）"
    return f"（{confidence:.2f}）"


@bp.app_context_processor
def _labels():
    return {"status_labels": STATUS_LABELS, "review_reasons": REVIEW_REASON_LABELS}


def scope_options(s, m):
    villages = s.execute(select(Village.id, Village.name, Village.township_id).where(
        Village.id.in_(admin_scope.village_ids(m))).order_by(Village.township_id, Village.id)).all()
    townships = s.execute(select(Township.id, Township.name).where(
        Township.id.in_(admin_scope.township_ids(m))).order_by(Township.id)).all()
    return villages, townships


@bp.get("/")
@login_required
def inbox():
    m = g.member
    f = admin_inbox.Filters.from_args(request.args)
    res = ext.get()
    with res.db.session() as s:
        total, rows = admin_inbox.page(s, f, m, res.db.dialect)
        villages, townships = scope_options(s, m)
    pages = max(1, (total + admin_inbox.PER_PAGE - 1) // admin_inbox.PER_PAGE)
    return render_template("admin/inbox.html", rows=rows, total=total, f=f, pages=pages, me=m, now=utcnow(),
                           villages=villages, townships=townships, statuses=STATUS_LABELS,
                           sorts={"new": "最新", "old": "最早", "due": "时限最近", "escalation": "督办级别"})


def _next_review(s, m, after_id: int | None = None):
    stmt = admin_scope.requests(select(Request), m).where(Request.status == "needs_review")
    if after_id:
        stmt = stmt.where(Request.id > after_id)
    return s.scalar(stmt.options(joinedload(Request.village)).order_by(Request.id).limit(1))


@bp.get("/review")
@login_required
def review():
    """One request at a time; keys 1–5 pick the team, 6 the micro-wish list, 0 skips."""
    m = g.member
    if not admin_scope.may(m, "reclassify"):
        abort(403)
    after = request.args.get("after", "")
    with ext.get().db.session() as s:
        req = _next_review(s, m, int(after) if after.isdigit() else None)
        left = s.scalar(select(func.count()).select_from(
            admin_scope.requests(select(Request.id), m).where(Request.status == "needs_review").subquery()))
        if req is not None:
            s.refresh(req, ["events"])
    return render_template("admin/review.html", req=req, left=left, me=m, kinds=admin_actions.kinds())


@bp.post("/review/<number>")
@login_required
def review_decide(number: str):
    m = g.member
    kind = request.form.get("kind") or ""
    res = ext.get()
    ids: list[int] = []
    with res.db.session() as s:
        # the row is locked (PostgreSQL) so that two decisions on it cannot both see needs_review
        req = s.scalar(admin_scope.requests(select(Request), m).where(Request.number == number)
                       .with_for_update(of=Request))
        if req is None:
            abort(404)
        req_id = req.id
        if kind == "skip":
            return redirect(url_for("admin.review", after=req_id))
        if req.status != "needs_review":  # a stale tab or a second key press: someone already decided
            flash(f"该诉求已被处理（{number}：{STATUS_LABELS.get(req.status, req.status)}），没有改动。", "error")
            return redirect(url_for("admin.review"))
        try:
            ids = admin_actions.route(s, res, m, req, kind, train=True, reason="审核分派")
        except admin_actions.ActionError as exc:
            flash(str(exc), "error")
            return redirect(url_for("admin.review", after=req_id - 1))
    outbox.enqueue(res, ids)
    flash(f"{number} 已分派给 {admin_actions.kinds().get(kind, kind)}。", "ok")
    return redirect(url_for("admin.review"))


@bp.get("/wishes")
@login_required
def wishes():
    m = g.member
    with ext.get().db.session() as s:
        rows = s.scalars(admin_scope.requests(select(Request), m).where(Request.kind == "wish")
                         .options(joinedload(Request.village)).order_by(Request.id.desc()).limit(200)).all()
    return render_template("admin/wishes.html", rows=rows, me=m)
