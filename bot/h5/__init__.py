"""Mobile H5 pages opened from WeChat notifications: a cadre's task page and a villager's
rating page. Signed, expiring links (bot/services/links.py) stand in for a login. Small,
no JavaScript, readable on a cheap phone over a weak signal."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from bot import ext
from bot.models import Member, Request
from bot.services import followup, links
from bot.services.catalog import team_names
from bot.services.clock import utcnow
from bot.services.effects import Effects

bp = Blueprint("h5", __name__, url_prefix="/h5")
EVENT_LABELS = {"created": "受理", "classified": "自动分类", "assigned": "派单", "needs_review": "待分派",
                "notified": "已通知", "accepted": "签收", "progress": "进展", "resolved": "办结", "proof": "办结照片",
                "returned": "退回", "reminded": "提醒", "escalated": "督办", "survey_sent": "回访", "rated": "评价",
                "reopened": "重新办理", "closed": "销号", "cancelled": "撤销", "attachment": "补充材料"}


def _task(token: str):
    data = links.read("h5-task", token)
    if not data:
        abort(404)
    return data["m"], data["r"]


@bp.get("/t/<token>")
def task(token: str):
    member_id, request_id = _task(token)
    with ext.get().db.session() as s:
        member, req = s.get(Member, member_id), s.get(Request, request_id)
        if member is None or req is None or not member.active or not followup.can_act(s, member, req):
            abort(404)
        events = [e for e in req.events if e.kind not in ("classified",)][-12:]
        page = render_template("h5/task.html", req=req, member=member, events=events, labels=EVENT_LABELS,
                               team=team_names().get(req.kind or "", "待分派"), token=token,
                               message=request.args.get("m", ""))
    return page


@bp.post("/t/<token>/<action>")
def task_action(token: str, action: str):
    member_id, request_id = _task(token)
    res = ext.get()
    text = (request.form.get("text") or "").strip()[:1000]
    fx = Effects()
    with res.db.session() as s:
        member, req = s.get(Member, member_id), s.get(Request, request_id)
        if member is None or req is None or not member.active or not followup.can_act(s, member, req):
            abort(404)
        now = utcnow()
        if action == "accept":
            message = followup.accept(s, res, member, req, now, fx)
        elif action == "progress":
            message = followup.progress(s, member, req, text, now)
        elif action == "resolve":
            message = followup.resolve(s, res, member, req, text, now, fx)
        elif action == "return":
            message = followup.return_(s, res, member, req, text, now, fx)
        else:
            abort(404)
    fx.run(res)
    return task_redirect(token, message)


def task_redirect(token: str, message: str):
    from flask import redirect, url_for

    return redirect(url_for("h5.task", token=token, m=message), code=303)


@bp.route("/r/<token>", methods=["GET", "POST"])
def rate(token: str):
    data = links.read("h5-rate", token)
    if not data:
        abort(404)
    res = ext.get()
    fx = Effects()
    message = ""
    with res.db.session() as s:
        req = s.get(Request, data["r"])
        if req is None:
            abort(404)
        if request.method == "POST":
            if (req.reopen_count or 0) != data.get("c") or req.status != "resolved":
                message = "这次回访已经结束，谢谢您。"
            else:
                choice = request.form.get("rating", "")
                if choice not in {"1", "2", "3", "4", "5"}:
                    abort(400)
                rating = int(choice)
                satisfied = rating >= followup.cfg()["unsatisfied_below"]
                message, fx = followup.rate(s, res, req, rating, satisfied, utcnow(), actor="villager:h5")
        page = render_template("h5/rate.html", req=req, message=message,
                               open=req.status == "resolved" and (req.reopen_count or 0) == data.get("c"))
    fx.run(res)
    return page
