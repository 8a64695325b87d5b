"""State and rules of the fake WeChat HTTP API (dev and test only).

Everything lives in Redis under `fakewx:` so every web process, worker and test sees the
same tokens, windows, media and call records; nothing is kept in process globals.
The HTTP side is `bot.dev.fake_api_views`; tests and the simulator use the helpers here:

    record_interaction(redis, openid)      # the villager wrote to us: opens the 48 h window
    record_unsubscribe(redis, openid)      # the villager unfollowed: sends get 43004/45015
    configure(redis, token_ttl=2, ...)     # same keys as POST /dev/wechat-api/_control
    reset(redis)                           # forget everything

Rules modelled on the official docs:
- access_token: https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
- template messages (2023 field rules): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
- customer-service messages (48 h window): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
- temporary media: https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import Any

PREFIX = "fakewx:"
K_CONFIG = PREFIX + "config"  # hash: setting -> JSON value
K_SEQ = PREFIX + "seq"  # msgid / record id counter
K_CALLS = PREFIX + "calls"  # zset: record id -> JSON record
K_FAIL = PREFIX + "fail_next"  # list of JSON rules
K_DELAY = PREFIX + "delay_next"  # list of JSON rules

DEFAULTS: dict[str, Any] = {
    "token_ttl": 7200,  # seconds a token lives (WeChat: 7200)
    "token_grace": 300,  # seconds an old token still works after a new one is fetched
    "token_daily_limit": 2000,  # token fetches per appid per day (Beijing time)
    "clock_offset": 0,  # seconds added to the real clock (move time forward in tests)
    "window_seconds": 48 * 3600,  # customer-service window after an interaction
    "window_limit": 5,  # customer-service messages per interaction
    "template_ids": None,  # list of accepted template ids; None accepts any non-empty id
    "template_titles": {},  # template id -> title shown on the simulator's cards
    "accounts": {},  # extra appid -> secret, besides the account from settings
    "max_calls": 2000,  # call records kept
}

ERRMSG = {
    -1: "system error",
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid media size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    42001: "access_token expired",
    43004: "require subscribe",
    44002: "empty post data",
    44004: "empty content",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
    47003: "argument invalid!",
}

OPENID_RE = re.compile(r"^[A-Za-z0-9_-]{28}$")

# 2023 template field rules: key prefix (before the digits) -> (max length, validator)
_TIME_RES = [
    re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$"),
    re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?([ T]?\d{1,2}:\d{2}(:\d{2})?)?$"),
    re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 ?\d{1,2}[:时]\d{2}分?$"),
]
FIELD_RULES: dict[str, tuple[int, Any]] = {
    "thing": (20, None),
    "character_string": (32, re.compile(r"^[\x21-\x7e]*$")),
    "number": (32, re.compile(r"^-?\d+(\.\d+)?$")),
    "letter": (32, re.compile(r"^[A-Za-z]*$")),
    "symbol": (5, re.compile(r"^[^\w\s]*$")),
    "amount": (32, re.compile(r"^[¥$€￥]?\d{1,10}(\.\d{1,2})?元?$")),
    "phone_number": (17, re.compile(r"^[\d+\-() ]*$")),
    "car_number": (8, None),
    "name": (20, None),  # 10 Chinese characters or 20 letters
    "phrase": (5, re.compile(r"^[\u4e00-\u9fff]*$")),
    "const": (20, None),
    "time": (32, "time"),
    "date": (32, "time"),
}
MEDIA_LIMITS = {"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "thumb": 64 << 10}
MEDIA_TTL = 3 * 86400  # temporary media lives three days
CUSTOM_MSGTYPES = {"text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle",
                   "msgmenu", "wxcard", "miniprogrampage"}


class FakeError(Exception):
    """An errcode the fake answers with (HTTP 200 unless http_status says otherwise)."""

    def __init__(self, errcode: int, detail: str = ""):
        super().__init__(errcode, detail)
        self.errcode = errcode
        self.detail = detail

    def body(self) -> dict:
        msg = ERRMSG.get(self.errcode, "error")
        if self.detail:
            msg = f"{msg} {self.detail}"
        return {"errcode": self.errcode, "errmsg": f"{msg} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"}


# ---- configuration and clock -------------------------------------------------------
def config(redis) -> dict:
    raw = redis.hgetall(K_CONFIG)
    cfg = dict(DEFAULTS)
    for key, value in raw.items():
        cfg[key.decode()] = json.loads(value)
    return cfg


def configure(redis, **settings) -> dict:
    """Set any of DEFAULTS' keys; `advance=<seconds>` moves the clock forward."""
    advance = settings.pop("advance", None)
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError("unknown settings: " + ", ".join(sorted(unknown)))
    if settings:
        redis.hset(K_CONFIG, mapping={k: json.dumps(v) for k, v in settings.items()})
    if advance:
        cfg = config(redis)
        redis.hset(K_CONFIG, "clock_offset", json.dumps(cfg["clock_offset"] + float(advance)))
    return config(redis)


def now(redis, cfg: dict | None = None) -> float:
    cfg = cfg or config(redis)
    return time.time() + float(cfg["clock_offset"])


def reset(redis) -> None:
    """Forget every token, window, medium, record, rule and setting of the fake."""
    keys = list(redis.scan_iter(match=PREFIX + "*", count=500))
    for i in range(0, len(keys), 500):
        redis.delete(*keys[i : i + 500])


def next_id(redis) -> int:
    return int(redis.incr(K_SEQ))


# ---- faults ---------------------------------------------------------------------
def _norm_path(path: str) -> str:
    i = path.find("/cgi-bin/")
    return path[i:] if i >= 0 else path


def add_rules(redis, key: str, rules: list[dict]) -> None:
    for rule in rules:
        if not isinstance(rule, dict) or not isinstance(rule.get("path"), str):
            raise ValueError("each rule needs a path")
        rule = dict(rule, path=_norm_path(rule["path"]))
        for _ in range(max(1, int(rule.pop("times", 1)))):
            redis.rpush(key, json.dumps(rule))


def take_rule(redis, key: str, path: str) -> dict | None:
    """Remove and return the first rule for `path` (atomic per rule: LREM decides the winner)."""
    for raw in redis.lrange(key, 0, -1):
        rule = json.loads(raw)
        if rule["path"] == path and redis.lrem(key, 1, raw):
            return rule
    return None


# ---- access tokens ------------------------------------------------------------------
def accounts(redis, settings, cfg: dict) -> dict[str, str]:
    accts = dict(cfg.get("accounts") or {})
    if settings is not None and settings.wechat_appid:
        accts[settings.wechat_appid] = settings.wechat_secret
    return accts


def issue_token(redis, settings, appid: str, secret: str, grant_type: str) -> dict:
    cfg = config(redis)
    if grant_type != "client_credential":
        raise FakeError(40002)
    if not appid:
        raise FakeError(41002)
    if not secret:
        raise FakeError(41004)
    accts = accounts(redis, settings, cfg)
    if appid not in accts:
        raise FakeError(40013)
    if not secrets.compare_digest(accts[appid].encode(), secret.encode()):
        raise FakeError(40125)
    t = now(redis, cfg)
    day = datetime.fromtimestamp(t, timezone(timedelta(hours=8))).strftime("%Y%m%d")
    quota_key = f"{PREFIX}quota:{appid}:{day}"
    count = redis.incr(quota_key)
    redis.expire(quota_key, 3 * 86400)
    if count > int(cfg["token_daily_limit"]):
        raise FakeError(45009)
    ttl = int(cfg["token_ttl"])
    token = secrets.token_urlsafe(102)[:136]
    keep = max(ttl, 1) + int(cfg["token_grace"]) + 86400  # garbage collection only; validity uses the fake clock
    redis.hset(f"{PREFIX}token:{token}", mapping={"appid": appid, "issued": t, "expires": t + ttl})
    redis.expire(f"{PREFIX}token:{token}", keep)
    old = redis.getset(f"{PREFIX}current:{appid}", token)
    if old:
        old_key = f"{PREFIX}token:{old.decode()}"
        # the previous token keeps working for the grace period (no longer than its own life)
        redis.hset(old_key, "superseded", t)
    return {"access_token": token, "expires_in": ttl}


def check_token(redis, token: str | None) -> str:
    """Return the token's appid or raise 41001 / 40001 / 42001 as WeChat does."""
    if not token:
        raise FakeError(41001)
    cfg = config(redis)
    data = redis.hgetall(f"{PREFIX}token:{token}")
    if not data:
        raise FakeError(40001)
    t = now(redis, cfg)
    superseded = data.get(b"superseded")
    if superseded is not None and t > float(superseded) + float(cfg["token_grace"]):
        raise FakeError(40001)
    if t >= float(data[b"expires"]):
        raise FakeError(42001)
    return data[b"appid"].decode()


# ---- the villager's side: interactions and subscription -----------------------------
def record_interaction(redis, openid: str, at: float | None = None, limit: int | None = None) -> None:
    """The user messaged the account (or followed it): open a fresh 48 h window with a fresh count."""
    at = now(redis) if at is None else float(at)
    key = f"{PREFIX}window:{openid}"
    mapping = {"at": at, "sent": 0}
    if limit is not None:
        mapping["limit"] = int(limit)
    else:
        redis.hdel(key, "limit")
    redis.hset(key, mapping=mapping)
    redis.expire(key, 30 * 86400)
    redis.delete(f"{PREFIX}unsub:{openid}")


def record_unsubscribe(redis, openid: str) -> None:
    """The user unfollowed: templates answer 43004 and the window closes (45015)."""
    redis.delete(f"{PREFIX}window:{openid}")
    redis.set(f"{PREFIX}unsub:{openid}", 1, ex=30 * 86400)


_WINDOW_LUA = """
local at = redis.call('HGET', KEYS[1], 'at')
if not at then return 45015 end
if tonumber(ARGV[1]) - tonumber(at) > tonumber(ARGV[2]) then return 45015 end
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or ARGV[3])
local sent = redis.call('HINCRBY', KEYS[1], 'sent', 1)
if sent > limit then
  redis.call('HINCRBY', KEYS[1], 'sent', -1)
  return 45047
end
return 0
"""


def _check_openid(openid) -> str:
    if not isinstance(openid, str) or not OPENID_RE.match(openid):
        raise FakeError(40003)
    return openid


# ---- sending --------------------------------------------------------------------
def _check_time(value: str) -> bool:
    return any(r.match(value) for r in _TIME_RES)


def check_template_data(data) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise FakeError(47001)
    for key, item in data.items():
        if not isinstance(item, dict) or "value" not in item:
            raise FakeError(47003, f"data.{key}.value invalid")
        value = item["value"]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise FakeError(47003, f"data.{key}.value invalid")
        value = str(value)
        if "\n" in value or "\r" in value:
            raise FakeError(47003, f"data.{key}.value invalid")
        prefix = re.sub(r"\d+$", "", key)
        rule = FIELD_RULES.get(prefix)
        if rule is None:  # pre-2023 keys (first, keyword1, remark): accepted, not shown
            if len(value) > 200:
                raise FakeError(47003, f"data.{key}.value invalid")
            continue
        limit, check = rule
        if not value or len(value) > limit:
            raise FakeError(47003, f"data.{key}.value invalid")
        if check == "time":
            if not _check_time(value):
                raise FakeError(47003, f"data.{key}.value invalid")
        elif check is not None and not check.match(value):
            raise FakeError(47003, f"data.{key}.value invalid")


def send_template(redis, body) -> dict:
    if not isinstance(body, dict):
        raise FakeError(47001)
    cfg = config(redis)
    openid = _check_openid(body.get("touser"))
    template_id = body.get("template_id")
    allowed = cfg.get("template_ids")
    if not isinstance(template_id, str) or not template_id or (allowed is not None and template_id not in allowed):
        raise FakeError(40037)
    check_template_data(body.get("data"))
    if redis.exists(f"{PREFIX}unsub:{openid}"):
        raise FakeError(43004)
    return {"errcode": 0, "errmsg": "ok", "msgid": next_id(redis)}


def send_custom(redis, body) -> dict:
    if not isinstance(body, dict):
        raise FakeError(47001)
    cfg = config(redis)
    openid = _check_openid(body.get("touser"))
    msgtype = body.get("msgtype")
    if msgtype not in CUSTOM_MSGTYPES:
        raise FakeError(40008)
    content = body.get(msgtype)
    if not isinstance(content, dict):
        raise FakeError(44002)
    if msgtype == "text" and not (isinstance(content.get("content"), str) and content["content"]):
        raise FakeError(44004)
    if msgtype in ("image", "voice") and not redis.exists(f"{PREFIX}media:{content.get('media_id')}"):
        raise FakeError(40007)
    code = int(redis.eval(_WINDOW_LUA, 1, f"{PREFIX}window:{openid}", now(redis, cfg),
                          cfg["window_seconds"], cfg["window_limit"]))
    if code:
        raise FakeError(code)
    return {"errcode": 0, "errmsg": "ok"}


# ---- media ------------------------------------------------------------------------
_MAGIC = {
    "image": (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM"),
    "thumb": (b"\xff\xd8\xff",),
    "voice": (b"#!AMR", b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
}


def _content_type(data: bytes, media_type: str) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"#!AMR"):
        return "audio/amr"
    if media_type == "voice":
        return "audio/mpeg"
    return "video/mp4" if media_type == "video" else "application/octet-stream"


def store_media(redis, data: bytes, media_type: str = "image", filename: str = "") -> dict:
    """Keep a temporary medium for three days; return WeChat's upload answer."""
    if media_type not in MEDIA_LIMITS:
        raise FakeError(40004)
    if not data:
        raise FakeError(41005)
    if len(data) > MEDIA_LIMITS[media_type]:
        raise FakeError(40006)
    magic = _MAGIC.get(media_type)
    if magic and not data.startswith(magic):
        raise FakeError(40005)
    t = now(redis)
    media_id = secrets.token_urlsafe(48)[:64]
    key = f"{PREFIX}media:{media_id}"
    redis.hset(key, mapping={"type": media_type, "data": data, "created": t,
                             "content_type": _content_type(data, media_type),
                             "filename": os.path.basename(filename or "")[:100] or f"{media_id}.bin"})
    redis.expire(key, MEDIA_TTL + 86400)
    return {"type": media_type, "media_id": media_id, "created_at": int(t)}


def get_media(redis, media_id: str | None) -> dict:
    if not media_id:
        raise FakeError(40007)
    data = redis.hgetall(f"{PREFIX}media:{media_id}")
    if not data or now(redis) > float(data[b"created"]) + MEDIA_TTL:
        raise FakeError(40007)
    return {"data": data[b"data"], "content_type": data[b"content_type"].decode(),
            "filename": data[b"filename"].decode(), "type": data[b"type"].decode()}


# ---- call records -------------------------------------------------------------------
def record_call(redis, record: dict) -> int:
    cfg = config(redis)
    rid = next_id(redis)
    record = dict(record, id=rid)
    blob = json.dumps(record, ensure_ascii=False)
    pipe = redis.pipeline()
    pipe.zadd(K_CALLS, {blob: rid})
    pipe.zremrangebyrank(K_CALLS, 0, -int(cfg["max_calls"]) - 1)
    if record.get("touser"):
        key = f"{PREFIX}calls_to:{record['touser']}"
        pipe.zadd(key, {blob: rid})
        pipe.zremrangebyrank(key, 0, -int(cfg["max_calls"]) - 1)
        pipe.expire(key, 7 * 86400)
    pipe.execute()
    return rid


def calls(redis, touser: str | None = None, since_id: int = 0, limit: int = 500) -> list[dict]:
    key = f"{PREFIX}calls_to:{touser}" if touser else K_CALLS
    raw = redis.zrangebyscore(key, f"({int(since_id)}", "+inf", start=0, num=limit)
    return [json.loads(r) for r in raw]


def clear_calls(redis) -> None:
    keys = [K_CALLS, *redis.scan_iter(match=PREFIX + "calls_to:*", count=500)]
    redis.delete(*keys)
