"""The compiled model (nlp/fastpath.py) against the scikit-learn pipeline it was compiled from.

The router serves ``fast.npz`` without scikit-learn; these tests hold it to the
pipeline's decisions on the whole seed corpus (train and dev splits).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from nlp import fastpath, paths, store
from nlp.classifier import Router, _Loaded, predict_with_priors, router_from_dir
from nlp.corpus import read_labelled_csv
from nlp.fastpath import CompiledModel
from nlp.priors import load_priors
from nlp.tokenizer import normalize, tokenize

ODD = ["", "？", "🙏🙏", "路灯 abc 🙏" * 50, "水" * 3000, "微心愿：想要一个书包", "hello 路灯坏了",
       "村口  路灯\t坏了\n\n好几天", "ｆｕｌｌ　ｗｉｄｔｈ 低保", "地保没到账", "牛病了没钱看病想申请补助"]


@pytest.fixture(scope="module")
def corpus():
    return read_labelled_csv(paths.SEED_CORPUS)


@pytest.fixture(scope="module")
def sklearn_router(trained):
    """The same version served by scikit-learn itself (not compiled)."""
    version_dir, meta = trained
    loaded = _Loaded(meta, version_dir, model=store.load_model(version_dir), compile=False)
    return Router(version_dir.parent, loaded, reload_interval=float("inf"))


def test_the_saved_model_has_its_compiled_form(trained, router):
    version_dir, meta = trained
    assert (version_dir / fastpath.FILE).is_file()
    assert meta["compiled"]["file"] == fastpath.FILE
    assert meta["compiled"]["max_abs_diff"] <= 1e-6
    assert router._loaded.compiled is not None
    assert router._loaded._model is None  # served without unpickling the pipeline


def test_label_and_confidence_equal_the_pipeline_on_the_whole_corpus(router, corpus):
    """Every seed row, dev split included: the compiled path's label and confidence
    (after keyword priors) equal scikit-learn's predict_proba + priors within 1e-6."""
    loaded = router._loaded
    texts = [e.text[:loaded.max_chars] for e in corpus] + ODD
    want_labels, want_conf = predict_with_priors(loaded.model, texts, with_confidence=True)
    priors = load_priors()
    dev_seen = 0
    for text, want_label, want_c, example in zip(texts, want_labels, want_conf, corpus + [None] * len(ODD)):
        norm = normalize(text)
        idx, val, proba, tokens = loaded.scores(norm)
        assert tokens == tokenize(norm)
        boosted = priors.apply(loaded.labels, proba, priors.hits(norm, tokens))
        best = max(range(len(boosted)), key=boosted.__getitem__)
        assert loaded.labels[best] == want_label, text
        assert abs(boosted[best] - want_c) <= 1e-6, text
        dev_seen += example is not None and example.split == "dev"
    assert dev_seen >= 300


def test_classify_equals_the_scikit_learn_served_router(router, sklearn_router, corpus):
    """The whole Classification (label, confidence, runner-up, evidence, intent, priority,
    tier) is the same whether the compiled model or scikit-learn scores the message."""
    dev = [e.text for e in corpus if e.split == "dev"]
    texts = dev + ODD
    assert len(dev) >= 300
    assert sklearn_router._loaded.compiled is None
    fast = [router.classify(t) for t in texts]
    slow = [sklearn_router.classify(t) for t in texts]
    for t, f, s in zip(texts, fast, slow):
        assert (f.label, f.runner_up, f.evidence, f.intent, f.priority, f.tier) == \
            (s.label, s.runner_up, s.evidence, s.intent, s.priority, s.tier), t
        assert abs(f.confidence - s.confidence) <= 1e-4 and abs(f.runner_up_confidence - s.runner_up_confidence) <= 1e-4
        pf, ps = router.probabilities(t), sklearn_router.probabilities(t)
        assert pf.keys() == ps.keys()
        assert max(abs(pf[k] - ps[k]) for k in pf) <= 1e-6, t
    # and the batch path of the scikit-learn router agrees with both
    assert sklearn_router.classify_many(texts[:60]) == slow[:60]
    assert router.classify_many(texts[:60]) == fast[:60]


def test_dev_macro_f1_through_the_router(tmp_path, corpus):
    """A model fitted on the train split only: its dev macro-F1 through the compiled
    router is the scikit-learn-served router's, and at least the 0.90 aim."""
    from sklearn.metrics import f1_score

    from nlp.train import _fit

    train = [e for e in corpus if e.split == "train"]
    dev = [e for e in corpus if e.split == "dev"]
    model = _fit(train, [1.0] * len(train), 600, lambda m: None, "test")
    meta = {"version": "dev-only", "created_at": "2000-01-01T00:00:00", "max_chars": 600}
    fast = Router(tmp_path, _Loaded(meta, None, model=model), reload_interval=float("inf"))
    slow = Router(tmp_path, _Loaded(meta, None, model=model, compile=False), reload_interval=float("inf"))
    assert fast._loaded.compiled is not None and slow._loaded.compiled is None
    truth = [e.label for e in dev]
    f1_fast = f1_score(truth, [fast.classify(e.text).label for e in dev], average="macro")
    f1_slow = f1_score(truth, [slow.classify(e.text).label for e in dev], average="macro")
    assert f1_fast == f1_slow
    assert f1_fast >= 0.90


def test_compiled_model_round_trips_through_fast_npz(router, tmp_path):
    compiled = router._loaded.compiled
    path = tmp_path / fastpath.FILE
    compiled.save(path)
    again = CompiledModel.load(path)
    assert again.classes == compiled.classes
    for text in ["村口的路灯坏了好几天了", "我家低保被停了", ""]:
        norm = normalize(text)
        tokens = tokenize(norm)
        a, b = compiled.features(norm, tokens), again.features(norm, tokens)
        assert list(a[0]) == list(b[0]) and np.array_equal(a[1], b[1])
        assert np.array_equal(compiled.predict_proba(*a), again.predict_proba(*b))


def test_a_version_without_fast_npz_is_compiled_in_memory(trained, tmp_path, router):
    version_dir, _ = trained
    copy = tmp_path / "models" / version_dir.name
    shutil.copytree(version_dir, copy)
    (copy / fastpath.FILE).unlink()
    old = router_from_dir(copy)
    assert old._loaded.compiled is not None and old._loaded._model is not None
    text = "村口水管爆了到处是水"
    assert old.classify(text) == router.classify(text)
    # its compiled form was written for the next process, which loads only that
    assert (copy / fastpath.FILE).is_file()
    assert not [p for p in copy.iterdir() if p.name.startswith(".")]
    again = router_from_dir(copy)
    assert again._loaded._model is None
    assert again.classify(text) == router.classify(text)


def test_a_compiled_form_refused_at_training_is_not_served_later(trained, tmp_path, router):
    """train refuses to save a compiled form that differs from scikit-learn (meta.json
    `compiled` says why): a process loading that version must serve the pipeline, not
    compile it again in memory and write the fast.npz that training refused."""
    version_dir, meta = trained
    copy = tmp_path / "models" / version_dir.name
    shutil.copytree(version_dir, copy)
    (copy / fastpath.FILE).unlink()
    refused = dict(meta, compiled={"file": None, "checked_texts": 402, "max_abs_diff": 0.01,
                                   "reason": "differs from scikit-learn"})
    (copy / store.META_FILE).write_text(json.dumps(refused), encoding="utf-8")
    served = router_from_dir(copy)
    assert served._loaded.compiled is None
    assert not (copy / fastpath.FILE).exists()
    text = "村口水管爆了到处是水"
    assert served.classify(text).label == router.classify(text).label


def test_a_broken_fast_npz_falls_back_to_the_pipeline(trained, tmp_path, router):
    version_dir, _ = trained
    copy = tmp_path / "models" / version_dir.name
    shutil.copytree(version_dir, copy)
    (copy / fastpath.FILE).write_bytes(b"not a zip file")
    broken = router_from_dir(copy)
    text = "我家低保被停了怎么办"
    assert broken.classify(text) == router.classify(text)


def test_unsupported_pipelines_are_refused(trained):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    model = Pipeline([("tfidf", TfidfVectorizer(analyzer="char")), ("clf", LogisticRegression())])
    with pytest.raises(TypeError):
        CompiledModel.from_pipeline(model)


def test_binary_models_compile_too(corpus):
    from nlp.train import _fit

    two = [e for e in corpus if e.label in ("ecology", "wish")][::3]
    model = _fit(two, [1.0] * len(two), 600, lambda m: None, "test")
    compiled = CompiledModel.from_pipeline(model)
    assert compiled.n_dec == 1 and compiled.classes == ["ecology", "wish"]
    norms = [normalize(e.text) for e in two[:40]] + ["", "路灯"]
    want = model.predict_proba(norms)
    for norm, expected in zip(norms, want):
        idx, val = compiled.features(norm, tokenize(norm))
        np.testing.assert_allclose(compiled.predict_proba(idx, val), expected, atol=1e-9)


def test_keyword_hits_equal_the_plain_definition(corpus):
    """priors.hits looks up candidate words by their first two characters; the result is
    the plain definition's (every listed word tried as a substring / single token)."""
    priors = load_priors()

    def plain(text, tokens):
        token_set = set(tokens)
        found = {}
        for label, words in priors.words.items():
            matched = [w for w in words if (len(w) >= 2 and w in text) or (len(w) == 1 and w in token_set)]
            matched = [w for w in matched if not any(w != o and w in o for o in matched)]
            if matched:
                found[label] = matched
        return found

    for text in [e.text for e in corpus] + ODD + ["垃圾桶垃圾垃圾车", "臭", "桥"]:
        norm = normalize(text)
        tokens = tokenize(norm)
        assert priors.hits(norm, tokens) == plain(norm, tokens), text


def test_serving_a_compiled_model_does_not_import_scikit_learn(trained, var_dir):
    version_dir, _ = trained
    code = ("import sys, json; from nlp.classifier import router_from_dir; "
            "r = router_from_dir(sys.argv[1]); c = r.classify('村口的路灯坏了好几天了'); "
            "print(json.dumps([c.label, 'sklearn' in sys.modules, 'scipy' in sys.modules, 'joblib' in sys.modules]))")
    env = {**os.environ, "CUNSHENG_VAR_DIR": str(var_dir), "PYTHONWARNINGS": "error"}
    out = subprocess.run([sys.executable, "-c", code, str(version_dir)], cwd=paths.REPO_DIR, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    label, has_sklearn, has_scipy, has_joblib = json.loads(out.stdout.strip().splitlines()[-1])
    assert label == "governance"
    assert not has_sklearn and not has_scipy and not has_joblib
