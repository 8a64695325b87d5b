"""Keyword priors from ``data/keywords.yaml``: explainable nudges to a label.

Words of two or more characters match as substrings of the normalised text;
single characters must be a whole token. Each label with hits has its
probability multiplied by ``1 + boost * min(hits, max_hits)``, then all are
renormalised (see docs/labels.md).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml

from . import paths


@dataclass(frozen=True)
class Priors:
    boost: float
    max_hits: int
    words: dict[str, tuple[str, ...]]

    def hits(self, normalized_text: str, tokens: list[str]) -> dict[str, list[str]]:
        token_set = set(tokens)
        found: dict[str, list[str]] = {}
        for label, words in self.words.items():
            matched = [
                w for w in words
                if (len(w) >= 2 and w in normalized_text) or (len(w) == 1 and w in token_set)
            ]
            # drop words contained in a longer matched word (垃圾 inside 垃圾桶)
            matched = [w for w in matched if not any(w != o and w in o for o in matched)]
            if matched:
                found[label] = matched
        return found

    def apply(self, labels: list[str], proba: list[float],
              hits: dict[str, list[str]]) -> list[float]:
        boosted = [
            p * (1.0 + self.boost * min(len(hits.get(label, ())), self.max_hits))
            for label, p in zip(labels, proba)
        ]
        total = sum(boosted) or 1.0
        return [p / total for p in boosted]


@functools.lru_cache(maxsize=1)
def load_priors() -> Priors:
    with open(paths.KEYWORDS, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    words = {
        str(label): tuple(str(w) for w in (ws or []))
        for label, ws in (data.get("labels") or {}).items()
    }
    return Priors(
        boost=float(data.get("boost", 0.15)),
        max_hits=int(data.get("max_hits", 2)),
        words=words,
    )
