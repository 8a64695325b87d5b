"""Scoring a model on a labelled CSV."""
from __future__ import annotations

import csv
import time
from pathlib import Path

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from .classifier import Router
from .corpus import Example

NO_LABEL = "(none)"


def evaluate(router: Router, examples: list[Example], predictions_out: str | Path | None = None) -> dict:
    truth = [e.label for e in examples]
    predicted: list[str] = []
    confidences: list[float] = []
    started = time.perf_counter()
    for e in examples:
        result = router.classify(e.text)
        predicted.append(result.label if result.label is not None else NO_LABEL)
        confidences.append(result.confidence)
    elapsed = time.perf_counter() - started
    labels = list(router.labels)
    extra = sorted(set(truth + predicted) - set(labels))
    labels += extra
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    present = [i for i, lab in enumerate(labels) if lab in set(truth) or lab in set(predicted)]
    _, _, macro_f1, _ = precision_recall_fscore_support(
        truth, predicted, labels=[labels[i] for i in present if labels[i] in set(truth)],
        average="macro", zero_division=0,
    )
    matrix = confusion_matrix(truth, predicted, labels=labels)
    if predictions_out:
        with open(predictions_out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["text", "label", "predicted", "confidence"])
            for e, pred, conf in zip(examples, predicted, confidences):
                writer.writerow([e.text, e.label, "" if pred == NO_LABEL else pred, f"{conf:.4f}"])
    return {
        "model_version": router.version,
        "examples": len(examples),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(macro_f1), 4),
        "per_label": {
            labels[i]: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i in present
        },
        "confusion_matrix": {
            "labels": labels,
            "rows_true_columns_predicted": matrix.tolist(),
        },
        "mean_latency_ms": round(1000 * elapsed / max(len(examples), 1), 3),
    }
