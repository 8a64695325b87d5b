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


def form_token(client, path) -> str:
    """What the cadre's (or villager's) browser sends: the token of the page it opened."""
    return re.search(r'name="f" value="([0-9a-f]+)"', text_of(client.get(path))).group(1)


def act(client, path, action, text=None, **kw):
    data = {"f": form_token(client, path)}
    if text is not None:
        data["text"] = text
    return client.post(f"{path}/{action}", data=data, **kw)


def vote(client, path, rating, **kw):
    return client.post(path, data={"rating": rating, "f": form_token(client, path)}, **kw)


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


# ---- 2 and 4. the banner: page words, fixed texts only -------------------------------------------
def banner(html: str) -> str:
    m = re.search(r'<div class="msg">(.*?)</div>', html, re.S)
    return m.group(1) if m else ""


def test_messages_speak_of_the_page_not_the_chat(client, wx, res):
    _, number = report(client, wx)
    path = task_path(res, number)
    f = form_token(client, path)
    r = act(client, path, "accept", follow_redirects=True)
    assert "已签收" in banner(text_of(r)) and "回复" not in banner(text_of(r))
    r = act(client, path, "progress", "   \n ", follow_redirects=True)
    assert banner(text_of(r)) == "请填写进展内容。"
    r = act(client, path, "resolve", "  ", follow_redirects=True)
    assert banner(text_of(r)) == "请填写办理结果。"
    r = act(client, path, "return", " ", follow_redirects=True)
    assert banner(text_of(r)) == "请填写退回原因。"
    r = act(client, path, "progress", "电工明天来", follow_redirects=True)
    assert banner(text_of(r)) == "进展已记录。" and "电工明天来" in text_of(r)
    assert "60 分钟内，在公众号里发来的现场照片" in text_of(r)
    r = act(client, path, "resolve", "路灯修好了", follow_redirects=True)
    assert "已办结" in banner(text_of(r)) and "现场照片会作为办结凭证" in banner(text_of(r))
    r = client.post(path + "/progress", data={"text": "又去看了一次", "f": f},  # an old page, sent again
                    follow_redirects=True)
    assert "刚才的操作没有执行" in banner(text_of(r))


def test_banner_text_cannot_be_put_in_the_url(client, wx, res):
    _, number = report(client, wx)
    path = task_path(res, number)
    r = client.get(path + "?m=" + "请拨打13800000000领取补贴")
    assert r.status_code == 200 and "13800000000" not in text_of(r) and banner(text_of(r)) == ""
    r = act(client, path, "accept")
    assert r.status_code == 303 and "%E5" not in r.headers["Location"]  # a code, not Chinese text


def test_a_cadre_who_returned_a_request_sees_that_it_was_returned(client, wx, res):
    _, number = report(client, wx)
    path = task_path(res, number)
    r = act(client, path, "return", "这是产业队的事", follow_redirects=True)
    assert r.status_code == 200 and "您已退回" in text_of(r)


# ---- 3. the rating page redirects after the vote -------------------------------------------------
def resolved(client, wx, res):
    villager, number = report(client, wx)
    path = task_path(res, number)
    act(client, path, "accept")
    act(client, path, "resolve", "路灯已经修好")
    return number, "/h5/r/" + links.rating_token(ids(res, number)[1], 0)


def test_rating_redirects_and_a_refresh_does_not_rate_again(client, wx, res):
    number, path = resolved(client, wx, res)
    assert "非常满意" in text_of(client.get(path))
    r = vote(client, path, "5")
    assert r.status_code == 303
    after = r.headers["Location"]
    r = client.get(after)
    assert "谢谢您的评价" in banner(text_of(r)) and "回访已经结束" not in text_of(r)
    assert "非常满意" not in text_of(r)  # the buttons are gone
    again = client.get(after)  # the villager refreshes: a GET, nothing is sent again
    assert "谢谢您的评价" in banner(text_of(again)) and "回访已经结束" not in text_of(again)
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        assert req.status == "closed" and sum(e.kind == "rated" for e in req.events) == 1


def test_rating_messages_follow_the_state_not_the_url(client, wx, res):
    _, path = resolved(client, wx, res)
    r = client.get(path + "?m=thanks")
    assert banner(text_of(r)) == "" and "非常满意" in text_of(r)  # not rated yet: no thanks
    f = form_token(client, path)
    assert client.post(path, data={"rating": "9", "f": f}).status_code == 400
    r = client.post(path, data={"rating": "1", "f": f}, follow_redirects=True)
    assert "重新交给工作队" in banner(text_of(r))
    r = client.post(path, data={"rating": "5", "f": f}, follow_redirects=True)  # the old page, submitted again
    assert "回访已经结束" in banner(text_of(r))


# ---- 6. form token ---------------------------------------------------------------------------------
def test_a_post_without_the_pages_form_token_is_refused_and_keeps_the_text(client, wx, res):
    _, number = report(client, wx)
    path = task_path(res, number)
    r = client.post(path + "/progress", data={"text": "电工明天来"})  # a cross-site form: no token
    assert r.status_code == 400 and "页面已过期" in text_of(r) and "电工明天来" in text_of(r)
    r = client.post(path + "/accept", data={"f": "0" * 32})
    assert r.status_code == 400
    other = task_path(res, number, login="guoluo")  # another link's token
    r = client.post(path + "/accept", data={"f": form_token(client, other)})
    assert r.status_code == 400
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        assert req.status == "assigned" and not [e for e in req.events if e.kind == "progress"]
    assert act(client, path, "accept").status_code == 303  # the page's own form works


def test_a_rating_post_without_the_form_token_is_refused(client, wx, res):
    number, path = resolved(client, wx, res)
    assert client.post(path, data={"rating": "1"}).status_code == 400
    with res.db.session() as s:
        assert s.scalar(select(Request.status).where(Request.number == number)) == "resolved"


def test_a_tibetan_report_shows_the_cadre_its_text_and_the_detected_topic(client, wx, res):
    from bot.services import admin_actions
    from tests.support.workers import drain

    me, number = report(client, wx, 31, "ཆུ་དོང་ཆག་འདུག")  # "the water pipe is broken"
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        assert req.status == "needs_review" and req.review_reason == "tibetan"
        secretary = s.scalar(select(Member).where(Member.login == "guoluo"))
        admin_actions.route(s, res, secretary, req, "governance", train=False)
    drain(res)
    html = text_of(client.get(task_path(res, number)))
    readable(html)
    assert "ཆུ་དོང་ཆག་འདུག" in html and "藏文关键词：饮水" in html
