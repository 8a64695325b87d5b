"""The fake WeChat API behaves like api.weixin.qq.com, over real HTTP."""
from __future__ import annotations

import io
import struct
import zlib

import pytest

from bot.dev import fake_api
from config.settings import DEMO_APPID, DEMO_SECRET

OPENID = "oCunShengTestVillager0000001"
OTHER = "oCunShengTestVillager0000002"
assert len(OPENID) == len(OTHER) == 28


def png_bytes(size: int = 0) -> bytes:
    """A valid 1x1 PNG, padded with a text chunk to `size` bytes if asked."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    body = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
    pad = max(0, size - 8 - len(body) - 12 - 12)
    if pad:
        body += chunk(b"tEXt", b"x" * pad)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def get_token(http, base, appid=DEMO_APPID, secret=DEMO_SECRET):
    return http.get(f"{base}/cgi-bin/token",
                    params={"grant_type": "client_credential", "appid": appid, "secret": secret}).json()


def control(http, base, **settings):
    resp = http.post(f"{base}/_control", json=settings)
    assert resp.status_code == 200, resp.text
    return resp.json()


def template(http, base, token, touser=OPENID, data=None, template_id="TPL_request_assigned"):
    body = {"touser": touser, "template_id": template_id, "url": "http://127.0.0.1/h5/requests/1",
            "data": data if data is not None else {"thing1": {"value": "路灯不亮"},
                                                   "character_string2": {"value": "GC-2026-000123"}}}
    return http.post(f"{base}/cgi-bin/message/template/send", params={"access_token": token}, json=body).json()


def custom_text(http, base, token, touser=OPENID, content="您反映的问题已派单"):
    body = {"touser": touser, "msgtype": "text", "text": {"content": content}}
    return http.post(f"{base}/cgi-bin/message/custom/send", params={"access_token": token}, json=body).json()


# ---- access_token -------------------------------------------------------------------
def test_token_for_the_configured_account(http, fake_base):
    result = get_token(http, fake_base)
    assert result["expires_in"] == 7200
    assert len(result["access_token"]) > 100
    assert template(http, fake_base, result["access_token"])["errcode"] == 0


@pytest.mark.parametrize(
    ("params", "errcode"),
    [
        ({"appid": "wxnotouraccount000", "secret": DEMO_SECRET}, 40013),
        ({"appid": DEMO_APPID, "secret": "wrong"}, 40125),
        ({"appid": DEMO_APPID, "secret": DEMO_SECRET, "grant_type": "password"}, 40002),
        ({"appid": "", "secret": DEMO_SECRET}, 41002),
    ],
)
def test_token_refused_like_wechat(http, fake_base, params, errcode):
    query = {"grant_type": "client_credential", **params}
    resp = http.get(f"{fake_base}/cgi-bin/token", params=query)
    assert resp.status_code == 200
    assert resp.json()["errcode"] == errcode
    assert "access_token" not in resp.json()


def test_token_expires_after_its_ttl(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    control(http, fake_base, clock_offset=7199)
    assert template(http, fake_base, token)["errcode"] == 0
    control(http, fake_base, clock_offset=7201)
    assert template(http, fake_base, token)["errcode"] == 42001


def test_short_token_ttl_is_reported_in_expires_in(http, fake_base):
    control(http, fake_base, token_ttl=2)
    result = get_token(http, fake_base)
    assert result["expires_in"] == 2
    control(http, fake_base, advance=3)
    assert template(http, fake_base, result["access_token"])["errcode"] == 42001


def test_new_token_invalidates_the_old_one_after_the_grace_period(http, fake_base):
    old = get_token(http, fake_base)["access_token"]
    new = get_token(http, fake_base)["access_token"]
    assert old != new
    assert template(http, fake_base, old)["errcode"] == 0  # both work during the grace period
    control(http, fake_base, advance=301)
    assert template(http, fake_base, old)["errcode"] == 40001
    assert template(http, fake_base, new)["errcode"] == 0


def test_without_grace_the_old_token_dies_at_once(http, fake_base):
    control(http, fake_base, token_grace=0)
    old = get_token(http, fake_base)["access_token"]
    get_token(http, fake_base)
    control(http, fake_base, advance=1)
    assert template(http, fake_base, old)["errcode"] == 40001


def test_token_fetches_are_limited_per_day(http, fake_base):
    assert control(http, fake_base)["config"]["token_daily_limit"] == 2000
    control(http, fake_base, token_daily_limit=3)
    for _ in range(3):
        assert "access_token" in get_token(http, fake_base)
    assert get_token(http, fake_base)["errcode"] == 45009
    control(http, fake_base, advance=86400)
    assert "access_token" in get_token(http, fake_base)


@pytest.mark.parametrize(
    ("params", "errcode"),
    [({}, 41001), ({"access_token": "not-a-token"}, 40001)],
)
def test_calls_without_a_valid_token(http, fake_base, params, errcode):
    resp = http.post(f"{fake_base}/cgi-bin/message/template/send", params=params,
                     json={"touser": OPENID, "template_id": "x", "data": {}})
    assert resp.status_code == 200
    assert resp.json()["errcode"] == errcode


# ---- template messages ------------------------------------------------------------------
def test_template_send_returns_msgid(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    first, second = template(http, fake_base, token), template(http, fake_base, token)
    assert first["errcode"] == 0 and first["errmsg"] == "ok"
    assert isinstance(first["msgid"], int) and second["msgid"] != first["msgid"]


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("thing1", "一" * 20, True),
        ("thing1", "一" * 21, False),
        ("thing1", "第一行\n第二行", False),
        ("thing1", "", False),
        ("character_string2", "GC-2026-000123", True),
        ("character_string2", "A" * 33, False),
        ("phrase3", "已派单", True),
        ("phrase3", "已经派单了啊", False),
        ("number4", "12.5", True),
        ("number4", "12a", False),
        ("time5", "2026-03-01 12:30", True),
        ("time5", "2026年3月1日 12:30", True),
        ("time5", "明天上午", False),
        ("date6", "2026年3月1日", True),
        ("keyword1", "旧模板的字段照样接受", True),
    ],
)
def test_template_field_rules_since_2023(http, fake_base, key, value, ok):
    token = get_token(http, fake_base)["access_token"]
    result = template(http, fake_base, token, data={key: {"value": value}})
    if ok:
        assert result["errcode"] == 0, result
    else:
        assert result["errcode"] == 47003
        assert f"data.{key}.value" in result["errmsg"]


def test_template_refuses_bad_openid_and_template_id(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    assert template(http, fake_base, token, touser="not-an-openid")["errcode"] == 40003
    assert template(http, fake_base, token, touser=OPENID + "x")["errcode"] == 40003
    assert template(http, fake_base, token, template_id="")["errcode"] == 40037
    control(http, fake_base, template_ids=["TPL_ok"])
    assert template(http, fake_base, token, template_id="TPL_other")["errcode"] == 40037
    assert template(http, fake_base, token, template_id="TPL_ok")["errcode"] == 0


def test_template_to_an_unfollowed_user(http, fake_base, fake_redis):
    token = get_token(http, fake_base)["access_token"]
    http.post(f"{fake_base}/_interaction", json={"openid": OPENID, "event": "unsubscribe"}).raise_for_status()
    assert template(http, fake_base, token)["errcode"] == 43004
    fake_api.record_interaction(fake_redis, OPENID)  # followed again
    assert template(http, fake_base, token)["errcode"] == 0


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b"   "])
def test_bad_json_is_an_errcode_not_a_500(http, fake_base, body):
    token = get_token(http, fake_base)["access_token"]
    for path in ("/cgi-bin/message/template/send", "/cgi-bin/message/custom/send"):
        resp = http.post(f"{fake_base}{path}", params={"access_token": token}, data=body,
                         headers={"Content-Type": "application/json"})
        assert resp.status_code == 200
        assert resp.json()["errcode"] in (47001, 44002)


# ---- customer-service messages: the 48-hour window ---------------------------------------
def test_custom_message_needs_a_recent_interaction(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    assert custom_text(http, fake_base, token)["errcode"] == 45015
    http.post(f"{fake_base}/_interaction", json={"openid": OPENID}).raise_for_status()
    assert custom_text(http, fake_base, token) == {"errcode": 0, "errmsg": "ok"}
    assert custom_text(http, fake_base, token, touser=OTHER)["errcode"] == 45015


def test_window_closes_after_48_hours(http, fake_base, fake_redis):
    fake_api.record_interaction(fake_redis, OPENID)
    control(http, fake_base, advance=48 * 3600 - 60)
    token = get_token(http, fake_base)["access_token"]
    assert custom_text(http, fake_base, token)["errcode"] == 0
    control(http, fake_base, advance=120)
    assert custom_text(http, fake_base, token)["errcode"] == 45015


def test_five_messages_per_interaction_and_a_new_interaction_resets(http, fake_base, fake_redis):
    token = get_token(http, fake_base)["access_token"]
    fake_api.record_interaction(fake_redis, OPENID)
    assert [custom_text(http, fake_base, token)["errcode"] for _ in range(6)] == [0, 0, 0, 0, 0, 45047]
    fake_api.record_interaction(fake_redis, OPENID)
    assert custom_text(http, fake_base, token)["errcode"] == 0


def test_custom_message_validation(http, fake_base, fake_redis):
    token = get_token(http, fake_base)["access_token"]
    fake_api.record_interaction(fake_redis, OPENID)
    url = f"{fake_base}/cgi-bin/message/custom/send"
    assert http.post(url, params={"access_token": token},
                     json={"touser": OPENID, "msgtype": "fax", "fax": {}}).json()["errcode"] == 40008
    assert custom_text(http, fake_base, token, content="")["errcode"] == 44004
    assert http.post(url, params={"access_token": token},
                     json={"touser": OPENID, "msgtype": "image", "image": {"media_id": "nope"}}).json()["errcode"] == 40007


# ---- media ---------------------------------------------------------------------------
def test_media_round_trip(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    data = png_bytes(200_000)  # bigger than the app's 64 KB body cap for webhooks
    resp = http.post(f"{fake_base}/cgi-bin/media/upload", params={"access_token": token, "type": "image"},
                     files={"media": ("street-light.png", io.BytesIO(data), "image/png")})
    uploaded = resp.json()
    assert uploaded["type"] == "image" and uploaded["media_id"] and isinstance(uploaded["created_at"], int)
    got = http.get(f"{fake_base}/cgi-bin/media/get", params={"access_token": token, "media_id": uploaded["media_id"]})
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "image/png"
    assert got.content == data
    control(http, fake_base, advance=3 * 86400 + 1)  # temporary media lives three days
    token = get_token(http, fake_base)["access_token"]
    gone = http.get(f"{fake_base}/cgi-bin/media/get", params={"access_token": token, "media_id": uploaded["media_id"]})
    assert gone.json()["errcode"] == 40007


def test_media_errors(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    upload = f"{fake_base}/cgi-bin/media/upload"
    assert http.get(f"{fake_base}/cgi-bin/media/get",
                    params={"access_token": token, "media_id": "unknown"}).json()["errcode"] == 40007
    assert http.post(upload, params={"access_token": token, "type": "image"},
                     files={"media": ("x.png", b"not an image")}).json()["errcode"] == 40005
    assert http.post(upload, params={"access_token": token, "type": "image"},
                     files={"other": ("x.png", png_bytes())}).json()["errcode"] == 41005
    assert http.post(upload, params={"access_token": token, "type": "sticker"},
                     files={"media": ("x.png", png_bytes())}).json()["errcode"] == 40004
    assert http.post(upload, params={"type": "image"},
                     files={"media": ("x.png", png_bytes())}).json()["errcode"] == 41001


# ---- fault injection -------------------------------------------------------------------
def test_fail_next_injects_one_error_then_recovers(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    path = "/cgi-bin/message/template/send"
    control(http, fake_base, fail_next=[{"path": path, "errcode": -1}, {"path": path, "http_status": 503}])
    assert template(http, fake_base, token)["errcode"] == -1
    resp = http.post(f"{fake_base}{path}", params={"access_token": token}, json={})
    assert resp.status_code == 503
    assert template(http, fake_base, token)["errcode"] == 0


def test_delay_next_still_answers(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    control(http, fake_base, delay_next=[{"path": "/cgi-bin/message/template/send", "seconds": 0.05}])
    assert template(http, fake_base, token)["errcode"] == 0


def test_control_rejects_unknown_settings_and_bad_json(http, fake_base):
    assert http.post(f"{fake_base}/_control", json={"token_tll": 3}).status_code == 400
    assert http.post(f"{fake_base}/_control", data=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert http.post(f"{fake_base}/_interaction", json={"openid": "short"}).status_code == 400


# ---- call records ------------------------------------------------------------------------
def test_every_call_is_recorded_and_listed(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    template(http, fake_base, token, touser=OPENID)
    template(http, fake_base, token, touser=OTHER, data={"thing1": {"value": "x" * 30}})
    calls = http.get(f"{fake_base}/sent").json()["calls"]
    assert [c["path"] for c in calls] == ["/cgi-bin/token", "/cgi-bin/message/template/send",
                                         "/cgi-bin/message/template/send"]
    assert "secret" not in calls[0]["query"] and DEMO_SECRET not in str(calls)
    assert [c["errcode"] for c in calls] == [0, 0, 47003]
    assert calls[1]["touser"] == OPENID and calls[1]["request"]["data"]["thing1"]["value"] == "路灯不亮"
    assert isinstance(calls[1]["msgid"], int) and calls[1]["method"] == "POST" and calls[1]["time"] > 0

    mine = http.get(f"{fake_base}/sent", params={"touser": OTHER}).json()
    assert [c["touser"] for c in mine["calls"]] == [OTHER]
    later = http.get(f"{fake_base}/sent", params={"since_id": calls[1]["id"]}).json()["calls"]
    assert [c["id"] for c in later] == [calls[2]["id"]]

    assert http.delete(f"{fake_base}/sent").status_code == 200
    assert http.get(f"{fake_base}/sent").json()["calls"] == []


def test_reset_forgets_tokens(http, fake_base):
    token = get_token(http, fake_base)["access_token"]
    control(http, fake_base, reset=True)
    assert template(http, fake_base, token)["errcode"] == 40001


# ---- the client the workers use ------------------------------------------------------------
def test_wechatpy_client_pointed_at_the_fake_refreshes_an_expired_token(fake_base, fake_redis):
    from wechatpy import WeChatClient
    from wechatpy.exceptions import WeChatClientException

    class FakeBaseClient(WeChatClient):
        API_BASE_URL = fake_base + "/cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(
                url=fake_base + "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    client = FakeBaseClient(DEMO_APPID, DEMO_SECRET, timeout=5)
    result = client.message.send_template(OPENID, "TPL_x", {"thing1": {"value": "路灯不亮"}})
    assert result["errcode"] == 0
    fake_api.configure(fake_redis, advance=7300)  # the client's cached token has expired at WeChat
    client.expires_at = 10**12  # ... but the client still believes it is fresh
    assert client.message.send_template(OPENID, "TPL_x", {"thing1": {"value": "再次提醒"}})["errcode"] == 0
    with pytest.raises(WeChatClientException) as exc:
        client.message.send_text(OPENID, "窗口未打开")
    assert exc.value.errcode == 45015
    client._http.close()
