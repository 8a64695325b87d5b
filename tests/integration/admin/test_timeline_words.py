"""The console's request page and the cadre's H5 task page show the timeline in Chinese words:
what the villager sent afterwards (补充, 催办, 回复, 致谢), the cadre's 进展 and the console's
message, with their text; no internal code reaches the screen."""
import re

import requests
from sqlalchemy import select

from bot.models import Member, Request, RequestEvent
from bot.services import links
from bot.services.clock import utcnow
from tests.support.admin import login, new_request

SENT_AFTER = {  # kind: (words on screen, the text the event holds)
    "progress": ("办理进展", "已联系电工明天来修"),
    "supplement": ("村民补充", "是第二根电线杆那个灯"),
    "chase": ("村民催办", "都三天了还没人来"),
    "villager_answer": ("村民回复", "村委会门口往东"),
    "thanks": ("村民致谢", "修好了谢谢你们"),
    "message_sent": ("给村民留言", "明天上午在家等候"),
}


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _with_events(client, wx, res) -> tuple[str, str]:
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        for kind, (_, text) in SENT_AFTER.items():
            data = {"text": text}
            if kind == "chase":
                data.update(count=2, team_told=True)
            s.add(RequestEvent(request_id=req.id, kind=kind, actor="villager", data=data, created_at=utcnow()))
        s.add(RequestEvent(request_id=req.id, kind="some_future_kind", actor="system", data={}, created_at=utcnow()))
        member_id = s.scalar(select(Member.id).where(Member.login == "guoluo-governance-2"))
        url = links.task_url(member_id, req.id)
    return number, url


def test_the_console_shows_every_kind_in_words(client, wx, res):
    number, _ = _with_events(client, wx, res)
    login(client, "guoluo")
    page = _visible(client.get(f"/admin/requests/{number}").get_data(as_text=True))
    for kind, (words, text) in SENT_AFTER.items():
        assert words in page and text in page, kind
        assert kind not in page, kind
    assert "第 2 次催办" in page and "some_future_kind" not in page and "其他记录" in page


def test_the_h5_task_page_shows_every_kind_in_words(client, wx, res, live_server):
    _, url = _with_events(client, wx, res)
    page = _visible(requests.get(url, timeout=10).text)
    for kind, (words, text) in SENT_AFTER.items():
        assert words in page and text in page, kind
        assert kind not in page, kind
    assert "some_future_kind" not in page
