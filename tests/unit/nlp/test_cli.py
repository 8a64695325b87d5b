"""``python -m nlp`` end to end, in a subprocess."""
from __future__ import annotations

import csv
import json


def _write_csv(path, rows, header=("text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_classify_prints_json(run_cli):
    proc = run_cli("classify", "村口的垃圾好几天没人拉了")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["label"] == "ecology"
    assert "垃圾" in proc.stdout  # ensure_ascii=False
    assert data["intent"] == "problem"


def test_evaluate_reports_metrics_and_writes_predictions_in_input_order(run_cli, tmp_path):
    rows = [
        ("路灯坏了一个月了", "社会治理工作队"),
        ("地保什么时候发", "社会保障"),
        ("垃圾没人拉", "ecology"),
        ("微心愿：想要一个书包", "微心愿"),
        ("什么时候来宣讲政策", "文化宣传"),
        ("牦牛卖不出去", "产业促进工作队"),
        ("hello", "governance"),
    ]
    data = _write_csv(tmp_path / "eval.csv", rows)
    out = tmp_path / "pred.csv"
    proc = run_cli("evaluate", str(data), "--predictions", str(out))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["examples"] == 7
    assert 0.0 <= report["accuracy"] <= 1.0 and 0.0 <= report["macro_f1"] <= 1.0
    assert report["per_label"]["welfare"]["support"] == 1
    assert set(report["per_label"]["governance"]) == {"precision", "recall", "f1", "support"}
    assert "labels" in report["confusion_matrix"]
    assert report["mean_latency_ms"] > 0
    with open(out, encoding="utf-8", newline="") as fh:
        predicted = list(csv.DictReader(fh))
    assert [p["text"] for p in predicted] == [r[0] for r in rows]
    assert predicted[0]["label"] == "governance" and predicted[3]["label"] == "wish"
    assert predicted[1]["predicted"] == "welfare"
    assert predicted[-1]["predicted"] == ""  # no Han: no guess
    assert set(predicted[0]) == {"text", "label", "predicted", "confidence"}


def test_evaluate_rejects_missing_columns(run_cli, tmp_path):
    bad = _write_csv(tmp_path / "bad.csv", [("路灯坏了", "x")], header=("message", "team"))
    proc = run_cli("evaluate", str(bad))
    assert proc.returncode == 2
    assert "missing column" in proc.stderr and "Traceback" not in proc.stderr


def test_evaluate_rejects_non_utf8(run_cli, tmp_path):
    bad = tmp_path / "gbk.csv"
    bad.write_bytes("text,label\n路灯坏了,governance\n".encode("gbk"))
    proc = run_cli("evaluate", str(bad))
    assert proc.returncode == 2
    assert "UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_evaluate_rejects_empty_and_missing_files(run_cli, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    for path in (empty, tmp_path / "nope.csv"):
        proc = run_cli("evaluate", str(path))
        assert proc.returncode == 2
        assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr


def test_train_on_a_custom_label_set(run_cli, tmp_path):
    rows = [(f"路灯坏了第{i}次", "fix") for i in range(12)] + [(f"谢谢你们帮忙{i}", "praise") for i in range(12)]
    data = _write_csv(tmp_path / "custom.csv", rows)
    out = tmp_path / "models"
    proc = run_cli("train", "--data", str(data), "--model-out", str(out))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert sorted(info["labels"]) == ["fix", "praise"]
    assert info["version"].startswith("data-")
    assert (out / info["version"] / "model.joblib").is_file()
    assert "macro-F1" in proc.stderr or "dev" in proc.stderr

    from nlp.classifier import router_from_dir

    assert router_from_dir(out).classify("路灯又坏了").label == "fix"


def test_train_rejects_bad_data(run_cli, tmp_path):
    bad = _write_csv(tmp_path / "one.csv", [("路灯坏了", "only")])
    proc = run_cli("train", "--data", str(bad), "--model-out", str(tmp_path / "m"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_train_on_a_county_history_reports_model_and_baseline(run_cli, tmp_path):
    """A county's own 7-label history (none of ours): both figures in the report, the model at
    least as good as the baseline on the same folds, village priors and label rules off."""
    from tests.unit.nlp import county

    data = county.write(tmp_path / "county.csv")
    out = tmp_path / "county-models"
    proc = run_cli("train", "--data", str(data), "--model-out", str(out))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert sorted(info["labels"]) == sorted(["交通", "环境", "住房", "供水", "教育", "医疗", "治安"])
    assert info["village_rules"] is False
    base, model = info["baseline"], info["model"]
    assert base["cv"]["n"] == model["cv"]["n"] == 280  # every row held out once, same folds
    assert model["cv"]["macro_f1"] >= base["cv"]["macro_f1"]
    assert 0.0 <= info["ece"] <= 1.0 and 0.30 <= info["review_threshold"] <= 0.90
    # the printed report: both figures, the reliability table, the threshold
    assert "baseline: jieba words + char 1–3-grams, linear SVM" in proc.stderr
    assert f"{base['cv']['macro_f1']:.4f}" in proc.stderr and f"{model['cv']['macro_f1']:.4f}" in proc.stderr
    assert "ECE" in proc.stderr and "Review threshold" in proc.stderr
    assert "priors and label rules are off" in proc.stderr
    report = (out / info["version"] / "report.md").read_text(encoding="utf-8")
    assert "| 0.9–1.0 |" in report

    from nlp.classifier import router_from_dir

    router = router_from_dir(out)
    assert router.meta["village_rules"] is False and router.meta["priors"] is False
    assert router.review_threshold == info["review_threshold"]
    c = router.classify("家里又停水了，水龙头一滴水都没有")
    assert c.label == "供水" and c.intent == "problem"
    assert router.classify("心愿：楼道灯坏了").intent == "problem"  # no 心愿 rule for these labels
