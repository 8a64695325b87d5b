"""同问 on pair corpora (issue 12): different problems that share an opening, a greeting or a
sign-off (with name and phone) are never linked; the same problem said twice still is.

Two corpora, same format (``- {a, b, same: bool, why, urgent?}``):
- tests/unit/nlp/data/duplicate_pairs_dev.yaml — the small development set (always run);
- tests/data/duplicate_pairs.yaml — the larger corpus written apart from the code (run when present).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlp.similarity import DUPLICATE_THRESHOLD, similarity

ROOT = Path(__file__).resolve().parents[3]
DEV = ROOT / "tests/unit/nlp/data/duplicate_pairs_dev.yaml"
CORPUS = ROOT / "tests/data/duplicate_pairs.yaml"
#: recall floors on the same-problem pairs (measured on the dev pairs: 0.75 at 0.30 with the wider seed
#: corpus's IDF, docs/nlp.md)
DEV_RECALL_FLOOR = 0.75
CORPUS_RECALL_FLOOR = 0.7


def _load(path: Path) -> list[dict]:
    pairs = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for p in pairs:
        assert {"a", "b", "same"} <= set(p), p
    return pairs


def _check(pairs: list[dict], floor: float, name: str) -> None:
    different = [p for p in pairs if not p["same"]]
    same = [p for p in pairs if p["same"]]
    merged = [(similarity(p["a"], p["b"]), p) for p in different]
    false_merges = [(s, p.get("why", ""), p["a"], p["b"]) for s, p in merged if s >= DUPLICATE_THRESHOLD]
    found = sum(similarity(p["a"], p["b"]) >= DUPLICATE_THRESHOLD for p in same)
    recall = found / len(same) if same else 1.0
    urgent = sum(bool(p.get("urgent")) for p in different)
    print(f"\n{name}: {len(different)} different-problem pairs ({urgent} urgent): {len(false_merges)} false merges; "
          f"{len(same)} same-problem pairs: recall {recall:.3f} ({found}/{len(same)}) at threshold {DUPLICATE_THRESHOLD}")
    assert not false_merges, false_merges
    assert recall >= floor, f"recall {recall:.3f} < {floor}"


def test_dev_pairs():
    pairs = _load(DEV)
    assert sum(not p["same"] for p in pairs) >= 40 and sum(p["same"] for p in pairs) >= 20
    _check(pairs, DEV_RECALL_FLOOR, DEV.name)


@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS.relative_to(ROOT)} is not in this checkout")
@pytest.mark.xfail(strict=True, reason="issue 12, open: on the pair corpus written apart from the code the "
                   "bag-of-words similarity still merges 47 of 229 different problems at 0.30 (same place or "
                   "same object, different trouble) and finds 22 of 85 true 同问 (paraphrases); docs/nlp.md")
def test_corpus_pairs():
    pairs = _load(CORPUS)
    assert sum(not p["same"] for p in pairs) >= 200, "the corpus should hold at least 200 different-problem pairs"
    _check(pairs, CORPUS_RECALL_FLOOR, str(CORPUS.relative_to(ROOT)))
