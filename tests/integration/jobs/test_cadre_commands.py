"""Cadre commands typed loosely or spoken: they act with the meaning the cadre meant, ask for
what is missing, and never turn into a villager's request."""
import re

from sqlalchemy import func, select

from bot.models import Request, RequestEvent
from tests.support.cadres import cadre_openid
from tests.support.wechat import say, villager_of
from tests.support.records import request_by_number as load

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
MEMBER = "guoluo-governance-2"


def report(client, wx, n=1, text="村口的路灯坏了好几盏晚上黑得很"):
    me = villager_of(client, wx, n)
    return me, NUMBER.search(say(client, wx, me, text).text).group(0)


def request_count(res) -> int:
    with res.db.session() as s:
        return s.scalar(select(func.count(Request.id)))


def progress_texts(res, number):
    with res.db.session() as s:
        rid = s.scalar(select(Request.id).where(Request.number == number))
        return [e.data.get("text") for e in s.scalars(select(RequestEvent).where(
            RequestEvent.request_id == rid, RequestEvent.kind == "progress"))]


def test_unreadable_commands_get_cadre_help_and_never_become_requests(client, wx, res):
    _, number = report(client, wx)
    short = str(int(number[-6:]))
    cadre = cadre_openid(MEMBER)
    before = request_count(res)
    for text in ("签收", "办结", "办结 矛盾已经调解好了", f"办结 {short}已修好", "任务太多了"):
        r = say(client, wx, cadre, text)
        assert "哪个村" not in r.text and "没有看懂" in r.text, (text, r.text)
        assert f"您的待办编号：{short}" in r.text  # the member's open task numbers
    # answering what the villager dialog would have asked files nothing either
    r = say(client, wx, cadre, "办结 羊圈的围栏已经修好了")
    assert "没有看懂" in r.text and "办结 12" in r.text
    assert request_count(res) == before
    assert load(res, number).status == "assigned"


def test_loose_and_spoken_commands_work(client, wx, res):
    _, number = report(client, wx)
    short = str(int(number[-6:]))
    cadre = cadre_openid(MEMBER)
    assert "没有待办" not in say(client, wx, cadre, "我的任务。").text
    full_width = short.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = say(client, wx, cadre, f"签收 {full_width}号。")
    assert "已签收" in r.text and number in r.text
    assert load(res, number).status == "accepted"
    assert "已记录" in say(client, wx, cadre, f"进展 #{short}，已联系电工").text
    assert progress_texts(res, number) == ["已联系电工"]


def test_missing_or_punctuation_texts_are_asked_for_not_saved(client, wx, res):
    _, number = report(client, wx)
    short = str(int(number[-6:]))
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, f"签收 {short}")
    r = say(client, wx, cadre, f"进展 {short}")
    assert "请在编号后" in r.text and progress_texts(res, number) == []
    r = say(client, wx, cadre, f"进展 {int(short):06d}")
    assert "请在编号后" in r.text and progress_texts(res, number) == []
    r = say(client, wx, cadre, f"办结 {short}。")
    assert "办理结果" in r.text and load(res, number).status == "accepted"
    r = say(client, wx, cadre, f"办结 {short}号 已修好")
    assert "已办结" in r.text
    assert load(res, number).resolution == "已修好"


def proofs(res, number):
    from bot.models import Attachment
    with res.db.session() as s:
        rid = s.scalar(select(Request.id).where(Request.number == number))
        return [a.media_id for a in s.scalars(select(Attachment).where(
            Attachment.request_id == rid, Attachment.label == "办结凭证").order_by(Attachment.id))]


def test_several_proof_photos_within_the_window_after_resolving_in_chat(client, wx, res):
    from bot.models import Villager
    from tests.support.wechat import deliver

    _, number = report(client, wx)
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, f"签收 {number}")
    say(client, wx, cadre, f"办结 {number} 路灯已修好")
    for media in ("PROOF_1", "PROOF_2"):
        assert "办结照片" in deliver(client, wx, wx.image(cadre, media)).text
    assert proofs(res, number) == ["PROOF_1", "PROOF_2"]
    with res.db.session() as s:  # the window is over
        v = s.scalar(select(Villager).where(Villager.openid == cadre))
        v.state = dict(v.state, proof_until="2000-01-01T00:00:00+00:00")
    assert "办结照片" not in deliver(client, wx, wx.image(cadre, "PROOF_3")).text
    assert proofs(res, number) == ["PROOF_1", "PROOF_2"]


def test_proof_photos_after_resolving_on_the_h5_page_are_attached(client, wx, res):
    # the H5 page resolves through followup.resolve, as here
    from bot.models import Member
    from bot.services import followup
    from bot.services.clock import utcnow
    from bot.services.effects import Effects
    from tests.support.wechat import deliver

    _, number = report(client, wx)
    cadre = cadre_openid(MEMBER)
    say(client, wx, cadre, "我的任务")  # the member has written to the account before
    with res.db.session() as s:
        member = s.scalar(select(Member).where(Member.login == MEMBER))
        req = s.scalar(select(Request).where(Request.number == number))
        assert "已办结" in followup.resolve(s, res, member, req, "已修好", utcnow(), Effects())
    assert "办结照片" in deliver(client, wx, wx.image(cadre, "H5_PROOF")).text
    assert proofs(res, number) == ["H5_PROOF"]
