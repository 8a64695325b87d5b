"""Who is told about a request, and with what message: one Outbox row per recipient."""
from __future__ import annotations

import os
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import Member, Outbox, Request
from bot.services.clock import fmt_local
from config import load_yaml, team_kind

LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "number": 32, "name": 10}


def _clip(key: str, value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip()
    limit = LIMITS.get(re.sub(r"\d+$", "", key))
    if limit and len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def template_payload(event: str, req: Request, public_url: str) -> dict:
    cfg = load_yaml("notifications.yaml")
    tpl = cfg["templates"][event]
    kind = team_kind(req.kind or "") or {}
    values = {
        "number": req.number,
        "village": req.village.name,
        "team_short": kind.get("short", "微心愿" if req.kind == "wish" else ""),
        "summary": req.text,
        "due": fmt_local(req.due_at, with_year=True),
    }
    data = {key: {"value": _clip(key, expr.format(**values))} for key, expr in tpl["fields"].items()}
    template_id = os.environ.get(f"WECHAT_TEMPLATE_{event.upper()}", tpl["template_id"])
    url = public_url.rstrip("/") + cfg["detail_path"].format(number=req.number)
    return {"template_id": template_id, "url": url, "data": data, "title": tpl["title"]}


def _secretaries(session: Session, village_id: int) -> list[Member]:
    return list(session.scalars(select(Member).where(
        Member.village_id == village_id, Member.role == "village_secretary", Member.active.is_(True))))


def recipients(session: Session, req: Request, event: str) -> list[Member]:
    """Bound members of the team; with nobody bound, the village secretary. Urgent, review and
    wish events go to the village secretary."""
    people: list[Member] = []
    if event in ("new_task", "urgent") and req.team_id:
        people = [m for m in session.scalars(select(Member).where(
            Member.team_id == req.team_id, Member.active.is_(True))) if m.openid]
    if not people or event in ("urgent", "review_needed", "wish_review"):
        people += [m for m in _secretaries(session, req.village_id) if m.openid and m not in people]
    return people


def queue_notifications(session: Session, req: Request, event: str, public_url: str) -> list[int]:
    """Outbox rows for `event` of `req`; at most one per (request, event, recipient)."""
    payload = template_payload(event, req, public_url)
    ids = []
    for m in recipients(session, req, event):
        key = f"req:{req.id}:{event}:member:{m.id}"
        if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)):
            continue
        row = Outbox(dedupe_key=key, request_id=req.id, event=event, recipient_member_id=m.id,
                     recipient_openid=m.openid, channel="template", payload=payload)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            continue
        ids.append(row.id)
    return ids
