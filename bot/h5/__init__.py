"""Mobile H5 pages opened from WeChat notifications: a cadre's task page and a villager's
rating page. Signed, expiring links (bot/services/links.py) stand in for a login. Small,
no JavaScript, readable on a cheap phone over a weak signal."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for
from sqlalchemy import func, select

from bot import ext
from bot.models import Member, Request, RequestEvent
from bot.services import followup, links, timeline
from bot.services.catalog import team_names
from bot.services.clock import fmt_local, utcnow
from bot.services.effects import Effects

bp = Blueprint("h5", __name__, url_prefix="/h5")
EVENT_LABELS = timeline.EVENT_LABELS  # the page uses timeline.event_label


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


# What the page says after a button. Only these fixed texts can appear in the banner: the
# redirect carries a code (`?m=`), never the text, so nobody can put words on the page.
TASK_MESSAGES = {
    "accepted": "已签收。请在 {due} 前办结，办好后在下面填写办理结果，点“办结”。",
    "already": "这件诉求已经签收过了。",
    "progress": "进展已记录。",
    "resolved": "已办结，办理结果会告诉群众。{proof_minutes} 分钟内在公众号里发来的现场照片会作为办结凭证。",
    "returned": "已退回，村里会重新分派。",
    "state": "这件诉求现在是“{status}”，刚才的操作没有执行。",
    "need-progress": "请填写进展内容。",
    "need-result": "请填写办理结果。",
    "need-reason": "请填写退回原因。",
}
RATE_MESSAGES = {
    "thanks": "谢谢您的评价！{number} 已销号。",
    "reopened": "抱歉没有办好。{number} 已重新交给工作队办理，并提级督办。",
    "ended": "这次回访已经结束，谢谢您。",
}
NEED = {"progress": "need-progress", "resolve": "need-result", "return": "need-reason"}


# ---- the form token -------------------------------------------------------------------------
# The signed link is the credential. A form token ties each POST to a page this browser opened
# with that link: an HMAC of the link and a random value kept in the (SameSite=Lax) session
# cookie, which browsers do not send with another site's POST. A forwarded link still works for
# whoever opens it (docs/followup.md).
def _form_mac(nonce: str, link_token: str) -> str:
    key = ext.get().settings.secret_key.encode()
    return hmac.new(key, f"h5-form|{nonce}|{link_token}".encode(), hashlib.sha256).hexdigest()[:32]


def form_token(link_token: str) -> str:
    nonce = session.get("h5")
    if not isinstance(nonce, str):
        nonce = session["h5"] = secrets.token_urlsafe(16)
    return _form_mac(nonce, link_token)


def _check_form(link_token: str) -> None:
    nonce, given = session.get("h5"), request.form.get("f", "")
    if not isinstance(nonce, str) or not hmac.compare_digest(_form_mac(nonce, link_token), given):
        raise Refused(400, "页面已过期，没有提交", "请重新打开这个页面（从公众号消息里点开，或刷新），再提交一次。")


def _task_message(req: Request) -> str:
    text = TASK_MESSAGES.get(request.args.get("m", ""), "")
    return text.format(due=fmt_local(req.due_at), status=req.status_label,
                       proof_minutes=followup.PROOF_WINDOW_MINUTES) if text else ""


@bp.get("/t/<token>")
def task(token: str):
    member_id, request_id = _task(token)
    with ext.get().db.session() as s:
        member, req = _load(s, member_id, request_id)
        events = [e for e in req.events if e.kind not in ("classified",)][-12:]
        page = render_template("h5/task.html", req=req, member=member, events=events, labels=EVENT_LABELS,
                               team=team_names().get(req.kind or "", "待分派"), token=token,
                               message=_task_message(req), form_token=form_token(token),
                               proof_minutes=followup.PROOF_WINDOW_MINUTES, **timeline.TEMPLATE_HELPERS)
    return page


def _progress_count(s, req: Request) -> int:
    return s.scalar(select(func.count(RequestEvent.id)).where(RequestEvent.request_id == req.id,
                                                             RequestEvent.kind == "progress"))


@bp.post("/t/<token>/<action>")
def task_action(token: str, action: str):
    member_id, request_id = _task(token)
    if action not in ("accept", "progress", "resolve", "return"):
        raise _invalid()
    res = ext.get()
    text = (request.form.get("text") or "").strip()[:1000]
    fx = Effects()
    with res.db.session() as s:
        member, req = _load(s, member_id, request_id)
        _check_form(token)
        now, before = utcnow(), req.status
        if action == "accept":
            followup.accept(s, res, member, req, now, fx)
            code = "already" if before == "accepted" else ("accepted" if req.status == "accepted" else "state")
        elif before not in followup.ACTIVE:
            code = "state"
        elif not text:
            code = NEED[action]
        elif action == "progress":
            done = _progress_count(s, req)
            followup.progress(s, res, member, req, text, now, fx)
            code = "progress" if _progress_count(s, req) > done else NEED[action]
        elif action == "resolve":
            followup.resolve(s, res, member, req, text, now, fx)
            code = "resolved" if req.status == "resolved" else NEED[action]
        else:
            followup.return_(s, res, member, req, text, now, fx)
            code = "returned" if req.status == "needs_review" else NEED[action]
    fx.run(res)
    return redirect(url_for("h5.task", token=token, m=code), code=303)


@bp.route("/r/<token>", methods=["GET", "POST"])
def rate(token: str):
    data, why = links.check("h5-rate", token)
    if not data:
        raise _expired_rate() if why == "expired" else _invalid()
    res = ext.get()
    fx = Effects()
    with res.db.session() as s:
        req = s.get(Request, data.get("r")) if isinstance(data.get("r"), int) else None
        if req is None:
            raise _invalid()
        is_open = req.status == "resolved" and (req.reopen_count or 0) == data.get("c")
        if request.method == "POST":  # POST-redirect-GET: a refresh shows the outcome, it does not rate again
            if not is_open:  # changes nothing, so needs no form token
                code = "ended"
            else:
                _check_form(token)
                choice = request.form.get("rating", "")
                if choice not in {"1", "2", "3", "4", "5"}:
                    raise Refused(400, "请选择一个评分", "请返回上一页，点一个分数。")
                rating = int(choice)
                satisfied = rating >= followup.cfg()["unsatisfied_below"]
                _, fx = followup.rate(s, res, req, rating, satisfied, utcnow(), actor="villager:h5")
                code = "thanks" if req.status == "closed" else "reopened"
        else:
            code = request.args.get("m", "")  # shown only when it is true now: a code in the URL proves nothing
            shown = {"thanks": req.status == "closed" and req.rating is not None,
                     "reopened": (req.reopen_count or 0) > (data.get("c") or 0), "ended": not is_open}
            message = RATE_MESSAGES[code].format(number=req.number) if shown.get(code) else ""
            page = render_template("h5/rate.html", req=req, message=message, open=is_open,
                                   form_token=form_token(token))
    if request.method == "POST":
        fx.run(res)
        return redirect(url_for("h5.rate", token=token, m=code), code=303)
    return page
