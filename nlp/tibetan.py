"""Tibetan script: how much of a message is Tibetan, short replies, and a keyword topic.

Many herders in 刚察县 write in Tibetan script. The classifier only reads Chinese,
so this module gives a Tibetan message what the dialog needs without a model:

* ``share`` / ``is_tibetan`` / ``has_tibetan`` — is the message (mostly) Tibetan?
* ``syllables`` — the message cut into syllables (on tsheg, shad and spaces).
* ``intent`` — a short whole-message reply: thanks, greeting, yes, no, query, help.
* ``topic`` — a keyword lexicon (``LEXICON``) naming the problem and the team's label,
  always at LOW confidence (``CONFIDENCE_MIN`` .. ``CONFIDENCE_MAX``, below the
  review threshold 0.45) so a person reviews every Tibetan report.
* ``is_urgent`` — fire, flood, injury, an outbreak … (``URGENT``), erring on urgent.

Pure functions: stdlib only, no imports from ``bot/`` or ``handlers/``; they take any
string (``None`` too, emoji, mixed scripts) and never raise. See docs/tibetan.md.

NOTE: every Tibetan word and phrase in this module (``LEXICON``, ``URGENT`` and the
intent phrases) was written by a non-native speaker in plain, standard (literary)
spelling and AWAITS REVIEW BY A NATIVE SPEAKER, preferably an Amdo speaker from the
county. Add spellings and local words there, not in the code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "CONFIDENCE_MAX",
    "CONFIDENCE_MIN",
    "DONE_TAILS",
    "DONE_VERBS",
    "INTENT_PHRASES",
    "LEXICON",
    "LOANWORDS",
    "Topic",
    "URGENT",
    "WITH_LIVESTOCK",
    "has_tibetan",
    "intent",
    "is_tibetan",
    "is_urgent",
    "share",
    "syllables",
    "topic",
]

TSHEG = "\u0f0b"  # ་
SHAD = "\u0f0d"  # །

# --- script -------------------------------------------------------------------


def _is_tibetan_letter(ch: str) -> bool:
    """A Tibetan consonant, vowel sign or subjoined letter (not a digit, mark or shad)."""
    if not "\u0f00" <= ch <= "\u0fff":
        return False
    cat = unicodedata.category(ch)
    if cat == "Lo":  # ༀ, the consonants ཀ..ཬ, the sign letters 0F88-0F8C
        return True
    # vowel signs, rnam bcad, halanta, subjoined consonants; tsa-phru
    return cat[0] == "M" and ("\u0f71" <= ch <= "\u0fbc" or ch == "\u0f39")


def _letter_counts(text: str) -> tuple[int, int]:
    """(Tibetan letters, other letters). Spaces, digits, punctuation, emoji (and the
    variation selectors and joiners inside them), tsheg and shad count as neither."""
    tib = other = 0
    for ch in unicodedata.normalize("NFC", text or ""):
        if _is_tibetan_letter(ch):
            tib += 1
        elif unicodedata.category(ch)[0] == "L" and not "\u0f00" <= ch <= "\u0fff":
            other += 1
    return tib, other


def share(text: str) -> float:
    """Fraction of the letters that are Tibetan script (U+0F00–U+0FFF), 0.0 .. 1.0.

    Only letters count: Han characters, Latin/Cyrillic letters and Tibetan letters
    (a Tibetan consonant, its vowel sign and its subjoined letters each count one).
    Spaces, digits, punctuation, emoji, tsheg and shad are ignored; no letters → 0.0.
    """
    try:
        tib, other = _letter_counts(text)
    except Exception:  # pragma: no cover - never break the webhook
        return 0.0
    total = tib + other
    return tib / total if total else 0.0


def is_tibetan(text: str) -> bool:
    """A mostly-Tibetan message: at least half of its letters are Tibetan."""
    return share(text) >= 0.5


def has_tibetan(text: str) -> bool:
    """At least one Tibetan letter."""
    return any(_is_tibetan_letter(ch) for ch in unicodedata.normalize("NFC", text or ""))


# --- syllables ----------------------------------------------------------------

_SYLLABLE_RE = re.compile(
    r"(?:[\u0f00\u0f40-\u0f6c\u0f88-\u0f8c][\u0f39\u0f71-\u0f84\u0f86\u0f87\u0f8d-\u0fbc]*)+"
)


def syllables(text: str) -> list[str]:
    """The Tibetan syllables of the text, in order (NFC).

    Split on tsheg ་ (and the non-breaking tsheg ༌), shad ། and the other shad and
    head marks, spaces, digits and any non-Tibetan character; those separators,
    Chinese, Latin and emoji are dropped. ``"ཐུགས་རྗེ་ཆེ།"`` → ``["ཐུགས", "རྗེ", "ཆེ"]``.
    """
    try:
        return _SYLLABLE_RE.findall(unicodedata.normalize("NFC", text or ""))
    except Exception:  # pragma: no cover
        return []


# A syllable ending in a vowel (or a bare consonant stack) can take a case particle
# fused to it: སློབ་གྲྭ + ར → སློབ་གྲྭར (to school), རྐུན་མ + ས → རྐུན་མས, ཁང་པ + འི → ཁང་པའི.
_FUSED_PARTICLES = ("ར", "ས", "འི", "འིས", "འམ", "འང", "འོ")


def _is_open(syllable: str) -> bool:
    """No final consonant: ends in a vowel sign or subjoined letter, or is one letter."""
    if not syllable:
        return False
    last = syllable[-1]
    return len(syllable) == 1 or "\u0f71" <= last <= "\u0fbc"


def _bases(syllable: str) -> set[str]:
    """The syllable itself and, when it ends in a fused particle, the syllable without it."""
    out = {syllable}
    for p in _FUSED_PARTICLES:
        if syllable.endswith(p) and len(syllable) > len(p) and _is_open(syllable[: -len(p)]):
            out.add(syllable[: -len(p)])
    return out


def _split_word(word: str) -> tuple[str, ...]:
    return tuple(syllables(word))


class _Matcher:
    """Greedy longest match of syllable sequences over a message's syllables.

    A word matches whole syllables only (``ཆུ`` "water" never matches inside ``ཆུ་ཚོད``
    "hour" unless listed as such); its last syllable may carry a fused particle.
    """

    def __init__(self, table: dict[str, object]):
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, object]]] = {}
        for word, payload in table.items():
            syls = _split_word(word)
            if not syls:
                continue
            self._by_first.setdefault(syls[0], []).append((syls, word, payload))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def scan(self, syls: list[str]) -> list[tuple[int, int, str, object]]:
        """[(start, end, word, payload)] left to right, longest match first, no overlaps."""
        found = []
        i, n = 0, len(syls)
        while i < n:
            best = None
            for first in _bases(syls[i]):
                for entry_syls, word, payload in self._by_first.get(first, ()):
                    k = len(entry_syls)
                    if best is not None and k <= best[1] - best[0]:
                        break
                    if i + k <= n and self._matches(syls, i, entry_syls):
                        best = (i, i + k, word, payload)
                        break
            if best is None:
                i += 1
            else:
                found.append(best)
                i = best[1]
        return found

    def cover(self, syls: list[str]) -> list[tuple[int, int, str, object]] | None:
        """The fewest words that together cover every syllable, or None when none does.

        Unlike ``scan`` (greedy), this finds ཁྱེད་རང + བདེ་མོ་ཡིན་པས where the longest
        first word ཁྱེད་རང་བདེ་མོ would leave ཡིན་པས over. Meant for short texts.
        """
        n = len(syls)
        best: list[list | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            if best[i] is None:
                continue
            for first in _bases(syls[i]):
                for entry_syls, word, payload in self._by_first.get(first, ()):
                    j = i + len(entry_syls)
                    if j <= n and self._matches(syls, i, entry_syls):
                        if best[j] is None or len(best[i]) + 1 < len(best[j]):
                            best[j] = best[i] + [(i, j, word, payload)]
        return best[n]

    @staticmethod
    def _matches(syls: list[str], i: int, entry: tuple[str, ...]) -> bool:
        last = len(entry) - 1
        for j, e in enumerate(entry):
            t = syls[i + j]
            if t == e:
                continue
            if j == last and _is_open(e) and t.startswith(e) and t[len(e):] in _FUSED_PARTICLES:
                continue
            return False
        return True


# --- intent ---------------------------------------------------------------------

INTENTS = ("thanks", "greeting", "yes", "no", "query", "help")

# Phrases that make a whole (short) message one intent. Needs review by a native speaker.
INTENT_PHRASES: dict[str, dict[str, str]] = {
    "thanks": {
        "ཐུགས་རྗེ་ཆེ": "谢谢",
        "ཐུགས་རྗེ་ཆེ་ཆེ": "非常感谢",
        "ཐུགས་རྗེ་ཆེན་པོ": "非常感谢",
        "ཐུག་རྗེ་ཆེ": "谢谢（常见拼写：少了 ས）",
        "བཀའ་དྲིན་ཆེ": "谢谢（恩重）",
        "བཀའ་དྲིན་ཆེ་ཆེ": "非常感谢",
        "ཡག་པོ་བྱུང": "太好了",
        "ཤེས་སོང": "知道了",
        "གོ་སོང": "明白了",
    },
    "greeting": {
        "བཀྲ་ཤིས་བདེ་ལེགས": "扎西德勒（你好）",
        "བཀྲ་ཤིས་བདེ་ལེགས་ཕུན་སུམ་ཚོགས": "扎西德勒（吉祥如意）",
        "ཁྱེད་རང་བདེ་མོ": "您好",
        "བདེ་མོ": "你好",
        "བདེ་མོ་ཡིན་པས": "你好吗",
        "སྐུ་ཁམས་བཟང": "您身体好（问候）",
        "ཁམས་བཟང": "你好（安多问候）",
        "ལོ་གསར་བཀྲ་ཤིས": "新年好（洛萨尔）",
        "མི་ཡོད་དམ": "有人吗",
        "ཡོད་དམ": "在吗",
    },
    "yes": {
        "ཡིན": "是",
        "ཡོད": "有（是）",
        "ལགས་སོ": "是的，好的",
        "ཡིན་པ་རེད": "是的",
        "རེད": "是",
        "ཡིན་ནོ": "是的",
        "ཡོད་དོ": "有的",
        "འགྲིག": "行",
        "འགྲིག་གི": "行",
        "ཡག་པོ": "好",
    },
    "no": {
        "མིན": "不是",
        "མེད": "没有（不）",
        "མ་རེད": "不是",
        "མ་ཡིན": "不是",
        "ཡིན་པ་མ་རེད": "不是",
        "མིན་ནོ": "不是",
        "མེད་དོ": "没有",
        "མ་འགྲིག": "不行",
    },
    "query": {
        "འདྲི་རྩད": "查询（回复说明里用的词）",
        "བཤེར་འཚོལ": "查询",
        "འཚོལ་ཞིབ": "查询",
        "ཞིབ་འདྲི": "询问",
        "གནས་སྟངས": "情况（进度）",
        "ཡར་ཐོན": "进展",
        "ག་འདྲ་བྱུང": "怎么样了",
        "ག་འདྲ་འདུག": "怎么样",
        "ག་འདྲ་ཡོད": "怎么样",
        "ག་འདྲ་རེད": "怎么样",
        "ཇི་ལྟར་ཡོད": "怎么样",
        "ཇི་ལྟར་བྱུང": "怎么样了",
        "ནམ་ཞིག་ཡོང": "什么时候来",
        "ནམ་ཞིག་བཅོས": "什么时候修",
        "ནམ་ཞིག་ཐག་གཅོད་བྱེད": "什么时候解决",
    },
    "help": {
        "རོགས་རམ": "帮助",
        "ལག་དེབ": "使用说明",
        "བེད་སྤྱོད་བྱེད་ཐབས": "使用方法",
        "བཀོལ་སྤྱོད་བྱེད་ཐབས": "使用方法",
        "བེད་སྤྱོད་ཇི་ལྟར་བྱེད": "怎么用",
        "ཇི་ལྟར་བེད་སྤྱོད་བྱེད": "怎么用",
        "ག་འདྲ་བྱེད་དགོས": "该怎么办（怎么用）",
    },
}

# "Done yet?" (query): one of DONE_VERBS + one of DONE_TAILS, e.g. བྱས་ཚར་སོང་ངམ, ཚར་རམ,
# སེལ་ལམ. The first tail is the plain question particle, which copies the verb's final
# consonant (ཚར → རམ, བཅོས → སམ, སེལ → ལམ; after a vowel འམ).
DONE_VERBS: dict[str, str] = {
    "བྱས་ཚར": "办完",
    "ཚར": "完",
    "བྱས་ཟིན": "办了",
    "ཐག་གཅོད་བྱས": "解决",
    "ཐག་ཆོད": "解决",
    "སེལ": "解决",
    "བཅོས": "修",
    "བཅོས་ཚར": "修好",
    "བཟོ་བཅོས་བྱས": "修",
}
DONE_TAILS: dict[str, str] = {
    "(question particle)": "吗",
    "སོང་ངམ": "了吗",
    "སོང་ཡོད་དམ": "了吗",
    "ཡོད་དམ": "了吗",
    "ཡོད་པས": "了吗（口语）",
    "འདུག་གམ": "了吗",
}


def _question_particle(syllable: str) -> str:
    last = syllable[-1]
    return last + "མ" if last in "གངདནབམརལས" else "འམ"


def _done_phrases() -> dict[str, str]:
    out = {}
    for verb, zh in DONE_VERBS.items():
        for tail in DONE_TAILS:
            if tail.startswith("("):
                tail = _question_particle(verb.split(TSHEG)[-1])
            out[f"{verb}{TSHEG}{tail}"] = f"{zh}了吗"
    return out


# Words that carry nothing in a short reply: honorifics, people addressed, intensifiers.
# ལགས alone (or with these) is "yes".
_FILLERS = {
    "ལགས": "（敬语）",
    "ཞུ": "（敬语：请、说）",
    "ཁྱེད": "您",
    "ཁྱེད་རང": "您",
    "ཁྱེད་ཚོ": "你们",
    "ཁྱེད་རང་ཚོ": "你们",
    "ཚོ": "们",
    "ཨ་ཁུ": "叔叔",
    "ཨ་ཅེ": "姐姐",
    "ཨ་མ": "阿妈",
    "ཨ་ཕ": "阿爸",
    "ལས་བྱེད་པ": "工作人员",
    "ཏང་ཡིག": "（党）书记",
    "དྲུང་ཡིག": "书记",
    "དཔོན་པོ": "领导",
    "ཧ་ཅང": "很",
    "ཤིན་ཏུ": "非常",
    "རབ་ཏུ": "非常",
    "ཡང": "又、也",
    "ཨ": "啊",
    "ཨོ": "哦",
    "ཨེ": "诶",
    "ཨང": "嗯",
}
# Words that may stand beside a progress question only (ངའི་ལས་དོན་ག་འདྲ་བྱུང "how is my matter").
_QUERY_SUBJECTS = {
    "ང": "我",
    "ངའི": "我的",
    "ང་ཡི": "我的",
    "ང་ཚོའི": "我们的",
    "ལས་དོན": "事情",
    "གནད་དོན": "问题",
    "དོན་དག": "事情",
    "ཞུ་ཡིག": "申请",
    "ཞུས་པ": "反映的",
    "ཞུས་པའི": "反映的",
    "སྔོན་མ": "上次",
    "ཐེངས་སྔ་མ": "上次",
    "དེ": "那个",
    "འདི": "这个",
    "ཨང་རྟགས": "编号",
    "གི": "的",
    "ཀྱི": "的",
    "གྱི": "的",
    "ཡི": "的",
}
_BARE_YES = frozenset({"ལགས", "ཞུ", "ཨ", "ཨོ", "ཨེ", "ཨང"})
_FILLER, _SUBJECT = object(), object()
_INTENT_TABLE: dict[str, object] = {**{w: _FILLER for w in _FILLERS}, **{w: _SUBJECT for w in _QUERY_SUBJECTS}}
for _name, _phrases in INTENT_PHRASES.items():
    _INTENT_TABLE.update({w: _name for w in _phrases})
del _name, _phrases
_INTENT_TABLE.update({w: "query" for w in _done_phrases() if w not in _INTENT_TABLE})
_INTENT_MATCHER = _Matcher(_INTENT_TABLE)
_INTENT_PRIORITY = ("query", "help", "no", "yes", "thanks", "greeting")
INTENT_MAX_SYLLABLES = 12
# a request number may stand beside a Tibetan progress question (GC-2026-000123 ག་འདྲ་བྱུང)
_NUMBER_RE = re.compile(r"[A-Za-z]{2,4}\s*[-_]?\s*20\d{2}\s*[-_]?\s*\d{1,6}")


def intent(text: str) -> str | None:
    """The intent of a short whole-message Tibetan reply, or None.

    'thanks' (ཐུགས་རྗེ་ཆེ། བཀའ་དྲིན་ཆེ།), 'greeting' (བཀྲ་ཤིས་བདེ་ལེགས།), 'yes' (ཡིན། ཡོད།
    ལགས།), 'no' (མིན། མེད།), 'query' (ག་འདྲ་བྱུང། བྱས་ཚར་སོང་ངམ། འདྲི་རྩད), 'help'
    (རོགས་རམ). Every syllable must belong to such a phrase or to a filler (honorifics,
    "you", "very"; "my matter" beside a query); any other word, any Chinese or Latin
    letter (a request number aside) or more than ``INTENT_MAX_SYLLABLES`` syllables →
    None, the message is a report. Several intents: query > help > no > yes > thanks
    > greeting ("ཡིན། ཐུགས་རྗེ་ཆེ།" is yes); yes together with no → None.
    """
    try:
        raw = unicodedata.normalize("NFC", text or "")
        if _letter_counts(_NUMBER_RE.sub(" ", raw))[1]:
            return None
        syls = syllables(raw)
        if not syls or len(syls) > INTENT_MAX_SYLLABLES:
            return None
        found = _INTENT_MATCHER.cover(syls)
        if found is None:
            return None  # a word that is not a reply: a report
        kinds = {p for _, _, _, p in found if isinstance(p, str)}
        subjects = any(p is _SUBJECT for _, _, _, p in found)
        if not kinds:  # ལགས alone (ལགས། ཨོ་ལགས) is yes; ཨ་ཁུ་ལགས ("uncle") is not
            words = {w for _, _, w, _ in found}
            return "yes" if "ལགས" in words and words <= _BARE_YES else None
        if {"yes", "no"} <= kinds:
            return None
        best = next(k for k in _INTENT_PRIORITY if k in kinds)
        if subjects and best != "query":
            return None
        return best
    except Exception:  # pragma: no cover - rules must never break the webhook
        return None


# --- topic ----------------------------------------------------------------------

CONFIDENCE_MIN = 0.20
CONFIDENCE_MAX = 0.40
_CONFIDENCE_ONE = 0.25  # one matched word
_CONFIDENCE_STEP = 0.05  # each further word of the same label; minus one step if another label also matched


@dataclass(frozen=True)
class Topic:
    """What a Tibetan report is about, from the keyword lexicon.

    ``label``: ecology / industry / welfare / governance / culture (docs/labels.md);
    ``topic``: the short Chinese name shown to the cadre (饮水, 道路 …, a key of
    ``LEXICON``); ``confidence``: always within [CONFIDENCE_MIN, CONFIDENCE_MAX], below
    the review threshold; ``evidence``: the matched words of that label, in order.
    """

    label: str
    topic: str
    confidence: float
    evidence: tuple[str, ...]


# LEXICON: topic (the Chinese name shown to the cadre) -> (label, {Tibetan word: Chinese meaning}).
#
# A word is a sequence of whole syllables (written with tsheg); it matches only whole
# syllables of the message, and its last syllable may carry a fused case particle
# (སློབ་གྲྭ matches སློབ་གྲྭར). The longest word at a position wins (ཕྱུགས་སྨན before
# སྨན). Single syllables that are common inside other words are avoided on purpose:
# ཆུ (water; ཆུ་ཚོད is "hour"), ལམ (road; ལམ་སང is "at once"), གློག (power; གློག་བརྙན is
# "film"), ནོར (yak; ནོར་བུ is a name), ཕྲུ་གུ (child: too general).
#
# The order matters for ties between labels (the earlier topic wins): disputes, theft
# and fraud first (docs/labels.md rules 2 and 3: governance whatever they are about),
# then livestock (rule 1: a sick animal is industry).
#
# THE TIBETAN NEEDS REVIEW BY A NATIVE SPEAKER (spelling, Amdo words, missing words).
LEXICON: dict[str, tuple[str, dict[str, str]]] = {
    "纠纷": ("governance", {
        "འཁྲུག་རྩོད": "纠纷、争吵",
        "འཁྲུག་པ": "吵架、打架",
        "རྩོད་པ": "争执",
        "ཁ་མཆུ": "纠纷、官司",
        "ས་མཚམས": "（草场）边界",
        "རྩྭ་ས་མཚམས": "草场边界",
        "འཐབ་འཛིང": "打架",
        "རྡུང་རྡེག": "殴打",
    }),
    "偷盗": ("governance", {
        "རྐུན་མ": "小偷",
        "རྐུ་མ": "小偷（口语）",
        "རྐུས": "偷了",
        "རྐུ་ཤོར": "被偷",
        "ཆོམ་རྐུ": "抢劫",
    }),
    "诈骗": ("governance", {
        "མགོ་སྐོར": "骗",
        "གཡོ་ཟོལ": "欺诈",
    }),
    "牲畜": ("industry", {
        "ཕྱུགས": "牲畜",
        "སྒོ་ཕྱུགས": "家畜",
        "ཕྱུགས་ནད": "牲畜疫病",
        "ཕྱུགས་སྨན": "兽药、兽医",
        "ཕྱུགས་སྨན་པ": "兽医",
        "གཡག": "牦牛",
        "འབྲི": "母牦牛",
        "མཛོ": "犏牛",
        "བ་ཕྱུགས": "牛",
        "བེའུ": "牛犊",
        "ལུག": "羊",
        "ལུ་གུ": "羊羔",
        "ར་མ": "山羊",
        "རྟ": "马",
    }),
    "草场": ("ecology", {
        "རྩྭ་ཐང": "草原、草场",
        "རྩྭ་ས": "草场",
        "འབྲོག་ས": "牧场",
        "བྱི་བ": "老鼠、鼠害",
        "ཙི་ཙི": "老鼠（口语）",
        "བྱི་གནོད": "鼠害",
        "ཨ་བྲ": "鼠兔",
        "དུག་རྩྭ": "毒草",
    }),
    "垃圾": ("ecology", {
        "གད་སྙིགས": "垃圾",
        "སྙིགས་རུལ": "垃圾、废物",
        "གཙང་སྦྲ": "卫生",
        "བཙོག་པ": "脏",
    }),
    "污水": ("ecology", {
        "བཙོག་ཆུ": "污水",
        "ཆུ་བཙོག": "水脏",
        "ཆུ་རྙོག": "浑水",
    }),
    "饮水": ("governance", {
        "ཆུ་སྦུབས": "水管",
        "ཆུ་དོང": "水井、水管",
        "ཁྲོན་པ": "井",
        "འཐུང་ཆུ": "饮用水",
        "ཆུ་མེད": "没水",
        "ཆུ་ཆད": "停水",
        "ཆུ་མི་འདུག": "没有水",
        "ཆུ་མི་ཡོང": "不来水",
        "ཆུ་མི་འབབ": "水不流",
        "ཆུ་ཡོང": "来水",
        "ཆུ་འཁྱགས": "（水管）冻住",
        "ཆུ་མཛོད": "水池、水窖",
    }),
    "道路": ("governance", {
        "ས་ལམ": "道路",
        "ལམ་ཁ": "路",
        "ལམ་ག": "路（口语）",
        "གཞུང་ལམ": "大路、公路",
        "འགྲུལ་ལམ": "交通道路",
        "ཟམ་པ": "桥",
    }),
    "路灯": ("governance", {
        "ལམ་སྒྲོན": "路灯",
    }),
    "电力": ("governance", {
        "གློག་ཆད": "停电",
        "གློག་མེད": "没电",
        "གློག་མི་འདུག": "没有电",
        "གློག་མི་ཡོང": "不来电",
        "གློག་ཡོང": "来电",
        "གློག་སྐུད": "电线",
        "གློག་ཐག": "电线",
        "གློག་ཤུགས": "电力",
        "གློག་སྒྲོན": "电灯",
        "གློག་སྒམ": "电箱",
    }),
    "信号": ("governance", {
        "བརྡ་རྟགས": "（手机）信号",
        "དྲ་རྒྱ": "网络",
        "ཁ་པར་མི་འགྲོ": "电话打不通",
    }),
    "补贴": ("welfare", {
        "དམའ་འགན": "低保",
        "འཚོ་བའི་དམའ་མཐའི་འགན་ལེན": "最低生活保障（低保）",
        "རོགས་དངུལ": "补助款",
        "གསབ་སྦྱིན": "补贴",
        "འཐུས་སྦྱིན": "补贴",
        "སྐྱབས་སྐྱོར": "救助",
        "རྒན་གསོ": "养老",
        "རྒན་གསོ་དངུལ": "养老金",
        "དབུལ་ཕོངས": "贫困",
    }),
    "残疾": ("welfare", {
        "དབང་པོ་སྐྱོན་ཅན": "残疾（人）",
    }),
    "学校": ("welfare", {
        "སློབ་གྲྭ": "学校",
        "སློབ་ཆུང": "小学",
        "སློབ་འབྲིང": "中学",
        "སློབ་མ": "学生",
        "སློབ་ཕྲུག": "学生（孩子）",
        "སློབ་སྦྱོང": "上学、学习",
    }),
    "医疗": ("welfare", {
        "སྨན་ཁང": "医院、卫生室",
        "སྨན་པ": "医生",
        "སྨན་བཅོས": "看病、治疗",
        "སྨན་བཅོས་འགན་ལེན": "医保",
        "སྨན": "药",
        "ནད": "病",
        "ནད་པ": "病人",
        "ནད་ཕོག": "得病",
        "ན་ཚ": "病",
        "ན་སོང": "病了",
    }),
    "房屋": ("welfare", {
        "ཁང་པ": "房子",
        "ཁང་ཐོག": "房顶",
        "ཆར་ཆུ་འཛག": "漏雨",
    }),
    "务工": ("industry", {
        "གླ་ཕོགས": "工资",
        "ཕོགས": "工资",
        "གླ་ཆ": "工钱",
        "ལས་ཀ་འཚོལ": "找工作",
        "ལག་རྩལ": "技能（培训）",
        "ལག་རྩལ་སློབ་སྦྱོང": "技能培训",
        "ལག་རྩལ་སྦྱོང་བརྡར": "技能培训",
    }),
    "文化活动": ("culture", {
        "རྟ་རྒྱུགས": "赛马",
        "སྒོར་གཞས": "锅庄",
        "ཟློས་གར": "演出",
        "འཁྲབ་སྟོན": "表演",
        "དཔེ་མཛོད": "书屋、图书室",
        "དཔེ་ཆ": "书",
    }),
    "宣讲": ("culture", {
        "གསལ་བཤད": "讲解、宣讲",
        "སྲིད་ཇུས": "政策",
    }),
}

# Illness words of 医疗 count for 牲畜 when an animal is named in the same message
# (rule 1: a sick animal is industry, even with 看病); the death words count only then.
_ANIMAL_WORDS = frozenset(LEXICON["牲畜"][1])
_ILLNESS_WORDS = frozenset({"ནད", "ནད་ཕོག", "ན་ཚ", "ན་སོང", "སྨན", "སྨན་བཅོས"})
# (No bare ཤི "die": with a fused particle it would match the ཤིས of བཀྲ་ཤིས.)
WITH_LIVESTOCK: dict[str, str] = {"ཤི་སོང": "死了", "ཤི་ཚར": "死了", "ཤི་འདུག": "死了", "ཤི་བ": "死亡"}

# Chinese policy words villagers keep in Chinese inside Tibetan text ("ངའི་低保་མ་ཐོབ");
# matched as substrings, only when the message is mostly Tibetan.
LOANWORDS: dict[str, str] = {
    "低保": "补贴", "五保": "补贴", "特困": "补贴", "养老": "补贴", "残疾证": "残疾",
    "医保": "医疗", "卫生院": "医疗", "草场": "草场", "鼠兔": "草场", "垃圾": "垃圾",
}

_TOPIC_ORDER = {name: i for i, name in enumerate(LEXICON)}
_TOPIC_TABLE: dict[str, object] = {w: name for name, (_, words) in LEXICON.items() for w in words}
_TOPIC_TABLE.update({w: "牲畜" for w in WITH_LIVESTOCK})
_TOPIC_MATCHER = _Matcher(_TOPIC_TABLE)


def topic(text: str) -> Topic | None:
    """The problem a Tibetan report names, by ``LEXICON``, at low confidence; or None.

    Words are counted per label (a word once, however often it occurs); the label with
    most words wins, and its topic is the one with most words (ties: ``LEXICON`` order).
    Confidence: 0.25 for one word, +0.05 per further word, at most ``CONFIDENCE_MAX``
    (0.40); minus 0.05 when another label also matched; ``CONFIDENCE_MIN`` (0.20) when
    two labels tie (then the earlier topic in ``LEXICON`` wins). Never above 0.40, so a
    person reviews every Tibetan report. None when nothing matches (Chinese text, chatter).
    """
    try:
        raw = unicodedata.normalize("NFC", text or "")
        syls = syllables(raw)
        if not syls:
            return None
        hits: list[tuple[str, str]] = [(str(p), w) for _, _, w, p in _TOPIC_MATCHER.scan(syls)]
        if is_tibetan(raw):
            hits += [(name, w) for w, name in LOANWORDS.items() if w in raw]
        animal = any(w in _ANIMAL_WORDS for _, w in hits)
        words_by_topic: dict[str, list[str]] = {}
        for name, w in hits:
            if w in WITH_LIVESTOCK or (animal and w in _ILLNESS_WORDS):
                if not animal:
                    continue
                name = "牲畜"
            words = words_by_topic.setdefault(name, [])
            if w not in words:
                words.append(w)
        if not words_by_topic:
            return None
        by_label: dict[str, list[str]] = {}
        rank: dict[str, int] = {}
        for name, words in words_by_topic.items():
            label = LEXICON[name][0]
            by_label.setdefault(label, []).extend(words)
            rank[label] = min(rank.get(label, len(LEXICON)), _TOPIC_ORDER[name])
        ordered = sorted(by_label, key=lambda lab: (-len(set(by_label[lab])), rank[lab]))
        label = ordered[0]
        n = len(set(by_label[label]))
        if len(ordered) > 1 and len(set(by_label[ordered[1]])) == n:
            confidence = CONFIDENCE_MIN
        else:
            confidence = min(CONFIDENCE_MAX, _CONFIDENCE_ONE + _CONFIDENCE_STEP * (n - 1))
            if len(ordered) > 1:
                confidence -= _CONFIDENCE_STEP
        confidence = round(max(CONFIDENCE_MIN, min(CONFIDENCE_MAX, confidence)), 2)
        names = [name for name in words_by_topic if LEXICON[name][0] == label]
        best = min(names, key=lambda name: (-len(words_by_topic[name]), _TOPIC_ORDER[name]))
        order = {w: i for i, (_, w) in enumerate(hits)}
        evidence = tuple(sorted({w for name in names for w in words_by_topic[name]}, key=order.__getitem__))
        return Topic(label=label, topic=best, confidence=confidence, evidence=evidence)
    except Exception:  # pragma: no cover - never break the webhook
        return None


# --- urgent ---------------------------------------------------------------------

# Danger now: fire, flood, injury, poisoning, an outbreak, collapse, a lost child.
# Needs review by a native speaker. A word right before མེད / མིན / མ / ན ("not",
# "if") or right after མ / མི does not count.
URGENT: dict[str, str] = {
    "མེ་ཤོར": "失火",
    "མེ་སྐྱོན": "火灾",
    "མེ་འབར": "着火",
    "ཆུ་ལོག": "洪水",
    "ས་རུད": "塌方、滑坡",
    "ཁ་རུད": "雪崩",
    "ཁ་བའི་གནོད་འཚེ": "雪灾",
    "རྨས": "受伤",
    "ཁྲག་ཤོར": "流血",
    "དུག་ཕོག": "中毒",
    "བརྒྱལ": "昏倒",
    "གློག་ཕོག": "触电",
    "ནད་ཡམས": "疫情",
    "ཡམས་ནད": "瘟疫",
    "རྡིབ": "倒塌",
    "སྲོག་ཉེན": "生命危险",
    "སྲོག་ལ་ཉེན": "生命危险",
    "ཕྲུ་གུ་བརླག": "孩子走丢",
    "ཛ་དྲག": "紧急",
}
_URGENT_MATCHER = _Matcher(dict.fromkeys(URGENT, True))
_NOT_AFTER = frozenset({"མེད", "མིན", "མ", "ན"})
_NOT_BEFORE = frozenset({"མ", "མི"})


def is_urgent(text: str) -> bool:
    """A Tibetan message that names a danger now (``URGENT``), not negated."""
    try:
        syls = syllables(text)
        for start, end, _, _ in _URGENT_MATCHER.scan(syls):
            if end < len(syls) and syls[end] in _NOT_AFTER:
                continue
            if start > 0 and syls[start - 1] in _NOT_BEFORE:
                continue
            return True
    except Exception:  # pragma: no cover
        pass
    return False
