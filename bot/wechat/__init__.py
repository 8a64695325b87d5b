"""The webhook WeChat calls: /wechat/<account>.

Verify → (decrypt) → parse → one service call → passive reply (encrypted in safe mode).
https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
"""
from __future__ import annotations

import logging
import re
import time

import xmltodict
from flask import Blueprint, Response, abort, current_app, request
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from bot import ext
from bot.services.accounts import get_account
from bot.services.intake import handle_inbound, store_unhandled
from bot.wechat.messages import BadMessageError, to_incoming

log = logging.getLogger("cunsheng.webhook")
bp = Blueprint("wechat", __name__, url_prefix="/wechat")

_FORBIDDEN_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
MAX_REPLY_CHARS = 600  # WeChat truncates long passive replies; keep the useful part
TIMESTAMP_SKEW = 600  # seconds


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def _verify(account) -> None:
    args = request.args
    ts, nonce, signature = args.get("timestamp", ""), args.get("nonce", ""), args.get("signature", "")
    if not (ts and nonce and signature) or _sign(account.token, ts, nonce) != signature:
        abort(403)
    if not ts.isdigit() or abs(time.time() - int(ts)) > TIMESTAMP_SKEW:
        abort(403)


@bp.get("/<account_key>")
def verify(account_key: str):
    account = get_account(ext.get(), account_key)
    if account is None:
        abort(404)
    _verify(account)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/<account_key>")
def receive(account_key: str):
    res = ext.get()
    account = get_account(res, account_key)
    if account is None:
        abort(404)
    _verify(account)
    body = request.get_data(cache=False)  # MAX_CONTENT_LENGTH (64 KiB) → 413 before this
    if not body or _FORBIDDEN_XML.search(body):
        abort(400)
    crypto = None
    encrypted = request.args.get("encrypt_type") == "aes"
    if account.aes_key:
        if not encrypted:
            abort(400)  # safe mode accepts only encrypted messages
        crypto = WeChatCrypto(account.token, account.aes_key, account.appid)
        try:
            xml = crypto.decrypt_message(body, request.args.get("msg_signature", ""),
                                         request.args["timestamp"], request.args["nonce"])
        except Exception as exc:  # noqa: BLE001 - wrong key, bad padding, bad signature, bad XML
            log.info("decrypt rejected account=%s error=%s", account_key, exc.__class__.__name__)
            abort(403 if exc.__class__.__name__ == "InvalidSignatureException" else 400)
        xml_bytes = xml.encode("utf-8") if isinstance(xml, str) else xml
        if _FORBIDDEN_XML.search(xml_bytes):
            abort(400)
    else:
        xml_bytes = body
    try:
        data = xmltodict.parse(xml_bytes, disable_entities=True)["xml"]
        msg, msg_id, create_time = to_incoming(data)
        raw = _jsonable(data)
    except (BadMessageError, Exception) as exc:  # noqa: BLE001 - malformed XML never reaches a 500
        log.info("parse rejected account=%s error=%s", account_key, exc.__class__.__name__)
        abort(400)

    try:
        result = handle_inbound(res, account, msg, msg_id, create_time, raw=raw)
    except Exception:  # noqa: BLE001 - never a 500 to WeChat: keep the message, answer politely
        log.exception("intake failed account=%s kind=%s", account_key, msg.kind)
        return _reply(store_unhandled(res, account, msg, msg_id, create_time, raw), data, crypto)
    result.effects.run(res)  # after the commit: enqueue notifications, schedule follow-ups
    return _reply(result.reply, data, crypto)


def _reply(text: str, data: dict, crypto: WeChatCrypto | None) -> Response:
    if not text:
        return Response("success", mimetype="text/plain")
    if len(text) > MAX_REPLY_CHARS:
        text = text[: MAX_REPLY_CHARS - 1] + "…"
    reply = TextReply(source=data.get("ToUserName", ""), target=data.get("FromUserName", ""), content=text)
    xml = reply.render()
    if crypto is not None:
        xml = crypto.encrypt_message(xml, request.args.get("nonce", ""), str(int(time.time())))
    return Response(xml, mimetype="application/xml")


MAX_XML_DEPTH = 16  # WeChat's deepest (a menu's photo list: xml/SendPicsInfo/PicList/item/PicMd5Sum) is 5


def _jsonable(data, depth: int = 0) -> dict:
    """The parsed message as JSON for `inbound_messages.raw`; nesting deeper than WeChat ever
    sends is refused (400), as it would exhaust the stack when the JSON is written."""
    if depth > MAX_XML_DEPTH:
        raise BadMessageError("xml nested too deep")
    if isinstance(data, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v, depth + 1) for v in data]
    return data


__all__ = ["bp", "current_app"]
