"""Managing the region tree, teams and members; binding codes. Deactivate, never delete:
requests and their history point at these rows."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bot.models import BindingCode, Grid, Member, Team, Township, Village
from bot.services import admin_auth, admin_scope, audit, catalog
from bot.services.clock import utcnow
from config import team_kind, team_kinds

CODE_TTL = timedelta(hours=24)
MODELS = {"township": Township, "village": Village, "grid": Grid, "team": Team}
LABELS = {"township": "乡镇", "village": "村", "grid": "网格", "team": "工作队", "member": "成员"}


class ManageError(Exception):
    """Refused, with a reason a person can read."""


def _name(value: str, what: str = "名称") -> str:
    value = (value or "").strip()
    if not value or len(value) > 64:
        raise ManageError(f"{what}不能为空，且不超过 64 个字。")
    return value


def village_of(session: Session, obj_type: str, obj) -> int | None:
    if obj_type == "village":
        return obj.id
    if obj_type in ("grid", "team"):
        return obj.village_id
    return None


def may_edit(session: Session, m: Member, obj_type: str, obj) -> bool:
    if not admin_scope.can_manage(m):
        return False
    if obj_type == "township":
        return m.role == "county_admin" and admin_scope.can_see_township(session, m, obj.id)
    if obj_type == "village" and m.role == "village_secretary":
        return False  # a secretary manages inside the village, not the village itself
    return admin_scope.can_see_village(session, m, village_of(session, obj_type, obj))


def get_editable(session: Session, m: Member, obj_type: str, obj_id: int):
    model = MODELS.get(obj_type)
    obj = session.get(model, obj_id) if model else None
    if obj is None or not may_edit(session, m, obj_type, obj):
        return None
    return obj


def create_township(session: Session, m: Member, name: str) -> Township:
    if m.role != "county_admin":
        raise ManageError("只有县级管理员可以新建乡镇。")
    name = _name(name)
    if session.scalar(select(Township).where(Township.county_id == m.county_id, Township.name == name)):
        raise ManageError("已有同名乡镇。")
    t = Township(county_id=m.county_id, name=name)
    session.add(t)
    session.flush()
    audit.record(session, m, "create_township", "township", str(t.id), f"新建乡镇 {name}")
    return t


def create_village(session: Session, m: Member, township_id: int, name: str, with_teams: bool = True) -> Village:
    if m.role not in ("county_admin", "township_supervisor") or not admin_scope.can_see_township(session, m, township_id):
        raise ManageError("没有在这个乡镇新建村的权限。")
    name = _name(name)
    if session.scalar(select(Village).where(Village.township_id == township_id, Village.name == name)):
        raise ManageError("这个乡镇已有同名的村。")
    v = Village(township_id=township_id, name=name)
    session.add(v)
    session.flush()
    if with_teams:
        for k in team_kinds():
            session.add(Team(village_id=v.id, kind=k["key"], name=k["name"]))
    audit.record(session, m, "create_village", "village", str(v.id), f"新建村 {name}（含一核五队）")
    catalog.invalidate()
    return v


def _check_village(session: Session, m: Member, village_id: int) -> None:
    if not admin_scope.can_manage(m) or not admin_scope.can_see_village(session, m, village_id):
        raise ManageError("没有管理这个村的权限。")


def create_grid(session: Session, m: Member, village_id: int, name: str) -> Grid:
    _check_village(session, m, village_id)
    name = _name(name)
    g = Grid(village_id=village_id, name=name)
    session.add(g)
    session.flush()
    audit.record(session, m, "create_grid", "grid", str(g.id), f"新建网格 {name}")
    return g


def create_team(session: Session, m: Member, village_id: int, kind: str) -> Team:
    _check_village(session, m, village_id)
    k = team_kind(kind)
    if k is None:
        raise ManageError("没有这种工作队。")
    existing = session.scalar(select(Team).where(Team.village_id == village_id, Team.kind == kind))
    if existing is not None:
        if existing.active:
            raise ManageError("这个村已有该工作队。")
        existing.active = True
        audit.record(session, m, "activate", "team", str(existing.id), f"重新启用 {existing.name}")
        return existing
    t = Team(village_id=village_id, kind=kind, name=k["name"])
    session.add(t)
    session.flush()
    audit.record(session, m, "create_team", "team", str(t.id), f"新建 {t.name}")
    return t


def edit(session: Session, m: Member, obj_type: str, obj_id: int, *, name: str | None = None,
         active: bool | None = None, wecom_webhook: str | None = None) -> None:
    obj = get_editable(session, m, obj_type, obj_id)
    if obj is None:
        raise ManageError("找不到，或没有权限。")
    changes = {}
    if name is not None and name.strip() != obj.name:
        changes["name"] = [obj.name, _name(name)]
        obj.name = changes["name"][1]
    if active is not None and active != obj.active:
        changes["active"] = [obj.active, active]
        obj.active = active
    if wecom_webhook is not None and obj_type == "team":
        hook = wecom_webhook.strip() or None
        if hook and not hook.startswith("https://"):
            raise ManageError("企业微信群机器人地址应以 https:// 开头。")
        if hook != obj.wecom_webhook:
            changes["wecom_webhook"] = ["…", "…"]
            obj.wecom_webhook = hook
    if not changes:
        return
    verb = "停用" if changes.get("active") == [True, False] else ("启用" if "active" in changes else "修改")
    audit.record(session, m, "deactivate" if verb == "停用" else ("activate" if verb == "启用" else "edit"),
                 obj_type, str(obj.id), f"{verb}{LABELS[obj_type]} {obj.name}", changes)
    catalog.invalidate()


# ---- members ------------------------------------------------------------------------------

def editable_member(session: Session, m: Member, member_id: int) -> Member | None:
    target = session.scalar(admin_scope.members(select(Member), m).where(Member.id == member_id))
    if target is None:
        return None
    if target.id != m.id and admin_scope.RANK.get(target.role, 0) >= admin_scope.RANK.get(m.role, 0) \
            and m.role != "county_admin":
        return None  # peers and superiors are read-only
    return target


def place_for(session: Session, m: Member, role: str, township_id: int | None, village_id: int | None,
              team_id: int | None) -> dict:
    """Validated scope columns for a member of `role`, within what `m` may manage."""
    if role not in admin_scope.assignable_roles(m):
        raise ManageError("不能设置这个角色。")
    place = {"county_id": m.county_id, "township_id": None, "village_id": None, "team_id": None}
    if role == "county_admin":
        return place
    if role == "township_supervisor":
        if not township_id or not admin_scope.can_see_township(session, m, township_id):
            raise ManageError("请选择所属乡镇。")
        return dict(place, township_id=township_id)
    if role in admin_scope.TEAM_ROLES:
        team = session.get(Team, team_id) if team_id else None
        if team is None or not admin_scope.can_see_village(session, m, team.village_id):
            raise ManageError("请选择所属工作队。")
        village_id = team.village_id
        place["team_id"] = team.id
    if not village_id or not admin_scope.can_see_village(session, m, village_id):
        raise ManageError("请选择所属村。")
    v = session.get(Village, village_id)
    return dict(place, township_id=v.township_id, village_id=v.id)


def save_member(session: Session, m: Member, member_id: int | None, *, name: str, login: str, role: str,
                phone: str = "", password: str = "", township_id: int | None = None, village_id: int | None = None,
                team_id: int | None = None, active: bool = True) -> Member:
    name = _name(name, "姓名")
    login = (login or "").strip() or None
    if login and (len(login) > 64 or not all(c.isalnum() or c in "-_." for c in login)):
        raise ManageError("账号只能用字母、数字和 - _ .")
    if login and session.scalar(select(Member.id).where(Member.login == login, Member.id != (member_id or 0))):
        raise ManageError(f"账号 {login} 已被使用。")
    phone = (phone or "").strip()
    if phone and (not phone.replace("-", "").isdigit() or len(phone) > 20):
        raise ManageError("手机号格式不正确。")
    place = place_for(session, m, role, township_id, village_id, team_id)
    if member_id:
        target = editable_member(session, m, member_id)
        if target is None:
            raise ManageError("找不到，或没有权限修改这位成员。")
        if target.id == m.id and (role != m.role or not active):
            raise ManageError("不能修改自己的角色或停用自己。")
        action = "edit_member"
    else:
        target = Member(name=name, role=role)
        session.add(target)
        action = "create_member"
    if password:
        if len(password) < admin_auth.MIN_PASSWORD:
            raise ManageError(f"密码至少 {admin_auth.MIN_PASSWORD} 位。")
        target.password_hash = generate_password_hash(password)
    elif not member_id and login:
        raise ManageError("新账号请设置初始密码。")
    before = {"role": target.role, "active": target.active, "team_id": target.team_id, "village_id": target.village_id}
    target.name, target.login, target.role, target.phone, target.active = name, login, role, phone or None, active
    for k, v in place.items():
        setattr(target, k, v)
    session.flush()
    audit.record(session, m, action, "member", login or str(target.id),
                 f"{'新建' if action == 'create_member' else '修改'}成员 {name}（{role}）"
                 + ("，重设密码" if password and member_id else ""),
                 {"before": before if member_id else None, "role": role, "active": active})
    return target


def issue_binding_code(session: Session, m: Member, member_id: int) -> BindingCode:
    target = editable_member(session, m, member_id)
    if target is None:
        raise ManageError("找不到，或没有权限。")
    now = utcnow()
    for _ in range(20):
        code = f"{secrets.randbelow(10 ** 6):06d}"
        if session.scalar(select(BindingCode.id).where(BindingCode.code == code)) is None:
            break
    else:  # pragma: no cover - a million codes in use
        raise ManageError("请稍后再试。")
    # one live code per member: older unused codes expire now
    for old in session.scalars(select(BindingCode).where(BindingCode.member_id == target.id,
                                                         BindingCode.used_at.is_(None), BindingCode.expires_at > now)):
        old.expires_at = now
    row = BindingCode(code=code, member_id=target.id, expires_at=now + CODE_TTL, created_at=now)
    session.add(row)
    audit.record(session, m, "binding_code", "member", target.login or str(target.id), f"为 {target.name} 生成绑定码")
    return row


def village_scene(village: Village) -> str:
    """The scene string for a permanent parametric QR code (QR_LIMIT_STR_SCENE) that binds a
    villager to the village on follow: WeChat sends it back as `qrscene_<scene>`."""
    return f"village_{village.name}"
