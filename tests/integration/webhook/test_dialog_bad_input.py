"""Bad input to the dialog (issue 11): a sensible reply, nothing lost, no phantom request, no
cadre woken for nothing, no number leaked to someone it does not belong to. Through the
webhook with the real workers; only WeChat is faked."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.models import InboundMessage, Outbox, Request, RequestEvent
from bot.services.clock import utcnow
from tests.support import clock
from tests.support.cadres import cadre_openid
from tests.support.wechat import say, villager_of
from tests.support.workers import drain

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
CADRE = "guoluo-governance-2"  # 果洛藏贡麻村 社会治理工作队


def count(res, model, *where):
    with res.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def cadre_rows(res) -> int:
    return count(res, Outbox, Outbox.channel != "villager")


def test_a_5000_character_letter_makes_at_most_five_requests_and_loses_nothing(client, wx, res):
    me = villager_of(client, wx, 1)
    parts = ["村口的路灯坏了三盏晚上黑得很", "巷子里的垃圾好几天没人拉了", "我家的羊病了两只不吃草",
             "我阿妈的高龄补贴三个月没发了", "村里的农家书屋一直锁着门", "去镇上的路被大车压烂了"]
    letter = "。".join(parts[i % len(parts)] + f"（第{i}件）" for i in range(400))[:5000]
    r = say(client, wx, me, letter)
    numbers = NUMBER.findall(r.text)
    assert 2 <= len(numbers) <= 5 and len(set(numbers)) == len(numbers)
    drain(res)
    with res.db.session() as s:
        made = s.scalars(select(Request).order_by(Request.id)).all()
        assert sorted(x.number for x in made) == sorted(numbers)
        inbound = s.scalars(select(InboundMessage).where(InboundMessage.openid == me)
                            .order_by(InboundMessage.id.desc())).first()
        assert inbound.content == letter  # the whole letter is kept
        assert all(x.text for x in made)


def test_a_chase_with_nothing_open_asks_and_wakes_nobody(client, wx, res):
    me = villager_of(client, wx, 1)
    before = cadre_rows(res)
    r = say(client, wx, me, "都三天了怎么还没人来")
    drain(res)
    assert "什么事" in r.text and not NUMBER.search(r.text)
    assert count(res, Request) == 0 and cadre_rows(res) == before


def test_a_supplement_a_week_after_done_is_a_new_request_not_a_reopening(client, wx, res):
    me = villager_of(client, wx, 1)
    first = NUMBER.search(say(client, wx, me, "村口的路灯坏了").text).group(0)
    cadre = cadre_openid(CADRE)
    say(client, wx, cadre, f"签收 {first}")
    say(client, wx, cadre, f"办结 {first} 换了新灯泡")
    drain(res)
    with clock.at(utcnow() + timedelta(days=8)):
        r = say(client, wx, me, "对了补充一下 那个路灯又不亮了 这回是灯杆歪了快倒了")
        drain(res)
    second = NUMBER.search(r.text).group(0)
    assert second != first
    with res.db.session() as s:
        assert s.scalar(select(Request.status).where(Request.number == first)) == "resolved"
        assert s.scalar(select(func.count()).select_from(RequestEvent).join(Request).where(
            Request.number == first, RequestEvent.kind == "supplement")) == 0


def test_villagers_quoting_each_others_numbers_learn_nothing_and_attach_nothing(client, wx, res):
    a, b = villager_of(client, wx, 1), villager_of(client, wx, 2)
    mine = NUMBER.search(say(client, wx, a, "我家自来水管子冻裂了").text).group(0)
    drain(res)
    for text in (f"查询 {mine}", f"{mine} 到底啥时候修", f"撤销 {mine}", f"对了补充一下 {mine} 是三社那个"):
        r = say(client, wx, b, text)
        assert "自来水" not in r.text and "冻裂" not in r.text
    drain(res)
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == mine))
        assert req.status == "assigned" and (req.chase_count or 0) == 0
        kinds = set(s.scalars(select(RequestEvent.kind).where(RequestEvent.request_id == req.id)))
        assert not kinds & {"chase", "supplement", "cancelled"}


def test_tibetan_mixed_with_chinese_and_digits_gets_a_request_and_a_reply_in_both(client, wx, res):
    me = villager_of(client, wx, 1)
    r = say(client, wx, me, "3社 ཆུ་དོང་ཆག་འདུག 5天了 没水")
    assert r.status == 200 and NUMBER.search(r.text)
    drain(res)
    assert count(res, Request) == 1
    r = say(client, wx, me, "👍")
    assert count(res, Request) == 1 and not NUMBER.findall(r.text)[1:]


def test_emoji_and_dots_make_nothing(client, wx, res):
    me = villager_of(client, wx, 1)
    before = cadre_rows(res)
    for text in ("😂😂😂", "。。。", "👍", "……"):
        r = say(client, wx, me, text)
        assert r.status == 200 and r.text
    drain(res)
    assert count(res, Request) == 0 and cadre_rows(res) == before
