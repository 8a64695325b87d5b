"""The admin console (管理后台): sign-in, the inbox and review queue, a request's timeline and
the actions on it, management of regions, teams and members, the dashboard, the monthly
ranking, the quarterly joint-meeting report, the audit log and queue health.

Views are thin: they check scope (`bot.services.admin_scope`), validate a form and call one
service. CSRF protection (Flask-WTF) covers every admin form; other blueprints (the webhook,
the dev tools) are not checked because `WTF_CSRF_CHECK_DEFAULT` is off and the admin
blueprint calls `csrf.protect()` itself.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("admin", __name__, url_prefix="/admin")
csrf = CSRFProtect()


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=12))
    csrf.init_app(app)


@bp.record_once
def _on_register(state) -> None:
    init_app(state.app)


from bot.admin import (  # noqa: E402,F401  (each module adds its views to bp)
    audit,
    auth,
    dashboard,
    inbox,
    manage,
    queues,
    reports,
    requests,
)

__all__ = ["bp", "csrf", "init_app"]
