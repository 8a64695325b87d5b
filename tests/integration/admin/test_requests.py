"""A request's page and the actions on it: each one event with its actor and one audit row."""
from sqlalchemy import func, select

from bot.models import AuditLog, Outbox, Request, RequestEvent, TrainingExample
from tests.support.admin import act, flashes, login, new_request, post
from tests.support.wechat import deliver
from tests.support.workers import drain
from tests.support.records import request_by_number as _req, set_request as _set


def _events(res, number, kind):
    with res.db.session() as s:
        return s.scalars(select(RequestEvent).join(Request).where(Request.number == number,
                                                                  RequestEvent.kind == kind)).all()


def _audit(res, action):
    with res.db.session() as s:
        return s.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def test_request_page_shows_the_whole_timeline(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    me = "oVillager1" + "x" * 18
    deliver(client, wx, wx.location(me, 37.33, 100.13, "果洛藏贡麻村村口"))
    deliver(client, wx, wx.image(me, "media-photo-1", pic_url="http://mmbiz.qpic.cn/lamp.jpg"))
    drain(res)  # the team is notified through the fake WeChat API
    login(client, "guoluo")
    html = client.get(f"/admin/requests/{number}").get_data(as_text=True)
    for part in ("路灯坏了", "自动分类", "依据词", "派单", "已通知", "通知送达", "已送达", "村口", "37.33", "村民消息",
                 'src="http://mmbiz.qpic.cn/lamp.jpg"'):
        assert part in html, part


def test_reclassify_writes_a_training_example_and_notifies_the_new_team(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    login(client, "guoluo")
    act(client, number, "reclassify", kind="ecology", reason="其实是环境问题")
    r = _req(res, number)
    assert r.kind == "ecology" and r.status == "assigned"
    with res.db.session() as s:
        ex = s.scalars(select(TrainingExample)).all()
        assert [(e.label, e.source, e.actor, e.request_id) for e in ex] == [("ecology", "correction", "guoluo", r.id)]
        assert s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.request_id == r.id, Outbox.event == "new_task", Outbox.dedupe_key.like("%new_task%"))) >= 2
    [ev] = _events(res, number, "reclassified")
    assert ev.actor == "guoluo" and ev.data["kind"] == "ecology" and ev.data["old_kind"] == "governance"
    [row] = _audit(res, "reclassify")
    assert row.login == "guoluo" and row.target_key == number


def test_reassign_priority_note_resolve_close(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    login(client, "guoluo")
    act(client, number, "reassign", kind="welfare", reason="队里人手不够")
    act(client, number, "priority", priority="urgent", tier="complex")
    act(client, number, "note", text="已电话联系<b>村民</b>")
    act(client, number, "resolve", reason="已修好")
    act(client, number, "close", reason="村民确认")
    r = _req(res, number)
    assert (r.kind, r.priority, r.tier, r.status, r.resolution) == ("welfare", "urgent", "complex", "closed", "已修好")
    with res.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainingExample)) == 0  # a reassignment is not a label
    for kind in ("reassigned", "priority_changed", "note", "resolved", "closed"):
        assert len(_events(res, number, kind)) == 1, kind
    for action in ("reassign", "priority", "note", "resolve", "close"):
        assert len(_audit(res, action)) == 1, action
    html = client.get(f"/admin/requests/{number}").get_data(as_text=True)
    assert "&lt;b&gt;村民&lt;/b&gt;" in html and "代为操作" in html


def test_refused_actions_say_why_and_change_nothing(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    login(client, "guoluo")
    for action, fields, reason in (("resolve", {"reason": ""}, "请填写办结或销号的理由"),
                                   ("merge", {"into": "GC-2026-999999"}, "找不到要合并到的诉求"),
                                   ("reclassify", {"kind": "nonsense"}, "没有这个工作队")):
        r = act(client, number, action, **fields)
        assert reason in flashes(client.get(r.headers["Location"]).get_data(as_text=True))[0]
    r = _req(res, number)
    assert r.status == "assigned" and r.kind == "governance"
    with res.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action != "login")) == 0


def test_merge_links_duplicates_both_ways(client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "村口路灯坏了")
    login(client, "guoluo")
    act(client, b, "merge", into=a)
    rb, ra = _req(res, b), _req(res, a)
    # a linked duplicate follows the request it joined (team, status, deadline), as automatic clustering does
    assert rb.duplicate_of_id == ra.id and (rb.status, rb.team_id, rb.due_at) == (ra.status, ra.team_id, ra.due_at)
    assert b in client.get(f"/admin/requests/{a}").get_data(as_text=True)
    assert "重复诉求" in client.get(f"/admin/requests/{b}").get_data(as_text=True)
    assert len(_events(res, a, "duplicate_added")) == 1


def test_writing_to_the_villager_goes_through_the_outbox_to_wechat(client, wx, res, live_server):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    login(client, "guoluo")
    act(client, number, "message", text="明天上午来修，请在家等候")
    with res.db.session() as s:
        row = s.scalar(select(Outbox).where(Outbox.event == "admin_message"))
        assert row.recipient_openid.startswith("oVillager1") and "明天上午来修，请在家等候" in row.payload["text"]
        assert f"{number}（路灯坏了晚上看不见）" in row.payload["text"]  # names the request
    drain(res)
    import requests

    sent = requests.get(f"{live_server.url}/dev/wechat-api/sent", timeout=5).json()
    calls = sent if isinstance(sent, list) else sent.get("calls", sent.get("sent", []))
    assert any("明天上午来修" in str(c) for c in calls)
    with res.db.session() as s:
        assert s.get(Outbox, row.id).status == "sent"


def test_team_member_may_note_and_resolve_but_not_reroute(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    login(client, "guoluo-governance-2")
    html = client.get(f"/admin/requests/{number}").get_data(as_text=True)
    assert 'value="reclassify"' not in html and 'value="note"' in html
    act(client, number, "reclassify", kind="ecology")
    assert _req(res, number).kind == "governance"
    act(client, number, "resolve", reason="修好了")
    assert _req(res, number).status == "resolved"
    assert client.get("/admin/review").status_code == 403


def test_review_queue_one_key_per_decision(client, wx, res):
    first = new_request(client, wx, 1, "hello, the road lamp is broken")
    second = new_request(client, wx, 2, "hello, my sheep are sick")
    assert _req(res, first).status == "needs_review"
    login(client, "guoluo")
    html = client.get("/admin/review").get_data(as_text=True)
    assert first in html and "还剩 2 件" in html and 'data-key="4"' in html
    r = post(client, f"/admin/review/{first}", {"kind": "governance"})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert second in html and "还剩 1 件" in html and flashes(html)
    post(client, f"/admin/review/{second}", {"kind": "skip"})
    post(client, f"/admin/review/{second}", {"kind": "industry"})
    assert "没有待分派的诉求了" in client.get("/admin/review").get_data(as_text=True)
    assert _req(res, first).kind == "governance" and _req(res, second).kind == "industry"
    with res.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainingExample)) == 2


def _outbox_count(res, number, event):
    with res.db.session() as s:
        return s.scalar(select(func.count()).select_from(Outbox).join(Request, Outbox.request_id == Request.id)
                        .where(Request.number == number, Outbox.event == event))


def test_rerouting_an_overdue_request_to_its_own_team_does_not_make_it_look_on_time(client, wx, res):
    """改分类/改派 to the team that already has it: the overdue request stays overdue, accepted stays
    accepted, the team gets no 'new task'. Only a real label correction is recorded."""
    from datetime import timedelta

    from bot.services.clock import utcnow

    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    accepted, due = utcnow() - timedelta(days=3), utcnow() - timedelta(days=1)
    _set(res, number, status="accepted", accepted_at=accepted, due_at=due, label="ecology")
    before = _outbox_count(res, number, "new_task")
    login(client, "guoluo")
    assert number in client.get("/admin/?overdue=1").get_data(as_text=True)
    act(client, number, "reclassify", kind="governance", reason="模型分错了，本来就是治理队的事")
    r = _req(res, number)
    assert (r.status, r.kind) == ("accepted", "governance")
    assert r.accepted_at == accepted and r.due_at == due
    assert number in client.get("/admin/?overdue=1").get_data(as_text=True)  # still on the overdue list
    assert _outbox_count(res, number, "new_task") == before  # no "new task" for the same team
    with res.db.session() as s:  # the label correction is still learned
        assert [(e.label, e.request_id) for e in s.scalars(select(TrainingExample))] == [("governance", r.id)]
    [ev] = _events(res, number, "reclassified")
    assert ev.data["label_only"] is True
    # once the label is right, the same team again is refused and changes nothing
    r = act(client, number, "reassign", kind="governance", reason="再派一次")
    assert "没有改动" in flashes(client.get(r.headers["Location"]).get_data(as_text=True))[0]
    r2 = act(client, number, "reclassify", kind="governance")
    assert "没有改动" in flashes(client.get(r2.headers["Location"]).get_data(as_text=True))[-1]
    assert len(_events(res, number, "reclassified")) == 1 and _req(res, number).due_at == due


def test_admin_resolving_an_overdue_request_counts_it_late(client, wx, res):
    """代为办结 / 销号 record the real time: an overdue request resolved by an admin is not on time
    in the ranking, its drill-down or the dashboard."""
    from datetime import timedelta

    from bot.services import ranking, reports
    from bot.services.clock import utcnow

    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    _set(res, number, due_at=utcnow() - timedelta(hours=1))
    login(client, "guoluo")
    act(client, number, "close", reason="村里已经修好了")
    r = _req(res, number)
    assert r.status == "closed" and r.resolved_at > r.due_at
    with res.db.session() as s:
        from bot.models import Member

        m = s.scalar(select(Member).where(Member.login == "guoluo"))
        ranked, _ = ranking.monthly(s, m, ranking.current_month(), team_id=r.team_id)
        score = next(x for x in ranked if x.team_id == r.team_id)
        today = utcnow().date()
        d = reports.dashboard(s, m, res.db.dialect, today - timedelta(days=1), today + timedelta(days=1))
    assert (score.resolved, score.on_time, score.on_time_pts) == (1, 0, 0.0)
    assert [line.on_time for line in score.lines] == [False]
    assert (d.resolved, d.on_time) == (1, 0)
