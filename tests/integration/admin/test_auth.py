"""Signing in to the admin console: passwords, CSRF, rate limiting, password change, sign-out."""
from tests.support.admin import PASSWORD, csrf_token, login, post


def test_login_sets_a_http_only_cookie_and_logout_ends_the_session(client):
    r = login(client, "guoluo")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/admin/").status_code == 200
    post(client, "/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_secure_in_production(res, backend):
    from bot import create_app
    from config.settings import Settings

    from tests.support.wechat import PROD_ACCOUNT

    s = res.settings
    prod = Settings(app_env="production", database_url=s.database_url, redis_url=s.redis_url, secret_key="k" * 32,
                    **PROD_ACCOUNT,
                    wechat_token="real-token", wechat_api_base="https://api.weixin.qq.com", public_url=s.public_url)
    try:
        c = create_app(prod).test_client()
        r = login(c, "guoluo")
        cookie = r.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        from bot import ext

        prod_res = ext.current()
        if prod_res is not None and prod_res is not res:  # close the production app's own pool
            prod_res.db.dispose()
            prod_res.redis.close()
        backend.activate()


def test_wrong_password_is_refused_and_inactive_members_cannot_log_in(client, res):
    login(client, "guoluo", "nope", expect=401)
    login(client, "nobody", PASSWORD, expect=401)
    from sqlalchemy import update

    from bot.models import Member

    with res.db.session() as s:
        s.execute(update(Member).where(Member.login == "ennai").values(active=False))
    login(client, "ennai", expect=401)


def test_browser_post_without_csrf_token_is_refused(client):
    # a browser (Origin header) posting the login form without the token: login CSRF
    r = client.post("/admin/login", data={"login": "guoluo", "password": PASSWORD},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 400
    login(client, "guoluo")
    r = client.post("/admin/password", data={"current": PASSWORD, "new": "x" * 10, "confirm": "x" * 10})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
    r = client.post("/admin/logout")
    assert r.status_code == 400


def test_webhook_is_not_subject_to_csrf(client, wx):
    from tests.support.wechat import villager_of

    villager_of(client, wx, 1)  # posts to /wechat/demo without any token


def test_login_is_rate_limited_per_ip_and_login(client):
    for _ in range(5):
        login(client, "guoluo", "wrong", expect=401)
    login(client, "guoluo", PASSWORD, expect=429)  # even the right password, for 15 minutes
    login(client, "ennai", PASSWORD)  # another login from the same IP still works


def test_password_change_requires_the_current_password_and_signs_out_other_sessions(app, client):
    login(client, "guoluo")
    other = app.test_client()
    login(other, "guoluo")
    r = post(client, "/admin/password", {"current": "bad", "new": "newpass2026", "confirm": "newpass2026"})
    assert r.status_code == 400 and "当前密码不正确" in r.get_data(as_text=True)
    r = post(client, "/admin/password", {"current": PASSWORD, "new": "short", "confirm": "short"})
    assert r.status_code == 400
    r = post(client, "/admin/password", {"current": PASSWORD, "new": "newpass2026", "confirm": "newpass2026"})
    assert r.status_code == 200 and "密码已修改" in r.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200  # this session stays signed in
    assert other.get("/admin/").status_code == 302  # the other one is signed out
    login(app.test_client(), "guoluo", PASSWORD, expect=401)
    login(app.test_client(), "guoluo", "newpass2026")


def test_next_parameter_only_redirects_inside_the_admin(client):
    token = csrf_token(client)
    for nxt, where in (("/admin/wishes", "/admin/wishes"), ("//evil.example/x", "/admin/"),
                       ("https://evil.example", "/admin/")):
        r = client.post(f"/admin/login?next={nxt}", data={"login": "county", "password": PASSWORD,
                                                          "csrf_token": token})
        assert r.headers["Location"].endswith(where), (nxt, r.headers["Location"])
        token = csrf_token(client)


def _board_login(client, login_name: str, password: str):
    import re

    html = client.get("/board/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/board/login", data={"login": login_name, "password": password, "csrf_token": token})


def test_wish_board_login_is_rate_limited_like_the_console(app, client):
    # a console login guessed through the wish board: locked after 5 failures, like the console
    for i in range(5):
        assert _board_login(client, "county", "wrong").status_code == 401, i
    r = _board_login(client, "county", PASSWORD)
    assert r.status_code == 429 and "登录失败次数太多" in r.get_data(as_text=True)
    assert client.get("/board/mine").status_code == 303  # not signed in: sent to the login page
    login(app.test_client(), "county", PASSWORD, expect=429)  # the console shares the lock


def test_console_and_board_failures_count_together(app, client):
    for _ in range(3):
        login(client, "guoluo", "wrong", expect=401)
    for _ in range(2):
        assert _board_login(client, "guoluo", "wrong").status_code == 401
    assert _board_login(client, "guoluo", PASSWORD).status_code == 429
    login(app.test_client(), "guoluo", PASSWORD, expect=429)
    assert _board_login(client, "ennai", PASSWORD).status_code == 303  # another login still signs in


def _hours_ago(monkeypatch, hours: float):
    """Run what follows as if it were `hours` earlier (cookie signatures and login times alike)."""
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - hours * 3600)
    return lambda: monkeypatch.setattr(time, "time", real)


def _cookie_expiry_hours(response) -> float:
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = next(p.split("=", 1)[1] for p in cookie.split("; ") if p.lower().startswith("expires="))
    return (parsedate_to_datetime(expires) - datetime.now(timezone.utc)).total_seconds() / 3600


def test_console_session_lasts_12_hours_from_sign_in(app, client, monkeypatch):
    r = login(client, "guoluo")
    assert 11.9 < _cookie_expiry_hours(r) <= 12  # the browser forgets the cookie after 12 hours
    back = _hours_ago(monkeypatch, 13)
    other = app.test_client()
    login(other, "guoluo")
    back()
    assert other.get("/admin/").status_code == 302  # signed in 13 hours ago: sign in again
    back = _hours_ago(monkeypatch, 11)
    old = app.test_client()
    login(old, "guoluo")
    back()
    assert old.get("/admin/").status_code == 200  # 11 hours: still signed in
    back = _hours_ago(monkeypatch, -2)  # two hours later: 13 hours after sign-in, though used since
    try:
        assert old.get("/admin/").status_code == 302
    finally:
        back()


def test_wish_board_session_lasts_12_hours_too(app, monkeypatch):
    fresh = app.test_client()
    r = _board_login(fresh, "guoluo", PASSWORD)
    assert r.status_code == 303 and 11.9 < _cookie_expiry_hours(r) <= 12
    assert fresh.get("/board/mine").status_code == 200
    back = _hours_ago(monkeypatch, 13)
    c = app.test_client()
    assert _board_login(c, "guoluo", PASSWORD).status_code == 303
    back()
    assert c.get("/board/mine").status_code == 303  # sent to the login page
