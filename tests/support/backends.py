"""Real backends for the tests: SQLite + embedded Redis always; PostgreSQL and the Redis
server too when DATABASE_URL / REDIS_URL are set (as .ci/run does)."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from sqlalchemy import delete, select, text, update
from werkzeug.serving import make_server

from bot import ext
from bot.models import (
    Attachment,
    BindingCode,
    Counter,
    InboundMessage,
    Member,
    Outbox,
    Request,
    RequestEvent,
    TrainingExample,
    Villager,
)
from bot.models.admin import AuditLog, RequestSearch
from bot.models.wishes import Unit, UnitMember, Wish
from bot.services import accounts, catalog, effects
from bot.services.seed import demo_openid

MUTABLE = [AuditLog, RequestSearch, Wish, UnitMember, Unit, Attachment, RequestEvent, Outbox, TrainingExample, InboundMessage, Request,
           Villager, Counter, BindingCode]


def backend_names() -> list[str]:
    names = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        names.append("postgres")
    return names


class LiveServer:
    """The app served over real HTTP on a free port, in a thread; `target` can be swapped."""

    def __init__(self):
        self.target = None
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _dispatch(self, environ, start_response):
        return self.target(environ, start_response)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Backend:
    name: str
    app: object
    res: object

    def activate(self):
        ext.activate(self.res)
        return self


def reset_data(res) -> None:
    """Empty what tests write; restore the demo members' bindings; clear Redis."""
    with res.db.session() as s:
        if res.db.dialect == "postgresql":
            names = ", ".join(m.__tablename__ for m in MUTABLE)
            s.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for model in MUTABLE:
                s.execute(delete(model))
        for mid, login in s.execute(select(Member.id, Member.login)).all():
            s.execute(update(Member).where(Member.id == mid).values(openid=demo_openid(login), active=True))
    res.redis.flushdb()
    effects.reset_backoff()
    catalog.invalidate()
    accounts.reset_cache()
