"""Driving the admin console as a browser would: log in with the form's CSRF token, post forms."""
from __future__ import annotations

import re

from tests.support.wechat import say, villager_of

PASSWORD = "cunsheng2026"
NUMBER = re.compile(r"GC-\d{4}-\d{6}")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/admin/login") -> str:
    html = client.get(url).get_data(as_text=True)
    m = _TOKEN.search(html)
    assert m, f"no CSRF token on {url}"
    return m.group(1)


def login(client, login_name: str, password: str = PASSWORD, expect: int = 302):
    token = csrf_token(client)
    r = client.post("/admin/login", data={"login": login_name, "password": password, "csrf_token": token},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == expect, (login_name, r.status_code)
    return r


def post(client, url: str, data: dict | None = None, **kw):
    """POST a form with the session's CSRF token (taken from the password page, any page will do)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, "/admin/password")
    return client.post(url, data=data, **kw)


def act(client, number: str, action: str, **fields):
    r = post(client, f"/admin/requests/{number}/actions", dict(fields, action=action))
    assert r.status_code == 303, r.status_code
    return r


def new_request(client, wx, n, text: str, village: str = "果洛藏贡麻村") -> str:
    """A villager (n) of `village` follows by QR code and writes `text`; returns the request number."""
    me = villager_of(client, wx, n, village)
    reply = say(client, wx, me, text).text
    m = NUMBER.search(reply)
    assert m, reply
    return m.group(0)


def flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash [a-z]+">([^<]*)</p>', html)
