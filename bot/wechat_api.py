"""The client for WeChat's HTTP API (the real one, or the built-in fake in dev and test).

wechatpy's client has the base URL and the token URL built in, and fetches the token
without a timeout. This subclass points both at WECHAT_API_BASE, times out every call,
keeps the access_token in Redis for every process, and lets only one process refresh it
at a time (a new token invalidates the old one, and WeChat allows 2,000 fetches a day).
https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
"""
from __future__ import annotations

import logging

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger("cunsheng.wechat_api")
EARLY_REFRESH = 300  # seconds before expiry at which a token is no longer handed out


class WeChatAPI(WeChatClient):
    def __init__(self, appid: str, secret: str, api_base: str, redis, timeout: float = 5.0):
        self.API_BASE_URL = api_base.rstrip("/") + "/cgi-bin/"
        self._api_base = api_base.rstrip("/")
        self._redis = redis
        self._used_token: str | None = None
        super().__init__(appid, secret, session=RedisStorage(redis, prefix="cunsheng:wx"), timeout=timeout)

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        if not token:
            self.fetch_access_token()
            token = self.session.get(self.access_token_key)
        self._used_token = token
        return token

    def fetch_access_token(self) -> dict:
        lock = self._redis.lock(f"cunsheng:wx:{self.appid}:token-lock", timeout=30, blocking_timeout=15)
        with lock:
            current = self.session.get(self.access_token_key)
            if current and current != self._used_token:
                return {"access_token": current}  # another process refreshed it meanwhile
            resp = self._http.get(
                f"{self._api_base}/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
                timeout=self.timeout,
            )
            try:
                resp.raise_for_status()
                result = resp.json()
            except (requests.RequestException, ValueError) as exc:
                raise WeChatClientException(None, f"token fetch failed: {exc}", client=self) from exc
            if result.get("errcode"):
                raise WeChatClientException(result["errcode"], result.get("errmsg", ""), client=self)
            expires_in = int(result.get("expires_in", 7200))
            ttl = max(30, expires_in - EARLY_REFRESH)
            self.session.set(self.access_token_key, result["access_token"], ttl)
            self._redis.incr(f"cunsheng:wx:{self.appid}:token-fetches")
            log.info("access_token refreshed appid=%s ttl=%s", self.appid, ttl)
            self._used_token = result["access_token"]
            return result

    def send_template(self, openid: str, template_id: str, data: dict, url: str | None = None) -> dict:
        body = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        return self.post("message/template/send", data=body)

    def send_custom_text(self, openid: str, text: str) -> dict:
        return self.post("message/custom/send", data={"touser": openid, "msgtype": "text", "text": {"content": text}})


def client_for(res) -> WeChatAPI:
    s = res.settings
    return WeChatAPI(s.wechat_appid, s.wechat_secret, s.wechat_api_base, res.redis, timeout=s.wechat_timeout)
