"""How alike two short messages are: for duplicate requests and FAQ matching.

A message becomes a bag of features: its jieba content words (``tokenize``:
normalised, no stop words) and the character bigrams of each run of letters
(so 自来水管 and 水管 still share 水管, 爆裂 and 爆了 share nothing but 管爆 does).
Each feature is weighted by its inverse document frequency in the seed corpus,
so words every message has (村里, 麻烦, 一下) count little and the words that
say what is wrong (水管, 路灯, 低保) count much. ``similarity`` is the cosine of
the two weighted bags: 1.0 for the same message, 0.0 for nothing shared.

Pure functions of the texts (plus the seed corpus, read once per process) and
of jieba's dictionary: when ``nlp.add_words`` changes it (a new village name),
the cached features and the IDF table are recomputed on next use.

Duplicates (同问) compare the *problem*, not the message: ``problem_text`` drops what
says nothing about what is wrong (greetings, self-introductions, names, phone and ID
numbers, sign-offs, a village or 社 named alone), and two messages are the same problem
only when, on top of a similar wording, they share an *object* (``objects``: 路灯, 水管,
变压器, 低保 … — not a verb such as 坏/漏水/冒烟, not 危险, not a place). ``features``
(used by the FAQ) still reads the whole message.
"""
from __future__ import annotations

import csv
import functools
import math
import re
import sys
import threading
import types
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from . import paths, tokenizer
from .tokenizer import normalize, tokenize

#: find_duplicate's default: "the same problem, said differently", once the objects, the kinds of
#: trouble and the numbered 社 agree (tests/unit/nlp/data/duplicate_pairs_dev.yaml, docs/nlp.md);
#: kept high: a false merge hides a problem, a missed one only doubles a task
DUPLICATE_THRESHOLD = 0.3
#: the model reads at most this much of a message for similarity
SIM_CHARS = 300

_RUN_RE = re.compile(r"[^\W_]+")  # runs of letters/digits (Han included), no punctuation/emoji
_WORD_WEIGHT = 1.0
_BIGRAM_WEIGHT = 0.7

# where something is, not what is wrong: a duplicate must share the what
_PLACE_WORDS = frozenset("""村口 村里 村子 门口 家门口 路口 路边 村头 村尾 组里 社里 这边 那边 附近 旁边 前面 后面
我家 我们家 家里 咱村 我们村 本村 村委会 乡里 镇上 县里 好几天 几天 今天 昨天 晚上 早上 一直 现在""".split())
_PLACE_WEIGHT = 0.3
_SINGLE_VERBS = frozenset("爆破漏断坏塌堵停淹烧")

_idf_lock = threading.Lock()
_idf: dict[str, float] | None = None
_idf_default = 1.0
#: the tokenizer generation the caches (features, IDF) were computed with
_generation = tokenizer.generation()


def _bigrams(norm: str) -> list[str]:
    grams = []
    for run in _RUN_RE.findall(norm.lower()):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def _known_words():
    import jieba

    return jieba.dt.FREQ


def _raw_features(text: str) -> tuple[list[str], list[str]]:
    norm = normalize(unicodedata.normalize("NFKC", text or "")[:SIM_CHARS])
    if not norm:
        return [], []
    words = [w.lower() for w in tokenize(norm)]
    # sub-words of long words, so 自来水管 also counts as 水管 and 爆裂 as 爆
    extra = [w[i:j] for w in words if len(w) >= 3 for i in range(len(w)) for j in range(i + 2, len(w) + 1)
             if (i, j) != (0, len(w)) and w[i:j] in _known_words()]
    extra += [w[0] for w in words if len(w) == 2 and w[0] in _SINGLE_VERBS]
    return words + extra, _bigrams(norm)


def _load_idf() -> tuple[dict[str, float], float]:
    """IDF of words and bigrams over the seed corpus (read once per process)."""
    global _idf, _idf_default
    idf, default = _idf, _idf_default  # read once: _check_generation may reset it meanwhile
    if idf is not None:
        return idf, default
    with _idf_lock:
        if _idf is None:
            df: Counter[str] = Counter()
            n = 0
            try:
                with open(paths.SEED_CORPUS, encoding="utf-8-sig", newline="") as fh:
                    for row in csv.DictReader(fh):
                        words, grams = _raw_features(row.get("text") or "")
                        df.update({"w:" + w for w in words} | {"c:" + g for g in grams})
                        n += 1
            except OSError:  # no corpus: every feature weighs the same
                n = 0
            _idf_default = math.log((n + 1) / 1) + 1.0
            _idf = {f: math.log((n + 1) / (d + 1)) + 1.0 for f, d in df.items()}
        return _idf, _idf_default


@dataclass(frozen=True)
class Features:
    """A message as an IDF-weighted, L2-normalised bag of words and bigrams."""

    weights: dict[str, float]

    def cosine(self, other: "Features") -> float:
        a, b = self.weights, other.weights
        if not a or not b:
            return 0.0
        if len(a) > len(b):
            a, b = b, a
        return min(1.0, max(0.0, sum(v * b.get(k, 0.0) for k, v in a.items())))


def _check_generation() -> None:
    """Forget cached features and IDF when add_words changed how texts are cut."""
    global _generation, _idf
    gen = tokenizer.generation()
    if gen != _generation:
        with _idf_lock:
            if gen != _generation:
                _cached_features.cache_clear()
                _problem.cache_clear()
                _clauses.cache_clear()
                _idf = None
                _generation = gen


def features(text: str) -> Features:
    """The weighted bag of a message (compute once, compare with many). Cached: the open
    requests a new message is compared with are the same texts message after message.
    The cache is emptied when ``nlp.add_words`` teaches jieba new words."""
    _check_generation()
    # the generation is part of the key: features computed with an older dictionary (by a
    # thread that started before add_words) are never returned once it has changed
    return _cached_features(text, tokenizer.generation())


@functools.lru_cache(maxsize=8192)
def _cached_features(text: str, generation: int = 0) -> Features:
    words, grams = _raw_features(text if isinstance(text, str) else str(text or ""))
    return _bag(words, grams)


def _bag(words: list[str], grams: list[str]) -> Features:
    if not words and not grams:
        return Features({})
    idf, default = _load_idf()
    bag: dict[str, float] = {}
    for prefix, items, weight in (("w:", words, _WORD_WEIGHT), ("c:", grams, _BIGRAM_WEIGHT)):
        for feat, count in Counter(items).items():
            key = prefix + feat
            w = weight * _PLACE_WEIGHT if prefix == "w:" and feat in _PLACE_WORDS else weight
            bag[key] = w * (1.0 + math.log(count)) * idf.get(key, default)
    norm = math.sqrt(sum(v * v for v in bag.values()))
    return Features({k: v / norm for k, v in bag.items()} if norm > 0 else {})


# ---------------------------------------------------------------------------------------
# What a message says about its problem (duplicates)

_HAN = r"\u4e00-\u9fff"
_DELIM = r"，,。.！!？?；;、：:\s~～…—\-（）()“”\"'‘’"
_CLAUSE_SPLIT_RE = re.compile(f"[{_DELIM}]+")
_TITLES = ("第一书记|驻村干部|工作人员|网格员|书记|支书|主任|村长|社长|组长|队长|乡长|镇长|领导|干部|同志|"
           "老师|师傅|大哥|大姐|阿姐|阿哥")
#: common given names (Tibetan names are most of the county's villagers): a name is no evidence
NAMES = frozenset("""才让 卓玛 扎西 多杰 多吉 拉毛 拉姆 索南 尼玛 旦增 丹增 格桑 次仁 央金 措姆 德吉 达瓦 平措 洛桑 普布
桑杰 完玛 万玛 更登 公保 才旦 仁青 嘉措 加措 东周 拉加 周措 卓嘎 白玛 巴桑 旺姆 措吉 才吉 吉毛 切吉 多拉 华旦 贡布
久美 尕藏 桑吉 仁增 拉巴 边巴 次旦 扎西措 才让吉 卓玛措 拉毛措 南加 昂秀 宗吉 尖措 更藏 万德 三知 闹日 斗格""".split())
_NAME_ALT = "|".join(sorted(NAMES, key=len, reverse=True))
_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
             "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_PLACE_OF = rf"(?:[{_HAN}0-9一二三四五六七八九十]{{1,8}}?(?:村|社|组|队|牧场|小区|乡|镇)的?)"
_NUMBER_RE = re.compile(
    r"(?:(?:我的)?(?:联系)?(?:电话|手机号?|号码|联系方式|微信号?|身份证号?|身份证号码|卡号|账号)(?:号码)?(?:是|为)?[:：]?\s*"
    r"(?=\+?\d))?"
    r"\+?(?<!\d)\d(?:[\d\- ]*\d){4,}[Xx]?")  # phone, ID card, account: five digits or more
_BOILERPLATE_RES = [re.compile(x) for x in (
    r"【[^】]{0,12}】|\[[^\]]{0,12}\]",
    # greetings and openings
    rf"(?:^|(?<=[{_DELIM}]))(?:尊敬的|亲爱的)?(?:各位)?(?:[{_HAN}]{{0,3}}?(?:{_TITLES}))(?:们)?(?:您|你)?好(?:啊|呀)?",
    r"(?:尊敬的|亲爱的)?(?:各位)?(?:您们?好|你们?好|大家好|早上好|中午好|下午好|晚上好|在吗|在不在|在么)",
    rf"(?:尊敬的|亲爱的)(?:各位)?(?:[{_HAN}]{{0,4}}?(?:{_TITLES}))?(?:们)?",
    r"(?:实在)?(?:不好意思|冒昧)?(?:打扰(?:一下)?(?:您|你们?|大家)?(?:一下)?了?)|不好意思|冒昧",
    r"(?:我想|想|我要|要|特此|向您|向你们|跟您|给您)?(?:反映|反应|报告|汇报|说)(?:一下|一个|个)?(?:情况|问题|事情|事)",
    # who is writing
    rf"我(?:是|叫)(?:这边)?{_PLACE_OF}*(?:村民|牧民|群众|居民|网格员|党员|户主|村医|老师)?"
    rf"(?:{_NAME_ALT}|[{_HAN}·]{{1,4}}(?=[{_DELIM}]|$))",
    rf"我(?:是|叫){_PLACE_OF}+(?:村民|牧民|群众|居民|网格员|党员|户主)?",
    rf"我(?:是|叫)(?:村民|牧民|群众|居民|网格员|党员|户主)",
    # sign-offs
    rf"(?:麻烦|请|恳请|希望|拜托|烦请)(?:您|你们?|领导|书记|村里|相关部门|工作队|有关部门)?"
    r"(?:尽快|赶紧|抓紧|及时|早点|快点|马上|早日|赶快|快)?(?:派人|派个人|找人)?(?:来|过来)?(?:给)?(?:处理|解决|看看|看一下|"
    r"看下|安排|帮忙|帮帮忙|关注|落实|重视|修|修一下|维修)(?:一下)?(?:吧|啊|呀)?",
    r"(?:尽快|赶紧|抓紧|及时|早点|快点|早日|赶快)(?:派人|派个人|找人)?(?:来|过来)?(?:给)?(?:处理|解决|安排|看看|看一下|修|修一下|"
    r"维修)(?:一下)?(?:吧|啊|呀)?",
    rf"(?:非常|十分|万分)?(?:感谢|谢谢|多谢|谢了)(?:您|你们?|书记|领导|主任|大家|各位|了|啦|啊)*",
    r"(?:您|你们?|大家)?辛苦(?:您|你们?|大家)?(?:了|啦)?",
    r"拜托(?:了|您了|你们了)|此致敬?礼?|盼复|(?:等|盼|期待)(?:您的)?(?:回复|回音)|扎西德勒",
    r"祝(?:您|你们|书记|领导|大家)?(?:工作顺利|身体健康|生活愉快|万事如意|新年快乐)",
    r"有事(?:请)?(?:打|联系)(?:我|电话)?|联系人|联系电话|联系方式",
)]
#: a clause that is only who or where: "三社", "恩乃村二组的", "才让", "扎西书记", "老王"
_ALONE_RE = re.compile(
    rf"^(?:[{_HAN}]{{1,6}}?(?:村|乡|镇))?(?:[0-9一二三四五六七八九十]{{1,3}}(?:社|组|队))?的?"
    rf"(?:村民|牧民|群众|居民|网格员|党员|户主)?(?:{_NAME_ALT}|[老小阿][{_HAN}]|[{_SURNAMES}][{_HAN}]{{1,2}})?"
    rf"(?:{_TITLES})?(?:家|家里)?$")
#: a character that says something is wrong: a clause with one is never dropped as a name
_PROBLEM_CHARS = frozenset("坏塌漏爆断堵停烧死病没不冒淹倒裂破臭脏满缺欠难差乱吵打偷丢跑咬占拆修要")

# what is wrong, not *what*: two reports that share only these are not the same problem
PREDICATES = frozenset("""坏 坏了 坏掉 损坏 破 破损 爆 爆裂 爆管 漏 漏水 漏雨 渗水 断 断裂 断了 塌 塌陷 塌方 倒塌 垮 垮塌
堵 堵塞 堵住 停 烧 烧坏 烧毁 冒烟 着火 起火 失火 生病 病 病了 死 死亡 死了 不亮 不通 不好 不行 不能 不够 没 没有
没人 没到 没到账 没发 没法 不吃 拉 修 修理 维修 修好 淹 淹没 倒 倒了 裂 裂缝 脏 臭 发臭 满 满了 丢 丢失 被盗 偷 咬 咬伤
占 占用 拆 欠 拖欠 缺 吵 打架 跑 走失 发 到账 危险 紧急 严重 厉害 很大 太大 安全 隐患 安全隐患 着急 急 要命""".split())
GENERIC = frozenset("""问题 情况 事情 事 事儿 反映 反应 希望 帮助 解决 处理 一下 赶紧 尽快 马上 及时 非常 特别 好几天
几天 一整天 整天 几个 好多 很多 大家 村民 群众 老百姓 牧民 居民 领导 书记 主任 村长 社长 组长 队长 干部 同志 工作人员
工作队 村委 村委会 尊敬 谢谢 感谢 辛苦 打扰 您好 你好 电话 手机 联系 今天 昨天 前天 晚上 早上 白天 中午 下午 上午 一直 已经
还是 人 家 东西 地方 这里 那里 有个 有人 现在 时候 一天 两天 三天 天天 每天 老是 总是 经常 好久 半天 怎么回事 知道
看看 过来 派人 来人 快来 快点 赶快 谁 哪里 时间 月 今年 去年 最近 这几天 真的 实在 一样 同样 也是 还有 全是 到处
派人来 人来 来修 我想 问下 想问 开始 下来 能办 有条 一地 地上 地下 黑乎乎 黑漆漆 孩子 孩子们 老人 娃娃 大人 车子 车
晚上 睡不着 头疼 害怕 出门 出不去 进不来 过不去 一半 全都 好几个 三只 两只 一只 几只 多少 啥时候 什么时候 为什么""".split())
#: where something is, said after the place: the word before one of these is a place, not the thing
_LOCATIVES = frozenset("门口 旁边 附近 边上 跟前 对面 后面 前面 里面 外面 东头 西头 南头 北头 上面 下面 周围 这边 那边 "
                       "边 里 上 前 后 下 内 外".split())
_PLACE_NAME_RE = re.compile(rf"^[{_HAN}0-9一二三四五六七八九十]{{1,6}}(?:村|社|组|队|乡|镇)$")
#: one-character words that name a thing (most one-character words are verbs or particles)
_SINGLE_OBJECTS = frozenset("电水灯路桥墙井坑狗羊牛马猪树房门网渠沟河坝雪粪药")
#: words for a thing's state that name the thing: 停电 and 没电 are both about 电
_OBJECT_OF = {"停电": "电", "断电": "电", "没电": "电", "来电": "电", "跳闸": "电", "电压": "电", "漏电": "电",
              "停水": "水", "断水": "水", "没水": "水", "吃水": "水", "自来水": "水", "饮水": "水",
              "路灯": "灯", "灯泡": "灯", "电灯": "灯", "大坑": "坑", "深坑": "坑", "水坑": "坑", "牦牛": "牛",
              "流浪狗": "狗", "野狗": "狗", "网络": "网", "信号": "网"}


#: what is wrong, in kinds: two reports of one thing with different kinds of trouble (the yak is
#: sick / the yak is lost) are two problems. Found as substrings (jieba cuts these unevenly).
PROBLEM_KINDS = {
    "broken": "坏 不亮 不响 不转 不能用 不好使 故障 失灵 不热 不出水 没信号 信号差 信号不好 打不",
    "burst": "爆 漏 渗水 冻裂 裂 破 进水",
    "collapse": "塌 垮 倒了 歪 倾斜 滚",
    "blocked": "堵 不通 过不去 出不去 进不来",
    "cut_off": "停 没水 没电 断 跳闸",
    "fire": "冒烟 着火 起火 失火 烧 火花 冒火",
    "sick": "病 死 不吃 瘟",
    "lost": "丢 被盗 偷 走失 不见 跑了 找不到",
    "unpaid": "没到账 没发 没到 拖欠 欠 未发 没给 少发",
    "dirty": "脏 臭 满了 没人拉 没人清 乱倒 乱扔",
    "bite": "咬 追人",
    "taken": "占 霸占",
    "noise": "吵 叫",
}
_KIND_RES = {k: re.compile("|".join(map(re.escape, v.split()))) for k, v in PROBLEM_KINDS.items()}


_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
_SHE_RE = re.compile(r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})(?:社|组|队|号楼|单元)")


def places(text: str) -> frozenset[str]:
    """The numbered 社/组 a problem text names (三社 and 3组 are both "3")."""
    return frozenset(str(_number(n)) for n in _SHE_RE.findall(text))


def _number(num: str) -> int:
    if num.isdigit():
        return int(num)
    tens, ten, units = num.partition("十")
    if not ten:
        return int("".join(str(_NUMERALS[c]) for c in num))
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def problem_kinds(text: str) -> frozenset[str]:
    """The kinds of trouble a problem text names (``PROBLEM_KINDS``); empty when it names none."""
    return frozenset(k for k, rx in _KIND_RES.items() if rx.search(text))


def _strip(text: str) -> str:
    text = _NUMBER_RE.sub("，", text)
    for rx in _BOILERPLATE_RES:
        text = rx.sub("，", text)
    return text


def _is_alone(clause: str, first_or_last: bool) -> bool:
    """A clause that is only a name, a title, a village or 社: who or where, not what."""
    if not clause or (len(clause) == 1 and clause in "了啊呀吧呢哦嗯的啦哈"):
        return True
    if clause in NAMES or _PLACE_NAME_RE.match(clause):
        return True
    if not _ALONE_RE.match(clause):
        return False
    # a surname and one or two characters is a name only at the ends, and never "马死了"
    return first_or_last or not any(ch in _PROBLEM_CHARS for ch in clause)


def problem_clauses(text: str) -> list[str]:
    """The clauses of a message that say something about the problem (normalised)."""
    raw = unicodedata.normalize("NFKC", text if isinstance(text, str) else str(text or ""))
    raw = _strip(raw[: SIM_CHARS * 2])
    clauses = [c for c in _CLAUSE_SPLIT_RE.split(raw) if c]
    last = len(clauses) - 1
    kept = [c for i, c in enumerate(clauses) if not _is_alone(c, i in (0, last))]
    return [n for n in (normalize(c) for c in kept) if n]


@functools.lru_cache(maxsize=8192)
def _clauses(text: str) -> tuple[str, ...]:
    return tuple(problem_clauses(text))


def problem_text(text: str, own: Iterable[str] = ()) -> str:
    """What a message says about its problem: the message without greetings, self-introductions,
    names, phone and ID numbers, sign-offs, and a village or 社 named alone. ``own``: the same
    villager's other messages; a clause they also wrote there (a habitual opening or sign-off)
    is dropped too."""
    clauses = _clauses(text if isinstance(text, str) else str(text or ""))
    own = list(own or ())
    if own:
        habitual = {c for t in own for c in _clauses(t if isinstance(t, str) else str(t or "")) if len(c) >= 2}
        clauses = [c for c in clauses if c not in habitual]
    return "，".join(clauses)[:SIM_CHARS]


def _is_object(word: str) -> bool:
    if word in PREDICATES or word in GENERIC or word in _PLACE_WORDS or word in NAMES or word in _LOCATIVES:
        return False
    if word.isdigit() or _PLACE_NAME_RE.match(word) or any(ch in word for ch in "不没了的得"):
        return False
    if len(word) == 2 and word[1] in "上里边下内外":  # 路上, 河里, 家里: where
        return False
    if len(word) == 1:
        return word in _SINGLE_OBJECTS
    return bool(_RUN_RE.fullmatch(word))


def _segment_objects(segment: str) -> set[str]:
    """The object words of a stretch of text: no places (a word before 门口, 旁边 …), no verbs."""
    words = [w.lower() for w in tokenize(segment)]
    found: set[str] = set()
    for i, w in enumerate(words):
        if i + 1 < len(words) and words[i + 1] in _LOCATIVES:
            continue  # 学校(门口), 小卖部(门口): where, not what
        if _is_object(w):
            found.add(w)
        elif w in _OBJECT_OF:
            found.add(_OBJECT_OF[w])
        else:  # 灯不亮 → 灯, 水管没水 → 水管
            head = re.split("[不没]", w, maxsplit=1)[0]
            if head != w and (_is_object(head) or head in _OBJECT_OF):
                found.add(_OBJECT_OF.get(head, head))
    return found


def _clause_objects(clause: str) -> set[str]:
    """The things a clause is about: in "村委会旁边的电线杆歪了" the words after the last 的
    (the head: 电线杆), else the words before it."""
    for segment in reversed(clause.split("的")):
        found = _segment_objects(segment)
        if found:
            return found
    return set()


@functools.lru_cache(maxsize=8192)
def _problem(text: str, generation: int = 0) -> tuple[Features, frozenset[str]]:
    """(features, objects) of a problem text (see ``problem_text``)."""
    words, grams = _raw_features(text)
    objects: set[str] = set()
    for clause in text.split("，"):
        objects |= _clause_objects(clause)
    known = _known_words()
    objects |= {w[i:j] for w in list(objects) if len(w) >= 3 for i in range(len(w)) for j in range(i + 2, len(w) + 1)
                if (i, j) != (0, len(w)) and w[i:j] in known and _is_object(w[i:j])}  # 自来水管 → 水管
    objects |= {_OBJECT_OF[w] for w in list(objects) if w in _OBJECT_OF}
    objects |= {w[-1] for w in list(objects) if len(w) == 2 and w[-1] in _SINGLE_OBJECTS}
    # 停电 and 没电 both count 电, the thing the two reports are about
    aliases = sorted(o for o in objects if len(o) == 1 and o not in words)
    return _bag(words + aliases, grams), frozenset(objects), problem_kinds(text), places(text)


def problem(text: str, own: Iterable[str] = ()) -> tuple:
    """The problem of a message as (weighted bag, objects, kinds of trouble, numbered places,
    problem text); cached like ``features``."""
    _check_generation()
    ptext = problem_text(text, own)
    return (*_problem(ptext, tokenizer.generation()), ptext)


def objects(text: str) -> frozenset[str]:
    """The things a message's problem is about (路灯, 水管, 变压器, 低保, 电 …)."""
    return problem(text)[1]


def _shares_object(a: tuple, b: tuple) -> bool:
    """An object in common, or an object (two characters or more) of one written in the other
    (jieba may cut "三社路灯不亮" as 三社路|灯不亮)."""
    if a[1] & b[1]:
        return True
    return any(len(o) >= 2 and o in b[4] for o in a[1]) or any(len(o) >= 2 and o in a[4] for o in b[1])


def _score(a: tuple, b: tuple) -> float:
    if not _shares_object(a, b):  # nothing in common that the problem is about
        return 0.0
    if a[2] and b[2] and not (a[2] & b[2]):  # the same thing, another trouble (病 / 丢)
        return 0.0
    if a[3] and b[3] and not (a[3] & b[3]):  # the same trouble in another 社 (三社 / 五社)
        return 0.0
    return a[0].cosine(b[0])


def similarity(a: str, b: str) -> float:
    """How alike the *problems* of two messages are, 0.0 .. 1.0; symmetric.

    Cosine of IDF-weighted jieba words + character bigrams of ``problem_text`` (no
    greetings, names, phone numbers, sign-offs); 0.0 when the two share no object (the
    thing that is broken or needed), whatever else they share.
    """
    return round(_score(*_pair(a, b)), 4)


def _pair(a: str, b: str, own: Iterable[str] = ()) -> tuple[tuple, tuple]:
    """The two problems, without the clauses both messages have word for word (the same
    opening, greeting or sign-off is no evidence of the same problem); when that leaves
    one side with nothing, the shared clauses were the problem itself and are kept."""
    own = tuple(own or ())
    pa, pb = problem(a, own + (b,)), problem(b, (a,))
    if not pa[-1] or not pb[-1]:
        return problem(a, own), problem(b)
    return pa, pb


def find_duplicate(text: str, candidates: Iterable[tuple[Hashable, str]] | Sequence[tuple[Hashable, str]],
                   threshold: float = DUPLICATE_THRESHOLD, own: Iterable[str] = ()) -> Hashable | None:
    """The key of the candidate whose problem is the most similar to ``text``'s, if at least
    ``threshold`` (``similarity``: the problem content, with an object in common).

    ``candidates`` are ``(key, text)`` pairs, e.g. the open requests of other villagers of
    the same village within the duplicate window; the caller chooses them (never the same
    villager's own requests). ``own``: the villager's other messages, whose repeated
    clauses (a habitual sign-off) are no evidence. Ties go to the first candidate. None
    when nothing is close enough.
    """
    best_key, best = None, -1.0
    target = problem(text, own)
    if not target[0].weights or not target[1]:
        return None
    own = tuple(own or ())
    for key, other in candidates:
        score = _score(*_pair(text, other, own))
        if score > best:
            best_key, best = key, score
    return best_key if best >= threshold else None


def best_match(text: str, candidates: Iterable[tuple[Hashable, str]]) -> tuple[Hashable | None, float]:
    """(key, score) of the candidate with the most similar problem, whatever the score (for tooling)."""
    best_key, best = None, 0.0
    target = problem(text)
    for key, other in candidates:
        score = _score(target, problem(other))
        if score > best:
            best_key, best = key, score
    return best_key, round(best, 4)


class _CallableModule(types.ModuleType):
    """``nlp.similarity(a, b)`` works even where ``nlp.similarity`` is this module.

    ``import nlp.similarity`` (or ``from nlp.similarity import find_duplicate``)
    binds the *module* to the package attribute ``nlp.similarity``, shadowing the
    function of the same name that ``nlp`` exports; calling the module calls it.
    """

    def __call__(self, a: str, b: str) -> float:
        return similarity(a, b)


sys.modules[__name__].__class__ = _CallableModule
