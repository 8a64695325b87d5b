"""同问 through the webhook (issue 12): boilerplate never links two problems, a villager is never
同问 with themselves, an urgent report is always told as urgent, and the reply claims no more
than what was queued. Real database, Redis and RQ; only WeChat is faked."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.dev import fake_api
from bot.models import Member, Outbox, Request, Team
from tests.support.cadres import cadre_openid
from tests.support.wechat import say, villager_of
from tests.support.workers import drain

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
SECRETARY = "guoluo"  # 果洛藏贡麻村 村书记
LEADER = "guoluo-governance"  # 社会治理工作队 队长
MEMBER = "guoluo-governance-2"
SIGN_OFF = "，麻烦尽快处理，谢谢！才让 13897654321"
OPENING = "书记您好，我是三社的才让，"


def _report(client, wx, me, text):
    r = say(client, wx, me, text)
    m = NUMBER.search(r.text)
    assert m, r.text
    return m.group(0), r.text


def _request(res, number):
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        rows = s.execute(select(Outbox.event, Member.login).join(Member, Member.id == Outbox.recipient_member_id)
                         .where(Outbox.request_id == req.id)).all()
        root = s.get(Request, req.duplicate_of_id).number if req.duplicate_of_id else None
        return req.priority, root, {(event, login) for event, login in rows}


def _unbind(res, *logins):
    with res.db.session() as s:
        s.execute(update(Member).where(Member.login.in_(logins)).values(openid=None))


@pytest.fixture
def robot(res):
    """Set the team's WeCom group robot (None: no robot) for one test; restored after (the
    reset between tests does not touch teams)."""
    with res.db.session() as s:
        team_id = s.scalar(select(Member.team_id).where(Member.login == LEADER))
        before = s.get(Team, team_id).wecom_webhook

    def set_robot(url):
        with res.db.session() as s:
            s.get(Team, team_id).wecom_webhook = url

    yield set_robot
    set_robot(before)


def test_different_problems_with_the_same_opening_and_sign_off_are_two_requests_both_notified(client, wx, res, redis):
    a, _ = _report(client, wx, villager_of(client, wx, 1), OPENING + "村口的路灯坏了" + SIGN_OFF)
    b, reply = _report(client, wx, villager_of(client, wx, 2), OPENING + "村口的水管爆了，到处是水" + SIGN_OFF)
    assert "一并办理" not in reply and a not in reply
    for number in (a, b):
        _, root, rows = _request(res, number)
        assert root is None
        assert {("new_task", LEADER), ("new_task", MEMBER)} <= rows
    drain(res)
    sent = [c for c in fake_api.calls(redis, touser=cadre_openid(LEADER)) if c["kind"] == "template"]
    assert len(sent) == 2


def test_urgent_report_with_an_open_requests_sign_off_has_its_own_urgent_notifications(client, wx, res):
    a, _ = _report(client, wx, villager_of(client, wx, 1), "书记您好，打扰了，路上有个大坑，车过不去了" + SIGN_OFF)
    b, reply = _report(client, wx, villager_of(client, wx, 2),
                       "书记您好，打扰了，村东头的电线断了掉在地上，很危险" + SIGN_OFF)
    priority, root, rows = _request(res, b)
    assert priority == "urgent" and root is None
    assert {("urgent", LEADER), ("urgent", MEMBER), ("urgent", SECRETARY)} <= rows
    assert "已通知" in reply and "和村书记" in reply and "一并办理" not in reply and a not in reply


def test_urgent_report_of_an_open_problem_is_linked_and_still_told_as_urgent(client, wx, res):
    """It used to join the cluster with no notification at all while its reply said the team
    and the secretary had been told."""
    a, _ = _report(client, wx, villager_of(client, wx, 1), "村东头的电线断了掉在地上，很危险")
    b, reply = _report(client, wx, villager_of(client, wx, 2), "书记您好！村东头电线断了，掉在地上了，太危险了！")
    priority, root, rows = _request(res, b)
    assert priority == "urgent" and root == a  # 同问: one cluster for the team
    assert {("urgent", LEADER), ("urgent", MEMBER), ("urgent", SECRETARY)} <= rows
    assert "已通知" in reply and "和村书记" in reply


def _age_requests(res, hours=30):
    """Older than the dialog's 24 h for supplements, still inside the 72 h duplicate window."""
    with res.db.session() as s:
        for req in s.scalars(select(Request)):
            req.created_at -= timedelta(hours=hours)


def test_same_villagers_transformer_after_their_streetlight_is_not_linked(client, wx, res):
    me = villager_of(client, wx, 1)
    light, _ = _report(client, wx, me, OPENING + "村口的路灯坏了" + SIGN_OFF)
    _age_requests(res)
    smoke, reply = _report(client, wx, me, OPENING + "变压器冒烟了，很危险" + SIGN_OFF)
    assert smoke != light and "一并办理" not in reply
    _, root, rows = _request(res, smoke)
    assert root is None
    assert any(login == LEADER for _, login in rows)  # the team hears of the new problem


def test_same_villagers_transformer_right_after_their_streetlight_is_a_new_request(client, wx, res):
    me = villager_of(client, wx, 1)
    light, _ = _report(client, wx, me, OPENING + "村口的路灯坏了" + SIGN_OFF)
    r = say(client, wx, me, OPENING + "变压器冒烟了，很危险" + SIGN_OFF)
    m = NUMBER.search(r.text)
    assert m and m.group(0) != light, r.text


def test_a_villagers_own_open_request_is_never_their_duplicate(client, wx, res):
    """Another villager's report joined the first villager's cluster; when the first villager
    writes the same problem again it is not linked to their own request (not 同问)."""
    first = villager_of(client, wx, 1)
    root, _ = _report(client, wx, first, "村口的自来水管爆了，到处是水")
    linked, reply = _report(client, wx, villager_of(client, wx, 2), "村口水管爆了")
    assert root in reply and _request(res, linked)[1] == root
    _age_requests(res)  # old enough that the dialog does not take it as a supplement
    again, reply = _report(client, wx, first, "村口的水管又爆裂了，水流了一地")
    assert again not in (root, linked) and "一并办理" not in reply
    assert _request(res, again)[1] is None


def test_urgent_reply_names_only_who_was_queued(client, wx, res):
    _unbind(res, SECRETARY)
    _, reply = _report(client, wx, villager_of(client, wx, 1), "村东头的电线断了掉在地上，很危险")
    assert "已通知" in reply and "村书记" not in reply and "119" in reply


def test_urgent_reply_with_nobody_reachable_says_so(client, wx, res, robot):
    robot(None)
    _unbind(res, SECRETARY, LEADER, MEMBER)
    number, reply = _report(client, wx, villager_of(client, wx, 1), "村东头的电线断了掉在地上，很危险")
    assert "已通知" not in reply and "暂时没能通知到" in reply and "120" in reply
    assert _request(res, number)[2] == set()


def test_team_told_through_its_robot_counts_as_told(client, wx, res, robot, settings):
    robot(f"{settings.wechat_api_base}/wecom-robot/team-key-1")
    _unbind(res, LEADER, MEMBER)
    number, reply = _report(client, wx, villager_of(client, wx, 1), "村东头的电线断了掉在地上，很危险")
    assert "工作队和村书记" in reply
    with res.db.session() as s:
        req_id = s.scalar(select(Request.id).where(Request.number == number))
        assert s.scalar(select(Outbox.id).where(Outbox.request_id == req_id, Outbox.channel == "wecom",
                                                Outbox.event == "urgent"))


def test_secretary_alone_is_named_alone(client, wx, res, robot):
    robot(None)
    _unbind(res, LEADER, MEMBER)
    number, reply = _report(client, wx, villager_of(client, wx, 1), "村东头的电线断了掉在地上，很危险")
    assert "已通知村书记" in reply and "工作队和" not in reply
    assert ("urgent", SECRETARY) in _request(res, number)[2]
