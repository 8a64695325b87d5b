"""Mobile H5 pages opened from WeChat notifications: a cadre's task page and a villager's
rating page. Signed, expiring links (bot/services/links.py) stand in for a login. Small,
no JavaScript, readable on a cheap phone over a weak signal."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from bot import ext
from bot.models import Member, Request, RequestEvent
from bot.services import followup, links
from bot.services.catalog import team_names
from bot.services.clock import utcnow
from bot.services.effects import Effects

bp = Blueprint("h5", __name__, url_prefix="/h5")
EVENT_LABELS = {"created": "受理", "classified": "自动分类", "assigned": "派单", "needs_review": "待分派",
                "notified": "已通知", "accepted": "签收", "progress": "进展", "resolved": "办结", "proof": "办结照片",
                "returned": "退回", "reminded": "提醒", "escalated": "督办", "survey_sent": "回访", "rated": "评价",
                "reopened": "重新办理", "closed": "销号", "cancelled": "撤销", "attachment": "补充材料"}


class Refused(Exception):
    """The link cannot be used: rendered as a short page saying why and what to do."""

    def __init__(self, status: int, title: str, hint: str = ""):
        super().__init__(title)
        self.status, self.title, self.hint = status, title, hint


def _expired_task():  # a fresh exception each time (a raised one keeps its traceback)
    return Refused(410, "链接已过期", f"任务链接只在 {links.max_age() // 86400} 天内有效。请在公众号回复“我的任务”"
                                    "查看您的待办，或在聊天里办理（如：进展 编号 内容）。")


def _expired_rate():
    return Refused(410, "回访链接已过期", "谢谢您。如果问题还没有解决，请直接在公众号里留言。")


def _invalid():
    return Refused(404, "链接无效", "链接可能不完整或被改动过。请从公众号消息里重新打开。")


@bp.errorhandler(Refused)
def _refused(exc: Refused):
    kept = (request.form.get("text") or "").strip()[:1000] if request.method == "POST" else ""
    return render_template("h5/error.html", title=exc.title, hint=exc.hint, kept=kept), exc.status


def _task(token: str):
    data, why = links.check("h5-task", token)
    if not data:
        raise _expired_task() if why == "expired" else _invalid()
    try:
        return int(data["m"]), int(data["r"])
    except (KeyError, TypeError, ValueError):
        raise _invalid() from None


def _load(s, member_id: int, request_id: int):
    """The member and request of a task link, or Refused saying why it no longer works."""
    member, req = s.get(Member, member_id), s.get(Request, request_id)
    if member is None or req is None:
        raise _invalid()
    if not member.active:
        raise Refused(403, "您的账号已停用", "如有疑问请联系村里。")
    if not followup.can_act(s, member, req):
        if member.role in ("team_leader", "team_member"):
            if req.team_id is None and _returned_by(s, member, req):
                raise Refused(200, f"您已退回 {req.number}", "村里会重新分派，这件诉求不再需要您办理。")
            raise Refused(403, "该诉求已转给其他工作队", f"{req.number} 已不由您的工作队办理，无需再处理。"
                                                        "请在公众号回复“我的任务”查看您的待办。")
        raise Refused(403, "您已不负责这件诉求", "请在公众号回复“我的任务”查看您的待办。")
    return member, req


def _returned_by(s, member: Member, req: Request) -> bool:
    last = s.scalar(select(RequestEvent).where(RequestEvent.request_id == req.id, RequestEvent.kind == "returned")
                    .order_by(RequestEvent.id.desc()).limit(1))
    return last is not None and (last.actor or "").startswith(f"member:{member.id}:")


@bp.get("/t/<token>")
def task(token: str):
    member_id, request_id = _task(token)
    with ext.get().db.session() as s:
        member, req = _load(s, member_id, request_id)
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
        member, req = _load(s, member_id, request_id)
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
            raise _invalid()
    fx.run(res)
    return task_redirect(token, message)


def task_redirect(token: str, message: str):
    from flask import redirect, url_for

    return redirect(url_for("h5.task", token=token, m=message), code=303)


@bp.route("/r/<token>", methods=["GET", "POST"])
def rate(token: str):
    data, why = links.check("h5-rate", token)
    if not data:
        raise _expired_rate() if why == "expired" else _invalid()
    res = ext.get()
    fx = Effects()
    message = ""
    with res.db.session() as s:
        req = s.get(Request, data.get("r")) if isinstance(data.get("r"), int) else None
        if req is None:
            raise _invalid()
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
