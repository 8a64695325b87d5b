"""bot.services.training: the admins' corrections in the database become a new model."""
from __future__ import annotations

import csv
from datetime import timedelta

from bot.models import TrainingExample
from bot.services import training
from bot.services.clock import utcnow
from nlp import paths, store
from nlp.corpus import read_labelled_csv


def _small_corpus(path, per_label=12):
    counts: dict[str, int] = {}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        for e in read_labelled_csv(paths.SEED_CORPUS):
            if counts.get(e.label, 0) < per_label:
                counts[e.label] = counts.get(e.label, 0) + 1
                w.writerow([e.text, e.label])
    return path


def _add(res, items, when):
    with res.db.session() as s:
        for i, (text, label) in enumerate(items):
            s.add(TrainingExample(text=text, label=label, source="correction", actor="admin",
                                  created_at=when + timedelta(seconds=i)))


def test_corrections_are_counted_and_trained_into_a_new_version(res, tmp_path):
    t0 = utcnow() - timedelta(hours=2)
    _add(res, [("合作社的账目一直不公开", "governance"), ("羊圈的棚顶被雪压塌了想申请补助", "industry")], t0)
    with res.db.session() as s:
        pairs = training.corrections(s)
        assert pairs == [("合作社的账目一直不公开", "governance"), ("羊圈的棚顶被雪压塌了想申请补助", "industry")]
        assert training.new_corrections_since(s, None) == 2
        assert training.new_corrections_since(s, t0 + timedelta(seconds=0.5)) == 1
        assert training.new_corrections_since(s, (t0 + timedelta(hours=1)).isoformat()) == 0

    data = _small_corpus(tmp_path / "base.csv")
    root = tmp_path / "models"
    assert training.retrain_if_needed(res, min_new=3, models_root=root, data=data) is None  # too few
    assert store.newest_model(root) is None
    version = training.retrain_if_needed(res, min_new=2, models_root=root, data=data)
    assert version is not None
    path, meta = store.newest_model(root)
    assert meta["version"] == version and meta["corrections"] == 2
    assert meta["corrections_until"].startswith((t0 + timedelta(seconds=1)).isoformat()[:19])
    # nothing new since: no retraining
    assert training.retrain_if_needed(res, min_new=1, models_root=root, data=data) is None
    _add(res, [("村里的篮球架倒了", "culture")], utcnow())
    newer = training.retrain_if_needed(res, min_new=1, models_root=root, data=data)
    assert newer not in (None, version)
    assert store.newest_model(root)[1]["corrections"] == 3


def test_the_nightly_job_trains_in_a_child_process_from_the_database(res, tmp_path):
    """bot.jobs.retrain_classifier, as the worker runs it: a fresh process that reaches the
    same database and writes the new version where the web processes look."""
    from bot.jobs import retrain_classifier

    _add(res, [("草场边上的网围栏倒了一大片", "ecology"), ("村里的广场舞音响坏了", "culture")],
         utcnow() - timedelta(hours=1))
    data, root = _small_corpus(tmp_path / "base.csv"), tmp_path / "models"
    assert retrain_classifier(min_new=3, models_root=str(root), data=str(data)) is None  # too few
    version = retrain_classifier(min_new=2, models_root=str(root), data=str(data))
    assert version is not None and store.newest_model(root)[1]["version"] == version
    assert store.newest_model(root)[1]["corrections"] == 2


def test_load_corrections_reads_the_database_without_redis(res):
    _add(res, [("路灯坏了", "governance")], utcnow())
    pairs, newest = training.load_corrections(res.settings.database_url)
    assert pairs == [("路灯坏了", "governance")] and newest
