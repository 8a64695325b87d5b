"""The simulator delivers messages to the webhook as WeChat does and shows the decrypted reply."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.dev import fake_api
from bot.services.seed import demo_openid
from config import load_yaml
from tests.integration.dev.test_fake_wechat_api import get_token, png_bytes
from tests.support.wechat import openid

ROOT = Path(__file__).resolve().parents[3]


def sim_send(client, **message):
    resp = client.post("/dev/simulator/send", json=message)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_page_is_served_in_chinese_without_external_assets(client):
    resp = client.get("/dev/simulator")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "村民" in html and "干部" in html and "viewport" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no CDN
    for asset in ("simulator.js", "simulator.css"):
        got = client.get(f"/dev/simulator/static/{asset}")
        assert got.status_code == 200
        assert "http://" not in got.get_data(as_text=True) and "https://" not in got.get_data(as_text=True)
        got.close()


def test_script_never_puts_data_into_innerhtml():
    js = (ROOT / "bot/static/dev/simulator.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write", js)


def test_meta_lists_villages_and_cadres_bound_to_wechat(client):
    meta = client.get("/dev/simulator/meta").get_json()
    names = {v["name"] for v in meta["villages"]}
    assert {"果洛藏贡麻村", "日芒村"} <= names
    secretary = next(m for m in meta["members"] if m["name"] == "尕藏才旦")
    assert secretary["openid"] == demo_openid("guoluo")
    assert secretary["role_label"] == "村党支部书记" and secretary["village"] == "果洛藏贡麻村"
    assert all(m["openid"] for m in meta["members"])
    assert any(m["team"] for m in meta["members"])
    # the cadre's cards show a template's title, as WeChat does
    assert meta["template_titles"]["cunsheng_new_task"] == "新的群众诉求"
    assert meta["template_titles"]["cunsheng_urgent"] == "紧急诉求"
    assert meta["template_labels"]["cunsheng_urgent"]["character_string1"] == "诉求编号"
    assert meta["template_labels"]["cunsheng_villager_update"]["phrase2"] == "办理状态"
    # every template names every field it fills (config/notifications.yaml)
    templates = load_yaml("notifications.yaml")["templates"]
    assert all(set(t["labels"]) == set(t["fields"]) for t in templates.values())


def test_text_gets_the_decrypted_reply_and_opens_the_48h_window(client, http, fake_base):
    me = openid("sim1")
    result = sim_send(client, openid=me, type="text", content="村口的路灯坏了一个多月了")
    assert result["status"] == 200
    assert result["msg_type"] == "text" and "哪个村" in result["reply"]
    assert result["msg_id"]
    # WeChat would now allow customer-service messages to this villager
    token = get_token(http, fake_base)["access_token"]
    sent = http.post(f"{fake_base}/cgi-bin/message/custom/send", params={"access_token": token},
                     json={"touser": me, "msgtype": "text", "text": {"content": "已收到"}}).json()
    assert sent["errcode"] == 0
    mine = http.get(f"{fake_base}/sent", params={"touser": me}).json()["calls"]
    assert [c["request"]["text"]["content"] for c in mine] == ["已收到"]


def test_follow_with_a_village_qr_scene(client):
    result = sim_send(client, openid=openid("sim2"), type="subscribe", scene="日芒村")
    assert result["status"] == 200
    assert "欢迎" in result["reply"] and "日芒村" in result["reply"]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "voice", "recognition": "我家的牛丢了两头"},
        {"type": "voice"},
        {"type": "location", "lat": 37.3260, "lng": 100.1316, "label": "刚察县沙柳河镇"},
        {"type": "subscribe"},
        {"type": "unsubscribe"},
    ],
)
def test_other_kinds_reach_the_webhook(client, message):
    result = sim_send(client, openid=openid("sim3"), **message)
    assert result["status"] == 200
    assert "error" not in result


def test_photo_is_uploaded_to_the_fake_and_sent_as_an_image(client, http, fake_base):
    me = openid("sim4")
    data = png_bytes(100_000)  # above the webhook's 64 KB body cap: the photo goes to the media store
    up = client.post("/dev/simulator/upload", data={"media": (io.BytesIO(data), "photo.png")},
                     content_type="multipart/form-data")
    assert up.status_code == 200, up.get_data(as_text=True)
    media_id = up.get_json()["media_id"]
    result = sim_send(client, openid=me, type="image", media_id=media_id)
    assert result["status"] == 200 and "error" not in result
    token = get_token(http, fake_base)["access_token"]
    got = http.get(f"{fake_base}/cgi-bin/media/get", params={"access_token": token, "media_id": media_id})
    assert got.content == data
    assert client.get(f"/dev/wechat-api/_pic/{media_id}").data == data


def test_upload_refuses_what_is_not_a_photo(client):
    resp = client.post("/dev/simulator/upload", data={"media": (io.BytesIO(b"hello"), "a.txt")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400


def test_webhook_errors_are_shown_not_hidden(client):
    result = sim_send(client, openid=openid("sim5"), type="text", content="你好", account="nosuchaccount")
    assert result["status"] == 404
    assert result["reply"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"openid": "short", "type": "text", "content": "x"},
        {"openid": "o" * 28, "type": "fax"},
        {"openid": "o" * 28, "type": "text", "content": "   "},
        {"openid": "o" * 28, "type": "text", "content": "长" * 5001},
        {"openid": "o" * 28, "type": "voice", "recognition": "长" * 5001},
        {"openid": "o" * 28, "type": "location", "lat": "north", "lng": 1},
        {"openid": "o" * 28, "type": "image", "media_id": "missing"},
        {"openid": "o" * 28, "type": "text", "content": "x", "account": "../admin"},
        ["not", "an", "object"],
    ],
)
def test_bad_simulator_input_is_a_400(client, body):
    assert client.post("/dev/simulator/send", json=body).status_code == 400


def test_unfollow_closes_the_window_in_the_fake(client, redis):
    me = openid("sim6")
    sim_send(client, openid=me, type="text", content="你好")
    assert redis.exists(f"{fake_api.PREFIX}window:{me}")
    sim_send(client, openid=me, type="unsubscribe")
    assert not redis.exists(f"{fake_api.PREFIX}window:{me}")
    assert redis.exists(f"{fake_api.PREFIX}unsub:{me}")
