"""The WeChat server's side of the callback protocol, written independently of wechatpy.

Used by the simulator page, the tests and the benchmarks to deliver messages to our
webhook exactly as WeChat does: XML built like WeChat's, the `signature` over
(token, timestamp, nonce), and in safe mode AES-256-CBC encryption of
random(16) + len(4, big-endian) + xml + appid with PKCS#7 padding to 32 bytes and the
`msg_signature` over (token, timestamp, nonce, ciphertext).
Reference: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import os
import re
import socket
import struct
import time
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_msgid = itertools.count(int(time.time() * 1000) % 10**12 * 1000 + os.getpid() % 1000)


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class Delivery:
    """One HTTP POST as WeChat would make it."""

    query: dict
    body: bytes
    msg_id: str | None


class WeChatServer:
    def __init__(self, token: str, appid: str, aes_key: str | None, account_user: str = "gh_cunsheng_demo"):
        self.token = token
        self.appid = appid
        self.aes_key = aes_key or None
        self.account_user = account_user
        if self.aes_key:
            self._key = base64.b64decode(self.aes_key + "=")
            if len(self._key) != 32:
                raise ValueError("EncodingAESKey must decode to 32 bytes")

    # ---- message XML, as WeChat builds it -------------------------------------------
    def _xml(self, openid: str, msg_type: str, fields: dict, create_time: int | None, with_msgid: bool = True):
        create_time = create_time or int(time.time())
        parts = [
            f"<ToUserName>{_cdata(self.account_user)}</ToUserName>",
            f"<FromUserName>{_cdata(openid)}</FromUserName>",
            f"<CreateTime>{create_time}</CreateTime>",
            f"<MsgType>{_cdata(msg_type)}</MsgType>",
        ]
        for key, value in fields.items():
            if isinstance(value, (int, float)):
                parts.append(f"<{key}>{value}</{key}>")
            else:
                parts.append(f"<{key}>{_cdata(value)}</{key}>")
        msg_id = None
        if with_msgid:
            msg_id = str(fields.get("MsgId") or next(_msgid))
            if "MsgId" not in fields:
                parts.append(f"<MsgId>{msg_id}</MsgId>")
        return "<xml>" + "".join(parts) + "</xml>", msg_id

    def text(self, openid, content, msg_id=None, create_time=None):
        fields = {"Content": content}
        if msg_id is not None:
            fields["MsgId"] = int(msg_id)
        return self._xml(openid, "text", fields, create_time)

    def voice(self, openid, media_id, recognition=None, msg_id=None, create_time=None):
        fields = {"MediaId": media_id, "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        if msg_id is not None:
            fields["MsgId"] = int(msg_id)
        return self._xml(openid, "voice", fields, create_time)

    def image(self, openid, media_id, pic_url="http://mmbiz.qpic.cn/demo.jpg", msg_id=None, create_time=None):
        fields = {"PicUrl": pic_url, "MediaId": media_id}
        if msg_id is not None:
            fields["MsgId"] = int(msg_id)
        return self._xml(openid, "image", fields, create_time)

    def location(self, openid, lat, lng, label="", scale=15, msg_id=None, create_time=None):
        fields = {"Location_X": lat, "Location_Y": lng, "Scale": scale, "Label": label}
        if msg_id is not None:
            fields["MsgId"] = int(msg_id)
        return self._xml(openid, "location", fields, create_time)

    def link(self, openid, title, description, url, msg_id=None, create_time=None):
        fields = {"Title": title, "Description": description, "Url": url}
        if msg_id is not None:
            fields["MsgId"] = int(msg_id)
        return self._xml(openid, "link", fields, create_time)

    def event(self, openid, event, create_time=None, **extra):
        fields = {"Event": event}
        fields.update(extra)
        return self._xml(openid, "event", fields, create_time, with_msgid=False)

    # ---- delivery ---------------------------------------------------------------
    def deliver(self, xml_and_id, timestamp: int | None = None, nonce: str | None = None) -> Delivery:
        xml, msg_id = xml_and_id if isinstance(xml_and_id, tuple) else (xml_and_id, None)
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or base64.b16encode(os.urandom(5)).decode().lower()
        m = re.search(r"<FromUserName><!\[CDATA\[(.*?)\]\]></FromUserName>", xml)
        query = {"signature": sha1_signature(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if m:
            query["openid"] = m.group(1)
        if not self.aes_key:
            return Delivery(query, xml.encode("utf-8"), msg_id)
        encrypted = self.encrypt(xml)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sha1_signature(self.token, timestamp, nonce, encrypted)
        body = f"<xml><ToUserName>{_cdata(self.account_user)}</ToUserName><Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
        return Delivery(query, body.encode("utf-8"), msg_id)

    def verify_query(self, echostr: str = "cunsheng-echo") -> dict:
        timestamp = str(int(time.time()))
        nonce = base64.b16encode(os.urandom(5)).decode().lower()
        return {"signature": sha1_signature(self.token, timestamp, nonce), "timestamp": timestamp,
                "nonce": nonce, "echostr": echostr}

    # ---- crypto -----------------------------------------------------------------
    def encrypt(self, xml: str) -> str:
        data = xml.encode("utf-8")
        plain = os.urandom(16) + struct.pack(">I", len(data)) + data + self.appid.encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        dec = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        plain = dec.update(base64.b64decode(encrypted)) + dec.finalize()
        plain = plain[: -plain[-1]]
        length = socket.ntohl(struct.unpack("I", plain[16:20])[0])
        xml = plain[20 : 20 + length].decode("utf-8")
        appid = plain[20 + length :].decode()
        if appid != self.appid:
            raise ValueError("reply encrypted for another AppID")
        return xml

    def open_reply(self, body: bytes | str, query: dict | None = None) -> dict:
        """Read our webhook's reply as WeChat would: verify and decrypt in safe mode,
        then return its fields (MsgType, Content, ...). Empty body / 'success' → {}."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if not text or text == "success":
            return {}
        if self.aes_key:
            encrypted = _field(text, "Encrypt")
            signature = _field(text, "MsgSignature")
            ts, nonce = _field(text, "TimeStamp"), _field(text, "Nonce")
            if sha1_signature(self.token, ts, nonce, encrypted) != signature:
                raise ValueError("reply signature does not verify")
            text = self.decrypt(encrypted)
        fields = {}
        for tag in ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"):
            value = _field(text, tag)
            if value is not None:
                fields[tag] = value
        return fields


def _field(xml: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</{tag}>", xml, re.S)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def xml_escape(text: str) -> str:
    return escape(text)
