"""A message from the console to the villager names the request (number and a few words of the
problem); the villager's reply within 72 hours is the answer to it: on that request's timeline,
no new request, and the person who asked is told. After 72 hours a reply is an ordinary
message. Real database, Redis and RQ workers; the fake WeChat API stands in for WeChat."""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.dev import fake_api
from bot.models import Member, Outbox, Request, RequestEvent, Villager
from bot.services.clock import utcnow
from tests.support import clock
from tests.support.admin import act, flashes, login, new_request
from tests.support.cadres import cadre_openid
from tests.support.wechat import deliver, openid, say
from tests.support.workers import drain

PROBLEM = "路灯不亮了好几天晚上看不见路"
ABOUT = "（路灯不亮了好几天晚上看不…）"
QUESTION = "请问是哪一根电线杆？"


def _count(res, model, *where):
    with res.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _events(res, number, kind):
    with res.db.session() as s:
        return s.scalars(select(RequestEvent).join(Request).where(Request.number == number,
                                                                  RequestEvent.kind == kind)).all()


def _state(res, me):
    with res.db.session() as s:
        return dict(s.scalar(select(Villager.state).where(Villager.openid == me)) or {})


def _secretary(res):
    with res.db.session() as s:
        m = s.scalar(select(Member).where(Member.login == "guoluo"))
        return m.id, m.openid


def _ask(client, wx, res):
    number = new_request(client, wx, 1, PROBLEM)
    me = openid(1)
    with res.db.session() as s:  # something else the dialog is waiting for: it must stay
        v = s.scalar(select(Villager).where(Villager.openid == me))
        v.state = dict(v.state or {}, rated="GC-2026-999999")
    login(client, "guoluo")
    act(client, number, "message", text=QUESTION)
    drain(res)
    return number, me


def test_the_message_names_the_request_and_marks_the_question(client, wx, res, redis):
    number, me = _ask(client, wx, res)
    [sent] = [c["request"]["text"]["content"] for c in fake_api.calls(redis, touser=me) if c["kind"] == "custom"
              and QUESTION in c["request"]["text"]["content"]]
    assert f"{number}{ABOUT}" in sent and "村党支部书记" in sent
    state = _state(res, me)
    asked = state["asked"]
    assert asked["number"] == number and asked["by"] == _secretary(res)[0]
    at = datetime.fromisoformat(asked["at"])
    assert at.tzinfo is not None and abs((utcnow() - at).total_seconds()) < 60
    assert state["rated"] == "GC-2026-999999"  # merged into the state, not replacing it


def test_the_reply_within_the_window_answers_that_request_and_the_asker_is_told(client, wx, res, redis):
    number, me = _ask(client, wx, res)
    requests_before = _count(res, Request)
    secretary_id, secretary_openid = _secretary(res)
    with clock.at(utcnow() + timedelta(hours=70)):
        r = say(client, wx, me, "就是村委会门口往东第二根，灯罩也掉了")
        assert number in r.text and "转给" in r.text
        drain(res)
    assert _count(res, Request) == requests_before  # no new request
    [answer] = _events(res, number, "villager_answer")
    assert answer.data["text"] == "就是村委会门口往东第二根，灯罩也掉了" and answer.data["to"] == secretary_id
    told = [c for c in fake_api.calls(redis, touser=secretary_openid) if c["kind"] == "template"
            and "村委会门口" in str(c["request"]["data"])]
    assert any(c["errcode"] == 0 for c in told)  # the asker hears the answer (after a token refresh: 70 h on)
    assert "asked" not in _state(res, me)  # answered: the next message is an ordinary one
    # the console shows the exchange in words, no internal codes
    page = re.sub(r"<[^>]+>", " ", client.get(f"/admin/requests/{number}").get_data(as_text=True))
    assert "给村民留言" in page and "村民回复" in page and "村委会门口往东第二根" in page
    for code in ("villager_answer", "message_sent", "admin_message", "notified"):
        assert code not in page, code


def test_after_the_window_a_reply_is_an_ordinary_message(client, wx, res, redis):
    number, me = _ask(client, wx, res)
    requests_before = _count(res, Request)
    secretary_openid = _secretary(res)[1]
    fake_api.clear_calls(redis)
    with clock.at(utcnow() + timedelta(hours=73)):
        r = say(client, wx, me, "家里的自来水停了两天了没水喝")
        drain(res)
    assert "转给" not in r.text and re.search(r"GC-\d{4}-\d{6}", r.text).group(0) != number
    assert _count(res, Request) == requests_before + 1  # a new request of its own
    assert not _events(res, number, "villager_answer")
    assert not [c for c in fake_api.calls(redis, touser=secretary_openid)
                if c["request"].get("template_id") == "cunsheng_villager_answer"]  # nobody is told of an answer
    assert _count(res, Outbox, Outbox.event == "villager_answer") == 0


def test_no_message_to_a_villager_who_unfollowed(client, wx, res):
    number = new_request(client, wx, 1, PROBLEM)
    me = openid(1)
    deliver(client, wx, wx.event(me, "unsubscribe"))
    login(client, "guoluo")
    r = act(client, number, "message", text=QUESTION)
    assert "取消关注" in flashes(client.get(r.headers["Location"]).get_data(as_text=True))[0]
    assert _count(res, Outbox, Outbox.event == "admin_message") == 0
    assert not _events(res, number, "message_sent") and "asked" not in _state(res, me)


def test_a_cadre_can_still_act_while_the_villager_has_a_question_open(client, wx, res, redis):
    """The 进展 a cadre sends while the question is open also names the request."""
    number, me = _ask(client, wx, res)
    say(client, wx, cadre_openid("guoluo-governance-2"), f"进展 {number} 明天上午去看")
    drain(res)
    [progress] = [c["request"]["text"]["content"] for c in fake_api.calls(redis, touser=me)
                  if c["kind"] == "custom" and "明天上午去看" in c["request"]["text"]["content"]]
    assert f"{number}{ABOUT}" in progress
    assert _state(res, me)["asked"]["number"] == number  # the cadre's report leaves the question open
