"""Follow-through (一事一销号): cadres accept, report and resolve; deadlines are chased and
escalated; the villager hears back, is asked afterwards, and can reopen by being unhappy.

Every function takes the session and `now` (an injectable clock) and returns the reply
text and the Effects to run after commit. Steps that already happened do nothing.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.models import BindingCode, Member, Request, RequestEvent, Team, Village, Villager
from bot.models.people import ROLE_LABELS
from bot.services import notify
from bot.services.catalog import team_names
from bot.services.clock import fmt_local
from bot.services.deadlines import due_at as compute_due
from bot.services.effects import Effects
from config import load_yaml
from handlers import texts, texts_bo
from handlers.cadre import CadreCommand, clean_text
from handlers.villager import pending_ratings

ACTIVE = ("assigned", "accepted", "reopened")


def cfg() -> dict:
    return load_yaml("followup.yaml")


def _event(session: Session, req: Request, kind: str, actor: str, now: datetime, **data) -> None:
    session.add(RequestEvent(request_id=req.id, kind=kind, actor=actor, data=data, created_at=now))


def actor_of(member: Member) -> str:
    return f"member:{member.id}:{member.name}"


# ---- finding a request and checking who may act ------------------------------------
def scope_filter(stmt, member: Member):
    if member.role == "county_admin":
        return stmt.where(Request.county_id == member.county_id)
    if member.role == "township_supervisor":
        return stmt.where(Request.village_id.in_(select(Village.id).where(Village.township_id == member.township_id)))
    if member.role == "village_secretary":
        return stmt.where(Request.village_id == member.village_id)
    return stmt.where(Request.team_id == member.team_id)


def can_act(session: Session, member: Member, req: Request) -> bool:
    if member.role in ("team_leader", "team_member"):
        return member.team_id is not None and member.team_id == req.team_id
    if member.role == "village_secretary":
        return member.village_id == req.village_id
    if member.role == "township_supervisor":
        return session.get(Village, req.village_id).township_id == member.township_id
    return member.county_id == req.county_id


def find_request(session: Session, member: Member, fragment: str) -> tuple[Request | None, str | None]:
    """A request by full number, or by its last digits when that is unambiguous in the
    member's scope (open requests first). Returns (request, reply-if-not-found)."""
    fragment = fragment.strip().upper()
    if re.fullmatch(r"[A-Z]{1,4}-\d{4}-\d{6}", fragment):
        req = session.scalar(select(Request).where(Request.number == fragment))
        if req is None:
            return None, texts.NOT_FOUND.format(number=fragment)
        if not can_act(session, member, req):
            return None, texts.NO_PERMISSION.format(number=fragment)
        return req, None
    digits = re.sub(r"\D", "", fragment.split("-")[-1])
    if not digits:
        return None, texts.NOT_FOUND.format(number=fragment)
    stmt = scope_filter(select(Request), member).where(Request.number.like(f"%{digits}"))
    hits = list(session.scalars(stmt.order_by(Request.id.desc()).limit(20)))
    if len(hits) > 1:
        exact = [r for r in hits if int(r.number[-6:]) == int(digits)]
        open_hits = [r for r in hits if r.status in ACTIVE]
        hits = exact if len(exact) == 1 else (open_hits if len(open_hits) == 1 else hits)
    if not hits:
        return None, texts.NOT_FOUND.format(number=fragment)
    if len(hits) > 1:
        return None, texts.AMBIGUOUS.format(number=digits, options="\n".join(r.number for r in hits[:6]))
    return hits[0], None


# ---- binding a member's WeChat ---------------------------------------------------------
def issue_binding_code(session: Session, member: Member, now: datetime) -> str:
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if not session.scalar(select(BindingCode.id).where(BindingCode.code == code)):
            break
    session.add(BindingCode(code=code, member_id=member.id, created_at=now,
                            expires_at=now + timedelta(hours=cfg()["binding_code_hours"])))
    session.flush()
    return code


def bind(session: Session, openid: str, code: str, now: datetime) -> str:
    row = session.scalar(select(BindingCode).where(BindingCode.code == code).with_for_update())
    if row is None or row.used_at is not None or row.expires_at < now:
        return texts.BIND_BAD
    member = session.get(Member, row.member_id)
    if member is None or not member.active:
        return texts.BIND_BAD
    for other in session.scalars(select(Member).where(Member.openid == openid, Member.id != member.id)):
        other.openid = None  # one WeChat, one member
    session.flush()
    member.openid = openid  # a new phone simply replaces the old binding
    row.used_at = now
    return texts.BOUND.format(name=member.name, role=ROLE_LABELS.get(member.role, member.role))


def unbind(member: Member) -> str:
    member.openid = None
    return texts.UNBOUND


# ---- cadre commands ------------------------------------------------------------------
def cadre_command(session: Session, res, member: Member | None, villager: Villager, cmd: CadreCommand,
                  now: datetime) -> tuple[str, Effects]:
    fx = Effects()
    if cmd.name == "bind":
        return bind(session, villager.openid, cmd.text, now), fx
    if member is None:
        return texts.NOT_CADRE, fx
    if cmd.name == "unbind":
        return unbind(member), fx
    if cmd.name == "tasks":
        return my_tasks(session, member, now), fx
    req, error = find_request(session, member, cmd.number or "")
    if error:
        return error, fx
    if cmd.name == "accept":
        return accept(session, res, member, req, now, fx), fx
    if cmd.name == "progress":
        return progress(session, res, member, req, cmd.text, now, fx), fx
    if cmd.name == "resolve":
        return resolve(session, res, member, req, cmd.text, now, fx), fx
    if cmd.name == "return":
        return return_(session, res, member, req, cmd.text, now, fx), fx
    return texts.MENU_UNKNOWN, fx


def command_help(session: Session, member: Member, started: str) -> str:
    """How to write the command `started` (all of them for 我的任务 and the like), with the
    member's open task numbers (their short form, at most 8)."""
    usage = texts.CADRE_USAGE.get(started) if started != "tasks" else None
    usage = usage or "\n".join(texts.CADRE_USAGE.values())
    stmt = scope_filter(select(Request.number), member).where(Request.status.in_(ACTIVE))
    numbers = list(session.scalars(stmt.order_by(Request.due_at).limit(8)))
    tasks = texts.CADRE_HELP_TASKS.format(numbers="、".join(_short(n) for n in numbers)) if numbers else ""
    return texts.CADRE_HELP.format(usage=usage, tasks=tasks)


def _short(number: str) -> str:
    return str(int(number[-6:]))


def accept(session, res, member, req, now, fx: Effects, actor: str | None = None) -> str:
    if req.status == "accepted":
        return texts.ALREADY_ACCEPTED.format(number=req.number)
    if req.status not in ("assigned", "reopened"):
        return texts.WRONG_STATE.format(number=req.number, status=req.status_label, action="签收")
    team = team_names().get(req.kind or "", "工作队")
    for r in [req] + cluster(session, req, ("assigned", "reopened")):
        r.status, r.accepted_at, r.assignee_id = "accepted", now, member.id
        _event(session, r, "accepted", actor or actor_of(member), now, **({"with": req.number} if r is not req else {}))
        fx.outbox_ids += notify.queue_villager(
            session, r, "accepted",
            texts.V_ACCEPTED_ABOUT.format(about=notify.about(r), team=req.village.name + team, due=fmt_local(req.due_at)),
            res.settings.public_url, remark=f"{team}已签收")
    return texts.ACCEPTED.format(number=req.number, due=fmt_local(req.due_at), short=_short(req.number))


def cluster(session: Session, req: Request, statuses=ACTIVE) -> list[Request]:
    """The open requests linked to `req` as duplicates (other villagers, same problem)."""
    return list(session.scalars(select(Request).where(Request.duplicate_of_id == req.id,
                                                      Request.status.in_(statuses)).order_by(Request.id)))


def progress(session, res, member, req, text, now, fx: Effects, actor: str | None = None) -> str:
    """The cadre's 进展: on the timeline, and sent on to the villager (and to the villagers of
    the request's open duplicates), each naming their own request."""
    text = clean_text(text)
    if not text:
        return texts.NEED_TEXT.format(what="进展情况", example=f"进展 {_short(req.number)} 已联系电工明天来修")
    if req.status not in ACTIVE:
        return texts.WRONG_STATE.format(number=req.number, status=req.status_label, action="汇报进展")
    team = req.village.name + team_names().get(req.kind or "", "工作队")
    for r in [req] + cluster(session, req):
        ev = RequestEvent(request_id=r.id, kind="progress", actor=actor or actor_of(member), created_at=now,
                          data=dict(text=text[:1000], **({"with": req.number} if r is not req else {})))
        session.add(ev)
        session.flush()  # the event's id: one message per progress report
        fx.outbox_ids += notify.queue_villager(
            session, r, "progress", texts.V_PROGRESS.format(about=notify.about(r), progress=text[:600], team=team),
            res.settings.public_url, remark=text, tag=f"@{ev.id}")
    if asks_villager(text) and req.villager is not None:
        # 进展 12 明天来修，家里有人吗？ — the villager's reply answers it, and the cadre is told
        req.villager.state = dict(req.villager.state or {},
                                  asked={"number": req.number, "by": member.id, "at": now.isoformat()})
    return texts.PROGRESS_NOTED.format(number=req.number)


_ASKS = re.compile(r"[?？]|吗[。！!]?\s*$|请问|麻烦(您|你)(告诉|说|回复|发)|能不能(告诉|说|发)|几点|哪(里|儿|一|个|根|家)|什么时候(在家|方便)")


def asks_villager(text: str) -> bool:
    """A progress text that puts a question to the villager (their reply will answer it)."""
    return bool(_ASKS.search(text or ""))


def resolve(session, res, member, req, text, now, fx: Effects, actor: str | None = None) -> str:
    if req.status not in ACTIVE:
        return texts.WRONG_STATE.format(number=req.number, status=req.status_label, action="办结")
    text = clean_text(text)  # the villager is told this text: required, and not punctuation alone
    if not text:
        return texts.NEED_TEXT.format(what="办理结果", example=f"办结 {_short(req.number)} 路灯已修好")
    for r in [req] + cluster(session, req):
        if r.accepted_at is None:
            r.accepted_at = now
        r.status, r.resolved_at, r.resolution = "resolved", now, text[:2000]
        r.survey_sent_at = None
        _event(session, r, "resolved", actor or actor_of(member), now, text=text[:1000],
               **({"with": req.number} if r is not req else {}))
        fx.outbox_ids += notify.queue_villager(
            session, r, "resolved", texts.V_RESOLVED_ABOUT.format(about=notify.about(r), resolution=text[:300]),
            res.settings.public_url, remark=text)
        fx.schedule(now + timedelta(hours=cfg()["survey_after_hours"]), "survey", r.id, r.reopen_count)
    _expect_proof(session, member, req, now)
    return texts.RESOLVED.format(number=req.number)


PROOF_WINDOW_MINUTES = 60  # photos the member sends this long after 办结 (chat or H5) are its proof


def _expect_proof(session: Session, member: Member, req: Request, now: datetime) -> None:
    """The member's next photos in the chat are proof for `req`, for PROOF_WINDOW_MINUTES."""
    if not member.openid:
        return
    until = (now + timedelta(minutes=PROOF_WINDOW_MINUTES)).isoformat()
    for villager in session.scalars(select(Villager).where(Villager.openid == member.openid)):
        villager.state = dict(villager.state or {}, proof_for=req.number, proof_until=until)


def attach_proof(session, member: Member, villager: Villager, media_id: str, url: str | None, now) -> str | None:
    from bot.models import Attachment

    state = villager.state or {}
    number, until = state.get("proof_for"), state.get("proof_until")
    expired = until is not None and now > datetime.fromisoformat(until)
    if expired or until is None:  # the window is over (a state without one: this photo only)
        villager.state = {k: v for k, v in state.items() if k not in ("proof_for", "proof_until")}
    if expired:
        return None
    req = session.scalar(select(Request).where(Request.number == number)) if number else None
    if req is None or not can_act(session, member, req):
        return None
    session.add(Attachment(request_id=req.id, kind="image", media_id=media_id, url=url, label="办结凭证",
                           created_at=now))
    _event(session, req, "proof", actor_of(member), now, media_id=media_id)
    return texts.PROOF_ATTACHED.format(number=req.number)


def return_(session, res, member, req, reason, now, fx: Effects) -> str:
    if req.status not in ACTIVE:
        return texts.WRONG_STATE.format(number=req.number, status=req.status_label, action="退回")
    reason = clean_text(reason)
    if not reason:
        return texts.NEED_TEXT.format(what="退回原因", example=f"退回 {_short(req.number)} 这是产业队的事")
    _event(session, req, "returned", actor_of(member), now, reason=reason[:500], team_id=req.team_id)
    req.status, req.review_reason, req.team_id, req.kind = "needs_review", "returned", None, None
    req.due_at = now + timedelta(hours=load_yaml("teams.yaml")["deadlines"]["needs_review_hours"])
    fx.outbox_ids += notify.queue_notifications(session, req, "returned", res.settings.public_url,
                                                remark=f"退回：{reason}", tag=f"{now.timestamp():.0f}")
    return texts.RETURNED.format(number=req.number)


def my_tasks(session: Session, member: Member, now: datetime) -> str:
    stmt = scope_filter(select(Request), member).where(Request.status.in_(ACTIVE + ("needs_review",)))
    rows = list(session.scalars(stmt.order_by(Request.due_at).limit(30)))
    if not rows:
        return texts.NO_TASKS
    rows.sort(key=lambda r: (not (r.due_at and r.due_at < now), r.due_at or now))
    lines = [texts.TASKS_HEAD]
    for i, r in enumerate(rows[:10], 1):
        over = "（已超时）" if r.due_at and r.due_at < now else ""
        summary = r.text if len(r.text) <= 24 else r.text[:23] + "…"
        lines.append(texts.TASK_ITEM.format(i=i, number=r.number, village=r.village.name, status=r.status_label,
                                            overdue=over, summary=summary, due=fmt_local(r.due_at)))
    if len(rows) > 10:
        lines.append(f"……共 {len(rows)} 件")
    return "\n".join(lines)


# ---- assignment, deadlines, reminders and escalation ------------------------------------
def followup_times(req: Request) -> list[datetime]:
    """When the deadline job should look at the request: accept reminder, the shares of the
    time limit, the deadline and each escalation interval after it."""
    if not req.assigned_at or not req.due_at:
        return []
    c = cfg()
    key = "urgent" if req.priority == "urgent" else req.tier
    start, due = req.assigned_at, req.due_at
    times = [start + timedelta(hours=c["accept_within_hours"].get(key, c["accept_within_hours"]["general"]))]
    times += [start + (due - start) * share for share in c["reminder_shares"]]
    interval = timedelta(hours=c["escalation_interval_hours"].get(key, 24))
    times += [due + interval * k for k in range(len(c["escalation_levels"]))]
    return sorted(t + timedelta(seconds=1) for t in times)


def schedule_followups(req: Request, fx: Effects) -> None:
    for t in followup_times(req):
        fx.schedule(t, "followup", req.id, req.reopen_count)


def advance(session: Session, res, req: Request, now: datetime) -> Effects:
    """Send whatever reminders and escalations are due by `now` and not yet sent."""
    fx = Effects()
    if req.status not in ACTIVE or not req.assigned_at or not req.due_at:
        return fx
    c = cfg()
    key = "urgent" if req.priority == "urgent" else req.tier
    start, due, url = req.assigned_at, req.due_at, res.settings.public_url
    # stage 1: not accepted in time; stages 2..: shares of the time limit
    stages = [(start + timedelta(hours=c["accept_within_hours"].get(key, 4)), "请尽快签收")]
    stages += [(start + (due - start) * share, f"已用时限{int(share * 100)}%") for share in c["reminder_shares"]]
    for stage, (when, remark) in enumerate(stages, 1):
        if now < when or req.reminder_stage >= stage:
            continue
        if stage == 1 and req.accepted_at is not None:
            req.reminder_stage = max(req.reminder_stage, 1)
            continue
        req.reminder_stage = stage
        if now >= due:
            continue  # past the deadline: escalation speaks instead
        fx.outbox_ids += notify.queue_notifications(session, req, "reminder", url, remark=remark, tag=str(stage))
        _event(session, req, "reminded", "system", now, stage=stage, remark=remark)
    # escalation: level k at due + (k-1) intervals; the level never goes down
    interval = timedelta(hours=c["escalation_interval_hours"].get(key, 24))
    levels = sorted(int(k) for k in c["escalation_levels"])
    for level in levels:
        when = due + interval * (level - 1)
        if now < when or req.escalation_level >= level:
            continue
        req.escalation_level = level
        remark = f"已超时，{ {1: '村书记', 2: '乡镇督导组', 3: '县里'}.get(level, '上级') }督办"
        fx.outbox_ids += notify.queue_notifications(session, req, "escalation", url, remark=remark, level=level)
        _event(session, req, "escalated", "system", now, level=level,
               role=c["escalation_levels"].get(level) or c["escalation_levels"].get(str(level)))
    return fx


def assign(session: Session, res, req: Request, team: Team, now: datetime, actor: str) -> Effects:
    """(Re)assign to a team with a fresh time limit; reminders start over."""
    fx = Effects()
    req.team_id, req.kind, req.status = team.id, team.kind, "assigned"
    req.assigned_at, req.accepted_at, req.reminder_stage = now, None, 0
    req.due_at = compute_due(now, tier=req.tier, priority=req.priority, text=req.text)
    _event(session, req, "assigned", actor, now, team_id=team.id, team=team.name, due_at=req.due_at.isoformat())
    event = "urgent" if req.priority == "urgent" else "new_task"
    fx.outbox_ids += notify.queue_notifications(session, req, event, res.settings.public_url,
                                                tag=f"@{now.timestamp():.0f}")
    schedule_followups(req, fx)
    return fx


# ---- the villager hears back: 回访, rating, reopening, cancelling ---------------------------
def send_survey(session: Session, res, req: Request, now: datetime) -> Effects:
    fx = Effects()
    if req.status != "resolved" or req.survey_sent_at is not None:
        return fx
    req.survey_sent_at = now
    villager = session.get(Villager, req.villager_id)
    pending = [n for n in pending_ratings(villager.state) if n != req.number]
    villager.state = dict(villager.state or {}, rating_for=pending + [req.number])  # oldest first
    text = texts.V_SURVEY_ABOUT.format(about=notify.about(req))
    if getattr(villager, "language", None) == "bo":  # the 回访 question in Tibetan above the Chinese
        text = texts_bo.bilingual(texts_bo.V_SURVEY.format(number=notify.about(req)), text)
    fx.outbox_ids += notify.queue_villager(session, req, "survey", text, res.settings.public_url,
                                           remark="请回复1-5为办理打分")
    _event(session, req, "survey_sent", "system", now)
    fx.schedule(now + timedelta(hours=cfg()["survey_close_after_hours"]), "close_unanswered", req.id,
                req.reopen_count)
    return fx


def close_unanswered(session: Session, req: Request, now: datetime) -> bool:
    if req.status != "resolved" or req.survey_sent_at is None or req.rating is not None:
        return False
    if now < req.survey_sent_at + timedelta(hours=cfg()["survey_close_after_hours"]):
        return False
    req.status, req.closed_at = "closed", now
    _event(session, req, "closed", "system", now, reason="no_answer")
    _forget_survey(session.get(Villager, req.villager_id), req.number)  # a late answer is refused, as on H5
    return True


def _forget_survey(villager: Villager | None, number: str, rated: bool = False) -> None:
    """The villager no longer owes an answer for `number` (answered, or the 回访 ended)."""
    if villager is None:
        return
    state = dict(villager.state or {})
    pending = [n for n in pending_ratings(state) if n != number]
    state.pop("rating_for", None)
    if pending:
        state["rating_for"] = pending
    if rated:
        state["rated"] = number  # a repeated answer hears "已收到您的评价"
    villager.state = state


def rate(session: Session, res, req: Request, rating: int | None, satisfied: bool, now: datetime,
         actor: str = "villager", comment: str = "") -> tuple[str, Effects]:
    """The villager's answer to the 回访 (chat or H5). Only a resolved request can be rated:
    once closed (satisfied, or no answer in time) the 回访 is over, in chat as on the H5 page.
    `comment`: the villager's own words when they answered in free text, recorded with the rating."""
    fx = Effects()
    villager = session.get(Villager, req.villager_id)
    if req.status != "resolved":
        _forget_survey(villager, req.number)
        if req.status == "closed":
            return texts.V_SURVEY_OVER + _next_survey(session, villager), fx
        return texts.WRONG_STATE.format(number=req.number, status=req.status_label, action="评价"), fx
    req.rating, req.satisfied = rating if rating is not None else (5 if satisfied else 1), satisfied
    _event(session, req, "rated", actor, now, rating=req.rating, satisfied=satisfied,
           **({"comment": comment} if comment else {}))
    _forget_survey(villager, req.number, rated=True)
    if satisfied:
        req.status, req.closed_at = "closed", now
        _event(session, req, "closed", "system", now, reason="satisfied")
        return texts.V_THANKS_RATING_ABOUT.format(about=notify.about(req)) + _next_survey(session, villager), fx
    # unsatisfied: back to the team, one escalation level higher
    team = session.get(Team, req.team_id) if req.team_id else None
    req.reopen_count += 1
    req.status, req.resolved_at, req.closed_at, req.survey_sent_at = "reopened", None, None, None
    req.escalation_level = min(3, req.escalation_level + 1)
    req.assigned_at, req.accepted_at, req.reminder_stage = now, None, 0
    req.due_at = compute_due(now, tier=req.tier, priority=req.priority, text=req.text)
    _event(session, req, "reopened", actor, now, escalation_level=req.escalation_level)
    if team is not None:
        fx.outbox_ids += notify.queue_notifications(session, req, "reopened", res.settings.public_url,
                                                    remark=f"群众不满意：{comment[:60]}" if comment
                                                    else "群众不满意，请重新办理")
        fx.outbox_ids += notify.queue_notifications(session, req, "escalation", res.settings.public_url,
                                                    remark="群众不满意，提级督办", level=req.escalation_level)
        schedule_followups(req, fx)
    team_name = (req.village.name + team_names().get(req.kind or "", "工作队")) if team else "村里"
    reply = texts.V_REOPENED_ABOUT.format(about=notify.about(req), team=team_name)
    return reply + _next_survey(session, villager), fx


def _next_survey(session: Session, villager: Villager | None) -> str:
    pending = pending_ratings(villager.state if villager is not None else None)
    if not pending:
        return ""
    req = session.scalar(select(Request).where(Request.number == pending[0]))
    return texts.V_NEXT_SURVEY_ABOUT.format(about=notify.about(req) if req is not None else pending[0])


def cancel(session: Session, res, villager: Villager, fragment: str, now: datetime) -> tuple[str, Effects]:
    fx = Effects()
    digits = re.sub(r"\D", "", fragment.split("-")[-1]) if fragment else ""
    stmt = select(Request).where(Request.villager_id == villager.id,
                                 Request.status.in_(ACTIVE + ("needs_review", "new", "wish_pending")))
    if digits:
        stmt = stmt.where(Request.number.like(f"%{digits}"))
    hits = list(session.scalars(stmt.order_by(Request.id.desc()).limit(5)))
    if len(hits) != 1:
        return texts.V_CANCEL_NOT_YOURS.format(number=fragment or "？"), fx
    req = hits[0]
    _event(session, req, "cancelled", "villager", now)
    had_team = req.team_id is not None and req.status in ACTIVE
    req.status, req.closed_at = "cancelled", now
    if had_team:
        fx.outbox_ids += notify.queue_notifications(session, req, "cancelled", res.settings.public_url,
                                                    remark="群众已撤销")
    return texts.V_CANCELLED_ABOUT.format(about=notify.about(req)), fx


def due_for_sweep(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """Open requests whose reminders/escalations may be due, or resolved ones awaiting the 回访."""
    c = cfg()
    survey_before = now - timedelta(hours=c["survey_after_hours"])
    return list(session.scalars(select(Request.id).where(or_(
        Request.status.in_(ACTIVE) & Request.assigned_at.is_not(None),
        (Request.status == "resolved") & (Request.resolved_at <= survey_before),
    )).order_by(Request.due_at).limit(limit)))
