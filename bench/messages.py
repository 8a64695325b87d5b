"""What the load generator sends: villagers' problems, as WeChat would deliver them.

Every request body and query string is built before a phase starts (signing and AES are
not timed); replies are checked after the phase, so the generator does little while it
measures.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.dev.wechat_server import WeChatServer
from config.settings import DEMO_AES_KEY, DEMO_APPID, DEMO_TOKEN

VILLAGE = "果洛藏贡麻村"  # a village of the demo county (config/county_demo.yaml)
SCENE = f"qrscene_{VILLAGE}"
PATH = "/wechat/demo"
REQUEST_NUMBER = re.compile(r"[A-Z]{2,}-\d{4}-\d{6}")

# Problems as villagers write them: every one should create a request (no greetings,
# queries or thanks, which only get a canned reply).
TEXTS = [
    "村里的路灯坏了好几天了，晚上出门很不方便",
    "我家的自来水管冻裂了，一直在漏水，麻烦派人来修一下",
    "村口那段路被雨水冲垮了，拖拉机过不去",
    "我家牦牛这两天不吃草，还拉肚子，请兽医来看看",
    "河边堆了很多垃圾，天热了有臭味",
    "我母亲腿脚不好，一个人在家，医保报销的事不知道怎么办",
    "邻居家的狗晚上总是咬人，孩子上学很害怕",
    "草场围栏被人剪断了，别人家的羊跑进来吃草",
    "我们这边手机信号很差，打电话都打不通",
    "低保的钱这个月还没有到账，想问一下是什么原因",
    "家里房顶漏雨，下雨天屋里全是水，老人住着不安全",
    "村卫生室的大夫好久没来了，看病要跑到县里",
    "冬天快到了，家里取暖的煤还没有着落",
    "小学门口的桥栏杆松了，孩子们每天从那里过",
]


def openids(tag: str, count: int) -> list[str]:
    """Distinct WeChat-shaped openids (28 characters)."""
    return [f"oBench{tag}{i:06d}".ljust(28, "x")[:28] for i in range(count)]


def wechat() -> WeChatServer:
    """WeChat's side of the protocol for the demo account, in safe mode (AES)."""
    return WeChatServer(DEMO_TOKEN, DEMO_APPID, DEMO_AES_KEY)


@dataclass
class Message:
    """One prepared POST: the raw HTTP/1.1 request, and what its reply must contain."""

    raw: bytes
    kind: str  # "text" or "subscribe"
    content: str


def _raw(host: str, query: dict, body: bytes) -> bytes:
    head = (f"POST {PATH}?{urlencode(query)} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\nUser-Agent: Mozilla/4.0\r\n\r\n")
    return head.encode("ascii") + body


class Factory:
    """Builds signed, encrypted deliveries for a server at `host` (unique MsgIds)."""

    def __init__(self, host: str, ids: list[str], seed: int = 20261125):
        self.host = host
        self.ids = ids
        self.wx = wechat()
        self.rng = random.Random(seed)

    def subscribe(self, openid: str) -> Message:
        d = self.wx.deliver(self.wx.event(openid, "subscribe", EventKey=SCENE))
        return Message(_raw(self.host, d.query, d.body), "subscribe", "")

    def text(self) -> Message:
        content = self.rng.choice(TEXTS)
        d = self.wx.deliver(self.wx.text(self.rng.choice(self.ids), content))
        return Message(_raw(self.host, d.query, d.body), "text", content)

    def texts(self, n: int) -> list[Message]:
        return [self.text() for _ in range(n)]


def check_reply(wx: WeChatServer, msg: Message, status: int | None, body: bytes, expect: str) -> str | None:
    """None when the reply is right, else a short error kind.

    expect="number": a Cunsheng reply naming the new request (GC-2026-000123);
    expect="echo": the bare handler's echo of the text; expect="bound": the welcome
    that binds the village."""
    if status != 200:
        return f"http_{status}"
    try:
        fields = wx.open_reply(body)
    except Exception:  # noqa: BLE001 - anything that does not verify and decrypt
        return "reply_undecryptable"
    content = fields.get("Content", "")
    if fields.get("MsgType") != "text" or not content:
        return "reply_not_text"
    if expect == "number" and not REQUEST_NUMBER.search(content):
        return "reply_without_request_number"
    if expect == "echo" and msg.content not in content:
        return "reply_not_echo"
    if expect == "bound" and VILLAGE not in content:
        return "reply_village_not_bound"
    return None
