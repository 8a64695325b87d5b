"""Scoring one message with plain dicts and numpy: the trained pipeline, compiled.

``TfidfVectorizer.transform`` and ``CalibratedClassifierCV.predict_proba``
validate their input and build sparse matrices on every call (and the
calibrated model does so once per fold and class): about 20 ms for one short
message. ``CompiledModel`` holds the same fitted numbers in a form made for one
message at a time:

* each block of features (jieba words and their bigrams; character n-grams)
  is a dict ``term -> column`` with its idf, sublinear tf and l2 norm settings;
* the weights of every calibration fold are stacked into one matrix
  ``(n_features, folds x classes)``, so one row gather and one dot product give
  the decision values of all folds at once; the sigmoid calibration
  (``expit(-(a * d + b))``), the per-fold normalisation and the fold average
  are then a handful of numpy operations on ~30 numbers.

It reproduces the pipeline's probabilities to floating-point rounding
(``tests/unit/nlp/test_fastpath.py`` compares them on the whole seed corpus),
refuses any pipeline it does not reproduce (``from_pipeline`` raises
``TypeError``: the router then uses scikit-learn itself), and is saved beside
``model.joblib`` as ``fast.npz`` so that a serving process loads it without
importing scikit-learn at all (~1 s of start-up and ~85 MB saved).
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

FILE = "fast.npz"
FORMAT = 1

WORD, CHAR = "word", "char"
_WHITE_SPACES = re.compile(r"\s\s+")  # what scikit-learn's char analyser collapses

# evidence kinds of a feature (see classifier._evidence)
EV_SKIP, EV_WORD, EV_SINGLE, EV_CHAR_WORD = 0, 1, 2, 3


class _Block:
    """One feature block: its vocabulary and tf-idf settings, at a column offset."""

    __slots__ = ("kind", "terms", "vocabulary", "ngram", "sublinear", "norm", "weight", "offset")

    def __init__(self, kind: str, terms: list[str], ngram: tuple[int, int], sublinear: bool,
                 norm: str | None, weight: float | None, offset: int):
        if kind not in (WORD, CHAR) or norm not in ("l2", None):
            raise TypeError(f"unsupported feature block {kind!r} norm={norm!r}")
        self.kind = kind
        self.terms = terms
        self.vocabulary = {t: offset + i for i, t in enumerate(terms)}
        if len(self.vocabulary) != len(terms):
            raise TypeError("repeated terms in a vocabulary")
        self.ngram = (int(ngram[0]), int(ngram[1]))
        self.sublinear = bool(sublinear)
        self.norm = norm
        self.weight = None if weight is None else float(weight)
        self.offset = offset

    def grams(self, text: str, tokens: list[str]) -> list[str]:
        """The n-grams scikit-learn's analyser yields (same order, same repeats)."""
        lo, hi = self.ngram
        if self.kind == WORD:  # _word_ngrams over the tokens
            if hi == 1:
                return tokens
            out = list(tokens) if lo == 1 else []
            n_tokens = len(tokens)
            join = " ".join
            for n in range(max(lo, 2), min(hi + 1, n_tokens + 1)):
                out += [join(tokens[i:i + n]) for i in range(n_tokens - n + 1)]
            return out
        text = _WHITE_SPACES.sub(" ", text)  # _char_ngrams over the text
        n_chars = len(text)
        out = list(text) if lo == 1 else []
        for n in range(max(lo, 2), min(hi + 1, n_chars + 1)):
            out += [text[i:i + n] for i in range(n_chars - n + 1)]
        return out

    def columns(self, text: str, tokens: list[str]) -> dict[int, int]:
        """{column: count} of the block's n-grams found in the vocabulary."""
        counts = Counter(map(self.vocabulary.get, self.grams(text, tokens)))  # one C-level pass
        counts.pop(None, None)
        return counts

    def meta(self) -> dict:
        return {"kind": self.kind, "size": len(self.terms), "ngram": list(self.ngram),
                "sublinear": self.sublinear, "norm": self.norm, "weight": self.weight}


class CompiledModel:
    """The fitted word + char tf-idf -> sigmoid-calibrated linear SVM, as arrays."""

    def __init__(self, classes: list[str], blocks: list[_Block], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, a: np.ndarray, b: np.ndarray, n_folds: int):
        self.classes = [str(c) for c in classes]
        self.n_classes = len(self.classes)
        self.blocks = blocks
        self.n_features = sum(len(bl.terms) for bl in blocks)
        self.n_folds = int(n_folds)
        #: decision columns per fold: one per class, or one for a binary model
        self.n_dec = 1 if self.n_classes == 2 else self.n_classes
        idf = np.ascontiguousarray(idf, dtype=np.float64)
        coef = np.ascontiguousarray(coef, dtype=np.float64)
        width = self.n_folds * self.n_dec
        if self.n_classes < 2 or idf.shape != (self.n_features,) or coef.shape != (self.n_features, width):
            raise TypeError("inconsistent compiled model shapes")
        self.idf = idf
        self.coef = coef
        self.intercept = np.asarray(intercept, dtype=np.float64).reshape(width)
        self.a = np.asarray(a, dtype=np.float64).reshape(width)
        self.b = np.asarray(b, dtype=np.float64).reshape(width)
        self._evidence: tuple | None = None
        sublinear = {bl.sublinear for bl in blocks}
        #: True when every block uses sublinear tf, False when none does
        self.sublinear = sublinear == {True}
        if len(sublinear) > 1:
            raise TypeError("blocks mix sublinear and raw tf")
        # the calibration's a * d + b folded into the weights: a * (x.w + i) + b
        # == x.(a w) + (a i + b), one gather and one dot product for every fold
        self._coef_a = self.coef * self.a
        self._offset_a = self.a * self.intercept + self.b

    # --- scoring ------------------------------------------------------------

    def features(self, text: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(column indices ascending, tf-idf values) of one message.

        ``text`` is what the pipeline's char vectoriser sees after its
        preprocessor, ``tokens`` what its word tokenizer returns for it.
        """
        all_idx: list[int] = []
        all_tf: list[int] = []
        spans: list[tuple[int, int, _Block]] = []
        for block in self.blocks:
            counts = block.columns(text, tokens)
            start = len(all_idx)
            all_idx += counts.keys()
            all_tf += counts.values()
            spans.append((start, len(all_idx), block))
        if not all_idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.array(all_idx, dtype=np.int64)
        val = self.idf[idx]  # a fresh array: edited in place below
        if self.sublinear and max(all_tf) > 1:  # 1 + log(1) == 1 exactly: only repeats change
            tf = np.array(all_tf, dtype=np.float64)
            for start, end, block in spans:
                if block.sublinear:
                    np.log(tf[start:end], out=tf[start:end])
                    tf[start:end] += 1.0
            val *= tf
        elif not self.sublinear:
            val *= np.array(all_tf, dtype=np.float64)
        for start, end, block in spans:
            if start == end:
                continue
            v = val[start:end]  # a view
            if block.norm == "l2":
                norm = math.sqrt(float(np.dot(v, v)))
                if norm > 0:
                    v /= norm
            if block.weight is not None:
                v *= block.weight
        order = np.argsort(idx, kind="stable")  # ascending columns, as a CSR row has them
        return idx[order], val[order]

    def predict_proba(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (``CalibratedClassifierCV.predict_proba``) of one message."""
        z = val @ self._coef_a[idx] + self._offset_a  # a * decision + b, every fold at once
        # sigmoid calibration expit(-z); clipped so exp never overflows
        p = 1.0 / (1.0 + np.exp(np.minimum(z, 700.0)))
        if self.n_classes == 2:  # one decision value per fold, for classes[1]
            folds = np.empty((self.n_folds, 2))
            folds[:, 1] = p
            folds[:, 0] = 1.0 - p
        else:
            folds = p.reshape(self.n_folds, self.n_classes)
            total = folds.sum(axis=1, keepdims=True)
            if total.all():
                folds = folds / total
            else:  # scikit-learn's edge case: uniform where a fold gives all zeros
                folds = np.divide(folds, total, out=np.full_like(folds, 1.0 / self.n_classes),
                                  where=total != 0)
        # the fold average, summed in fold order as scikit-learn does
        return folds.sum(axis=0) / self.n_folds

    # --- evidence -------------------------------------------------------------

    def evidence_tables(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(per-class weights averaged over folds, display names, evidence kinds)."""
        if self._evidence is None:
            width = self.n_dec
            per_fold = [self.coef[:, f * width:(f + 1) * width].T for f in range(self.n_folds)]
            coef = np.mean(per_fold, axis=0)  # as classifier._coefficients averages the folds
            if self.n_classes == 2:
                coef = np.vstack([-coef[0], coef[0]])
            word_unigrams = {t for bl in self.blocks if bl.kind == WORD for t in bl.terms if " " not in t}
            names: list[str] = []
            kinds = np.zeros(self.n_features, dtype=np.int8)
            for block in self.blocks:
                for i, term in enumerate(block.terms):
                    j = block.offset + i
                    if block.kind == WORD:
                        names.append(term.replace(" ", ""))
                        if " " not in term:
                            kinds[j] = EV_WORD if len(term) >= 2 else EV_SINGLE
                    else:
                        names.append(term)
                        if len(term) >= 2 and term in word_unigrams:
                            kinds[j] = EV_CHAR_WORD
            self._evidence = (np.ascontiguousarray(coef), names, kinds)
        return self._evidence

    # --- building, saving, loading ------------------------------------------

    @classmethod
    def from_pipeline(cls, model) -> "CompiledModel":
        """Compile ``classifier.build_pipeline()`` once fitted; TypeError for anything else."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        from .tokenizer import normalize, tokenize

        try:
            union = model.named_steps["features"]
            clf = model.named_steps["clf"]
        except (AttributeError, KeyError):
            raise TypeError("not a features + clf pipeline") from None
        if len(model.steps) != 2 or not isinstance(union, FeatureUnion) \
                or not isinstance(clf, CalibratedClassifierCV):
            raise TypeError("unsupported pipeline")
        weights = union.transformer_weights or {}
        blocks, idfs, offset = [], [], 0
        for name, vec in union.transformer_list:
            if not isinstance(vec, TfidfVectorizer) or vec.binary or vec.lowercase or vec.strip_accents \
                    or vec.input != "content" or vec.dtype not in (np.float64, float) \
                    or vec.norm not in ("l2", None):
                raise TypeError(f"unsupported vectoriser {name!r}")
            if vec.analyzer == "word" and vec.tokenizer is tokenize and vec.preprocessor is None \
                    and vec.stop_words is None:
                kind = WORD
            elif vec.analyzer == "char" and vec.preprocessor is normalize:
                kind = CHAR
            else:
                raise TypeError(f"unsupported analyser in {name!r}")
            vocabulary = vec.vocabulary_
            terms = [""] * len(vocabulary)
            for term, j in vocabulary.items():
                terms[j] = term
            blocks.append(_Block(kind, terms, vec.ngram_range, vec.sublinear_tf, vec.norm,
                                 weights.get(name), offset))
            idfs.append(np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else np.ones(len(terms)))
            offset += len(terms)
        classes = np.asarray(clf.classes_)
        n_classes = len(classes)
        n_dec = 1 if n_classes == 2 else n_classes
        coefs, intercepts, a_s, b_s = [], [], [], []
        for cal in clf.calibrated_classifiers_:
            est = cal.estimator
            if getattr(cal, "method", None) != "sigmoid" or len(est.classes_) != n_classes \
                    or not hasattr(est, "coef_") or len(cal.calibrators) != n_dec:
                raise TypeError("not a sigmoid-calibrated linear model over every class")
            coef = np.asarray(est.coef_, dtype=np.float64)
            intercept = np.asarray(est.intercept_, dtype=np.float64).reshape(-1)
            if coef.shape != (n_dec, offset) or intercept.shape != (n_dec,):
                raise TypeError("unexpected coefficient shapes")
            if n_dec > 1:  # column k of the stacked matrix is class k
                order = np.argsort(np.searchsorted(classes, est.classes_))
                coef, intercept = coef[order], intercept[order]
                calibrators = [cal.calibrators[i] for i in order]
            else:
                calibrators = list(cal.calibrators)
            coefs.append(coef)
            intercepts.append(intercept)
            a_s.append([float(c.a_) for c in calibrators])
            b_s.append([float(c.b_) for c in calibrators])
        stacked = np.ascontiguousarray(np.concatenate(coefs, axis=0).T)  # (n_features, folds*n_dec)
        return cls([str(c) for c in classes], blocks, np.concatenate(idfs), stacked,
                   np.concatenate(intercepts), np.concatenate(a_s), np.concatenate(b_s),
                   len(clf.calibrated_classifiers_))

    def save(self, path: str | Path) -> None:
        meta = {"format": FORMAT, "classes": self.classes, "n_folds": self.n_folds,
                "blocks": [bl.meta() for bl in self.blocks]}
        terms = json.dumps([bl.terms for bl in self.blocks], ensure_ascii=False).encode("utf-8")
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                terms=np.frombuffer(terms, dtype=np.uint8),
                idf=self.idf, coef=self.coef, intercept=self.intercept, a=self.a, b=self.b,
            )

    @classmethod
    def load(cls, path: str | Path) -> "CompiledModel":
        """Load ``fast.npz``; TypeError/ValueError/OSError when it is not usable."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise TypeError(f"compiled model format {meta.get('format')!r}, not {FORMAT}")
            all_terms = json.loads(data["terms"].tobytes().decode("utf-8"))
            arrays = {k: data[k] for k in ("idf", "coef", "intercept", "a", "b")}
        blocks, offset = [], 0
        for spec, terms in zip(meta["blocks"], all_terms, strict=True):
            if len(terms) != spec["size"]:
                raise TypeError("compiled model vocabulary size mismatch")
            blocks.append(_Block(spec["kind"], terms, tuple(spec["ngram"]), spec["sublinear"],
                                 spec["norm"], spec["weight"], offset))
            offset += len(terms)
        return cls(meta["classes"], blocks, arrays["idf"], arrays["coef"], arrays["intercept"],
                   arrays["a"], arrays["b"], meta["n_folds"])
