"""Dashboard, monthly ranking with drill-down, quarterly joint-meeting report, audit log, queues."""
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models import Request, Village
from bot.services import ranking, reports
from bot.services.clock import utcnow
from tests.support.admin import act, login, new_request, post
from tests.support.wechat import say, villager_of
from tests.support.records import set_request as _set


def test_dashboard_counts_what_happened_in_scope(client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "hello, something is wrong")  # needs_review
    new_request(client, wx, 3, "路灯坏了晚上看不见", village="恩乃村")
    me = villager_of(client, wx, 4)
    say(client, wx, me, "微心愿：想要一个新书包")
    now = utcnow()
    _set(res, a, accepted_at=now, resolved_at=now, rating=5, satisfied=True, escalation_level=1)
    _set(res, b, due_at=now - timedelta(hours=1))
    login(client, "guoluo")
    html = client.get("/admin/dashboard").get_data(as_text=True)
    assert 'id="kpi-total">3<' in html  # 3 in 果洛藏贡麻村 (the 恩乃村 one is not counted)
    assert 'id="kpi-overdue">1<' in html and 'id="kpi-review">1<' in html
    assert "100%" in html  # on time and satisfied
    assert "echarts.min.js" in html and "chart-data" in html
    with res.db.session() as s:
        from bot.models import Member

        m = s.scalar(select(Member).where(Member.login == "guoluo"))
        d = reports.dashboard(s, m, res.db.dialect, (now - timedelta(days=1)).date(), (now + timedelta(days=1)).date())
    assert d.by_kind == {"governance": 1, "none": 1} and d.wishes == {"wish_pending": 1}
    assert d.escalations == {1: 1} and d.median_resolve_h == 0.0 and sum(v for _, v in d.by_week) == 3
    r = client.get("/static/admin/echarts/echarts.min.js")  # vendored, served by the app: no CDN
    assert r.status_code == 200 and len(r.data) > 500_000
    r.close()


def test_monthly_ranking_follows_the_documented_formula(client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "村里的路灯坏了好几天")
    c = new_request(client, wx, 3, "草原上垃圾太多没人清理")
    now = utcnow()
    with res.db.session() as s:
        ra = s.scalar(select(Request).where(Request.number == a))
        created = ra.created_at
    _set(res, a, accepted_at=created + timedelta(hours=1), resolved_at=created + timedelta(hours=5), rating=5)
    _set(res, b, accepted_at=created + timedelta(hours=25))  # accepted late, still open
    login(client, "guoluo")
    html = client.get("/admin/ranking").get_data(as_text=True)
    with res.db.session() as s:
        from bot.models import Member

        m = s.scalar(select(Member).where(Member.login == "guoluo"))
        ranked, idle = ranking.monthly(s, m, ranking.current_month(now))
    gov = next(x for x in ranked if x.team.startswith("社会治理"))
    assert (gov.count, gov.resolved, gov.on_time) == (2, 1, 1)
    assert gov.on_time_pts == 20.0 and gov.satisfaction_pts == 30.0 and gov.volume_pts == 10.0
    assert gov.response_pts == round(ranking.response_points(13.0), 1)  # median of 1 h and 25 h
    assert gov.rank == 1 and gov.total == round(20 + 30 + gov.response_pts + 10, 1)
    assert len(ranked) + len(idle) == 5 and str(gov.total) in html
    drill = client.get(f"/admin/ranking/{gov.team_id}").get_data(as_text=True)
    assert a in drill and b in drill and c not in drill
    assert gov.of > 1 and f"第 {gov.rank} / {gov.of} 名" in drill  # the county rank, as on the list
    login(client, "guoluo-governance")  # the team's own leader sees only this team, and the same rank
    drill = client.get(f"/admin/ranking/{gov.team_id}").get_data(as_text=True)
    assert a in drill and f"第 {gov.rank} / {gov.of} 名" in drill


def test_quarterly_report_page_and_xlsx(client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "=HYPERLINK(\"http://x\") 路灯坏了")
    new_request(client, wx, 3, "路灯坏了晚上看不见", village="恩乃村")
    login(client, "county")
    act(client, a, "resolve", reason="已修好")
    act(client, b, "priority", priority="normal", tier="complex")
    with res.db.session() as s:
        vid = s.scalar(select(Village.id).where(Village.name == "果洛藏贡麻村"))
    q = reports.current_quarter()
    html = client.get(f"/admin/reports/quarterly/{vid}?quarter={q}").get_data(as_text=True)
    assert "工作联席会报告" in html and b in html and "window.print()" in html
    r = client.get(f"/admin/reports/quarterly/{vid}.xlsx?quarter={q}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(BytesIO(r.data))
    rows = list(wb["概况"].iter_rows(min_row=4, values_only=True))
    gov = next(row for row in rows if row[0].startswith("社会治理"))
    assert gov[1:6] == (2, 1, 1, 1, 0)  # received, resolved, on time, open, overdue
    open_rows = list(wb["未办结"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in open_rows] == [b]
    assert open_rows[0][2].startswith("'=")  # villager text never becomes a formula
    assert [row[0] for row in wb["上报乡镇"].iter_rows(min_row=2, values_only=True)] == [b]


def test_audit_log_records_and_finds_actions(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    login(client, "guoluo")
    act(client, number, "note", text="已联系")
    act(client, number, "reclassify", kind="ecology")
    login(client, "county")
    html = client.get("/admin/audit?login=guoluo").get_data(as_text=True)
    assert "reclassify" in html and "note" in html and number in html
    html = client.get(f"/admin/audit?action=reclassify&target={number}").get_data(as_text=True)
    assert html.count("<td>reclassify</td>") == 1 and "<td>note</td>" not in html
    assert "共 0 条" in client.get("/admin/audit?q=不存在的内容").get_data(as_text=True)


def test_queue_health_shows_counts_and_retries_a_failed_job(client, res):
    from rq.registry import FailedJobRegistry

    job = res.queue("low").enqueue("builtins.int", "not a number")
    from tests.support.workers import drain

    drain(res)
    assert FailedJobRegistry(queue=res.queue("low")).count == 1
    res.queue("default").enqueue_in(timedelta(hours=1), "builtins.len", "x")
    login(client, "county")
    html = client.get("/admin/queues").get_data(as_text=True)
    assert job.id in html and "ValueError" in html
    assert 'data-queue="low"' in html
    r = post(client, "/admin/queues/low/retry", {"job_id": job.id})
    assert r.status_code == 302
    assert FailedJobRegistry(queue=res.queue("low")).count == 0 and res.queue("low").count == 1
    from rq.registry import ScheduledJobRegistry

    assert ScheduledJobRegistry(queue=res.queue("default")).count == 1
    res.queue("low").empty()
