"""Reliability of held-out confidences, expected calibration error, and the review threshold.

Training (``nlp.train``) collects a label and a confidence for every held-out message
(out-of-fold predictions, made exactly as ``Router.classify`` decides) and calls
``report``; the result goes into meta.json ``calibration`` and the training report.

**The review threshold rule** (``choose_threshold``): the lowest confidence ``t`` on a
0.01 grid between ``THRESHOLD_FLOOR`` and ``THRESHOLD_CEILING`` such that

1. every reliability bin above ``t`` (the part of the bin at or above ``t``) that holds
   at least ``MIN_BIN_COUNT`` held-out messages is right at least ``TARGET_ACCURACY`` of
   the time, and
2. the messages at or above ``t`` that are wrong — routed to the wrong team with nobody
   checking — are at most ``MAX_UNCHECKED_ERROR`` of all held-out messages.

When no ``t`` qualifies the ceiling is used; with fewer than ``MIN_HELD_OUT`` held-out
messages there is nothing to read a curve from and ``DEFAULT`` is kept.
"""
from __future__ import annotations

BINS = 10
TARGET_ACCURACY = 0.90
MAX_UNCHECKED_ERROR = 0.02
THRESHOLD_FLOOR = 0.30
THRESHOLD_CEILING = 0.90
MIN_BIN_COUNT = 10
MIN_HELD_OUT = 50
DEFAULT = 0.45

RULE = (f"lowest t in [{THRESHOLD_FLOOR:.2f}, {THRESHOLD_CEILING:.2f}] (step 0.01) where every "
        f"reliability bin above t with >= {MIN_BIN_COUNT} held-out messages is >= "
        f"{TARGET_ACCURACY:.0%} right and wrong answers at or above t are <= "
        f"{MAX_UNCHECKED_ERROR:.0%} of all held-out messages")


def reliability(confidences: list[float], correct: list[bool], bins: int = BINS) -> list[dict]:
    """Equal-width bins over [0, 1]: count, mean confidence and accuracy of each (None when empty)."""
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in zip(confidences, correct)
                  if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        n = len(inside)
        rows.append({
            "lo": round(lo, 2), "hi": round(hi, 2), "count": n,
            "mean_confidence": round(sum(c for c, _ in inside) / n, 4) if n else None,
            "accuracy": round(sum(ok for _, ok in inside) / n, 4) if n else None,
        })
    return rows


def expected_calibration_error(confidences: list[float], correct: list[bool], bins: int = BINS) -> float | None:
    """ECE: the count-weighted mean of |accuracy - mean confidence| over the bins."""
    n = len(confidences)
    if not n:
        return None
    total = 0.0
    for row in reliability(confidences, correct, bins):
        if row["count"]:
            total += row["count"] / n * abs(row["accuracy"] - row["mean_confidence"])
    return round(total, 4)


def _qualifies(t: float, pairs: list[tuple[float, bool]], n: int, bins: int) -> bool:
    above = [(c, ok) for c, ok in pairs if c >= t]
    wrong_above = sum(1 for _, ok in above if not ok)
    if wrong_above > MAX_UNCHECKED_ERROR * n:
        return False
    for b in range(bins):
        lo, hi = max(t, b / bins), (b + 1) / bins
        if hi <= t:
            continue
        inside = [ok for c, ok in above if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if len(inside) >= MIN_BIN_COUNT and sum(inside) < TARGET_ACCURACY * len(inside):
            return False
    return True


def choose_threshold(confidences: list[float], correct: list[bool], bins: int = BINS) -> tuple[float, str]:
    """(threshold, how it was chosen) — see the module docstring for the rule."""
    n = len(confidences)
    if n < MIN_HELD_OUT:
        return DEFAULT, f"default {DEFAULT}: only {n} held-out messages (< {MIN_HELD_OUT})"
    pairs = list(zip(confidences, correct))
    steps = int(round((THRESHOLD_CEILING - THRESHOLD_FLOOR) * 100))
    for i in range(steps + 1):
        t = round(THRESHOLD_FLOOR + i / 100, 2)
        if _qualifies(t, pairs, n, bins):
            return t, "chosen from the reliability curve: " + RULE
    return THRESHOLD_CEILING, f"ceiling {THRESHOLD_CEILING}: no lower threshold meets the rule ({RULE})"


def at_threshold(confidences: list[float], correct: list[bool], t: float) -> dict:
    """What a threshold does on the held-out messages: the share sent to review, and the
    accuracy of, and the share of all messages wrongly routed by, the rest."""
    n = len(confidences)
    above = [ok for c, ok in zip(confidences, correct) if c >= t]
    return {
        "threshold": t,
        "review_share": round((n - len(above)) / n, 4) if n else None,
        "accuracy_above": round(sum(above) / len(above), 4) if above else None,
        "unchecked_error_share": round(sum(1 for ok in above if not ok) / n, 4) if n else None,
    }


def report(confidences: list[float], correct: list[bool], bins: int = BINS) -> dict:
    """Reliability table, ECE, chosen threshold and what it does, for meta.json."""
    confidences = [float(c) for c in confidences]
    correct = [bool(ok) for ok in correct]
    n = len(confidences)
    threshold, why = choose_threshold(confidences, correct, bins)
    right = [c for c, ok in zip(confidences, correct) if ok]
    wrong = [c for c, ok in zip(confidences, correct) if not ok]
    return {
        "held_out": n,
        "accuracy": round(sum(correct) / n, 4) if n else None,
        "mean_confidence": round(sum(confidences) / n, 4) if n else None,
        "mean_confidence_right": round(sum(right) / len(right), 4) if right else None,
        "mean_confidence_wrong": round(sum(wrong) / len(wrong), 4) if wrong else None,
        "ece": expected_calibration_error(confidences, correct, bins),
        "bins": reliability(confidences, correct, bins),
        "review_threshold": threshold,
        "threshold_rule": why,
        "at_threshold": at_threshold(confidences, correct, threshold),
        "at_default_threshold": at_threshold(confidences, correct, DEFAULT),
    }
