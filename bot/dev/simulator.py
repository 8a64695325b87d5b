"""The two-phone simulator at /dev/simulator (never in production).

The villager's phone sends messages the way WeChat's servers would deliver them: the XML
is built and (in safe mode) encrypted by `WeChatServer`, the 48 h customer-service window
is opened in the fake WeChat API, and the POST goes through the whole WSGI stack to the
webhook `/wechat/<account>` in-process (the same code path as an HTTP call, without a
single-threaded dev server calling itself). The reply is verified and decrypted as WeChat
would. What the workers later send through the fake API shows up on both phones by
polling /dev/wechat-api/sent.
"""
from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from bot.dev import fake_api as fa
from bot.dev.fake_api_views import MAX_UPLOAD
from bot.dev.wechat_server import WeChatServer

log = logging.getLogger("cunsheng.dev.simulator")
_BOT_DIR = Path(__file__).resolve().parent.parent
bp = Blueprint(
    "dev_simulator",
    __name__,
    url_prefix="/dev/simulator",
    template_folder=str(_BOT_DIR / "templates"),
    static_folder=str(_BOT_DIR / "static" / "dev"),
    static_url_path="/static",
)

from bot.models.people import ROLE_LABELS  # noqa: E402
ACCOUNT_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# The simulator's own cap on a text (or a voice's recognition): 5,000 characters stay well under the
# webhook's 64 KB body cap once encrypted, and above intake's 4,000 kept in a request's text.
MAX_TEXT_CHARS = 5000
# a short AMR-NB file: header and a few silent frames, so media/get of a voice works
_SILENT_AMR = b"#!AMR\n" + (b"\x04" + bytes(12)) * 10


def _resources():
    res = current_app.extensions.get("cunsheng")
    if res is None:
        from bot import ext

        res = ext.get()
    return res


def _server() -> WeChatServer:
    s = current_app.config["CUNSHENG"]
    return WeChatServer(s.wechat_token, s.wechat_appid, s.wechat_aes_key or None)


def _bad(message: str, status: int = 400):
    return jsonify(error=status, message=message), status


@bp.get("")
@bp.get("/")
def page():
    s = current_app.config["CUNSHENG"]
    return render_template("dev/simulator.html", safe_mode=bool(s.wechat_aes_key), appid=s.wechat_appid,
                           max_text=MAX_TEXT_CHARS)


def _templates() -> dict[str, dict]:
    """Template id -> {"title", "labels" (field key -> keyword name)}, as WeChat knows them for
    the account (config/notifications.yaml, with the same WECHAT_TEMPLATE_<EVENT> overrides
    as bot/services/notify.py)."""
    from config import load_yaml

    templates = load_yaml("notifications.yaml").get("templates") or {}
    return {os.environ.get(f"WECHAT_TEMPLATE_{event.upper()}", tpl["template_id"]):
            {"title": tpl["title"], "labels": dict(tpl.get("labels") or {})}
            for event, tpl in templates.items() if isinstance(tpl, dict) and tpl.get("template_id")}


@bp.get("/meta")
def meta():
    """Villages (for QR scenes), the cadres bound to an openid (for the cadre's phone) and the
    template titles and field labels shown on the cadre's cards."""
    from bot.models import Member, Team, Township, Village

    with _resources().db.session() as session:
        villages = [
            {"id": v.id, "name": v.name, "township": t.name}
            for v, t in session.execute(
                select(Village, Township).join(Township, Village.township_id == Township.id)
                .where(Village.active.is_(True)).order_by(Township.id, Village.id)
            )
        ]
        rows = session.execute(
            select(Member, Village.name, Team.name)
            .outerjoin(Village, Member.village_id == Village.id)
            .outerjoin(Team, Member.team_id == Team.id)
            .where(Member.openid.is_not(None), Member.active.is_(True))
            .order_by(Member.village_id, Member.team_id, Member.id)
        ).all()
        members = [
            {"id": m.id, "name": m.name, "role": m.role, "role_label": ROLE_LABELS.get(m.role, m.role),
             "village": village, "team": team, "openid": m.openid}
            for m, village, team in rows
        ]
    templates = _templates()
    return jsonify(villages=villages, members=members,
                   template_titles={tid: t["title"] for tid, t in templates.items()},
                   template_labels={tid: t["labels"] for tid, t in templates.items()})


@bp.post("/upload")
def upload():
    """The villager's photo, kept by the fake WeChat as a temporary medium (as WeChat does)."""
    request.max_content_length = MAX_UPLOAD
    try:
        media = request.files.get("media")
    except RequestEntityTooLarge:
        return _bad("照片太大（最大 10 MB）", 413)
    if media is None:
        return _bad("缺少照片（字段 media）")
    try:
        stored = fa.store_media(_resources().redis, media.read(fa.MEDIA_LIMITS["image"] + 1), "image",
                                media.filename or "")
    except fa.FakeError as exc:
        return _bad(f"照片无法接收：{exc.body()['errmsg']}")
    pic_url = url_for("fake_wechat_api.picture", media_id=stored["media_id"], _external=True)
    return jsonify(media_id=stored["media_id"], pic_url=pic_url)


def _float(body: dict, key: str, low: float, high: float) -> float:
    value = float(body.get(key))
    if not low <= value <= high:
        raise ValueError(key)
    return value


def _check_length(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"文字太长（{len(text)} 字），模拟器一次最多发送 {MAX_TEXT_CHARS} 字")


def _build(server: WeChatServer, redis, openid: str, body: dict):
    """The XML WeChat would deliver for this simulator action; raises ValueError on bad input."""
    kind = body.get("type")
    if kind == "text":
        content = body.get("content")
        if not isinstance(content, str) or not content.strip():
            raise ValueError("文字不能为空")
        _check_length(content)
        return server.text(openid, content)
    if kind == "voice":
        recognition = body.get("recognition")
        if recognition is not None and not isinstance(recognition, str):
            raise ValueError("recognition 必须是文字")
        if recognition is not None:
            _check_length(recognition)
        media_id = fa.store_media(redis, _SILENT_AMR, "voice", "voice.amr")["media_id"]
        return server.voice(openid, media_id, recognition=recognition)
    if kind == "location":
        lat, lng = _float(body, "lat", -90, 90), _float(body, "lng", -180, 180)
        return server.location(openid, lat, lng, label=str(body.get("label") or ""))
    if kind == "image":
        media_id = body.get("media_id")
        try:
            fa.get_media(redis, media_id)
        except fa.FakeError:
            raise ValueError("照片不存在或已过期，请重新选择") from None
        pic_url = url_for("fake_wechat_api.picture", media_id=media_id, _external=True)
        return server.image(openid, media_id, pic_url=pic_url)
    if kind == "subscribe":
        scene = body.get("scene")
        if scene:
            return server.event(openid, "subscribe", EventKey=f"qrscene_{scene}", Ticket="gQSimulatorTicket")
        return server.event(openid, "subscribe", EventKey="")
    if kind == "unsubscribe":
        return server.event(openid, "unsubscribe", EventKey="")
    if kind == "click":
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise ValueError("菜单 key 不能为空")
        return server.event(openid, "CLICK", EventKey=key)
    raise ValueError(f"不支持的消息类型：{kind!r}")


@bp.post("/send")
def send():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad("需要 JSON 对象")
    openid = body.get("openid")
    if not isinstance(openid, str) or not fa.OPENID_RE.match(openid):
        return _bad("openid 必须是 28 位字母、数字、_ 或 -")
    account = body.get("account") or "demo"
    if not isinstance(account, str) or not ACCOUNT_RE.match(account):
        return _bad("account 不正确")
    redis = _resources().redis
    server = _server()
    try:
        xml_and_id = _build(server, redis, openid, body)
    except (TypeError, ValueError) as exc:
        return _bad(str(exc) or "参数不正确")

    # WeChat opens the customer-service window when the user acts, before we even answer
    if body["type"] == "unsubscribe":
        fa.record_unsubscribe(redis, openid)
    else:
        fa.record_interaction(redis, openid)

    delivery = server.deliver(xml_and_id)
    started = time.perf_counter()
    resp = current_app.test_client().post(
        f"/wechat/{account}",
        query_string=delivery.query,
        data=delivery.body,
        content_type="text/xml",
        headers={"User-Agent": "Mozilla/4.0"},
    )
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    raw = resp.get_data()
    result = {"status": resp.status_code, "msg_id": delivery.msg_id, "elapsed_ms": elapsed_ms,
              "reply": None, "msg_type": None}
    if resp.status_code != 200:
        result["body"] = raw[:500].decode("utf-8", "replace")
        return jsonify(result)
    try:
        fields = server.open_reply(raw)
    except Exception as exc:  # noqa: BLE001 - shown to the developer, not raised
        log.warning("simulator could not open reply: %r", exc)
        result["error"] = f"回复无法验证或解密：{exc!r}"
        result["body"] = raw[:500].decode("utf-8", "replace")
        return jsonify(result)
    if fields and fields.get("ToUserName") != openid:
        result["error"] = "回复的 ToUserName 不是这个用户"
    result["reply"] = fields.get("Content")
    result["msg_type"] = fields.get("MsgType")
    return jsonify(result)
