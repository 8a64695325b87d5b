"""Deliver messages to the webhook as WeChat does, and read the replies as WeChat would."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot import ext
from bot.dev import fake_api

from bot.dev.wechat_server import WeChatServer


@dataclass
class Reply:
    status: int
    fields: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.fields.get("Content", "")


WINDOW_EVENTS = ("subscribe", "scan", "click", "view")


def _opens_window(xml: str) -> bool:
    """Which user actions open WeChat's 48-hour customer-service window."""
    m = re.search(r"<MsgType><!\[CDATA\[(\w+)\]\]></MsgType>", xml)
    if not m or m.group(1) != "event":
        return True
    e = re.search(r"<Event><!\[CDATA\[(\w+)\]\]></Event>", xml)
    return bool(e) and e.group(1).lower() in WINDOW_EVENTS


def deliver(client, wx: WeChatServer, message, account: str = "demo", **kw) -> Reply:
    d = wx.deliver(message, **kw)
    xml = message[0] if isinstance(message, tuple) else message
    if d.query.get("openid") and _opens_window(xml):
        # WeChat itself knows the user just wrote: tell the fake WeChat API, as the simulator does
        fake_api.record_interaction(ext.current().redis, d.query["openid"])
    resp = client.post(f"/wechat/{account}", query_string=d.query, data=d.body, content_type="text/xml")
    fields = wx.open_reply(resp.data) if resp.status_code == 200 else {}
    return Reply(resp.status_code, fields, resp.data)


def say(client, wx: WeChatServer, openid: str, text: str, **kw) -> Reply:
    return deliver(client, wx, wx.text(openid, text, **kw))


def openid(n: int | str) -> str:
    return ("oVillager" + str(n) + "x" * 28)[:28]


def villager_of(client, wx, n, village: str = "果洛藏贡麻村") -> str:
    """A villager who followed the account by the village's QR code."""
    me = openid(n)
    r = deliver(client, wx, wx.event(me, "subscribe", EventKey=f"qrscene_{village}"))
    assert r.status == 200 and village in r.text, r
    return me


# an official account's own values (not the demo account's), for Settings(app_env="production")
PROD_ACCOUNT = {"wechat_appid": "wx0123456789abcdef", "wechat_secret": "s" * 32,
                "wechat_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
