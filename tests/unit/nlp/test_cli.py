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
