"""Who is told about a request, and with what message: one Outbox row per recipient and
cycle, so a job or a sweep that runs twice never tells anyone twice."""
from __future__ import annotations

import os
import re
import unicodedata

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import with_defaults
from bot.models import Member, Outbox, Request, Team, Township, Village, Villager
from bot.services import links
from bot.services.clock import fmt_local, utcnow
from config import load_yaml, team_kind

LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "number": 32, "name": 10}
TEAM_EVENTS = {"new_task", "urgent", "reminder", "reopened", "cancelled",
               "reassigned_away", "finished_for_team",
               "supplement", "chase", "villager_answer"}  # the last two: admin actions (admin_actions.py)
SECRETARY_EVENTS = {"review_needed", "wish_review", "returned", "urgent"}
LEVEL_ROLES = {1: "village_secretary", 2: "township_supervisor", 3: "county_admin"}


def clip(key: str, value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip()
    limit = LIMITS.get(re.sub(r"\d+$", "", key))
    if limit and len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


SUMMARY_CHARS = 12
_CLAUSE_END = "，,。；;！!？?、："  # not "." or ":" (3.5 米, 8:30)
_TRIM = "\u0f0b \t\r\n，,。.；;！!？?、：:…~～—-（(【[“\"'‘"


def summary(text: str | None, limit: int = SUMMARY_CHARS) -> str:
    """A few words of the problem: the first `limit` characters of the villager's text, on one
    line, cut cleanly with "…": at a clause end when there is one in the second half, else
    between words or Tibetan syllables when the text has them; never before a combining sign,
    never after punctuation."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text.rstrip(_TRIM) or text
    cut = limit
    while cut > 1 and _joins(text[cut]):
        cut -= 1  # the next character belongs to the one before it
    head = text[:cut]
    clause = max(head.rfind(c) for c in _CLAUSE_END)
    word = max(head.rfind(" "), head.rfind("\u0f0b") + 1)  # a space, or after a Tibetan tsheg
    if clause >= limit // 2:
        head = head[:clause]
    elif _spelled(text[cut - 1]) and _spelled(text[cut]) and word >= limit // 2:
        head = head[:word]  # not inside a (Latin, Tibetan …) word or syllable
    return head.rstrip(_TRIM) + "…"


def _spelled(ch: str) -> bool:
    """A letter of a script that writes words with several letters (not a Chinese character)."""
    return (ch.isalnum() or unicodedata.category(ch).startswith("M")) and not (
        "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")


def _joins(ch: str) -> bool:
    return (unicodedata.category(ch).startswith("M") or ch in "\u200d\ufe0f\ufe0e"
            or "\U0001f3fb" <= ch <= "\U0001f3ff")  # a skin tone belongs to its emoji


def about(req) -> str:
    """How every message to a villager names a request: its number and a few words of it,
    e.g. "GC-2026-000123（路灯坏了好几盏…）"."""
    from handlers import texts

    words = summary(getattr(req, "text", "") or "")
    return texts.ABOUT.format(number=req.number, summary=words) if words else req.number


def template_payload(event: str, req: Request, public_url: str, remark: str = "") -> dict:
    cfg = load_yaml("notifications.yaml")
    tpl = cfg["templates"][event]
    kind = team_kind(req.kind or "") or {}
    values = {
        "number": req.number,
        "village": req.village.name,
        "team_short": kind.get("short", "微心愿" if req.kind == "wish" else ""),
        "summary": req.text,
        "due": fmt_local(req.due_at, with_year=True) if req.due_at else "",
        "remark": remark or req.text,
        "status": req.status_label,
        "now": fmt_local(utcnow(), with_year=True),
    }
    data = {key: {"value": clip(key, expr.format(**values))} for key, expr in tpl["fields"].items()}
    template_id = os.environ.get(f"WECHAT_TEMPLATE_{event.upper()}", tpl["template_id"])
    url = public_url.rstrip("/") + cfg["detail_path"].format(number=req.number)
    return {"template_id": template_id, "url": url, "data": data, "title": tpl["title"]}


def _by_role(session: Session, req: Request, role: str) -> list[Member]:
    stmt = select(Member).where(Member.role == role, Member.active.is_(True))
    if role == "village_secretary":
        stmt = stmt.where(Member.village_id == req.village_id)
    elif role == "township_supervisor":
        stmt = stmt.where(Member.township_id == select(Village.township_id).where(
            Village.id == req.village_id).scalar_subquery())
    else:
        stmt = stmt.where(Member.county_id == req.county_id)
    return list(session.scalars(stmt.order_by(Member.id)))


# built once: the team's members and the village secretary, in one query
_Q_TEAM_AND_SECRETARY = select(Member).where(
    Member.active.is_(True),
    (Member.team_id == bindparam("team_id"))
    | ((Member.village_id == bindparam("village_id")) & (Member.role == "village_secretary"))).order_by(Member.id)


def recipients(session: Session, req: Request, event: str, level: int = 0) -> tuple[list[Member], Team | None]:
    """The members to tell, and the team whose WeCom group robot must be told for members
    without WeChat (None when there is nobody like that or no robot)."""
    people: list[Member] = []
    wecom_team = None
    if event == "escalation":
        people = [m for m in _by_role(session, req, LEVEL_ROLES.get(level, "county_admin")) if m.openid]
    secretaries: list[Member] = []
    if event in TEAM_EVENTS and req.team_id:
        # the team and the village secretary in one query
        rows = list(session.scalars(_Q_TEAM_AND_SECRETARY, {"team_id": req.team_id, "village_id": req.village_id}))
        members = [m for m in rows if m.team_id == req.team_id]
        secretaries = [m for m in rows if m.role == "village_secretary" and m.team_id is None]
        people = [m for m in members if m.openid]
        unbound = [m for m in members if not m.openid]
        if unbound:
            team = session.get(Team, req.team_id)
            if team is not None and team.wecom_webhook:
                wecom_team = team
            else:  # no WeChat and no group robot: their leader is told
                people += [m for m in members if m.role == "team_leader" and m.openid and m not in people]
    if not people or event in SECRETARY_EVENTS:
        secretaries = secretaries or _by_role(session, req, "village_secretary")
        people += [m for m in secretaries if m.openid and m not in people]
    return people, wecom_team


def _add(session: Session, row: dict) -> int | None:
    """Add unless a row with the same dedupe key exists (the unique constraint decides)."""
    if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == row["dedupe_key"])):
        return None
    obj = Outbox(**row)
    try:
        with session.begin_nested():
            session.add(obj)
            session.flush()
    except IntegrityError:
        return None
    return obj.id


def _add_all(session: Session, rows: list[dict], fresh: bool) -> list[int]:
    """Insert the rows, skipping those whose dedupe key exists. `fresh`: the request was
    created in this very transaction, so no row can exist yet: one multi-row INSERT (the
    unique constraint still guards)."""
    if not fresh:
        return [oid for oid in (_add(session, row) for row in rows) if oid]
    if not rows:
        return []
    table = Outbox.__table__
    result = session.connection().execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [with_defaults(Outbox, row) for row in rows])
    return list(result.scalars())


def queue_notifications(session: Session, req: Request, event: str, public_url: str, remark: str = "",
                        level: int = 0, tag: str = "", fresh: bool = False) -> list[int]:
    """Outbox rows for `event` of `req` to cadres; at most one per (request, event, cycle, recipient).
    `tag` distinguishes repeatable events (e.g. the reminder stage)."""
    payload = template_payload(event, req, public_url, remark)
    cycle = f"c{req.reopen_count or 0}"
    key_event = f"{event}{tag}{level or ''}:{cycle}"
    people, wecom_team = recipients(session, req, event, level)
    rows = [dict(dedupe_key=f"req:{req.id}:{key_event}:member:{m.id}", request_id=req.id, event=event,
                 recipient_member_id=m.id, recipient_openid=m.openid, channel="template",
                 payload=dict(payload, url=links.task_url(m.id, req.id))) for m in people]
    if wecom_team is not None:
        text = f"【{payload['title']}】{req.number} {req.village.name}：{clip('thing', remark or req.text)}"
        if req.due_at:
            text += f"，时限 {fmt_local(req.due_at, with_year=True)}"
        rows.append(dict(dedupe_key=f"req:{req.id}:{key_event}:wecom:{wecom_team.id}", request_id=req.id,
                         event=event, channel="wecom",
                         payload={"webhook": wecom_team.wecom_webhook, "text": text}))
    return _add_all(session, rows, fresh)


def queue_to_member(session: Session, req: Request, event: str, member: Member, public_url: str,
                    remark: str = "", tag: str = "") -> int | None:
    """One template message about `req` to one named member (e.g. the person who asked the
    villager a question hears the answer), with their signed task link."""
    payload = template_payload(event, req, public_url, remark)
    return _add(session, dict(dedupe_key=f"req:{req.id}:{event}{tag}:c{req.reopen_count or 0}:member:{member.id}",
                              request_id=req.id, event=event, recipient_member_id=member.id,
                              recipient_openid=member.openid, channel="template",
                              payload=dict(payload, url=links.task_url(member.id, req.id))))


def queue_member_note(session: Session, member: Member, key: str, event: str, template_id: str, title: str,
                      remark: str, when: str) -> int | None:
    """A short template message to one cadre that is about no single request (the morning
    digest, the monthly ranking, a colleague's lost binding): `thing1` the remark, `time2`
    the time. At most one per `key`."""
    return _add(session, dict(dedupe_key=key, event=event, recipient_member_id=member.id,
                              recipient_openid=member.openid, channel="template",
                              payload={"template_id": template_id, "title": title, "url": "",
                                       "data": {"thing1": {"value": clip("thing1", remark)},
                                                "time2": {"value": when}}}))


TEMPLATE_SUMMARY_CHARS = 6  # thing3 holds 20 characters: a few words of the problem, the rest is the news


def template_remark(req, remark: str) -> str:
    """The `villager_update` template's 说明: which problem (a few words; the number has its own
    field), then what happened."""
    from handlers import texts

    words = summary(getattr(req, "text", "") or "", TEMPLATE_SUMMARY_CHARS)
    return texts.TEMPLATE_ABOUT.format(summary=words, remark=remark) if words else remark


def villager_template(req: Request, public_url: str, remark: str) -> dict:
    """The `villager_update` template for a message to the villager about `req`."""
    return template_payload("villager_update", req, public_url, template_remark(req, remark))


def queue_villager(session: Session, req: Request, event: str, text: str, public_url: str,
                   remark: str = "", tag: str = "") -> list[int]:
    """Tell the villager. The worker picks the channel at send time: a customer-service
    message while WeChat's 48-hour window allows one, otherwise a template message.
    `tag` distinguishes repeatable events (e.g. each re-routing)."""
    villager = session.get(Villager, req.villager_id)
    if villager is None or not villager.subscribed:
        return []
    template = villager_template(req, public_url, remark or text)
    template["url"] = links.rating_url(req.id, req.reopen_count or 0) if event == "survey" else ""
    oid = _add(session, dict(dedupe_key=f"req:{req.id}:{event}{tag}:c{req.reopen_count or 0}:villager",
                             request_id=req.id, event=event, recipient_openid=villager.openid,
                             channel="villager", payload={"text": text, "template": template,
                                                          "villager_id": villager.id}))
    return [oid] if oid else []


__all__ = ["queue_notifications", "queue_villager", "recipients", "clip", "summary", "about", "template_remark",
           "villager_template", "Township"]
