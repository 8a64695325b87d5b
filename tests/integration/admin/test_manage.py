"""Managing townships, villages, grids, teams and members; Excel import/export; binding codes."""
import re
from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.models import AuditLog, BindingCode, Grid, Member, Team, Township, Village
from bot.services.clock import utcnow
from tests.support.admin import PASSWORD, flashes, login, post


def _one(res, model, **where):
    with res.db.session() as s:
        row = s.scalar(select(model).filter_by(**where))
        if row is not None:
            s.expunge(row)
        return row


def test_create_edit_deactivate_the_region_tree(client, res):
    login(client, "county")
    assert post(client, "/admin/manage/townships", {"name": "新源镇"}).status_code == 303
    t = _one(res, Township, name="新源镇")
    r = post(client, "/admin/manage/villages", {"township_id": t.id, "name": "团结村"})
    v = _one(res, Village, name="团结村")
    assert r.headers["Location"].endswith(f"/admin/manage/villages/{v.id}")
    with res.db.session() as s:
        assert len(s.scalars(select(Team).where(Team.village_id == v.id)).all()) == 5  # 一核五队
    post(client, f"/admin/manage/villages/{v.id}/grids", {"name": "一组"})
    g = _one(res, Grid, village_id=v.id)
    post(client, f"/admin/manage/grid/{g.id}/edit", {"name": "第一网格", "back": f"/admin/manage/villages/{v.id}"})
    post(client, f"/admin/manage/village/{v.id}/edit", {"active": "0"})
    assert _one(res, Grid, id=g.id).name == "第一网格" and _one(res, Village, id=v.id).active is False
    html = client.get(f"/admin/manage/villages/{v.id}").get_data(as_text=True)
    assert "village_团结村" in html and "已停用" in html
    team = _one(res, Team, village_id=v.id, kind="culture")
    post(client, f"/admin/manage/team/{team.id}/edit", {"wecom_webhook": "http://insecure"})
    assert _one(res, Team, id=team.id).wecom_webhook is None
    post(client, f"/admin/manage/team/{team.id}/edit", {"active": "0"})
    post(client, f"/admin/manage/villages/{v.id}/teams", {"kind": "culture"})  # re-activates, no duplicate
    assert _one(res, Team, id=team.id).active is True
    with res.db.session() as s:
        actions = [a for (a,) in s.execute(select(AuditLog.action).order_by(AuditLog.id)).all()]
    assert actions[1:] == ["create_township", "create_village", "create_grid", "edit", "deactivate", "deactivate",
                           "activate"]


def test_a_village_secretary_manages_only_inside_the_village(client, res):
    login(client, "guoluo")
    assert post(client, "/admin/manage/townships", {"name": "x镇"}).status_code == 303
    assert _one(res, Township, name="x镇") is None
    v = _one(res, Village, name="果洛藏贡麻村")
    post(client, f"/admin/manage/village/{v.id}/edit", {"active": "0"})
    assert _one(res, Village, id=v.id).active is True
    post(client, f"/admin/manage/villages/{v.id}/grids", {"name": "三组"})
    assert _one(res, Grid, village_id=v.id, name="三组") is not None
    # members: only team roles of the village, never a supervisor
    team = _one(res, Team, village_id=v.id, kind="welfare")
    post(client, "/admin/manage/members", {"name": "新队员", "login": "xinduiyuan", "role": "team_member",
                                           "team_id": team.id, "password": "abcd12345"})
    m = _one(res, Member, login="xinduiyuan")
    assert (m.role, m.village_id, m.team_id, m.township_id) == ("team_member", v.id, team.id, v.township_id)
    r = post(client, "/admin/manage/members", {"name": "坏", "login": "huai", "role": "township_supervisor",
                                               "township_id": v.township_id, "password": "abcd12345"})
    assert _one(res, Member, login="huai") is None
    assert r.status_code == 400 and "不能设置这个角色" in flashes(r.get_data(as_text=True))[0]  # form shown again
    secretary = _one(res, Member, login="xiunao")  # a peer in another village of the township
    assert client.get(f"/admin/manage/members/{secretary.id}").status_code == 404
    login(client, "xinduiyuan", "abcd12345")


def test_member_edit_reset_password_deactivate_and_binding_code(client, res):
    login(client, "guoluo")
    m = _one(res, Member, login="guoluo-culture-2")
    post(client, f"/admin/manage/members/{m.id}", {"name": "新名字", "login": m.login, "role": "team_member",
                                                   "team_id": m.team_id, "phone": "13912345678",
                                                   "password": "reset2026pw", "active": "0"})
    m2 = _one(res, Member, id=m.id)
    assert (m2.name, m2.active, m2.phone) == ("新名字", False, "13912345678")
    html = client.get("/admin/manage/members").get_data(as_text=True)
    assert "139****5678" in html and "13912345678" not in html
    r = post(client, f"/admin/manage/members/{m.id}/binding-code")
    code = re.search(r'id="code">(\d{6})<', r.get_data(as_text=True)).group(1)
    row = _one(res, BindingCode, code=code)
    hours = (row.expires_at - utcnow()).total_seconds() / 3600
    assert row.member_id == m.id and 23.9 < hours <= 24
    r2 = post(client, f"/admin/manage/members/{m.id}/binding-code")
    code2 = re.search(r'id="code">(\d{6})<', r2.get_data(as_text=True)).group(1)
    assert _one(res, BindingCode, code=code).expires_at <= utcnow() and code2 != code
    # cannot demote or deactivate oneself
    me = _one(res, Member, login="guoluo")
    post(client, f"/admin/manage/members/{me.id}", {"name": me.name, "login": "guoluo", "role": "team_member",
                                                    "village_id": me.village_id})
    assert _one(res, Member, id=me.id).role == "village_secretary"


def _xlsx(villages=(), members=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "村庄"
    ws.append(["乡镇", "村", "网格"])
    for row in villages:
        ws.append(list(row))
    ws2 = wb.create_sheet("成员")
    ws2.append(["姓名", "账号", "角色", "乡镇", "村", "工作队", "手机", "初始密码"])
    for row in members:
        ws2.append(list(row))
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, data: bytes):
    return post(client, "/admin/manage/excel/import",
                {"file": (BytesIO(data), "import.xlsx")}, content_type="multipart/form-data")


def test_excel_template_import_report_and_export(client, res):
    login(client, "county")
    r = client.get("/admin/manage/excel/template.xlsx")
    assert r.status_code == 200 and set(load_workbook(BytesIO(r.data)).sheetnames) >= {"村庄", "成员"}
    bad = _xlsx(villages=[("沙柳河镇", "新村", "一组、二组"), ("没有这个镇", "某村", "")],
                members=[("王五", "wangwu", "工作队队长", "沙柳河镇", "新村", "社会治理工作队", "13800000000", "pass12345"),
                         ("赵六", "guoluo", "工作队队员", "沙柳河镇", "果洛藏贡麻村", "文化宣传", "", "pass12345"),
                         ("", "x1", "队长", "沙柳河镇", "新村", "社会治理工作队", "", "short")])
    r = _upload(client, bad)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "未导入任何数据" in html
    assert "没有乡镇“没有这个镇”" in html and "角色“队长”不正确" in html and "初始密码至少 8 位" in html
    assert _one(res, Village, name="新村") is None and _one(res, Member, login="wangwu") is None
    good = _xlsx(villages=[("沙柳河镇", "新村", "一组、二组")],
                 members=[("王五", "wangwu", "工作队队长", "沙柳河镇", "新村", "社会治理工作队", "13800000000", "pass12345"),
                          ("赵六", "guoluo-culture-2", "工作队队员", "沙柳河镇", "果洛藏贡麻村", "文化宣传", "", "")])
    r = _upload(client, good)
    assert r.status_code == 200 and "已导入 3 行" in r.get_data(as_text=True)
    w = _one(res, Member, login="wangwu")
    v = _one(res, Village, name="新村")
    assert w.village_id == v.id and w.role == "team_leader" and _one(res, Team, id=w.team_id).kind == "governance"
    assert _one(res, Member, login="guoluo-culture-2").name == "赵六"
    login(client, "wangwu", "pass12345")
    login(client, "county")
    r = client.get("/admin/manage/excel/export.xlsx")
    wb = load_workbook(BytesIO(r.data))
    members = {row[1]: row for row in wb["成员"].iter_rows(min_row=2, values_only=True)}
    assert members["wangwu"][2] == "工作队队长" and members["wangwu"][4] == "新村"
    villages = {row[1]: row for row in wb["村庄"].iter_rows(min_row=2, values_only=True)}
    assert villages["新村"][2] == "一组、二组"
    assert _upload(client, b"not a spreadsheet").status_code == 200  # a flash, not a crash


def test_config_files_are_shown_read_only_without_the_demo_password(client):
    login(client, "guoluo")
    html = client.get("/admin/manage/config").get_data(as_text=True)
    assert "teams.yaml" in html and "生态文明工作队" in html and PASSWORD not in html
    assert "<form" not in html.split("<main>")[1]


def test_renaming_to_an_existing_name_is_refused_and_changes_nothing(client, res):
    login(client, "county")
    back = {"back": "/admin/manage/"}
    t = _one(res, Township, name="吉尔孟乡")
    r = post(client, f"/admin/manage/township/{t.id}/edit", dict(back, name="沙柳河镇"), follow_redirects=True)
    assert r.status_code == 200 and "已有同名的乡镇" in " ".join(flashes(r.get_data(as_text=True)))
    assert _one(res, Township, id=t.id).name == "吉尔孟乡"
    v = _one(res, Village, name="潘保村")
    r = post(client, f"/admin/manage/village/{v.id}/edit", dict(back, name="果洛藏贡麻村"), follow_redirects=True)
    assert r.status_code == 200 and "这个乡镇已有同名的村" in " ".join(flashes(r.get_data(as_text=True)))
    assert _one(res, Village, id=v.id).name == "潘保村"
    # the same name in another township is fine
    other = _one(res, Village, name="恩乃村")
    post(client, f"/admin/manage/village/{other.id}/edit", dict(back, name="潘保村"))
    assert _one(res, Village, id=other.id).name == "潘保村"
    post(client, f"/admin/manage/village/{other.id}/edit", dict(back, name="恩乃村"))
    # grids and teams: one name per village
    post(client, "/admin/manage/villages", {"township_id": t.id, "name": "团结村"})
    nv = _one(res, Village, name="团结村")
    page = f"/admin/manage/villages/{nv.id}"
    post(client, f"{page}/grids", {"name": "一组"})
    r = post(client, f"{page}/grids", {"name": "一组"}, follow_redirects=True)
    assert "这个村已有同名的网格" in " ".join(flashes(r.get_data(as_text=True)))
    post(client, f"{page}/grids", {"name": "二组"})
    with res.db.session() as s:
        assert sorted(s.scalars(select(Grid.name).where(Grid.village_id == nv.id))) == ["一组", "二组"]
    g2 = _one(res, Grid, village_id=nv.id, name="二组")
    r = post(client, f"/admin/manage/grid/{g2.id}/edit", {"name": "一组", "back": page}, follow_redirects=True)
    assert "这个村已有同名的网格" in " ".join(flashes(r.get_data(as_text=True)))
    assert _one(res, Grid, id=g2.id).name == "二组"
    culture = _one(res, Team, village_id=nv.id, kind="culture")
    welfare = _one(res, Team, village_id=nv.id, kind="welfare")
    r = post(client, f"/admin/manage/team/{culture.id}/edit", {"name": welfare.name, "back": page},
             follow_redirects=True)
    assert "这个村已有同名的工作队" in " ".join(flashes(r.get_data(as_text=True)))
    assert _one(res, Team, id=culture.id).name == culture.name


def _form_values(html: str) -> dict:
    """What a browser submits from the member form: inputs' values and each select's selected option."""
    form = html[html.index('<form method="post" action="/admin/manage/members/'):]
    form = form[:form.index("</form>")]
    data = {n: v for n, v in re.findall(r'<input name="(\w+)" value="([^"]*)"', form)}
    for name, body in re.findall(r'<select name="(\w+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_members_of_a_deactivated_team_can_still_be_edited_and_deactivated(client, res):
    login(client, "guoluo")
    v = _one(res, Village, name="果洛藏贡麻村")
    team = _one(res, Team, village_id=v.id, kind="culture")
    post(client, f"/admin/manage/team/{team.id}/edit", {"active": "0", "back": f"/admin/manage/villages/{v.id}"})
    assert _one(res, Team, id=team.id).active is False
    m = _one(res, Member, login="guoluo-culture-2")
    html = client.get(f"/admin/manage/members/{m.id}").get_data(as_text=True)
    data = _form_values(html)
    assert data["team_id"] == str(team.id)  # the member's team is shown, marked as deactivated
    assert "文化宣传工作队（已停用）" in html
    r = post(client, f"/admin/manage/members/{m.id}", dict(data, active="0"), follow_redirects=True)
    assert flashes(r.get_data(as_text=True)) == ["已保存。"]
    assert _one(res, Member, id=m.id).active is False and _one(res, Member, id=m.id).team_id == team.id
    # but nobody new is put into a deactivated team
    r = post(client, "/admin/manage/members", {"name": "新队员", "login": "xin-culture", "role": "team_member",
                                               "team_id": team.id, "password": "pass12345"}, follow_redirects=True)
    assert any("已停用" in f for f in flashes(r.get_data(as_text=True)))
    assert _one(res, Member, login="xin-culture") is None
    other = _one(res, Member, login="guoluo-governance-2")
    r = post(client, f"/admin/manage/members/{other.id}", {"name": other.name, "login": other.login,
                                                           "role": "team_member", "team_id": team.id},
             follow_redirects=True)
    assert any("已停用" in f for f in flashes(r.get_data(as_text=True)))
    assert _one(res, Member, id=other.id).team_id == other.team_id


def test_excel_import_into_a_deactivated_team_is_refused_with_the_row_number(client, res):
    login(client, "county")
    v = _one(res, Village, name="果洛藏贡麻村")
    team = _one(res, Team, village_id=v.id, kind="culture")
    post(client, f"/admin/manage/team/{team.id}/edit", {"active": "0"})
    data = _xlsx(members=[("王五", "wangwu", "工作队队长", "沙柳河镇", "潘保村", "社会治理工作队", "", "pass12345"),
                          ("赵六", "zhaoliu", "工作队队员", "沙柳河镇", "果洛藏贡麻村", "文化宣传", "", "pass12345")])
    r = _upload(client, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "未导入任何数据" in html
    row = re.search(r"<tr class=\"overdue\"><td>成员</td><td>(\d+)</td><td>错误</td><td>([^<]*)</td>", html)
    assert row and row.group(1) == "3" and "已停用" in row.group(2)
    assert _one(res, Member, login="zhaoliu") is None and _one(res, Member, login="wangwu") is None


def test_excel_rows_too_long_for_the_database_are_reported_by_row(client, res):
    login(client, "county")
    data = _xlsx(villages=[("沙柳河镇", "长" * 70, "")],
                 members=[("王五", "wangwu", "工作队队长", "沙柳河镇", "潘保村", "社会治理工作队", "", "pass12345"),
                          ("名" * 200, "zhaoliu", "工作队队员", "沙柳河镇", "潘保村", "文化宣传", "", "pass12345")])
    r = _upload(client, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "未导入任何数据" in html
    rows = re.findall(r"<tr class=\"overdue\"><td>(\S+?)</td><td>(\d+)</td><td>错误</td><td>([^<]*)</td>", html)
    assert ("村庄", "2", "村名不能超过 64 个字。") in rows
    assert ("成员", "3", "姓名不能超过 64 个字。") in rows
    assert _one(res, Member, login="wangwu") is None and _one(res, Village, name="长" * 70) is None


def test_a_refused_member_form_keeps_what_was_typed(client, res):
    login(client, "guoluo")
    team = _one(res, Team, village_id=_one(res, Village, name="果洛藏贡麻村").id, kind="welfare")
    typed = {"name": "卓玛措", "login": "guoluo", "role": "team_leader", "phone": "13900001111",
             "team_id": str(team.id), "password": "pass12345"}
    r = post(client, "/admin/manage/members", typed)  # the login is taken
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "账号 guoluo 已被使用" in " ".join(flashes(html))
    form = html[html.index("新建成员"):]
    values = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', form))
    assert values["name"] == "卓玛措" and values["phone"] == "13900001111" and values["login"] == "guoluo"
    assert re.search(rf'<option value="{team.id}" selected', form)
    assert re.search(r'<option value="team_leader" selected', form)
    m = _one(res, Member, login="guoluo-culture-2")
    r = post(client, f"/admin/manage/members/{m.id}", {"name": "改过的名字", "login": m.login, "role": "team_member",
                                                       "team_id": m.team_id, "phone": "电话号码", "active": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "手机号格式不正确" in " ".join(flashes(html))
    values = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', html))
    assert values["name"] == "改过的名字" and values["phone"] == "电话号码"
    assert re.search(r'<option value="0" selected>停用', html)
    assert _one(res, Member, id=m.id).name != "改过的名字"
