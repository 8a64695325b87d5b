"""A request's page (一问题一表): the whole timeline and the actions on it."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from bot import ext
from bot.admin import bp
from bot.admin.auth import login_required
from bot.models import InboundMessage, Member, Outbox, Request, Team, Village
from bot.services import admin_actions, admin_scope, outbox, timeline

EVENT_LABELS = timeline.EVENT_LABELS  # kept for importers; the page uses timeline.event_label
OUTBOX_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败，将重试",
                 "dead": "无法送达"}


def _load(s, m, number: str) -> Request:
    req = s.scalar(admin_scope.requests(select(Request), m).where(Request.number == number).options(
        joinedload(Request.village).joinedload(Village.township), joinedload(Request.team),
        joinedload(Request.villager)))
    if req is None:
        abort(404)
    return req


@bp.get("/requests/<number>")
@login_required
def request_page(number: str):
    m = g.member
    with ext.get().db.session() as s:
        req = _load(s, m, number)
        s.refresh(req, ["events", "attachments"])
        scoped = admin_scope.requests(select(Request), m)
        others = s.scalars(scoped.where(Request.villager_id == req.villager_id, Request.id != req.id)
                           .order_by(Request.id.desc()).limit(20)).all()
        duplicates = s.scalars(scoped.where(Request.duplicate_of_id == req.id).order_by(Request.id)).all()
        original = s.scalar(scoped.where(Request.id == req.duplicate_of_id)) if req.duplicate_of_id else None
        notes = s.scalars(select(Outbox).where(Outbox.request_id == req.id).order_by(Outbox.id)).all()
        members = {mm.id: mm.name for mm in s.scalars(select(Member).where(
            Member.id.in_([o.recipient_member_id for o in notes if o.recipient_member_id]
                          + ([req.assignee_id] if req.assignee_id else []))))}
        msg_ids = [e.data.get("inbound_message_id") for e in req.events if e.kind == "created"]
        msg_ids += [a.inbound_message_id for a in req.attachments if a.inbound_message_id]
        messages = s.scalars(select(InboundMessage).where(or_(
            InboundMessage.request_id == req.id, InboundMessage.id.in_([i for i in msg_ids if i]))
        ).order_by(InboundMessage.id)).all()
        teams = s.scalars(select(Team).where(Team.village_id == req.village_id, Team.active.is_(True))
                          .order_by(Team.id)).all()
        team_members = s.scalars(select(Member).where(Member.team_id == req.team_id, Member.active.is_(True))
                                 .order_by(Member.id)).all() if req.team_id else []
    return render_template("admin/request.html", req=req, others=others, duplicates=duplicates, original=original,
                           notes=notes, members=members, messages=messages, teams=teams,
                           team_members=team_members, me=m, event_labels=EVENT_LABELS, outbox_labels=OUTBOX_LABELS,
                           priorities=admin_actions.PRIORITIES, tiers=admin_actions.TIERS,
                           kinds=admin_actions.kinds(), may=lambda a: admin_scope.may(m, a),
                           **timeline.TEMPLATE_HELPERS)


@bp.post("/requests/<number>/actions")
@login_required
def request_action(number: str):
    m = g.member
    form = request.form
    action = form.get("action") or ""
    res = ext.get()
    ids: list[int] = []
    try:
        with res.db.session() as s:
            req = _load(s, m, number)
            if action == "reclassify":
                ids = admin_actions.route(s, res, m, req, form.get("kind") or "", train=True,
                                          reason=form.get("reason") or "")
            elif action == "reassign":
                ids = admin_actions.route(s, res, m, req, form.get("kind") or "", train=False,
                                          reason=form.get("reason") or "")
            elif action == "assign_member":
                mid = form.get("member_id") or ""
                ids = admin_actions.assign_member(s, m, req, int(mid) if mid.isdigit() else 0)
            elif action == "priority":
                ids = admin_actions.set_priority(s, m, req, form.get("priority") or "", form.get("tier") or "")
            elif action == "note":
                ids = admin_actions.add_note(s, m, req, form.get("text") or "")
            elif action == "merge":
                ids = admin_actions.merge(s, m, req, form.get("into") or "")
            elif action in ("resolve", "close"):
                ids = admin_actions.finish(s, m, req, action, form.get("reason") or "")
            elif action == "message":
                ids = admin_actions.message_villager(s, res, m, req, form.get("text") or "")
            else:
                abort(400)
    except admin_actions.ActionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.request_page", number=number)), 303
    outbox.enqueue(res, ids)
    flash("已保存。", "ok")
    return redirect(url_for("admin.request_page", number=number)), 303
