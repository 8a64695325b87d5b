"""Training with corrections, the progress bar, calibration, batch classification,
and a county's own long-text data with its own labels (through the CLI)."""
from __future__ import annotations

import csv
import io
import json

import pytest

from nlp import paths
from nlp.__main__ import main
from nlp.corpus import Example, read_labelled_csv
from nlp.progress import ProgressBar
from nlp.train import CORRECTION_WEIGHT, TRAIN_STEPS, merge_corrections, train

from .long_texts import make_rows, write_csv


def test_corrections_replace_the_seed_label_and_the_latest_wins():
    base = [Example("村口水管爆了", "ecology", "dev"), Example("路灯坏了", "governance", "train"),
            Example("低保怎么申请", "welfare", "train")]
    kept, extra, notes = merge_corrections(base, [
        ("村口水管爆了", "industry"), ("村口水管爆了", "governance"), ("新的一条", "社会保障工作队"),
        ("", "welfare"), ("奇怪的", "unknown-team"),
    ])
    assert [e.text for e in kept] == ["路灯坏了", "低保怎么申请"]
    assert {(e.text, e.label, e.split) for e in extra} == {
        ("村口水管爆了", "governance", "train"), ("新的一条", "welfare", "train")}
    assert any("unknown-team" in n for n in notes)


def _small_seed(per_label: int = 14) -> list[Example]:
    counts: dict[str, int] = {}
    chosen = []
    for e in read_labelled_csv(paths.SEED_CORPUS):
        if counts.get(e.label, 0) < per_label:
            counts[e.label] = counts.get(e.label, 0) + 1
            chosen.append(e)
    return chosen


def test_training_with_corrections_weighs_them_and_names_the_version():
    steps: list[str] = []
    text = "合作社的账目一直不公开，分红也没有说法"
    model, meta = train(_small_seed(), corrections=[(text, "governance")], progress=steps.append)
    assert len(steps) == TRAIN_STEPS
    assert meta["version"].startswith("corr-") and meta["corrections"] == 1
    assert meta["correction_weight"] == CORRECTION_WEIGHT
    assert model.predict([text])[0] == "governance"


def test_progress_bar_is_plain_text_one_line_per_step_off_a_terminal():
    out = io.StringIO()
    bar = ProgressBar(3, stream=out)
    for msg in ("reading", "fitting", "saving"):
        bar(msg)
    bar.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("train [") and "1/3" in lines[0] and lines[0].endswith("reading")
    assert "[########################] 3/3" in lines[2]


def test_confidence_is_calibrated_on_dev(trained):
    """The router knows when it is unsure: wrong dev answers are less confident."""
    _, meta = trained
    cal = meta["dev_calibration"]
    assert cal["right"] + cal["wrong"] == meta["dev_size"]
    assert cal["wrong"] > 0  # otherwise nothing to compare
    assert cal["mean_confidence_wrong"] < cal["mean_confidence_right"] - 0.1
    # never overconfident (a little under is the safe side), and not far off
    assert cal["accuracy"] - 0.15 < cal["mean_confidence"] <= cal["accuracy"] + 0.05


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "👍", "？？？", "hello, the road is broken",
                                  "ཁྱེད་རང་བདེ་མོ་ཡིན་པས།", "12345", None])
def test_no_guess_for_text_without_chinese(router, text):
    result = router.classify(text)
    assert result.label is None and result.confidence == 0.0
    # "12345": one short ASCII word, chatter (the app answers with help, no request)
    assert result.intent in ("empty", "non_chinese", "chatter")


def test_classify_many_gives_classify_results(router):
    rows = [e.text for e in read_labelled_csv(paths.SEED_CORPUS) if e.split == "dev"][:120]
    rows += ["", "🙂", "hello", "微心愿：想要一个书包", "谢谢你们", "村口着火了快来人", "水" * 3000,
             "GC-2026-000001", "嗯嗯", "办好了没有", "hello my road is broken"]
    assert router.classify_many(rows) == [router.classify(t) for t in rows]
    assert router.classify_many([]) == []


def test_a_county_trains_and_evaluates_on_its_own_long_texts(tmp_path, capsys):
    """7 labels of its own, 500-800-character texts: train --data, evaluate --predictions.

    (The same at full size, ~9,000 rows of 500-2,000 characters: docs/nlp.md.)"""
    data = tmp_path / "history.csv"
    rows = make_rows(per_label=24, min_chars=500, max_chars=800)
    write_csv(data, rows)
    models = tmp_path / "models"
    assert main(["train", "--data", str(data), "--model-out", str(models)]) == 0
    out, err = capsys.readouterr()
    trained = json.loads(out)
    assert sorted(trained["labels"]) == sorted({label for _, label in rows}) and len(trained["labels"]) == 7
    assert trained["version"].startswith("data-") and trained["dev_macro_f1"] > 0.8
    assert f"{TRAIN_STEPS}/{TRAIN_STEPS}" in err and "[" in err
    predictions = tmp_path / "pred.csv"
    assert main(["evaluate", str(data), "--model", str(models), "--predictions", str(predictions)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == len(rows) and report["macro_f1"] > 0.9
    assert set(report["per_label"]) == {label for _, label in rows}
    with open(predictions, encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert [r["text"] for r in written] == [t for t, _ in rows]  # input order
    assert all(r["predicted"] in report["per_label"] for r in written)
