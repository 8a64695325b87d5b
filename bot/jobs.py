"""RQ jobs. They take ids, reload from the database, and may run twice without harm."""
from __future__ import annotations

import logging
from datetime import timedelta

import requests
from sqlalchemy import update
from wechatpy.exceptions import WeChatClientException

from bot import ext
from bot.models import Member, Outbox, RequestEvent, Villager
from bot.services import outbox as outbox_service
from bot.services.catalog import hash_openid
from bot.services.clock import utcnow
from bot.wechat_api import client_for

log = logging.getLogger("cunsheng.jobs")
MAX_ATTEMPTS = 8
BACKOFF = [30, 60, 120, 300, 900, 1800, 3600]  # seconds after attempt n
# errors that will not go away by retrying: the recipient or the message is wrong
PERMANENT = {40003: "invalid openid", 43004: "not following", 40037: "invalid template_id",
             47003: "argument invalid", 47001: "bad data", 40013: "invalid appid", 40125: "invalid secret"}
UNBIND = {40003, 43004}


def dispatch(outbox_ids: list[int], scheduled: list | None = None) -> int:
    """Fan out what one web request produced: a notify job per Outbox row, and the
    follow-up jobs at their times (RQ's scheduler)."""
    from datetime import datetime

    from bot.services.effects import Effects

    fx = Effects(outbox_ids=list(outbox_ids))
    for when, name, args in scheduled or []:
        fx.schedule(datetime.fromisoformat(when), name, *args)
    fx.run_now(ext.get())
    return len(outbox_ids)


def notify(outbox_id: int) -> str:
    """Deliver one Outbox row through the WeChat API; record the result on the timeline."""
    res = ext.get()
    now = utcnow()
    with res.db.session() as s:
        claimed = s.execute(
            update(Outbox).where(Outbox.id == outbox_id, Outbox.status.in_(("pending", "failed")))
            .values(status="sending", attempts=Outbox.attempts + 1, enqueued_at=now)
        ).rowcount
        if not claimed:
            return "skipped"  # already sent, or another worker has it
        row = s.get(Outbox, outbox_id)
        openid, channel, payload, attempts = row.recipient_openid, row.channel, dict(row.payload), row.attempts
    try:
        result = _send(res, openid, channel, payload)
    except WeChatClientException as exc:
        return _failed(res, outbox_id, exc.errcode, _describe(exc), attempts)
    except requests.RequestException as exc:
        return _failed(res, outbox_id, None, f"{exc.__class__.__name__}", attempts)
    with res.db.session() as s:
        row = s.get(Outbox, outbox_id)
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
        if row.request_id:
            s.add(RequestEvent(request_id=row.request_id, kind="notified", actor="system",
                               data={"event": row.event, "channel": result.get("channel_used", channel),
                                     "member_id": row.recipient_member_id,
                                     "msgid": result.get("msgid"), "outbox_id": row.id}))
    log.info("notify sent outbox_id=%s openid=%s", outbox_id, hash_openid(openid or ""))
    return "sent"


def _send(res, openid: str, channel: str, payload: dict) -> dict:
    if channel == "wecom":
        return _send_wecom(res, payload)
    client = client_for(res)
    if channel == "custom":
        return client.send_custom_text(openid, payload["text"])
    if channel == "villager":
        return _send_villager(res, client, openid, payload)
    return client.send_template(openid, payload["template_id"], payload["data"], payload.get("url"))


WINDOW = timedelta(hours=48)
WINDOW_LIMIT = 5
WINDOW_CLOSED = {45015, 45047}


def _take_window_slot(res, villager_id: int) -> bool:
    """Count one customer-service message against the villager's window, if it allows one."""
    now = utcnow()
    with res.db.session() as s:
        return bool(s.execute(
            update(Villager).where(Villager.id == villager_id, Villager.last_inbound_at > now - WINDOW,
                                   Villager.window_sent < WINDOW_LIMIT)
            .values(window_sent=Villager.window_sent + 1)
        ).rowcount)


def _send_villager(res, client, openid: str, payload: dict) -> dict:
    """A customer-service message inside WeChat's 48-hour window (5 at most), else a template."""
    if _take_window_slot(res, payload["villager_id"]):
        try:
            result = client.send_custom_text(openid, payload["text"])
            return dict(result, channel_used="custom")
        except WeChatClientException as exc:
            if exc.errcode not in WINDOW_CLOSED:
                raise
            with res.db.session() as s:  # WeChat says the window is gone: believe it
                s.execute(update(Villager).where(Villager.id == payload["villager_id"])
                          .values(window_sent=WINDOW_LIMIT))
    t = payload["template"]
    result = client.send_template(openid, t["template_id"], t["data"], t.get("url") or None)
    return dict(result, channel_used="template")


def _send_wecom(res, payload: dict) -> dict:
    """A WeCom (企业微信) group robot: https://developer.work.weixin.qq.com/document/path/91770"""
    resp = requests.post(payload["webhook"], json={"msgtype": "text", "text": {"content": payload["text"]}},
                         timeout=res.settings.wechat_timeout)
    resp.raise_for_status()
    body = resp.json()
    if body.get("errcode"):
        raise WeChatClientException(body["errcode"], body.get("errmsg", ""))
    return body


def _describe(exc: WeChatClientException) -> str:
    """What an admin reads on the outbox row: WeChat's errmsg, or for an answer that was no
    WeChat JSON at all (a 503 from a proxy) its HTTP status."""
    if exc.errcode is None and exc.errmsg is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        return f"HTTP {status}" if status else exc.__class__.__name__
    return str(exc.errmsg or exc)


def _failed(res, outbox_id: int, errcode, message: str, attempts: int) -> str:
    now = utcnow()
    permanent = errcode in PERMANENT
    dead = permanent or attempts >= MAX_ATTEMPTS
    told: list[int] = []
    with res.db.session() as s:
        row = s.get(Outbox, outbox_id)
        row.last_error = f"{errcode}: {message}"[:500] if errcode is not None else message[:500]
        row.status = "dead" if dead else "failed"
        if not dead:
            row.next_attempt_at = now + timedelta(seconds=BACKOFF[min(attempts - 1, len(BACKOFF) - 1)])
        if errcode in UNBIND and row.recipient_member_id:
            member = s.get(Member, row.recipient_member_id)
            if member is not None and member.openid == row.recipient_openid:
                member.openid = None  # the member must bind again
                told = _tell_admins_binding_lost(s, member, now)
        if row.request_id and dead:
            s.add(RequestEvent(request_id=row.request_id, kind="notify_failed", actor="system",
                               data={"event": row.event, "member_id": row.recipient_member_id,
                                     "error": row.last_error, "attempts": attempts}))
    outbox_service.enqueue(res, told)
    log.warning("notify failed outbox_id=%s errcode=%s attempts=%s dead=%s", outbox_id, errcode, attempts, dead)
    return "dead" if dead else "retry"


def sweep_outbox() -> int:
    return outbox_service.sweep(ext.get())


# ---- follow-through -------------------------------------------------------------------
def _with_request(request_id: int, cycle: int | None, fn):
    """Run fn(session, res, req, now) in one transaction unless the request has moved on
    (reopened since the job was scheduled). Runs the effects after commit."""
    from bot.models import Request
    from bot.services.effects import Effects

    res = ext.get()
    now = utcnow()
    fx = Effects()
    with res.db.session() as s:
        req = s.get(Request, request_id)
        if req is None or (cycle is not None and (req.reopen_count or 0) != cycle):
            return "moved-on"
        out = fn(s, res, req, now)
        if isinstance(out, Effects):
            fx = out
    fx.run_now(res)
    return "done"


def followup(request_id: int, cycle: int | None = None) -> str:
    """Reminders and escalation that are due for one request."""
    from bot.services import followup as svc

    return _with_request(request_id, cycle, svc.advance)


def survey(request_id: int, cycle: int | None = None) -> str:
    """The 回访: ask the villager whether it was solved."""
    from bot.services import followup as svc

    return _with_request(request_id, cycle, svc.send_survey)


def close_unanswered(request_id: int, cycle: int | None = None) -> str:
    from bot.services import followup as svc

    return _with_request(request_id, cycle, lambda s, res, req, now: svc.close_unanswered(s, req, now) and None)


def sweep_followups() -> int:
    """Safety net for scheduled jobs lost with Redis: look at every open request."""
    from bot.services import followup as svc

    res = ext.get()
    with res.db.session() as s:
        ids = svc.due_for_sweep(s, utcnow())
    for rid in ids:
        _with_request(rid, None, _sweep_one)
    return len(ids)


def _sweep_one(session, res, req, now):
    from bot.services import followup as svc

    if req.status == "resolved":
        if req.survey_sent_at is None:
            return svc.send_survey(session, res, req, now)
        svc.close_unanswered(session, req, now)
        return None
    return svc.advance(session, res, req, now)


# ---- periodic: the morning digest ------------------------------------------------------
def daily_digest() -> int:
    """Each bound team leader gets one message in the morning: open and overdue tasks."""
    from sqlalchemy import func, select

    from bot.models import Request, Team
    from bot.services.clock import fmt_local, local
    from bot.services.notify import queue_member_note

    res = ext.get()
    now = utcnow()
    day = local(now).strftime("%Y%m%d")
    ids = []
    with res.db.session() as s:
        leaders = s.scalars(select(Member).where(Member.role == "team_leader", Member.active.is_(True),
                                                 Member.openid.is_not(None), Member.team_id.is_not(None))).all()
        for m in leaders:
            open_n, overdue_n = s.execute(
                select(func.count(Request.id), func.count(Request.id).filter(Request.due_at < now))
                .where(Request.team_id == m.team_id, Request.status.in_(("assigned", "accepted", "reopened")))
            ).one()
            if not open_n:
                continue
            team = s.get(Team, m.team_id)
            remark = f"{team.name}待办{open_n}件" + (f"，超时{overdue_n}件" if overdue_n else "")
            oid = queue_member_note(s, m, f"digest:{day}:member:{m.id}", "digest", "cunsheng_digest", "每日待办",
                                    remark, fmt_local(now, with_year=True))
            if oid:
                ids.append(oid)
    outbox_service.enqueue(res, ids)
    return len(ids)


def _tell_admins_binding_lost(session, member, now) -> list[int]:
    """The member's WeChat no longer works: whoever manages them is told (and the admin
    console lists members without a binding)."""
    from sqlalchemy import select

    from bot.services.clock import fmt_local
    from bot.services.notify import queue_member_note

    role = "township_supervisor" if member.role == "village_secretary" else "village_secretary"
    stmt = select(Member).where(Member.role == role, Member.active.is_(True), Member.openid.is_not(None))
    stmt = stmt.where(Member.township_id == member.township_id) if role == "township_supervisor" else \
        stmt.where(Member.village_id == member.village_id)
    ids = []
    for admin in session.scalars(stmt).all():
        oid = queue_member_note(session, admin, f"binding_lost:{member.id}:{now:%Y%m%d}:member:{admin.id}",
                                "binding_lost", "cunsheng_binding_lost", "干部微信绑定失效",
                                f"{member.name}需重新绑定微信", fmt_local(now, with_year=True))
        if oid:
            ids.append(oid)
    return ids


# ---- the micro-wish board ----------------------------------------------------------------
def wish_claim_check(wish_id: int, seq: int | None = None) -> str:
    """Remind the claimer at the configured share of the time limit; release the wish back
    to the board past it. A job for an earlier claim (seq) finds the wish moved on."""
    from bot.models import Wish
    from bot.services import wishes
    from bot.services.effects import Effects

    res = ext.get()
    fx = Effects()
    with res.db.session() as s:
        wish = s.get(Wish, wish_id)
        if wish is None or wish.status != "claimed" or (seq is not None and wish.claim_seq != seq):
            return "moved-on"
        fx = wishes.check_claim(s, res, wish, seq, utcnow())
    fx.run_now(res)
    return "done"


def sweep_wishes() -> int:
    """Safety net for claim reminders and releases lost with Redis."""
    from bot.services import wishes

    res = ext.get()
    with res.db.session() as s:
        wishes.adopt_missing(s)
        ids = wishes.due_for_sweep(s, utcnow())
    for wid in ids:
        wish_claim_check(wid, None)
    return len(ids)


# ---- periodic: the monthly ranking (月度排名) on the 1st -------------------------------------
def monthly_ranking(month: str | None = None) -> int:
    """Rank every county's teams for the previous month (docs/admin.md: the 100-point
    formula) and tell each bound team leader their rank and score."""
    from datetime import timedelta

    from sqlalchemy import select

    from bot.services import ranking
    from bot.services.clock import local
    from bot.services.notify import queue_member_note

    res = ext.get()
    now = utcnow()
    if month is None:
        first = local(now).replace(day=1)
        month = (first - timedelta(days=1)).strftime("%Y-%m")
    ids = []
    with res.db.session() as s:
        for admin in s.scalars(select(Member).where(Member.role == "county_admin", Member.active.is_(True))).all():
            ranked, _ = ranking.monthly(s, admin, month)
            for score in ranked:
                for leader in s.scalars(select(Member).where(
                        Member.team_id == score.team_id, Member.role == "team_leader",
                        Member.active.is_(True), Member.openid.is_not(None))).all():
                    oid = queue_member_note(s, leader, f"ranking:{month}:member:{leader.id}", "ranking",
                                            "cunsheng_ranking", "月度排名",
                                            f"{month}排名第{score.rank}/{score.of}，{score.total:g}分",
                                            local(now).strftime("%Y-%m-%d %H:%M"))
                    if oid:
                        ids.append(oid)
    outbox_service.enqueue(res, ids, respect_backoff=False)
    return len(ids)


# ---- periodic: learning from the admins' corrections --------------------------------------
def retrain_classifier(min_new: int | None = None, models_root: str | None = None,
                       data: str | None = None) -> str | None:
    """Train a new model version when enough admin corrections have come in since the last
    one; web and worker processes pick it up within a minute, without a restart.

    The training runs in a fresh child process: the worker runs its jobs in its own long-lived
    process, which would otherwise keep scikit-learn and the training's memory peak for good."""
    import multiprocessing
    import os

    if min_new is None:
        min_new = int(os.environ.get("RETRAIN_MIN_CORRECTIONS", "20"))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_retrain_in_child, (ext.get().settings, min_new, models_root, data))


def _retrain_in_child(settings, min_new: int, models_root: str | None, data: str | None) -> str | None:
    from bot.services.training import retrain_if_needed

    res = ext.init(settings)
    try:
        return retrain_if_needed(res, min_new=min_new, models_root=models_root, data=data)
    finally:
        ext.shutdown()
