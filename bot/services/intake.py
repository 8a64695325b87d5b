"""A villager's message, end to end, in one transaction: store the InboundMessage, run the
dialog, create the Request with its first events and the Outbox rows, remember the reply.

A retry of the same message (same account + dedupe key) returns the stored reply and
creates nothing; the unique constraint makes that hold across processes.
"""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import JSON, Text, bindparam, cast, func, insert, select, type_coerce, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

import handlers
import nlp
from nlp.similarity import find_duplicate
from bot.db import dialect_insert, insert_row
from bot.models import (
    OPEN_STATUSES,
    STATUS_LABELS,
    Account,
    Attachment,
    InboundMessage,
    Member,
    Outbox,
    Request,
    RequestEvent,
    Team,
    Township,
    Village,
    Villager,
)
from bot.services import catalog, followup, notify, search, wishes
from bot.services.effects import Effects
from bot.services.clock import fmt_local, utcnow
from bot.services.deadlines import due_at
from bot.services.numbering import next_request_number
from handlers.cadre import looks_like_command as looks_like_cadre_command
from handlers.cadre import parse as parse_cadre_command
from handlers import villager as villager_dialog
from handlers.acts import ANSWER_HOURS, FINISHED_DAYS
from handlers.types import (
    Answer,
    Attach,
    Cancel,
    Chase,
    Context,
    CreateRequest,
    CreateWish,
    Incoming,
    OpenRequest,
    Rate,
    SetLanguage,
    SetState,
    SetSubscribed,
    SetVillage,
    Supplement,
    Thanks,
)
from handlers import texts as handlers_texts
from handlers.villager import summarize

log = logging.getLogger("cunsheng.intake")
MAX_TEXT = 4000  # characters kept in a request's text; the raw message keeps everything
WINDOW_EVENTS = {"subscribe", "scan", "click", "view"}  # events that open WeChat's 48 h window
MEDIA_NOTIFY_MINUTES = 30  # photos and places sent in a row: the team is told once
CHASE_NOTIFY_HOURS = 4  # the team hears of a villager's chases at most once in this many hours
FINISHED_STATUSES = ("resolved", "closed", "wish_fulfilled")


@dataclass
class InboundResult:
    reply: str
    effects: Effects = field(default_factory=Effects)
    duplicate: bool = False
    request_numbers: list[str] = field(default_factory=list)

    @property
    def outbox_ids(self) -> list[int]:
        return self.effects.outbox_ids


def dedupe_key(msg: Incoming, msg_id: str | None, create_time: str | None) -> str:
    if msg.kind == "event" or not msg_id:
        # sender + CreateTime + event (+ its key: two menu clicks in one second are two events)
        return f"evt:{msg.openid}:{create_time}:{msg.event or msg.raw_type}:{(msg.event_key or '')[:64]}"
    return f"msg:{msg.openid}:{msg_id}"


def handle_inbound(res, account: Account, msg: Incoming, msg_id: str | None, create_time: str | None,
                   raw: dict) -> InboundResult:
    key = dedupe_key(msg, msg_id, create_time)
    classify = _preclassified(msg)
    for attempt in range(4):
        try:
            with res.db.write_lock(), res.db.session() as session, session.no_autoflush:
                return _handle(session, res, account, msg, key, raw, classify)
        except IntegrityError:
            # another process created this villager at the same moment (a retry of the message
            # itself inserts nothing: ON CONFLICT in _handle): its reply if it was this message,
            # else try again, the villager now exists
            stored = _stored_reply(res, account.id, key)
            if stored is not None:
                return InboundResult(stored, duplicate=True)
        except OperationalError as exc:  # database busy / serialization: try again shortly
            log.warning("intake retry attempt=%s error=%s", attempt, exc.__class__.__name__)
        time.sleep(0.05 * (attempt + 1))
    raise RuntimeError("could not store inbound message")


APOLOGY = "系统有点忙，您的消息已收到并保存，工作人员会尽快查看。"


def store_unhandled(res, account: Account, msg: Incoming, msg_id, create_time, raw: dict) -> str:
    """Something went wrong while handling a message: keep it (nothing is lost), answer
    politely, and let a person look (`inbound_messages` rows with no request and this reply)."""
    key = dedupe_key(msg, msg_id, create_time)
    try:
        with res.db.session() as session:
            if session.scalar(select(InboundMessage.id).where(InboundMessage.account_id == account.id,
                                                               InboundMessage.dedupe_key == key)) is None:
                session.add(InboundMessage(account_id=account.id, dedupe_key=key, openid=msg.openid,
                                           msg_type=msg.raw_type or msg.kind, event=msg.event, content=msg.text,
                                           media_id=msg.media_id, raw=raw, reply=APOLOGY))
    except Exception:  # noqa: BLE001 - the database itself is down: the reply still goes out
        log.exception("could not store unhandled message openid=%s", catalog.hash_openid(msg.openid))
    return APOLOGY


def _preclassified(msg: Incoming):
    """Classify the message's text before the transaction opens (the classifier is the
    slowest step, and SQLite holds its write lock for the whole transaction). Other texts
    the dialog classifies (e.g. a wish's body) fall through to the router."""
    router = nlp.get_router()
    text = (msg.text or "").strip() if msg.kind in ("text", "voice") else ""
    if not text:
        return router.classify
    done = {text: router.classify(text)}

    def classify(t: str):
        hit = done.get(t)
        return hit if hit is not None else router.classify(t)

    return classify


def _stored_reply(res, account_id: int, key: str) -> str | None:
    with res.db.session() as session:
        row = session.connection().execute(_Q_STORED_REPLY, {"account_id": account_id, "key": key}).first()
        return None if row is None else (row.reply or "")


class _Inbound:
    """The stored InboundMessage of this delivery, by id (written with Core: see _handle)."""

    __slots__ = ("id",)

    def __init__(self, id_: int):
        self.id = id_


_INBOUND = InboundMessage.__table__
_REQUESTS = Request.__table__
_EVENTS = RequestEvent.__table__
_TEAMS = Team.__table__
_MEMBERS = Member.__table__
_VILLAGERS = Villager.__table__
_r = _REQUESTS.c

# The hot path's statements, built once (building a statement costs as much as running it)
_Q_VILLAGER = (select(Villager).options(joinedload(Villager.village))  # its village: every reply names it
               .where(Villager.account_id == bindparam("account_id"), Villager.openid == bindparam("openid")))
_Q_STORED_REPLY = select(_INBOUND.c.reply).where(_INBOUND.c.account_id == bindparam("account_id"),
                                                 _INBOUND.c.dedupe_key == bindparam("key"))


@lru_cache(maxsize=4)
def _insert_inbound(dialect: str):
    """INSERT … ON CONFLICT (account_id, dedupe_key) DO NOTHING RETURNING id, per dialect."""
    ins = dialect_insert(dialect)(_INBOUND)
    cols = {c.name: bindparam(c.name) for c in _INBOUND.columns if c.name not in ("id", "reply", "request_id", "act")}
    return (ins.values(**cols).on_conflict_do_nothing(index_elements=["account_id", "dedupe_key"])
            .returning(_INBOUND.c.id))


_U_WINDOW = (update(_VILLAGERS).where(_VILLAGERS.c.id == bindparam("villager_id"))
             .values(last_inbound_at=bindparam("now"), window_sent=0))
_U_REPLY = (update(_INBOUND).where(_INBOUND.c.id == bindparam("inbound_id"))
            .values(reply=bindparam("reply"), act=bindparam("act")))
_U_REPLY_REQUEST = _U_REPLY.values(request_id=bindparam("request_id"))
_Q_MEMBER_ID = (select(_MEMBERS.c.id).where(_MEMBERS.c.openid == bindparam("openid"), _MEMBERS.c.active.is_(True))
                .order_by(_MEMBERS.c.id).limit(1))
# the villager's open requests and those finished in the last days, in one statement
_Q_OPEN = (select(_r.number, _r.status, _r.kind, _r.text, _r.created_at, _r.due_at, _r.updated_at)
           .where(_r.villager_id == bindparam("villager_id"),
                  _r.status.in_(OPEN_STATUSES + ("wish_pending",))
                  | (_r.status.in_(FINISHED_STATUSES) & (_r.updated_at >= bindparam("finished_since"))))
           .order_by(_r.created_at.desc(), _r.id.desc()).limit(25))
_Q_OWN_NUMBER = (select(_r.number, _r.status, _r.kind, _r.text, _r.created_at, _r.due_at, _r.updated_at)
                 .where(_r.villager_id == bindparam("villager_id"), _r.number.like(bindparam("pattern")))
                 .order_by(_r.id.desc()).limit(2))
_Q_TEAM = (select(_TEAMS.c.id, _TEAMS.c.name)
           .where(_TEAMS.c.village_id == bindparam("village_id"), _TEAMS.c.kind == bindparam("kind"),
                  _TEAMS.c.active.is_(True)).order_by(_TEAMS.c.id).limit(1))
_Q_CLUSTER = (select(_r.id, _r.text, _r.duplicate_of_id, _r.villager_id)
              .where(_r.village_id == bindparam("village_id"), _r.team_id == bindparam("team_id"),
                     _r.status.in_(("assigned", "accepted", "reopened")), _r.created_at >= bindparam("since"))
              .order_by(_r.id.desc()).limit(50))
_Q_ROOT = select(_r.number, _r.villager_id).where(_r.id == bindparam("id"))
_U_NUMBER = (update(_REQUESTS).where(_r.id == bindparam("rid"))  # updated_at: as created, not the onupdate
             .values(number=bindparam("number"), updated_at=bindparam("now")))


@lru_cache(maxsize=4)
def _renumber_outbox(dialect: str):
    """The request's outbox rows, their provisional number replaced by the real one, in the
    stored JSON text (PostgreSQL's json needs a cast to text and back; SQLite stores text)."""
    table = Outbox.__table__
    old, new = bindparam("provisional"), bindparam("number")
    if dialect == "postgresql":
        payload = cast(func.replace(cast(table.c.payload, Text), old, new), JSON)
    else:
        payload = type_coerce(func.replace(table.c.payload, old, new), JSON)
    return update(table).where(table.c.request_id == bindparam("rid")).values(payload=payload)


def _handle(session: Session, res, account: Account, msg: Incoming, key: str, raw: dict,
            classify=None) -> InboundResult:
    # The hot path writes with Core statements on the session's transaction (a unit-of-work
    # flush costs about ten Core INSERTs); ORM objects are still used where code reads them.
    # A retry of a stored message inserts nothing here (ON CONFLICT on the unique account +
    # dedupe key; on PostgreSQL a concurrent first attempt is waited for) and gets the
    # stored reply. Retries are rare: no SELECT before the INSERT.
    conn = session.connection()
    now = utcnow()
    stored = conn.execute(_insert_inbound(conn.dialect.name), {
        "account_id": account.id, "dedupe_key": key, "openid": msg.openid, "msg_type": msg.raw_type or msg.kind,
        "event": msg.event, "content": msg.text, "media_id": msg.media_id, "raw": raw, "created_at": now,
    }).scalar()
    if stored is None:
        reply = conn.execute(_Q_STORED_REPLY, {"account_id": account.id, "key": key}).scalar()
        return InboundResult(reply or "", duplicate=True)
    inbound = _Inbound(stored)

    villager = session.scalar(_Q_VILLAGER, {"account_id": account.id, "openid": msg.openid})
    if villager is None:
        villager = insert_row(session, Villager, {"account_id": account.id, "openid": msg.openid, "state": {},
                                                  "created_at": now})
    if msg.kind != "event" or (msg.event or "") in WINDOW_EVENTS:
        # the 48 h window opens again: written now, and set on the object as its loaded state
        conn.execute(_U_WINDOW, {"villager_id": villager.id, "now": now})
        set_committed_value(villager, "last_inbound_at", now)
        set_committed_value(villager, "window_sent", 0)

    cadre_reply = wishes.handle_message(session, res, villager, msg, now)  # 认领 / 完成心愿 / 收到
    act = "wish_confirm"
    if cadre_reply is None:
        cadre_reply, act = _cadre(session, res, villager, msg, now), "cadre"
    if cadre_reply is not None:
        reply, fx = cadre_reply
        _finish(conn, inbound, reply, None, act)
        return InboundResult(reply, fx)

    ctx = _context(session, res, account, villager, now, classify)
    outcome = handlers.handle(msg, ctx)
    applied = _apply(session, res, account, villager, inbound, outcome.actions, now, ctx)
    reply = _honest_reply(outcome.reply, applied.urgent_told).format(**applied.placeholders) if outcome.reply else ""
    _finish(conn, inbound, reply, applied.created[0].id if applied.created else None,
            outcome.act or ("event" if msg.kind == "event" else ""))
    log.info("inbound kind=%s openid=%s requests=%s", msg.kind, catalog.hash_openid(msg.openid),
             ",".join(r.number for r in applied.created) or "-")
    return InboundResult(reply, applied.effects, request_numbers=[r.number for r in applied.created])


def _finish(conn, inbound: _Inbound, reply: str, request_id: int | None, act: str = "") -> None:
    values = {"inbound_id": inbound.id, "reply": reply, "act": act[:16] or None}
    if request_id is None:
        conn.execute(_U_REPLY, values)
    else:
        conn.execute(_U_REPLY_REQUEST, dict(values, request_id=request_id))


def _cadre(session: Session, res, villager: Villager, msg: Incoming, now: datetime):
    """Cadre commands, binding codes and proof photos; None when the message is a villager's."""
    member_id = session.connection().execute(_Q_MEMBER_ID, {"openid": msg.openid}).scalar()
    member = session.get(Member, member_id) if member_id is not None else None
    if msg.kind == "event" and msg.event in ("subscribe", "scan") and msg.event_key:
        key = msg.event_key.removeprefix("qrscene_")
        for prefix in ("member_", "bind_"):  # a member's QR scene carries their binding code
            if key.startswith(prefix):
                return followup.bind(session, msg.openid, key[len(prefix):], now), Effects()
    if msg.kind == "image" and member is not None and (villager.state or {}).get("proof_for"):
        reply = followup.attach_proof(session, member, villager, msg.media_id, msg.pic_url, now)
        if reply:
            return reply, Effects()
    if msg.kind not in ("text", "voice"):
        return None
    cmd = parse_cadre_command(msg.text)
    if cmd is None and member is not None:
        started = looks_like_cadre_command(msg.text)
        if started is not None:  # a command the bot cannot read: help, never a villager's request
            return followup.command_help(session, member, started), Effects()
    if cmd is None or (member is None and cmd.name != "bind"):
        return None
    return followup.cadre_command(session, res, member, villager, cmd, now)


def _context(session: Session, res, account: Account, villager: Villager, now: datetime,
             classify=None) -> Context:
    village_names = catalog.village_names(session, account.county_id)
    conn = session.connection()
    names = catalog.team_names()

    def shown(number, status, kind, text, created_at, due, updated_at) -> OpenRequest:
        finished = status in FINISHED_STATUSES
        return OpenRequest(number=number, status_label=STATUS_LABELS.get(status, status),
                           team_name=names.get(kind or "", "待分派"), summary=summarize(text, 24),
                           created=fmt_local(created_at), age_minutes=(now - created_at).total_seconds() / 60,
                           text=(text or "")[:300], kind=kind, status=status, due=fmt_local(due),
                           minutes_left=(due - now).total_seconds() / 60 if due and not finished else None,
                           finished_minutes=(now - updated_at).total_seconds() / 60 if finished else None)

    def find_request(prefix: str | None, year: str | None, serial: int) -> OpenRequest | None:
        pattern = f"{prefix or '%'}-{year or '%'}-{serial:06d}"  # prefix: letters only (handlers)
        rows = conn.execute(_Q_OWN_NUMBER, {"villager_id": villager.id, "pattern": pattern}).all()
        return shown(*rows[0]) if len(rows) == 1 else None

    rows = [shown(*row) for row in conn.execute(_Q_OPEN, {"villager_id": villager.id,
                                                          "finished_since": now - timedelta(days=FINISHED_DAYS)})]
    opens = [r for r in rows if r.finished_minutes is None]
    recent = sorted((r for r in rows if r.finished_minutes is not None), key=lambda r: r.finished_minutes)
    state = dict(villager.state or {})
    asked = state.get("asked")
    if isinstance(asked, dict) and not _still_open(asked, now):
        state.pop("asked")  # a question this old is no longer waiting for its answer
    return Context(
        village=villager.village.name if villager.village_id else None,
        state=state,
        open_requests=opens,
        village_names=village_names,
        team_names=names,
        classify=classify or nlp.get_router().classify,
        match_village=nlp.match_village,
        review_threshold=review_threshold(res),
        faq=catalog.faq_index().match,
        find_request=find_request,
        recent=recent,
        language=getattr(villager, "language", None) or "zh",
        asker=lambda member_id: _asker(session, member_id),
    )


def review_threshold(res) -> float:
    """REVIEW_THRESHOLD when set; otherwise the serving model's threshold, chosen when it was
    trained from its reliability curve (meta.json ``review_threshold``; 0.45 for a model
    trained before)."""
    threshold = res.settings.review_threshold
    if threshold is not None:
        return float(threshold)
    return nlp.get_router().review_threshold


def _still_open(asked: dict, now: datetime) -> bool:
    try:
        at = datetime.fromisoformat(asked.get("at") or "")
    except (TypeError, ValueError):
        return False
    if at.tzinfo is None:
        return False
    return now - at <= timedelta(hours=ANSWER_HOURS)


def _asker(session: Session, member_id) -> str:
    from bot.models.people import ROLE_LABELS

    try:
        m = session.get(Member, int(member_id))
    except (TypeError, ValueError):
        return ""
    if m is None:
        return ""
    team = m.team.name if getattr(m, "team", None) is not None else ""
    return f"{team or ROLE_LABELS.get(m.role, '')}{m.name}"


@dataclass
class _Applied:
    created: list[Request] = field(default_factory=list)
    effects: Effects = field(default_factory=Effects)
    placeholders: dict = field(default_factory=dict)
    urgent_told: list[set[str]] = field(default_factory=list)  # per urgent request: {"team", "secretary"}


def _apply(session: Session, res, account: Account, villager: Villager, inbound: _Inbound,
           actions: list, now: datetime, ctx: Context | None = None) -> _Applied:
    out = _Applied(placeholders={"number": "", "team": "", "due": "", "village": "", "result": "",
                                 "dup_note": "", "several": ""})
    numbering: list[tuple[Request, tuple[int, str] | None, bool]] = []
    for action in actions:
        if isinstance(action, SetVillage):
            village = catalog.village_by_name(session, account.county_id, action.name)
            if village is not None:
                villager.village_id = village.id
                villager.village = village
        elif isinstance(action, SetState):
            villager.state = dict(action.state)
        elif isinstance(action, SetSubscribed):
            villager.subscribed = action.subscribed
        elif isinstance(action, (CreateRequest, CreateWish)):
            req, root = _create_request(session, res, account, villager, inbound, action, now,
                                        threshold=ctx.review_threshold if ctx is not None else None)
            out.created.append(req)
            outbox_ids: list[int] = []
            urgent = req.priority == "urgent" and req.kind != "wish"
            if root is None or urgent:
                # a new problem; an urgent report is told to the team and the secretary as urgent
                # even when it joins a cluster: a duplicate verdict never silences it
                outbox_ids = _notify_new(session, res, req)
                out.effects.outbox_ids += outbox_ids
                followup.schedule_followups(req, out.effects)
            if root is not None:  # the team already has it: this villager hears back with the cluster
                out.placeholders["dup_note"] = texts_dup_note(root[1])
            if urgent:
                out.urgent_told.append(_told_urgent(session, req, outbox_ids))
            numbering.append((req, root, bool(outbox_ids)))
            team = catalog.team_names().get(req.kind or "", "")
            out.placeholders.update(team=team, due=fmt_local(req.due_at), village=req.village.name)
        elif isinstance(action, Rate):
            req = session.scalar(select(Request).where(Request.number == action.number,
                                                       Request.villager_id == villager.id))
            if req is not None:
                satisfied = action.satisfied
                if satisfied is None:
                    satisfied = action.rating >= followup.cfg()["unsatisfied_below"]
                text, fx = followup.rate(session, res, req, action.rating, satisfied, now,
                                         comment=action.comment)
                out.effects.extend(fx)
                out.placeholders["result"] = text
        elif isinstance(action, (Supplement, Chase, Answer, Thanks)):
            _apply_act(session, res, villager, inbound, action, now, ctx, out)
        elif isinstance(action, SetLanguage):
            villager.language = action.language
        elif isinstance(action, Cancel):
            text, fx = followup.cancel(session, res, villager, action.fragment, now)
            out.effects.extend(fx)
            out.placeholders["result"] = text
        elif isinstance(action, Attach):
            target = out.created[0] if action.number is None and out.created else None
            if target is None and action.number:
                target = session.scalar(select(Request).where(Request.number == action.number,
                                                              Request.villager_id == villager.id))
            if target is None:
                continue
            att = Attachment(request_id=target.id, inbound_message_id=inbound.id, kind=action.kind,
                             media_id=action.media_id, url=action.url, latitude=action.latitude,
                             longitude=action.longitude, label=action.label, created_at=now)
            session.add(att)
            session.add(RequestEvent(request_id=target.id, kind="attachment", actor="villager",
                                     data={"kind": action.kind, "media_id": action.media_id,
                                           "latitude": action.latitude, "longitude": action.longitude,
                                           "label": action.label}, created_at=now))
            if target not in out.created and target.status in followup.ACTIVE:
                # a photo or place for a request the team already has: the team is told, once
                # for a burst (several photos in a row), not once per photo
                what = {"image": "照片", "location": "位置"}.get(action.kind, "链接")
                remark = f"村民补充了{what}" + (f"：{action.label}" if action.label else "")
                bucket = int(now.timestamp() // (MEDIA_NOTIFY_MINUTES * 60))
                out.effects.outbox_ids += notify.queue_notifications(session, target, "supplement",
                                                                     res.settings.public_url, remark=remark,
                                                                     tag=f":media{bucket}")
    if numbering:
        _assign_numbers(session, account, numbering, now)
        out.placeholders["number"] = numbering[-1][0].number
        if len(out.created) > 1:
            names = catalog.team_names()
            out.placeholders["several"] = "\n".join(
                handlers_texts.SEVERAL_ITEM.format(i=i, number=r.number, team=names.get(r.kind or "", "待分派"),
                                                   summary=summarize(r.text, 16))
                for i, r in enumerate(out.created, 1))
    return out


def _own(session: Session, villager: Villager, number: str) -> Request | None:
    return session.scalar(select(Request).where(Request.number == number, Request.villager_id == villager.id))


def _apply_act(session: Session, res, villager: Villager, inbound: _Inbound, action, now: datetime,
               ctx: Context | None, out: _Applied) -> None:
    """A supplement, chase, answer or thanks: on the request's timeline, and the people concerned told."""
    if action.number is None:
        return
    req = _own(session, villager, action.number)
    if req is None:
        return
    url = res.settings.public_url
    tag = f":{inbound.id}"
    if isinstance(action, Supplement):
        session.add(RequestEvent(request_id=req.id, kind="supplement", actor="villager", created_at=now,
                                 data={"text": action.text, "inbound_message_id": inbound.id}))
        out.effects.outbox_ids += notify.queue_notifications(session, req, "supplement", url, remark=action.text,
                                                             tag=tag)
    elif isinstance(action, Chase):
        req.chase_count = (req.chase_count or 0) + 1
        notified = req.last_chased_at is None or now - req.last_chased_at >= timedelta(hours=CHASE_NOTIFY_HOURS)
        if notified:
            req.last_chased_at = now
            out.effects.outbox_ids += notify.queue_notifications(
                session, req, "chase", url, remark=f"第{req.chase_count}次催办：{action.text}", tag=tag)
        session.add(RequestEvent(request_id=req.id, kind="chase", actor="villager", created_at=now,
                                 data={"text": action.text, "count": req.chase_count, "team_told": notified,
                                       "inbound_message_id": inbound.id}))
        shown = next((r for r in (ctx.open_requests if ctx else []) if r.number == req.number), None)
        if shown is not None:
            out.placeholders["result"] = villager_dialog.chased_reply(shown, notified)
        else:
            out.placeholders["result"] = handlers_texts.CHASED.format(
                number=req.number, summary=summarize(req.text, 16), status=req.status_label,
                team=catalog.team_names().get(req.kind or "", "待分派"), left="")
    elif isinstance(action, Answer):
        session.add(RequestEvent(request_id=req.id, kind="villager_answer", actor="villager", created_at=now,
                                 data={"text": action.text, "to": action.to, "inbound_message_id": inbound.id}))
        member = session.get(Member, int(action.to)) if str(action.to or "").isdigit() else None
        if member is not None and member.openid and member.active:
            oid = notify.queue_to_member(session, req, "villager_answer", member, url, remark=action.text, tag=tag)
            if oid:
                out.effects.outbox_ids.append(oid)
        else:  # nobody to tell by name: the team (or the secretary) hears of it
            out.effects.outbox_ids += notify.queue_notifications(session, req, "villager_answer", url,
                                                                 remark=action.text, tag=tag)
    elif isinstance(action, Thanks):
        session.add(RequestEvent(request_id=req.id, kind="thanks", actor="villager", created_at=now,
                                 data={"text": action.text, "inbound_message_id": inbound.id}))


def _provisional_number() -> str:
    """A request's number until the end of its transaction: unique, and not something a
    villager's text could contain (it is replaced inside stored JSON text)."""
    return "~" + secrets.token_hex(8)


def _assign_numbers(session: Session, account: Account, pending: list, now: datetime) -> None:
    """The requests' real numbers, as the transaction's last writes before the reply.

    On PostgreSQL the county's counter row stays locked from its increment to the commit,
    so every other new request of the county waits behind it: the request, its events and
    outbox rows are all written before it, under a provisional number, and only the swap
    happens here."""
    session.flush()  # ORM changes (the villager's dialog state, attachments) before the lock
    conn = session.connection()
    code = catalog.county_code(session, account.county_id)
    for req, root, has_outbox in pending:
        provisional = req.number
        number = next_request_number(session, code, now)
        conn.execute(_U_NUMBER, {"rid": req.id, "number": number, "now": req.updated_at})
        if has_outbox:
            conn.execute(_renumber_outbox(conn.dialect.name),
                         {"rid": req.id, "provisional": provisional, "number": number})
        if root is not None:  # the cluster's root learns the new number
            conn.execute(insert(_EVENTS), [{"request_id": root[0], "kind": "duplicate_reported", "actor": "system",
                                            "data": {"number": number}, "created_at": now}])
        set_committed_value(req, "number", number)


# what the urgent reply (handlers.texts.CREATED_URGENT and its Tibetan twin) claims was done
URGENT_CLAIM = "已通知{village}{team}和村书记，{due}前处理。"
URGENT_CLAIM_BO = "{village}{team}དང་གྲོང་ཚོའི་ཏང་ཡིག་ལ་བརྡ་བཏང་ཟིན། "
# what it may say instead, by who was actually queued an urgent notification
URGENT_TOLD = {
    frozenset({"team"}): "已通知{village}{team}，{due}前处理。",
    frozenset({"secretary"}): "已通知村书记，{due}前处理。",
    frozenset(): "暂时没能通知到工作队和村书记，请直接联系村干部。",
}


def _honest_reply(template: str, urgent_told: list[set[str]]) -> str:
    """The reply's urgent claim ("已通知…工作队和村书记") only as far as it is true: the team
    and the secretary each have an urgent outbox row for every urgent request created."""
    if URGENT_CLAIM not in template and URGENT_CLAIM_BO not in template:
        return template
    told = frozenset.intersection(*map(frozenset, urgent_told)) if urgent_told else frozenset()
    if {"team", "secretary"} <= told:
        return template
    return (template.replace(URGENT_CLAIM, URGENT_TOLD[told & {"team", "secretary"}])
            .replace(URGENT_CLAIM_BO, ""))  # no Tibetan wording for less: the claim goes


def _told_urgent(session: Session, req: Request, outbox_ids: list[int]) -> set[str]:
    """Who the urgent notifications just queued for `req` reach: "team" (a member of its team,
    or the team's WeCom robot) and/or "secretary" (a village secretary)."""
    if not outbox_ids:
        return set()
    rows = session.execute(select(Outbox.channel, Member.team_id, Member.role)
                           .outerjoin(Member, Member.id == Outbox.recipient_member_id)
                           .where(Outbox.id.in_(outbox_ids), Outbox.event == "urgent")).all()
    told: set[str] = set()
    for channel, team_id, role in rows:
        if channel == "wecom" or (req.team_id is not None and team_id == req.team_id):
            told.add("team")
        if role == "village_secretary":
            told.add("secretary")
    return told


def texts_dup_note(root_number: str) -> str:
    from handlers import texts

    return texts.DUPLICATE_NOTE.format(root=root_number)


def _create_request(session: Session, res, account: Account, villager: Villager, inbound: _Inbound,
                    action, now: datetime, threshold: float | None = None) -> tuple[Request, tuple[int, str] | None]:
    """The new request (under a provisional number), and the id and number of the cluster's
    root it joined (None: a new problem). ``threshold``: the review threshold the handler
    compared the confidence with (kept in the needs_review event, shown in the console)."""
    c = action.classification
    is_wish = isinstance(action, CreateWish)
    review_reason = None if is_wish else action.review_reason
    label = c.label if c is not None else None
    kind = "wish" if is_wish else (None if review_reason else label)
    conn = session.connection()
    team = None  # (id, name)
    if kind and kind != "wish":
        team = conn.execute(_Q_TEAM, {"village_id": villager.village_id, "kind": kind}).first()
        if team is None:  # the village has no such team: a person decides
            kind, review_reason = None, "no_team"
    priority = c.priority if c is not None else "normal"
    tier = c.tier if c is not None else "general"
    text = action.text
    if is_wish:
        status = "wish_pending"
        due = now + catalog.wish_review_delta()
    else:
        status = "assigned" if team else "needs_review"
        due = due_at(now, tier=tier, priority=priority, text=text, needs_review=team is None)
    values = dict(
        county_id=account.county_id, village_id=villager.village_id, villager_id=villager.id,
        kind=kind, team_id=team.id if team else None, status=status, tier=tier, priority=priority,
        source=action.source, text=text[:MAX_TEXT], due_at=due, label=label,
        confidence=round(c.confidence, 4) if c is not None else None,
        model_version=c.model_version if c is not None else None,
        evidence=list(c.evidence) if c is not None else [], review_reason=review_reason,
        assigned_at=now if team else None, created_at=now, updated_at=now,
    )
    root = _duplicate_root(session, values, now) if team is not None else None
    if root is not None:
        values["duplicate_of_id"] = root[0]
    tokens = search.index_tokens(values["text"])
    values["number"] = _provisional_number()  # the real one at the end: _assign_numbers
    req = insert_row(session, Request, values)
    set_committed_value(req, "village",
                        villager.village if villager.village is not None else session.get(Village, villager.village_id))
    search.insert_tokens(session, [(req.id, tokens)])  # the after_flush indexer does not see Core inserts

    def event(request_id: int, kind_: str, actor: str, data: dict) -> dict:
        return {"request_id": request_id, "kind": kind_, "actor": actor, "data": data, "created_at": now}

    events = [event(req.id, "created", "villager", {"source": action.source, "inbound_message_id": inbound.id,
                                                    "media_id": getattr(action, "media_id", None)})]
    if c is not None:
        events.append(event(req.id, "classified", "system", c.to_dict()))
    if is_wish:
        events.append(event(req.id, "wish_listed", "system", {}))
    elif team is not None:
        events.append(event(req.id, "assigned", "system", {"team_id": team.id, "team": team.name,
                                                            "due_at": due.isoformat()}))
        if root is not None:  # the root's duplicate_reported event follows with the number
            events.append(event(req.id, "duplicate_linked", "system", {"of": root[1]}))
    else:
        data = {"reason": review_reason}
        if review_reason == "low_confidence":
            data["confidence"] = values["confidence"]
            data["threshold"] = threshold
        events.append(event(req.id, "needs_review", "system", data))
    conn.execute(insert(_EVENTS), events)
    if is_wish:
        wishes.on_request_created(session, req)
    return req, root


def _duplicate_root(session: Session, req: dict, now: datetime) -> tuple[int, str] | None:
    """An open request of *another* villager of the same village and team, reported within the
    window, that says the same problem: the new one joins its cluster (the cluster's root id
    and number).

    Never the villager's own request, nor a cluster whose root is theirs: a second message of
    the same villager is a new matter or a supplement, not 同问 (the dialog decides
    supplements). The villager's own requests still serve as ``own`` texts, so their habitual
    opening or sign-off counts for nothing against another villager's message.
    """
    cfg = followup.cfg().get("duplicates") or {}
    since = now - timedelta(hours=cfg.get("window_hours", 72))
    conn = session.connection()
    rows = conn.execute(_Q_CLUSTER, {"village_id": req["village_id"], "team_id": req["team_id"],
                                     "since": since}).all()
    if not rows:
        return None
    mine = req["villager_id"]
    own = [text for _, text, _, villager_id in rows if villager_id == mine]
    own_ids = {rid for rid, _, _, villager_id in rows if villager_id == mine}
    candidates = [(rid, text) for rid, text, dup, villager_id in rows
                  if villager_id != mine and (dup or rid) not in own_ids]
    kwargs = {"threshold": cfg["threshold"]} if cfg.get("threshold") is not None else {}
    while candidates:
        hit = find_duplicate(req["text"], candidates, own=own, **kwargs)
        if hit is None:
            return None
        root_id = next(dup or rid for rid, _, dup, _ in rows if rid == hit)
        number, root_villager = conn.execute(_Q_ROOT, {"id": root_id}).one()
        if root_villager != mine:
            return root_id, number
        # the cluster's root (older than the window) is this villager's own: not that cluster
        candidates = [(rid, text) for rid, text in candidates
                      if next(dup or r for r, _, dup, _ in rows if r == rid) != root_id]
    return None


def _notify_new(session: Session, res, req: Request) -> list[int]:
    url = res.settings.public_url
    if req.kind == "wish":
        return wishes.notify_review(session, res, req)
    if req.status == "needs_review":
        ids = notify.queue_notifications(session, req, "review_needed", url, fresh=True)
        if req.priority == "urgent":  # no team yet: the secretary hears that it is urgent, now
            ids += notify.queue_notifications(session, req, "urgent", url, fresh=True)
        return ids
    event = "urgent" if req.priority == "urgent" else "new_task"
    return notify.queue_notifications(session, req, event, url, fresh=True)


__all__ = ["handle_inbound", "InboundResult", "Township"]
