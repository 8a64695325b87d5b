"""Fixtures for the dev tools: the fake WeChat API reached over real HTTP through the
shared `live_server` (tests/conftest.py), whose Redis is emptied before each test."""
from __future__ import annotations

import pytest
import requests


@pytest.fixture
def fake_base(live_server, app):
    """Base URL of the fake, exactly what WECHAT_API_BASE is in dev and test."""
    return f"{live_server.url}/dev/wechat-api"


@pytest.fixture
def fake_redis(redis):
    return redis


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session
