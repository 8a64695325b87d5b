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
from sklearn.metrics import accuracy_score, f1_score

from . import paths, store
from .calibration import report as calibration_report
from .classifier import (BASELINE_VERSION, DEFAULT_REVIEW_THRESHOLD, MAX_CHARS, PIPELINE_VERSION,
                         build_baseline, build_pipeline, decide_many, model_probabilities)
from .corpus import Example
from .datacheck import MAX_ROWS, is_village_label_set, read_training_csv
from .fastpath import FILE as COMPILED_FILE, CompiledModel
from .labels import normalize_label
from .tokenizer import cut_normalized, normalize

log = logging.getLogger(__name__)


#: an admin's correction counts this many times a seed example (sample_weight)
CORRECTION_WEIGHT = 2.0
#: cross-validation folds (fold 0 is the dev split); at most MAX_FOLDS
FOLDS = 5
MAX_FOLDS = 5
#: progress steps ``train`` reports (for a progress bar): the summary, one per fold (up
#: to MAX_FOLDS), the comparison, the final fit, the result
TRAIN_STEPS = 1 + MAX_FOLDS + 3
REPORT_FILE = "report.md"
#: the keyword priors are switched off only when that raises the held-out macro-F1 by more
#: than this (a smaller difference is noise between folds)
PRIORS_MARGIN = 0.005
SELECTION_RULE = ("the production pipeline (with the keyword priors, or without them when that raises "
                  f"the macro-F1 on all held-out folds by more than {PRIORS_MARGIN}) is served unless the plain baseline's macro-F1 on "
                  "the same folds is higher; then the baseline is calibrated, measured on the same folds, "
                  "and the better of the two is served")
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


def _fit(examples: list[Example], weights: list[float], max_chars: int, say, stage: str,
         *, kind: str = "model"):
    """Fit a pipeline step by step (word features, char features, classifier).

    ``kind``: ``model`` (``build_pipeline``), ``baseline`` (the plain SVM of
    ``build_baseline``) or ``baseline-cal`` (the baseline with sigmoid calibration). The
    calibration's inner folds shrink to the smallest class (at least 2); a class with one
    example in this fit is left out of it (training checks every label has enough rows, but
    a cross-validation fold may hold most of a small one).
    """
    counts = Counter(e.label for e in examples)
    if min(counts.values()) < 2 and kind != "baseline":
        keep = [i for i, e in enumerate(examples) if counts[e.label] >= 2]
        examples = [examples[i] for i in keep]
        weights = [weights[i] for i in keep]
        counts = Counter(e.label for e in examples)
    if kind == "model":
        model = build_pipeline()
        texts = [e.text[:max_chars] for e in examples]
    else:
        model = build_baseline(calibrated=kind == "baseline-cal")
        texts = [normalize(e.text[:max_chars]) for e in examples]  # what the router gives it
    union = model.named_steps["features"]
    labels = [e.label for e in examples]
    clf = model.named_steps["clf"]
    if hasattr(clf, "cv"):
        clf.cv = max(2, min(clf.cv, min(counts.values())))
    blocks = []
    for name, vec in union.transformer_list:
        log.debug("%s: %s features (%d texts)", stage, name, len(texts))
        blocks.append(vec.fit_transform(texts))
    x = sp.hstack(blocks, format="csr")
    log.debug("%s: classifier (%d features)", stage, x.shape[1])
    if len(set(weights)) > 1:
        clf.fit(x, labels, sample_weight=np.asarray(weights, dtype=float))
    else:
        clf.fit(x, labels)
    return model


def fold_of(example: Example, folds: int) -> int:
    """The cross-validation fold a base example is held out in: the dev split is fold 0
    (so fold 0's figures are the familiar dev-split ones); the train split is spread over
    folds 1..folds-1 by a hash of the text. With ``folds == 1`` only the dev split is held
    out (-1: never)."""
    if example.split == "dev":
        return 0
    if folds <= 1:
        return -1
    digest = hashlib.sha256(example.text.encode("utf-8")).digest()
    return 1 + int(int.from_bytes(digest[4:8], "big") / 2**32 * (folds - 1))


def _scores(truth: list[str], predicted: list[str]) -> dict:
    if not truth:
        return {"macro_f1": None, "accuracy": None, "n": 0}
    return {
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "n": len(truth),
    }


def _cross_validate(base: list[Example], extra: list[Example], folds: int, labels: list[str],
                    max_chars: int, say, kinds: tuple[str, ...]) -> dict:
    """Out-of-fold predictions of each pipeline ``kind`` for every held-out base example.

    Returns {"index": [...], "fold": [...], kind: probabilities (n × labels) or, for the
    plain baseline, predicted labels}. Corrections (``extra``) are trained on in every fold
    and never held out. ``say`` is called once per fold (``folds`` times in all).
    """
    assigned = [fold_of(e, folds) for e in base]
    out: dict = {"index": [], "fold": [], **{k: [] for k in kinds}}
    for k in range(folds):
        held = [i for i, f in enumerate(assigned) if f == k]
        train = [e for e, f in zip(base, assigned) if f != k] + list(extra)
        if not held or len({e.label for e in train}) < 2:
            say(f"fold {k + 1}/{folds}: nothing to hold out")
            continue
        weights = [1.0] * (len(train) - len(extra)) + [CORRECTION_WEIGHT] * len(extra)
        texts = [base[i].text for i in held]
        for kind in kinds:
            model = _fit(train, weights, max_chars, say, f"fold {k + 1}", kind=kind)
            if kind == "baseline":
                out[kind].extend(str(p) for p in model.predict([normalize(t[:max_chars]) for t in texts]))
            else:
                out[kind].extend(model_probabilities(model, labels, [t[:max_chars] for t in texts]))
        out["index"].extend(held)
        out["fold"].extend([k] * len(held))
        say(f"fold {k + 1}/{folds}: {len(train)} trained, {len(held)} held out ({', '.join(kinds)})")
    return out


def _evaluate_decisions(base, cv, labels, max_chars, *, kind: str, priors: bool, village_rules: bool) -> dict:
    """The router's decisions from out-of-fold probabilities: scores on all folds and on the
    dev split (fold 0), and the (confidence, right) pairs for the calibration report."""
    texts = [base[i].text for i in cv["index"]]
    truth = [base[i].label for i in cv["index"]]
    decided = decide_many(None, labels, texts, priors=priors, village_rules=village_rules,
                          probas=np.asarray(cv[kind]), max_chars=max_chars)
    predicted = [lab for lab, _ in decided]
    confidence = [conf for _, conf in decided]
    dev = [j for j, f in enumerate(cv["fold"]) if f == 0]
    return {
        "cv": _scores(truth, predicted),
        "dev": _scores([truth[j] for j in dev], [predicted[j] for j in dev]),
        "confidence": confidence,
        "correct": [p == t for p, t in zip(predicted, truth)],
        "dev_rows": dev,
    }


def _dev_calibration(ev: dict) -> dict | None:
    """The old meta.json ``dev_calibration`` (mean confidence of right and wrong dev answers)."""
    rows = ev["dev_rows"]
    if not rows:
        return None
    right = [ev["confidence"][j] for j in rows if ev["correct"][j]]
    wrong = [ev["confidence"][j] for j in rows if not ev["correct"][j]]
    return {
        "right": len(right),
        "wrong": len(wrong),
        "mean_confidence_right": round(float(np.mean(right)), 4) if right else None,
        "mean_confidence_wrong": round(float(np.mean(wrong)), 4) if wrong else None,
        "accuracy": round(len(right) / len(rows), 4),
        "mean_confidence": round(float(np.mean([ev["confidence"][j] for j in rows])), 4),
    }


def train(examples: list[Example], *, prefix: str = "seed",
          progress: Callable[[str], None] | None = None,
          corrections: list[tuple[str, str]] | list[Example] = (),
          max_chars: int = MAX_CHARS, folds: int = FOLDS, warnings: list[str] = ()):
    """Returns (fitted pipeline on all examples and corrections, meta dict).

    Cross-validates the production pipeline and the plain baseline on the same folds
    (``fold_of``), serves the better (see docs/nlp.md *Training report*), reads the
    reliability curve, ECE and review threshold from the served decisions' out-of-fold
    confidences (``nlp.calibration``), then fits the served pipeline on everything.
    ``progress`` is called ``TRAIN_STEPS`` times with a short message.
    """
    if not 1 <= folds <= MAX_FOLDS:
        raise ValueError(f"folds must be between 1 and {MAX_FOLDS}")
    progress_fn = progress or (lambda msg: None)
    steps = [0]

    def say(msg: str) -> None:
        steps[0] += 1
        progress_fn(msg)

    base, extra, notes = merge_corrections(examples, corrections) if corrections else (list(examples), [], [])
    labels = sorted({e.label for e in base} | {e.label for e in extra})
    if len(labels) < 2:
        raise ValueError("need at least two different labels to train")
    village_rules = is_village_label_set(labels)
    started = time.monotonic()
    say(f"{len(base)} examples + {len(extra)} corrections, labels: {', '.join(labels)}"
        + ("" if village_rules else " (not the village teams': priors and rules off)"))
    for note in notes:
        log.warning("nlp train: %s", note)

    cv = _cross_validate(base, extra, folds, labels, max_chars, say, ("model", "baseline"))
    while steps[0] < 1 + MAX_FOLDS:
        say("(no more folds)")
    held = len(cv["index"])
    configs = [(True, village_rules)] if village_rules else [(False, False)]
    if village_rules:
        configs.append((False, True))  # the same model without the keyword priors
    served_kind, served_priors, served_ev, baseline = "model", configs[0][0], None, None
    candidates = {}
    if held:
        truth = [base[i].label for i in cv["index"]]
        dev = [j for j, f in enumerate(cv["fold"]) if f == 0]
        baseline = {
            "pipeline": BASELINE_VERSION,
            "cv": _scores(truth, cv["baseline"]),
            "dev": _scores([truth[j] for j in dev], [cv["baseline"][j] for j in dev]),
        }
        for priors, rules_on in configs:
            ev = _evaluate_decisions(base, cv, labels, max_chars, kind="model", priors=priors,
                                     village_rules=rules_on)
            candidates["model" + ("" if priors == configs[0][0] else "-no-priors")] = ev
        name = "model"
        if "model-no-priors" in candidates and candidates["model-no-priors"]["cv"]["macro_f1"] \
                > candidates["model"]["cv"]["macro_f1"] + PRIORS_MARGIN:
            name = "model-no-priors"
        served_ev = candidates[name]
        served_priors = name == "model" and configs[0][0]
        if served_ev["cv"]["macro_f1"] < baseline["cv"]["macro_f1"]:
            # the plain baseline does better on this data: measure its calibrated form on
            # the same folds and serve whichever of the two is better
            cal = _cross_validate(base, extra, folds, labels, max_chars, lambda m: None, ("baseline-cal",))
            cv["baseline-cal"] = cal["baseline-cal"]
            ev = _evaluate_decisions(base, cv, labels, max_chars, kind="baseline-cal", priors=False,
                                     village_rules=village_rules)
            candidates["baseline-cal"] = ev
            if ev["cv"]["macro_f1"] > served_ev["cv"]["macro_f1"]:
                served_kind, served_ev, served_priors = "baseline-cal", ev, False
    chosen = "baseline (calibrated)" if served_kind != "model" else (
        "model" if served_priors or not village_rules else "model without keyword priors")
    if served_ev is not None:
        say(f"held out {held}: model {served_ev['cv']['macro_f1']:.4f} vs baseline "
            f"{baseline['cv']['macro_f1']:.4f} macro-F1; serving the {chosen}")
        calibration = calibration_report(served_ev["confidence"], served_ev["correct"])
    else:
        say("no held-out examples: no comparison with the baseline, no calibration")
        calibration = None
    review_threshold = calibration["review_threshold"] if calibration else DEFAULT_REVIEW_THRESHOLD

    everything = base + extra
    weights = [1.0] * len(base) + [CORRECTION_WEIGHT] * len(extra)
    say(f"all: fitting the {chosen} on {len(everything)} examples")
    model = _fit(everything, weights, max_chars, say, "all", kind=served_kind)
    now = dt.datetime.now(dt.timezone.utc)
    version_prefix = "corr" if extra and prefix == "seed" else prefix
    dev_f1 = served_ev["dev"]["macro_f1"] if served_ev else None
    meta = {
        "version": make_version(base, version_prefix, now, extra),
        "created_at": now.isoformat(timespec="microseconds"),
        "pipeline": PIPELINE_VERSION if served_kind == "model" else BASELINE_VERSION + "-cal",
        "sklearn_version": sklearn.__version__,
        "labels": [str(c) for c in model.classes_],
        "label_counts": dict(sorted(Counter(e.label for e in everything).items())),
        "train_size": len(everything),
        "dev_size": len(served_ev["dev_rows"]) if served_ev else 0,
        "dev_macro_f1": dev_f1,
        "dev_calibration": _dev_calibration(served_ev) if served_ev else None,
        "corrections": len(extra),
        "correction_weight": CORRECTION_WEIGHT,
        "max_chars": max_chars,
        "village_rules": village_rules,
        "priors": bool(served_priors),
        "review_threshold": review_threshold,
        "report": {
            "folds": folds,
            "held_out": held,
            "served": chosen,
            "selection_rule": SELECTION_RULE,
            "baseline": baseline,
            "candidates": {n: {"cv": ev["cv"], "dev": ev["dev"]} for n, ev in candidates.items()},
            "model": {"cv": served_ev["cv"], "dev": served_ev["dev"]} if served_ev else None,
            "calibration": calibration,
            "warnings": list(warnings),
        },
        "train_seconds": 0.0,
    }
    if notes:
        meta["notes"] = notes
    meta["train_seconds"] = round(time.monotonic() - started, 2)
    dev_text = "no dev split" if dev_f1 is None else f"dev macro-F1 {dev_f1:.4f}"
    say(f"trained {meta['version']} in {meta['train_seconds']} s ({dev_text})")
    return model, meta


def train_and_save(data: str | Path | None = None, models_root: str | Path | None = None,
                   progress: Callable[[str], None] | None = None, *,
                   corrections: list[tuple[str, str]] | None = None,
                   corrections_until: str | None = None,
                   max_chars: int = MAX_CHARS, folds: int = FOLDS,
                   max_rows: int = MAX_ROWS) -> tuple[Path, dict]:
    """Train from a CSV (the seed corpus by default) plus corrections; save a new version.

    ``corrections`` are (text, label) pairs, oldest first (see ``merge_corrections``);
    ``corrections_until`` (ISO time of the newest one) is stored in meta.json so the
    retraining job counts only corrections made after it. The file is checked first
    (``datacheck.read_training_csv``): a bad one raises ``CorpusError`` and nothing is
    written; the version directory appears only when complete (``store.save_model``),
    so the running routers keep the old model until then.
    """
    source = Path(data) if data else paths.SEED_CORPUS
    examples, warnings = read_training_csv(source, max_rows=max_rows)
    for warning in warnings:
        log.warning("nlp train: %s: %s", source, warning)
    prefix = "seed" if source.resolve() == paths.SEED_CORPUS.resolve() else "data"
    model, meta = train(examples, prefix=prefix, progress=progress, corrections=corrections or (),
                        max_chars=max_chars, folds=folds, warnings=warnings)
    if corrections is not None:
        meta["corrections_until"] = corrections_until
    compiled, check = compile_checked(model, [e.text[:max_chars] for e in examples])
    meta["compiled"] = check
    root = Path(models_root) if models_root else paths.models_dir()
    target = store.save_model(model, meta, root, compiled)
    store.add_file(target, REPORT_FILE, lambda path: Path(path).write_text(render_report(meta), encoding="utf-8"))
    return target, meta


def render_report(meta: dict) -> str:
    """The training report in Markdown (``report.md`` beside the model; printed by the CLI)."""
    rep = meta.get("report") or {}
    out = [f"# Training report {meta['version']}", "",
           f"{meta['train_size']} examples ({meta.get('corrections', 0)} corrections), labels: "
           f"{', '.join(meta['labels'])}; {rep.get('folds')} fold(s), {rep.get('held_out')} held out.", ""]
    if not meta.get("village_rules", True):
        out += ["Labels are not the village teams': keyword priors and label rules are off.", ""]
    for w in rep.get("warnings") or []:
        out.append(f"- warning: {w}")
    if rep.get("warnings"):
        out.append("")
    base = rep.get("baseline")
    if base:
        out += ["## Model against the plain baseline (same folds, same data)", "",
                "| | macro-F1 (all folds) | accuracy (all folds) | macro-F1 (dev split) | accuracy (dev split) |",
                "|---|---|---|---|---|"]

        def row(name, s):
            f = lambda v: "–" if v is None else f"{v:.4f}"  # noqa: E731
            return f"| {name} | {f(s['cv']['macro_f1'])} | {f(s['cv']['accuracy'])} | " \
                   f"{f(s['dev']['macro_f1'])} | {f(s['dev']['accuracy'])} |"

        out.append(row("baseline: jieba words + char 1–3-grams, linear SVM", base))
        for name, s in (rep.get("candidates") or {}).items():
            out.append(row(name, s))
        out += ["", f"Served: **{rep.get('served')}**. Rule: {rep.get('selection_rule')}", ""]
    cal = rep.get("calibration")
    if cal:
        out += ["## Calibration (out-of-fold confidences of the served decisions)", "",
                f"Held out {cal['held_out']}: accuracy {cal['accuracy']:.4f}, mean confidence "
                f"{cal['mean_confidence']:.4f}, **ECE {cal['ece']:.4f}**.", "",
                "| confidence | messages | mean confidence | accuracy |", "|---|---|---|---|"]
        for b in cal["bins"]:
            mc = "–" if b["mean_confidence"] is None else f"{b['mean_confidence']:.3f}"
            acc = "–" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
            out.append(f"| {b['lo']:.1f}–{b['hi']:.1f} | {b['count']} | {mc} | {acc} |")
        at = cal["at_threshold"]
        d = cal["at_default_threshold"]
        out += ["", f"**Review threshold {cal['review_threshold']:.2f}** ({cal['threshold_rule']}).",
                f"At it: {at['review_share']:.1%} of held-out messages go to review, the rest are "
                f"{at['accuracy_above']:.1%} right, and {at['unchecked_error_share']:.1%} of all "
                f"messages reach a wrong team unchecked"
                + (f" (at the old 0.45: review {d['review_share']:.1%}, unchecked wrong "
                   f"{d['unchecked_error_share']:.1%})." if d["review_share"] is not None else "."), ""]
    else:
        out += [f"No held-out messages: review threshold {meta.get('review_threshold')} (default).", ""]
    return "\n".join(out)


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
