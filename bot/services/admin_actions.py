"""What an admin does to a request. Each action: checks, changes the request, appends ONE
RequestEvent with the actor, writes ONE audit-log row, and returns the Outbox ids to enqueue
after the caller commits."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import ext
from bot.models import OPEN_STATUSES, Member, Outbox, Request, RequestEvent, Team, TrainingExample
from bot.services import admin_scope, audit, catalog, followup, notify
from bot.models.people import ROLE_LABELS
from bot.services.clock import fmt_local, utcnow
from bot.services.deadlines import due_at
from handlers.acts import ANSWER_HOURS
from config import team_kind
from handlers import texts

ROUTABLE = OPEN_STATUSES + ("wish_pending",)
PRIORITIES = {"normal": "一般", "urgent": "紧急"}
TIERS = {"simple": "简单", "general": "一般", "complex": "复杂"}
MAX_NOTE = 2000
MAX_MESSAGE = 600


class ActionError(Exception):
    """Refused, with a reason a person can read."""


def _event(session: Session, m: Member, req: Request, event_kind: str, **data) -> RequestEvent:
    ev = RequestEvent(request_id=req.id, kind=event_kind, actor=m.login or f"member:{m.id}",
                      data=dict(data, member_id=m.id, by=m.name), created_at=utcnow())
    session.add(ev)
    req.updated_at = ev.created_at
    return ev


def _check(m: Member, action: str, req: Request) -> None:
    if not admin_scope.may(m, action):
        raise ActionError("没有这项操作的权限。")


def kinds() -> dict[str, str]:
    return catalog.team_names()


def route(session: Session, res, m: Member, req: Request, kind: str, *, train: bool, reason: str = "") -> list[int]:
    """Send the request to the village's team of `kind` (or to the micro-wish list).
    `train=True` is a reclassification: the corrected label becomes a TrainingExample.

    The same team (or the wish list again) is not a new assignment: status, acceptance and
    deadline stay as they are and nobody is told. A reclassification that only corrects the
    model's label records the label (TrainingExample + event); anything else is refused.
    A new team: its fresh time limit starts now; the old team is told it was re-routed, the
    villager which team has it now."""
    _check(m, "reclassify" if train else "reassign", req)
    if req.status not in ROUTABLE:
        raise ActionError("该诉求已办结或已合并，不能再分派。")
    if kind != "wish" and team_kind(kind) is None:
        raise ActionError("没有这个工作队。")
    now = utcnow()
    names = kinds()
    old = {"kind": req.kind, "team_id": req.team_id, "status": req.status}
    team = None
    if kind != "wish":
        team = session.scalar(select(Team).where(Team.village_id == req.village_id, Team.kind == kind,
                                                 Team.active.is_(True)))
        if team is None:
            raise ActionError("本村没有这个工作队（或已停用）。")
    same = (req.kind == "wish" and req.status == "wish_pending") if kind == "wish" else \
        (team.id == req.team_id and req.kind == kind)
    if same:
        if not train or req.label == kind or session.scalar(select(TrainingExample.id).where(
                TrainingExample.request_id == req.id, TrainingExample.label == kind).limit(1)):
            raise ActionError("已经是这个工作队（或微心愿清单），没有改动：办理时限和签收状态不变。")
        return _correct_label_only(session, m, req, kind, reason, now)
    tag = f"@{now.timestamp() * 1e6:.0f}"  # a request routed back to a team it had before is news again
    old_team_ids: list[int] = []
    if req.team_id is not None:  # the old team hears that it is no longer theirs (before the team changes)
        old_team_ids = notify.queue_notifications(
            session, req, "reassigned_away", res.settings.public_url,
            remark=f"已改派给{names.get(kind, kind)}，无需再办", tag=tag)
    if kind == "wish":
        req.kind, req.team_id, req.assignee_id, req.status = "wish", None, None, "wish_pending"
        req.due_at = now + catalog.wish_review_delta()
    else:
        req.kind, req.team_id, req.assignee_id, req.status = kind, team.id, None, "assigned"
        req.due_at = due_at(now, tier=req.tier, priority=req.priority, text=req.text)
        req.assigned_at, req.reminder_stage = now, 0
        req.accepted_at = None
    req.review_reason = None
    if train:
        session.add(TrainingExample(text=req.text, label=kind, source="correction", request_id=req.id,
                                    actor=m.login, created_at=now))
    _event(session, m, req, "reclassified" if train else "reassigned", old_kind=old["kind"], kind=kind,
           team_id=team.id if team else None, team=names.get(kind, kind), reason=reason[:200],
           model_label=req.label, due_at=req.due_at.isoformat())
    audit.record(session, m, "reclassify" if train else "reassign", "request", req.number,
                 f"{req.number}：{names.get(old['kind'] or '', '待分派')} → {names.get(kind, kind)}",
                 {"from": old, "to": kind, "reason": reason[:200]})
    session.flush()
    if kind == "wish":
        return old_team_ids + notify.queue_notifications(session, req, "wish_review", res.settings.public_url, tag=tag)
    event = "urgent" if req.priority == "urgent" else "new_task"
    ids = old_team_ids + notify.queue_notifications(session, req, event, res.settings.public_url, tag=tag)
    team_name = req.village.name + names.get(kind, kind)
    ids += notify.queue_villager(session, req, "rerouted", texts.V_REROUTED_ABOUT.format(
        about=notify.about(req), team=team_name, due=fmt_local(req.due_at)), res.settings.public_url,
        remark=f"已转交{team_name}办理", tag=tag)
    return ids


def _correct_label_only(session: Session, m: Member, req: Request, kind: str, reason: str, now) -> list[int]:
    """A reclassification to the team that already has the request: the model's label was wrong,
    the routing was not. Only the label is recorded; nothing else changes, nobody is told."""
    names = kinds()
    session.add(TrainingExample(text=req.text, label=kind, source="correction", request_id=req.id,
                                actor=m.login, created_at=now))
    _event(session, m, req, "reclassified", old_kind=req.kind, kind=kind, team_id=req.team_id,
           team=names.get(kind, kind), reason=reason[:200], model_label=req.label, label_only=True,
           due_at=req.due_at.isoformat() if req.due_at else None)
    audit.record(session, m, "reclassify", "request", req.number,
                 f"{req.number}：分类更正 {names.get(req.label or '', req.label or '—')} → {names.get(kind, kind)}"
                 f"（工作队不变）", {"from": {"label": req.label}, "to": kind, "reason": reason[:200],
                                    "label_only": True})
    return []


def assign_member(session: Session, m: Member, req: Request, member_id: int) -> list[int]:
    _check(m, "assign_member", req)
    if req.team_id is None:
        raise ActionError("请先分派给工作队。")
    target = session.get(Member, member_id)
    if target is None or target.team_id != req.team_id or not target.active:
        raise ActionError("只能指派给本工作队的在岗成员。")
    old = req.assignee_id
    req.assignee_id = target.id
    _event(session, m, req, "assignee_set", assignee_id=target.id, assignee=target.name, old_assignee_id=old)
    audit.record(session, m, "assign_member", "request", req.number, f"{req.number} 指派给 {target.name}",
                 {"assignee_id": target.id, "old": old})
    return []


def set_priority(session: Session, m: Member, req: Request, priority: str, tier: str) -> list[int]:
    _check(m, "priority", req)
    if priority not in PRIORITIES or tier not in TIERS:
        raise ActionError("优先级或类别不正确。")
    if (priority, tier) == (req.priority, req.tier):
        raise ActionError("没有变化。")
    old = {"priority": req.priority, "tier": req.tier, "due_at": req.due_at.isoformat() if req.due_at else None}
    req.priority, req.tier = priority, tier
    if req.status in OPEN_STATUSES and req.status != "needs_review":
        req.due_at = due_at(utcnow(), tier=tier, priority=priority, text=req.text)
    _event(session, m, req, "priority_changed", old=old, priority=priority, tier=tier,
           due_at=req.due_at.isoformat() if req.due_at else None)
    audit.record(session, m, "priority", "request", req.number,
                 f"{req.number}：{PRIORITIES[old['priority']] if old['priority'] in PRIORITIES else old['priority']}"
                 f"/{TIERS.get(old['tier'], old['tier'])} → {PRIORITIES[priority]}/{TIERS[tier]}",
                 {"old": old, "priority": priority, "tier": tier})
    return []


def add_note(session: Session, m: Member, req: Request, text: str) -> list[int]:
    _check(m, "note", req)
    text = (text or "").strip()
    if not text:
        raise ActionError("备注不能为空。")
    _event(session, m, req, "note", text=text[:MAX_NOTE])
    audit.record(session, m, "note", "request", req.number, f"{req.number} 备注：{text[:80]}")
    return []


def merge(session: Session, m: Member, req: Request, target_number: str, res=None) -> list[int]:
    """Link `req` to the request numbered `target_number` (same village) as a duplicate, the way
    automatic clustering does: it follows that request's team, status and deadline, so the
    cadre's 签收 and 办结 of the root reach its villager too (followup.cluster). The target must
    be with a team and open; `req`'s own duplicates move with it."""
    _check(m, "merge", req)
    target = session.scalar(admin_scope.requests(select(Request), m).where(
        Request.number == (target_number or "").strip().upper()))
    if target is None or target.id == req.id:
        raise ActionError("找不到要合并到的诉求（只能合并到你能看到的另一件诉求）。")
    if target.village_id != req.village_id:
        raise ActionError("只能合并同一个村的诉求。")
    if target.status == "merged":
        raise ActionError("目标诉求本身已被合并，请合并到它合并到的那一件。")
    if req.status not in ROUTABLE:
        raise ActionError("该诉求已办结，不能合并。")
    root = session.get(Request, target.duplicate_of_id) if target.duplicate_of_id else target
    if root is None or root.id == req.id:
        raise ActionError("目标诉求是本件的重复诉求，请反过来合并。")
    if root.status not in followup.ACTIVE or root.team_id is None:
        raise ActionError(f"只能合并到已派给工作队、正在办理的诉求（{root.number} 现在是“{root.status_label}”）。")
    res = res or ext.get()
    first_status = req.status
    members = [req] + followup.cluster(session, req, statuses=ROUTABLE)
    ids: list[int] = []
    names = kinds()
    team_name = root.village.name + names.get(root.kind or "", "工作队")
    for r in members:
        old_status = r.status
        r.duplicate_of_id, r.team_id, r.kind, r.assignee_id = root.id, root.team_id, root.kind, root.assignee_id
        r.status, r.due_at, r.accepted_at = root.status, root.due_at, root.accepted_at
        r.assigned_at, r.review_reason, r.closed_at = None, None, None  # reminders and escalation: the root's
        if r is req:
            _event(session, m, r, "merged", into=root.number, into_id=root.id, old_status=old_status)
        else:
            _event(session, m, r, "merged", into=root.number, into_id=root.id, old_status=old_status, via=req.number)
        _event(session, m, root, "duplicate_added", number=r.number, request_id=r.id)
        ids += notify.queue_villager(session, r, "merged", texts.V_MERGED_ABOUT.format(
            about=notify.about(r), root=root.number, team=team_name), res.settings.public_url, remark=f"已与{root.number}合并办理")
    audit.record(session, m, "merge", "request", req.number, f"{req.number} 合并到 {root.number}",
                 {"into": root.number, "old_status": first_status, "moved": [r.number for r in members[1:]]})
    return ids


def finish(session: Session, m: Member, req: Request, action: str, reason: str, res=None) -> list[int]:
    """Resolve (办结) or close (销号) on the team's behalf, with a reason. Recorded at the real
    time (an overdue request counts as late). Told as the cadre's 办结 is: the villager
    (`resolved`, the 回访 follows from the sweep; a 销号 of an open request: `closed`), the
    request's open duplicates with it; the team when someone outside it did it."""
    _check(m, action, req)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写办结或销号的理由。")
    now = utcnow()
    was_open = req.status in OPEN_STATUSES
    if action == "resolve":
        if not was_open:
            raise ActionError("只有办理中的诉求可以办结。")
        old = req.status
        req.status, req.resolved_at, req.resolution = "resolved", now, reason[:MAX_NOTE]
        req.survey_sent_at = None
        label = "办结"
    elif action == "close":
        if req.status in ("closed", "merged", "cancelled"):
            raise ActionError("该诉求已经销号。")
        old = req.status
        req.status, req.closed_at = "closed", now
        req.resolved_at = req.resolved_at or now
        req.resolution = req.resolution or reason[:MAX_NOTE]
        label = "销号"
    else:
        raise ActionError("未知操作。")
    on_behalf = m.role not in admin_scope.TEAM_ROLES
    _event(session, m, req, "resolved" if action == "resolve" else "closed", reason=reason[:MAX_NOTE],
           old_status=old, on_behalf=on_behalf)
    audit.record(session, m, action, "request", req.number,
                 f"{req.number} {'代为' if on_behalf else ''}{label}：{reason[:80]}", {"old_status": old})
    if not was_open:
        return []  # already resolved: the villager has heard; the 回访 is no longer needed
    url = (res or ext.get()).settings.public_url
    duplicates = followup.cluster(session, req)
    for r in duplicates:  # as followup.resolve does for the cadre's 办结
        dup_old = r.status
        r.accepted_at = r.accepted_at or now
        r.status, r.resolved_at, r.resolution = req.status, now, reason[:MAX_NOTE]
        if req.status == "closed":
            r.closed_at = now
        r.survey_sent_at = None
        _event(session, m, r, "resolved" if action == "resolve" else "closed", reason=reason[:MAX_NOTE],
               old_status=dup_old, on_behalf=on_behalf, **{"with": req.number})
    ids: list[int] = []
    for r in [req] + duplicates:
        if action == "resolve":
            ids += notify.queue_villager(session, r, "resolved", texts.V_RESOLVED_ABOUT.format(
                about=notify.about(r), resolution=reason[:300]), url, remark=reason)
        else:
            ids += notify.queue_villager(session, r, "closed", texts.V_CLOSED_ABOUT.format(
                about=notify.about(r), reason=reason[:300]),
                                         url, remark=reason)
    if on_behalf and req.team_id is not None and old not in ("new", "needs_review"):
        session.flush()
        ids += notify.queue_notifications(session, req, "finished_for_team", url,
                                          remark=f"{m.name}已代为{label}：{reason}")
    return ids


def message_villager(session: Session, res, m: Member, req: Request, text: str) -> list[int]:
    """Write to the villager about `req`: one Outbox row; the worker sends a customer-service
    message inside WeChat's 48-hour window and the `villager_update` template outside it.
    The message names the request, and the villager's reply within ANSWER_HOURS is taken as
    the answer to it (villager.state["asked"]; the writer is told the answer)."""
    _check(m, "message", req)
    text = (text or "").strip()
    if not text:
        raise ActionError("消息不能为空。")
    text = text[:MAX_MESSAGE]
    villager = req.villager
    if villager is None or not villager.openid:
        raise ActionError("找不到这位村民。")
    if not villager.subscribed:
        raise ActionError(texts.MESSAGE_UNSUBSCRIBED)
    now = utcnow()
    by = texts.ADMIN_MESSAGE_BY.format(village=req.village.name if m.role == "village_secretary" and req.village
                                       else "", role=ROLE_LABELS.get(m.role, ""), name=m.name)
    sent = texts.V_ADMIN_MESSAGE.format(about=notify.about(req), by=by, text=text, days=ANSWER_HOURS // 24)
    template = notify.villager_template(req, res.settings.public_url, text)
    template["url"] = ""
    key = f"req:{req.id}:admin_message:{secrets.token_hex(6)}"
    row = Outbox(dedupe_key=key, request_id=req.id, event="admin_message", recipient_openid=villager.openid,
                 channel="villager", payload={"text": sent, "villager_id": villager.id, "template": template})
    session.add(row)
    session.flush()
    # merged into the dialog state (a pending 回访, kept photos … stay); the latest question wins
    villager.state = dict(villager.state or {}, asked={"number": req.number, "by": m.id, "at": now.isoformat()})
    _event(session, m, req, "message_sent", text=text, outbox_id=row.id)
    audit.record(session, m, "message", "request", req.number, f"{req.number} 给村民留言：{text[:80]}",
                 {"outbox_id": row.id})
    return [row.id]
