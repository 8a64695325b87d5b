"""Frequently asked questions, answered at once (``config/faq.yaml``).

``FaqIndex.match(text)`` returns the entry a villager's *question* is about, or
None. It is deliberately shy: a wrong FAQ answer to a problem report means the
report never reaches a team, while a question that misses the FAQ is simply
answered by a cadre. So a message is only matched when

1. it is short (at most ``MAX_CHARS`` characters without punctuation),
2. it does not read like a problem report (被停了, 没到账, 坏了, 为什么…),
3. it reads like a question (怎么, 哪里, 什么时候, 吗, ？, 需要…), or is nearly
   one of the entry's questions word for word,
4. one of the entry's keywords occurs in it (after typo normalisation,
   地保 → 低保), and
5. its similarity (``nlp.similarity``) to one of the entry's questions is at
   least ``threshold``.

"低保怎么申请" matches; "我家低保被停了" does not (step 2).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import tokenizer
from .rules import compact, has_han
from .similarity import Features, features
from .tokenizer import normalize

DEFAULT_THRESHOLD = 0.38
STRONG_SCORE = 0.8  # matches without a question word ("医保缴费时间")
MAX_CHARS = 60
MAX_ANSWER_CHARS = 300

_PROBLEM_RE = re.compile(
    r"被停|停了|停掉|停发|被取消|取消了|给取消|没到账|没有到账|未到账|不到账|还没到|还没有到|没收到|没有收到|没拿到|没领到"
    r"|没发|没有发|不发|不给|拖欠|欠我|欠着|扣了|扣我|被扣|少了|少发|少给|漏掉|漏了我|不让|刁难|不管|没人管|不理|不办|推来推去"
    r"|为什么|为啥|凭什么|怎么还|咋还|怎么又|咋又|怎么没|咋没|好几个月|几个月了|半年了|一年了|多久了|至今|到现在|还是没|一直没"
    r"|骗了|被骗|坏了|爆了|破了|漏水|塌|着火|失火|死了|病了|打人|打架|吵架|纠纷|投诉|举报|不公平|不合理|乱收|多收|收了.{0,4}钱"
    r"|不批|没批|没通过|驳回|拒绝|不符合|搞错|弄错|错了|不对|有问题|出问题|丢了.{0,2}(钱|羊|牛)"
    r"|漏雨|住不了|修一下|帮忙修|有人管|交上去|个月了|天了|好久|怎么我|咋我|只有一|名额|多给|突然|涨了|涨价|掉了"
    r"|了(没有|没|吗|嘛|没呢)"
)
_QUESTION_RE = re.compile(
    r"怎么|怎样|如何|咋|哪里|哪儿|哪个|哪些|在哪|去哪|找谁|什么|啥|几点|几号|几月|几岁|几年|多少|多久|多长|何时|能不能|可不可以"
    r"|能否|是否|有没有|需要|要带|条件|材料|手续|流程|时间|请问|想问|问一下|问问|咨询|怎么办|吗|么"
)


@dataclass(frozen=True)
class FaqEntry:
    id: str
    questions: tuple[str, ...]
    answer: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class FaqMatch:
    id: str
    answer: str
    score: float


class FaqError(ValueError):
    """An FAQ file that cannot be used; the message says why."""


class FaqIndex:
    """The FAQ entries, with their questions pre-featurised for matching."""

    def __init__(self, entries: Iterable[FaqEntry], threshold: float = DEFAULT_THRESHOLD):
        self.entries: list[FaqEntry] = list(entries)
        self.threshold = float(threshold)
        self._keywords: list[tuple[str, ...]] = [
            tuple(normalize(k).lower() for k in e.keywords if k) for e in self.entries
        ]
        self._featurise()

    def _featurise(self) -> None:
        self._generation = tokenizer.generation()
        self._questions: list[list[Features]] = [[features(q) for q in e.questions] for e in self.entries]

    def _current_questions(self) -> list[list[Features]]:
        """The questions' features, recomputed when ``nlp.add_words`` changed the dictionary."""
        if self._generation != tokenizer.generation():
            self._featurise()
        return self._questions

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_yaml(cls, path: str | Path, threshold: float | None = None) -> "FaqIndex":
        """Load ``faq:`` entries (id, questions, answer, keywords) from a YAML file."""
        path = Path(path)
        try:
            with open(path, encoding="utf-8") as fh:
                data = yaml.safe_load(fh) or {}
        except OSError as exc:
            raise FaqError(f"{path}: cannot read ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise FaqError(f"{path}: not valid YAML ({exc})") from None
        items = data.get("faq") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise FaqError(f"{path}: expected a top-level 'faq:' list of entries")
        entries, seen = [], set()
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise FaqError(f"{path}: entry {n} is not a mapping")
            eid = str(item.get("id") or "").strip()
            questions = tuple(str(q).strip() for q in item.get("questions") or [] if str(q).strip())
            answer = str(item.get("answer") or "").strip()
            keywords = tuple(str(k).strip() for k in item.get("keywords") or [] if str(k).strip())
            if not eid or eid in seen:
                raise FaqError(f"{path}: entry {n}: missing or repeated id {eid!r}")
            if not questions or not answer or not keywords:
                raise FaqError(f"{path}: entry {eid}: needs questions, answer and keywords")
            if len(answer) > MAX_ANSWER_CHARS:
                raise FaqError(f"{path}: entry {eid}: answer has {len(answer)} characters, at most {MAX_ANSWER_CHARS}")
            seen.add(eid)
            entries.append(FaqEntry(eid, questions, answer, keywords))
        return cls(entries, DEFAULT_THRESHOLD if threshold is None else threshold)

    def scores(self, text: str) -> list[tuple[str, float]]:
        """(id, similarity) of every entry whose keywords occur, best first (for tooling)."""
        norm = normalize(text if isinstance(text, str) else str(text or "")).lower()
        if not norm:
            return []
        hits = [(entry, questions) for entry, keywords, questions
                in zip(self.entries, self._keywords, self._current_questions()) if any(k in norm for k in keywords)]
        if not hits:  # most messages name no FAQ keyword: no features to compute
            return []
        target = features(norm)
        found = [(entry.id, round(max(target.cosine(q) for q in questions), 4)) for entry, questions in hits]
        found.sort(key=lambda item: -item[1])
        return found

    def match(self, text: str) -> FaqMatch | None:
        """The FAQ entry this question is about, or None (see the module docstring)."""
        try:
            raw = text if isinstance(text, str) else str(text or "")
            if not has_han(raw):
                return None
            c = compact(normalize(raw))
            if not c or len(c) > MAX_CHARS or _PROBLEM_RE.search(c):
                return None
            scores = self.scores(raw)
            if not scores:
                return None
            best_id, best = scores[0]
            asked = bool(_QUESTION_RE.search(c)) or "?" in raw or "？" in raw
            if best < (self.threshold if asked else max(self.threshold, STRONG_SCORE)):
                return None
            entry = next(e for e in self.entries if e.id == best_id)
            return FaqMatch(entry.id, entry.answer, best)
        except Exception:  # pragma: no cover - never break the webhook over an FAQ
            return None


def is_problem_report(text: str) -> bool:
    """True when a message reads like a report of something wrong (no FAQ answer)."""
    return bool(_PROBLEM_RE.search(compact(normalize(text or ""))))
