"""What a signed-in member may see and change. Every admin query goes through here.

county_admin: the county · township_supervisor: the township · village_secretary: the village ·
team_leader / team_member: their team's requests (and nothing to manage).
"""
from __future__ import annotations

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from bot.models import Member, Request, Team, Township, Village

RANK = {"county_admin": 4, "township_supervisor": 3, "village_secretary": 2, "team_leader": 1, "team_member": 0}
TEAM_ROLES = ("team_leader", "team_member")


def village_ids(m: Member):
    """A SELECT of the ids of the villages `m` oversees (team roles: their team's village)."""
    if m.role == "county_admin":
        return select(Village.id).join(Township).where(Township.county_id == m.county_id)
    if m.role == "township_supervisor":
        return select(Village.id).where(Village.township_id == m.township_id)
    if m.village_id is None:
        return select(Village.id).where(false())
    return select(Village.id).where(Village.id == m.village_id)


def township_ids(m: Member):
    if m.role == "county_admin":
        return select(Township.id).where(Township.county_id == m.county_id)
    if m.role == "township_supervisor":
        return select(Township.id).where(Township.id == m.township_id)
    return select(Village.township_id).where(Village.id.in_(village_ids(m)))


def requests(stmt, m: Member):
    """Limit a statement over Request to what `m` may see."""
    if m.role == "county_admin":
        return stmt.where(Request.county_id == m.county_id)
    if m.role in TEAM_ROLES:
        return stmt.where(Request.team_id == m.team_id) if m.team_id else stmt.where(false())
    return stmt.where(Request.village_id.in_(village_ids(m)))


def can_see_village(session: Session, m: Member, village_id: int | None) -> bool:
    if village_id is None:
        return False
    return session.scalar(village_ids(m).where(Village.id == village_id)) is not None


def can_see_township(session: Session, m: Member, township_id: int | None) -> bool:
    if township_id is None:
        return False
    return session.scalar(township_ids(m).where(Township.id == township_id)) is not None


def teams(stmt, m: Member):
    if m.role in TEAM_ROLES:
        return stmt.where(Team.id == m.team_id)
    return stmt.where(Team.village_id.in_(village_ids(m)))


def members(stmt, m: Member):
    """Members `m` may see in the management pages: everyone within their region."""
    if m.role == "county_admin":
        return stmt.where(Member.county_id == m.county_id)
    if m.role == "township_supervisor":
        return stmt.where(Member.township_id == m.township_id, Member.role != "county_admin")
    if m.role == "village_secretary":
        return stmt.where(Member.village_id == m.village_id, Member.role.in_(("village_secretary",) + TEAM_ROLES))
    return stmt.where(Member.team_id == m.team_id) if m.team_id else stmt.where(false())


# what each role may do to a request it can see
ACTIONS = {
    "county_admin": {"reassign", "reclassify", "priority", "note", "merge", "resolve", "close", "message", "assign_member"},
    "township_supervisor": {"reassign", "reclassify", "priority", "note", "merge", "resolve", "close", "message",
                            "assign_member"},
    "village_secretary": {"reassign", "reclassify", "priority", "note", "merge", "resolve", "close", "message",
                          "assign_member"},
    "team_leader": {"note", "resolve", "message", "assign_member"},
    "team_member": {"note", "resolve", "message"},
}


def may(m: Member, action: str) -> bool:
    return action in ACTIONS.get(m.role, set())


def can_manage(m: Member) -> bool:
    return RANK.get(m.role, 0) >= RANK["village_secretary"]


def assignable_roles(m: Member) -> list[str]:
    """Roles `m` may give to members they create or edit: below their own (county admins: all)."""
    if m.role == "county_admin":
        return list(RANK)
    return [r for r, rank in RANK.items() if rank < RANK.get(m.role, 0)]
