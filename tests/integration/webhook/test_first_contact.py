"""A villager's first messages: the village is asked, matched, confirmed and remembered."""
from sqlalchemy import select

from bot.models import Request, Villager
from tests.support.wechat import deliver, openid, say


def test_first_message_asks_village_and_keeps_the_problem(client, wx, res):
    me = openid(1)
    r = say(client, wx, me, "村口的路灯坏了一个多月了晚上走路看不见")
    assert r.status == 200
    assert "哪个村" in r.text
    r = say(client, wx, me, "果洛藏")
    assert "果洛藏贡麻村" in r.text and "是" in r.text
    r = say(client, wx, me, "是")
    assert "已登记您为果洛藏贡麻村村民" in r.text
    # the first message was not lost: it became a request now
    assert "GC-" in r.text and "社会治理" in r.text
    with res.db.session() as s:
        v = s.scalar(select(Villager).where(Villager.openid == me))
        assert v.village.name == "果洛藏贡麻村"
        req = s.scalar(select(Request).where(Request.villager_id == v.id))
        assert "路灯" in req.text and req.kind == "governance"


def test_village_in_first_message_is_confirmed_then_remembered(client, wx, res):
    me = openid(2)
    assert "恩乃村" in say(client, wx, me, "恩乃村").text
    assert "已登记" in say(client, wx, me, "对").text
    r = say(client, wx, me, "我家低保今年怎么停了")
    assert "GC-" in r.text and "社会保障" in r.text


def test_unknown_village_is_asked_again(client, wx):
    me = openid(3)
    say(client, wx, me, "你好")
    r = say(client, wx, me, "北京市朝阳区")
    assert "没有找到" in r.text or "哪个村" in r.text


def test_qr_scene_binds_village_on_follow(client, wx, res):
    me = openid(4)
    r = deliver(client, wx, wx.event(me, "subscribe", EventKey="qrscene_日芒村"))
    assert "欢迎" in r.text and "日芒村" in r.text
    r = say(client, wx, me, "草场围栏被人剪断了牛羊跑进来")
    assert "日芒村" in r.text and "GC-" in r.text


def test_follow_without_scene_welcomes_and_asks_village(client, wx):
    r = deliver(client, wx, wx.event(openid(5), "subscribe"))
    assert "欢迎" in r.text and "哪个村" in r.text
