"""The WeChat protocol at the edge: verification, signatures, modes, and bad input."""
from sqlalchemy import func, select

from bot.dev.wechat_server import WeChatServer
from bot.models import InboundMessage, Request
from tests.support.wechat import deliver, openid, say


def _counts(res):
    with res.db.session() as s:
        return s.scalar(select(func.count(InboundMessage.id))), s.scalar(select(func.count(Request.id)))


def test_get_echoes_echostr_with_a_valid_signature(client, wx):
    q = wx.verify_query("hello-wechat")
    r = client.get("/wechat/demo", query_string=q)
    assert r.status_code == 200 and r.data == b"hello-wechat"


def test_get_with_a_wrong_signature_is_forbidden(client, wx):
    q = wx.verify_query("x")
    q["signature"] = "0" * 40
    assert client.get("/wechat/demo", query_string=q).status_code == 403


def test_unknown_account_is_404_and_stores_nothing(client, wx, res):
    r = deliver(client, wx, wx.text(openid(1), "路灯坏了"), account="nosuch")
    assert r.status == 404
    assert _counts(res) == (0, 0)


def test_wrong_signature_is_403_and_stores_nothing(client, wx, res, settings):
    other = WeChatServer("not-the-token", settings.wechat_appid, settings.wechat_aes_key)
    assert deliver(client, other, other.text(openid(1), "路灯坏了")).status == 403
    assert _counts(res) == (0, 0)


def test_wrong_aes_key_is_rejected_without_a_500(client, wx, res, settings):
    other = WeChatServer(settings.wechat_token, settings.wechat_appid, "A" * 43)
    assert deliver(client, other, other.text(openid(1), "路灯坏了")).status in (400, 403)
    assert _counts(res) == (0, 0)


def test_safe_mode_refuses_plaintext(client, settings, res):
    plain = WeChatServer(settings.wechat_token, settings.wechat_appid, None)
    assert deliver(client, plain, plain.text(openid(1), "路灯坏了")).status == 400
    assert _counts(res) == (0, 0)


def test_stale_timestamp_is_refused(client, wx, res):
    r = deliver(client, wx, wx.text(openid(1), "路灯坏了"), timestamp=1_600_000_000)
    assert r.status == 403
    assert _counts(res) == (0, 0)


def _raw_post(client, wx, body: bytes):
    d = wx.deliver(wx.text(openid(1), "x"))
    return client.post("/wechat/demo", query_string=d.query, data=body, content_type="text/xml")


def test_body_over_64_kib_is_413(client, wx, res):
    big = b"<xml>" + b"a" * (65 * 1024) + b"</xml>"
    assert _raw_post(client, wx, big).status_code == 413
    assert _counts(res) == (0, 0)


def test_entity_declarations_are_refused_unexpanded(client, wx, res):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              b"<xml><Encrypt>&lol2;</Encrypt></xml>")
    assert _raw_post(client, wx, laughs).status_code == 400
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'
    assert _raw_post(client, wx, external).status_code == 400
    assert _counts(res) == (0, 0)


def test_entity_declaration_inside_the_encrypted_payload_is_refused(client, wx, res):
    xml = ('<!DOCTYPE x [<!ENTITY a "b">]><xml><ToUserName>gh</ToUserName><FromUserName>' + openid(1) +
           '</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&a;</Content>'
           '<MsgId>5</MsgId></xml>')
    assert deliver(client, wx, (xml, "5")).status == 400
    assert _counts(res) == (0, 0)


def test_deeply_nested_xml_is_400(client, wx, res):
    """A signed message with an element nested far deeper than WeChat's own (at most 5) is
    refused, not a 500 from the recursion that stores it."""
    def text_with(extra: str, msg_id: str):
        return ("<xml><ToUserName>gh</ToUserName><FromUserName>" + openid(1) + "</FromUserName>"
                "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>村里停电了</Content>"
                f"<MsgId>{msg_id}</MsgId>{extra}</xml>", msg_id)

    for depth in (30, 1200):
        assert deliver(client, wx, text_with("<a>" * depth + "x" + "</a>" * depth, str(depth))).status == 400
    assert _counts(res) == (0, 0)
    # WeChat's own nesting (a menu's photo list) is stored as sent
    pics = "<SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum>abc</PicMd5Sum></item></PicList></SendPicsInfo>"
    assert deliver(client, wx, text_with(pics, "7")).status == 200
    with res.db.session() as s:
        raw = s.scalar(select(InboundMessage.raw))
    assert raw["SendPicsInfo"]["PicList"]["item"]["PicMd5Sum"] == "abc"


def test_malformed_xml_is_400(client, wx, res):
    assert _raw_post(client, wx, b"<xml><Encrypt>abc").status_code == 400
    assert _raw_post(client, wx, b"not xml at all").status_code == 400
    assert _raw_post(client, wx, b"").status_code == 400
    assert _counts(res) == (0, 0)


def test_decrypted_xml_missing_sender_is_400(client, wx, res):
    assert deliver(client, wx, ("<xml><MsgType>text</MsgType><Content>hi</Content></xml>", None)).status == 400
    assert _counts(res) == (0, 0)


def test_plaintext_mode_works_when_the_account_has_no_aes_key(client, res, settings, monkeypatch):
    from bot.services import accounts

    monkeypatch.setattr(settings, "wechat_aes_key", "")  # as WECHAT_AES_KEY= does
    accounts.reset_cache()
    plain = WeChatServer(settings.wechat_token, settings.wechat_appid, None)
    r = deliver(client, plain, plain.event(openid(9), "subscribe", EventKey="qrscene_恩乃村"))
    assert r.status == 200 and "欢迎" in r.text
    r = say(client, plain, openid(9), "我们村的自来水管冻裂了家里没水")
    assert r.status == 200 and "GC-" in r.text
    assert b"<Encrypt>" not in r.body


def test_an_internal_error_keeps_the_message_and_answers_politely(client, wx, res, monkeypatch):
    import handlers

    def broken(msg, ctx):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(handlers, "handle", broken)  # fault injection into our own code
    message = wx.text(openid(7), "路灯坏了", msg_id=99)
    r = deliver(client, wx, message)
    assert r.status == 200 and "已收到并保存" in r.text and "Traceback" not in r.text
    assert deliver(client, wx, message).text == r.text  # WeChat's retry: same answer
    with res.db.session() as s:
        rows = s.scalars(select(InboundMessage)).all()
        assert len(rows) == 1 and rows[0].content == "路灯坏了" and rows[0].request_id is None
