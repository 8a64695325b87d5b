"""Every kind of message a villager can send gets a sensible answer and the right record."""
import re

from sqlalchemy import func, select

from bot.models import Attachment, InboundMessage, Outbox, Request, RequestEvent, Villager
from tests.support.wechat import deliver, say, villager_of

NUMBER = re.compile(r"GC-\d{4}-\d{6}")


def _request(res, number):
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        req.team  # load while attached
        events = [e.kind for e in s.scalars(select(RequestEvent).where(RequestEvent.request_id == req.id)
                                            .order_by(RequestEvent.id))]
        atts = s.scalars(select(Attachment).where(Attachment.request_id == req.id)).all()
        outbox = s.scalars(select(Outbox).where(Outbox.request_id == req.id)).all()
        return req, events, atts, outbox


def test_problem_gets_number_team_and_deadline_in_the_passive_reply(client, wx, res):
    me = villager_of(client, wx, 1)
    r = say(client, wx, me, "村里垃圾好几天没人拉了臭得很")
    number = NUMBER.search(r.text).group(0)
    assert "生态文明工作队" in r.text and "前办结" in r.text
    req, events, _, outbox = _request(res, number)
    assert req.status == "assigned" and req.kind == "ecology" and req.team.kind == "ecology"
    assert events[:3] == ["created", "classified", "assigned"]
    assert req.model_version and req.evidence
    # one outbox row per bound member of the team, in the same transaction
    assert len(outbox) == 2 and all(o.status == "pending" for o in outbox)


def test_numbers_increase_per_county_and_year(client, wx):
    me = villager_of(client, wx, 2)
    a = NUMBER.search(say(client, wx, me, "路灯坏了晚上看不见").text).group(0)
    b = NUMBER.search(say(client, wx, me, "家里老人想办医保报销不知道怎么弄").text).group(0)
    assert int(b[-6:]) == int(a[-6:]) + 1


def test_query_lists_open_requests_with_status(client, wx):
    me = villager_of(client, wx, 3)
    n1 = NUMBER.search(say(client, wx, me, "路灯坏了晚上看不见").text).group(0)
    n2 = NUMBER.search(say(client, wx, me, "牦牛合作社分红什么时候发").text).group(0)
    for q in ("查询", "查一下", "我的问题办得怎么样了"):
        text = say(client, wx, me, q).text
        assert n1 in text and n2 in text and "已派单" in text, (q, text)


def test_query_with_nothing_open(client, wx):
    me = villager_of(client, wx, 4)
    assert "没有正在办理" in say(client, wx, me, "查询").text


def test_wish_goes_to_the_micro_wish_list(client, wx, res):
    me = villager_of(client, wx, 5)
    r = say(client, wx, me, "微心愿：孙女上学想要一个新书包")
    number = NUMBER.search(r.text).group(0)
    assert "微心愿" in r.text
    req, events, _, outbox = _request(res, number)
    assert req.kind == "wish" and req.status == "wish_pending" and "书包" in req.text
    assert "wish_listed" in events and outbox  # the village secretary is told


def test_urgent_danger_is_urgent_with_a_short_deadline(client, wx, res):
    me = villager_of(client, wx, 6)
    r = say(client, wx, me, "着火了 牧民家的草垛着火了快来人")
    number = NUMBER.search(r.text).group(0)
    assert "119" in r.text
    req, _, _, outbox = _request(res, number)
    assert req.priority == "urgent"
    assert (req.due_at - req.created_at).total_seconds() <= 2 * 3600 + 1
    assert any(o.event == "urgent" for o in outbox)


def test_voice_with_recognition_becomes_a_request_from_voice(client, wx, res):
    me = villager_of(client, wx, 7)
    r = deliver(client, wx, wx.voice(me, "MEDIA_VOICE_1", recognition="我家的低保这个月没有到账"))
    number = NUMBER.search(r.text).group(0)
    req, *_ = _request(res, number)
    assert req.source == "voice" and req.kind == "welfare"


def test_voice_without_recognition_is_kept_for_review(client, wx, res):
    me = villager_of(client, wx, 8)
    for rec in (None, ""):
        r = deliver(client, wx, wx.voice(me, "MEDIA_VOICE_2", recognition=rec))
        number = NUMBER.search(r.text).group(0)
        assert "语音" in r.text
        req, events, *_ = _request(res, number)
        assert req.status == "needs_review" and req.review_reason == "voice_unrecognised"
    with res.db.session() as s:
        assert s.scalar(select(InboundMessage.media_id).where(InboundMessage.msg_type == "voice").limit(1))


def test_photo_and_location_attach_to_the_latest_open_request(client, wx, res):
    me = villager_of(client, wx, 9)
    number = NUMBER.search(say(client, wx, me, "桥边的护栏断了很危险").text).group(0)
    assert number in deliver(client, wx, wx.image(me, "MEDIA_IMG_1")).text
    assert number in deliver(client, wx, wx.location(me, 37.32, 100.13, "刚察县沙柳河镇")).text
    _, events, atts, _ = _request(res, number)
    assert sorted(a.kind for a in atts) == ["image", "location"]
    assert events.count("attachment") == 2


def test_photo_before_any_request_joins_the_next_problem(client, wx, res):
    me = villager_of(client, wx, 10)
    r = deliver(client, wx, wx.image(me, "MEDIA_IMG_2"))
    assert "照片" in r.text and "问题" in r.text
    number = NUMBER.search(say(client, wx, me, "这个路口的水管爆了到处是水").text).group(0)
    _, _, atts, _ = _request(res, number)
    assert [a.media_id for a in atts] == ["MEDIA_IMG_2"]


def test_photo_with_several_older_requests_asks_which(client, wx, res):
    me = villager_of(client, wx, 11)
    a = NUMBER.search(say(client, wx, me, "路灯坏了").text).group(0)
    b = NUMBER.search(say(client, wx, me, "牛羊饲料补贴没发").text).group(0)
    with res.db.session() as s:  # both requests are a day old
        from datetime import timedelta

        for req in s.scalars(select(Request)):
            req.created_at = req.created_at - timedelta(days=1)
    r = deliver(client, wx, wx.image(me, "MEDIA_IMG_3"))
    assert "哪件事" in r.text and a in r.text and b in r.text
    r = say(client, wx, me, "2")  # the list is newest first: 2 is the older one
    assert a in r.text
    _, _, atts, _ = _request(res, a)
    assert [x.media_id for x in atts] == ["MEDIA_IMG_3"]


def test_link_is_attached_like_a_photo(client, wx):
    me = villager_of(client, wx, 12)
    number = NUMBER.search(say(client, wx, me, "有人在群里发这个说能领补贴是不是诈骗").text).group(0)
    r = deliver(client, wx, wx.link(me, "领取补贴", "点击领取", "http://example.com/x"))
    assert number in r.text


def test_unsupported_kind_gets_a_polite_reply(client, wx, res):
    me = villager_of(client, wx, 13)
    xml, mid = wx._xml(me, "video", {"MediaId": "V1", "ThumbMediaId": "T1"}, None)
    r = deliver(client, wx, (xml, mid))
    assert r.status == 200 and "文字" in r.text
    with res.db.session() as s:
        assert s.scalar(select(func.count(Request.id))) == 0


def test_odd_texts_never_fail(client, wx, res):
    me = villager_of(client, wx, 14)
    for text in ["", "   ", "😀😀👍", "？？？", "路" * 2000, "ཁྱེད་རང་བདེ་མོ་ཡིན་པས།", "ཆུ་དོང་ཆག་འདུག", "hello my road is broken",
                 "路灯 broken 坏了 ཡིན 😀", "<script>alert(1)</script>", "]]></Content><Evil/>"]:
        r = say(client, wx, me, text)
        assert r.status == 200 and r.text, text
    with res.db.session() as s:
        long_req = s.scalar(select(Request).where(Request.text.like("路路路%")))
        assert long_req is not None and len(long_req.text) == 2000
        # a Tibetan greeting is greeted; a Tibetan report waits for a person, with its keyword topic
        assert s.scalar(select(Request).where(Request.text.like("ཁྱེད%"))) is None
        tibetan = s.scalar(select(Request).where(Request.text.like("ཆུ་དོང%")))
        assert tibetan.status == "needs_review" and tibetan.review_reason == "tibetan"
        assert tibetan.label == "governance" and tibetan.team_id is None


def test_events(client, wx, res):
    me = villager_of(client, wx, 15)
    number = NUMBER.search(say(client, wx, me, "路灯坏了").text).group(0)
    assert number in deliver(client, wx, wx.event(me, "CLICK", EventKey="MY_REQUESTS")).text
    assert "准备中" in deliver(client, wx, wx.event(me, "CLICK", EventKey="NOPE")).text
    r = deliver(client, wx, wx.event(me, "LOCATION", Latitude=37.3, Longitude=100.1, Precision=10))
    assert r.status == 200 and r.body == b"success"
    r = deliver(client, wx, wx.event(me, "SCAN", EventKey="恩乃村"))
    assert "恩乃村" in r.text
    r = deliver(client, wx, wx.event(me, "unsubscribe"))
    assert r.body == b"success"
    r = deliver(client, wx, wx.event(me, "some_future_event"))
    assert r.status == 200
    with res.db.session() as s:
        v = s.scalar(select(Villager).where(Villager.openid == me))
        assert v.subscribed is False and v.village.name == "恩乃村"


def test_policy_questions_are_answered_at_once_and_problems_still_become_requests(client, wx, res):
    me = villager_of(client, wx, 20)
    r = say(client, wx, me, "低保怎么申请")
    assert "低保" in r.text and not NUMBER.search(r.text)
    r = say(client, wx, me, "医保怎么交")
    assert "医保" in r.text and not NUMBER.search(r.text)
    r = say(client, wx, me, "我家低保被停了是怎么回事")
    assert NUMBER.search(r.text) and "社会保障" in r.text
    with res.db.session() as s:
        assert s.scalar(select(func.count(Request.id))) == 1


def test_the_stored_records_of_a_new_problem_agree_with_each_other(client, wx, res):
    """The webhook writes these rows with Core statements: each must be complete and point
    at the others, as the admin console, the workers and a retry read them."""
    from bot.models import RequestSearch
    from bot.services.search import index_tokens

    me = villager_of(client, wx, 41)
    r = say(client, wx, me, "三组的自来水管冻裂了一直漏水")
    number = NUMBER.search(r.text).group(0)
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        inbound = s.scalar(select(InboundMessage).where(InboundMessage.request_id == req.id))
        villager = s.scalar(select(Villager).where(Villager.openid == me))
        created = s.scalar(select(RequestEvent).where(RequestEvent.request_id == req.id,
                                                      RequestEvent.kind == "created"))
        search = s.get(RequestSearch, req.id)
        # the message: its reply is what the villager got, and it names the request
        assert inbound.reply == r.text and inbound.content == "三组的自来水管冻裂了一直漏水"
        assert inbound.raw["Content"] == inbound.content and inbound.raw["MsgType"] == "text"  # WeChat's fields
        assert created.data["inbound_message_id"] == inbound.id and created.actor == "villager"
        # column defaults are filled, as the ORM would have filled them
        assert (req.reopen_count, req.reminder_stage, req.escalation_level) == (0, 0, 0)
        assert req.villager_id == villager.id and req.updated_at == req.created_at == req.assigned_at
        # WeChat's 48-hour window opened by this message
        assert villager.last_inbound_at == inbound.created_at and villager.window_sent == 0
        # the admin console's search row, in the same transaction
        assert search is not None and search.tokens == index_tokens(req.text)
        # the team's notifications, one per bound member, point back at the request
        rows = s.scalars(select(Outbox).where(Outbox.request_id == req.id)).all()
        assert rows and all(o.payload["data"] and o.attempts == 0 for o in rows)
        # the number is taken last (provisional until then): every row carries the real one
        assert all(o.payload["data"]["character_string1"]["value"] == number for o in rows)
        assert "~" not in req.number and not any("~" in str(o.payload) for o in rows)
