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


SESSION_LIFETIME = timedelta(hours=12)  # console and wish-board sign-ins, counted from the sign-in


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    # assigned, not setdefault: Flask always has this key (31 days by default). It bounds the
    # cookie's Expires and the signature's age for every session of the app, the board's too;
    # auth.load_member and the board also refuse a sign-in older than this however active it was.
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    csrf.init_app(app)


def signed_in_recently(since) -> bool:
    """A sign-in time (epoch seconds, stored in the session) younger than SESSION_LIFETIME."""
    import time

    return isinstance(since, int) and 0 <= time.time() - since < SESSION_LIFETIME.total_seconds()


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

__all__ = ["SESSION_LIFETIME", "bp", "csrf", "init_app", "signed_in_recently"]
