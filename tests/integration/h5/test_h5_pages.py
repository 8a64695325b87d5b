"""The cadre's task page and the villager's rating page as they see them: what an old,
forged or no-longer-valid link says, the messages after each button, the rating page's
redirect, the photos and locations, and the form token."""
import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from bot.models import Member, Request, Team
from bot.services import links
from tests.support.cadres import cadre_openid
from tests.support.wechat import say, villager_of

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
MEMBER = "guoluo-governance-2"
OTHER_TEAM_MEMBER = "guoluo-ecology"


def report(client, wx, n=1, text="村口的路灯坏了好几盏晚上黑得很"):
    me = villager_of(client, wx, n)
    return me, NUMBER.search(say(client, wx, me, text).text).group(0)


def ids(res, number, login=MEMBER):
    with res.db.session() as s:
        return (s.scalar(select(Member.id).where(Member.login == login)),
                s.scalar(select(Request.id).where(Request.number == number)))


def task_path(res, number, login=MEMBER):
    return "/h5/t/" + links.task_token(*ids(res, number, login))


def signed_days_ago(monkeypatch, days, make):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - days * 86400)
    try:
        return make()
    finally:
        monkeypatch.setattr(TimestampSigner, "get_timestamp", real)


def text_of(r) -> str:
    return r.get_data(as_text=True)


def readable(html: str) -> None:
    assert 'name="viewport" content="width=device-width' in html
    assert "Traceback" not in html and "页面不存在" not in html


# ---- 1. links that no longer work -------------------------------------------------------------
def test_expired_task_link_says_it_expired_and_what_to_do(client, wx, res, monkeypatch):
    _, number = report(client, wx)
    token = signed_days_ago(monkeypatch, 8, lambda: links.task_token(*ids(res, number)))
    r = client.get(f"/h5/t/{token}")
    assert r.status_code == 410
    html = text_of(r)
    readable(html)
    assert "链接已过期" in html and "我的任务" in html


def test_tampered_task_link_is_invalid(client, wx, res):
    _, number = report(client, wx)
    path = task_path(res, number)
    for bad in (path[:-3] + "abc", "/h5/t/not-a-token", path.replace("/h5/t/", "/h5/t/x")):
        r = client.get(bad)
        assert r.status_code == 404
        readable(text_of(r))
        assert "链接无效" in text_of(r)


def test_rerouted_request_tells_the_old_team_and_keeps_typed_text(client, wx, res):
    _, number = report(client, wx)
    path = task_path(res, number)
    assert client.get(path).status_code == 200
    with res.db.session() as s:  # an admin re-routes it to another team
        other = s.scalar(select(Member).where(Member.login == OTHER_TEAM_MEMBER)).team_id
        s.scalar(select(Request).where(Request.number == number)).team_id = other
        assert s.get(Team, other) is not None
    r = client.get(path)
    assert r.status_code == 403 and "该诉求已转给其他工作队" in text_of(r)
    readable(text_of(r))
    r = client.post(path + "/progress", data={"text": "已经联系电工，明天上午来修"})
    assert r.status_code == 403
    assert "该诉求已转给其他工作队" in text_of(r) and "已经联系电工，明天上午来修" in text_of(r)
    assert "没有提交" in text_of(r)


def test_expired_link_post_keeps_typed_progress(client, wx, res, monkeypatch):
    _, number = report(client, wx)
    token = signed_days_ago(monkeypatch, 8, lambda: links.task_token(*ids(res, number)))
    r = client.post(f"/h5/t/{token}/progress", data={"text": "路灯已换了两盏"})
    assert r.status_code == 410
    assert "链接已过期" in text_of(r) and "路灯已换了两盏" in text_of(r)


def test_expired_and_forged_rating_links(client, wx, res, monkeypatch):
    _, number = report(client, wx)
    rid = ids(res, number)[1]
    old = signed_days_ago(monkeypatch, 8, lambda: links.rating_token(rid, 0))
    r = client.get(f"/h5/r/{old}")
    assert r.status_code == 410 and "回访链接已过期" in text_of(r)
    readable(text_of(r))
    r = client.post(f"/h5/r/{old}", data={"rating": "5"})
    assert r.status_code == 410
    r = client.get("/h5/r/" + links.rating_token(rid, 0)[:-4] + "AAAA")
    assert r.status_code == 404 and "链接无效" in text_of(r)
    task_token = links.task_token(*ids(res, number))  # a task link is not a rating link
    assert client.get(f"/h5/r/{task_token}").status_code == 404


@pytest.mark.parametrize("code", [400, 403, 404, 413, 429, 500])
def test_app_error_pages_are_readable_on_a_phone(app, code):
    from bot import _error_response

    with app.test_request_context("/somewhere", headers={"Accept": "text/html"}):
        body, status = _error_response(code)
    assert status == code
    assert 'name="viewport" content="width=device-width' in body and "Traceback" not in body
    assert "<h1>" in body and str(code) in body


def test_unknown_page_is_readable(client):
    r = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert 'name="viewport"' in text_of(r) and "链接可能已失效" in text_of(r)
