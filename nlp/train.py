"""Training: fit on the train split, measure macro-F1 on dev, refit on all, save.

The saved model is fitted on every example (train + dev); ``dev_macro_f1`` in
meta.json is the held-out score measured before that refit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sklearn
from sklearn.metrics import f1_score

from . import paths, store
from .classifier import PIPELINE_VERSION, build_pipeline, predict_with_priors
from .corpus import Example, read_labelled_csv


def corpus_hash(examples: list[Example]) -> str:
    h = hashlib.sha256()
    h.update(f"{PIPELINE_VERSION}|{sklearn.__version__}\n".encode())
    for path in (paths.USER_DICT, paths.SYNONYMS, paths.STOPWORDS):
        h.update(path.read_bytes())
    for ex in examples:
        h.update(f"{ex.text}\t{ex.label}\t{ex.split}\n".encode())
    return h.hexdigest()[:8]


def make_version(examples: list[Example], prefix: str = "seed", now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{prefix}-{now:%Y%m%d}-{corpus_hash(examples)}"


def dev_score(examples: list[Example]) -> tuple[float | None, int, int]:
    """(macro-F1 on dev, train size, dev size); None when a split is empty."""
    train = [e for e in examples if e.split == "train"]
    dev = [e for e in examples if e.split == "dev"]
    if not dev or len({e.label for e in train}) < 2:
        return None, len(train), len(dev)
    model = build_pipeline()
    model.fit([e.text for e in train], [e.label for e in train])
    predicted = predict_with_priors(model, [e.text for e in dev])
    score = f1_score([e.label for e in dev], predicted, average="macro", zero_division=0)
    return float(score), len(train), len(dev)


def train(examples: list[Example], *, prefix: str = "seed",
          progress: Callable[[str], None] | None = None):
    """Returns (fitted pipeline on all examples, meta dict)."""
    say = progress or (lambda msg: None)
    labels = sorted({e.label for e in examples})
    if len(labels) < 2:
        raise ValueError("need at least two different labels to train")
    started = time.monotonic()
    say(f"{len(examples)} examples, labels: {', '.join(labels)}")
    score, n_train, n_dev = dev_score(examples)
    if score is None:
        say("no dev split: skipping the held-out measurement")
    else:
        say(f"dev macro-F1 {score:.4f} (fit on {n_train}, scored on {n_dev})")
    model = build_pipeline()
    model.fit([e.text for e in examples], [e.label for e in examples])
    now = dt.datetime.now(dt.timezone.utc)
    meta = {
        "version": make_version(examples, prefix, now),
        "created_at": now.isoformat(timespec="microseconds"),
        "pipeline": PIPELINE_VERSION,
        "sklearn_version": sklearn.__version__,
        "labels": [str(c) for c in model.classes_],
        "label_counts": dict(sorted(Counter(e.label for e in examples).items())),
        "train_size": len(examples),
        "dev_size": n_dev,
        "dev_macro_f1": None if score is None else round(score, 4),
        "train_seconds": round(time.monotonic() - started, 2),
    }
    say(f"trained {meta['version']} in {meta['train_seconds']} s")
    return model, meta


def train_and_save(data: str | Path | None = None, models_root: str | Path | None = None,
                   progress: Callable[[str], None] | None = None) -> tuple[Path, dict]:
    """Train from a CSV (the seed corpus by default) and save a new version."""
    source = Path(data) if data else paths.SEED_CORPUS
    examples = read_labelled_csv(source)
    prefix = "seed" if source.resolve() == paths.SEED_CORPUS.resolve() else "data"
    model, meta = train(examples, prefix=prefix, progress=progress)
    root = Path(models_root) if models_root else paths.models_dir()
    target = store.save_model(model, meta, root)
    return target, meta
