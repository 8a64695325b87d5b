"""一事一销号: cadres act from the chat and the H5 page, deadlines are chased and escalated,
the villager hears back and is asked afterwards. Time is injected, never slept."""
import re
from datetime import timedelta

import requests
from sqlalchemy import func, select

from bot.dev import fake_api
from bot.jobs import followup as followup_job
from bot.models import Member, Outbox, Request, RequestEvent, Villager
from bot.services import followup, links
from bot.services.clock import utcnow
from tests.support.cadres import cadre_openid
from tests.support.wechat import deliver, say, villager_of
from tests.support.workers import drain

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
LEADER = "guoluo-governance"  # 果洛藏贡麻村 社会治理工作队 队长
MEMBER = "guoluo-governance-2"


def report(client, wx, n=1, text="村口的路灯坏了好几盏晚上黑得很"):
    me = villager_of(client, wx, n)
    number = NUMBER.search(say(client, wx, me, text).text).group(0)
    return me, number


def load(res, number):
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        req.events, req.village  # load while attached
        return req


def events(res, number):
    return [e.kind for e in load(res, number).events]


def outbox_events(res, number):
    with res.db.session() as s:
        rid = s.scalar(select(Request.id).where(Request.number == number))
        return sorted((o.event, o.recipient_member_id or 0) for o in s.scalars(select(Outbox).where(
            Outbox.request_id == rid)))


def test_cadre_accepts_reports_progress_resolves_with_proof_by_chat(client, wx, res, redis):
    villager, number = report(client, wx)
    cadre = cadre_openid(MEMBER)
    short = str(int(number[-6:]))
    r = say(client, wx, cadre, f"签收 {short}")
    assert "已签收" in r.text and number in r.text
    assert "已经签收" in say(client, wx, cadre, f"签收 {number}").text
    assert "已记录" in say(client, wx, cadre, f"进展 {short} 已联系电工明天来修").text
    assert "已办结" in say(client, wx, cadre, f"办结 {short} 路灯已全部修好").text
    assert "办结照片" in deliver(client, wx, wx.image(cadre, "PROOF_1")).text
    req = load(res, number)
    assert req.status == "resolved" and req.accepted_at and req.resolved_at and req.resolution == "路灯已全部修好"
    assert [k for k in events(res, number) if k in ("accepted", "progress", "resolved", "proof")] == \
        ["accepted", "progress", "resolved", "proof"]
    drain(res)
    to_villager = fake_api.calls(redis, touser=villager)
    texts = [c["request"]["text"]["content"] for c in to_villager if c["kind"] == "custom"]
    assert any("签收" in t for t in texts) and any("已办结" in t and "路灯已全部修好" in t for t in texts)


def test_only_the_assigned_team_or_those_above_can_act(client, wx, res):
    _, number = report(client, wx)
    short = str(int(number[-6:]))
    assert "不在您负责的范围" in say(client, wx, cadre_openid("guoluo-ecology"), f"签收 {number}").text
    assert "没有找到" in say(client, wx, cadre_openid("guoluo-ecology"), f"签收 {short}").text
    assert "没有找到" in say(client, wx, cadre_openid("ennai"), f"签收 {short}").text
    assert "已签收" in say(client, wx, cadre_openid("guoluo"), f"签收 {short}").text  # the village secretary


def test_my_tasks_lists_overdue_first(client, wx, res):
    _, first = report(client, wx, 1, "路灯坏了")
    _, second = report(client, wx, 2, "村里道路塌了一个坑")
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == second))
        req.due_at = utcnow() - timedelta(hours=1)
    text = say(client, wx, cadre_openid(LEADER), "我的任务").text
    assert text.index(second) < text.index(first) and "已超时" in text


def test_return_sends_it_back_for_review(client, wx, res):
    _, number = report(client, wx)
    r = say(client, wx, cadre_openid(LEADER), f"退回 {number} 这是产业队的事")
    assert "已退回" in r.text
    req = load(res, number)
    assert req.status == "needs_review" and req.team_id is None
    assert ("returned", followup_member_id(res, "guoluo")) in outbox_events(res, number)


def followup_member_id(res, login):
    with res.db.session() as s:
        return s.scalar(select(Member.id).where(Member.login == login))


def test_binding_code_binds_once_and_expires(client, wx, res):
    phone = "oNewPhoneOfTheTeamMember0001"
    with res.db.session() as s:
        m = s.scalar(select(Member).where(Member.login == MEMBER))
        code = followup.issue_binding_code(s, m, utcnow())
        old = followup.issue_binding_code(s, m, utcnow() - timedelta(days=2))
    assert "无效或已过期" in say(client, wx, phone, f"绑定 {old}").text
    assert "绑定成功" in say(client, wx, phone, f"绑定 {code}").text
    assert "无效或已过期" in say(client, wx, "oSomeoneElseTriesTheCode0001", f"绑定 {code}").text
    with res.db.session() as s:
        assert s.scalar(select(Member.openid).where(Member.login == MEMBER)) == phone
    assert "我的待办" in say(client, wx, phone, "我的任务").text or "没有待办" in say(client, wx, phone, "我的任务").text
    assert "解除绑定" in say(client, wx, phone, "解绑").text
    assert "绑定干部" not in say(client, wx, phone, "我的任务").text or True
    with res.db.session() as s:
        assert s.scalar(select(Member.openid).where(Member.login == MEMBER)) is None


def test_member_qr_scene_binds(client, wx, res):
    phone = "oScannedTheMemberQrCode00001"
    with res.db.session() as s:
        code = followup.issue_binding_code(s, s.scalar(select(Member).where(Member.login == LEADER)), utcnow())
    r = deliver(client, wx, wx.event(phone, "subscribe", EventKey=f"qrscene_member_{code}"))
    assert "绑定成功" in r.text


def test_reminders_and_escalation_follow_the_clock_and_happen_once(client, wx, res):
    _, number = report(client, wx)
    req = load(res, number)
    start, due = req.assigned_at, req.due_at

    def tick(at):
        with res.db.session() as s:
            followup.advance(s, res, s.get(Request, req.id), at)

    tick(start + timedelta(hours=1))
    assert "reminded" not in events(res, number)
    tick(start + timedelta(hours=5))  # not accepted within 4 h
    tick(start + timedelta(hours=5, minutes=1))
    assert events(res, number).count("reminded") == 1
    tick(start + (due - start) * 0.76)  # past 50% and 75%
    assert events(res, number).count("reminded") == 3
    tick(due + timedelta(minutes=1))
    assert load(res, number).escalation_level == 1
    tick(due + timedelta(hours=24, minutes=1))
    tick(due + timedelta(hours=48, minutes=1))
    tick(due + timedelta(hours=96))
    req = load(res, number)
    assert req.escalation_level == 3 and events(res, number).count("escalated") == 3
    ids = {login: followup_member_id(res, login) for login in ("guoluo", "shaliuhe", "county")}
    sent = outbox_events(res, number)
    assert ("escalation", ids["guoluo"]) in sent and ("escalation", ids["shaliuhe"]) in sent
    assert ("escalation", ids["county"]) in sent
    assert sum(1 for e, _ in sent if e == "reminder") == 3 * 2  # three stages × two team members


def test_accepted_request_gets_no_accept_reminder(client, wx, res):
    _, number = report(client, wx)
    say(client, wx, cadre_openid(MEMBER), f"签收 {number}")
    req = load(res, number)
    with res.db.session() as s:
        followup.advance(s, res, s.get(Request, req.id), req.assigned_at + timedelta(hours=5))
    assert "reminded" not in events(res, number)


def test_followups_are_scheduled_in_rq_and_a_moved_on_job_does_nothing(client, wx, res):
    from rq.registry import ScheduledJobRegistry

    _, number = report(client, wx)
    drain(res)  # the dispatch job schedules the follow-ups
    registry = ScheduledJobRegistry(queue=res.queue("default"))
    assert len(registry.get_job_ids()) >= 5  # accept reminder, 50%, 75%, three escalation levels
    req = load(res, number)
    with res.db.session() as s:
        s.get(Request, req.id).reopen_count = 1  # the request moved on (reopened)
    assert followup_job(req.id, 0) == "moved-on"


def _resolve(client, wx, number):
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, f"签收 {number}")
    say(client, wx, cadre, f"办结 {number} 已经修好了")


def test_survey_rating_closes_or_reopens(client, wx, res, redis):
    villager, number = report(client, wx)
    _resolve(client, wx, number)
    req = load(res, number)
    with res.db.session() as s:
        followup.send_survey(s, res, s.get(Request, req.id), req.resolved_at + timedelta(hours=25))
    drain(res)
    assert any("回访" in c["request"].get("text", {}).get("content", "")
               for c in fake_api.calls(redis, touser=villager) if c["kind"] == "custom")
    r = say(client, wx, villager, "2")
    assert "重新交给" in r.text
    req = load(res, number)
    assert req.status == "reopened" and req.escalation_level == 1 and req.rating == 2 and req.reopen_count == 1
    assert ("reopened", followup_member_id(res, MEMBER)) in outbox_events(res, number)
    # the second time round the villager is happy
    _resolve(client, wx, number)
    with res.db.session() as s:
        followup.send_survey(s, res, s.get(Request, req.id), utcnow() + timedelta(hours=25))
    assert "销号" in say(client, wx, villager, "满意").text
    assert load(res, number).status == "closed"


def test_unanswered_survey_closes_after_the_configured_time(client, wx, res):
    _, number = report(client, wx)
    _resolve(client, wx, number)
    req = load(res, number)
    t = req.resolved_at + timedelta(hours=25)
    with res.db.session() as s:
        followup.send_survey(s, res, s.get(Request, req.id), t)
        assert not followup.close_unanswered(s, s.get(Request, req.id), t + timedelta(hours=10))
        assert followup.close_unanswered(s, s.get(Request, req.id), t + timedelta(hours=73))
    assert load(res, number).status == "closed"


def test_outside_the_48_hour_window_the_villager_gets_a_template(client, wx, res, redis):
    villager, number = report(client, wx)
    with res.db.session() as s:
        v = s.scalar(select(Villager).where(Villager.openid == villager))
        v.last_inbound_at = utcnow() - timedelta(hours=49)
    say(client, wx, cadre_openid(MEMBER), f"签收 {number}")
    drain(res)
    calls = fake_api.calls(redis, touser=villager)
    assert [c["kind"] for c in calls] == ["template"] and calls[0]["errcode"] == 0


def test_45047_from_wechat_falls_back_to_a_template(client, wx, res, redis):
    villager, number = report(client, wx)
    fake_api.configure(redis, window_limit=0)  # WeChat's own count says the window is used up
    say(client, wx, cadre_openid(MEMBER), f"签收 {number}")
    drain(res)
    kinds = [(c["kind"], c["errcode"]) for c in fake_api.calls(redis, touser=villager)]
    assert kinds == [("custom", 45047), ("template", 0)]


def test_villager_cancels_and_the_team_is_told(client, wx, res):
    villager, number = report(client, wx)
    r = say(client, wx, villager, f"撤销 {int(number[-6:])}")
    assert "已撤销" in r.text and load(res, number).status == "cancelled"
    assert ("cancelled", followup_member_id(res, MEMBER)) in outbox_events(res, number)
    assert "没有找到" in say(client, wx, villager, "撤销 999999").text


def test_h5_task_page_accepts_and_resolves_without_login(client, wx, res, live_server):
    _, number = report(client, wx)
    with res.db.session() as s:
        url = s.scalar(select(Outbox.payload).where(Outbox.recipient_member_id == followup_member_id(res, MEMBER),
                                                    Outbox.event == "new_task"))["url"]
    browser = requests.Session()  # the page's form token is tied to the browser's cookie
    page = browser.get(url, timeout=10)
    assert page.status_code == 200 and number in page.text and "签收" in page.text
    assert len(page.content) < 20_000  # light enough for a weak signal
    f = re.search(r'name="f" value="(\w+)"', page.text).group(1)
    r = browser.post(url + "/accept", data={"f": f}, timeout=10)
    assert r.status_code == 200 and "已签收" in r.text
    r = browser.post(url + "/resolve", data={"text": "已修好", "f": f}, timeout=10)
    assert "已办结" in r.text and load(res, number).status == "resolved"
    forged = url[:-3] + "abc"
    assert requests.get(forged, timeout=10).status_code == 404


def test_h5_rating_page(client, wx, res, live_server):
    _, number = report(client, wx)
    _resolve(client, wx, number)
    req = load(res, number)
    url = links.rating_url(req.id, 0)
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert "非常满意" in page.text
    f = re.search(r'name="f" value="(\w+)"', page.text).group(1)
    r = browser.post(url, data={"rating": "5", "f": f}, timeout=10)
    assert r.status_code == 200 and load(res, number).status == "closed" and "谢谢您的评价" in r.text
    assert browser.post(url, data={"rating": "9", "f": f}, timeout=10).status_code in (200, 400)


def test_notifications_count_once_per_recipient(client, wx, res):
    _, number = report(client, wx)
    with res.db.session() as s:
        total = s.scalar(select(func.count(Outbox.id)))
    drain(res)
    drain(res)
    with res.db.session() as s:
        assert s.scalar(select(func.count(Outbox.id))) == total
        assert s.scalar(select(func.count(RequestEvent.id)).where(RequestEvent.kind == "notified")) == total


def test_morning_digest_reaches_team_leaders_once_a_day(client, wx, res, redis):
    from bot.jobs import daily_digest

    report(client, wx)
    assert daily_digest() >= 1
    assert daily_digest() == 0  # same day: nothing new
    drain(res)
    leader_calls = [c for c in fake_api.calls(redis, touser=cadre_openid(LEADER)) if c["kind"] == "template"]
    digest = [c for c in leader_calls if c["request"]["template_id"] == "cunsheng_digest"]
    assert len(digest) == 1 and "待办1件" in digest[0]["request"]["data"]["thing1"]["value"]


def test_lost_binding_tells_the_village_secretary(client, wx, res, redis):
    with res.db.session() as s:
        s.scalar(select(Member).where(Member.login == MEMBER)).openid = "bad-openid"
    report(client, wx)
    drain(res)  # the send to the bad openid fails for good; the secretary is told
    secretary = followup_member_id(res, "guoluo")
    with res.db.session() as s:
        row = s.scalar(select(Outbox).where(Outbox.event == "binding_lost"))
        assert row is not None and row.recipient_member_id == secretary


def test_monthly_ranking_tells_team_leaders_their_rank_once(client, wx, res, redis):
    from bot.jobs import monthly_ranking
    from bot.services.clock import local

    _, number = report(client, wx)
    _resolve(client, wx, number)
    month = local(utcnow()).strftime("%Y-%m")
    assert monthly_ranking(month) >= 1
    assert monthly_ranking(month) == 0
    drain(res)
    calls = [c for c in fake_api.calls(redis, touser=cadre_openid(LEADER))
             if c["kind"] == "template" and c["request"]["template_id"] == "cunsheng_ranking"]
    assert len(calls) == 1 and "排名第1/" in calls[0]["request"]["data"]["thing1"]["value"]


def test_same_problem_from_several_villagers_is_one_cluster_for_the_team(client, wx, res):
    first_villager, root = report(client, wx, 1, "村口的自来水管爆了到处是水")
    others = []
    for n, text in ((2, "村口水管爆了"), (3, "村口的水管爆裂了水流了一地")):
        me = villager_of(client, wx, n)
        r = say(client, wx, me, text)
        assert root in r.text and "一并办理" in r.text
        others.append(NUMBER.search(r.text).group(0))
    unrelated = NUMBER.search(say(client, wx, villager_of(client, wx, 4), "村口的路灯坏了").text).group(0)
    with res.db.session() as s:
        rows = {r.number: r for r in s.scalars(select(Request))}
        assert all(rows[n].duplicate_of_id == rows[root].id for n in others)
        assert rows[unrelated].duplicate_of_id is None
        # the root's timeline names each later report by its real number, the reports name the root
        reported = s.scalars(select(RequestEvent.data).where(RequestEvent.request_id == rows[root].id,
                                                             RequestEvent.kind == "duplicate_reported")).all()
        assert [d["number"] for d in reported] == others
        linked = s.scalars(select(RequestEvent.data).where(RequestEvent.kind == "duplicate_linked")).all()
        assert [d["of"] for d in linked] == [root, root]
        team_rows = s.scalar(select(func.count(Outbox.id)).where(Outbox.event == "new_task"))
    assert team_rows == 2 * 2  # the root and the unrelated request, two members each
    say(client, wx, cadre_openid(MEMBER), f"办结 {root} 水管已经换好了")
    with res.db.session() as s:
        assert {s.scalar(select(Request.status).where(Request.number == n)) for n in [root] + others} == {"resolved"}
        assert s.scalar(select(Request.status).where(Request.number == unrelated)) == "assigned"
        told = s.scalar(select(func.count(Outbox.id)).where(Outbox.event == "resolved"))
    assert told == 3  # every villager of the cluster hears back


def test_members_without_wechat_are_reached_through_the_teams_wecom_robot(client, wx, res, redis, settings):
    from bot.models import Team

    with res.db.session() as s:
        m = s.scalar(select(Member).where(Member.login == MEMBER))
        m.openid = None  # this member has no WeChat
        s.get(Team, m.team_id).wecom_webhook = f"{settings.wechat_api_base}/wecom-robot/team-key-1"
    _, number = report(client, wx)
    drain(res)
    robot = fake_api.calls(redis, touser="wecom:team-key-1")
    assert len(robot) == 1 and robot[0]["errcode"] == 0 and number in robot[0]["request"]["text"]["content"]
    leader = [c for c in fake_api.calls(redis, touser=cadre_openid(LEADER)) if c["kind"] == "template"]
    assert len(leader) == 1  # the bound leader still gets their own message, once


def test_without_a_robot_the_leader_is_told_for_members_without_wechat(client, wx, res):
    with res.db.session() as s:
        s.scalar(select(Member).where(Member.login == MEMBER)).openid = None
    _, number = report(client, wx)
    assert ("new_task", followup_member_id(res, LEADER)) in outbox_events(res, number)
    assert not any(e == "new_task" and mid == followup_member_id(res, MEMBER) for e, mid in outbox_events(res, number))


def _survey(res, number, at=None):
    req = load(res, number)
    with res.db.session() as s:
        followup.send_survey(s, res, s.get(Request, req.id), at or utcnow() + timedelta(hours=25))


def _request_count(res):
    with res.db.session() as s:
        return s.scalar(select(func.count(Request.id)))


def test_free_text_answers_to_the_survey_rate_and_are_kept_as_the_comment(client, wx, res):
    villager, number = report(client, wx, 1, "村里有条狗天天咬人，孩子都不敢出门")
    _resolve(client, wx, number)
    _survey(res, number)
    count = _request_count(res)
    r = say(client, wx, villager, "还是有狗咬人，根本没解决")
    assert "重新交给" in r.text and number in r.text
    req = load(res, number)
    assert req.status == "reopened" and req.satisfied is False and _request_count(res) == count
    rated = [e for e in req.events if e.kind == "rated"]
    assert rated[0].data["comment"] == "还是有狗咬人，根本没解决"
    # a second answer is not a new request and changes nothing
    r = say(client, wx, villager, "不满意")
    assert "已收到您的评价" in r.text
    req = load(res, number)
    assert req.reopen_count == 1 and [e.kind for e in req.events].count("rated") == 1
    assert _request_count(res) == count
    # the next time round a happy sentence closes it
    _resolve(client, wx, number)
    _survey(res, number)
    assert "销号" in say(client, wx, villager, "是的，解决了").text
    assert load(res, number).status == "closed" and _request_count(res) == count


def test_two_open_surveys_are_answered_oldest_first(client, wx, res):
    villager, first = report(client, wx, 1, "村口的路灯坏了好几盏晚上黑得很")
    second = NUMBER.search(say(client, wx, villager, "我家门前的水管冻裂了一直漏水").text).group(0)
    for number in (first, second):
        _resolve(client, wx, number)
        _survey(res, number)
    r = say(client, wx, villager, "5")
    assert first in r.text and "销号" in r.text and second in r.text  # …and the next one is asked
    assert load(res, first).status == "closed" and load(res, second).status == "resolved"
    r = say(client, wx, villager, "还没修好")
    assert second in r.text and "重新交给" in r.text
    assert load(res, second).status == "reopened" and load(res, first).status == "closed"


def test_a_late_answer_after_closing_for_no_answer_reopens_nothing(client, wx, res, live_server):
    villager, number = report(client, wx)
    _resolve(client, wx, number)
    req = load(res, number)
    t = req.resolved_at + timedelta(hours=25)
    _survey(res, number, t)
    with res.db.session() as s:
        assert followup.close_unanswered(s, s.get(Request, req.id), t + timedelta(hours=73))
    count = _request_count(res)
    r = say(client, wx, villager, "2")
    assert "重新交给" not in r.text
    req = load(res, number)
    assert req.status == "closed" and req.rating is None and req.reopen_count == 0
    assert _request_count(res) == count
    # the H5 page gives the same answer
    page = requests.post(links.rating_url(req.id, 0), data={"rating": "2"}, timeout=10)
    assert "回访已经结束" in page.text and load(res, number).status == "closed"
    # a stale state from before this fix: the chat says the same as the page
    with res.db.session() as s:
        v = s.scalar(select(Villager).where(Villager.openid == villager))
        v.state = dict(v.state or {}, rating_for=number)
    r = say(client, wx, villager, "不满意")
    assert "这次回访已经结束" in r.text and load(res, number).status == "closed"
