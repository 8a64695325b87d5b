"""微心愿 end to end: a villager's wish through the webhook, the secretary's review page, the
public board, claims by chat and by the board, reminders and release on the injected clock,
fulfilment with a photo, the villager's thanks reaching the claimer — with real RQ workers
and the fake WeChat API's call records."""
from datetime import timedelta
from urllib.parse import urlsplit

from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from bot.dev import fake_api
from bot.jobs import sweep_wishes, wish_claim_check
from bot.models import Attachment, Outbox, Request, Wish
from bot.services import wishes
from bot.services.clock import utcnow
from tests.support.wechat import deliver, say
from tests.support.wishes import openid_of, review_url, short, submit, wish
from tests.support.workers import drain

WISH_TEXT = "微心愿：家里两位老人的电饭锅坏了，想要一个新的电饭锅。我电话13912345678"


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def texts_to(redis, openid):
    out = []
    for c in fake_api.calls(redis, touser=openid):
        if c["kind"] == "custom":
            out.append(c["request"]["text"]["content"])
        elif c["kind"] == "template":
            out.append(" ".join(v["value"] for v in c["request"]["data"].values()))
    return out


def publish(client, res, number, text=None, category="daily"):
    url = path(review_url(res, number))
    r = client.post(url + "/approve", data={"public_text": text or wish(res, number).public_text,
                                            "category": category})
    assert r.status_code == 303
    return url


def test_a_wish_goes_from_the_villager_to_a_party_members_doorstep(client, wx, res, redis, claimers):
    villager, number = submit(client, wx, 1, WISH_TEXT)
    w = wish(res, number)
    assert w.status == "pending" and w.category == "daily" and "13912345678" not in w.public_text
    drain(res)  # the village secretary is asked to review, with a link to the review page
    secretary = openid_of("guoluo")
    review = [c for c in fake_api.calls(redis, touser=secretary) if c["kind"] == "template"]
    assert review and review[0]["request"]["template_id"] == "cunsheng_wish_review"
    assert "/h5/w/" in review[0]["request"]["url"]

    # the reviewer sees who asked; edits the public wording and publishes
    page = client.get(path(review[0]["request"]["url"])).get_data(as_text=True)
    assert villager in page and "13912345678" in page and "通过并发布" in page
    publish(client, res, number, "两位老人想要一个电饭锅")
    assert wish(res, number).status == "open"
    board = client.get("/board").get_data(as_text=True)
    assert "两位老人想要一个电饭锅" in board and "待认领" in board
    for secret in (villager, "13912345678", "坏了"):
        assert secret not in board
    assert client.get(f"/board/wish/{w.id}").status_code == 200

    # a party member claims by chat and is told whom to contact; the villager hears of it
    zhang = openid_of("party-zhang")
    r = say(client, wx, zhang, f"认领 {short(number)}")
    assert "认领成功" in r.text and "尕藏才旦" in r.text, r.text
    assert "已由 张建国 认领" in client.get("/board").get_data(as_text=True)
    assert "已经由您认领" in say(client, wx, zhang, f"认领 {number}").text
    assert "刚刚已被张建国认领" in say(client, wx, openid_of("party-li"), f"认领 {short(number)}").text

    # fulfilment: the command, then the photo
    assert "送达照片" in say(client, wx, zhang, f"完成心愿 {short(number)} 已经送到老人家里").text
    r = deliver(client, wx, wx.image(zhang, "PROOF_WISH_1"))
    assert "已完成" in r.text
    w = wish(res, number)
    assert w.status == "fulfilled" and w.proof_media_id == "PROOF_WISH_1" and w.fulfil_note == "已经送到老人家里"
    assert "已帮助实现" in client.get("/board").get_data(as_text=True)

    # the villager confirms and thanks; the thanks reaches the claimer
    r = say(client, wx, villager, "感谢张书记送来的电饭锅，老人很高兴")
    assert "已转告张建国" in r.text
    w = wish(res, number)
    assert w.status == "confirmed" and w.thanks_text.startswith("感谢张书记")
    drain(res)
    to_villager = texts_to(redis, villager)
    assert any("通过审核" in t for t in to_villager) and any("张建国认领" in t for t in to_villager)
    assert any("送达" in t and "收到" in t for t in to_villager)
    assert any("老人很高兴" in t for t in texts_to(redis, zhang))

    # the timeline, and the proof where admins look (the request's attachments, the review page)
    kinds = [e.kind for e in w.request.events]
    for k in ("created", "wish_listed", "wish_approved", "wish_claimed", "wish_fulfilled", "wish_confirmed"):
        assert k in kinds
    assert kinds.index("wish_claimed") < kinds.index("wish_fulfilled") < kinds.index("wish_confirmed")
    assert [a.label for a in w.request.attachments] == ["心愿送达照片"]
    assert w.request.status == "closed"
    admin_page = client.get(path(review_url(res, number))).get_data(as_text=True)
    assert "心愿送达照片" in admin_page and "老人很高兴" in admin_page


def test_decline_tells_the_villager_why(client, wx, res, redis):
    villager, number = submit(client, wx, 2, "微心愿：想要一台新款手机")
    url = path(review_url(res, number))
    assert "请写明" in client.post(url + "/decline", data={"reason": ""}, follow_redirects=True).get_data(as_text=True)
    client.post(url + "/decline", data={"reason": "超出微心愿的范围（一般在300元以内）"})
    w = wish(res, number)
    assert w.status == "declined" and w.request.status == "cancelled"
    assert "手机" not in client.get("/board").get_data(as_text=True)
    assert client.get(f"/board/wish/{w.id}").status_code == 404
    drain(res)
    assert any("300元以内" in t for t in texts_to(redis, villager))


def test_review_link_is_signed_and_scoped(client, wx, res):
    _, number = submit(client, wx, 3, "微心愿：孙女想要一个书包")
    w = wish(res, number)
    assert client.get("/h5/w/forged-token").status_code == 404
    with res.db.session() as s:
        from bot.models import Member

        other = s.scalar(select(Member).where(Member.login == "ennai"))  # another village's secretary
        token = wishes.review_token(other.id, w.id)
    assert client.get(f"/h5/w/{token}").status_code == 404
    assert w.category == "study"
    assert client.get(f"/board/wish/{w.id}").status_code == 404  # not yet public


def test_only_party_members_and_units_claim_and_pending_wishes_cannot_be_claimed(client, wx, res, claimers):
    _, number = submit(client, wx, 4, "微心愿：想要一床厚棉被")
    assert "绑定" in say(client, wx, "oSomeVillagerWhoIsNotMember1", f"认领 {short(number)}").text
    assert "没有找到" in say(client, wx, openid_of("party-zhang"), f"认领 {short(number)}").text
    publish(client, res, number)
    r = say(client, wx, openid_of("party-wang"), f"认领 {short(number)}")  # the unit's contact: for the unit
    assert "认领成功" in r.text
    w = wish(res, number)
    assert w.claimer_unit_id == claimers["unit-nongye"] and w.claimer_name.startswith("县农业农村局")


def test_withdraw_puts_it_back_and_another_can_claim(client, wx, res, claimers):
    _, number = submit(client, wx, 5, "微心愿：想要一个暖壶")
    publish(client, res, number)
    zhang, li = openid_of("party-zhang"), openid_of("party-li")
    say(client, wx, zhang, f"认领 {short(number)}")
    assert "不是您认领的" in say(client, wx, li, f"放弃认领 {short(number)}").text
    assert "不是您认领的" in say(client, wx, li, f"完成心愿 {short(number)}").text
    assert "已放弃认领" in say(client, wx, zhang, f"放弃认领 {short(number)}").text
    assert wish(res, number).status == "open"
    assert "认领成功" in say(client, wx, li, f"认领 {short(number)}").text
    w = wish(res, number)
    assert w.claimer_name == "李红梅" and w.claim_seq == 2
    assert [e.kind for e in w.request.events].count("wish_withdrawn") == 1


def test_unfulfilled_claim_is_reminded_then_released(client, wx, res, redis, claimers):
    _, number = submit(client, wx, 6, "微心愿：想要一副老花镜")
    publish(client, res, number)
    zhang = openid_of("party-zhang")
    say(client, wx, zhang, f"认领 {short(number)}")
    drain(res)  # the dispatch job schedules the reminder and the release in RQ
    scheduled = ScheduledJobRegistry(queue=res.queue("default")).get_job_ids()
    assert len(scheduled) == 2
    w = wish(res, number)
    assert w.claim_due_at - w.claimed_at == timedelta(hours=wishes.cfg()["claim_limit_hours"])

    def tick(at):
        with res.db.session() as s:
            fx = wishes.check_claim(s, res, s.get(Wish, w.id), w.claim_seq, at)
        fx.run_now(res)

    tick(w.claimed_at + timedelta(hours=1))
    assert "wish_reminded" not in [e.kind for e in wish(res, number).request.events]
    tick(wishes.reminder_at(w) + timedelta(minutes=1))
    tick(wishes.reminder_at(w) + timedelta(minutes=2))
    assert [e.kind for e in wish(res, number).request.events].count("wish_reminded") == 1
    tick(w.claim_due_at + timedelta(minutes=1))
    after = wish(res, number)
    assert after.status == "open" and after.claimer_name is None
    assert "wish_released" in [e.kind for e in after.request.events]
    assert wish_claim_check(w.id, w.claim_seq) == "moved-on"  # the job of the old claim does nothing
    drain(res)
    told = texts_to(redis, zhang)
    assert any("请在" in t and "完成" in t for t in told) and any("重新发布" in t for t in told)


def test_the_sweep_releases_what_the_scheduled_jobs_missed(client, wx, res, claimers):
    _, number = submit(client, wx, 7, "微心愿：想要一个热水器")
    publish(client, res, number)
    say(client, wx, openid_of("party-li"), f"认领 {short(number)}")
    with res.db.session() as s:  # the claim is older than its limit; Redis lost the jobs
        w = s.scalar(select(Wish).where(Wish.status == "claimed"))
        w.claimed_at = utcnow() - timedelta(days=9)
        w.claim_due_at = utcnow() - timedelta(days=2)
    assert sweep_wishes() == 1
    assert wish(res, number).status == "open"
    assert sweep_wishes() == 0


def test_unit_account_claims_and_fulfils_on_the_board(client, wx, res, redis, claimers):
    villager, number = submit(client, wx, 8, "微心愿：孩子想要一盏台灯")
    publish(client, res, number, category="study")
    w = wish(res, number)
    token = _csrf(client, "/board/login")
    assert client.post("/board/login", data={"login": "unit-nongye", "password": "bad", "csrf_token": token}
                       ).status_code == 401
    r = client.post("/board/login", data={"login": "unit-nongye", "password": "xinyuan2026", "csrf_token": token})
    assert r.status_code == 303
    assert client.post(f"/board/wish/{w.id}/claim", data={}).status_code == 400  # no CSRF token
    token = _csrf(client, f"/board/wish/{w.id}")
    r = client.post(f"/board/wish/{w.id}/claim", data={"csrf_token": token}, follow_redirects=True)
    assert "认领成功" in r.get_data(as_text=True)
    assert wish(res, number).claimer_unit_id == claimers["unit-nongye"]
    import io

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 200_000  # larger than the webhook's body limit
    r = client.post(f"/board/wish/{w.id}/fulfil", data={"csrf_token": token, "note": "已送到",
                                                        "photo": (io.BytesIO(png), "proof.png")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "已完成" in r.get_data(as_text=True)
    w = wish(res, number)
    assert w.status == "fulfilled" and w.proof_url
    assert client.get(path(w.proof_url)).data == png
    assert client.get("/board/proof/forged").status_code == 404
    assert say(client, wx, villager, "收到了").text.startswith("谢谢您的确认")
    drain(res)
    assert any("已确认收到" in t for t in texts_to(redis, openid_of("unit-nongye")))


def _csrf(client, url):
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_board_pages_filter_by_place_and_category(client, wx, res):
    _, a = submit(client, wx, 9, "微心愿：想要一个书包", "果洛藏贡麻村")
    _, b = submit(client, wx, 10, "微心愿：想要一台轮椅", "恩乃村")
    publish(client, res, a, "想要一个新书包", "study")
    url = path(review_url(res, b, "ennai"))
    client.post(url + "/approve", data={"public_text": "想要一台轮椅", "category": "care"})
    wa, wb = wish(res, a), wish(res, b)
    county = client.get("/board").get_data(as_text=True)
    assert county.index("想要一台轮椅") < county.index("想要一个新书包")  # newest first
    with res.db.session() as s:
        from bot.models import Village

        va, vb = s.get(Village, wa.village_id), s.get(Village, wb.village_id)
        ta = va.township_id
    assert "想要一台轮椅" not in client.get(f"/board/township/{ta}").get_data(as_text=True)
    assert "想要一个新书包" in client.get(f"/board/village/{va.id}").get_data(as_text=True)
    assert "想要一个新书包" not in client.get(f"/board?village={vb.id}").get_data(as_text=True)
    assert "想要一个新书包" not in client.get("/board?category=care").get_data(as_text=True)
    page = client.get("/board?category=study").get_data(as_text=True)
    assert "想要一个新书包" in page and 'property="og:title"' in page
    assert client.get("/board/village/99999").status_code == 404


def test_counts_per_village_and_period_and_excel_export(client, wx, res, claimers):
    _, a = submit(client, wx, 11, "微心愿：想要一个电饭锅")
    _, b = submit(client, wx, 12, "微心愿：想要一件棉衣")
    publish(client, res, a)
    say(client, wx, openid_of("party-zhang"), f"认领 {short(a)}")
    say(client, wx, openid_of("party-zhang"), f"完成心愿 {short(a)}")
    deliver(client, wx, wx.image(openid_of("party-zhang"), "PROOF_2"))
    vid = wish(res, a).village_id
    now = utcnow()
    with res.db.session() as s:
        got = wishes.counts(s, [vid], now - timedelta(days=1), now + timedelta(days=1))
        assert got[vid] == {"submitted": 2, "claimed": 1, "fulfilled": 1}
        assert wishes.counts(s, [vid], now + timedelta(days=1), now + timedelta(days=2))[vid] == \
            {"submitted": 0, "claimed": 0, "fulfilled": 0}
        body = wishes.export_xlsx(s, [vid])
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(body)).active.values)
    assert rows[0][0] == "编号" and {r[0] for r in rows[1:]} == {a, b}
    assert client.get("/board/export.xlsx").status_code == 403  # admins only
    from tests.support.admin import login

    login(client, "guoluo")
    r = client.get("/board/export.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_notifications_go_through_the_outbox_once(client, wx, res, claimers):
    _, number = submit(client, wx, 13, "微心愿：想要一个电饭锅")
    publish(client, res, number)
    say(client, wx, openid_of("party-zhang"), f"认领 {short(number)}")
    drain(res)
    drain(res)
    with res.db.session() as s:
        rid = s.scalar(select(Request.id).where(Request.number == number))
        rows = s.scalars(select(Outbox).where(Outbox.request_id == rid)).all()
        assert rows and all(o.status == "sent" for o in rows)
        assert len({o.dedupe_key for o in rows}) == len(rows)
        assert not s.scalars(select(Attachment).where(Attachment.request_id == rid)).all()
