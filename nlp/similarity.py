"""How alike two short messages are: for duplicate requests and FAQ matching.

A message becomes a bag of features: its jieba content words (``tokenize``:
normalised, no stop words) and the character bigrams of each run of letters
(so 自来水管 and 水管 still share 水管, 爆裂 and 爆了 share nothing but 管爆 does).
Each feature is weighted by its inverse document frequency in the seed corpus,
so words every message has (村里, 麻烦, 一下) count little and the words that
say what is wrong (水管, 路灯, 低保) count much. ``similarity`` is the cosine of
the two weighted bags: 1.0 for the same message, 0.0 for nothing shared.

Pure functions of the texts (plus the seed corpus, read once per process) and
of jieba's dictionary: when ``nlp.add_words`` changes it (a new village name),
the cached features and the IDF table are recomputed on next use.
"""
from __future__ import annotations

import csv
import functools
import math
import re
import sys
import threading
import types
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from . import paths, tokenizer
from .tokenizer import normalize, tokenize

#: find_duplicate's default: "the same problem, said differently" (see tests)
DUPLICATE_THRESHOLD = 0.3
#: the model reads at most this much of a message for similarity
SIM_CHARS = 300

_RUN_RE = re.compile(r"[^\W_]+")  # runs of letters/digits (Han included), no punctuation/emoji
_WORD_WEIGHT = 1.0
_BIGRAM_WEIGHT = 0.7

# where something is, not what is wrong: a duplicate must share the what
_PLACE_WORDS = frozenset("""村口 村里 村子 门口 家门口 路口 路边 村头 村尾 组里 社里 这边 那边 附近 旁边 前面 后面
我家 我们家 家里 咱村 我们村 本村 村委会 乡里 镇上 县里 好几天 几天 今天 昨天 晚上 早上 一直 现在""".split())
_PLACE_WEIGHT = 0.3
_SINGLE_VERBS = frozenset("爆破漏断坏塌堵停淹烧")

_idf_lock = threading.Lock()
_idf: dict[str, float] | None = None
_idf_default = 1.0
#: the tokenizer generation the caches (features, IDF) were computed with
_generation = tokenizer.generation()


def _bigrams(norm: str) -> list[str]:
    grams = []
    for run in _RUN_RE.findall(norm.lower()):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def _known_words():
    import jieba

    return jieba.dt.FREQ


def _raw_features(text: str) -> tuple[list[str], list[str]]:
    norm = normalize(unicodedata.normalize("NFKC", text or "")[:SIM_CHARS])
    if not norm:
        return [], []
    words = [w.lower() for w in tokenize(norm)]
    # sub-words of long words, so 自来水管 also counts as 水管 and 爆裂 as 爆
    extra = [w[i:j] for w in words if len(w) >= 3 for i in range(len(w)) for j in range(i + 2, len(w) + 1)
             if (i, j) != (0, len(w)) and w[i:j] in _known_words()]
    extra += [w[0] for w in words if len(w) == 2 and w[0] in _SINGLE_VERBS]
    return words + extra, _bigrams(norm)


def _load_idf() -> tuple[dict[str, float], float]:
    """IDF of words and bigrams over the seed corpus (read once per process)."""
    global _idf, _idf_default
    idf, default = _idf, _idf_default  # read once: _check_generation may reset it meanwhile
    if idf is not None:
        return idf, default
    with _idf_lock:
        if _idf is None:
            df: Counter[str] = Counter()
            n = 0
            try:
                with open(paths.SEED_CORPUS, encoding="utf-8-sig", newline="") as fh:
                    for row in csv.DictReader(fh):
                        words, grams = _raw_features(row.get("text") or "")
                        df.update({"w:" + w for w in words} | {"c:" + g for g in grams})
                        n += 1
            except OSError:  # no corpus: every feature weighs the same
                n = 0
            _idf_default = math.log((n + 1) / 1) + 1.0
            _idf = {f: math.log((n + 1) / (d + 1)) + 1.0 for f, d in df.items()}
        return _idf, _idf_default


@dataclass(frozen=True)
class Features:
    """A message as an IDF-weighted, L2-normalised bag of words and bigrams."""

    weights: dict[str, float]

    def cosine(self, other: "Features") -> float:
        a, b = self.weights, other.weights
        if not a or not b:
            return 0.0
        if len(a) > len(b):
            a, b = b, a
        return min(1.0, max(0.0, sum(v * b.get(k, 0.0) for k, v in a.items())))


def _check_generation() -> None:
    """Forget cached features and IDF when add_words changed how texts are cut."""
    global _generation, _idf
    gen = tokenizer.generation()
    if gen != _generation:
        with _idf_lock:
            if gen != _generation:
                _cached_features.cache_clear()
                _idf = None
                _generation = gen


def features(text: str) -> Features:
    """The weighted bag of a message (compute once, compare with many). Cached: the open
    requests a new message is compared with are the same texts message after message.
    The cache is emptied when ``nlp.add_words`` teaches jieba new words."""
    _check_generation()
    # the generation is part of the key: features computed with an older dictionary (by a
    # thread that started before add_words) are never returned once it has changed
    return _cached_features(text, tokenizer.generation())


@functools.lru_cache(maxsize=8192)
def _cached_features(text: str, generation: int = 0) -> Features:
    words, grams = _raw_features(text if isinstance(text, str) else str(text or ""))
    if not words and not grams:
        return Features({})
    idf, default = _load_idf()
    bag: dict[str, float] = {}
    for prefix, items, weight in (("w:", words, _WORD_WEIGHT), ("c:", grams, _BIGRAM_WEIGHT)):
        for feat, count in Counter(items).items():
            key = prefix + feat
            w = weight * _PLACE_WEIGHT if prefix == "w:" and feat in _PLACE_WORDS else weight
            bag[key] = w * (1.0 + math.log(count)) * idf.get(key, default)
    norm = math.sqrt(sum(v * v for v in bag.values()))
    return Features({k: v / norm for k, v in bag.items()} if norm > 0 else {})


def similarity(a: str, b: str) -> float:
    """How alike two messages are, 0.0 (nothing shared) .. 1.0 (the same words).

    Cosine of IDF-weighted jieba words + character bigrams; symmetric.
    """
    return round(features(a).cosine(features(b)), 4)


def find_duplicate(text: str, candidates: Iterable[tuple[Hashable, str]] | Sequence[tuple[Hashable, str]],
                   threshold: float = DUPLICATE_THRESHOLD) -> Hashable | None:
    """The key of the candidate most similar to ``text`` if at least ``threshold``.

    ``candidates`` are ``(key, text)`` pairs, e.g. the open requests of the same
    village within the duplicate window; the caller chooses them. Ties go to the
    first candidate. None when nothing is close enough.
    """
    best_key, best = None, -1.0
    target = features(text)
    if not target.weights:
        return None
    for key, other in candidates:
        score = target.cosine(features(other))
        if score > best:
            best_key, best = key, score
    return best_key if best >= threshold else None


def best_match(text: str, candidates: Iterable[tuple[Hashable, str]]) -> tuple[Hashable | None, float]:
    """(key, score) of the most similar candidate, whatever the score (for tooling)."""
    best_key, best = None, 0.0
    target = features(text)
    for key, other in candidates:
        score = target.cosine(features(other))
        if score > best:
            best_key, best = key, score
    return best_key, round(best, 4)


class _CallableModule(types.ModuleType):
    """``nlp.similarity(a, b)`` works even where ``nlp.similarity`` is this module.

    ``import nlp.similarity`` (or ``from nlp.similarity import find_duplicate``)
    binds the *module* to the package attribute ``nlp.similarity``, shadowing the
    function of the same name that ``nlp`` exports; calling the module calls it.
    """

    def __call__(self, a: str, b: str) -> float:
        return similarity(a, b)


sys.modules[__name__].__class__ = _CallableModule
