"""What the service sends the villager about a request names it (number and a few words of the
problem), and a cadre's 进展 reaches the villager: a customer-service message inside WeChat's
48-hour window, the template outside it. Real database, real Redis, RQ burst workers; only
WeChat's servers are faked (the fake WeChat API over HTTP)."""
import re
from datetime import timedelta

import requests
from sqlalchemy import select

from bot import jobs
from bot.dev import fake_api
from bot.models import Member, Outbox, Request, RequestEvent, Villager
from bot.services.clock import utcnow
from tests.support import clock
from tests.support.admin import login
from tests.support.cadres import cadre_openid
from tests.support.wechat import say, villager_of
from tests.support.workers import drain

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
MEMBER = "guoluo-governance-2"  # 果洛藏贡麻村 社会治理工作队 队员
PROBLEM = "村口的路灯坏了好几盏晚上黑得很"
WORDS = "村口的路灯坏了好几盏晚上…"  # the first 12 characters, cut with "…"


def report(client, wx, n=1, text=PROBLEM):
    me = villager_of(client, wx, n)
    return me, NUMBER.search(say(client, wx, me, text).text).group(0)


def custom_texts(redis, openid):
    return [c["request"]["text"]["content"] for c in fake_api.calls(redis, touser=openid)
            if c["kind"] == "custom" and c["errcode"] == 0]


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_a_cadres_progress_reaches_the_villager_naming_number_and_problem(client, wx, res, redis):
    villager, number = report(client, wx)
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, f"签收 {number}")
    r = say(client, wx, cadre, f"进展 {int(number[-6:])} 已联系电工，明天（周三）上午来修。")
    assert "已记录" in r.text
    drain(res)
    sent = custom_texts(redis, villager)
    [accepted] = [t for t in sent if "签收" in t]
    assert f"{number}（{WORDS}）" in accepted
    [progress] = [t for t in sent if "进展" in t]
    # the cadre's own punctuation (not folded to "," "(" ")"), the number and the problem in words
    assert f"{number}（{WORDS}）" in progress and "已联系电工，明天（周三）上午来修" in progress
    with res.db.session() as s:
        row = s.scalar(select(Outbox).where(Outbox.event == "progress"))
        assert row.status == "sent" and row.channel == "villager"
        [ev] = s.scalars(select(RequestEvent).where(RequestEvent.kind == "progress")).all()
        assert ev.data["text"] == "已联系电工，明天（周三）上午来修"
    # a second report is a second message, not swallowed as a repeat
    say(client, wx, cadre, f"进展 {number} 电工已到现场")
    drain(res)
    assert sum("电工已到现场" in t for t in custom_texts(redis, villager)) == 1
    # and the console's request page shows it in words
    login(client, "guoluo")
    page = visible(client.get(f"/admin/requests/{number}").get_data(as_text=True))
    assert "办理进展" in page and "已联系电工，明天（周三）上午来修" in page and "电工已到现场" in page
    assert "progress" not in page


def test_outside_the_48_hour_window_progress_is_the_template_naming_the_request(client, wx, res, redis):
    villager, number = report(client, wx)
    say(client, wx, cadre_openid(MEMBER), f"签收 {number}")
    drain(res)
    with res.db.session() as s:
        v = s.scalar(select(Villager).where(Villager.openid == villager))
        v.last_inbound_at = utcnow() - timedelta(hours=49)
    fake_api.clear_calls(redis)
    say(client, wx, cadre_openid(MEMBER), f"进展 {number} 已联系电工明天来修")
    drain(res)
    [call] = fake_api.calls(redis, touser=villager)
    assert call["kind"] == "template" and call["errcode"] == 0
    data = call["request"]["data"]
    assert data["character_string1"]["value"] == number
    assert data["thing3"]["value"].startswith("村口的路灯坏…：已联系电工")  # a few words, then the news


def test_progress_from_the_h5_page_reaches_the_villager_too(client, wx, res, redis, live_server):
    villager, number = report(client, wx)
    with res.db.session() as s:
        mid = s.scalar(select(Member.id).where(Member.login == MEMBER))
        url = s.scalar(select(Outbox.payload).where(Outbox.recipient_member_id == mid,
                                                    Outbox.event == "new_task"))["url"]
    browser = requests.Session()
    f = re.search(r'name="f" value="(\w+)"', browser.get(url, timeout=10).text).group(1)
    r = browser.post(url + "/progress", data={"text": "材料已经报到乡里，等批下来", "f": f}, timeout=10)
    assert r.status_code == 200 and "进展已记录" in r.text
    assert "办理进展" in r.text and "材料已经报到乡里" in r.text  # the H5 timeline in words
    drain(res)
    [progress] = [t for t in custom_texts(redis, villager) if "进展" in t]
    assert f"{number}（{WORDS}）" in progress and "材料已经报到乡里，等批下来" in progress


def test_villagers_who_reported_the_same_problem_each_hear_the_progress_of_their_own(client, wx, res, redis):
    first, root = report(client, wx, 1, "村口的自来水管爆了到处是水")
    second = villager_of(client, wx, 2)
    r = say(client, wx, second, "村口水管爆了")
    assert root in r.text
    duplicate = NUMBER.search(r.text.replace(root, "")).group(0)
    say(client, wx, cadre_openid(MEMBER), f"进展 {root} 水管已经关了，明天换新的")
    drain(res)
    [mine] = [t for t in custom_texts(redis, first) if "进展" in t]
    [theirs] = [t for t in custom_texts(redis, second) if "进展" in t]
    assert f"{root}（村口的自来水管爆了到处是…）" in mine
    assert f"{duplicate}（村口水管爆了）" in theirs and "水管已经关了，明天换新的" in theirs


def test_the_survey_names_the_problem_in_words(client, wx, res, redis):
    villager, number = report(client, wx)
    say(client, wx, cadre_openid(MEMBER), f"签收 {number}")
    say(client, wx, cadre_openid(MEMBER), f"办结 {number} 路灯已全部修好")
    drain(res)
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
    with clock.at(req.resolved_at + timedelta(hours=25)):  # the 回访 job, run by a worker a day later
        res.queue("default").enqueue(jobs.survey, req.id, 0)
        drain(res)
    sent = custom_texts(redis, villager)
    [resolved] = [t for t in sent if "已办结" in t and "回访：" not in t]
    assert f"{number}（{WORDS}）" in resolved and "路灯已全部修好" in resolved
    [survey] = [t for t in sent if t.startswith("回访")]
    assert f"{number}（{WORDS}）" in survey and "1-5" in survey
    with clock.at(req.resolved_at + timedelta(hours=26)):
        r = say(client, wx, villager, "5")  # the thanks for the rating names it too
    assert f"{number}（{WORDS}）" in r.text and "销号" in r.text


def test_a_cadre_who_asks_in_a_progress_report_gets_the_villagers_answer(client, wx, res, redis):
    villager, number = report(client, wx)
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, f"签收 {number}")
    say(client, wx, cadre, f"进展 {number} 电工明天上午来，家里有人吗？")
    drain(res)
    with res.db.session() as s:
        requests_before = s.scalar(select(Request.id).order_by(Request.id.desc()).limit(1))
    r = say(client, wx, villager, "有人 我阿妈一直在家")
    assert number in r.text
    drain(res)
    with res.db.session() as s:
        [answer] = s.scalars(select(RequestEvent).join(Request).where(
            Request.number == number, RequestEvent.kind == "villager_answer")).all()
        assert answer.data["text"] == "有人 我阿妈一直在家"
        assert s.scalar(select(Request.id).order_by(Request.id.desc()).limit(1)) == requests_before
        cadre_member = s.scalar(select(Member).where(Member.openid == cadre))
        told = s.scalars(select(Outbox).where(Outbox.event == "villager_answer",
                                              Outbox.recipient_member_id == cadre_member.id)).all()
        assert len(told) == 1


def test_a_progress_report_without_a_question_leaves_the_next_message_alone(client, wx, res, redis):
    villager, number = report(client, wx)
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, f"签收 {number}")
    say(client, wx, cadre, f"进展 {number} 电工明天上午来修")
    drain(res)
    r = say(client, wx, villager, "我家羊病了两只不吃草")
    assert NUMBER.search(r.text).group(0) != number  # a new problem is a new request


def test_a_tibetan_villager_gets_the_survey_in_tibetan_and_chinese(client, wx, res, redis):
    villager = villager_of(client, wx, 7)
    r = say(client, wx, villager, "ཆུ་དོང་ཆག་འདུག")  # Tibetan: the language is remembered
    number = NUMBER.search(r.text).group(0)
    with res.db.session() as s:
        from bot.models import Member as M
        from bot.services import admin_actions
        req = s.scalar(select(Request).where(Request.number == number))
        admin_actions.route(s, res, s.scalar(select(M).where(M.login == "guoluo")), req, "governance", train=False)
    drain(res)
    say(client, wx, cadre_openid(MEMBER), f"签收 {number}")
    say(client, wx, cadre_openid(MEMBER), f"办结 {number} 水管换好了")
    drain(res)
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
    with clock.at(req.resolved_at + timedelta(hours=25)):
        res.queue("default").enqueue(jobs.survey, req.id, 0)
        drain(res)
    [survey] = [t for t in custom_texts(redis, villager) if "回访：" in t]
    from nlp import tibetan
    first, rest = survey.split("\n", 1)
    assert tibetan.is_tibetan(first.replace(number, "")) and "1-5" in rest and number in survey
