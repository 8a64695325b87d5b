"""Training: fit on the train split, measure macro-F1 on dev, refit on all, save.

The saved model is fitted on every example (train + dev); ``dev_macro_f1`` in
meta.json is the held-out score measured before that refit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.metrics import f1_score

from . import paths, store
from .classifier import MAX_CHARS, PIPELINE_VERSION, build_pipeline, predict_with_priors
from .corpus import Example, read_labelled_csv
from .fastpath import FILE as COMPILED_FILE, CompiledModel
from .labels import normalize_label
from .tokenizer import cut_normalized, normalize

log = logging.getLogger(__name__)


#: an admin's correction counts this many times a seed example (sample_weight)
CORRECTION_WEIGHT = 2.0
#: progress steps ``train`` reports (for a progress bar)
TRAIN_STEPS = 9
#: the compiled model must give the pipeline's probabilities to within this
COMPILED_TOLERANCE = 1e-6
#: at most this many training texts are scored both ways to check it
COMPILED_CHECK_TEXTS = 400


def corpus_hash(examples: list[Example], corrections: list[Example] = ()) -> str:
    h = hashlib.sha256()
    h.update(f"{PIPELINE_VERSION}|{sklearn.__version__}\n".encode())
    for path in (paths.USER_DICT, paths.SYNONYMS, paths.STOPWORDS):
        h.update(path.read_bytes())
    for ex in examples:
        h.update(f"{ex.text}\t{ex.label}\t{ex.split}\n".encode())
    for ex in corrections:
        h.update(f"C\t{ex.text}\t{ex.label}\n".encode())
    return h.hexdigest()[:8]


def make_version(examples: list[Example], prefix: str = "seed", now: dt.datetime | None = None,
                 corrections: list[Example] = ()) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{prefix}-{now:%Y%m%d}-{corpus_hash(examples, corrections)}"


def merge_corrections(examples: list[Example], corrections: list[tuple[str, str]] | list[Example]
                      ) -> tuple[list[Example], list[Example], list[str]]:
    """(base examples, correction examples, notes) ready for ``train``.

    Corrections are (text, label) pairs, oldest first; the latest correction of a
    text wins, and a base example with the same text is dropped (the admin knows
    better). Corrections always go to the train split, so the dev score stays
    comparable between versions. Labels the base corpus does not have are skipped
    (a label needs enough examples for calibration): they are reported in notes.
    """
    known = {e.label for e in examples}
    latest: dict[str, str] = {}
    skipped: dict[str, int] = {}
    for item in corrections:
        text, label = (item.text, item.label) if isinstance(item, Example) else item
        text = (text or "").strip()
        label = normalize_label(label or "")
        if not text or not label:
            continue
        if label not in known:
            skipped[label] = skipped.get(label, 0) + 1
            continue
        latest.pop(text, None)
        latest[text] = label
    extra = [Example(text, label, "train") for text, label in latest.items()]
    base = [e for e in examples if e.text not in latest]
    notes = [f"skipped {n} correction(s) with label {lab!r}: not in the training labels"
             for lab, n in sorted(skipped.items())]
    return base, extra, notes


def _fit(examples: list[Example], weights: list[float], max_chars: int, say, stage: str):
    """Fit a fresh pipeline step by step (word features, char features, classifier)."""
    model = build_pipeline()
    union = model.named_steps["features"]
    texts = [e.text[:max_chars] for e in examples]
    labels = [e.label for e in examples]
    blocks = []
    for name, vec in union.transformer_list:
        say(f"{stage}: {name} features ({len(texts)} texts)")
        blocks.append(vec.fit_transform(texts))
    x = sp.hstack(blocks, format="csr")
    say(f"{stage}: classifier ({x.shape[1]} features)")
    if len(set(weights)) > 1:
        model.named_steps["clf"].fit(x, labels, sample_weight=np.asarray(weights, dtype=float))
    else:
        model.named_steps["clf"].fit(x, labels)
    return model


def dev_score(examples: list[Example], corrections: list[Example] = (), *, max_chars: int = MAX_CHARS,
              progress: Callable[[str], None] | None = None) -> tuple[float | None, int, int, dict | None]:
    """(macro-F1 on dev, train size, dev size, calibration); None when a split is empty.

    Calibration compares the mean confidence of right and wrong dev predictions:
    a router that knows when it is unsure is less confident when it is wrong.
    """
    say = progress or (lambda msg: None)
    train = [e for e in examples if e.split == "train"] + list(corrections)
    weights = [1.0] * (len(train) - len(corrections)) + [CORRECTION_WEIGHT] * len(corrections)
    dev = [e for e in examples if e.split == "dev"]
    if not dev or len({e.label for e in train}) < 2:
        for _ in range(4):
            say("no dev split: skipping the held-out measurement")
        return None, len(train), len(dev), None
    model = _fit(train, weights, max_chars, say, "dev")
    say(f"dev: scoring {len(dev)} held-out examples")
    predicted, confidence = predict_with_priors(model, [e.text[:max_chars] for e in dev], with_confidence=True)
    truth = [e.label for e in dev]
    score = f1_score(truth, predicted, average="macro", zero_division=0)
    right = [c for c, p, t in zip(confidence, predicted, truth) if p == t]
    wrong = [c for c, p, t in zip(confidence, predicted, truth) if p != t]
    calibration = {
        "right": len(right),
        "wrong": len(wrong),
        "mean_confidence_right": round(float(np.mean(right)), 4) if right else None,
        "mean_confidence_wrong": round(float(np.mean(wrong)), 4) if wrong else None,
        "accuracy": round(len(right) / len(dev), 4),
        "mean_confidence": round(float(np.mean(confidence)), 4),
    }
    return float(score), len(train), len(dev), calibration


def train(examples: list[Example], *, prefix: str = "seed",
          progress: Callable[[str], None] | None = None,
          corrections: list[tuple[str, str]] | list[Example] = (),
          max_chars: int = MAX_CHARS):
    """Returns (fitted pipeline on all examples and corrections, meta dict).

    ``progress`` is called ``TRAIN_STEPS`` times with a short message.
    """
    say = progress or (lambda msg: None)
    base, extra, notes = merge_corrections(examples, corrections) if corrections else (list(examples), [], [])
    labels = sorted({e.label for e in base} | {e.label for e in extra})
    if len(labels) < 2:
        raise ValueError("need at least two different labels to train")
    started = time.monotonic()
    say(f"{len(base)} examples + {len(extra)} corrections, labels: {', '.join(labels)}")
    for note in notes:
        log.warning("nlp train: %s", note)
    score, n_train, n_dev, calibration = dev_score(base, extra, max_chars=max_chars, progress=progress)
    everything = base + extra
    weights = [1.0] * len(base) + [CORRECTION_WEIGHT] * len(extra)
    model = _fit(everything, weights, max_chars, say, "all")
    now = dt.datetime.now(dt.timezone.utc)
    version_prefix = "corr" if extra and prefix == "seed" else prefix
    meta = {
        "version": make_version(base, version_prefix, now, extra),
        "created_at": now.isoformat(timespec="microseconds"),
        "pipeline": PIPELINE_VERSION,
        "sklearn_version": sklearn.__version__,
        "labels": [str(c) for c in model.classes_],
        "label_counts": dict(sorted(Counter(e.label for e in everything).items())),
        "train_size": len(everything),
        "dev_size": n_dev,
        "dev_macro_f1": None if score is None else round(score, 4),
        "dev_calibration": calibration,
        "corrections": len(extra),
        "correction_weight": CORRECTION_WEIGHT,
        "max_chars": max_chars,
        "train_seconds": round(time.monotonic() - started, 2),
    }
    if notes:
        meta["notes"] = notes
    dev_text = "no dev split" if score is None else f"dev macro-F1 {score:.4f}"
    say(f"trained {meta['version']} in {meta['train_seconds']} s ({dev_text})")
    return model, meta


def train_and_save(data: str | Path | None = None, models_root: str | Path | None = None,
                   progress: Callable[[str], None] | None = None, *,
                   corrections: list[tuple[str, str]] | None = None,
                   corrections_until: str | None = None,
                   max_chars: int = MAX_CHARS) -> tuple[Path, dict]:
    """Train from a CSV (the seed corpus by default) plus corrections; save a new version.

    ``corrections`` are (text, label) pairs, oldest first (see ``merge_corrections``);
    ``corrections_until`` (ISO time of the newest one) is stored in meta.json so the
    retraining job counts only corrections made after it.
    """
    source = Path(data) if data else paths.SEED_CORPUS
    examples = read_labelled_csv(source)
    prefix = "seed" if source.resolve() == paths.SEED_CORPUS.resolve() else "data"
    model, meta = train(examples, prefix=prefix, progress=progress, corrections=corrections or (),
                        max_chars=max_chars)
    if corrections is not None:
        meta["corrections_until"] = corrections_until
    compiled, check = compile_checked(model, [e.text[:max_chars] for e in examples])
    meta["compiled"] = check
    root = Path(models_root) if models_root else paths.models_dir()
    target = store.save_model(model, meta, root, compiled)
    return target, meta


def compile_checked(model, texts: list[str]) -> tuple[CompiledModel | None, dict]:
    """The pipeline's compiled form (``fastpath``), checked against scikit-learn.

    Scores up to ``COMPILED_CHECK_TEXTS`` of ``texts`` both ways; returns
    (None, why) when it cannot be compiled or differs by more than
    ``COMPILED_TOLERANCE`` (the router then serves the pipeline itself).
    """
    try:
        compiled = CompiledModel.from_pipeline(model)
    except TypeError as exc:
        return None, {"file": None, "reason": f"not compiled: {exc}"}
    step = max(1, len(texts) // COMPILED_CHECK_TEXTS)
    norms = [normalize(t) for t in texts[::step]][:COMPILED_CHECK_TEXTS] + ["", "?"]
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        expected = model.predict_proba(norms)
    worst = 0.0
    for norm, want in zip(norms, expected):
        seen = normalize(norm)
        idx, val = compiled.features(seen, cut_normalized(seen) if seen else [])
        worst = max(worst, float(np.max(np.abs(compiled.predict_proba(idx, val) - want))))
    check = {"file": COMPILED_FILE, "checked_texts": len(norms), "max_abs_diff": float(f"{worst:.3g}")}
    if not worst <= COMPILED_TOLERANCE:
        log.warning("nlp compiled model differs from scikit-learn by %.3g: not saved", worst)
        return None, {**check, "file": None, "reason": "differs from scikit-learn"}
    return compiled, check
