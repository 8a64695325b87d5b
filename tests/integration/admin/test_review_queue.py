"""The review queue (/admin/review) and what it shows: only requests that still need review are routed."""
from sqlalchemy import func, select

from bot.models import Request, TrainingExample
from tests.support.admin import flashes, login, new_request, post


def _req(res, number):
    with res.db.session() as s:
        r = s.scalar(select(Request).where(Request.number == number))
        s.expunge(r)
        return r


def _examples(res) -> int:
    with res.db.session() as s:
        return s.scalar(select(func.count()).select_from(TrainingExample))


def test_a_stale_review_decision_is_refused_and_changes_nothing(app, client, wx, res):
    number = new_request(client, wx, 1, "hello, the road lamp is broken")
    login(client, "guoluo")
    stale_tab = app.test_client()
    login(stale_tab, "guoluo")
    assert number in stale_tab.get("/admin/review").get_data(as_text=True)
    assert post(client, f"/admin/review/{number}", {"kind": "governance"}).status_code == 302
    before = _req(res, number)
    assert before.status == "assigned" and _examples(res) == 1
    # the other tab (or a second key press) still shows the request and picks another team
    r = post(stale_tab, f"/admin/review/{number}", {"kind": "industry"}, follow_redirects=True)
    assert r.status_code == 200
    assert any("该诉求已被处理" in f for f in flashes(r.get_data(as_text=True)))
    after = _req(res, number)
    assert (after.kind, after.team_id, after.status, after.due_at) == \
        (before.kind, before.team_id, before.status, before.due_at)
    assert _examples(res) == 1  # no wrong training example
