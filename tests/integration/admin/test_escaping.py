"""Villager text arrives through the webhook and is shown escaped on every page that shows it."""
from sqlalchemy import select

from bot.models import Request, Team, Village
from tests.support.admin import act, login, new_request
from tests.support.wechat import say, villager_of

EVIL = "<script>alert('x')</script>路灯坏了"
EVIL_WISH = "微心愿：<img src=x onerror=alert(1)>想要书包"


def test_script_from_the_webhook_is_escaped_on_every_page(client, wx, res):
    number = new_request(client, wx, 1, EVIL)
    review = new_request(client, wx, 2, "<script>alert('r')</script> hello")  # needs_review
    me = villager_of(client, wx, 3)
    say(client, wx, me, EVIL_WISH)
    say(client, wx, me, "<b>另一件</b>路灯坏了")
    with res.db.session() as s:
        vid = s.scalar(select(Village.id).where(Village.name == "果洛藏贡麻村"))
        team = s.scalar(select(Request.team_id).where(Request.number == number))
        assert s.scalar(select(Team.id).where(Team.id == team))
    login(client, "guoluo")
    act(client, number, "note", text="<script>alert('note')</script>")
    pages = ["/admin/", f"/admin/?q=路灯", f"/admin/requests/{number}", f"/admin/requests/{review}", "/admin/review",
             "/admin/wishes", f"/admin/ranking/{team}", f"/admin/reports/quarterly/{vid}", "/admin/dashboard"]
    login(client, "county")
    pages.append(f"/admin/audit?target={number}")
    for url in pages:
        r = client.get(url)
        html = r.get_data(as_text=True)
        assert r.status_code == 200, url
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>另一件" not in html, url
    assert "&lt;script&gt;alert(&#39;x&#39;)" in client.get(f"/admin/requests/{number}").get_data(as_text=True)
    assert "&lt;img src=x" in client.get("/admin/wishes").get_data(as_text=True)
    assert "&lt;script&gt;" in client.get("/admin/review").get_data(as_text=True)
