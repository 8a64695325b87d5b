"""WeChat retries a message when it gets no answer in 5 s: the retry gets the same reply and
creates nothing new — also when retries arrive at the same moment on different processes."""
import multiprocessing
import re
import threading

import requests
from sqlalchemy import func, select

from bot.models import InboundMessage, Outbox, Request
from tests.support.wechat import deliver, openid, villager_of

NUMBER = re.compile(r"GC-\d{4}-\d{6}")


def _count(res, model):
    with res.db.session() as s:
        return s.scalar(select(func.count(model.id)))


def test_retry_of_same_msgid_returns_same_reply_and_creates_nothing(client, wx, res):
    me = villager_of(client, wx, 1)
    message = wx.text(me, "路灯坏了晚上看不见", msg_id=123456789)
    first = deliver(client, wx, message)
    again = deliver(client, wx, message)
    assert NUMBER.search(first.text) and again.text == first.text
    assert _count(res, Request) == 1 and _count(res, Outbox) == 2


def test_same_msgid_from_another_sender_is_a_different_message(client, wx, res):
    a, b = villager_of(client, wx, 2), villager_of(client, wx, 3)
    ra = deliver(client, wx, wx.text(a, "路灯坏了", msg_id=42))
    rb = deliver(client, wx, wx.text(b, "水管冻裂了", msg_id=42))
    assert NUMBER.search(ra.text).group(0) != NUMBER.search(rb.text).group(0)
    assert _count(res, Request) == 2


def test_event_retry_is_recognised_by_sender_time_and_event(client, wx, res):
    me = openid(4)
    ev = wx.event(me, "subscribe", create_time=1_790_000_000, EventKey="qrscene_恩乃村")
    first = deliver(client, wx, ev)
    again = deliver(client, wx, ev)
    assert first.text == again.text
    assert _count(res, InboundMessage) == 1


def test_simultaneous_retries_on_threads_create_one_request(wx, res, live_server, client):
    me = villager_of(client, wx, 5)
    d = wx.deliver(wx.text(me, "我们组的自来水停了三天了", msg_id=777000111))
    barrier = threading.Barrier(6)
    replies = []

    def post():
        barrier.wait()
        r = requests.post(f"{live_server.url}/wechat/demo", params=d.query, data=d.body, timeout=30)
        replies.append((r.status_code, wx.open_reply(r.content).get("Content")))

    threads = [threading.Thread(target=post) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert {status for status, _ in replies} == {200}
    assert len({text for _, text in replies}) == 1 and NUMBER.search(replies[0][1])
    assert _count(res, Request) == 1 and _count(res, InboundMessage) == 2


def _post_in_child(app, query, body, barrier, out):
    barrier.wait()
    r = app.test_client().post("/wechat/demo", query_string=query, data=body, content_type="text/xml")
    out.put((r.status_code, r.data))


def test_simultaneous_retries_in_separate_processes_create_one_request(app, wx, res, client):
    me = villager_of(client, wx, 6)
    d = wx.deliver(wx.text(me, "村道上塌了一个大坑车过不去", msg_id=888000222))
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_post_in_child, args=(app, d.query, d.body, barrier, out)) for _ in range(4)]
    [p.start() for p in procs]
    results = [out.get(timeout=60) for _ in procs]
    [p.join(30) for p in procs]
    assert {status for status, _ in results} == {200}
    texts = {wx.open_reply(body).get("Content") for _, body in results}
    assert len(texts) == 1 and NUMBER.search(texts.pop())
    assert _count(res, Request) == 1
