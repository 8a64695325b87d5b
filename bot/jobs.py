"""RQ jobs. They take ids, reload from the database, and may run twice without harm."""
from __future__ import annotations

import logging
from datetime import timedelta

import requests
from sqlalchemy import update
from wechatpy.exceptions import WeChatClientException

from bot import ext
from bot.models import Member, Outbox, RequestEvent
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
        return _failed(res, outbox_id, exc.errcode, str(exc.errmsg or exc), attempts)
    except requests.RequestException as exc:
        return _failed(res, outbox_id, None, f"{exc.__class__.__name__}", attempts)
    with res.db.session() as s:
        row = s.get(Outbox, outbox_id)
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
        if row.request_id:
            s.add(RequestEvent(request_id=row.request_id, kind="notified", actor="system",
                               data={"event": row.event, "channel": channel, "member_id": row.recipient_member_id,
                                     "msgid": result.get("msgid"), "outbox_id": row.id}))
    log.info("notify sent outbox_id=%s openid=%s", outbox_id, hash_openid(openid or ""))
    return "sent"


def _send(res, openid: str, channel: str, payload: dict) -> dict:
    client = client_for(res)
    if channel == "custom":
        return client.send_custom_text(openid, payload["text"])
    return client.send_template(openid, payload["template_id"], payload["data"], payload.get("url"))


def _failed(res, outbox_id: int, errcode, message: str, attempts: int) -> str:
    now = utcnow()
    permanent = errcode in PERMANENT
    dead = permanent or attempts >= MAX_ATTEMPTS
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
        if row.request_id and dead:
            s.add(RequestEvent(request_id=row.request_id, kind="notify_failed", actor="system",
                               data={"event": row.event, "member_id": row.recipient_member_id,
                                     "error": row.last_error, "attempts": attempts}))
    log.warning("notify failed outbox_id=%s errcode=%s attempts=%s dead=%s", outbox_id, errcode, attempts, dead)
    return "dead" if dead else "retry"


def sweep_outbox() -> int:
    return outbox_service.sweep(ext.get())
