"""The admin console in a real browser: review by keyboard, the dashboard moves, the XLSX opens."""
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.models import Request, TrainingExample
from bot.services import reports
from tests.support.admin import PASSWORD, new_request


def _login(page, login):
    page.goto("/admin/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def _kind_count(page, kind):
    cell = page.locator(f'#table-kinds td[data-kind="{kind}"]')
    return int(cell.inner_text()) if cell.count() else 0


def test_secretary_reviews_by_keyboard_and_sees_it_on_the_dashboard(page, client, wx, res, artifacts):
    new_request(client, wx, 1, "路灯坏了晚上看不见")
    number = new_request(client, wx, 2, "hello, the street lamp at the gate is broken")
    _login(page, "guoluo")
    page.goto("/admin/dashboard")
    page.wait_for_selector("body[data-charts=ready]")
    assert page.inner_text("#kpi-review") == "1"
    before = _kind_count(page, "governance")
    page.goto("/admin/review")
    assert number in page.inner_text("#review-card")
    page.keyboard.press("4")  # 4 = 社会治理工作队
    page.wait_for_selector("text=没有待分派的诉求了")
    assert "已分派给 社会治理工作队" in page.inner_text("main")
    page.goto("/admin/dashboard")
    page.wait_for_selector("body[data-charts=ready]")
    assert page.inner_text("#kpi-review") == "0"
    assert _kind_count(page, "governance") == before + 1
    assert page.locator("#chart-kinds svg").count() == 1  # ECharts drew (vendored, no CDN)
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    with res.db.session() as s:
        r = s.scalar(select(Request).where(Request.number == number))
        assert (r.status, r.kind) == ("assigned", "governance")
        assert s.scalar(select(func.count()).select_from(TrainingExample)) == 1
    page.goto(f"/admin/requests/{number}")
    assert "人工改分类" in page.inner_text(".timeline")


def test_reclassify_on_the_request_page(page, client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    _login(page, "guoluo")
    page.goto(f"/admin/requests/{number}")
    form = page.locator("form:has(input[value=reclassify])")
    form.locator("select[name=kind]").select_option("ecology")
    form.locator("input[name=reason]").fill("属于村容村貌")
    form.locator("button").click()
    page.wait_for_selector("text=已保存")
    assert "生态文明工作队" in page.inner_text(".timeline")


def test_county_admin_exports_the_quarterly_report(page, client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "村里的水管冻裂了")
    _login(page, "county")
    page.goto("/admin/reports/quarterly")
    page.click("text=果洛藏贡麻村")
    page.wait_for_selector("#teams")
    with page.expect_download() as info:
        page.click("#xlsx")
    path = info.value.path()
    wb = load_workbook(BytesIO(path.read_bytes()))
    summary = {row[0]: row for row in wb["概况"].iter_rows(min_row=4, values_only=True)}
    assert sum(row[1] for row in summary.values()) == 2
    assert {row[0] for row in wb["未办结"].iter_rows(min_row=2, values_only=True)} == {a, b}
    assert reports.current_quarter() in wb["概况"]["A1"].value


def test_inbox_and_request_page_fit_a_phone(page, client, wx, res, artifacts):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见，" * 10)
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "guoluo")
    for url in ("/admin/", f"/admin/requests/{number}", "/admin/dashboard"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (url, overflow)
    page.screenshot(path=str(artifacts / "request-phone.png"), full_page=True)
