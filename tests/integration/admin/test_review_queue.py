"""The review queue (/admin/review) and what it shows: only requests that still need review are routed."""
import re

from sqlalchemy import func, select

from bot.models import Request, TrainingExample
from tests.support.admin import flashes, login, new_request, post
from tests.support.records import request_by_number as _req


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


def _return_to_review(res, number: str, reason: str) -> None:
    """A team leader returns the request (as by chat 退回 or the task page)."""
    from bot.models import Member
    from bot.services import followup
    from bot.services.clock import utcnow
    from bot.services.effects import Effects

    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        leader = s.scalar(select(Member).where(Member.team_id == req.team_id, Member.role == "team_leader"))
        followup.return_(s, res, leader, req, reason, utcnow(), Effects())


def test_review_reasons_are_shown_in_words_with_the_cadres_reason(client, wx, res):
    low = new_request(client, wx, 1, "hello, something is wrong")
    returned = new_request(client, wx, 2, "路灯坏了晚上看不见")
    assert _req(res, returned).status == "assigned"
    _return_to_review(res, returned, "这是产业队的事，不归我们管")
    assert _req(res, returned).review_reason == "returned"
    login(client, "guoluo")
    html = client.get("/admin/review").get_data(as_text=True)
    assert low in html and "原因：不是中文" in html and "non_chinese" not in html
    page = client.get(f"/admin/requests/{low}").get_data(as_text=True)
    assert "待分派原因：不是中文" in page and "non_chinese" not in page
    post(client, f"/admin/review/{low}", {"kind": "skip"})
    html = client.get(f"/admin/review?after={_req(res, low).id}").get_data(as_text=True)
    assert returned in html and "原因：工作队退回" in html and "这是产业队的事，不归我们管" in html
    assert "原因：returned" not in html
    page = client.get(f"/admin/requests/{returned}").get_data(as_text=True)
    assert "待分派原因：工作队退回（退回原因：这是产业队的事，不归我们管）" in re.sub(r"<[^>]+>", "", page)


def test_dashboard_names_wish_statuses_in_words(client, wx, res):
    new_request(client, wx, 3, "微心愿：想要一个热水器")
    login(client, "county")
    html = client.get("/admin/dashboard").get_data(as_text=True)
    line = re.search(r'<p class="muted" id="wishes">([^<]*)</p>', html).group(1)
    assert "待审核：1" in line and "wish_" not in line
