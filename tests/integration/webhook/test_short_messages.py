"""Short messages that are not problems create no request and wake nobody.

查 and the other ways of asking for progress show the villager's own requests; a quoted
request number shows that request (never anyone else's); 1, ok, 嗯, 123456 … get a short
help reply. Short problems (停电了) and Tibetan or longer non-Chinese texts still become
requests, and the dialogs that take a bare number keep working.
"""
import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.models import Attachment, Outbox, Request
from handlers import texts
from tests.support.wechat import deliver, openid, say, villager_of

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
PROGRESS_QUESTIONS = ["查", "查下", "查查", "处理到哪一步了", "到哪一步了", "办好了没有", "办了没有", "弄好没",
                      "有结果了吗", "什么时候能修好", "办完了没"]
CHATTER = ["1", "ok", "好", "嗯", "？", "123456", "哈哈", "hello", "OK!"]


def _counts(res):
    """(requests, outbox rows) in the whole database."""
    with res.db.session() as s:
        return s.scalar(select(func.count(Request.id))), s.scalar(select(func.count(Outbox.id)))


def _new_request(client, wx, me, text):
    r = say(client, wx, me, text)
    m = NUMBER.search(r.text)
    assert m, (text, r.text)
    return m.group(0)


def test_chatter_gets_the_help_reply_and_creates_nothing(client, wx, res):
    me = villager_of(client, wx, 60)
    for text in CHATTER:
        r = say(client, wx, me, text)
        assert r.status == 200 and not NUMBER.search(r.text), (text, r.text)
        expected = texts.EMPTY if text == "？" else texts.SHORT_HELP
        assert r.text == expected, (text, r.text)
        assert _counts(res) == (0, 0), text


def test_progress_questions_list_the_villagers_requests_and_create_nothing(client, wx, res):
    me = villager_of(client, wx, 61)
    number = _new_request(client, wx, me, "路灯坏了晚上看不见")
    before = _counts(res)
    assert before[0] == 1 and before[1] > 0
    for text in PROGRESS_QUESTIONS:
        r = say(client, wx, me, text)
        assert number in r.text and "已派单" in r.text and texts.OPEN_LIST_HEAD in r.text, (text, r.text)
        assert _counts(res) == before, text


def test_progress_question_with_nothing_open(client, wx, res):
    me = villager_of(client, wx, 62)
    for text in ("查", "办好了没有", "GC-2026-000001"):
        r = say(client, wx, me, text)
        assert "没有正在办理" in r.text or "没有找到" in r.text, (text, r.text)
    assert _counts(res) == (0, 0)


def test_a_quoted_number_shows_that_request(client, wx, res):
    me = villager_of(client, wx, 63)
    a = _new_request(client, wx, me, "路灯坏了晚上看不见")
    b = _new_request(client, wx, me, "牛羊饲料补贴没发")
    before = _counts(res)
    year, serial = a.split("-")[1], a.split("-")[2]
    for text in (a, a.lower(), f"gc-{year}-{int(serial)}", serial, f"查询 {a}", f"{a} 怎么样了"):
        r = say(client, wx, me, text)
        assert a in r.text and "路灯" in r.text and "已派单" in r.text, (text, r.text)
        assert b not in r.text, (text, r.text)
        assert _counts(res) == before, text


def test_a_quoted_number_of_a_finished_request_shows_its_status(client, wx, res):
    """Weeks later a villager asks about a request that is no longer open: they hear it was
    done, not that it cannot be found."""
    me = villager_of(client, wx, 66)
    done = _new_request(client, wx, me, "路灯坏了晚上看不见")
    closed = _new_request(client, wx, me, "桥边的护栏断了很危险")
    with res.db.session() as s:
        s.scalar(select(Request).where(Request.number == done)).status = "resolved"
        s.scalar(select(Request).where(Request.number == closed)).status = "closed"
    before = _counts(res)
    for text, number, label, summary in ((done, done, "已办结", "路灯"), (f"{closed[-6:]}", closed, "已销号", "护栏"),
                                         (f"{closed} 怎么样了", closed, "已销号", "护栏")):
        r = say(client, wx, me, text)
        assert number in r.text and label in r.text and summary in r.text, (text, r.text)
    other = villager_of(client, wx, 67)  # someone else's finished request stays unknown to them
    r = say(client, wx, other, done)
    assert "没有找到" in r.text and "路灯" not in r.text and "已办结" not in r.text
    assert _counts(res) == before


def test_someone_elses_number_is_not_found_and_nothing_is_revealed(client, wx, res):
    other = villager_of(client, wx, 64)
    theirs = _new_request(client, wx, other, "桥边的护栏断了很危险")
    me = villager_of(client, wx, 65)
    mine = _new_request(client, wx, me, "路灯坏了晚上看不见")
    before = _counts(res)
    r = say(client, wx, me, theirs)
    assert "没有找到" in r.text and theirs in r.text  # the number the villager typed, nothing more
    assert "护栏" not in r.text and mine not in r.text and "工作队" not in r.text and "已派单" not in r.text
    r = say(client, wx, me, theirs[-6:])  # six digits that are not theirs: just the help
    assert r.text == texts.SHORT_HELP
    assert _counts(res) == before


def test_short_problems_and_non_chinese_texts_still_become_requests(client, wx, res):
    me = villager_of(client, wx, 66)
    for text in ("停电了", "没水了", "路塌了", "着火了"):
        assert NUMBER.search(say(client, wx, me, text).text), text
    for text in ("hello my road is broken", "ok thanks"):
        r = say(client, wx, me, text)
        assert NUMBER.search(r.text) and r.text.startswith("已收到"), (text, r.text)
    r = say(client, wx, me, "ཆུ་དོང་ཆག་འདུག")  # Tibetan: "the water pipe is broken"
    assert NUMBER.search(r.text) and "已收到" in r.text and "ཨང་རྟགས" in r.text
    with res.db.session() as s:
        assert s.scalar(select(func.count(Request.id))) == 7
        latin = s.scalar(select(Request).where(Request.text == "hello my road is broken"))
        assert latin.status == "needs_review" and latin.review_reason == "non_chinese"
        tibetan = s.scalar(select(Request).where(Request.text.like("ཆུ་དོང%")))
        assert tibetan.status == "needs_review" and tibetan.review_reason == "tibetan"


def test_a_bare_number_still_chooses_a_village_at_first_contact(client, wx, res):
    me = openid(67)
    r = say(client, wx, me, "贡麻村")
    assert "1. " in r.text and "2. " in r.text
    village = re.search(r"1\. (\S+)", r.text).group(1)
    r = say(client, wx, me, "1")
    assert f"已登记您为{village}村民" in r.text
    assert _counts(res) == (0, 0)


def test_which_request_a_photo_belongs_to_still_takes_a_number(client, wx, res):
    me = villager_of(client, wx, 68)
    a = _new_request(client, wx, me, "路灯坏了晚上看不见")
    b = _new_request(client, wx, me, "牛羊饲料补贴没发")
    with res.db.session() as s:  # both requests are a day old
        for req in s.scalars(select(Request)):
            req.created_at = req.created_at - timedelta(days=1)
    before = _counts(res)
    assert "哪件事" in deliver(client, wx, wx.image(me, "MEDIA_IMG_S1")).text
    r = say(client, wx, me, "8")  # not on the list: asked again, nothing created
    assert "没有这个序号" in r.text and "照片" in r.text and _counts(res) == before
    r = say(client, wx, me, "1")  # newest first
    assert b in r.text and "照片已添加" in r.text
    with res.db.session() as s:
        atts = s.scalars(select(Attachment)).all()
        assert [x.media_id for x in atts] == ["MEDIA_IMG_S1"]
    with res.db.session() as s:  # the photo's team is told; nothing else was created
        told = s.scalar(select(func.count(Outbox.id)).join(Request).where(Request.number == b,
                                                                          Outbox.event == "supplement"))
    assert told >= 1 and _counts(res) == (before[0], before[1] + told) and a != b


def test_location_without_coordinates_and_photo_without_media_are_not_attached(client, wx, res):
    me = villager_of(client, wx, 69)
    number = _new_request(client, wx, me, "桥边的护栏断了很危险")
    for lat, lng in (("", ""), ("abc", "def"), ("nan", "100.1"), (0, 0), (123.0, 500.0)):
        r = deliver(client, wx, wx.location(me, lat, lng, "刚察县"))
        assert "没有收到位置" in r.text and number not in r.text, (lat, lng, r.text)
    xml, mid = wx._xml(me, "image", {"PicUrl": "http://mmbiz.qpic.cn/demo.jpg"}, None)
    r = deliver(client, wx, (xml, mid))
    assert "没有收到图片" in r.text and number not in r.text
    with res.db.session() as s:
        assert s.scalar(select(func.count(Attachment.id))) == 0
    # a real location still attaches
    assert number in deliver(client, wx, wx.location(me, 37.32, 100.13, "刚察县沙柳河镇")).text
    with res.db.session() as s:
        assert s.scalar(select(func.count(Attachment.id))) == 1


def test_unknown_message_kinds_are_told_that_links_work_too(client, wx, res):
    me = villager_of(client, wx, 70)
    xml, mid = wx._xml(me, "video", {"MediaId": "V1", "ThumbMediaId": "T1"}, None)
    r = deliver(client, wx, (xml, mid))
    assert "链接" in r.text and "图片" in r.text
    assert _counts(res) == (0, 0)


def test_braces_in_a_request_do_not_break_the_progress_reply(client, wx, res):
    me = villager_of(client, wx, 71)
    number = _new_request(client, wx, me, "路灯坏了{3号杆}晚上看不见")
    for text in ("查询", number):
        r = say(client, wx, me, text)
        assert r.status == 200 and number in r.text and "{3号杆}" in r.text, (text, r.text)
