"""Two party members claim the same wish at the same moment: exactly one wins, the other is
told politely. Threads released together by a barrier, through the real webhook; on
PostgreSQL both transactions really overlap (each has read the wish as open before either
writes), on SQLite BEGIN IMMEDIATE serialises them — the conditional UPDATE decides on both."""
import threading

from sqlalchemy import select

from bot.models import Wish
from bot.services import wishes
from bot.services.clock import utcnow
from tests.support.wechat import say
from tests.support.wishes import openid_of, review_url, short, submit, wish


def _publish(client, res, number):
    from urllib.parse import urlsplit

    url = urlsplit(review_url(res, number)).path
    client.post(url + "/approve", data={"public_text": "想要一个电饭锅", "category": "daily"})


def test_simultaneous_chat_claims_one_wins(app, client, wx, res, claimers):
    _, number = submit(client, wx, 21, "微心愿：想要一个电饭锅")
    _publish(client, res, number)
    people = [openid_of("party-zhang"), openid_of("party-li"), openid_of("party-wang")]
    barrier = threading.Barrier(len(people))
    replies = {}

    def claim(openid):
        c = app.test_client()
        barrier.wait(timeout=10)
        replies[openid] = say(c, wx, openid, f"认领 {short(number)}").text

    threads = [threading.Thread(target=claim, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [p for p, r in replies.items() if "认领成功" in r]
    lost = [p for p, r in replies.items() if "刚刚已被" in r and "谢谢您的热心" in r]
    assert len(won) == 1 and len(lost) == len(people) - 1, replies
    w = wish(res, number)
    assert w.status == "claimed" and w.claim_seq == 1
    assert [e.kind for e in w.request.events].count("wish_claimed") == 1


def test_overlapping_transactions_one_wins(client, wx, res, claimers):
    """Service level: on PostgreSQL both transactions read the wish as open, then both UPDATE."""
    _, number = submit(client, wx, 22, "微心愿：想要一个电饭锅")
    _publish(client, res, number)
    wish_id = wish(res, number).id
    overlap = res.db.dialect == "postgresql"
    barrier = threading.Barrier(2)
    results = []

    def claim(member_id):
        if not overlap:
            barrier.wait(timeout=10)
        with res.db.session() as s:
            from bot.models import Member

            me = wishes.claimer_for_member(s, s.get(Member, member_id))
            seen = s.scalar(select(Wish.status).where(Wish.id == wish_id))
            if overlap:
                assert seen == "open"
                barrier.wait(timeout=10)  # both have seen it open; now both UPDATE
            ok, reply, _ = wishes.claim(s, res, wish_id, me, utcnow())
            results.append((ok, reply))

    threads = [threading.Thread(target=claim, args=(claimers[k],)) for k in ("party-zhang", "party-li")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(ok for ok, _ in results) == [False, True], results
    assert any("刚刚已被" in r for ok, r in results if not ok)
