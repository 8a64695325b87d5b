"""Every role × every page × objects of other villages: nothing leaks (no data, no counts)."""
import re

import pytest
from sqlalchemy import select

from bot.models import Member, Request, Team, Village
from tests.support.admin import act, login, new_request, post

ROLES = ["county", "shaliuhe", "guoluo", "guoluo-governance", "guoluo-governance-2", "ennai", "guoluo-ecology"]
MARK = "羊圈的围栏被大风吹倒了"  # only in the 恩乃村 request (another township)


@pytest.fixture
def world(client, wx, res):
    ours = new_request(client, wx, 1, "路灯坏了晚上看不见")
    theirs = new_request(client, wx, 2, MARK + "路灯也坏了", village="恩乃村")
    with res.db.session() as s:
        v_theirs = s.scalar(select(Village.id).where(Village.name == "恩乃村"))
        t_theirs = s.scalar(select(Team.id).where(Team.village_id == v_theirs, Team.kind == "governance"))
        m_theirs = s.scalar(select(Member.id).where(Member.login == "ennai-governance"))
        r_theirs = s.scalar(select(Request.id).where(Request.number == theirs))
    return {"ours": ours, "theirs": theirs, "village": v_theirs, "team": t_theirs, "member": m_theirs,
            "request_id": r_theirs}


GET_PAGES = ["/admin/", "/admin/?status=assigned", "/admin/review", "/admin/wishes", "/admin/dashboard",
             "/admin/ranking", "/admin/reports/quarterly", "/admin/manage/", "/admin/manage/members",
             "/admin/manage/excel", "/admin/manage/config", "/admin/audit", "/admin/queues", "/admin/password"]


def test_every_page_answers_every_role(app, world):
    for role in ROLES:
        c = app.test_client()
        login(c, role)
        for url in GET_PAGES:
            r = c.get(url)
            assert r.status_code in (200, 302, 403), (role, url, r.status_code)


def test_no_role_outside_the_county_or_the_other_township_sees_the_other_village(app, world):
    w = world
    foreign_gets = [f"/admin/requests/{w['theirs']}", f"/admin/ranking/{w['team']}",
                    f"/admin/reports/quarterly/{w['village']}", f"/admin/reports/quarterly/{w['village']}.xlsx",
                    f"/admin/manage/villages/{w['village']}", f"/admin/manage/members/{w['member']}",
                    f"/admin/dashboard?village={w['village']}"]
    searches = [f"/admin/?q={MARK[:2]}", f"/admin/?village={w['village']}", f"/admin/?q={w['theirs']}",
                "/admin/wishes", "/admin/dashboard", "/admin/ranking", "/admin/manage/members", "/admin/manage/",
                "/admin/manage/excel/export.xlsx"]
    for role in ROLES[1:6] + ROLES[6:]:
        if role == "ennai":
            continue
        c = app.test_client()
        login(c, role)
        for url in foreign_gets:
            assert c.get(url).status_code in (403, 404), (role, url)
        for url in searches:
            r = c.get(url)
            body = r.get_data(as_text=True) if r.mimetype.startswith("text") else _xlsx_text(r.data)
            body = body.replace(f'value="{w["theirs"]}"', "")  # the search box echoes the query
            assert w["theirs"] not in body and MARK not in body and "恩乃村" not in body, (role, url)
            if url.startswith("/admin/?"):
                assert re.search(r'id="total">0<', body), (role, url)
        for action, fields in (("note", {"text": "x"}), ("resolve", {"reason": "x"}), ("message", {"text": "x"}),
                               ("reclassify", {"kind": "ecology"})):
            r = post(c, f"/admin/requests/{w['theirs']}/actions", dict(fields, action=action))
            assert r.status_code == 404, (role, action)
        assert post(c, f"/admin/review/{w['theirs']}", {"kind": "ecology"}).status_code == 404
        for obj_type, obj_id in (("village", w["village"]), ("team", w["team"])):
            r = post(c, f"/admin/manage/{obj_type}/{obj_id}/edit", {"active": "0"})
            assert r.status_code in (403, 404), (role, obj_type)
        r = post(c, f"/admin/manage/members/{w['member']}/binding-code")
        assert r.status_code in (403, 404), role
        # merging our request into theirs must not reveal it either
        if role in ("shaliuhe", "guoluo"):
            r = act(c, w["ours"], "merge", into=w["theirs"])
    # the county admin and the other village's secretary do see it
    for role in ("county", "ennai"):
        c = app.test_client()
        login(c, role)
        assert c.get(f"/admin/requests/{w['theirs']}").status_code == 200
        assert w["theirs"] in c.get(f"/admin/?q={MARK[:2]}").get_data(as_text=True)


def test_team_roles_see_only_their_teams_requests(app, world, client, wx):
    other_team = new_request(client, wx, 3, "草场被邻村的牛羊踩坏了，垃圾也没人清运")
    c = app.test_client()
    login(c, "guoluo-culture")
    assert re.search(r'id="total">0<', c.get("/admin/").get_data(as_text=True))
    assert c.get(f"/admin/requests/{world['ours']}").status_code == 404
    login(c, "guoluo-governance")
    assert c.get(f"/admin/requests/{world['ours']}").status_code == 200
    assert other_team


def test_county_only_pages(app, world):
    for role in ROLES[1:]:
        c = app.test_client()
        login(c, role)
        assert c.get("/admin/audit").status_code == 403
        assert c.get("/admin/queues").status_code == 403
        assert post(c, "/admin/queues/default/retry", {"job_id": "x"}).status_code == 403
    for role in ("guoluo-governance", "guoluo-governance-2"):
        c = app.test_client()
        login(c, role)
        for url in ("/admin/manage/", "/admin/manage/members", "/admin/reports/quarterly", "/admin/review"):
            assert c.get(url).status_code == 403, (role, url)


def _xlsx_text(data: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data), read_only=True)
    return " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
