"""Routing speed and memory, next to jieba's bare ``lcut`` in the same run.

``run()`` returns a dict and writes nothing (a model is trained into a temporary
directory, removed afterwards, when ``<var>/models`` has none). The measurement
runs in a child process pinned to one CPU with ``OMP_NUM_THREADS=1``, so the
resident memory is that of a process that has only loaded the model.
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


def _child(model_dir: str) -> dict:  # runs in the measuring process
    import csv
    import resource
    import time

    def rss_mb() -> float:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    base_rss = rss_mb()
    t = time.perf_counter()
    import jieba  # noqa: F401

    from nlp import paths, tokenizer
    from nlp.classifier import router_from_dir

    tokenizer.initialize()
    jieba_init = time.perf_counter() - t
    rss_libs = rss_mb()
    t = time.perf_counter()
    router = router_from_dir(model_dir)
    load = time.perf_counter() - t
    with open(paths.SEED_CORPUS, encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    short = [x for x in texts if 25 <= len(x) <= 35]
    messages = (short * (N_MESSAGES // max(1, len(short)) + 1))[:N_MESSAGES]
    t = time.perf_counter()
    router.classify(messages[0])
    first = time.perf_counter() - t
    rss_model = rss_mb()

    t = time.perf_counter()
    for m in messages:
        jieba.lcut(m)
    lcut_rate = len(messages) / (time.perf_counter() - t)
    t = time.perf_counter()
    for m in messages:
        router.classify(m)
    single_rate = len(messages) / (time.perf_counter() - t)
    t = time.perf_counter()
    router.classify_many(messages)
    batch_rate = len(messages) / (time.perf_counter() - t)
    return {
        "messages": len(messages),
        "mean_chars": round(sum(map(len, messages)) / len(messages), 1),
        "model_version": router.version,
        "jieba_lcut_per_s": round(lcut_rate),
        "classify_per_s": round(single_rate),
        "classify_batch_per_s": round(batch_rate),
        "jieba_init_s": round(jieba_init, 3),
        "model_load_s": round(load, 3),
        "first_classify_s": round(first, 3),
        "cold_start_s": round(jieba_init + load + first, 3),
        "rss_python_mb": round(base_rss, 1),
        "rss_libraries_mb": round(rss_libs, 1),
        "rss_model_loaded_mb": round(rss_model, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


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
    lcut = r["jieba_lcut_per_s"]
    r["ratios"] = {
        # machine-independent: how much routing costs next to cutting the words alone
        "classify_vs_lcut": round(r["classify_per_s"] / lcut, 3),
        "batch_vs_lcut": round(r["classify_batch_per_s"] / lcut, 3),
        "model_load_in_lcut_calls": round(r["model_load_s"] * lcut),
        "rss_model_over_libraries_mb": round(r["rss_model_loaded_mb"] - r["rss_libraries_mb"], 1),
    }
    r["targets"] = {"classify_per_s": 2000, "model_load_s": 2.0, "rss_model_loaded_mb": 250}
    r["meets"] = {
        "classify_per_s": r["classify_per_s"] >= 2000,
        "model_load_s": r["model_load_s"] < 2.0,
        "rss_model_loaded_mb": r["rss_model_loaded_mb"] < 250,
    }
    return r


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(), ensure_ascii=False, indent=2))
