"""The routing classifier and the per-process Router that serves it.

Pipeline: word TF-IDF over jieba tokens (uni+bigrams) + char 1-3-gram TF-IDF
-> LinearSVC calibrated with 5-fold sigmoid (CalibratedClassifierCV), then keyword
priors (``priors.py``) and rules (``rules.py``) for intent, priority and tier.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import fastpath, paths, rules, store
from .fastpath import CompiledModel
from .priors import load_priors
from .tokenizer import cached_tokens, cut_normalized, generation, normalize, remember_tokens, tokenize

# scikit-learn, scipy and joblib are imported only to train, to evaluate, or to
# serve a model without its compiled form (fast.npz): a serving process loads the
# compiled model and never imports them (~1 s of start-up and ~85 MB saved).

log = logging.getLogger(__name__)

PIPELINE_VERSION = "wordchar-svc-cal-1"
RANDOM_STATE = 20261125
RELOAD_INTERVAL = 60.0
MAX_CHARS = 600  # the model reads the first 600 characters; rules read up to RULE_CHARS
RULE_CHARS = 4000
BATCH_CHUNK = 512  # classify_many works in chunks of this size (< the tokenizer cache)
BASELINE_VERSION = "plain-wordchar-svc-1"
#: a message that names no matter (``rules.has_problem_content``) never scores above this:
#: below every review threshold training may choose (``calibration.THRESHOLD_FLOOR``)
CONTENT_FREE_CAP = 0.25
#: the review threshold of a model whose meta.json has none (trained before it was chosen
#: from the reliability curve); config.settings REVIEW_THRESHOLD overrides either
DEFAULT_REVIEW_THRESHOLD = 0.45
#: a 心愿 prefix makes a message a wish unless the model gives another label at least this
WISH_PREFIX_GIVES_WAY = 0.6


def build_pipeline():
    """The unfitted scikit-learn pipeline (``fastpath.CompiledModel`` serves it once fitted)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    word = TfidfVectorizer(
        tokenizer=tokenize, token_pattern=None, lowercase=False,
        ngram_range=(1, 2), sublinear_tf=True, min_df=1,
    )
    char = TfidfVectorizer(
        analyzer="char", preprocessor=normalize, lowercase=False,
        ngram_range=(1, 3), sublinear_tf=True, min_df=1,
    )
    clf = CalibratedClassifierCV(
        LinearSVC(C=1.0, random_state=RANDOM_STATE), method="sigmoid", cv=5, ensemble=True,
    )
    return Pipeline([
        ("features", FeatureUnion([("word", word), ("char", char)])),
        ("clf", clf),
    ])


def plain_tokens(text: str) -> list[str]:
    """The baseline's words: jieba's cut as it is (no stop words, no filters but spaces)."""
    from .tokenizer import initialize

    import jieba

    initialize()
    return [tok for tok in jieba.lcut(text) if tok.strip()]


def build_baseline(calibrated: bool = False):
    """The plain baseline every model must beat (issue 12): jieba words plus character
    1-3-gram TF-IDF (scikit-learn's defaults) into a linear SVM (C=1).

    ``calibrated``: the same wrapped in 5-fold sigmoid calibration, so that it can be
    served with a confidence when it beats the production pipeline (``train``).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    word = TfidfVectorizer(tokenizer=plain_tokens, token_pattern=None, lowercase=False)
    char = TfidfVectorizer(analyzer="char", lowercase=False, ngram_range=(1, 3))
    svm = LinearSVC(C=1.0, random_state=RANDOM_STATE)
    clf = CalibratedClassifierCV(svm, method="sigmoid", cv=5, ensemble=True) if calibrated else svm
    return Pipeline([
        ("features", FeatureUnion([("word", word), ("char", char)])),
        ("clf", clf),
    ])


@dataclass(frozen=True)
class Decision:
    """What ``decide`` makes of a message's probabilities."""
    hits: dict
    best: int
    label: str
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    explicit_wish: bool


def decide(labels: list[str], proba: list[float], text: str, compacted: str, norm: str,
           tokens: list[str], *, priors: bool = True, village_rules: bool = True) -> Decision:
    """The label and confidence ``Router.classify`` gives, from the model's probabilities.

    ``priors``: keyword priors (``data/keywords.yaml``, our labels); ``village_rules``: the
    rules that know our labels (an explicit 心愿 prefix means wish). Both are off for a
    model trained on another label set (meta.json ``village_rules``/``priors``). Whatever the
    labels, a message that names no matter is capped at ``CONTENT_FREE_CAP``.
    """
    hits: dict = {}
    if priors:
        table = load_priors()
        hits = table.hits(norm, tokens)
        proba = table.apply(labels, proba, hits)
    order = sorted(range(len(proba)), key=lambda i: -proba[i])
    best, second = order[0], (order[1] if len(order) > 1 else None)
    label = labels[best]
    explicit_wish = village_rules and rules.is_explicit_wish(text, compacted=compacted)
    if explicit_wish and label != "wish" and proba[best] >= WISH_PREFIX_GIVES_WAY:
        # 心愿：村里的路灯修一修 — a prefix on a team's matter the model is sure of is that
        # team's (docs/labels.md rule 7: the need, not the words)
        explicit_wish = False
    if explicit_wish and "wish" in labels and label != "wish":
        # the villager said 微心愿/心愿 outright: trust them, keep the model's
        # first choice as runner-up
        second, best = best, labels.index("wish")
        label = "wish"
    if explicit_wish and label == "wish" and proba[best] < 0.8:
        # at least 0.8 for wish; the other labels share the rest in proportion
        rest = 1.0 - proba[best]
        proba = [0.8 if i == best else (p * 0.2 / rest if rest > 0 else 0.0)
                 for i, p in enumerate(proba)]
    confidence = float(proba[best])
    runner_conf = float(proba[second]) if second is not None else 0.0
    if not rules.has_problem_content(text, compacted=compacted):
        confidence = min(confidence, CONTENT_FREE_CAP)
        runner_conf = min(runner_conf, confidence)
    return Decision(hits, best, label, confidence, labels[second] if second is not None else None,
                    runner_conf, bool(explicit_wish))


@dataclass(frozen=True)
class Classification:
    label: str | None
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    evidence: list[str] = field(default_factory=list)
    model_version: str = ""
    intent: str = "problem"
    priority: str = "normal"
    tier: str = "general"
    #: set only when the router has an FAQ index and the message is one of its questions
    #: (then intent is 'faq'); label etc. are still the classifier's, for the record
    faq_id: str | None = None
    faq_answer: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _coefficients(clf) -> np.ndarray:
    """Per-class feature weights (averaged over calibration folds) for evidence."""
    if hasattr(clf, "calibrated_classifiers_"):
        n = len(clf.classes_)
        coefs = [np.asarray(c.estimator.coef_) for c in clf.calibrated_classifiers_
                 if len(c.estimator.classes_) == n]
        if coefs:
            return np.mean(coefs, axis=0)
        return np.zeros((n if n > 2 else 1, 1))
    return np.asarray(clf.coef_)


def predict_with_priors(model, texts: list[str], with_confidence: bool = False):
    """Batch model + keyword priors (the probabilities ``Router.classify`` starts from; its
    final label and confidence also pass the rules: ``decide_many``).

    Labels; with ``with_confidence`` a (labels, confidences) pair.
    """
    import sklearn

    priors = load_priors()
    labels = [str(c) for c in model.classes_]
    norms = [normalize(t) for t in texts]
    result, confidence = [], []
    if norms:
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            probas = model.predict_proba(norms)
    else:
        probas = []
    for norm, proba in zip(norms, probas):
        hits = priors.hits(norm, tokenize(norm))
        boosted = priors.apply(labels, proba.tolist(), hits)
        best = max(range(len(labels)), key=boosted.__getitem__)
        result.append(labels[best])
        confidence.append(float(boosted[best]))
    return (result, confidence) if with_confidence else result


def model_probabilities(model, labels: list[str], texts: list[str]) -> np.ndarray:
    """(texts × labels) probabilities of a pipeline as the router computes them (normalised
    text), columns in ``labels`` order (a label the model never saw gets 0)."""
    import sklearn

    norms = [normalize(t) for t in texts]
    out = np.zeros((len(texts), len(labels)))
    if not norms:
        return out
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        probas = model.predict_proba(norms)
    column = {lab: j for j, lab in enumerate(labels)}
    for k, cls in enumerate(model.classes_):
        out[:, column[str(cls)]] = probas[:, k]
    return out


def decide_many(model, labels: list[str], texts: list[str], *, priors: bool = True,
                village_rules: bool = True, probas: np.ndarray | None = None,
                max_chars: int = MAX_CHARS) -> list[tuple[str, float]]:
    """(label, confidence) of each text as the router decides it (``decide``), from the
    pipeline's probabilities (or the given ``probas``, texts × ``labels``)."""
    texts = [t[:RULE_CHARS] for t in texts]
    if probas is None:
        probas = model_probabilities(model, labels, [t[:max_chars] for t in texts])
    out = []
    for text, proba in zip(texts, probas):
        norm = normalize(text[:max_chars])
        d = decide(labels, list(map(float, proba)), text, rules.compact(text), norm, tokenize(norm),
                   priors=priors, village_rules=village_rules)
        out.append((d.label, d.confidence))
    return out


def _evidence_tables_from_pipeline(model, coef: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(weights, display names, evidence kinds) of a pipeline served by scikit-learn."""
    names = list(model.named_steps["features"].get_feature_names_out())
    word_vocabulary = frozenset(
        n.split("__", 1)[1] for n in names if n.startswith("word__") and " " not in n
    )
    display: list[str] = []
    kinds = np.zeros(len(names), dtype=np.int8)
    for j, n in enumerate(names):
        term = n.split("__", 1)[1]
        if n.startswith("word__"):
            display.append(term.replace(" ", ""))
            if " " not in term:
                kinds[j] = fastpath.EV_WORD if len(term) >= 2 else fastpath.EV_SINGLE
        else:
            display.append(term)
            if len(term) >= 2 and term in word_vocabulary:
                kinds[j] = fastpath.EV_CHAR_WORD
    return coef, display, kinds


class _Loaded:
    """One loaded model version and what classify needs from it, precomputed.

    Served by its compiled form (``fast.npz``, see ``fastpath``) when there is
    one; the scikit-learn pipeline (``model.joblib``) is then loaded only if
    something asks for ``model``/``features``/``clf`` (batch evaluation, tests).
    A version without ``fast.npz`` (trained before it existed) is loaded with
    scikit-learn, compiled in memory, and its ``fast.npz`` written for the next
    process; a pipeline that cannot be compiled is served by scikit-learn itself.
    """

    def __init__(self, meta: dict, path: Path | None, *, model=None,
                 compiled: CompiledModel | None = None, compile: bool = True):
        self._model = model
        self.meta = meta
        self.path = path
        self.version = str(meta.get("version", path.name if path else "unknown"))
        self.created_at = str(meta.get("created_at", ""))
        self.max_chars = int(meta.get("max_chars") or MAX_CHARS)
        # rules and keyword priors that know our six labels: off for another label set
        self.village_rules = bool(meta.get("village_rules", True))
        self.priors_on = bool(meta.get("priors", self.village_rules))
        threshold = meta.get("review_threshold")
        self.review_threshold = float(threshold) if isinstance(threshold, (int, float)) \
            else DEFAULT_REVIEW_THRESHOLD
        if compiled is None and model is not None and compile:
            try:
                compiled = CompiledModel.from_pipeline(model)
            except TypeError as exc:  # other settings or estimator: scikit-learn serves it
                log.info("nlp model %s served by scikit-learn (%s)", self.version, exc)
        self.compiled = compiled
        if compiled is not None:
            self.labels = list(compiled.classes)
            self.coef, self.feature_names, self.evidence_kinds = compiled.evidence_tables()
        else:
            self.labels = [str(c) for c in self.clf.classes_]
            coef = _coefficients(self.clf)
            if coef.shape[0] == 1 and len(self.labels) == 2:  # binary: one row for class 1
                coef = np.vstack([-coef[0], coef[0]])
            self.coef, self.feature_names, self.evidence_kinds = _evidence_tables_from_pipeline(
                self.model, coef)

    @classmethod
    def from_dir(cls, path: Path, meta: dict) -> "_Loaded":
        """Load a version dir: its compiled form when usable, else the pipeline."""
        # training checked the compiled form and refused it (meta.json `compiled` has no
        # file): scikit-learn serves this version; versions from before fast.npz have no check
        check = meta.get("compiled")
        refused = isinstance(check, dict) and not check.get("file")
        fast = path / fastpath.FILE
        if fast.is_file() and not refused:
            try:
                return cls(meta, path, compiled=CompiledModel.load(fast))
            except (OSError, ValueError, TypeError, KeyError):
                log.warning("nlp model %s: unusable %s, loading the pipeline", path.name, fastpath.FILE,
                            exc_info=True)
        loaded = cls(meta, path, model=store.load_model(path), compile=not refused)
        if loaded.compiled is not None:
            # a version from before fast.npz: keep its compiled form for the next process
            store.add_file(path, fastpath.FILE, loaded.compiled.save)
        return loaded

    @property
    def model(self):
        """The scikit-learn pipeline (loaded on first use when served compiled)."""
        if self._model is None:
            if self.path is None:
                raise RuntimeError("no pipeline for this model")
            self._model = store.load_model(self.path)
        return self._model

    @property
    def features(self):
        return self.model.named_steps["features"]

    @property
    def clf(self):
        return self.model.named_steps["clf"]

    def scores(self, norm: str) -> tuple[np.ndarray, np.ndarray, list[float], list[str]]:
        """(feature indices, feature values, probabilities, tokens) of one normalised message.

        The message is cut by jieba once; its tokens serve the word features, the
        keyword priors and the evidence, and are left in the tokenizer's cache for
        the FAQ and duplicate checks of the same text.
        """
        compiled = self.compiled
        if compiled is not None:
            return self.scores_many([norm])[0]
        import scipy.sparse as sp
        import sklearn

        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            x = sp.csr_matrix(self.features.transform([norm]))
            x.sort_indices()
            proba = self.clf.predict_proba(x)[0].tolist()
        return x.indices.astype(np.int64), x.data, proba, tokenize(norm)

    def scores_many(self, norms: list[str]) -> list[tuple[np.ndarray, np.ndarray, list[float], list[str]]]:
        """``scores`` of each message with the compiled model, stage by stage."""
        compiled = self.compiled
        # what the pipeline sees: its char preprocessor and its word tokenizer both
        # normalise the (already normalised) text again; tokenize(norm) cuts that
        seen = [normalize(norm) for norm in norms]
        tokens = []
        for norm, text in zip(norms, seen):
            toks = cached_tokens(norm)
            if toks is None:
                cut_at = generation()
                toks = cut_normalized(text) if text else []
                remember_tokens(norm, toks, cut_at)
            tokens.append(toks)
        features = [compiled.features(text, toks) for text, toks in zip(seen, tokens)]
        return [(idx, val, compiled.predict_proba(idx, val).tolist(), toks)
                for (idx, val), toks in zip(features, tokens)]


def _evidence(loaded: _Loaded, idx: np.ndarray, val: np.ndarray, label_index: int,
              keyword_hits: list[str], limit: int = 5) -> list[str]:
    if idx.size == 0 or loaded.coef.shape[1] <= int(idx.max()):
        return keyword_hits[:limit]
    contrib = val * loaded.coef[label_index, idx]
    kinds = loaded.evidence_kinds[idx]
    # only features that pushed the label and can be shown (no word bigrams, no
    # char n-grams that are not words); a stable sort keeps the order of ties
    keep = np.flatnonzero((contrib > 0) & (kinds != fastpath.EV_SKIP))
    order = keep[np.argsort(-contrib[keep], kind="stable")]
    names = loaded.feature_names
    words: list[str] = []
    single: list[str] = []
    chars: list[str] = []
    for k in order.tolist():
        j = int(idx[k])
        kind = kinds[k]
        if kind == fastpath.EV_WORD:
            words.append(names[j])
        elif kind == fastpath.EV_SINGLE:
            single.append(names[j])
        else:
            chars.append(names[j])  # a character n-gram that is also a known word
    chosen: list[str] = []
    for name in words[:limit] + keyword_hits + chars:
        if len(chosen) >= limit:
            break
        if any(name in c or c in name for c in chosen):
            continue
        chosen.append(name)
    # single characters (钱, 没) say little: only when nothing better drove it
    return chosen or single[:limit]


class Router:
    """Classifies messages with the newest model under ``root``; hot-reloads.

    ``classify`` re-checks the models root at most every ``reload_interval``
    seconds and switches to a newer version without a restart.
    """

    def __init__(self, root: Path, loaded: _Loaded, reload_interval: float = RELOAD_INTERVAL,
                 faq=None):
        self.root = root
        #: an optional ``nlp.faq.FaqIndex``: when set, a question it answers gets intent 'faq'
        self.faq = faq
        self.reload_interval = reload_interval
        self._loaded = loaded
        self._checked_at = time.monotonic()
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self._loaded.version

    @property
    def labels(self) -> list[str]:
        return list(self._loaded.labels)

    @property
    def meta(self) -> dict:
        return dict(self._loaded.meta)

    @property
    def review_threshold(self) -> float:
        """Confidence below which a request waits for a person, chosen by training from the
        model's reliability curve (meta.json ``review_threshold``; 0.45 for older models)."""
        return self._loaded.review_threshold

    def reload_if_newer(self, force: bool = False) -> bool:
        """Load a newer model version if one appeared; True when it switched."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.reload_interval:
            return False
        with self._lock:
            self._checked_at = now
            try:
                newest = store.newest_model(self.root)
                if newest is None:
                    return False
                path, meta = newest
                current = self._loaded
                if (str(meta.get("created_at", "")), str(meta.get("version", ""))) <= (
                    current.created_at, current.version
                ) or meta.get("version") == current.version:
                    return False
                self._loaded = _Loaded.from_dir(path, meta)
                log.info("nlp model reloaded version=%s", self._loaded.version)
                return True
            except Exception:  # keep serving the old model
                log.exception("nlp model reload failed root=%s", self.root)
                return False

    def probabilities(self, text: str) -> dict[str, float]:
        """Calibrated label probabilities after keyword priors (for tooling)."""
        loaded = self._loaded
        norm = normalize(text[:loaded.max_chars])
        _, _, proba, tokens = loaded.scores(norm)
        if not loaded.priors_on:
            return dict(zip(loaded.labels, proba))
        priors = load_priors()
        return dict(zip(loaded.labels, priors.apply(loaded.labels, proba, priors.hits(norm, tokens))))

    def classify(self, text: str) -> Classification:
        """Label, confidence, runner-up, evidence, intent, priority and tier of one message."""
        self.reload_if_newer()
        return self._classify(self._loaded, text)

    def classify_many(self, texts: list[str]) -> list[Classification]:
        """``classify`` for many messages at once (the same results).

        A compiled model (the usual case) scores message by message, which is as
        fast as a batch; a model served by scikit-learn computes features and
        probabilities for the whole batch, then rules, priors and evidence per message.
        """
        texts = list(texts)
        self.reload_if_newer()
        loaded = self._loaded
        if loaded.compiled is not None:
            return self._classify_compiled_many(loaded, texts)
        if len(texts) > BATCH_CHUNK:  # keep each chunk's tokens in the tokenizer's cache
            return [c for i in range(0, len(texts), BATCH_CHUNK)
                    for c in self.classify_many(texts[i:i + BATCH_CHUNK])]
        import scipy.sparse as sp
        import sklearn

        prepared = [self._prepare(t) for t in texts]
        todo = [i for i, (text, compacted, _) in enumerate(prepared) if rules.is_chinese(text, compacted)]
        norms = [normalize(prepared[i][0][:loaded.max_chars]) for i in todo]
        results: list[Classification | None] = [None] * len(prepared)
        if todo:
            with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
                x = sp.csr_matrix(loaded.features.transform(norms))
                x.sort_indices()
                probas = loaded.clf.predict_proba(x)
            for row, i in enumerate(todo):
                start, end = x.indptr[row], x.indptr[row + 1]
                text, compacted, intent = prepared[i]
                results[i] = self._decide(loaded, text, compacted, intent, norms[row], tokenize(norms[row]),
                                          x.indices[start:end].astype(np.int64), x.data[start:end],
                                          probas[row].tolist())
        return [
            r if r is not None else Classification(None, 0.0, None, 0.0, [], loaded.version,
                                                   prepared[i][2] or "non_chinese", "normal", "general")
            for i, r in enumerate(results)
        ]

    def _classify_compiled_many(self, loaded: _Loaded, texts: list) -> list[Classification]:
        """``_classify`` of each text, done stage by stage over the whole batch (all the
        jieba cuts, then all the features, ...): the same results, and each stage's
        tables stay in the CPU caches."""
        prepared = [self._prepare(t) for t in texts]
        todo = [i for i, (text, compacted, _) in enumerate(prepared) if rules.is_chinese(text, compacted)]
        norms = [normalize(prepared[i][0][:loaded.max_chars]) for i in todo]
        scored = loaded.scores_many(norms)
        results: list[Classification] = [
            Classification(None, 0.0, None, 0.0, [], loaded.version, intent or "non_chinese", "normal", "general")
            for _, _, intent in prepared
        ]
        for i, norm, (idx, val, proba, tokens) in zip(todo, norms, scored):
            text, compacted, intent = prepared[i]
            results[i] = self._decide(loaded, text, compacted, intent, norm, tokens, idx, val, proba)
        return results

    def _classify(self, loaded: _Loaded, text) -> Classification:
        text, compacted, intent = self._prepare(text)
        if not rules.is_chinese(text, compacted):  # no label: also for a quoted number or "ok"
            return Classification(None, 0.0, None, 0.0, [], loaded.version, intent or "non_chinese",
                                  "normal", "general")
        norm = normalize(text[:loaded.max_chars])
        idx, val, proba, tokens = loaded.scores(norm)
        return self._decide(loaded, text, compacted, intent, norm, tokens, idx, val, proba)

    @staticmethod
    def _prepare(text) -> tuple[str, str, str | None]:
        """(text, its compact form for the rules, the rule-decided intent or None)."""
        text = text if isinstance(text, str) else ("" if text is None else str(text))
        text = text[:RULE_CHARS]
        compacted = rules.compact(text)
        return text, compacted, rules.base_intent(text, compacted=compacted)

    def _decide(self, loaded: _Loaded, text: str, compacted: str, intent: str | None, norm: str,
                tokens: list[str], idx: np.ndarray, val: np.ndarray, proba: list[float]) -> Classification:
        d = decide(loaded.labels, proba, text, compacted, norm, tokens,
                   priors=loaded.priors_on, village_rules=loaded.village_rules)
        hits, best, label, explicit_wish = d.hits, d.best, d.label, d.explicit_wish
        confidence, runner_up, runner_conf = d.confidence, d.runner_up, d.runner_up_confidence
        evidence = _evidence(loaded, idx, val, best, hits.get(label, []))
        faq_id = faq_answer = None
        if intent is None and not explicit_wish and self.faq is not None:
            found = self.faq.match(text)
            if found is not None:
                intent, faq_id, faq_answer = "faq", found.id, found.answer
        if intent is None:
            intent = "wish" if label == "wish" else "problem"
        priority = rules.detect_priority(text, compacted=compacted)
        tier = rules.detect_tier(text, set(hits), runner_conf, compacted=compacted)
        return Classification(
            label=label,
            confidence=round(float(confidence), 4),
            runner_up=runner_up,
            runner_up_confidence=round(float(runner_conf), 4),
            evidence=evidence,
            model_version=loaded.version,
            intent=intent,
            priority=priority,
            tier=tier,
            faq_id=faq_id,
            faq_answer=faq_answer,
        )


_routers: dict[str, Router] = {}
_default_router: dict[str | None, "Router"] = {}  # CUNSHENG_VAR_DIR → its default router
_routers_lock = threading.Lock()


def _load_or_train(root: Path) -> _Loaded:
    found = store.newest_model(root)
    if found is None:
        with store.training_lock(root):
            found = store.newest_model(root)  # another process may have trained meanwhile
            if found is None:
                from .train import train_and_save

                log.info("nlp no model under %s: training from the seed corpus", root)
                train_and_save(paths.SEED_CORPUS, root)
                found = store.newest_model(root)
    if found is None:  # pragma: no cover - save_model just wrote one
        raise RuntimeError(f"no loadable model under {root}")
    path, meta = found
    return _Loaded.from_dir(path, meta)


def get_router(model_dir: str | Path | None = None, *, faq=None) -> Router:
    """The process-wide Router for a models root (default ``<var>/models``).

    Loads the newest compatible model, training one from the seed corpus when
    there is none. Cached per process and per root. ``faq`` (an
    ``nlp.faq.FaqIndex``), when given, is attached to the cached router: from
    then on a question it answers is classified with intent 'faq'.
    """
    if model_dir is None:  # the hot path (every webhook message): no filesystem calls
        env = os.environ.get("CUNSHENG_VAR_DIR")
        router = _default_router.get(env)
        if router is not None:
            if faq is not None:
                router.faq = faq
            return router
    root = Path(model_dir) if model_dir else paths.models_dir()
    root = root.resolve()
    key = str(root)
    router = _routers.get(key)
    if router is None:
        with _routers_lock:
            router = _routers.get(key)
            if router is None:
                root.mkdir(parents=True, exist_ok=True)
                router = Router(root, _load_or_train(root))
                _routers[key] = router
    if model_dir is None:
        _default_router[os.environ.get("CUNSHENG_VAR_DIR")] = router
    if faq is not None:
        router.faq = faq
    return router


def router_from_dir(path: str | Path, *, faq=None) -> Router:
    """A (non-cached) Router for a version dir or a models root, without training."""
    path = Path(path)
    found = store.resolve_model_dir(path)
    if found is None:
        raise FileNotFoundError(f"{path}: no model (model.joblib + meta.json) found")
    version_dir, meta = found
    root = version_dir.parent
    return Router(root, _Loaded.from_dir(version_dir, meta),
                  reload_interval=float("inf"), faq=faq)
