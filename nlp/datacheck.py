"""Checking a training file before anything is fitted: errors and warnings that name rows.

``read_training_csv`` reads a ``text,label[,split]`` CSV like ``corpus.read_labelled_csv``
and, because a bad training file must never half-replace the serving model, refuses
(``CorpusError``, nothing trained, nothing written) or warns about:

* not UTF-8 — error with the line and byte;
* an empty label — error naming the lines;
* an empty text — warning naming the lines; those rows are skipped;
* the same text twice with different labels — warning naming the lines and labels; the
  label of the strict majority of those rows is kept, otherwise all of them are dropped;
  the same text twice with the same label is kept once (it would also leak between the
  folds);
* a label with fewer than ``MIN_PER_LABEL`` rows (a typo such as ``welfar``, or a class
  too small to learn and calibrate) — error naming the label and its lines;
* fewer than two labels — error;
* more than ``MAX_ROWS`` rows (``--max-rows`` raises the limit) — error, before parsing
  the rest;
* labels that are not the village teams' — a note: the village priors and rules are off.

Line numbers are the file's physical lines (the header is line 1).
"""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

from .corpus import CorpusError, Example, stable_split
from .labels import LABELS, normalize_label

MIN_PER_LABEL = 5
MAX_ROWS = 50_000
_SHOW_LINES = 8


def lines_text(lines: list[int]) -> str:
    """'lines 3, 7, 9' (the first few, then '… (N in all)')."""
    shown = ", ".join(str(n) for n in lines[:_SHOW_LINES])
    more = f", … ({len(lines)} in all)" if len(lines) > _SHOW_LINES else ""
    return ("line " if len(lines) == 1 else "lines ") + shown + more


def is_village_label_set(labels) -> bool:
    """Only our team labels (ecology … wish): the village priors and rules apply."""
    return set(labels) <= set(LABELS)


def read_training_csv(path: str | Path, *, max_rows: int = MAX_ROWS) -> tuple[list[Example], list[str]]:
    """(examples, warnings) of a training file; CorpusError for what a person must fix."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, expected a CSV file") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{path}: not UTF-8 (line {line}, byte {exc.start}: {raw[exc.start:exc.start + 1]!r});"
            " save the file as UTF-8 CSV"
        ) from None
    if not content.strip():
        raise CorpusError(f"{path}: file is empty; expected a header 'text,label' and rows")
    rows: list[tuple[int, str, str, str]] = []  # (line, text, label, split)
    empty_text: list[int] = []
    empty_label: list[int] = []
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [col for col in ("text", "label") if col not in header]
        if missing:
            raise CorpusError(
                f"{path}: missing column(s) {', '.join(missing)}; header is {','.join(reader.fieldnames or [])!r},"
                " expected 'text,label'"
            )
        reader.fieldnames = header
        start = 2
        for row in reader:
            line, start = start, reader.line_num + 1
            if len(rows) + len(empty_text) >= max_rows:
                total = len(rows) + len(empty_text) + 1 + sum(1 for _ in reader)
                raise CorpusError(
                    f"{path}: {total} rows, more than the limit of {max_rows} for one training run;"
                    f" train on a sample (the latest {max_rows} messages) or raise the limit with"
                    f" --max-rows (memory grows with the rows: see docs/nlp.md)"
                )
            text = (row.get("text") or "").strip()
            label = normalize_label(row.get("label") or "")
            if not text:
                empty_text.append(line)
                continue
            if not label:
                empty_label.append(line)
                continue
            rows.append((line, text, label, (row.get("split") or "").strip().lower()))
    except csv.Error as exc:
        raise CorpusError(f"{path}: malformed CSV ({exc})") from None
    warnings: list[str] = []
    if empty_label:
        raise CorpusError(f"{path}: empty label on {lines_text(empty_label)}; every row needs a label")
    if empty_text:
        warnings.append(f"skipped {len(empty_text)} row(s) with an empty text: {lines_text(empty_text)}")
    if not rows:
        raise CorpusError(f"{path}: no rows with text")

    by_text: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for line, text, label, split in rows:
        by_text[text].append((line, label, split))
    examples: list[Example] = []
    same_label_dupes: list[int] = []
    for text, group in by_text.items():
        labels = Counter(label for _, label, _ in group)
        if len(labels) > 1:
            (top, n_top), (_, n_next) = labels.most_common(2)
            what = ", ".join(f"{lab!r} on {lines_text([ln for ln, la, _ in group if la == lab])}"
                             for lab in labels)
            if n_top > n_next and n_top * 2 > len(group):
                warnings.append(f"conflicting labels for the same text {text[:30]!r}: {what}; kept {top!r}")
                group = [g for g in group if g[1] == top]
            else:
                warnings.append(f"conflicting labels for the same text {text[:30]!r}: {what}; dropped all")
                continue
        line, label, split = group[0]
        same_label_dupes.extend(ln for ln, _, _ in group[1:])
        if split not in ("train", "dev"):
            split = stable_split(text)
        examples.append(Example(text, label, split))
    if same_label_dupes:
        warnings.append(f"kept once {len(same_label_dupes)} repeated row(s) (same text, same label):"
                        f" {lines_text(sorted(same_label_dupes))}")

    counts = Counter(e.label for e in examples)
    if len(counts) < 2:
        only = next(iter(counts), None)
        raise CorpusError(f"{path}: only one label ({only!r}) in {len(examples)} row(s); training needs"
                          " at least two different labels")
    rare = sorted(lab for lab, n in counts.items() if n < MIN_PER_LABEL)
    if rare:
        kept = {e.text for e in examples}
        parts = [f"{lab!r} ({counts[lab]} row(s): {lines_text([ln for ln, t, la, _ in rows if la == lab and t in kept])})"
                 for lab in rare]
        known = ", ".join(sorted(lab for lab in counts if lab not in rare))
        raise CorpusError(
            f"{path}: label(s) with fewer than {MIN_PER_LABEL} examples: {'; '.join(parts)}."
            f" A typo or an unknown label? The other labels are: {known}."
            f" Fix or remove those rows, or give each label at least {MIN_PER_LABEL} examples"
        )
    if not is_village_label_set(counts):
        foreign = sorted(lab for lab in counts if lab not in LABELS)
        warnings.append(f"labels not of the village teams ({', '.join(foreign[:10])}): the village keyword"
                        " priors and label rules are switched off for this model")
    return examples, warnings
