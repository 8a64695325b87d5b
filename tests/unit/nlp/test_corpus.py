"""The committed seed corpus is large, varied and good enough to route with."""
from __future__ import annotations

import csv
from collections import Counter

from nlp import LABELS, paths


def _rows():
    with open(paths.SEED_CORPUS, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_seed_corpus_has_header_and_at_least_120_examples_per_label():
    rows = _rows()
    assert list(rows[0].keys()) == ["text", "label", "split"]
    counts = Counter(r["label"] for r in rows)
    assert set(counts) == set(LABELS)
    assert min(counts.values()) >= 120, counts


def test_seed_corpus_has_no_duplicates_and_sane_lengths():
    texts = [r["text"] for r in _rows()]
    assert len(texts) == len(set(texts))
    assert all(4 <= len(t) <= 150 for t in texts)
    short = sum(len(t) <= 12 for t in texts)
    assert short / len(texts) >= 0.2


def test_about_a_fifth_of_each_label_is_held_out_for_dev():
    rows = _rows()
    assert {r["split"] for r in rows} == {"train", "dev"}
    for label in LABELS:
        mine = [r for r in rows if r["label"] == label]
        share = sum(r["split"] == "dev" for r in mine) / len(mine)
        assert 0.12 <= share <= 0.3, (label, share)


def test_dev_macro_f1_of_the_seed_model_is_at_least_0_90(trained):
    _, meta = trained
    assert meta["dev_macro_f1"] >= 0.90, meta


def test_saved_model_has_versioned_dir_and_meta(trained):
    import sklearn

    version_dir, meta = trained
    assert version_dir.name == meta["version"]
    assert meta["version"].startswith("seed-")
    assert (version_dir / "model.joblib").is_file()
    assert (version_dir / "meta.json").is_file()
    assert meta["sklearn_version"] == sklearn.__version__
    assert sorted(meta["labels"]) == sorted(LABELS)
    assert meta["train_size"] >= 6 * 120
