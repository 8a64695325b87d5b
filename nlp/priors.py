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
        """Matched words per label, in the order of the keyword list.

        Looks up only the words that start with one of the text's character
        bigrams (or are one of its tokens), instead of trying every word.
        """
        index, singles = self._index
        text = normalized_text
        matched: dict[str, set[int]] = {}
        starts = {text[i:i + 2] for i in range(len(text) - 1)}
        for start in starts.intersection(index):
            for label, pos, word in index[start]:
                if len(word) == 2 or word in text:
                    matched.setdefault(label, set()).add(pos)
        if singles:
            for token in singles.keys() & set(tokens):
                for label, pos, _ in singles[token]:
                    matched.setdefault(label, set()).add(pos)
        found: dict[str, list[str]] = {}
        for label, words in self.words.items():
            positions = matched.get(label)
            if not positions:
                continue
            hit = [words[p] for p in sorted(positions)]
            # drop words contained in a longer matched word (垃圾 inside 垃圾桶)
            if len(hit) > 1:
                hit = [w for w in hit if not any(w != o and w in o for o in hit)]
            found[label] = hit
        return found

    @functools.cached_property
    def _index(self) -> tuple[dict[str, list[tuple[str, int, str]]], dict[str, list[tuple[str, int, str]]]]:
        """Words of two or more characters by their first two; single characters."""
        index: dict[str, list[tuple[str, int, str]]] = {}
        singles: dict[str, list[tuple[str, int, str]]] = {}
        for label, words in self.words.items():
            for pos, word in enumerate(words):
                if len(word) >= 2:
                    index.setdefault(word[:2], []).append((label, pos, word))
                elif len(word) == 1:
                    singles.setdefault(word, []).append((label, pos, word))
        return index, singles

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
