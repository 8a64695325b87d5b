"""Which of the county's villages does a message name? Tolerant of partial names."""
from __future__ import annotations

import re
import unicodedata

_SUFFIX_RE = re.compile(r"(村民委员会|牧民委员会|村委会|牧委会|居委会|社区|村|乡|镇|县)$")
_MIN_PARTIAL = 2


def _core(name: str) -> str:
    core = _SUFFIX_RE.sub("", name)
    return core or name


def _longest_part(text: str, core: str) -> tuple[int, int]:
    """(length, position in text) of the longest part of ``core`` found in text."""
    for length in range(len(core) - 1, _MIN_PARTIAL - 1, -1):
        for i in range(len(core) - length + 1):
            pos = text.find(core[i : i + length])
            if pos >= 0:
                return length, pos
    return 0, -1


def match_village(text: str, names: list[str]) -> list[str]:
    """Names of the villages the text refers to, best first; [] when none.

    * the full name in the text (恩乃村) scores highest — an exact match wins;
    * then the name without its suffix (恩乃, 果洛藏贡麻);
    * then a part of the name of at least two characters (果洛藏, 贡麻), scored by
      the share of the name it covers; text already claimed by a better match
      is not reused, so "秀脑贡麻村" does not also suggest 果洛藏贡麻村.
    Ties keep the order of ``names``.
    """
    try:
        text = unicodedata.normalize("NFKC", text or "")
        text = re.sub(r"\s+", "", text)
        if not text or not names:
            return []
        scored: list[tuple[float, int, str, int, int]] = []
        for order, name in enumerate(names):
            if not name or not isinstance(name, str):
                continue
            name = name.strip()
            core = _core(name)
            pos = text.find(name)
            if pos >= 0:
                scored.append((3.0 + len(name) / 100, -order, name, pos, pos + len(name)))
                continue
            pos = text.find(core) if len(core) >= _MIN_PARTIAL or core == name else -1
            if pos >= 0:
                scored.append((2.0 + len(core) / 100, -order, name, pos, pos + len(core)))
                continue
            if len(core) <= _MIN_PARTIAL:
                continue
            length, start = _longest_part(text, core)
            if length >= _MIN_PARTIAL:
                scored.append((1.0 + length / len(core), -order, name, start, start + length))
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        claimed: list[tuple[int, int]] = []
        result: list[str] = []
        for score, _, name, start, end in scored:
            if name in result:
                continue
            if score < 2.0 and any(s <= start and end <= e for s, e in claimed):
                continue
            if score >= 2.0:
                claimed.append((start, end))
            result.append(name)
        return result
    except Exception:  # pragma: no cover - never break the caller
        return []
