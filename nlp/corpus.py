"""Reading labelled CSV files (``text,label[,split]``) with clear errors."""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from .labels import normalize_label

DEV_SHARE = 0.2


class CorpusError(ValueError):
    """A labelled file that cannot be used; the message says why, for people."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    split: str  # 'train' or 'dev'


def stable_split(text: str, share: float = DEV_SHARE) -> str:
    """Deterministic train/dev assignment from the text's hash."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "dev" if int.from_bytes(digest[:4], "big") / 2**32 < share else "train"


def read_labelled_csv(path: str | Path, *, require_label: bool = True) -> list[Example]:
    """Rows of a UTF-8 CSV with a ``text`` and a ``label`` column (``split`` optional).

    Labels may be keys (welfare) or team names (社会保障, 社会保障工作队). Rows with an
    empty text are skipped. Raises CorpusError for anything a person must fix.
    """
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
        raise CorpusError(
            f"{path}: not UTF-8 (bad byte at position {exc.start}); save the file as UTF-8 CSV"
        ) from None
    if not content.strip():
        raise CorpusError(f"{path}: file is empty; expected a header 'text,label' and rows")
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [col for col in (("text", "label") if require_label else ("text",)) if col not in header]
        if missing:
            raise CorpusError(
                f"{path}: missing column(s) {', '.join(missing)}; header is {','.join(reader.fieldnames or [])!r},"
                " expected 'text,label'"
            )
        reader.fieldnames = header
        examples = []
        for row in reader:
            text = (row.get("text") or "").strip()
            if not text:
                continue
            label = normalize_label(row.get("label") or "")
            if require_label and not label:
                raise CorpusError(f"{path}: line {reader.line_num}: empty label for text {text[:20]!r}")
            split = (row.get("split") or "").strip().lower()
            if split not in ("train", "dev"):
                split = stable_split(text)
            examples.append(Example(text, label, split))
    except csv.Error as exc:
        raise CorpusError(f"{path}: malformed CSV ({exc})") from None
    if not examples:
        raise CorpusError(f"{path}: no rows with text")
    return examples
