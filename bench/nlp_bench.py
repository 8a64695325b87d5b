"""Routing speed and memory, next to jieba's bare ``lcut`` in the same run.

``run()`` returns a dict and writes nothing (a model is trained into a temporary
directory, removed afterwards, when ``<var>/models`` has none). The measurement
runs in a child process pinned to one CPU with ``OMP_NUM_THREADS=1``, so the
resident memory is that of a process that has only loaded the model.

The messages are 2,000 *distinct* ~30-character texts cut from the seed corpus,
so no cache of tokens or results helps (a webhook rarely sees the same text
twice). ``lcut`` and single classification are each timed twice, interleaved,
and the better run of each is reported: on a shared machine this takes out most
of the interference of other processes, which slows both alike. The cold start
is measured twice: inside the child (imports, jieba, model, first answer) and as
the wall time of a fresh ``python -c`` that loads the model and answers one
message.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
N_MESSAGES = 2000


def messages(n: int = N_MESSAGES) -> list[str]:
    """``n`` distinct messages of ~30 characters: corpus texts of 25-35 characters,
    then 30-character windows of the longer ones (deterministic order)."""
    import csv
    import random

    from nlp import paths

    with open(paths.SEED_CORPUS, encoding="utf-8") as fh:
        texts = [r["text"].strip() for r in csv.DictReader(fh)]
    chosen = [x for x in texts if 25 <= len(x) <= 35]
    windows = [x[i:i + 30] for x in texts if len(x) > 35 for i in range(0, len(x) - 29, 2)]
    random.Random(3).shuffle(windows)
    seen: set[str] = set()
    out = []
    for x in chosen + windows:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out[:n]


def _child(model_dir: str) -> dict:  # runs in the measuring process
    import resource
    import time

    started = time.perf_counter()

    def rss_mb(field: str = "VmRSS") -> float:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    base_rss = rss_mb()
    t = time.perf_counter()
    import jieba  # noqa: F401

    from nlp import tokenizer
    from nlp.classifier import router_from_dir

    imports = time.perf_counter() - t
    t = time.perf_counter()
    tokenizer.initialize()
    jieba_init = time.perf_counter() - t
    rss_libs = rss_mb()
    t = time.perf_counter()
    router = router_from_dir(model_dir)
    load = time.perf_counter() - t
    msgs = messages()
    t = time.perf_counter()
    router.classify(msgs[0])
    first = time.perf_counter() - t
    cold = time.perf_counter() - started
    rss_model = rss_mb()
    sklearn_loaded = "sklearn" in sys.modules
    compiled = router._loaded.compiled is not None

    def rate(fn) -> tuple[float, float]:
        """(messages per wall-clock second, per second of this process's own CPU time)"""
        t, c = time.perf_counter(), time.process_time()
        for m in msgs:
            fn(m)
        return len(msgs) / (time.perf_counter() - t), len(msgs) / max(time.process_time() - c, 1e-9)

    lcut_rates, single_rates = [], []
    for _ in range(2):
        tokenizer._cache.clear()  # nothing remembered from the previous round
        lcut_rates.append(rate(jieba.lcut))
        single_rates.append(rate(router.classify))
    tokenizer._cache.clear()
    t, c = time.perf_counter(), time.process_time()
    router.classify_many(msgs)
    batch_rate = len(msgs) / (time.perf_counter() - t)
    batch_cpu = len(msgs) / max(time.process_time() - c, 1e-9)
    return {
        "messages": len(msgs),
        "distinct_messages": len(set(msgs)),
        "mean_chars": round(sum(map(len, msgs)) / len(msgs), 1),
        "model_version": router.version,
        "served_compiled": compiled,
        "sklearn_imported": sklearn_loaded,
        "jieba_lcut_per_s": round(max(r for r, _ in lcut_rates)),
        "jieba_lcut_runs_per_s": [round(r) for r, _ in lcut_rates],
        "classify_per_s": round(max(r for r, _ in single_rates)),
        "classify_runs_per_s": [round(r) for r, _ in single_rates],
        "classify_batch_per_s": round(batch_rate),
        # per second of the process's own CPU time: what the core gives when it is not
        # shared (time other processes run on it is not counted); steadier under load
        "jieba_lcut_cpu_per_s": round(max(c for _, c in lcut_rates)),
        "classify_cpu_per_s": round(max(c for _, c in single_rates)),
        "classify_batch_cpu_per_s": round(batch_cpu),
        "imports_s": round(imports, 3),
        "jieba_init_s": round(jieba_init, 3),
        "model_load_s": round(load, 3),
        "first_classify_s": round(first, 3),
        "cold_start_s": round(cold, 3),
        "rss_python_mb": round(base_rss, 1),
        "rss_libraries_mb": round(rss_libs, 1),
        "rss_model_loaded_mb": round(rss_model, 1),
        # VmHWM is this process's own peak; ru_maxrss would carry over the peak of the
        # parent it was forked from (which may just have trained a model)
        "peak_rss_mb": round(rss_mb("VmHWM"), 1),
    }


_COLD = """import time, sys
from nlp.classifier import router_from_dir
r = router_from_dir(sys.argv[1])
r.classify("村口的路灯坏了好几天了晚上看不见")
"""


def _process_cold_start(model_dir: str, env: dict) -> float:
    """Wall time of a fresh interpreter that loads jieba and the model and answers once."""
    import time

    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", _COLD, model_dir], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=300)
    return time.perf_counter() - t


def run() -> dict:
    """Measure; return numbers, targets and machine-independent ratios."""
    from nlp import store

    var = Path(os.environ.get("CUNSHENG_VAR_DIR") or REPO / "var")
    found = store.newest_model(var / "models")
    with tempfile.TemporaryDirectory(prefix="nlp-bench-") as tmp:
        if found is None:
            from nlp.train import train_and_save

            model_dir, _ = train_and_save(None, Path(tmp) / "models")
        else:
            model_dir = found[0]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "CUNSHENG_VAR_DIR": os.environ.get("CUNSHENG_VAR_DIR") or str(var)}
        code = "import json,sys; from bench.nlp_bench import _child; print(json.dumps(_child(sys.argv[1])))"
        proc = subprocess.run([sys.executable, "-c", code, str(model_dir)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"nlp bench child failed: {proc.stderr[-2000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        colds = [_process_cold_start(str(model_dir), env) for _ in range(2)]
    r["process_cold_start_s"] = round(min(colds), 3)
    r["process_cold_start_runs_s"] = [round(c, 3) for c in colds]
    lcut = r["jieba_lcut_per_s"]
    r["ratios"] = {
        # machine-independent: how much routing costs next to cutting the words alone
        "classify_vs_lcut": round(r["classify_per_s"] / lcut, 3),
        "classify_vs_lcut_cpu": round(r["classify_cpu_per_s"] / r["jieba_lcut_cpu_per_s"], 3),
        "batch_vs_lcut": round(r["classify_batch_per_s"] / lcut, 3),
        "model_load_in_lcut_calls": round(r["model_load_s"] * lcut),
        "rss_model_over_libraries_mb": round(r["rss_model_loaded_mb"] - r["rss_libraries_mb"], 1),
    }
    r["targets"] = {"classify_per_s": 2000, "model_load_s": 2.0, "process_cold_start_s": 2.0,
                    "rss_model_loaded_mb": 250}
    r["meets"] = {
        "classify_per_s": r["classify_per_s"] >= 2000,
        "model_load_s": r["model_load_s"] < 2.0,
        "process_cold_start_s": r["process_cold_start_s"] < 2.0,
        "rss_model_loaded_mb": r["rss_model_loaded_mb"] < 250,
    }
    return r


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(), ensure_ascii=False, indent=2))
