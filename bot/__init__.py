"""Cunsheng web app. `bot:create_app` is the factory (`gunicorn 'bot:create_app()'`)."""
from __future__ import annotations

import logging
import os

from flask import Flask, jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException

from bot import ext
from config.settings import Settings

log = logging.getLogger("cunsheng")

_ERROR_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title>
<style>body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f4f4;color:#222}
.bar{background:#b71c1c;color:#fff;padding:.6em .8em;font-weight:bold}
.box{background:#fff;margin:.6em;padding:.8em 1em;border-radius:6px;overflow-wrap:anywhere}
h1{font-size:1.25em;margin:.2em 0 .4em}.muted{color:#666;font-size:14px}</style></head>
<body><div class="bar">村声</div><div class="box"><h1>{{ title }}</h1>{% if hint %}<p>{{ hint }}</p>{% endif %}
<p class="muted">错误代码 {{ code }}</p></div></body></html>"""

_MESSAGES = {
    400: "请求格式不正确。",
    403: "没有权限。",
    404: "页面不存在。",
    405: "不支持的请求方式。",
    413: "内容太大。",
    429: "请求太频繁，请稍后再试。",
    500: "系统出了点问题，我们会尽快处理。",
}
_HINTS = {
    400: "请返回上一页，刷新后再试。",
    403: "您没有打开这个页面的权限。如有疑问请联系村里。",
    404: "链接可能已失效或不完整。请从公众号消息里重新打开。",
    405: "请返回上一页重新操作。",
    413: "上传的内容太大了，请压缩后再试。",
    429: "请稍等一分钟再试。",
    500: "请稍后再试。如果一直这样，请联系村里。",
}


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    res = ext.init(settings)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        JSON_AS_ASCII=False,
        CUNSHENG=settings,
    )
    app.json.ensure_ascii = False
    proxies = int(os.environ.get("PROXY_FIX", "0") or 0)
    if proxies:  # behind nginx: trust X-Forwarded-* from that many proxies (login rate limits use the IP)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.extensions["cunsheng"] = res

    from bot.services.accounts import sync_env_account

    sync_env_account(res)

    from bot.wechat import bp as wechat_bp

    app.register_blueprint(wechat_bp)

    from bot.h5 import bp as h5_bp

    app.register_blueprint(h5_bp)

    from bot.wishes import bp as wishes_bp

    app.register_blueprint(wishes_bp)

    from bot.admin import bp as admin_bp

    app.register_blueprint(admin_bp)

    if not settings.production:
        from bot import dev

        dev.register(app)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error_response(exc.code or 500)

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        log.exception("unhandled error path=%s", request.path)
        return _error_response(500)

    # load jieba and the classifier now, not on the first villager's message (WeChat waits 5 s)
    _warm_up(res)

    from bot.cli import register_cli

    register_cli(app)
    return app


def _warm_up(res) -> None:
    """Load jieba, the classifier, the FAQ and the similarity weights at start-up, not on
    the first villager's message (WeChat gives up after 5 s). The village names are taught
    to jieba first: a new word makes the similarity weights be computed again."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    import nlp
    from bot.models import County
    from bot.services.catalog import faq_index, village_names
    from nlp.similarity import find_duplicate

    try:
        with res.db.session() as session:
            for county_id in session.scalars(select(County.id)):
                village_names(session, county_id)  # cached, and added to jieba's dictionary
    except SQLAlchemyError:  # not migrated yet: the first message teaches them
        log.info("warm-up: village names not loaded (database not ready)")

    nlp.get_router().classify("村口的路灯坏了")
    faq_index().match("低保怎么申请")
    find_duplicate("村口水管爆了", [(1, "村口的自来水管爆裂了")])


def _error_response(code: int):
    message = _MESSAGES.get(code, "请求无法处理。")
    if request.path.startswith(("/wechat/", "/dev/wechat-api")) or request.accept_mimetypes.best == "application/json":
        return jsonify(error=code, message=message), code
    return render_template_string(_ERROR_PAGE, code=code, title=message, hint=_HINTS.get(code, "")), code
