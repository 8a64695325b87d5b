"""What the load generator sends: villagers' problems, as WeChat would deliver them.

Every request body and query string is built before a phase starts (signing and AES are
not timed); replies are checked after the phase, so the generator does little while it
measures.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.dev.wechat_server import WeChatServer
from config.settings import DEMO_AES_KEY, DEMO_APPID, DEMO_TOKEN

PATH = "/wechat/demo"
REQUEST_NUMBER = re.compile(r"[A-Z]{2,}-\d{4}-\d{6}")


def villages() -> list[str]:
    """The demo county's villages (config/county_demo.yaml), in order."""
    from config import load_yaml

    county = load_yaml("county_demo.yaml")["county"]
    return [v["name"] for t in county["townships"] for v in t["villages"]]


@lru_cache(maxsize=1)
def problem_texts() -> tuple[str, ...]:
    """What villagers send: the seed corpus's problems (nlp/data/seed.csv, 6 labels, written
    by the team), without wishes (a different dialog) and without those the FAQ answers at
    once: every one of these makes the app create a request and name its number. Being
    varied, few of them are near-duplicates of each other (the app clusters those: same
    village, team and problem), as in real traffic; a fixed set of a dozen sentences from one
    village would make nearly every message a duplicate, a cheaper path than a new request."""
    import nlp
    from bot.services import catalog
    from nlp.corpus import read_labelled_csv
    from nlp.paths import SEED_CORPUS

    router, faq = nlp.get_router(), catalog.faq_index()
    out = []
    for ex in read_labelled_csv(SEED_CORPUS):
        if ex.label == "wish" or len(ex.text) < 6:
            continue
        if router.classify(ex.text).intent == "problem" and faq.match(ex.text) is None:
            out.append(ex.text)
    random.Random(20261126).shuffle(out)
    return tuple(out)


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
    kind: str  # "text", "followup" (a chase or supplement, issue 11) or "subscribe"
    content: str


def _raw(host: str, query: dict, body: bytes) -> bytes:
    head = (f"POST {PATH}?{urlencode(query)} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\nUser-Agent: Mozilla/4.0\r\n\r\n")
    return head.encode("ascii") + body


class Factory:
    """Builds signed, encrypted deliveries for a server at `host` (unique MsgIds). Villager
    i lives in village i % V (bound by its QR scene); message k carries the k-th corpus
    problem (cycling) from a random villager."""

    def __init__(self, host: str, ids: list[str], seed: int = 20261125, followup_share: float = 0.0):
        self.host = host
        self.ids = ids
        self.villages = villages()
        self.texts_ = problem_texts()
        self.wx = wechat()
        self.rng = random.Random(seed)
        self.k = 0
        # issue 11: a share of the messages are a villager's follow-up (催办 / 补充) to a problem
        # they sent at least FOLLOWUP_LAG messages earlier (so that its request exists)
        self.followup_share = followup_share
        self.history: list[tuple[str, str]] = []  # (openid, problem) in sending order
        self.followups = 0

    def village_of(self, openid: str) -> str:
        return self.villages[self.ids.index(openid) % len(self.villages)]

    def subscribe(self, openid: str) -> Message:
        village = self.village_of(openid)
        d = self.wx.deliver(self.wx.event(openid, "subscribe", EventKey=f"qrscene_{village}"))
        return Message(_raw(self.host, d.query, d.body), "subscribe", village)

    def next_text(self) -> tuple[str, str]:
        """(openid, content) of the next message."""
        return self._next()[:2]

    def _next(self) -> tuple[str, str, str]:
        ready = len(self.history) - FOLLOWUP_LAG
        if self.followup_share and ready > 0 and self.rng.random() < self.followup_share:
            openid, problem = self.history[self.rng.randrange(ready)]
            self.followups += 1
            return openid, followup_text(problem, self.rng), "followup"
        content = self.texts_[self.k % len(self.texts_)]
        self.k += 1
        openid = self.rng.choice(self.ids)
        self.history.append((openid, content))
        return openid, content, "text"

    def text(self) -> Message:
        openid, content, kind = self._next()
        d = self.wx.deliver(self.wx.text(openid, content))
        return Message(_raw(self.host, d.query, d.body), kind, content)

    def texts(self, n: int) -> list[Message]:
        return [self.text() for _ in range(n)]


FOLLOWUP_LAG = 150  # messages: 3 s at 50 req/s, far longer than a request takes to commit
_HAN = re.compile(r"[\u4e00-\u9fff]")
CHASES = ("{m}的事都三天了还没人来，到底什么时候管", "催一下，{m}怎么还没人管", "{m}到底啥时候能解决，等了好几天了")
SUPPLEMENTS = ("补充一下，{m}就在村委会旁边那一段", "对了，{m}是在小学门口东边")


def followup_text(problem: str, rng: random.Random) -> str:
    """A chase (2 in 3) or a supplement about `problem`, naming its matter by its first Han
    characters: the dialog takes it as a chase or supplement of that open request (or asks
    which one, listing the numbers, when several of the villager's requests share the words)."""
    m = "".join(_HAN.findall(problem))[:6]
    pool = CHASES if rng.random() < 2 / 3 else SUPPLEMENTS
    return rng.choice(pool).format(m=m)


def followup_act(content: str) -> str:
    """What the service's reply to a follow-up says it did (handlers/texts.py wording)."""
    if content.startswith("已帮您催办"):
        return "chase"
    if content.startswith("已把您补充的内容"):
        return "supplement"
    if "哪一件" in content or "哪件" in content:
        return "asked_which"
    if REQUEST_NUMBER.search(content):
        return "new_or_other_with_number"
    return "other"


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
    if expect == "bound" and msg.content not in content:
        return "reply_village_not_bound"
    return None
