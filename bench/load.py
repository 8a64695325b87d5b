"""Open-loop and closed-loop load with Python threads, and what they measured.

Open loop: request i is due at start + i/rate whatever happened to earlier requests;
its latency is counted from that due time, so a stalled server (or a generator that
ran out of threads) shows up in the latency instead of slowing the offered rate
(no coordinated omission). Closed loop: N clients, each sending its next request when
the previous reply arrives, for a fixed time: the maximum throughput.
"""
from __future__ import annotations

import itertools
import resource
import threading
import time
from dataclasses import dataclass, field

import psutil

from bench.client import ClientError, Connection
from bench.messages import Message


@dataclass
class Sample:
    due: float  # when it should have been sent (open loop) or was sent (closed loop)
    sent: float
    done: float
    status: int | None
    body: bytes
    error: str | None
    msg: Message


@dataclass
class Usage:
    """CPU used while a phase ran, in CPU-seconds: the generator (this process), the app
    server (gunicorn), its database and Redis servers, and everything on the machine."""

    wall: float = 0.0
    generator_cpu: float = 0.0
    server_cpu: float = 0.0
    server_cpu_by_pid: dict = field(default_factory=dict)
    backend_cpu: float = 0.0
    machine_cpu: float = 0.0  # busy CPU-seconds of all cores
    machine_busy: float = 0.0  # fraction of all cores busy


def _cpu(p: psutil.Process) -> float | None:
    try:
        t = p.cpu_times()
        return t.user + t.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


class UsageMeter:
    """`backend(proc)` says whether a process serves the run's database or Redis
    (PostgreSQL backends show their database in the process title)."""

    def __init__(self, server_pids: list[int], backend=None):
        self.procs = []
        self.backend = backend
        for pid in server_pids:
            try:
                self.procs.append(psutil.Process(pid))
            except psutil.NoSuchProcess:
                pass

    def _server(self) -> dict:
        out = {}
        for p in self.procs:
            c = _cpu(p)
            if c is not None:
                out[p.pid] = c
        return out

    def _backends(self) -> dict:
        if self.backend is None:
            return {}
        out = {}
        for p in psutil.process_iter(["name", "cmdline"]):
            try:
                if self.backend(p):
                    c = _cpu(p)
                    if c is not None:
                        out[(p.pid, p.create_time())] = c
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return out

    def __enter__(self):
        self.t0 = time.perf_counter()
        r = resource.getrusage(resource.RUSAGE_SELF)
        self.gen0 = r.ru_utime + r.ru_stime
        self.srv0 = self._server()
        self.bk0 = self._backends()
        self.cpu0 = psutil.cpu_times()
        return self

    def __exit__(self, *exc):
        self.usage = self.stop()
        return False

    def stop(self) -> Usage:
        wall = time.perf_counter() - self.t0
        cpu1 = psutil.cpu_times()
        r = resource.getrusage(resource.RUSAGE_SELF)
        srv1 = self._server()
        bk1 = self._backends()
        busy0 = sum(self.cpu0) - self.cpu0.idle - getattr(self.cpu0, "iowait", 0)
        busy1 = sum(cpu1) - cpu1.idle - getattr(cpu1, "iowait", 0)
        total = sum(cpu1) - sum(self.cpu0)
        by_pid = {pid: round(srv1[pid] - self.srv0.get(pid, 0.0), 3) for pid in srv1}
        return Usage(wall=wall, generator_cpu=r.ru_utime + r.ru_stime - self.gen0,
                     server_cpu=sum(by_pid.values()), server_cpu_by_pid=by_pid,
                     backend_cpu=sum(v - self.bk0.get(k, 0.0) for k, v in bk1.items()),
                     machine_cpu=busy1 - busy0, machine_busy=(busy1 - busy0) / total if total > 0 else 0.0)


def wait_quiet(server_pids: list[int], backend=None, max_wait: float = 5.0, threshold: float = 0.25,
               step: float = 0.5) -> dict:
    """Wait (at most `max_wait` s) until the rest of the machine uses less than `threshold`
    of one core: the machine may be shared. Returns what was seen, for the record."""
    waited, other = 0.0, 0.0
    while True:
        with UsageMeter(server_pids, backend) as m:
            time.sleep(step)
        u = m.usage
        other = max(0.0, u.machine_cpu - u.server_cpu - u.backend_cpu - u.generator_cpu) / u.wall
        waited += u.wall
        if other < threshold or waited >= max_wait:
            return {"waited_s": round(waited, 1), "other_cpu_pct_before": round(100 * other, 1)}


def _send(conn: Connection, msg: Message) -> tuple[int | None, bytes, str | None]:
    try:
        status, body = conn.request(msg.raw)
        return status, body, None
    except TimeoutError:
        conn.close()
        return None, b"", "timeout"
    except ClientError as exc:
        return None, b"", f"connection_{exc}"
    except OSError as exc:
        return None, b"", f"os_{exc.__class__.__name__}"


def open_loop(host: str, port: int, messages: list[Message], rate: float, threads: int = 32,
              lead: float = 0.2, max_lag: float = 5.0) -> tuple[list[Sample], float, dict]:
    """Send messages[i] at start + i/rate. Returns (samples, start, connection counts).

    A request that could not be sent within `max_lag` seconds of its due time (every
    thread waiting on an overloaded server) is not sent and counts as an error
    ("overload_not_sent"): this bounds the phase when the server is slower than the rate."""
    n = len(messages)
    samples: list[Sample | None] = [None] * n
    counter = itertools.count()
    start = time.perf_counter() + lead
    conns = [Connection(host, port) for _ in range(threads)]

    def run(conn: Connection) -> None:
        while True:
            i = next(counter)  # atomic under the GIL
            if i >= n:
                break
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter()
            if sent - due > max_lag:
                samples[i] = Sample(due, sent, sent, None, b"", "overload_not_sent", messages[i])
                continue
            status, body, error = _send(conn, messages[i])
            samples[i] = Sample(due, sent, time.perf_counter(), status, body, error, messages[i])
        conn.close()

    _join([threading.Thread(target=run, args=(c,), daemon=True) for c in conns])
    return [s for s in samples if s is not None], start, _conn_counts(conns)


def closed_loop(host: str, port: int, source, clients: int, seconds: float,
                fresh: bool = False) -> tuple[list[Sample], float, dict]:
    """`clients` threads send back to back for `seconds`; `source()` gives the next Message
    (None: no more). `fresh`: a new connection per request (reaches every server worker)."""
    lock = threading.Lock()
    per_thread: list[list[Sample]] = [[] for _ in range(clients)]
    conns = [Connection(host, port) for _ in range(clients)]
    start = time.perf_counter()
    deadline = start + seconds

    def run(k: int) -> None:
        conn, out = conns[k], per_thread[k]
        while True:
            with lock:
                msg = source()
            sent = time.perf_counter()
            if msg is None or sent >= deadline:
                break
            status, body, error = _send(conn, msg)
            out.append(Sample(sent, sent, time.perf_counter(), status, body, error, msg))
            if fresh:
                conn.close()
        conn.close()

    _join([threading.Thread(target=run, args=(k,), daemon=True) for k in range(clients)])
    return [s for out in per_thread for s in out], start, _conn_counts(conns)


def _join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _conn_counts(conns: list[Connection]) -> dict:
    return {"connects": sum(c.connects for c in conns), "reconnects": sum(c.reconnects for c in conns)}


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def latency_summary(values_s: list[float]) -> dict:
    v = sorted(x * 1000.0 for x in values_s)
    if not v:
        return {"n": 0}
    r = lambda x: None if x is None else round(x, 2)  # noqa: E731
    return {"n": len(v), "mean": r(sum(v) / len(v)), "p50": r(percentile(v, 50)), "p90": r(percentile(v, 90)),
            "p95": r(percentile(v, 95)), "p99": r(percentile(v, 99)), "max": r(v[-1]), "min": r(v[0])}
