"""Cadres hear about new requests through the WeChat API (the fake one, over HTTP), by real
RQ workers; nothing is lost when Redis is down and nothing is sent twice."""
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from redis import Redis
from rq import Queue
from sqlalchemy import select, update

from bot.dev import fake_api
from bot.jobs import notify
from bot.models import Member, Outbox, Request, RequestEvent
from bot.services import outbox
from bot.services.clock import utcnow
from tests.support import clock
from tests.support.wechat import say, villager_of
from tests.support.workers import drain

NUMBER = re.compile(r"GC-\d{4}-\d{6}")
ROOT = Path(__file__).resolve().parents[3]


def _new_request(client, wx, n=1, text="村里的路灯坏了好几盏晚上黑得很"):
    me = villager_of(client, wx, n)
    return NUMBER.search(say(client, wx, me, text).text).group(0)


def _state(res, number):
    with res.db.session() as s:
        req = s.scalar(select(Request).where(Request.number == number))
        rows = s.scalars(select(Outbox).where(Outbox.request_id == req.id).order_by(Outbox.id)).all()
        events = s.scalars(select(RequestEvent).where(RequestEvent.request_id == req.id)
                           .order_by(RequestEvent.id)).all()
        members = {m.id: m for m in s.scalars(select(Member).where(Member.team_id == req.team_id))}
        return req, rows, events, members


def _template_calls(redis):
    return [c for c in fake_api.calls(redis) if c["path"].endswith("/message/template/send")]


def test_team_members_get_a_template_message_with_number_village_summary_deadline(client, wx, res, redis):
    number = _new_request(client, wx)
    drain(res)
    req, rows, events, members = _state(res, number)
    assert [r.status for r in rows] == ["sent", "sent"]
    calls = _template_calls(redis)
    assert sorted(c["touser"] for c in calls) == sorted(m.openid for m in members.values())
    body = calls[0]["request"]
    values = [v["value"] for v in body["data"].values()]
    assert number in values and any("果洛藏贡麻村" in v for v in values)
    assert any("路灯" in v for v in values) and all(len(v) <= 32 and "\n" not in v for v in values)
    assert "/h5/t/" in body["url"]  # a signed link to the task page, per recipient
    assert all(c["errcode"] == 0 for c in calls)
    assert [e.kind for e in events].count("notified") == 2


def test_a_job_that_runs_twice_sends_once(client, wx, res, redis):
    number = _new_request(client, wx)
    drain(res)
    _, rows, _, _ = _state(res, number)
    for row in rows:  # a duplicate delivery of the same jobs
        res.queue("high").enqueue(notify, row.id)
    drain(res)
    assert len(_template_calls(redis)) == 2


def test_transient_error_is_retried_with_backoff_and_then_sent(client, wx, res, redis):
    fake_api.add_rules(redis, fake_api.K_FAIL, [{"path": "/cgi-bin/message/template/send", "errcode": -1}])
    number = _new_request(client, wx)
    drain(res)
    _, rows, _, _ = _state(res, number)
    failed = [r for r in rows if r.status == "failed"]
    assert len(failed) == 1 and failed[0].next_attempt_at > utcnow() and "-1" in failed[0].last_error
    assert outbox.sweep(res, now=utcnow() + timedelta(minutes=2)) == 1
    drain(res)
    _, rows, _, _ = _state(res, number)
    assert [r.status for r in rows] == ["sent", "sent"] and failed[0].id in [r.id for r in rows]
    ok = [c for c in _template_calls(redis) if c["errcode"] == 0]
    assert len(ok) == 2


def test_an_http_error_from_wechat_is_recorded_by_its_status(client, wx, res, redis):
    fake_api.add_rules(redis, fake_api.K_FAIL, [{"path": "/cgi-bin/message/template/send", "http_status": 503}])
    number = _new_request(client, wx)
    drain(res)
    _, rows, _, _ = _state(res, number)
    failed = [r for r in rows if r.status == "failed"]
    assert len(failed) == 1 and failed[0].last_error == "HTTP 503" and failed[0].next_attempt_at > utcnow()


def test_expired_token_is_refreshed_once_and_the_call_retried(client, wx, res, redis):
    fake_api.add_rules(redis, fake_api.K_FAIL, [{"path": "/cgi-bin/message/template/send", "errcode": 42001}])
    number = _new_request(client, wx)
    drain(res)
    _, rows, _, _ = _state(res, number)
    assert [r.status for r in rows] == ["sent", "sent"]
    token_calls = [c for c in fake_api.calls(redis) if c["path"].endswith("/cgi-bin/token")]
    assert len(token_calls) == 2  # the first token, and one refresh after 42001


def test_invalid_openid_is_not_retried_and_the_member_is_unbound(client, wx, res, redis):
    with res.db.session() as s:
        team_member = s.scalar(select(Member).where(Member.login == "guoluo-governance-2"))
        team_member.openid = "not-a-wechat-openid"
    number = _new_request(client, wx)
    drain(res)
    _, rows, events, members = _state(res, number)
    assert sorted(r.status for r in rows) == ["dead", "sent"]
    assert any(e.kind == "notify_failed" for e in events)
    assert members[team_member.id].openid is None
    assert outbox.sweep(res, now=utcnow() + timedelta(hours=3)) == 0


def test_redis_down_at_enqueue_loses_nothing(client, wx, res, redis, monkeypatch):
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    monkeypatch.setitem(res.queues, "high", Queue("high", connection=dead))  # the real client, unreachable
    number = _new_request(client, wx)  # the villager is still answered
    monkeypatch.undo()
    _, rows, _, _ = _state(res, number)
    assert len(rows) == 2 and all(r.status == "pending" and r.enqueued_at is None for r in rows)
    assert res.queue("high").count == 0
    assert outbox.sweep(res) == 0  # too fresh to call lost
    assert outbox.sweep(res, now=utcnow() + timedelta(minutes=2)) == 2
    drain(res)
    _, rows, _, _ = _state(res, number)
    assert [r.status for r in rows] == ["sent", "sent"]


def _burst_worker(settings) -> None:
    """`python worker.py --burst`, as an operator runs it, against this test's database and Redis."""
    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               PUBLIC_URL=settings.public_url, WECHAT_API_BASE=settings.wechat_api_base)
    out = subprocess.run(clock.python("worker.py", "--burst"), cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def test_burst_worker_also_sends_what_never_reached_redis(client, wx, res, redis, settings, monkeypatch):
    """An operator drains the queues after a Redis outage: the rows the web app could not
    enqueue are swept first, without waiting for the --cron worker."""
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    monkeypatch.setitem(res.queues, "high", Queue("high", connection=dead))
    number = _new_request(client, wx)
    monkeypatch.undo()
    with res.db.session() as s:  # the outage was two minutes ago
        s.execute(update(Outbox).values(created_at=utcnow() - timedelta(minutes=2)))
    _burst_worker(settings)
    _, rows, _, _ = _state(res, number)
    assert [r.status for r in rows] == ["sent", "sent"]


def test_worker_script_drains_in_burst_mode(client, wx, res, redis, settings):
    number = _new_request(client, wx)
    _burst_worker(settings)
    _, rows, _, _ = _state(res, number)
    assert [r.status for r in rows] == ["sent", "sent"]
