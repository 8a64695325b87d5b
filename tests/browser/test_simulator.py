"""The two-phone simulator in Chromium, driven as a developer or a trainer would: a new villager
types a problem into the left phone, the bot asks for the village, the request gets a number;
a real RQ worker (burst) delivers the team's notification through the fake WeChat API and the
right phone shows it; 查询, a location and a photo; bad input; a phone-sized screen."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from bot.models import Attachment, Request, Villager
from bot.services.clock import fmt_local
from tests.browser.test_wish_board import tiny_png
from tests.support.workers import drain
from tests.support.records import request_by_number as _request

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
VILLAGE = "果洛藏贡麻村"
PROBLEM = "村口的桥被洪水冲坏了"
TEAM = "社会治理工作队"


def _open(page):
    page.goto("/dev/simulator")
    # the cadre selector is filled from /dev/simulator/meta once the script has run
    expect(page.locator("#c-member option", has_text=f"{VILLAGE} / {TEAM}").first).to_be_attached()


def _send(page, text: str) -> str:
    """Type `text`, press 发送, wait for the answer; returns what appeared after my own bubble."""
    chat = page.locator("#v-chat > *")
    before = chat.count()
    page.fill("#v-text", text)
    page.click("#v-text-form button.send")
    expect(page.locator("#v-text-form button.send")).to_be_enabled()
    expect(chat).to_have_count(before + 2)  # my bubble, then the reply (or a note)
    mine, reply = chat.nth(before), chat.nth(before + 1)
    expect(mine).to_have_class(re.compile(r"\bme\b"))
    assert mine.inner_text() == text
    return reply.inner_text()


def _file_the_problem(page) -> str:
    """First contact: the problem, the village (a part of its name), 是. Returns the reply."""
    assert _send(page, PROBLEM) == f"请问您是哪个村的？请回复村名，例如：{VILLAGE}"
    assert _send(page, "果洛") == f"您是{VILLAGE}的村民吗？回复“是”确认，回复“不是”重新选择。"
    return _send(page, "是")


def _no_error_notes(page):
    errors = page.locator("#v-chat .note.error")
    assert errors.count() == 0, errors.all_inner_texts()


def test_first_contact_binds_the_village_and_the_problem_gets_a_number_team_and_deadline(page, res):
    _open(page)
    me = page.inner_text("#v-openid")
    reply = _file_the_problem(page)
    assert reply.startswith(f"好的，已登记您为{VILLAGE}村民。"), reply
    number = NUMBER.search(reply).group(0)
    assert re.fullmatch(r"GC-\d{4}-000001", number), number  # the county's first this year
    req = _request(res, number)
    assert req.text == PROBLEM
    assert f"{VILLAGE}{TEAM}" in reply  # the team, by its Chinese name
    assert f"{fmt_local(req.due_at)}前" in reply  # the deadline the request really has
    with res.db.session() as s:
        villager = s.scalar(select(Villager).where(Villager.openid == me))
        assert villager is not None and villager.village.name == VILLAGE

    listing = _send(page, "查询")
    assert listing.splitlines()[:3] == ["您正在办理的事项：", f"1. {number}｜{TEAM}｜{req.status_label}",
                                        f"   {PROBLEM}"], listing
    assert req.status_label == "已派单"
    _no_error_notes(page)


def test_the_cadre_phone_shows_what_the_worker_sent_through_the_fake_wechat_api(page, res):
    _open(page)
    leader = page.locator("#c-member option", has_text=f"{VILLAGE} / {TEAM}").filter(has_text="队长")
    page.select_option("#c-member", leader.get_attribute("value"))
    number = NUMBER.search(_file_the_problem(page)).group(0)
    cards = page.locator("#c-list .card")
    with page.expect_response(re.compile(r"/dev/wechat-api/sent\?")):
        page.click("#c-reload")
    assert cards.count() == 0  # nothing is sent before a worker runs the jobs

    drain(res)  # a real RQ worker, burst mode: dispatch, then the notifications through the fake API
    page.click("#c-reload")
    expect(cards).to_have_count(1)
    card = cards.first
    req = _request(res, number)
    expect(card.locator(".card-title")).to_have_text("紧急诉求")  # the flood made it urgent
    values = card.locator("dd").all_inner_texts()
    assert values == [number, f"{VILLAGE}社会治理", PROBLEM, fmt_local(req.due_at, with_year=True)], values
    # each value under the keyword name the template has in the account's library
    assert card.locator("dt").all_inner_texts() == ["诉求编号", "村·工作队", "诉求内容", "办理时限"]
    assert "/h5/t/" in card.locator("a.card-link").get_attribute("href")  # the signed task page

    # the village secretary hears about an urgent request too; another team's leader does not
    page.select_option("#c-member", label=f"尕藏才旦 · 村党支部书记 · {VILLAGE}")
    expect(page.locator("#c-list .card dd").first).to_have_text(number)
    other = page.locator("#c-member option", has_text=f"{VILLAGE} / 生态文明工作队").filter(has_text="队长")
    page.select_option("#c-member", other.get_attribute("value"))
    with page.expect_response(re.compile(r"/dev/wechat-api/sent\?")):
        page.click("#c-reload")
    assert page.locator("#c-list .card").count() == 0


def test_a_location_and_a_photo_join_the_open_request(page, res):
    _open(page)
    number = NUMBER.search(_file_the_problem(page)).group(0)
    chat = page.locator("#v-chat")

    page.click("#v-more")  # ＋ opens the panel with the photo and location controls
    expect(page.locator("#v-location")).to_be_visible()
    page.fill("#v-lat", "37.3301")
    page.fill("#v-lng", "100.1402")
    page.fill("#v-label", "果洛藏贡麻村村口大桥")
    page.click("#v-location")
    expect(chat.locator(".msg.me").last).to_have_text("📍 果洛藏贡麻村村口大桥（37.3301, 100.1402）")
    expect(chat.locator(".msg.them").last).to_have_text(f"位置已添加到 {number}，谢谢！")

    png = tiny_png()
    page.set_input_files("#v-photo", {"name": "bridge.png", "mimeType": "image/png", "buffer": png})
    expect(chat.locator(".msg.them").last).to_have_text(f"照片已添加到 {number}，谢谢！")
    photo = chat.locator(".msg.me img").last
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 4  # the picture I chose
    _no_error_notes(page)

    with res.db.session() as s:
        rows = s.scalars(select(Attachment).join(Request).where(Request.number == number)
                         .order_by(Attachment.id)).all()
        assert [a.kind for a in rows] == ["location", "image"]
        loc, img = rows
        assert (loc.latitude, loc.longitude, loc.label) == (37.3301, 100.1402, "果洛藏贡麻村村口大桥")
        assert img.media_id and img.url.endswith(f"/dev/wechat-api/_pic/{img.media_id}")
    # the photo the request points at is the one the villager sent
    assert page.request.get(f"/dev/wechat-api/_pic/{img.media_id}").body() == png


def test_bad_input_is_refused_in_the_page_or_answered_politely(page, res):
    _open(page)
    _file_the_problem(page)
    chat = page.locator("#v-chat > *")

    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/dev/simulator/send") else None)
    for blank in ("", "   "):  # refused in the page, as WeChat's client does; nothing is sent
        before = chat.count()
        page.fill("#v-text", blank)
        page.click("#v-text-form button.send")
        expect(chat).to_have_count(before + 1)
        expect(chat.last).to_have_text("不能发送空白消息")
    assert sent == []

    long_text = "村里的路太难走了" + "坑坑洼洼很难走，" * 249  # 2,000 characters, pasted in one go
    assert len(long_text) == 2000
    reply = _send(page, long_text)  # the page sends all of it; no silent cut at some maxlength
    number = NUMBER.search(reply).group(0)
    assert reply.startswith(("已受理，编号", "已收到，编号")), reply
    assert _request(res, number).text == long_text

    assert _send(page, "😀😀😀") == "没有收到文字内容。请用文字或语音告诉我们您遇到的问题。"

    too_long = "长" * 5001  # more than the simulator sends at once: refused with the reason, input kept
    page.fill("#v-text", too_long)
    page.click("#v-text-form button.send")
    expect(chat.last).to_have_text("文字太长（5001 字），模拟器一次最多发送 5000 字，请分几条发送。")
    assert page.input_value("#v-text") == too_long

    text = page.inner_text("#v-chat")
    assert "Traceback" not in text and "HTTP" not in text and "Error" not in text
    _no_error_notes(page)


def _box_inside(page, selector: str, container: str) -> None:
    """`selector` is visible on screen, inside `container` (not clipped) and inside the viewport."""
    page.locator(selector).scroll_into_view_if_needed()
    box, outer = page.locator(selector).bounding_box(), page.locator(container).bounding_box()
    width = page.viewport_size["width"]
    assert box and outer, selector
    assert outer["x"] - 1 <= box["x"] and box["x"] + box["width"] <= outer["x"] + outer["width"] + 1, selector
    assert -1 <= box["x"] and box["x"] + box["width"] <= width + 1, (selector, box)
    expect(page.locator(selector)).to_be_in_viewport()
    # scrolling into view may scroll a clipped box sideways: then it was out of reach for a thumb
    shifted = page.locator(selector).evaluate(
        "el => { const out = []; for (let p = el.parentElement; p; p = p.parentElement)"
        " if (p.scrollLeft) out.push(p.id || p.className); return out; }")
    assert shifted == [], (selector, shifted)


def _no_horizontal_overflow(page) -> None:
    overflow = page.evaluate("""() => [document.documentElement.scrollWidth - window.innerWidth,
        ...['v-chat', 'c-list', 'villager', 'cadre'].map(id => {
            const el = document.getElementById(id); return el.scrollWidth - el.clientWidth; })]""")
    assert all(o <= 1 for o in overflow), overflow


def test_both_phones_are_usable_on_a_phone_sized_screen(page, res, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page)
    # the villager's input and 发送 are on the first screen, without scrolling
    for sel in ("#v-text", "#v-text-form button.send", "#v-more"):
        expect(page.locator(sel)).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0

    # follow by a village's QR code: the panel's controls fit the phone
    page.click("#v-more")
    page.select_option("#v-scene", "日芒村")
    for sel in ("#v-scene", "#v-follow", "#v-unfollow", "#v-location", "#v-label"):
        _box_inside(page, sel, "#villager")
    page.screenshot(path=str(artifacts / "simulator-phone-panel.png"))
    page.click("#v-follow")
    expect(page.locator("#v-chat .msg.them").last).to_contain_text("已为您登记为日芒村村民")
    page.click("#v-more")
    expect(page.locator("#v-panel")).to_be_hidden()

    reply = _send(page, "村委会门口的路灯坏了晚上看不见")
    number = NUMBER.search(reply).group(0)
    assert f"日芒村{TEAM}" in reply, reply
    # a long line without spaces wraps inside the bubble
    _send(page, "网址" + "http://example.invalid/" + "a" * 150)
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "simulator-phone-villager.png"))

    drain(res)
    page.click(".jump >> text=干部")  # the jump link to the cadre's phone
    for sel in ("#c-member", "#c-reload"):
        _box_inside(page, sel, "#cadre")
    leader = page.locator("#c-member option", has_text=f"日芒村 / {TEAM}").filter(has_text="队长")
    page.select_option("#c-member", leader.get_attribute("value"))
    # the long line went to the team as the villager's supplement: a second card for the request
    card = page.locator("#c-list .card", has_text=number).filter(has_text="新的群众诉求")
    expect(card.locator(".card-title")).to_have_text("新的群众诉求")
    expect(page.locator("#c-list .card", has_text=number).filter(has_text="群众补充诉求内容")).to_have_count(1)
    expect(card.locator("dd").first).to_have_text(number)
    _box_inside(page, f"#c-list .card:has-text('{number}') >> nth=0", "#cadre")
    _box_inside(page, f"#c-list .card:has-text('{number}') >> nth=1", "#cadre")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "simulator-phone-cadre.png"))
    page.screenshot(path=str(artifacts / "simulator-phone.png"), full_page=True)
    _no_error_notes(page)
