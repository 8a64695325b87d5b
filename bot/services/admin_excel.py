"""Excel import and export of villages (with grids) and members, with a row-by-row report.

An import is all or nothing: every row is checked first; only when no row has an error is
anything written (in one transaction)."""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.models import Grid, Member, Team, Township, Village
from bot.services import admin_manage, admin_scope
from config import team_kinds

ROLE_NAMES = {"county_admin": "县级管理员", "township_supervisor": "乡镇督导", "village_secretary": "村党支部书记",
              "team_leader": "工作队队长", "team_member": "工作队队员"}
VILLAGE_HEADER = ["乡镇", "村", "网格（多个用、分隔）"]
MEMBER_HEADER = ["姓名", "账号", "角色", "乡镇", "村", "工作队", "手机", "初始密码"]
MAX_ROWS = 5000
MAX_BYTES = 5 << 20


@dataclass
class RowResult:
    sheet: str
    row: int
    action: str = ""
    errors: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    applied: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _s(v) -> str:
    return "" if v is None else str(v).strip()


def _cell(text: str) -> str:
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def template() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "村庄"
    ws.append(VILLAGE_HEADER)
    ws.append(["沙柳河镇", "示例村", "一组、二组"])
    ws2 = wb.create_sheet("成员")
    ws2.append(MEMBER_HEADER)
    ws2.append(["张三", "zhangsan", "工作队队长", "沙柳河镇", "示例村", "社会治理工作队", "13800000000", "初始密码至少8位"])
    notes = wb.create_sheet("说明")
    notes.append(["角色可填：" + "、".join(ROLE_NAMES.values())])
    notes.append(["工作队可填：" + "、".join(k["name"] for k in team_kinds())])
    notes.append(["账号已存在时更新该成员（不填初始密码则不改密码）；不填账号的成员只能通过微信绑定码登录。"])
    notes.append(["导入时先检查每一行，有任何错误则全部不导入，并给出逐行报告。"])
    return _save(wb)


def _save(wb) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export(session: Session, m: Member) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "村庄"
    ws.append(VILLAGE_HEADER + ["状态"])
    villages = session.scalars(select(Village).where(Village.id.in_(admin_scope.village_ids(m)))
                               .options(joinedload(Village.township)).order_by(Village.township_id, Village.id)).all()
    grids: dict[int, list[str]] = {}
    for g in session.scalars(select(Grid).where(Grid.village_id.in_([v.id for v in villages]), Grid.active.is_(True))):
        grids.setdefault(g.village_id, []).append(g.name)
    for v in villages:
        ws.append([_cell(v.township.name), _cell(v.name), _cell("、".join(grids.get(v.id, []))),
                   "在用" if v.active else "停用"])
    ws2 = wb.create_sheet("成员")
    ws2.append(MEMBER_HEADER[:-1] + ["状态", "已绑定微信"])
    names_t = dict(session.execute(select(Township.id, Township.name)).all())
    names_v = dict(session.execute(select(Village.id, Village.name)).all())
    names_team = dict(session.execute(select(Team.id, Team.name)).all())
    for mm in session.scalars(admin_scope.members(select(Member), m).order_by(Member.id)):
        ws2.append([_cell(mm.name), mm.login or "", ROLE_NAMES.get(mm.role, mm.role),
                    _cell(names_t.get(mm.township_id, "")), _cell(names_v.get(mm.village_id, "")),
                    names_team.get(mm.team_id, ""), mm.phone or "", "在用" if mm.active else "停用",
                    "是" if mm.openid else "否"])
    return _save(wb)


def _load(data: bytes):
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise admin_manage.ManageError("文件太大（最大 5 MB）。")
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable upload
        raise admin_manage.ManageError("无法读取这个文件，请使用下载的模板（.xlsx）。") from exc


def _rows(wb, title: str):
    if title not in wb.sheetnames:
        return []
    out = []
    for i, row in enumerate(wb[title].iter_rows(min_row=2, values_only=True), start=2):
        values = [_s(v) for v in row]
        if any(values):
            out.append((i, values + [""] * 10))
        if len(out) > MAX_ROWS:
            raise admin_manage.ManageError(f"每张表最多 {MAX_ROWS} 行。")
    return out


def import_workbook(session: Session, m: Member, data: bytes) -> ImportReport:
    """Check every row; apply all of them only if none has an error. The caller commits."""
    wb = _load(data)
    report = ImportReport()
    village_rows = _rows(wb, "村庄")
    member_rows = _rows(wb, "成员")
    if not village_rows and not member_rows:
        raise admin_manage.ManageError("没有找到“村庄”或“成员”表中的数据。")
    plan = []  # callables applied when every row is fine
    townships = {t.name: t for t in session.scalars(select(Township).where(Township.county_id == m.county_id))}
    villages = {(v.township_id, v.name): v for v in session.scalars(select(Village).where(
        Village.township_id.in_([t.id for t in townships.values()])))}
    new_villages: set[tuple[str, str]] = set()
    for row, v in village_rows:
        r = RowResult("村庄", row)
        tname, vname, grid_text = v[0], v[1], v[2]
        t = townships.get(tname)
        if not tname or not vname:
            r.errors.append("乡镇和村都要填写。")
        elif t is None:
            r.errors.append(f"没有乡镇“{tname}”（请先在管理页面新建）。")
        elif not admin_scope.can_see_township(session, m, t.id):
            r.errors.append(f"没有管理乡镇“{tname}”的权限。")
        grids = [g.strip() for g in grid_text.replace(",", "、").replace("，", "、").split("、") if g.strip()]
        if not r.errors:
            existing = villages.get((t.id, vname))
            if existing is None:
                if m.role not in ("county_admin", "township_supervisor"):
                    r.errors.append("没有新建村的权限。")
                else:
                    r.action, r.detail = "新建", f"{vname}（含一核五队）" + (f"，网格 {len(grids)} 个" if grids else "")
                    new_villages.add((tname, vname))
                    plan.append(("village", t.id, vname, grids))
            else:
                if not admin_scope.can_see_village(session, m, existing.id):
                    r.errors.append("没有管理这个村的权限。")
                else:
                    have = set(session.scalars(select(Grid.name).where(Grid.village_id == existing.id)))
                    missing = [g for g in grids if g not in have]
                    r.action = "更新" if missing else "不变"
                    r.detail = f"新增网格 {'、'.join(missing)}" if missing else ""
                    if missing:
                        plan.append(("grids", existing.id, missing))
        report.rows.append(r)
    role_by_name = {v: k for k, v in ROLE_NAMES.items()} | {k: k for k in ROLE_NAMES}
    kind_by_name = {k["name"]: k["key"] for k in team_kinds()} | {k["key"]: k["key"] for k in team_kinds()} \
        | {k["short"]: k["key"] for k in team_kinds()}
    seen_logins: set[str] = set()
    for row, v in member_rows:
        r = RowResult("成员", row)
        name, login, role_text, tname, vname, team_text, phone, password = v[:8]
        role = role_by_name.get(role_text)
        if not name:
            r.errors.append("姓名不能为空。")
        if role is None:
            r.errors.append(f"角色“{role_text}”不正确。")
        elif role not in admin_scope.assignable_roles(m):
            r.errors.append(f"不能设置角色“{role_text}”。")
        if login:
            if login in seen_logins:
                r.errors.append(f"账号 {login} 在表中重复。")
            seen_logins.add(login)
        existing = session.scalar(select(Member).where(Member.login == login)) if login else None
        if existing is not None and admin_manage.editable_member(session, m, existing.id) is None:
            r.errors.append(f"账号 {login} 已被其他人使用，或没有权限修改。")
        if login and existing is None and len(password) < 8:
            r.errors.append("新账号的初始密码至少 8 位。")
        if password and len(password) < 8:
            r.errors.append("初始密码至少 8 位。")
        t = townships.get(tname) if tname else None
        if role and role != "county_admin" and t is None:
            r.errors.append(f"没有乡镇“{tname}”。")
        kind = kind_by_name.get(team_text) if team_text else None
        if role in admin_scope.TEAM_ROLES and kind is None:
            r.errors.append(f"工作队“{team_text}”不正确。")
        if role in ("village_secretary",) + admin_scope.TEAM_ROLES and not vname:
            r.errors.append("请填写村。")
        village = villages.get((t.id, vname)) if t and vname else None
        if t and vname and village is None and (tname, vname) not in new_villages:
            r.errors.append(f"{tname} 没有“{vname}”村。")
        if village is not None and not admin_scope.can_see_village(session, m, village.id):
            r.errors.append(f"没有管理“{vname}”的权限。")
        if role == "township_supervisor" and t is not None and not admin_scope.can_see_township(session, m, t.id):
            r.errors.append(f"没有管理乡镇“{tname}”的权限。")
        if phone and not phone.replace("-", "").isdigit():
            r.errors.append("手机号格式不正确。")
        if not r.errors:
            r.action = "更新" if existing else "新建"
            r.detail = f"{name} · {ROLE_NAMES[role]}"
            plan.append(("member", existing.id if existing else None, dict(
                name=name, login=login, role=role, phone=phone, password=password, tname=tname, vname=vname,
                kind=kind)))
        report.rows.append(r)
    if report.errors:
        return report
    _apply(session, m, plan, townships)
    report.applied = True
    return report


def _apply(session: Session, m: Member, plan, townships) -> None:
    for step in plan:
        if step[0] == "village":
            _, township_id, name, grids = step
            v = admin_manage.create_village(session, m, township_id, name)
            for g in grids:
                admin_manage.create_grid(session, m, v.id, g)
        elif step[0] == "grids":
            for g in step[2]:
                admin_manage.create_grid(session, m, step[1], g)
    for step in plan:
        if step[0] != "member":
            continue
        _, member_id, f = step
        t = townships.get(f["tname"])
        village = session.scalar(select(Village).where(Village.township_id == t.id, Village.name == f["vname"])) \
            if t and f["vname"] else None
        team = session.scalar(select(Team).where(Team.village_id == village.id, Team.kind == f["kind"])) \
            if village and f["kind"] else None
        admin_manage.save_member(session, m, member_id, name=f["name"], login=f["login"], role=f["role"],
                                 phone=f["phone"], password=f["password"], township_id=t.id if t else None,
                                 village_id=village.id if village else None, team_id=team.id if team else None)
