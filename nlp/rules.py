"""Cheap, explainable rules around the classifier: intent, priority, tier.

All functions are pure, take any string (2,000 characters, emoji, mixed
scripts) and never raise.
"""
from __future__ import annotations

import re
import unicodedata

# Han ideographs (basic, extension A, compatibility).
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PUNCT_RE = re.compile(r"[^\w\u0f00-\u0fff]+")  # drops punctuation, symbols, emoji, spaces

INTENTS = ("problem", "wish", "query", "greeting", "thanks", "cancel", "chatter", "empty", "non_chinese")


def has_han(text: str) -> bool:
    return bool(_HAN_RE.search(text or ""))


def is_chinese(text: str, compacted: str) -> bool:
    """Chinese characters in the text and in its compact form: only then is there
    something for the classifier (``base_intent`` decides the rest by rules alone)."""
    return has_han(text) and has_han(compacted)


def _has_alnum(text: str) -> bool:
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or cat == "Mn" and "\u0f00" <= ch <= "\u0fff":
            return True
    return False


def compact(text: str) -> str:
    """The message without spaces, punctuation, symbols or emoji."""
    text = unicodedata.normalize("NFKC", text or "")
    return _PUNCT_RE.sub("", text).replace("_", "")


# --- intent -----------------------------------------------------------------

_CANCEL_RE = re.compile(
    r"^(请|麻烦)?(你们)?(帮我)?(取消|撤销|撤回|作废)"
    r"|(取消|撤销|撤回)(一下|掉|了)?(我|刚才|刚刚|上面|之前|前面|这个|那个|那条)?的?(问题|诉求|反映|申请|心愿|微心愿|留言|消息|登记)"
    r"|^(不用了|不需要了|不用管了|算了)"
)
_CANCEL_SHORT_RE = re.compile(r"不用了|不需要了|不用管了|不用来了|算了吧|自己(已经)?(解决|弄好|修好)了")

_QUERY_STRONG_RE = re.compile(
    r"进度|进展|办得怎么样|办的怎么样|办理得怎么样|办理的怎么样|处理得怎么样|处理的怎么样"
    r"|(问题|诉求|事情|事儿|反映的事|心愿|申请)(现在)?(怎么样|咋样|怎样|处理了没|处理了吗|解决了没|解决了吗|办了没|办了吗|有结果|有回复|到哪)"
    r"|(查询|查一下|查查|查看|帮我查)(一下)?(我的|我家的|我们的|上次的|之前的)?(问题|诉求|反映|进度|结果|办理|编号|心愿|申请)"
    r"|编号|[A-Za-z]{2}-?\d{4}-?\d{3,}"
    r"|(我|我的|上次|之前|前几天|前天|昨天|上个月|上周)(反映|提|报|说|登记)的.{0,8}(怎么样|咋样|怎样|处理|解决|办|结果|回复|消息)"
    r"|(处理|办理|办|进行)到(哪一?步|哪里了|哪儿了|哪了)|到哪一?步了|哪一步了"
)
_QUERY_WEAK_RE = re.compile(
    r"查询|查一下|查查|怎么样了|咋样了|有结果了吗|有消息了吗|处理了吗|解决了吗|办好了吗"
    r"|有(结果|消息|回复|回音|进展)了?(没有|没|吗|么|不)"
)
# The next three count only when they are the whole message (fillers aside): a progress
# question without a subject of its own is about the villager's own request, while
# "路灯什么时候能修好", "残疾证办了吗" or "水管修好了没几天又坏了" name a matter and go on
# to be classified.
# done yet? 办好了没有, 办了没有, 弄好没, 修好了吗, 我的事办完了没
_QUERY_DONE_YET_RE = re.compile(
    r"(那个|这个|我的|我家的|我们的)?(事情|事儿|事|问题|诉求|申请)?(办理|办|弄|修|搞|处理|解决|落实)(好|完|掉)?了?"
    r"(没有|没得|没|吗|么|嘛|不)"
)
# look it up: 查, 查下, 帮我查查, 查一下进度
_QUERY_LOOKUP_RE = re.compile(
    r"(帮忙|帮|麻烦|给)?(我|我们)?(查询|查看|查一查|查一下|查下|查查|查)(一下|下)?(进度|进展|结果|情况|办理情况)?"
)
# when: 什么时候能修好, 啥时候来人, 多久能办好, 什么时候
_QUERY_WHEN_RE = re.compile(
    r"(到底|究竟)?(什么时候|啥时候|几时|多久|多长时间)(才|能|可以|会|才能)*"
    r"(派人来|来人|上门|过来|来|修|办|弄|处理|解决|好)?(好|完|理)?"
)

_GREETING_RE = re.compile(
    r"你好|您好|你们好|大家好|在吗|在不在|有人吗|有人在吗|扎西德勒|扎西得勒|哈喽|嗨|早上好|上午好|中午好|下午好|晚上好|早安|晚安|新年好|过年好|洛萨尔|打扰了|打扰一下"
)
_THANKS_RE = re.compile(r"(问题|事情)?(已经)?(解决|修好|弄好|办好)了|谢谢|多谢|感谢|谢了|辛苦了|太好了|好的|收到|明白了|知道了|麻烦你们了|给你们点赞|点赞|卡卓|托切")
_FILLER_RE = re.compile(
    r"书记|主任|领导|干部|同志|老师|工作队|你们|您们|大家|你|您|我|的|了|啊|呀|哦|嗯|吧|哈|呢|啦|喔|噢|非常|真的|真是|太|很|实在|十分|特别|万分|各位|一下|一起|都|们|好|吗|呀|请问|请|在|村|问"
)

_THANKS_OR_GREETING_RE = re.compile(_THANKS_RE.pattern + "|" + _GREETING_RE.pattern)

# Words that carry no problem: interjections and modal particles (语气词、叹词) and plain
# assent (是, 对, 行, 可以). A message made of nothing else (嗯, 好, 哈哈, 哦哦, 是的吧) is chatter.
_INTERJECTION_RE = re.compile(
    r"没问题|可以|明白|是|对|行|懂|呵|嘿|嘻|哎|唉|诶|欸|额|呃|哇|耶|咦|哟|喂|嗷|嘛|么|哼|咯|滴|哒|噢|嗯|哦|哈|啊|呀|吧|呢|啦|喔|好|了|的"
)
_CHATTER_CHARS = frozenset((_INTERJECTION_RE.pattern + _FILLER_RE.pattern).replace("|", ""))
# Chatter without Chinese: a single word of at most this many ASCII letters or digits
# (ok, hi, thanks, 1, 123456). Longer text, several words or any other script (Tibetan,
# Cyrillic, ...) may say something a person should read: non_chinese, as before.
CHATTER_MAX_ASCII = 8
_ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+")
# a request number quoted alone: GC-2026-000123, gc-2026-1, GC2026000123, 2026-000123
_DASH = r"\s*[-_\u2010-\u2015]?\s*"
_NUMBER_ONLY_RE = re.compile(
    rf"[A-Za-z]{{2,4}}{_DASH}20\d{{2}}{_DASH}\d{{1,6}}|20\d{{2}}\s*[-_\u2010-\u2015]\s*\d{{1,6}}"
)

_WISH_PREFIX_RE = re.compile(r"^(我的)?(微心愿|心愿|许个心愿|许一个心愿|我有一?个(微)?心愿|我的(微)?心愿是)")


def is_explicit_wish(text: str, *, compacted: str | None = None) -> bool:
    """Starts with 微心愿/心愿 (after punctuation and spaces are removed).

    ``compacted``: ``compact(text)`` when the caller already has it.
    """
    c = compact(text) if compacted is None else compacted
    return bool(_WISH_PREFIX_RE.search(c[:12]))


def _only(text: str, pattern: re.Pattern[str], leftover: int) -> bool:
    """True when the pattern occurs and little else remains besides fillers."""
    if not pattern.search(text):
        return False
    rest = _FILLER_RE.sub("", pattern.sub("", text))
    return len(rest) <= leftover


def _is_short_ascii(text: str) -> bool:
    """Nothing but one word of at most ``CHATTER_MAX_ASCII`` ASCII letters or digits."""
    words = _ASCII_WORD_RE.findall(text)
    return len(words) == 1 and len(words[0]) <= CHATTER_MAX_ASCII and not _ASCII_WORD_RE.sub("", text)


def _without_han_intent(raw: str, c: str) -> str:
    """Text without Chinese characters: empty, query (a quoted request number), chatter
    (one short ASCII word: ok, 1, 123456) or non_chinese (everything else)."""
    if not c or not _has_alnum(c):
        return "empty"
    raw = unicodedata.normalize("NFKC", raw)
    if _NUMBER_ONLY_RE.fullmatch(raw.strip().rstrip("。.!！?？")):
        return "query"
    words = _ASCII_WORD_RE.findall(raw)
    if len(words) == 1 and words[0] == c and len(c) <= CHATTER_MAX_ASCII:
        return "chatter"
    return "non_chinese"


def is_chatter(text: str, *, compacted: str | None = None) -> bool:
    """No content: nothing left once interjections, particles, assent and the fillers
    of ``_FILLER_RE`` are removed, except at most one short ASCII word.

    嗯, 好, 哈哈, 哦哦, 是的, 书记, 好 ok: chatter. 停电了, 没水了, 水: not (a content word
    remains, however short).
    """
    c = compact(text) if compacted is None else compacted
    if not all(ch in _CHATTER_CHARS or ch.isascii() for ch in c):  # a quick no for most texts
        return False
    rest = _FILLER_RE.sub("", _INTERJECTION_RE.sub("", c))
    return not rest or _is_short_ascii(rest)


def _is_query(c: str) -> bool:
    if _QUERY_STRONG_RE.search(c):
        return True
    if len(c) > 20:  # too long to be nothing but a progress question
        return False
    if len(c) <= 14 and _QUERY_WEAK_RE.search(c):
        return True
    return any(_only(c, p, 0) for p in (_QUERY_DONE_YET_RE, _QUERY_LOOKUP_RE, _QUERY_WHEN_RE))


def base_intent(text: str, *, compacted: str | None = None) -> str | None:
    """The rule-decided intent, or None when it is a problem or a wish.

    Order: empty / query (a request number) / chatter / non_chinese for text without
    Chinese characters; then cancel, query, greeting or thanks (only when the message
    is little more than that), chatter (nothing but particles and fillers), otherwise None.
    """
    try:
        raw = text or ""
        c = compact(raw) if compacted is None else compacted
        if not has_han(raw):
            return _without_han_intent(raw, c)
        if not has_han(c):
            return "empty"
        if _CANCEL_RE.search(c) or (len(c) <= 20 and _CANCEL_SHORT_RE.search(c)):
            if not re.search(r"被(取消|撤销)", c):
                return "cancel"
        if _is_query(c):
            return "query"
        if len(c) <= 30:
            if _only(c, _THANKS_RE, 1):
                return "thanks"
            if _only(c, _GREETING_RE, 1):
                return "greeting"
            if _only(c, _THANKS_OR_GREETING_RE, 1):
                return "thanks" if _THANKS_RE.search(c) else "greeting"
            if is_chatter(raw, compacted=c):
                return "chatter"
        return None
    except Exception:  # pragma: no cover - rules must never break the webhook
        return None


def detect_intent(text: str) -> str:
    """The intent alone, without the classifier (cheap, ~microseconds).

    Returns one of ``INTENTS``; 'wish' only for an explicit 微心愿/心愿 prefix.
    """
    intent = base_intent(text)
    if intent is not None:
        return intent
    return "wish" if is_explicit_wish(text) else "problem"


# --- priority ---------------------------------------------------------------

_URGENT_PATTERNS = [
    # fire
    r"着火|失火|起火|火灾|火情|烧起来|烧着了|大火|浓烟|冒黑烟|火烧",
    # flood and landslide, snow disaster
    r"洪水|发大水|山洪|泥石流|塌方|滑坡|决堤|冲垮|冲走|被淹|淹了|水淹|暴雪|雪灾|困在|被困|雪封",
    # injury, poisoning, life in danger
    r"受伤|受了伤|流血|出血|血流|昏迷|晕倒|昏倒|不省人事|骨折|摔断|中毒|一氧化碳|抢救|救命|快不行了|不行了|没气了|没有呼吸|断气|自杀|轻生|跳河|跳楼|喝农药|触电|被电|砍伤|捅伤|持刀|动刀|拿刀|杀人",
    # missing people
    r"(孩子|娃|小孩|儿子|女儿|老人|老阿妈|阿妈|阿爸|爷爷|奶奶)[^，。,.!！?？]{0,6}((?<![看听])不见了|走丢|走失|丢了|失踪|找不到|联系不上|没回来|没有回来)|人不见了|失踪",
    # livestock outbreak
    r"疫情|瘟疫|口蹄疫|炭疽|布病|禽流感|小反刍|大量死亡|成批死|一批一批地?死"
    r"|(牛|羊|牲口|牲畜)[^，。,.!?！？]{0,6}(死了|病死|倒了)(好几十|几十|十几|二十|三十|好多|一大片|一片)"
    r"|(好几十|几十|十几|二十多|三十多|好多)(头|只)?(牛|羊|牦牛|藏羊|牲口)[^，。,.!?！？]{0,4}(死了|病死|倒了)"
    r"|(好几十|几十|十几|二十多|三十多)(头|只)[^，。,.!?！？]{0,4}(死了|病死)",
    # collapse, gas, live wires
    r"房子塌|房屋倒塌|墙塌|塌了|倒塌|漏气|煤气泄漏|燃气泄漏|电线掉|电线断了?掉|漏电",
    r"紧急|十万火急|人命关天",
]
_URGENT_RE = re.compile("|".join(f"(?:{p})" for p in _URGENT_PATTERNS))
_NEGATION_RE = re.compile(r"(没|没有|未|不|无|别|防止|预防|避免|以防|小心|注意|怕|万一|要是|如果|假如|真)$")
_PAST_RE = re.compile(r"^了?(以后|之后|后来)")


def detect_priority(text: str, *, compacted: str | None = None) -> str:
    """'urgent' for fire, flood, injury, missing people, livestock outbreaks..."""
    try:
        c = compact(text) if compacted is None else compacted
        for m in _URGENT_RE.finditer(c):
            before = c[max(0, m.start() - 3) : m.start()]
            if _NEGATION_RE.search(before) or _PAST_RE.search(c[m.end() : m.end() + 3]):
                continue
            return "urgent"
    except Exception:  # pragma: no cover
        pass
    return "normal"


# --- tier -------------------------------------------------------------------

_GROUP_RE = re.compile(
    r"全村|整个村|全组|全社|整个社|全乡|全镇|好几户|好多户|十几户|几十户|二十多户|三十多户|上百户|几百户|多户|"
    r"家家户户|每家每户|各家各户|所有人家|所有牧户|所有村民|村民们|大家都|联名|集体|上访|群体|"
    r"好几个村|几个村|两个村|两村|村与村|村和村|跨村|跨乡|(\d{2,}|十|二十|三十|几十|上百)(户|家|人|个人|多人|多户)"
)
_GROUP_EXCLUDE_RE = re.compile(r"集体经济|村集体|集体分红|集体收入")


def is_group_matter(text: str, *, compacted: str | None = None) -> bool:
    c = _GROUP_EXCLUDE_RE.sub("", compact(text) if compacted is None else compacted)
    return bool(_GROUP_RE.search(c))


def detect_tier(text: str, keyword_labels: set[str] | None = None,
                runner_up_confidence: float = 0.0, *, compacted: str | None = None) -> str:
    """'complex' for a large group, or when several teams are clearly involved.

    Several teams: keywords of at least three (non-wish) teams occur, or of two and the
    classifier's runner-up keeps at least 0.25 of the probability (a confident model
    does not make four teams' matters one team's).
    """
    try:
        if is_group_matter(text, compacted=compacted):
            return "complex"
        teams = {lab for lab in (keyword_labels or set()) if lab != "wish"}
        if len(teams) >= 3 or (len(teams) >= 2 and runner_up_confidence >= 0.25):
            return "complex"
    except Exception:  # pragma: no cover
        pass
    return "general"


# --- problem content ----------------------------------------------------------

# Words that name no matter: pointers (那个, 这个), the villager and the cadres (我家, 你们,
# 书记), "matter" itself (事, 问题, 情况), chasing and asking (到底, 管不管, 怎么, 什么时候),
# politeness. What is left once they, the fillers, interjections, greetings and thanks are
# removed is the message's content.
_GENERIC_RE = re.compile(
    r"微心愿|心愿|那个|这个|那件|这件|那些|这些|就是说|就是|那边|这边|你们|您们|我们|咱们|俺们|我家|俺家|我们家|我的|俺的|"
    r"上次|之前|前几天|前天|昨天|上回|刚才|刚刚|说的|讲的|反映的|反映过|反映|报的|提的|说过|"
    r"事情|事儿|事|问题|情况|诉求|到底|究竟|怎么办|怎么|为什么|为啥|咋办|咋|啥|什么|时候|几时|多久|"
    r"还没有|还没|还不|没有|没人|有人|人来|来人|管不管|不管|管|一下|补充|对了|忘了说|"
    r"辛苦|麻烦|帮帮忙|帮忙|帮帮|想反映|看看|知道|问一下|负责|人呢|是不是|能不能|可不可以|"
    r"一个|好几个|几个|要说|办不办|办|不办|处理|解决|弄|搞|回复|消息|答复|"
    r"想|个|说|问|帮|给|能|就|还|也|又|再|才|喂"
)
# a single character that is a matter by itself (水的事, 电呢, 路)
_KEY_CHARS = frozenset("水电路灯桥网羊牛马草粪厕狗火气暖房墙井渠沟车药钱账债病地树垃圾")


def has_problem_content(text: str, *, compacted: str | None = None) -> bool:
    """Whether the message names a matter: two Han characters, or one key character, left once
    pointers, people, "matter" words, chasing, politeness, greetings and fillers are removed.

    我家那个事你们到底管不管, 你们好, 在吗, 有个问题, 书记你好，我想反映个情况: no content.
    停电了, 没水, 路灯坏了, 低保: content. The classifier caps the confidence of a message
    without content (``classifier.CONTENT_FREE_CAP``): it always goes to a person.
    """
    try:
        c = compact(text) if compacted is None else compacted
        han = "".join(_HAN_RE.findall(c))
        rest = _THANKS_OR_GREETING_RE.sub("", han)
        rest = _GENERIC_RE.sub("", rest)
        rest = _INTERJECTION_RE.sub("", _FILLER_RE.sub("", rest))
        return len(rest) >= 2 or any(ch in _KEY_CHARS for ch in rest)
    except Exception:  # pragma: no cover - rules must never break the webhook
        return True
