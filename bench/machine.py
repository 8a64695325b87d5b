"""The machine a benchmark ran on, recorded next to its figures."""
from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata

import psutil

from bench.servers import ROOT


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def describe() -> dict:
    freq = psutil.cpu_freq()
    dirty = _git("status", "--porcelain")
    return {
        "cpu_model": _cpu_model(),
        "cpu_mhz": round(freq.current) if freq else None,
        "logical_cpus": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {d: _version(d) for d in ("flask", "sqlalchemy", "gunicorn", "wechatpy", "psycopg", "redis",
                                              "rq", "scikit-learn", "jieba")},
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty_files": len(dirty.splitlines()) if dirty else 0,
    }
