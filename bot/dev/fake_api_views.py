"""HTTP face of the fake WeChat API, mounted at /dev/wechat-api (never in production).

Workers reach it over real HTTP exactly as they reach https://api.weixin.qq.com; only the
base URL differs. Errors come back as WeChat sends them: HTTP 200 with errcode/errmsg.
The rules and the Redis state are in `bot.dev.fake_api`.

Control endpoints (ours, not WeChat's):
  POST /_control      {"reset": true, "token_ttl": 2, "clock_offset": 7201, "advance": 60,
                       "fail_next": [{"path": "/cgi-bin/...", "errcode": -1} | {"path", "http_status": 503}],
                       "delay_next": [{"path": "...", "seconds": 3}], ...}   GET shows the settings
  POST /_interaction  {"openid": "...", "at": <unix ts>, "limit": 5} or {"openid", "event": "unsubscribe"}
  GET  /sent          ?touser= &since_id= &path=     DELETE /sent clears
  GET  /_pic/<media_id>  a received photo, as WeChat's public PicUrl would serve it
"""
from __future__ import annotations

import json
import logging
import time
from functools import wraps

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot.dev import fake_api as fa

log = logging.getLogger("cunsheng.dev.fake_api")
bp = Blueprint("fake_wechat_api", __name__, url_prefix="/dev/wechat-api")

MAX_UPLOAD = 11 << 20
_SECRET_ARGS = {"secret", "access_token"}


def redis():
    res = current_app.extensions.get("cunsheng")
    if res is None:
        from bot import ext

        res = ext.get()
    return res.redis


def _settings():
    return current_app.config.get("CUNSHENG")


def _json(data, status: int = 200) -> Response:
    resp = current_app.response_class(json.dumps(data, ensure_ascii=False), status=status,
                                      mimetype="application/json")
    resp.headers["Content-Type"] = "application/json; encoding=utf-8"
    return resp


def _body():
    """The request's JSON as WeChat reads it: any content type; bad JSON is 47001/44002."""
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise fa.FakeError(47001) from None
    if not raw.strip():
        raise fa.FakeError(44002)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise fa.FakeError(47001) from None


def _peek_body():
    try:
        return _body()
    except fa.FakeError:
        return None


def wechat_api(kind: str, needs_token: bool = True):
    """Wrap a fake endpoint: injected delays and faults, token check, error shape, record."""

    def deco(fn):
        @wraps(fn)
        def view():
            r = redis()
            path = fa._norm_path(request.path)
            body = _peek_body() if request.method == "POST" and kind != "media_upload" else None
            record = {
                "time": round(fa.now(r), 3),
                "method": request.method,
                "path": path,
                "kind": kind,
                "touser": body.get("touser") if isinstance(body, dict) and isinstance(body.get("touser"), str) else None,
                "query": {k: v for k, v in request.args.items() if k not in _SECRET_ARGS},
                "request": body,
            }
            # a request takes its delay and its fault together, before sleeping, so that
            # concurrent requests cannot swap them
            delay = fa.take_rule(r, fa.K_DELAY, path)
            fault = fa.take_rule(r, fa.K_FAIL, path)
            if delay:
                time.sleep(min(max(float(delay.get("seconds", 0)), 0.0), 30.0))
            if fault and fault.get("http_status"):
                status = int(fault["http_status"])
                resp = Response(fault.get("body", ""), status=status, mimetype="text/html")
                record.update(http_status=status, errcode=None)
                fa.record_call(r, record)
                return resp
            try:
                if fault:
                    err = fa.FakeError(int(fault.get("errcode", -1)))
                    result = err.body()
                    if fault.get("errmsg"):
                        result["errmsg"] = fault["errmsg"]
                else:
                    if needs_token:
                        fa.check_token(r, request.args.get("access_token"))
                    result = fn(r)
            except fa.FakeError as exc:
                result = exc.body()
            except Exception:  # noqa: BLE001 - a bug in the fake answers like WeChat's "system error"
                log.exception("fake wechat api error path=%s", path)
                result = fa.FakeError(-1).body()
            if isinstance(result, Response):
                record.update(http_status=result.status_code, errcode=0)
                if isinstance(getattr(result, "fake_record", None), dict):
                    record.update(result.fake_record)
                fa.record_call(r, record)
                return result
            record.update(http_status=200, errcode=result.get("errcode", 0), errmsg=result.get("errmsg"),
                          msgid=result.get("msgid"), media_id=result.get("media_id"))
            fa.record_call(r, record)
            return _json(result)

        return view

    return deco


# ---- WeChat's endpoints ----------------------------------------------------------------
@bp.get("/cgi-bin/token")
@wechat_api("token", needs_token=False)
def token(r):
    a = request.args
    return fa.issue_token(r, _settings(), a.get("appid", ""), a.get("secret", ""), a.get("grant_type", ""))


@bp.post("/cgi-bin/message/template/send")
@wechat_api("template")
def template_send(r):
    return fa.send_template(r, _body())


@bp.post("/cgi-bin/message/custom/send")
@wechat_api("custom")
def custom_send(r):
    return fa.send_custom(r, _body())


@bp.post("/cgi-bin/media/upload")
@wechat_api("media_upload")
def media_upload(r):
    media_type = request.args.get("type", "")
    if media_type not in fa.MEDIA_LIMITS:
        raise fa.FakeError(40004)
    request.max_content_length = MAX_UPLOAD
    try:
        upload = request.files.get("media")
    except RequestEntityTooLarge:
        raise fa.FakeError(40006) from None
    if upload is None:
        raise fa.FakeError(41005)
    data = upload.read(fa.MEDIA_LIMITS[media_type] + 1)
    return fa.store_media(r, data, media_type, upload.filename or "")


@bp.get("/cgi-bin/media/get")
@wechat_api("media_get")
def media_get(r):
    media_id = request.args.get("media_id")
    media = fa.get_media(r, media_id)
    resp = Response(media["data"], mimetype=media["content_type"])
    resp.headers["Content-disposition"] = f'attachment; filename="{media["filename"]}"'
    resp.fake_record = {"media_id": media_id}
    return resp


# ---- our control endpoints ---------------------------------------------------------------
def _bad(message: str, status: int = 400):
    return jsonify(error=status, message=message), status


def _control_body():
    try:
        body = json.loads(request.get_data() or b"{}")
    except (ValueError, UnicodeDecodeError, RequestEntityTooLarge):
        return None
    return body if isinstance(body, dict) else None


@bp.route("/_control", methods=["GET", "POST"])
def control():
    r = redis()
    if request.method == "GET":
        return jsonify(config=fa.config(r), now=fa.now(r))
    body = _control_body()
    if body is None:
        return _bad("JSON object expected")
    body = dict(body)
    if body.pop("reset", False):
        fa.reset(r)
    fail, delay = body.pop("fail_next", None), body.pop("delay_next", None)
    try:
        if fail:
            fa.add_rules(r, fa.K_FAIL, fail if isinstance(fail, list) else [fail])
        if delay:
            fa.add_rules(r, fa.K_DELAY, delay if isinstance(delay, list) else [delay])
        cfg = fa.configure(r, **body)
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    return jsonify(config=cfg, now=fa.now(r))


@bp.post("/_interaction")
def interaction():
    r = redis()
    body = _control_body()
    openid = body.get("openid") if body else None
    if not isinstance(openid, str) or not fa.OPENID_RE.match(openid):
        return _bad("openid of 28 characters [A-Za-z0-9_-] expected")
    try:
        if body.get("event") == "unsubscribe":
            fa.record_unsubscribe(r, openid)
        else:
            fa.record_interaction(r, openid, at=body.get("at"), limit=body.get("limit"))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify(ok=True, now=fa.now(r))


@bp.route("/sent", methods=["GET", "DELETE"])
def sent():
    r = redis()
    if request.method == "DELETE":
        fa.clear_calls(r)
        return jsonify(ok=True)
    try:
        since_id = int(request.args.get("since_id", 0) or 0)
        limit = min(int(request.args.get("limit", 500) or 500), 2000)
    except ValueError:
        return _bad("since_id and limit must be integers")
    calls = fa.calls(r, touser=request.args.get("touser") or None, since_id=since_id, limit=limit)
    path = request.args.get("path")
    if path:
        calls = [c for c in calls if c["path"] == fa._norm_path(path)]
    cfg = fa.config(r)
    return jsonify(calls=calls, last_id=max([since_id] + [c["id"] for c in calls]),
                   template_titles=cfg.get("template_titles") or {})


@bp.get("/_pic/<media_id>")
def picture(media_id: str):
    try:
        media = fa.get_media(redis(), media_id)
    except fa.FakeError:
        return _bad("no such picture", 404)
    return Response(media["data"], mimetype=media["content_type"])


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if request.path.startswith(bp.url_prefix + "/cgi-bin/"):
        return _json(fa.FakeError(47001 if exc.code == 400 else -1).body(), exc.code or 200)
    return _bad(exc.description or "error", exc.code or 400)


# ---- WeCom (企业微信) group robot webhook, for teams whose members have no WeChat ----------
# https://developer.work.weixin.qq.com/document/path/91770 — POST JSON {"msgtype":"text","text":{"content":…}}
@bp.post("/wecom-robot/<key>")
def wecom_robot(key: str):
    r = redis()
    body = _peek_body()
    ok = isinstance(body, dict) and body.get("msgtype") == "text" and isinstance(body.get("text"), dict) \
        and isinstance(body["text"].get("content"), str) and 0 < len(body["text"]["content"].encode()) <= 2048
    result = {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 40008, "errmsg": "invalid message type"}
    fa.record_call(r, {"time": round(fa.now(r), 3), "method": "POST", "path": f"/wecom-robot/{key}",
                       "kind": "wecom", "touser": f"wecom:{key}", "query": {}, "request": body,
                       "http_status": 200, "errcode": result["errcode"], "errmsg": result["errmsg"]})
    return _json(result)
