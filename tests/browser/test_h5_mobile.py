"""The cadre's task page, the villager's rating page and the error pages on a 390×844 phone
screen in Chromium: no sideways scrolling, no text under 14 px."""
import re

import pytest
from sqlalchemy import select

from bot.models import Attachment, Member, Request
from bot.services import links
from bot.services.clock import utcnow
from tests.support.wechat import say, villager_of

PHONE = {"width": 390, "height": 844}
CHECK = """() => {
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 14) small.push(el.tagName + ':' + px + ':' + el.textContent.trim().slice(0, 20));
  }
  return {width: document.documentElement.scrollWidth, small};
}"""


@pytest.fixture
def phone(chromium, live_server, res):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE,
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _task_url(client, wx, res):
    me = villager_of(client, wx, 1)
    number = re.search(r"GC-\d{4}-\d{6}", say(client, wx, me, "村口的路灯坏了好几盏晚上黑得很").text).group(0)
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        s.add(Attachment(request_id=req.id, kind="location", latitude=34.47251234, longitude=100.24561234,
                         label="果洛藏贡麻村村口靠近小卖部和卫生室的那条很长很长的路", created_at=utcnow()))
        member = s.scalar(select(Member).where(Member.login == "guoluo-governance-2"))
        return links.task_url(member.id, req.id), req.id


def fits(page):
    got = page.evaluate(CHECK)
    assert got["width"] <= PHONE["width"], got
    assert not got["small"], got["small"]


def test_task_rating_and_error_pages_fit_a_phone(phone, client, wx, res, artifacts):
    url, rid = _task_url(client, wx, res)
    phone.goto(url)
    fits(phone)
    phone.screenshot(path=str(artifacts / "h5-task-390.png"), full_page=True)
    phone.fill("form[action$='/progress'] textarea", "已联系电工明天来修")
    phone.click("form[action$='/progress'] button")
    assert phone.locator(".msg").inner_text() == "进展已记录。"
    fits(phone)
    phone.goto(links.rating_url(rid, 0))
    fits(phone)
    for bad in (url[:-3] + "abc", "/no-such-page"):
        resp = phone.goto(bad)
        assert resp.status == 404
        fits(phone)
    phone.screenshot(path=str(artifacts / "h5-error-390.png"), full_page=True)
