"""Development tools: the fake WeChat HTTP API and the two-phone simulator.

`bot.create_app` calls `register(app)` only when APP_ENV is not production.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from bot.dev.fake_api_views import bp as fake_api_bp
    from bot.dev.simulator import bp as simulator_bp

    app.register_blueprint(fake_api_bp)
    app.register_blueprint(simulator_bp)
