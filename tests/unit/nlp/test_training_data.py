"""Bad training files: a clear error or warning naming the rows, and no half-written model
(the version that was serving keeps serving)."""
from __future__ import annotations

import csv
import json
import time

import pytest

from nlp import store
from nlp.corpus import CorpusError
from nlp.datacheck import MAX_ROWS, MIN_PER_LABEL, read_training_csv
from nlp.train import train_and_save

from . import county


def _write(path, rows, header=("text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    """A models root with one model already serving (a small county model, 1 fold)."""
    root = tmp_path_factory.mktemp("serving")
    data = county.write(root.parent / "county-ok.csv", county.rows(per_label=12))
    target, meta = train_and_save(data, root, folds=1)
    return root, meta["version"]


def _unchanged(root, version):
    newest = store.newest_model(root)
    assert newest is not None and newest[1]["version"] == version
    assert [p.name for p in root.iterdir() if not p.name.startswith(".train")] == [version]  # no temp dirs


def _refused(path, root, version, *words):
    with pytest.raises(CorpusError) as err:
        train_and_save(path, root)
    for word in words:
        assert word in str(err.value), str(err.value)
    _unchanged(root, version)
    return str(err.value)


def test_one_class(tmp_path, serving):
    path = _write(tmp_path / "one.csv", [(f"路灯坏了{i}", "交通") for i in range(20)])
    _refused(path, *serving, "only one label", "'交通'", "at least two")


def test_unknown_label_names_the_rows(tmp_path, serving):
    rows = county.rows(per_label=12)
    rows[3] = (rows[3][0], "医聊")  # a typo of 医疗, on line 5 (header is line 1)
    rows[9] = (rows[9][0], "医聊")
    msg = _refused(_write(tmp_path / "typo.csv", rows), *serving, "'医聊'", "lines 5, 11", "typo")
    assert f"fewer than {MIN_PER_LABEL}" in msg


def test_empty_label_names_the_rows(tmp_path, serving):
    rows = county.rows(per_label=12)
    rows[0] = (rows[0][0], " ")
    _refused(_write(tmp_path / "nolabel.csv", rows), *serving, "empty label on line 2")


def test_non_utf8_names_the_line(tmp_path, serving):
    path = tmp_path / "gbk.csv"
    body = "text,label\n" + "".join(f"{t},{lab}\n" for t, lab in county.rows(per_label=12)[:5])
    path.write_bytes(body.encode("utf-8") + "停水了,供水\n".encode("gbk"))
    _refused(path, *serving, "not UTF-8", "line 7", "save the file as UTF-8")


def test_too_many_rows_are_refused_quickly_with_the_limit(tmp_path, serving):
    path = _write(tmp_path / "big.csv", ((f"第{i}条：路灯坏了", "交通" if i % 2 else "供水") for i in range(100_000)))
    started = time.monotonic()
    msg = _refused(path, *serving, "100000 rows", f"limit of {MAX_ROWS}", "--max-rows")
    assert time.monotonic() - started < 10, msg


def test_empty_texts_are_skipped_with_a_warning_naming_the_lines(tmp_path):
    rows = county.rows(per_label=12)
    rows[1] = ("", rows[1][1])
    rows[4] = ("   ", rows[4][1])
    examples, warnings = read_training_csv(_write(tmp_path / "empty.csv", rows))
    assert len(examples) == len(rows) - 2
    assert any("2 row(s) with an empty text: lines 3, 6" in w for w in warnings), warnings


def test_conflicting_duplicates_warn_naming_lines_and_labels(tmp_path):
    rows = county.rows(per_label=12)
    text = rows[0][0]
    rows += [(text, "治安"), (text, rows[0][1]), ("楼顶漏水", "住房"), ("楼顶漏水", "供水")]
    n = len(rows)
    examples, warnings = read_training_csv(_write(tmp_path / "dupes.csv", rows))
    texts = [e.text for e in examples]
    assert texts.count(text) == 1 and [e.label for e in examples if e.text == text] == [rows[0][1]]
    assert "楼顶漏水" not in texts  # a tie: dropped
    kept = next(w for w in warnings if text[:30] in w)
    assert "'治安' on line " + str(n - 2) in kept and f"kept {rows[0][1]!r}" in kept
    tie = next(w for w in warnings if "楼顶漏水" in w)
    assert f"'住房' on line {n}" in tie and f"'供水' on line {n + 1}" in tie and "dropped all" in tie
    assert any("repeated row(s)" in w for w in warnings)


def test_the_cli_refuses_with_exit_2_and_prints_warnings(run_cli, tmp_path, serving):
    root, version = serving
    bad = _write(tmp_path / "one.csv", [(f"路灯坏了{i}", "交通") for i in range(20)])
    proc = run_cli("train", "--data", str(bad), "--model-out", str(root))
    assert proc.returncode == 2 and "only one label" in proc.stderr and "Traceback" not in proc.stderr
    _unchanged(root, version)
    rows = county.rows(per_label=12)
    rows[2] = ("", rows[2][1])
    ok = _write(tmp_path / "warn.csv", rows)
    proc = run_cli("train", "--data", str(ok), "--model-out", str(tmp_path / "m"), "--folds", "2")
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "line 4" in proc.stderr
    assert any("empty text" in w for w in json.loads(proc.stdout)["warnings"])
