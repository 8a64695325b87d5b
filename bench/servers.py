"""Web servers under test: gunicorn subprocesses, configured as bot/runner.py runs the app."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_options() -> dict:
    """The web server settings of `make run` (bot/runner.py): gthread workers × threads."""
    return {"workers": int(os.environ.get("WEB_CONCURRENCY", "2")), "threads": 4, "worker_class": "gthread",
            "keepalive_s": 2, "access_log": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, app: str, env: dict, log_path: Path, port: int | None = None):
        self.app = app
        self.port = port or free_port()
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, ready_path: str, timeout: float = 60.0) -> "Gunicorn":
        opts = gunicorn_options()
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(opts["workers"]), "--threads", str(opts["threads"]),
               "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-", "--log-level", "warning", self.app]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        url = f"http://{self.host}{ready_path}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    resp.read()
                if len(self.pids()) >= opts["workers"] + 1:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f}s; see {self.log_path}")

    def pids(self) -> list[int]:
        if self.proc is None or self.proc.poll() is not None:
            return []
        try:
            master = psutil.Process(self.proc.pid)
            return [master.pid] + [c.pid for c in master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def error_lines(self, limit: int = 10) -> list[str]:
        """Tracebacks and error lines from the server log (the access log lines are left out)."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        keep = [ln for ln in text if not ln.startswith("127.0.0.1 - ") and ln.strip()]
        return keep[-limit:]
