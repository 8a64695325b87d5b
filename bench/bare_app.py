"""The baseline: a bare wechatpy webhook for the demo account, with no application behind it.

Verify the signature, decrypt (safe mode) with WeChatCrypto, parse, echo the text in an
encrypted passive reply. Served by gunicorn exactly like Cunsheng: `bench.bare_app:app`.
"""
from __future__ import annotations

import time

from flask import Flask, Response, abort, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from config.settings import DEMO_AES_KEY, DEMO_APPID, DEMO_TOKEN

app = Flask(__name__)
crypto = WeChatCrypto(DEMO_TOKEN, DEMO_AES_KEY, DEMO_APPID)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/wechat/<account_key>")
def receive(account_key: str):
    args = request.args
    try:
        check_signature(DEMO_TOKEN, args["signature"], args["timestamp"], args["nonce"])
        xml = crypto.decrypt_message(request.get_data(), args["msg_signature"], args["timestamp"], args["nonce"])
    except (KeyError, InvalidSignatureException):
        abort(403)
    except Exception:  # noqa: BLE001 - wrong key, bad padding, bad XML
        abort(400)
    msg = parse_message(xml)
    content = getattr(msg, "content", "") or msg.type
    reply = TextReply(message=msg, content=f"收到：{content}").render()
    return Response(crypto.encrypt_message(reply, args["nonce"], str(int(time.time()))), mimetype="application/xml")
