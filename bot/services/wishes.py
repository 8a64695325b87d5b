"""The micro-wish board (微心愿): review, the public board, claims, reminders and release,
fulfilment with a photo, the villager's confirmation and thanks, counts and export.

Functions take the session and `now` (an injectable clock) and return the reply text and
the Effects to run after commit, like bot/services/followup.py. A claim is one conditional
UPDATE … WHERE status='open': of two people claiming at the same moment exactly one wins,
on PostgreSQL (the row lock, then the WHERE is checked again) and on SQLite (BEGIN IMMEDIATE).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from bot import ext
from bot.models import (
    Attachment,
    Member,
    Outbox,
    Request,
    RequestEvent,
    Township,
    Unit,
    UnitMember,
    Village,
    Villager,
    Wish,
)
from bot.models.wishes import REQUEST_STATUS, WISH_STATUS_LABELS
from bot.services import notify
from bot.services.catalog import hash_openid
from bot.services.clock import fmt_local
from bot.services.effects import Effects
from config import load_yaml
from handlers import texts
from handlers.wish_commands import WishCommand, confirmation, parse

PUBLIC = ("open", "claimed", "fulfilled", "confirmed")  # what the board shows
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)|(?<!\d)\d{3,4}-?\d{7,8}(?!\d)")


def cfg() -> dict:
    return load_yaml("wishes.yaml")["wishes"]


def categories() -> dict[str, str]:
    return {c["key"]: c["name"] for c in cfg()["categories"]}


def guess_category(text: str) -> str:
    for c in cfg()["categories"]:
        if any(w in text for w in c.get("words") or ()):
            return c["key"]
    return "other"


def public_wording(text: str) -> str:
    """A first draft of the public text: phone numbers removed (the reviewer edits the rest)."""
    return _PHONE.sub("（电话已隐藏）", text).strip()[:500]


def short(number: str) -> str:
    return str(int(number[-6:]))


def _event(session: Session, wish: Wish, kind: str, actor: str, now: datetime, **data) -> None:
    session.add(RequestEvent(request_id=wish.request_id, kind=kind, actor=actor, data=data, created_at=now))


def _set_status(session: Session, wish: Wish, status: str, now: datetime) -> None:
    wish.status, wish.updated_at = status, now
    req = session.get(Request, wish.request_id)
    req.status, req.updated_at = REQUEST_STATUS[status], now
    if status in ("confirmed", "declined"):
        req.closed_at = now
    if status == "fulfilled":
        req.resolved_at = now


def board_url(path: str = "/board") -> str:
    return ext.get().settings.public_url.rstrip("/") + path


def wish_url(wish: Wish) -> str:
    return board_url(f"/board/wish/{wish.id}")


# ---- signed links: the reviewer's page and the proof photo --------------------------------
def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ext.get().settings.secret_key, salt=salt)


def review_token(member_id: int, wish_id: int) -> str:
    return _timed("h5-wish").dumps({"m": member_id, "w": wish_id})


def review_url(member_id: int, wish_id: int) -> str:
    return board_url("/h5/w/" + review_token(member_id, wish_id))


def read_review_token(token: str) -> dict | None:
    days = int(load_yaml("followup.yaml")["h5_link_days"])
    try:
        return _timed("h5-wish").loads(token, max_age=days * 86400)
    except (BadSignature, SignatureExpired):
        return None


def proof_url(wish_id: int, name: str) -> str:
    token = URLSafeSerializer(ext.get().settings.secret_key, salt="wish-proof").dumps({"w": wish_id, "f": name})
    return board_url("/board/proof/" + token)


def read_proof_token(token: str) -> dict | None:
    try:
        return URLSafeSerializer(ext.get().settings.secret_key, salt="wish-proof").loads(token)
    except BadSignature:
        return None


# ---- intake and review ----------------------------------------------------------------------
def on_request_created(session: Session, req: Request) -> Wish:
    """The Wish of a wish Request, in the intake transaction: pending until reviewed."""
    wish = Wish(request_id=req.id, county_id=req.county_id, village_id=req.village_id,
                public_text=public_wording(req.text), category=guess_category(req.text), status="pending",
                created_at=req.created_at, updated_at=req.created_at)
    session.add(wish)
    session.flush()
    return wish


def wish_of(session: Session, req: Request) -> Wish | None:
    return session.scalar(select(Wish).where(Wish.request_id == req.id))


def adopt_missing(session: Session, limit: int = 200) -> int:
    """Wish requests without a Wish (e.g. an admin moved a request to the wish list): give
    them one, pending review, so they can be reviewed and published like any other."""
    rows = session.scalars(select(Request).where(
        Request.kind == "wish", Request.status == "wish_pending",
        ~select(Wish.id).where(Wish.request_id == Request.id).exists()).limit(limit)).all()
    for req in rows:
        on_request_created(session, req)
    return len(rows)


def _link_rows(session: Session, ids: list[int], wish: Wish) -> None:
    """Cadres' notifications about a wish open the reviewer's page, not the task page."""
    for row in session.scalars(select(Outbox).where(Outbox.id.in_(ids))):
        if row.recipient_member_id and row.channel == "template":
            row.payload = dict(row.payload, url=review_url(row.recipient_member_id, wish.id))


def notify_review(session: Session, res, req: Request) -> list[int]:
    """The village secretary is asked to review (the wish_review template, outbox as usual)."""
    ids = notify.queue_notifications(session, req, "wish_review", res.settings.public_url, fresh=True)
    wish = wish_of(session, req)
    if wish is not None:
        _link_rows(session, ids, wish)
    return ids


def can_review(session: Session, member: Member, wish: Wish) -> bool:
    if member is None or not member.active:
        return False
    if member.role == "village_secretary":
        return member.village_id == wish.village_id
    if member.role == "township_supervisor":
        return session.get(Village, wish.village_id).township_id == member.township_id
    return member.role == "county_admin" and member.county_id == wish.county_id


def _actor(member: Member) -> str:
    return f"member:{member.id}:{member.name}"


def approve(session: Session, res, wish: Wish, member: Member, public_text: str, category: str,
            now: datetime) -> tuple[str, Effects]:
    fx = Effects()
    public_text = (public_text or "").strip()[:500]
    if not public_text:
        return "请填写公开内容。", fx
    if category not in categories():
        category = "other"
    if wish.status != "pending":
        return f"这个心愿已经{wish.status_label}，无需再审核。", fx
    edited = public_text != wish.public_text
    wish.public_text, wish.category, wish.reviewed_by, wish.published_at = public_text, category, member.id, now
    _set_status(session, wish, "open", now)
    _event(session, wish, "wish_approved", _actor(member), now, public_text=public_text, category=category,
           edited=edited)
    req = session.get(Request, wish.request_id)
    fx.outbox_ids += notify.queue_villager(session, req, "wish_approved",
                                           texts.V_WISH_APPROVED_ABOUT.format(about=notify.about(req)),
                                           res.settings.public_url, remark="已发布到心愿墙")
    return "已通过审核，心愿已发布到心愿墙。", fx


def decline(session: Session, res, wish: Wish, member: Member, reason: str, now: datetime) -> tuple[str, Effects]:
    fx = Effects()
    reason = (reason or "").strip()[:300]
    if not reason:
        return "请写明不通过的原因，村民会收到。", fx
    if wish.status != "pending":
        return f"这个心愿已经{wish.status_label}，不能再退回。", fx
    wish.decline_reason, wish.reviewed_by = reason, member.id
    _set_status(session, wish, "declined", now)
    _event(session, wish, "wish_declined", _actor(member), now, reason=reason)
    req = session.get(Request, wish.request_id)
    fx.outbox_ids += notify.queue_villager(session, req, "wish_declined", texts.V_WISH_DECLINED_ABOUT.format(
                                               about=notify.about(req), reason=reason),
                                           res.settings.public_url, remark=f"未通过：{reason}")
    return "已退回，村民会收到原因。", fx


# ---- who claims -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claimer:
    """A party member (member_id), a unit's contact claiming for the unit (both ids), or a unit
    account signed in to the board (unit_id only)."""

    name: str
    county_id: int
    member_id: int | None = None
    unit_id: int | None = None

    @property
    def actor(self) -> str:
        return f"member:{self.member_id}:{self.name}" if self.member_id else f"unit:{self.unit_id}:{self.name}"

    def owns(self, wish: Wish) -> bool:
        if self.unit_id is not None:
            return wish.claimer_unit_id == self.unit_id
        return wish.claimer_member_id == self.member_id and wish.claimer_unit_id is None


def claimer_for_member(session: Session, member: Member) -> Claimer | None:
    if member is None or not member.active or member.role not in cfg()["claimer_roles"] or not member.county_id:
        return None
    unit_id = session.scalar(select(UnitMember.unit_id).where(UnitMember.member_id == member.id))
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is not None and unit.active:
        return Claimer(f"{unit.name}（{member.name}）"[:64], member.county_id, member.id, unit.id)
    return Claimer(member.name, member.county_id, member.id)


def claimer_for_unit(unit: Unit) -> Claimer | None:
    return Claimer(unit.name, unit.county_id, None, unit.id) if unit is not None and unit.active else None


def claimer_by_openid(session: Session, openid: str) -> Claimer | None:
    member = session.scalar(select(Member).where(Member.openid == openid, Member.active.is_(True)))
    if member is not None:
        return claimer_for_member(session, member)
    unit = session.scalar(select(Unit).where(Unit.contact_openid == openid, Unit.active.is_(True)).limit(1))
    return claimer_for_unit(unit)


def authenticate(session: Session, login: str, password: str) -> tuple[str, int] | None:
    """A board sign-in: a unit account, or a member allowed to claim. ("unit"|"member", id)."""
    login = (login or "").strip()
    unit = session.scalar(select(Unit).where(Unit.login == login, Unit.active.is_(True)))
    if unit is not None and check_password_hash(unit.password_hash, password or ""):
        return "unit", unit.id
    member = session.scalar(select(Member).where(Member.login == login, Member.active.is_(True)))
    if member is not None and member.password_hash and check_password_hash(member.password_hash, password or ""):
        if claimer_for_member(session, member) is not None:
            return "member", member.id
    return None


def claimer_of_login(session: Session, kind: str, ident: int) -> Claimer | None:
    if kind == "unit":
        return claimer_for_unit(session.get(Unit, ident))
    if kind == "member":
        return claimer_for_member(session, session.get(Member, ident))
    return None


# ---- finding a wish ---------------------------------------------------------------------------
def find_wish(session: Session, county_id: int, fragment: str) -> Wish | None:
    """By full number, or by its last digits (the board shows both); the newest public one wins."""
    fragment = (fragment or "").strip().upper()
    stmt = select(Wish).join(Request, Request.id == Wish.request_id).where(Wish.county_id == county_id)
    if re.fullmatch(r"[A-Z]{1,4}-\d{4}-\d{6}", fragment):
        return session.scalar(stmt.where(Request.number == fragment))
    digits = re.sub(r"\D", "", fragment)
    if not digits:
        return None
    hits = [w for w in session.scalars(stmt.where(Request.number.like(f"%{digits}")).order_by(Wish.id.desc())
                                       .limit(50)) if int(w.request.number[-6:]) == int(digits)]
    hits.sort(key=lambda w: (w.status not in PUBLIC, -w.id))
    return hits[0] if hits else None


# ---- claims ---------------------------------------------------------------------------------------
def _limit() -> timedelta:
    return timedelta(hours=float(cfg()["claim_limit_hours"]))


def reminder_at(wish: Wish) -> datetime:
    return wish.claimed_at + (wish.claim_due_at - wish.claimed_at) * float(cfg()["reminder_share"])


def _secretary_contact(session: Session, wish: Wish) -> str:
    sec = session.scalar(select(Member).where(Member.role == "village_secretary", Member.active.is_(True),
                                              Member.village_id == wish.village_id).order_by(Member.id).limit(1))
    village = session.get(Village, wish.village_id).name
    if sec is None:
        return f"送达事宜请联系{village}村委会。"
    return texts.WISH_CONTACT.format(village=village.removesuffix("村"), name=sec.name,
                                     phone=f"（{sec.phone}）" if sec.phone else "")


def claim(session: Session, res, wish_id: int, claimer: Claimer, now: datetime) -> tuple[bool, str, Effects]:
    """Claim an open wish. Exactly one of several simultaneous claims wins."""
    fx = Effects()
    due = now + _limit()
    won = session.execute(
        update(Wish).where(Wish.id == wish_id, Wish.status == "open", Wish.county_id == claimer.county_id)
        .values(status="claimed", claimer_member_id=claimer.member_id, claimer_unit_id=claimer.unit_id,
                claimer_name=claimer.name[:64], claimed_at=now, claim_due_at=due, claim_reminded_at=None,
                claim_seq=Wish.claim_seq + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    wish = session.get(Wish, wish_id)
    session.refresh(wish)
    req = session.get(Request, wish.request_id)
    if not won:
        if wish.status == "claimed" and claimer.owns(wish):
            return False, texts.WISH_ALREADY_YOURS.format(number=req.number, due=fmt_local(wish.claim_due_at)), fx
        if wish.status == "claimed":
            return False, texts.WISH_TAKEN.format(number=req.number, claimer=wish.claimer_name or "他人",
                                                  url=board_url()), fx
        return False, texts.WISH_NOT_OPEN.format(number=req.number, status=wish.status_label, url=board_url()), fx
    req.status, req.updated_at = REQUEST_STATUS["claimed"], now
    _event(session, wish, "wish_claimed", claimer.actor, now, claimer=claimer.name, member_id=claimer.member_id,
           unit_id=claimer.unit_id, due_at=due.isoformat(), seq=wish.claim_seq)
    url = res.settings.public_url
    fx.outbox_ids += notify.queue_villager(
        session, req, f"wish_claimed{wish.claim_seq}",
        texts.V_WISH_CLAIMED_ABOUT.format(about=notify.about(req), claimer=claimer.name, due=fmt_local(due)), url,
        remark=f"{claimer.name}已认领")
    fx.outbox_ids += _tell_cadres(session, req, wish, "wish_claimed", f"{claimer.name}认领", tag=str(wish.claim_seq))
    fx.schedule(reminder_at(wish) + timedelta(seconds=1), "wish_claim_check", wish.id, wish.claim_seq)
    fx.schedule(due + timedelta(seconds=1), "wish_claim_check", wish.id, wish.claim_seq)
    reply = texts.WISH_CLAIMED.format(number=req.number, text=wish.public_text, due=fmt_local(due),
                                      contact=_secretary_contact(session, wish), short=short(req.number))
    return True, reply, fx


def _release(session: Session, wish: Wish, now: datetime, kind: str, actor: str, **data) -> bool:
    """Back to the board, if the claim is still the one we think it is."""
    done = session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.status == "claimed", Wish.claim_seq == wish.claim_seq)
        .values(status="open", claimer_member_id=None, claimer_unit_id=None, claimer_name=None, claimed_at=None,
                claim_due_at=None, claim_reminded_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if done:
        session.refresh(wish)
        req = session.get(Request, wish.request_id)
        req.status, req.updated_at = REQUEST_STATUS["open"], now
        _event(session, wish, kind, actor, now, **data)
    return done


def withdraw(session: Session, res, wish: Wish, claimer: Claimer, now: datetime) -> tuple[str, Effects]:
    req = session.get(Request, wish.request_id)
    if wish.status != "claimed" or not claimer.owns(wish):
        return texts.WISH_NOT_YOURS.format(number=req.number), Effects()
    _release(session, wish, now, "wish_withdrawn", claimer.actor, claimer=claimer.name)
    return texts.WISH_WITHDRAWN.format(number=req.number), Effects()


def check_claim(session: Session, res, wish: Wish, seq: int | None, now: datetime) -> Effects:
    """The claim reminder and, past the time limit, the release. A job for an earlier claim
    (the wish was withdrawn, released, re-claimed or fulfilled since) does nothing."""
    fx = Effects()
    if wish.status != "claimed" or (seq is not None and wish.claim_seq != seq) or wish.claim_due_at is None:
        return fx
    req = session.get(Request, wish.request_id)
    recipients = _claimer_openids(session, wish)
    tag = str(wish.claim_seq)
    if now >= wish.claim_due_at:
        name = wish.claimer_name
        old = (wish.claimer_member_id, wish.claimer_unit_id)
        if _release(session, wish, now, "wish_released", "system", claimer=name, seq=int(tag)):
            text = texts.C_WISH_RELEASED.format(number=req.number)
            fx.outbox_ids += _tell(session, req, recipients, "wish_released", text, "已超时，重新发布", tag, old)
            fx.outbox_ids += notify.queue_villager(session, req, f"wish_released{tag}",
                                                   texts.V_WISH_RELEASED_ABOUT.format(about=notify.about(req)),
                                                   res.settings.public_url, remark="重新发布到心愿墙")
        return fx
    if now >= reminder_at(wish) and wish.claim_reminded_at is None:
        wish.claim_reminded_at = now
        _event(session, wish, "wish_reminded", "system", now, seq=wish.claim_seq)
        text = texts.C_WISH_REMINDER.format(number=req.number, text=wish.public_text, due=fmt_local(wish.claim_due_at),
                                            short=short(req.number))
        fx.outbox_ids += _tell(session, req, recipients, "wish_reminder", text,
                               f"请于{fmt_local(wish.claim_due_at)}前完成", tag,
                               (wish.claimer_member_id, wish.claimer_unit_id))
    return fx


def due_for_sweep(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """Claimed wishes whose reminder or release may be due (the safety net for lost jobs)."""
    share = float(cfg()["reminder_share"])
    earliest = now - _limit() * share
    return list(session.scalars(select(Wish.id).where(Wish.status == "claimed", Wish.claimed_at <= earliest)
                                .order_by(Wish.claim_due_at).limit(limit)))


# ---- fulfilment, confirmation, thanks ------------------------------------------------------------
def fulfil(session: Session, res, wish: Wish, claimer: Claimer, note: str, media_id: str | None,
           url: str | None, now: datetime) -> tuple[str, Effects]:
    fx = Effects()
    req = session.get(Request, wish.request_id)
    if wish.status != "claimed" or not claimer.owns(wish):
        return texts.WISH_NOT_YOURS.format(number=req.number), fx
    if not (media_id or url):
        return texts.WISH_NEED_PHOTO, fx
    done = session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.status == "claimed", Wish.claim_seq == wish.claim_seq)
        .values(status="fulfilled", fulfilled_at=now, fulfil_note=(note or "")[:1000] or None,
                proof_media_id=media_id, proof_url=url, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not done:
        return texts.WISH_NOT_YOURS.format(number=req.number), fx
    session.refresh(wish)
    _set_status(session, wish, "fulfilled", now)
    session.add(Attachment(request_id=req.id, kind="image", media_id=media_id, url=url, label="心愿送达照片",
                           created_at=now))
    _event(session, wish, "wish_fulfilled", claimer.actor, now, note=note[:500] if note else "",
           media_id=media_id, url=url)
    fx.outbox_ids += notify.queue_villager(
        session, req, "wish_fulfilled", texts.V_WISH_FULFILLED_ABOUT.format(
            about=notify.about(req), claimer=wish.claimer_name),
        res.settings.public_url, remark=f"{wish.claimer_name}已送达，请确认")
    fx.outbox_ids += _tell_cadres(session, req, wish, "wish_fulfilled", f"{wish.claimer_name}已送达")
    return texts.WISH_FULFILLED.format(number=req.number), fx


def confirm(session: Session, res, wish: Wish, thanks: str, now: datetime) -> tuple[str, Effects]:
    fx = Effects()
    req = session.get(Request, wish.request_id)
    if wish.status != "fulfilled":
        return texts.THANKS, fx
    wish.confirmed_at, wish.thanks_text = now, (thanks or None)
    _set_status(session, wish, "confirmed", now)
    _event(session, wish, "wish_confirmed", "villager", now, thanks=thanks or "")
    text = texts.C_WISH_THANKS.format(number=req.number, thanks=thanks) if thanks else \
        texts.C_WISH_CONFIRMED.format(number=req.number)
    fx.outbox_ids += _tell(session, req, _claimer_openids(session, wish), "wish_thanks", text,
                           thanks or "村民已确认收到", "", (wish.claimer_member_id, wish.claimer_unit_id))
    if thanks:
        return texts.V_WISH_THANKS_SENT.format(number=req.number, claimer=wish.claimer_name), fx
    return texts.V_WISH_CONFIRMED.format(number=req.number), fx


# ---- notifications to claimers and cadres ----------------------------------------------------------
def _claimer_openids(session: Session, wish: Wish) -> list[tuple[int | None, str]]:
    """(member id or None, openid) of whoever claimed: the member, else the unit's contact."""
    out: list[tuple[int | None, str]] = []
    if wish.claimer_member_id:
        m = session.get(Member, wish.claimer_member_id)
        if m is not None and m.openid:
            out.append((m.id, m.openid))
    elif wish.claimer_unit_id:
        unit = session.get(Unit, wish.claimer_unit_id)
        if unit is not None and unit.contact_openid:
            out.append((None, unit.contact_openid))
        for m in session.scalars(select(Member).join(UnitMember, UnitMember.member_id == Member.id).where(
                UnitMember.unit_id == wish.claimer_unit_id, Member.active.is_(True), Member.openid.is_not(None))):
            if all(o != m.openid for _, o in out):
                out.append((m.id, m.openid))
    return out


def _tell(session: Session, req: Request, recipients, event: str, text: str, remark: str, tag: str,
          claim_key) -> list[int]:
    """A message to a claimer: a customer-service message while their WeChat window is open
    (they write to the account too), otherwise the template. Outbox, dedupe, retry as usual."""
    template = notify.template_payload(event, req, ext.get().settings.public_url, remark)
    wish = wish_of(session, req)
    template["url"] = wish_url(wish) if wish is not None else ""
    ids = []
    for member_id, openid in recipients:
        villager = session.scalar(select(Villager).where(Villager.openid == openid).limit(1))
        key = f"wish:{req.id}:{event}{tag}:{claim_key[0] or 0}-{claim_key[1] or 0}:to:{hash_openid(openid)}"
        if villager is not None:
            row = dict(dedupe_key=key, request_id=req.id, event=event, recipient_member_id=member_id,
                       recipient_openid=openid, channel="villager",
                       payload={"text": text, "template": template, "villager_id": villager.id})
        else:
            row = dict(dedupe_key=key, request_id=req.id, event=event, recipient_member_id=member_id,
                       recipient_openid=openid, channel="template", payload=template)
        oid = notify._add(session, row)  # the same dedupe as every other notification
        if oid:
            ids.append(oid)
    return ids


def _tell_cadres(session: Session, req: Request, wish: Wish, event: str, remark: str, tag: str = "") -> list[int]:
    """The village secretary hears of claims and fulfilment; the link opens the review page with the proof."""
    ids = notify.queue_notifications(session, req, event, ext.get().settings.public_url, remark=remark, tag=tag)
    _link_rows(session, ids, wish)
    return ids


# ---- chat ---------------------------------------------------------------------------------------------
def handle_message(session: Session, res, villager: Villager, msg, now: datetime) -> tuple[str, Effects] | None:
    """Wish commands of claimers, their proof photos, and villagers confirming a fulfilled
    wish. None when the message is none of these (the usual dialog handles it)."""
    state = villager.state or {}
    if msg.kind == "image" and state.get("wish_proof_for"):
        claimer = claimer_by_openid(session, msg.openid)
        wish = session.get(Wish, state["wish_proof_for"])
        villager.state = {k: v for k, v in state.items() if k not in ("wish_proof_for", "wish_note")}
        if claimer is None or wish is None:
            return None
        return fulfil(session, res, wish, claimer, state.get("wish_note", ""), msg.media_id, msg.pic_url, now)
    if msg.kind not in ("text", "voice"):
        return None
    cmd = parse(msg.text)
    if cmd is not None:
        return _command(session, res, villager, cmd, now)
    answer = confirmation(msg.text)
    if answer is None:
        return None
    wish = session.scalar(select(Wish).join(Request, Request.id == Wish.request_id).where(
        Request.villager_id == villager.id, Wish.status == "fulfilled").order_by(Wish.fulfilled_at.desc()).limit(1))
    if wish is None:
        return None
    return confirm(session, res, wish, answer[1], now)


def _command(session: Session, res, villager: Villager, cmd: WishCommand, now: datetime) -> tuple[str, Effects]:
    claimer = claimer_by_openid(session, villager.openid)
    if claimer is None:
        return texts.WISH_NOT_CLAIMER, Effects()
    wish = find_wish(session, claimer.county_id, cmd.number)
    if wish is None or wish.status in ("pending", "declined"):
        return texts.WISH_NOT_FOUND.format(number=cmd.number, url=board_url()), Effects()
    if cmd.name == "claim":
        _, reply, fx = claim(session, res, wish.id, claimer, now)
        return reply, fx
    if cmd.name == "withdraw":
        return withdraw(session, res, wish, claimer, now)
    # fulfil: the photo comes next
    if wish.status != "claimed" or not claimer.owns(wish):
        return texts.WISH_NOT_YOURS.format(number=wish.request.number), Effects()
    villager.state = dict(villager.state or {}, wish_proof_for=wish.id, wish_note=cmd.text[:500])
    return texts.WISH_SEND_PHOTO.format(number=wish.request.number), Effects()


# ---- the board ---------------------------------------------------------------------------------------
def board(session: Session, county_id: int, township_id: int | None = None, village_id: int | None = None,
          category: str | None = None, only_open: bool = False, limit: int | None = None) -> list[Wish]:
    """Approved wishes, newest first. Public fields only are rendered from these."""
    stmt = select(Wish).where(Wish.county_id == county_id, Wish.status.in_(("open",) if only_open else PUBLIC))
    stmt = stmt.join(Request, Request.id == Wish.request_id).where(Request.status != "cancelled")
    if township_id:
        stmt = stmt.where(Wish.village_id.in_(select(Village.id).where(Village.township_id == township_id)))
    if village_id:
        stmt = stmt.where(Wish.village_id == village_id)
    if category:
        stmt = stmt.where(Wish.category == category)
    stmt = stmt.order_by(Wish.published_at.desc(), Wish.id.desc()).limit(limit or int(cfg()["board_page_size"]))
    return list(session.scalars(stmt))


def claims_of(session: Session, claimer: Claimer) -> list[Wish]:
    if claimer.unit_id is not None:
        cond = Wish.claimer_unit_id == claimer.unit_id
    else:
        cond = and_(Wish.claimer_member_id == claimer.member_id, Wish.claimer_unit_id.is_(None))
    return list(session.scalars(select(Wish).where(cond).order_by(Wish.claimed_at.desc()).limit(50)))


# ---- records: counts and the Excel export -----------------------------------------------------------
def counts(session: Session, village_ids, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Per village, in [start, end): wishes submitted, claimed (a first claim in the period)
    and fulfilled. `village_ids` is a list or a SELECT of ids."""
    ids = list(village_ids) if not hasattr(village_ids, "subquery") else list(session.scalars(village_ids))
    out = {vid: {"submitted": 0, "claimed": 0, "fulfilled": 0} for vid in ids}
    if not ids:
        return out
    for vid, n in session.execute(select(Wish.village_id, func.count(Wish.id)).where(
            Wish.village_id.in_(ids), Wish.created_at >= start, Wish.created_at < end).group_by(Wish.village_id)):
        out[vid]["submitted"] = n
    first_claim = (select(RequestEvent.request_id, func.min(RequestEvent.created_at).label("at"))
                   .where(RequestEvent.kind == "wish_claimed").group_by(RequestEvent.request_id).subquery())
    for vid, n in session.execute(select(Wish.village_id, func.count(Wish.id))
                                  .join(first_claim, first_claim.c.request_id == Wish.request_id)
                                  .where(Wish.village_id.in_(ids), first_claim.c.at >= start, first_claim.c.at < end)
                                  .group_by(Wish.village_id)):
        out[vid]["claimed"] = n
    for vid, n in session.execute(select(Wish.village_id, func.count(Wish.id)).where(
            Wish.village_id.in_(ids), Wish.fulfilled_at >= start, Wish.fulfilled_at < end)
            .group_by(Wish.village_id)):
        out[vid]["fulfilled"] = n
    return out


def export_xlsx(session: Session, village_ids, start: datetime | None = None, end: datetime | None = None) -> bytes:
    """The wish list as an Excel workbook (for people who may see villagers' names)."""
    from openpyxl import Workbook

    ids = list(village_ids) if not hasattr(village_ids, "subquery") else list(session.scalars(village_ids))
    wb = Workbook()
    ws = wb.active
    ws.title = "微心愿"
    ws.append(["编号", "乡镇", "村", "类别", "公开内容", "村民原话", "状态", "认领人", "认领时间", "完成时间",
               "确认时间", "村民感谢", "未通过原因", "提交时间"])
    stmt = (select(Wish, Request, Village, Township).join(Request, Request.id == Wish.request_id)
            .join(Village, Village.id == Wish.village_id).join(Township, Township.id == Village.township_id)
            .where(Wish.village_id.in_(ids)).order_by(Wish.id))
    if start is not None:
        stmt = stmt.where(Wish.created_at >= start)
    if end is not None:
        stmt = stmt.where(Wish.created_at < end)
    names = categories()
    for wish, req, village, township in session.execute(stmt):
        ws.append([req.number, township.name, village.name, names.get(wish.category, wish.category),
                   _cell(wish.public_text), _cell(req.text), WISH_STATUS_LABELS.get(wish.status, wish.status),
                   wish.claimer_name or "", fmt_local(wish.claimed_at, True), fmt_local(wish.fulfilled_at, True),
                   fmt_local(wish.confirmed_at, True), _cell(wish.thanks_text or ""), _cell(wish.decline_reason or ""),
                   fmt_local(wish.created_at, True)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
