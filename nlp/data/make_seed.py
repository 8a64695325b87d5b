"""Regenerate seed.csv from the hand-written sentences (seed_sentences_[a-n].py).

    python nlp/data/make_seed.py

Not imported by the package: seed.csv is the committed data; this script only
documents how it was made. Each hand-written sentence may get one variant the
way villagers really send the same thing (dictated without punctuation, a
village/greeting prefix, a polite or angry ending, a common homophone typo).
The dev split (20% of the hand-written sentences of each label, chosen by hash)
keeps a sentence and its variant together, so dev scores are not inflated by
near-duplicates. Parts added later (G on) state their split themselves
(``<LABEL>`` is train, ``<LABEL>_DEV`` is dev) and are not in the hash ranking, so
adding them moves no earlier sentence between train and dev and the dev score
stays comparable; their rows follow each label's earlier rows.
"""
from __future__ import annotations

import csv
import hashlib
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from seed_sentences_a import ECOLOGY, INDUSTRY, WELFARE  # noqa: E402
from seed_sentences_b import CULTURE, GOVERNANCE, WISH  # noqa: E402
import seed_sentences_c as more  # noqa: E402
import seed_sentences_d as extra  # noqa: E402
import seed_sentences_e as voices  # noqa: E402
import seed_sentences_f as issue3  # noqa: E402
import seed_sentences_g as herds  # noqa: E402
import seed_sentences_h as voices_eco_ind  # noqa: E402
import seed_sentences_i as voices_wel_gov  # noqa: E402
import seed_sentences_j as voices_cul_wish  # noqa: E402
import seed_sentences_k as hard_cases  # noqa: E402
import seed_sentences_l as more_voices  # noqa: E402
import seed_sentences_m as more_hard  # noqa: E402
import seed_sentences_n as last_voices  # noqa: E402

SOURCES = {
    "ecology": ECOLOGY + more.ECOLOGY + extra.ECOLOGY + voices.ECOLOGY + issue3.ECOLOGY,
    "industry": INDUSTRY + more.INDUSTRY + extra.INDUSTRY + voices.INDUSTRY + issue3.INDUSTRY,
    "welfare": WELFARE + more.WELFARE + extra.WELFARE + voices.WELFARE + issue3.WELFARE,
    "governance": GOVERNANCE + more.GOVERNANCE + extra.GOVERNANCE + voices.GOVERNANCE + issue3.GOVERNANCE,
    "culture": CULTURE + more.CULTURE + extra.CULTURE + voices.CULTURE + issue3.CULTURE,
    "wish": WISH + more.WISH + extra.WISH + voices.WISH + issue3.WISH,
}
#: later parts with their own split, in order (G: sick animals; H-J: voice
#: transcripts, short messages, dialect, typos, greetings and sign-offs; K: the
#: error classes of issue 12; L-N: more of both). Each part may define ``<LABEL>`` (train) and
#: ``<LABEL>_DEV`` (dev) for any label.
FIXED_PARTS = [herds, voices_eco_ind, voices_wel_gov, voices_cul_wish, hard_cases, more_voices,
               more_hard, last_voices]


def _fixed_split() -> dict[str, tuple[list[str], list[str]]]:
    """label -> (train sentences, dev sentences) of the parts in FIXED_PARTS."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for label in SOURCES:
        train: list[str] = []
        dev: list[str] = []
        for part in FIXED_PARTS:
            train += getattr(part, label.upper(), [])
            dev += getattr(part, label.upper() + "_DEV", [])
        out[label] = (train, dev)
    return out


#: label -> (train sentences, dev sentences)
FIXED_SPLIT = _fixed_split()
DEV_SHARE = 0.2
VARIANT_SHARE = 0.7

PREFIXES = [
    "我是恩乃村的，", "果洛藏贡麻村牧民反映：", "我是日芒村的牧民 ", "秀脑贡麻村的，", "书记好，",
    "你好，", "你好 在吗 ", "麻烦问一下，", "吉尔孟乡的，", "沙柳河镇这边 ", "工作队同志你好，",
    "扎西德勒，", "我们村", "打扰一下，",
]
SUFFIXES = [
    "，谢谢！", "，麻烦尽快处理", "！！！", "，求求你们了", "，急", " 谢谢书记", "，到底有没有人管？",
    "。", "，拜托了", "？？", "，等你们回复", "，我们都等着呢",
]
TYPOS = [
    ("低保", "地保"), ("垃圾", "拉圾"), ("医保", "医宝"), ("报销", "报消"), ("牦牛", "毛牛"),
    ("青稞", "青棵"), ("合作社", "合做社"), ("路灯", "路等"), ("培训", "陪训"), ("心愿", "心原"),
    ("彩礼", "彩里"), ("草场", "草厂"), ("养老金", "养老经"), ("残疾证", "残几证"), ("诈骗", "炸骗"),
    ("棉被", "面被"), ("辍学", "缀学"), ("宣讲", "宣将"), ("锅庄", "锅装"),
]
_PUNCT = re.compile(r"[，。！？、：；,.!?:;“”\"]+")


def _rng(text: str) -> random.Random:
    return random.Random(int(hashlib.sha256(text.encode()).hexdigest()[:12], 16))


def _prefix_fits(prefix: str, text: str) -> bool:
    """No "我们村我们村…", no "你好，你好…", no bare "我们村" before a pronoun or verb."""
    head = prefix.strip("，：, ")
    if text.startswith(head[:2]) or (text.startswith(("你好", "书记", "扎西")) and head.endswith(("好", "勒"))):
        return False
    if not prefix.endswith(("，", "：", " ")) and text.startswith(tuple("我你他她请想能有要在听")):
        return False
    return not (("村" in head or "乡" in head) and ("村" in text[:8] or "乡" in text[:8]))


def variant(text: str) -> str | None:
    rng = _rng(text)
    kinds = ["dictated", "prefix", "suffix", "typo"]
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "typo":
            found = [(a, b) for a, b in TYPOS if a in text]
            if found:
                a, b = rng.choice(found)
                return text.replace(a, b, 1)
        elif kind == "dictated" and _PUNCT.search(text) and len(text) > 12:
            spoken = _PUNCT.sub(rng.choice([" ", "", " "]), text).strip()
            return re.sub(r"\s+", " ", spoken)
        elif kind == "prefix" and len(text) < 120:
            options = [p for p in PREFIXES if _prefix_fits(p, text)]
            if options:
                return rng.choice(options) + text
        elif kind == "suffix" and len(text) < 120:
            return _PUNCT.sub("", text[-1]) and text + rng.choice(SUFFIXES) or text[:-1] + rng.choice(SUFFIXES)
    return None


def _repeats(sentences: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({s.strip() for s in sentences if s.strip() in seen or seen.add(s.strip())})


def build() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for label, sentences in SOURCES.items():
        unique = list(dict.fromkeys(s.strip() for s in sentences if s.strip()))
        ranked = sorted(unique, key=lambda s: hashlib.sha256(f"{label}|{s}".encode()).hexdigest())
        dev = set(ranked[: round(len(ranked) * DEV_SHARE)])
        fixed_train, fixed_dev = FIXED_SPLIT.get(label, ([], []))
        fixed = {s.strip(): "train" for s in fixed_train} | {s.strip(): "dev" for s in fixed_dev}
        overlap = sorted(set(fixed) & set(unique))
        if overlap or len(fixed) != len(fixed_train) + len(fixed_dev):
            raise SystemExit(f"{label}: sentences repeated between parts: {overlap or _repeats(fixed_train + fixed_dev)}")
        planned = [(text, "dev" if text in dev else "train") for text in unique] + list(fixed.items())
        for text, split in planned:
            group = [text]
            if _rng("v" + text).random() < VARIANT_SHARE:
                v = variant(text)
                if v and v != text:
                    group.append(v)
            for t in group:
                if t not in seen and 4 <= len(t) <= 150:
                    seen.add(t)
                    rows.append((t, label, split))
    return rows


def main() -> None:
    rows = build()
    out = HERE / "seed.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["text", "label", "split"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
