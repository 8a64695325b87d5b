"""Management: townships, villages, grids, teams, members (create, edit, deactivate), Excel
import/export, binding codes and QR scenes, the configuration files (read-only)."""
from __future__ import annotations

from pathlib import Path

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from bot import ext
from bot.admin import bp
from bot.admin.auth import manager_required
from bot.admin.inbox import scope_options
from bot.models import Grid, Member, Team, Township, Village
from bot.services import admin_excel, admin_manage, admin_scope, audit
from bot.services.admin_manage import ManageError
from config import CONFIG_DIR, team_kinds

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value) -> int | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _done(ok_message: str, target: str):
    flash(ok_message, "ok")
    return redirect(target, 303)


@bp.get("/manage/")
@manager_required
def manage_home():
    m = g.member
    with ext.get().db.session() as s:
        townships = s.scalars(select(Township).where(Township.id.in_(admin_scope.township_ids(m)))
                              .order_by(Township.id)).all()
        villages = s.scalars(select(Village).where(Village.id.in_(admin_scope.village_ids(m)))
                             .order_by(Village.township_id, Village.id)).all()
        counts = dict(s.execute(select(Member.village_id, func.count()).where(
            Member.village_id.in_([v.id for v in villages])).group_by(Member.village_id)).all())
    return render_template("admin/manage/home.html", townships=townships, villages=villages, counts=counts, me=m)


@bp.post("/manage/townships")
@manager_required
def manage_township_create():
    try:
        with ext.get().db.session() as s:
            admin_manage.create_township(s, g.member, request.form.get("name", ""))
    except ManageError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.manage_home"), 303)
    return _done("已新建乡镇。", url_for("admin.manage_home"))


@bp.post("/manage/villages")
@manager_required
def manage_village_create():
    try:
        with ext.get().db.session() as s:
            v = admin_manage.create_village(s, g.member, _int(request.form.get("township_id")) or 0,
                                            request.form.get("name", ""))
            vid = v.id
    except ManageError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.manage_home"), 303)
    return _done("已新建村，并建好一核五队。", url_for("admin.manage_village", village_id=vid))


@bp.get("/manage/villages/<int:village_id>")
@manager_required
def manage_village(village_id: int):
    m = g.member
    with ext.get().db.session() as s:
        if not admin_scope.can_see_village(s, m, village_id):
            abort(404)
        v = s.scalar(select(Village).where(Village.id == village_id).options(joinedload(Village.township)))
        teams = s.scalars(select(Team).where(Team.village_id == village_id).order_by(Team.id)).all()
        grids = s.scalars(select(Grid).where(Grid.village_id == village_id).order_by(Grid.id)).all()
        members = s.scalars(admin_scope.members(select(Member), m).where(Member.village_id == village_id)
                            .order_by(Member.team_id, Member.id)).all()
        may_edit_village = admin_manage.may_edit(s, m, "village", v)
    have = {t.kind for t in teams}
    missing = [k for k in team_kinds() if k["key"] not in have]
    return render_template("admin/manage/village.html", v=v, teams=teams, grids=grids, members=members,
                           missing=missing, scene=admin_manage.village_scene(v), may_edit_village=may_edit_village,
                           me=m)


# one name per parent: townships in the county and villages in the township (UNIQUE in the
# schema), grids and teams in the village (not in the schema; two 一组 cannot be told apart)
_SAME_NAME = {"township": "已有同名的乡镇。", "village": "这个乡镇已有同名的村。",
              "grid": "这个村已有同名的网格。", "team": "这个村已有同名的工作队。"}


def _name_taken(s, obj_type: str, name: str, *, parent_id: int, obj_id: int = 0) -> bool:
    model = admin_manage.MODELS[obj_type]
    parent = {"township": Township.county_id, "village": Village.township_id,
              "grid": Grid.village_id, "team": Team.village_id}[obj_type]
    return s.scalar(select(model.id).where(parent == parent_id, model.name == name.strip(),
                                           model.id != obj_id).limit(1)) is not None


def _parent_id(obj_type: str, obj) -> int:
    return {"township": lambda o: o.county_id, "village": lambda o: o.township_id}.get(
        obj_type, lambda o: o.village_id)(obj)


def _create_in_village(village_id: int, create, field: str, done: str):
    """A grid or a team of a village, from the village page's form; back to that page."""
    back = url_for("admin.manage_village", village_id=village_id)
    try:
        with ext.get().db.session() as s:
            if create is admin_manage.create_grid and _name_taken(s, "grid", request.form.get(field, ""),
                                                                   parent_id=village_id):
                raise ManageError(_SAME_NAME["grid"])
            create(s, g.member, village_id, request.form.get(field, ""))
    except ManageError as exc:
        flash(str(exc), "error")
        return redirect(back, 303)
    return _done(done, back)


@bp.post("/manage/villages/<int:village_id>/grids")
@manager_required
def manage_grid_create(village_id: int):
    return _create_in_village(village_id, admin_manage.create_grid, "name", "已新建网格。")


@bp.post("/manage/villages/<int:village_id>/teams")
@manager_required
def manage_team_create(village_id: int):
    return _create_in_village(village_id, admin_manage.create_team, "kind", "已建好工作队。")


@bp.post("/manage/<obj_type>/<int:obj_id>/edit")
@manager_required
def manage_edit(obj_type: str, obj_id: int):
    if obj_type not in admin_manage.MODELS:
        abort(404)
    f = request.form
    active = {"1": True, "0": False}.get(f.get("active", ""), None)
    back = f.get("back", "")
    back = back if back.startswith("/admin/manage/") else url_for("admin.manage_home")
    with ext.get().db.session() as s:
        obj = admin_manage.get_editable(s, g.member, obj_type, obj_id)
        if obj is None:
            abort(404)
        parent_id = _parent_id(obj_type, obj)
    name = f.get("name")
    try:
        with ext.get().db.session() as s:
            if name is not None and _name_taken(s, obj_type, name, parent_id=parent_id, obj_id=obj_id):
                raise ManageError(_SAME_NAME[obj_type])
            admin_manage.edit(s, g.member, obj_type, obj_id, name=name, active=active,
                              wecom_webhook=f.get("wecom_webhook"))
    except ManageError as exc:
        flash(str(exc), "error")
        return redirect(back, 303)
    except IntegrityError:  # the same name saved by someone else a moment ago
        flash(_SAME_NAME[obj_type], "error")
        return redirect(back, 303)
    return _done("已保存。", back)


# ---- members ------------------------------------------------------------------------------

def _member_form_options(s, m, current_team_id: int | None = None):
    """The member form's choices: active teams, plus the member's own team if it was deactivated
    (otherwise the form would submit no team and the member could not be saved at all)."""
    villages, townships = scope_options(s, m)
    usable = Team.active.is_(True) if current_team_id is None else (Team.active.is_(True) | (Team.id == current_team_id))
    teams = s.execute(admin_scope.teams(select(Team.id, Team.name, Team.village_id, Team.active), m)
                      .where(usable).order_by(Team.village_id, Team.id)).all()
    vnames = {v.id: v.name for v in villages}
    return {"villages": villages, "townships": townships, "vnames": vnames,
            "teams": [(t.id, f"{vnames.get(t.village_id, '')} {t.name}" + ("" if t.active else "（已停用）"))
                      for t in teams],
            "roles": admin_scope.assignable_roles(m)}


def _check_team_active(s, fields: dict, current_team_id: int | None = None) -> None:
    """Nobody joins a deactivated team; a member already in one keeps it (and can be edited)."""
    team_id = fields.get("team_id")
    if team_id and team_id != current_team_id and fields.get("role") in admin_scope.TEAM_ROLES:
        team = s.get(Team, team_id)
        if team is not None and not team.active:
            raise ManageError(f"{team.name}已停用，不能加入新成员。")


@bp.get("/manage/members")
@manager_required
def manage_members():
    return _members_page()


def _members_page(form=None, status: int = 200):
    """The member list with the new-member form (`form`: a refused submission, shown again)."""
    m = g.member
    village = _int(request.args.get("village"))
    with ext.get().db.session() as s:
        stmt = admin_scope.members(select(Member), m)
        if village:
            stmt = stmt.where(Member.village_id == village)
        rows = s.scalars(stmt.order_by(Member.village_id, Member.team_id, Member.id).limit(1000)).all()
        opts = _member_form_options(s, m)
        team_names_by_id = dict(s.execute(select(Team.id, Team.name)).all())
    return render_template("admin/manage/members.html", rows=rows, village=village, me=m, tnames=team_names_by_id,
                           form=form, **opts), status


def _member_fields(f) -> dict:
    return dict(name=f.get("name", ""), login=f.get("login", ""), role=f.get("role", ""), phone=f.get("phone", ""),
                password=f.get("password", ""), township_id=_int(f.get("township_id")),
                village_id=_int(f.get("village_id")), team_id=_int(f.get("team_id")),
                active=f.get("active", "1") == "1")


@bp.post("/manage/members")
@manager_required
def manage_member_create():
    try:
        with ext.get().db.session() as s:
            fields = _member_fields(request.form)
            _check_team_active(s, fields)
            target = admin_manage.save_member(s, g.member, None, **fields)
            mid = target.id
    except ManageError as exc:  # shown again with what was typed (except the password)
        flash(str(exc), "error")
        return _members_page(_typed(request.form), 400)
    return _done("已新建成员。", url_for("admin.manage_member", member_id=mid))


def _typed(f) -> dict:
    return {k: f.get(k, "") for k in ("name", "login", "phone", "role", "township_id", "village_id", "team_id",
                                       "active") if k in f}


@bp.route("/manage/members/<int:member_id>", methods=["GET", "POST"])
@manager_required
def manage_member(member_id: int):
    m = g.member
    with ext.get().db.session() as s:
        target = s.scalar(admin_scope.members(select(Member), m).where(Member.id == member_id))
        if target is None:
            abort(404)
        editable = admin_manage.editable_member(s, m, member_id) is not None
    if request.method == "POST":
        if not editable:
            abort(403)
        try:
            with ext.get().db.session() as s:
                fields = _member_fields(request.form)
                _check_team_active(s, fields, target.team_id)
                admin_manage.save_member(s, m, member_id, **fields)
        except ManageError as exc:  # shown again with what was typed (except the password)
            flash(str(exc), "error")
            with ext.get().db.session() as s:
                opts = _member_form_options(s, m, target.team_id)
            return render_template("admin/manage/member.html", t=target, editable=editable, me=m, code=None,
                                   form=_typed(request.form), **opts), 400
        return _done("已保存。", url_for("admin.manage_member", member_id=member_id))
    with ext.get().db.session() as s:
        opts = _member_form_options(s, m, target.team_id)
    return render_template("admin/manage/member.html", t=target, editable=editable, me=m, code=None, **opts)


@bp.post("/manage/members/<int:member_id>/binding-code")
@manager_required
def manage_binding_code(member_id: int):
    m = g.member
    try:
        with ext.get().db.session() as s:
            row = admin_manage.issue_binding_code(s, m, member_id)
            code = {"code": row.code, "expires_at": row.expires_at}
            target = s.get(Member, member_id)
            s.expunge(target)
            opts = _member_form_options(s, m, target.team_id)
    except ManageError:
        abort(404)
    return render_template("admin/manage/member.html", t=target, editable=True, me=m, code=code, **opts)


# ---- Excel --------------------------------------------------------------------------------

@bp.get("/manage/excel")
@manager_required
def manage_excel():
    return render_template("admin/manage/excel.html", me=g.member, report=None)


@bp.get("/manage/excel/template.xlsx")
@manager_required
def manage_excel_template():
    return Response(admin_excel.template(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=cunsheng-import-template.xlsx"})


@bp.get("/manage/excel/export.xlsx")
@manager_required
def manage_excel_export():
    with ext.get().db.session() as s:
        body = admin_excel.export(s, g.member)
        audit.record(s, g.member, "export_members", "", "", "导出村庄与成员")
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=cunsheng-export.xlsx"})


@bp.post("/manage/excel/import")
@manager_required
def manage_excel_import():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择要导入的 Excel 文件。", "error")
        return redirect(url_for("admin.manage_excel"), 303)
    data = upload.read(admin_excel.MAX_BYTES + 1)
    report = None
    try:
        with ext.get().db.session() as s:
            problems = _excel_row_problems(s, g.member, data)
            if problems:
                report = _report_without_applying(s, g.member, data, problems)
            else:
                report = admin_excel.import_workbook(s, g.member, data)
            if report.applied:  # nothing is written unless every row passed
                audit.record(s, g.member, "import", "", "", f"Excel 导入 {len(report.rows)} 行")
    except ManageError as exc:
        flash(str(exc), "error")
    status = 200 if report is None or report.applied else 422
    return render_template("admin/manage/excel.html", me=g.member, report=report), status


# Row checks the import service (bot/services/admin_excel.py) does not make; without them a row
# would be imported into a deactivated team, or fail while being applied with a message that names
# no row. Checked here first; a workbook with such rows is reported row by row and not applied.
def _excel_row_problems(s, m, data: bytes) -> dict[tuple[str, int], list[str]]:
    wb = admin_excel._load(data)
    problems: dict[tuple[str, int], list[str]] = {}
    townships = {t.name: t.id for t in s.scalars(select(Township).where(Township.county_id == m.county_id))}
    for row, v in admin_excel._rows(wb, "村庄"):
        grids = [g_ for g_ in v[2].replace(",", "、").replace("，", "、").split("、") if g_.strip()]
        if len(v[1]) > 64:
            problems.setdefault(("村庄", row), []).append("村名不能超过 64 个字。")
        if any(len(g_.strip()) > 64 for g_ in grids):
            problems.setdefault(("村庄", row), []).append("网格名称不能超过 64 个字。")
    kinds = {}
    for k in team_kinds():
        kinds.update({k["name"]: k["key"], k["key"]: k["key"], k.get("short", k["key"]): k["key"]})
    for row, v in admin_excel._rows(wb, "成员"):
        name, login, tname, vname, team_text, phone = v[0], v[1], v[3], v[4], v[5], v[6]
        found = problems.setdefault(("成员", row), [])
        if len(name) > 64:
            found.append("姓名不能超过 64 个字。")
        if login and (len(login) > 64 or not all(c.isalnum() or c in "-_." for c in login)):
            found.append("账号只能用字母、数字和 - _ .，不超过 64 位。")
        if len(phone) > 20:
            found.append("手机号格式不正确。")
        kind = kinds.get(team_text)
        if kind and tname in townships and vname:
            team = s.scalar(select(Team).join(Village).where(Village.township_id == townships[tname],
                                                             Village.name == vname, Team.kind == kind))
            current = s.scalar(select(Member.team_id).where(Member.login == login)) if login else None
            if team is not None and not team.active and current != team.id:
                found.append(f"{vname}{team.name}已停用，不能导入成员。")
    return {k: v for k, v in problems.items() if v}


def _report_without_applying(s, m, data: bytes, problems) -> admin_excel.ImportReport:
    """The service's row-by-row report with our problems added; whatever it wrote is rolled back."""
    savepoint = s.begin_nested()
    try:
        report = admin_excel.import_workbook(s, m, data)
    except ManageError:  # a row failed while being applied: report ours alone
        report = admin_excel.ImportReport(rows=[admin_excel.RowResult(sheet, row) for sheet, row in problems])
    finally:
        savepoint.rollback()
    for r in report.rows:
        r.errors.extend(problems.get((r.sheet, r.row), []))
    report.applied = False
    return report


# ---- configuration (read-only) ----------------------------------------------------------------

@bp.get("/manage/config")
@manager_required
def manage_config():
    files = []
    for path in sorted(Path(CONFIG_DIR).glob("*.yaml")):
        if path.name.startswith("county_demo"):
            continue  # seed data with the demo password
        files.append((path.name, path.read_text(encoding="utf-8")))
    return render_template("admin/manage/config.html", files=files, me=g.member)
