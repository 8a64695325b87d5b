"""The app around the webhook: production mode, admin pages, the single migration head."""
import re
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot import create_app, ext
from config.settings import Settings
from tests.support.wechat import PROD_ACCOUNT, say, villager_of

ROOT = Path(__file__).resolve().parents[3]
NUMBER = re.compile(r"GC-\d{4}-\d{6}")


def test_migrations_have_a_single_head():
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    assert len(script.get_heads()) == 1


def test_models_and_migrations_agree(res):
    """`alembic check`: the migrations create exactly what the models describe."""
    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = res.settings.database_url
    cfg.attributes["configure_logger"] = False
    command.check(cfg)  # raises when an upgrade operation would be generated


def test_production_refuses_demo_secrets():
    import pytest

    with pytest.raises(RuntimeError) as refused:
        Settings(app_env="production").validate()
    for name in ("SECRET_KEY", "WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_SECRET", "WECHAT_AES_KEY", "REDIS_URL",
                 "WECHAT_API_BASE"):
        assert name in str(refused.value)
    # the account's own values pass; an empty AES key is WeChat's plaintext mode, not a demo value
    account = dict(PROD_ACCOUNT, wechat_token="real-token")
    Settings(app_env="production", **account, secret_key="x" * 32, redis_url="redis://r:6379/0",
             wechat_api_base="https://api.weixin.qq.com").validate()
    Settings(app_env="production", **dict(account, wechat_aes_key=""), secret_key="x" * 32,
             redis_url="redis://r:6379/0", wechat_api_base="https://api.weixin.qq.com").validate()


def test_production_has_no_simulator_and_no_fake_api(res, backend):
    s = res.settings
    prod = Settings(app_env="production", database_url=s.database_url, redis_url=s.redis_url, **PROD_ACCOUNT,
                    secret_key="x" * 32, wechat_token="real-token", wechat_api_base="https://api.weixin.qq.com",
                    public_url=s.public_url)
    try:
        app = create_app(prod)
        c = app.test_client()
        assert c.get("/dev/simulator").status_code == 404
        assert c.get("/dev/wechat-api/sent").status_code == 404
        assert c.get("/healthz").status_code == 200
    finally:
        prod_res = ext.current()
        prod_res.db.dispose()
        prod_res.redis.close()
        backend.activate()


def _login(client, login="guoluo", password="cunsheng2026"):
    from tests.support.admin import csrf_token

    return client.post("/admin/login", data={"login": login, "password": password,
                                             "csrf_token": csrf_token(client)})


def test_login_without_a_csrf_token_is_refused(client):
    r = client.post("/admin/login", data={"login": "guoluo", "password": "cunsheng2026"})
    assert r.status_code == 400 and "member_id" not in (client.get_cookie("session") or "")


def test_admin_login_and_inbox_show_the_request(client, wx):
    me = villager_of(client, wx, 1)
    number = NUMBER.search(say(client, wx, me, "路灯坏了晚上看不见").text).group(0)
    assert _login(client, password="wrong").status_code == 401
    assert _login(client).status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert number in page
    detail = client.get(f"/admin/requests/{number}").get_data(as_text=True)
    assert "路灯" in detail and "自动分类" in detail and "派单" in detail


def test_another_villages_secretary_cannot_see_it(client, wx):
    me = villager_of(client, wx, 2)
    number = NUMBER.search(say(client, wx, me, "路灯坏了晚上看不见").text).group(0)
    _login(client, login="ennai")
    assert number not in client.get("/admin/").get_data(as_text=True)
    assert client.get(f"/admin/requests/{number}").status_code == 404


def test_villager_text_is_escaped_everywhere(client, wx):
    me = villager_of(client, wx, 3)
    number = NUMBER.search(say(client, wx, me, "<script>alert('x')</script>路灯坏了").text).group(0)
    say(client, wx, me, "微心愿：<img src=x onerror=alert(1)>想要书包")
    _login(client, login="county")
    for url in ("/admin/", f"/admin/requests/{number}", "/admin/wishes"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&lt;img" in html, url


def test_not_found_is_a_page_not_a_stack_trace(client):
    r = client.get("/admin/requests/nope")
    assert r.status_code in (302, 404)
    r = client.get("/no/such/page")
    assert r.status_code == 404 and b"Traceback" not in r.data
    assert ext.current() is not None
