"""What a villager's message is, in its context: the dialog acts (docs/dialog.md).

A message that is not a new problem must not become a request: thanks after 办结, a chase
(催办) of an open request, a supplement (补充) to it, a message with no problem in it at all.
These functions decide that from the words and the villager's context (open requests, the
ones finished in the last days, the question a person last asked). Pure and fast: regular
expressions and character bigrams, no database, no model (the caller passes the
classification it already has).

Same matter or new one is decided by content: a message that names a matter which none of
the open requests is about stays a new problem, whatever cue words it has.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from handlers.types import Context, OpenRequest
from nlp.similarity import problem_text

# ---- cues ---------------------------------------------------------------------------
_THANKS_CUE = re.compile(
    r"谢谢|谢了|多谢|感谢|谢啦|辛苦(了|啦|你们|您)|麻烦(你们|您)了|点赞|点个赞|干得好|干得不错|干的好|办得好|办的好|"
    r"办得不错|好样的|真好|太好了|挺好|很好用|好用|满意|卡卓|托切|感恩|给力|靠谱|费心了|操心了|麻烦了|"
    r"好得很|美得很|好着呢|不错|就这(两|几|些|一)?个?事"
)
# acknowledgement as the whole message (好, 嗯, ok alone are chatter: they get the short help)
_ACK_WHOLE = re.compile(
    r"(嗯嗯|嗯|哦哦|哦|好)?(好的|好滴|好嘞|行的|收到|收到了|知道了|明白了|晓得了|了解了?|懂了)"
    r"(好的|收到|谢谢|了|啊|呀|哈|嗯|啦|哦)*((那|那我|我)(就)?(再)?等着|等(你们的?)?消息)?(了|啊|呀|哈)*"
)
_FIXED = re.compile(r"(修|弄|搞|办|处理|解决|装|换|拉|清|送|通)(好|完|走|掉|干净|上)了|已经(好|通|亮|来|到)了|(亮|通|(?<![起出进过回])来|到)了")
_NOT_FIXED = re.compile(
    r"(没|没有|未|还没|还没有|并没|不)(修|弄|搞|办|处理|解决|好|来|通|亮|到|拉|管)|又(坏|不|停|漏|堵|断|没|出)|还是(不|没|坏|老样子)|"
    r"坏了|不行|不好用|不能用|不满意|有问题|出问题|怎么|咋|为什么|为啥|啥时候|什么时候|吗[？?]?$|[？?]"
)
_ACK_WORDS = re.compile(r"好的|收到了?|知道了|明白了|嗯|哦|你们|您|书记|主任|队长|同志|大家|了|啊|呀")
_PRAISE = re.compile(r"高兴|开心|好用|暖和|舒服|方便|好得很|美得很|喜欢|满意|干得好|办得好|点赞")
_POSITIVE_EMOJI = re.compile(r"^[\s\U0001F44D\U0001F44F\U0001F64F\U0001F490\U0001F339\u2764\uFE0F\U0001F60A\U0001F604"
                             r"\U0001F603\U0001F642\U0001F970\U0001F496\U0001F495\U0001F4AF\u270C\u2705\U0001F389]+$")

# impatience: a chase even when the message also reads as a progress question
_IMPATIENT = re.compile(
    r"怎么还(没|不|是没)|咋还(没|不)|为什么还(没|不)|为啥还(没|不)|还没(有)?人(来|管|理|修)|到底|"
    r"都[一二两三四五六七八九十几好\d]{1,3}(天|个星期|星期|周|个月|月|礼拜)了|等了|催|快点|赶紧|赶快|抓紧|没人管|没人来|"
    r"没有人来|没人理|没人问|拖(了|着)|一直没|一直不|好几天了?还|还要等多久|要等到什么时候|多久才|有没有人管|有人管(吗|没)|管不管"
)
_CHASE_CUE = re.compile(
    r"怎么还(没|不|是没)|咋还(没|不)|为什么还(没|不)|为啥还(没|不)|还没(有)?人(来|管|理|修)|还没(来|修|弄|管|处理|解决|拉|办|动静|回复|消息)|"
    r"到底(什么时候|啥时候|几时|管不管|有没有人|修不修|来不来|办不办|还管|要等)|"
    r"(什么时候|啥时候|几时)(才)?(能)?(来|修|拉|弄|办|管|处理|解决|派人)|"
    r"都[一二两三四五六七八九十几好\d]{1,3}(天|个星期|星期|周|个月|月|礼拜)了|等了[一二两三四五六七八九十几好\d]{0,3}(天|星期|周|个月|月|礼拜|半天|好久|很久)|"
    r"催(一下|一催|促|办)?|快点|赶紧|赶快|抓紧|没人管|没人来|没有人来|没人理|没人问|不管了|拖(了|着)|一直没|一直不|"
    r"好几天了?还|还要等多久|要等到什么时候|多久才|有没有人管|有人管(吗|没)|管不管|"
    r"^[一二两三四五六七八九十几好\d]{1,3}(天|个星期|星期|周|个月|礼拜)了|人呢|说好的|还是没|还是不|还没弄|还没好|还不来|"
    r"到底(咋|怎么|谁|啥)|说了(几|好几|多少|三|两)遍|跑了(两|几|好几|三)趟|等了多少天|一个人(都|也)不来|"
    r"快(点|些)?(过)?来|再不来|等不及|是不是忘了|给不给|修不修|查了没|有人认领了?没|^.{1,8}(的事)?呢$"
)
_REFERS_BACK = re.compile(r"上次|之前|前几天|前天|昨天|上回|那天|早上|刚才|刚刚")
_SUPPLEMENT_CUE = re.compile(
    r"补充|对了|忘了说|忘记说|忘说了|还要说|再说一下|说明一下|更正|说错了|写错了|搞错了|准确(地|的)?说|具体(位置|地点|地方|是|在)|"
    r"位置(在|是)|地点(在|是)|地方(在|是)|就在|就是那个|是那个|不是.{1,8}是|是第|第[一二三四五六七八九十\d]+(根|个|家|排|户|号|盏|条|棵|座)|"
    r"往(东|西|南|北|前|后|上|下)|东边|西边|南边|北边|旁边|对面|附近|门口|那一段|那一片|那一块|那一排|那边的"
)
_EXPLICIT_SUPPLEMENT = re.compile(r"补充|对了|忘了说|忘记说|忘说了|还要说|再说一下|更正|说错了|写错了|搞错了")
_QUESTION = re.compile(r"怎么办|怎么(申请|弄|办理|报|领)|如何|能不能|可不可以|能否|想问|请问|咨询|是不是|有没有|多少|[？?]")
_SPLIT = re.compile(r"[；;。！!？?\n]+|\s+(?=[^\s]{1,12}?也)|(?:^|\s+)[1-5]\s+|然后(?:那个|就是说|就是|呢|嗯)*|[，,、\s]*(?:还有就是|还有个事|还有一个事|还有一件事|还有|另外|另一个|再一个|再就是|再有|其次|"
                    r"第[二三四五]|二是|三是|四是|以及)[，,、：:\s]*|(?:^|[，,\s])[1-5一二三四五][.、．)）]")

# words that say nothing about which matter: stripped before comparing matters
_GENERIC = re.compile(
    r"那个|这个|那件|这件|就是说|就是|那边|这边|你们|您们|我们|咱们|俺们|我家|俺家|我们家|我的|俺的|上次|之前|前几天|"
    r"前天|昨天|上回|刚才|刚刚|说的|讲的|反映的|反映过|反映|报的|提的|说过|事情|事儿|问题|情况|诉求|到底|究竟|怎么|为什么|"
    r"为啥|咋|啥|什么|时候|几时|多久|还没有|还没|还不|没有|没人|有人|人来|来人|管不管|不管|管|一下|补充|对了|忘了说|"
    r"谢谢|辛苦|麻烦|书记|主任|领导|干部|同志|工作队|村里|赶紧|赶快|快点|抓紧|一直|好几|已经|现在|能不能|可以|"
    r"摆设|干不干事|干事|办事|有用没用|有没有用|有用|没用|白说|帮帮忙|帮忙|想反映|反映一下|看看|知道的|知道|礼拜|"
    r"星期|问一下|您好|你好|喂|负责|出了事|人呢|算了|是不是|忘了|村声|这个|一个|好几个|几个|要说|嘛|不办|啥事|都不|"
    r"等不及|等着|我的|我们的|咱的|回事|几遍|说了|我有|有个|有件|有点|不行|不好使|不管用|不灵|怎么了|没人管|"
    r"[了啊呀吧呢吗嘛哦嗯的都又也还就在是给和跟把天几一二两三多久等快点催拖来去过到能会要想请问事个位件次呀啦喽哈嘞]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# single characters that name a matter on their own (水的事咋样了)
_KEY_CHARS = frozenset("水电路灯桥网羊牛草粪厕狗火气暖房墙井渠沟车药钱")

# a remark with nothing to do: 发错了, 算了, 这样啊, 就是问个好 (no problem words with it)
_CHATTER = re.compile(
    r"^(哦|噢|嗯|唉|哎|哈|呵|那|是我|我|不好意思|对不起|没事|好吧|行吧)*(发错了|弄错了|按错了|记错了|搞错了|算了|试一下|试试|测试|"
    r"这样啊|这样呀|原来(是)?这样|原来如此|问个好|就是问个好|没事了?|没什么事|没啥事)"
)


# a greeting with nothing else: 书记好, 书记过年好 给您拜年了, 祝您工作顺利 扎西德勒
_GREETING = re.compile(
    r"^((书记|主任|队长|领导|干部|老师|大家|你们|您|你)*(好|您好|你好|早上好|晚上好|过年好|新年好|节日快乐|新年快乐|好啊)|"
    r"给您?拜年了?|拜年了?|打扰了?|祝(您|你|你们|大家)?.{0,12}|扎西德勒|身体健康|工作顺利|万事如意|吉祥如意|"
    r"没啥事|没什么事|没事|就是|试试这个号|试试|问个好|哈哈|呵呵)+$"
)


def is_greeting(text: str) -> bool:
    c = compact(text)
    return bool(c) and len(c) <= 40 and bool(_GREETING.fullmatch(c)) and bool(_GREETING_WORD.search(c)) \
        and not _problem_words(text)


# 好 and 哈哈 alone are chatter (they get the short help); a greeting says hello to someone
_GREETING_WORD = re.compile(r"(书记|主任|队长|领导|干部|老师|大家)\w{0,2}好|您好|你好|早上好|晚上好|过年好|新年好|新年快乐|"
                            r"节日快乐|拜年|扎西德勒|祝")


# 撤销 by what it is about: 停电那个取消吧 电来了, 收音机不要了 撤销吧
_CANCEL_WORD = re.compile(r"取消|撤销|撤回|不要了|不用了|不需要了|不用来了|不用修了|不用办了")


def cancel_target(text: str, ctx: Context) -> Act | None:
    """A cancellation that names the matter instead of the number: that open request."""
    c = compact(text)
    if not _CANCEL_WORD.search(c) or not ctx.open_requests or _NOT_FIXED.search(c.replace("不要了", "")
                                                                                .replace("不用", "")):
        return None
    hit, top = best_match(_CANCEL_WORD.sub("", text), ctx.open_requests)
    if hit is not None:
        return Act("cancel", hit.number)
    if len(ctx.open_requests) == 1 and not top:
        return Act("cancel", ctx.open_requests[0].number)
    return None


# asks how a matter stands, without impatience: 我那个桥的事办完了吗, 水的事咋样了
_PROGRESS_QUESTION = re.compile(r"(办|修|弄|处理|解决|搞)(完|好)了?(吗|没|没有|没得)|(怎么样|咋样|如何)了|进展(如何|怎样|怎么样)|"
                                r"到哪(一步)?了|有(结果|消息|回音)了?(吗|没)")


def is_progress_question(text: str) -> bool:
    c = compact(text)
    return len(c) <= 30 and bool(_PROGRESS_QUESTION.search(c)) and not _problem_words(_PROGRESS_QUESTION.sub("", c))


def is_chatter(text: str) -> bool:
    c = compact(text)
    return bool(c) and len(c) <= 24 and bool(_CHATTER.search(c)) and not _problem_words(text)


FINISHED_DAYS = 7  # requests finished this recently can be thanked for or asked about
SUPPLEMENT_RECENT_MINUTES = 24 * 60  # a place or detail without a cue joins a request this young
DETAIL_MAX_CHARS = 40  # … and is at most this long (Han characters)
ANSWER_HOURS = 72  # the question a person asked stays open this long
MAX_PARTS = 5  # at most this many requests from one message
SPLIT_READ_PIECES = 3 * MAX_PARTS  # pieces of a long message classified one by one
SPLIT_CLASSIFY_CHARS = 600  # a problem's text is classified on its first characters (the model reads no more)


@dataclass(frozen=True)
class Act:
    name: str  # thanks | chase | supplement | vague | several | answer
    number: str | None = None
    options: tuple[str, ...] = ()  # several requests fit: the villager is asked which
    parts: tuple[tuple[str, object], ...] = ()  # several: (text, classification) per problem


@functools.lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


# the typos that hide a cue or a matter (倒底 → 到底, 拉圾 → 垃圾)
_TYPOS = (("倒底", "到底"), ("啥时侯", "啥时候"), ("什么时侯", "什么时候"), ("拉圾", "垃圾"), ("路等", "路灯"),
          ("地保", "低保"), ("阿门了", "怎么了"), ("阿么了", "怎么了"))


@functools.lru_cache(maxsize=8192)  # a message is compacted by several acts: once is enough
def compact(text: str) -> str:
    c = re.sub(r"[^\w\u0f00-\u0fff]+", "", _norm(text)).replace("_", "")
    for wrong, right in _TYPOS:
        if wrong in c:
            c = c.replace(wrong, right)
    return c


@functools.lru_cache(maxsize=8192)
def matter(text: str) -> str:
    """The words that say which matter it is: the message without cue and generic words."""
    c = compact(text)
    for pattern in (_CHASE_CUE, _EXPLICIT_SUPPLEMENT, _THANKS_CUE, _FIXED):  # places (门口, 旁边) stay: they match
        c = pattern.sub("", c)
    return _GENERIC.sub("", c)


@functools.lru_cache(maxsize=8192)
def _features(text: str, keys: bool = True) -> frozenset[str]:
    """Character bigrams; and the key characters (水, 电, 路 …) when asked for: a short matter
    (水的事) has no bigram to compare, a longer one compares by bigrams alone."""
    han = "".join(_HAN.findall(text))
    grams = {han[i:i + 2] for i in range(len(han) - 1)}
    return frozenset(grams | {ch for ch in han if ch in _KEY_CHARS} if keys else grams)


def has_matter(text: str) -> bool:
    """Whether the message names a matter of its own (two Han characters or a key word left)."""
    m = "".join(_HAN.findall(matter(text)))
    return len(m) >= 2 or any(ch in _KEY_CHARS for ch in m)


def overlap(text: str, req: OpenRequest) -> int:
    """How much the message's matter shares with a request's text (bigrams and key words).

    Greetings, names, phone numbers, sign-offs and the clauses both texts have word for
    word (the villager's habitual opening) are no evidence of the same matter: they are
    dropped first (``nlp.similarity.problem_text``)."""
    other = req.text or req.summary
    mine_text, other_text = problem_text(text, (other,)), problem_text(other, (text,))
    m = "".join(_HAN.findall(matter(mine_text or text)))
    short = len(m) <= 3
    mine = _features(m, keys=short)
    if not mine:
        return 0
    return len(mine & _features(other_text or other, keys=short))


def best_match(text: str, requests: list[OpenRequest], label: str | None = None,
               confidence: float = 0.0) -> tuple[OpenRequest | None, list[OpenRequest]]:
    """The request the message is about (None: none or several fit), and those that fit."""
    scored = [(overlap(text, r), r) for r in requests]
    if label and confidence >= 0.5:
        scored = [(s + (1 if r.kind == label and s == 0 else 0), r) for s, r in scored]
    best = max((s for s, _ in scored), default=0)
    if best <= 0:
        return None, []
    top = [r for s, r in scored if s == best]
    return (top[0] if len(top) == 1 else None), top


# ---- the acts -----------------------------------------------------------------------
def is_thanks(text: str) -> bool:
    """Thanks, praise or a plain acknowledgement, with no complaint or question in it."""
    t = _norm(text)
    if not t:
        return False
    if _POSITIVE_EMOJI.fullmatch(t):
        return True
    c = compact(t)
    if not c:
        return False
    if _ACK_WHOLE.fullmatch(c):
        return True
    if _NOT_FIXED.search(c) or _QUESTION.search(t) or _CHASE_CUE.search(c) or _NEW_ITEM.search(c):
        return False
    if _PROBLEM_WORDS.search(_FIXED.sub("", c)) or "没钱" in c or _NEED.search(c):
        return False  # 儿子生病了没钱治，谢谢！ / 吵架了 谢谢书记 / 想学藏戏，谢谢！: a problem said politely
    rest = _ACK_WORDS.sub("", _THANKS_CUE.sub("", c))
    if len(_HAN.findall(rest)) > 8 and not (_FIXED.search(c) or _PRAISE.search(c)):
        return False  # much more than thanks, and none of it says the matter is done or good
    if len(c) > 40:
        return False
    if _THANKS_CUE.search(c):
        return True
    return bool(_FIXED.search(c)) and len(c) <= 12


def thanks_target(text: str, ctx: Context) -> str | None:
    """The request the thanks is for: the finished (or open) one it names, else the one just
    finished, else the newest open one."""
    recent = [r for r in ctx.recent if (r.finished_minutes or 0) <= FINISHED_DAYS * 24 * 60]
    hit, _ = best_match(text, recent + ctx.open_requests)
    if hit is not None:
        return hit.number
    if recent:
        return recent[0].number
    if ctx.open_requests:  # 好的 / 收到 after a cadre's progress: an acknowledgement on the newest
        return ctx.open_requests[0].number
    return None


def is_chase(text: str) -> bool:
    c = compact(text)
    return bool(_CHASE_CUE.search(c)) and not _NOT_A_CHASE.search(c)


def is_impatient(text: str) -> bool:
    c = compact(text)
    return bool(_IMPATIENT.search(c)) and not _NOT_A_CHASE.search(c)


_NOT_A_CHASE = re.compile(r"^(不用|不需要)(催|管)")


def is_vague(text: str, c) -> bool:
    """No matter named at all: 我家那个事你们到底管不管, 怎么还没人来, 那个事咋样了."""
    if has_matter(_uncued(text)):
        return False
    compacted = compact(text)
    return bool(compacted) and bool(_HAN.search(compacted)) and getattr(c, "intent", "problem") in (
        "problem", "wish", "query")


def chase_or_vague(text: str, c, ctx: Context) -> Act | None:
    """A chase (催办) of an open request, or a message that names no matter.

    - names a matter that one open request is about → chase on it;
    - names a matter none is about → None: a new problem (unless the words are only a chase);
    - names no matter → the only open request, or the villager is asked which / what happened.
    """
    chase = is_chase(text)
    vague = is_vague(text, c)
    if not (chase or vague):
        return None
    opens = [r for r in ctx.open_requests if r.kind != "wish" or r.status != "wish_pending"] or ctx.open_requests
    if has_matter(text):
        hit, top = best_match(text, opens, getattr(c, "label", None), getattr(c, "confidence", 0.0))
        if hit is not None:
            return Act("chase", hit.number)
        if len(top) > 1:
            return Act("chase", None, tuple(r.number for r in top[:5]))
        if opens and (chase or _REFERS_BACK.search(compact(text))) and not states_own_problem(_uncued(text)):
            # 说好的今天来 人呢 / 还没弄 我拿石头先挡着了: impatience, no problem of its own
            if len(opens) == 1:
                return Act("chase", opens[0].number)
            return Act("chase", None, tuple(r.number for r in opens[:5]))
        return None  # a matter of its own: a new problem
    if len(opens) == 1:
        return Act("chase", opens[0].number)
    if opens:
        return Act("chase", None, tuple(r.number for r in opens[:5]))
    return Act("vague")


_PROBLEM_WORDS = re.compile(
    r"坏|漏|堵|断|停|塌|倒了|没水|没电|不通|不亮|烂|臭|脏|病|死|偷|打架|吵|欠|拖欠|没发|没到|没给|不给|丢|咬|满了|"
    r"冻|锁|过期|到期|少了|没来|没人(拉|管|来|修|倒)|差得很|冒(出|烟|火)|被人|满出|大坑|陷|骗|"
    r"没(拿|领|收)到|(拿|领|收)不到|取不出|着火|起火|失火|火灾|冒烟|爆|欺负|难走|坑坑洼洼|坑洼|有坑|不吃|烫手|发烧|蔫|太多了|太贵|倒东西|乱倒|乱扔"
)
# another matter, said as such: 垃圾箱也倒了, 还有个事, 另外 … (a cue such as 对了 does not outweigh it)
_NEW_ITEM = re.compile(
    r"也.{0,4}?(没发|没到|没来|没人|没了|不亮|不通|不行|被|坏|倒|丢|病|漏|断|停|满|烂|冻|少|过期|到期|锁|烧|差)|"
    r"还有(个|一个|一件)(事|问题)?|另外|再一个|再有个?|另一个|然后那个还有"
)
# a need of its own: 想请老师来教, 能不能办个班, 有没有培训
_WEAK_NEW = re.compile(r"^(嗯|哦|那个|然后)*还有")  # 还有 …: another matter unless it shares the words
_NEED = re.compile(r"想(申请|请|要|学|问|办|让|给)|能不能|可不可以|能否|希望|申请|有没有|请(人|老师|你们|个)|帮(忙|着|我)")


def _uncued(text: str) -> str:
    """The message without its chase cues (还是没人来 → 今天, 出了事谁负责)."""
    return _CHASE_CUE.sub("", compact(text))


def _problem_words(text: str) -> bool:
    return bool(_PROBLEM_WORDS.search(compact(text)))


def is_new_item(text: str) -> bool:
    """The message says it is about another matter (也坏了, 还有个事, 另外)."""
    return bool(_NEW_ITEM.search(compact(text)))


def states_own_problem(text: str) -> bool:
    """A problem or need in its own words (坏了, 没发, 想请…), not only details (九岁, 三百亩, 农行的卡)."""
    c = compact(text)
    return bool(_PROBLEM_WORDS.search(c) or _NEED.search(c))


def supplement(text: str, c, ctx: Context, kind: str = "text") -> Act | None:
    """More about an open request: a detail, a correction, a place (photos and locations
    are handled by the attachment dialog).

    Decided by content, cue words only help: a message that says it is another matter
    (也坏了, 还有个事) is new; one about the matter of an open request (it shares its words)
    joins it; one that states no problem of its own (九岁 一米三, 卡号尾号4521, 是在州医院住的)
    joins the latest request while that is young; a problem of its own that shares nothing
    with any open request is new, whatever cue it starts with.
    """
    if not ctx.open_requests:
        return None
    cc = compact(text)
    if not cc:
        return None
    explicit = bool(_EXPLICIT_SUPPLEMENT.search(cc))
    cue = explicit or bool(_SUPPLEMENT_CUE.search(cc))
    latest = ctx.open_requests[0]
    young = latest.age_minutes <= SUPPLEMENT_RECENT_MINUTES
    hit, top = best_match(text, ctx.open_requests)
    own = states_own_problem(text)
    label, confidence = getattr(c, "label", None), getattr(c, "confidence", 0.0)
    if hit is not None and explicit:
        return Act("supplement", hit.number)  # 补充一下 箱子底也烂了: more about that box
    if is_new_item(text):
        return None
    if getattr(c, "priority", "") == "urgent" and hit is None:
        return None  # an emergency of its own (着火了 after 路塌了) is never folded into another matter
    if hit is not None and (cue or young or hit.age_minutes <= SUPPLEMENT_RECENT_MINUTES):
        if own and (hit.kind == "wish" or (label and hit.kind and label != hit.kind and confidence >= 0.7)):
            return None  # a problem for another team that happens to share a word (娃娃, 阿爷)
        return Act("supplement", hit.number)
    if _WEAK_NEW.search(cc):
        return None
    if own and has_matter(text):
        return None  # a problem of its own that shares nothing with an open request: new
    if has_matter(text) and not explicit and label and latest.kind and label != latest.kind and confidence >= 0.8:
        return None  # confidently another team's matter (农家书屋 after a sick sheep)
    if has_matter(text) and not cue and (not young or len(_HAN.findall(text)) > DETAIL_MAX_CHARS):
        return None  # a detail is short; a long text that shares nothing is a matter of its own
    if len(top) > 1:
        return Act("supplement", None, tuple(r.number for r in top[:5]))
    if young or len(ctx.open_requests) == 1 and cue:
        return Act("supplement", latest.number)
    if explicit:
        return Act("supplement", None, tuple(r.number for r in ctx.open_requests[:5]))
    return None


def split_problems(text: str, classify, threshold: float) -> tuple[tuple[str, object], ...]:
    """Several problems of different teams in one message: (text, classification) each.

    Split only at strong separators (。；, new lines, 还有 / 另外 / 第二, a numbered list),
    never at a comma alone; parts of the same team stay together, a part without a confident
    team joins the one before it. () when it is one problem."""
    t = _norm(text)
    if len(_HAN.findall(t)) < 8:
        return ()
    pieces = [p.strip(" ，,、：:") for p in _SPLIT.split(t)]
    pieces = [p for p in pieces if p and len(_HAN.findall(p)) >= 4]
    if len(pieces) < 2:
        return ()
    # a long letter: the first pieces are read one by one, the rest goes with the last problem
    # (nothing is dropped; each piece costs a classification)
    read, rest = pieces[:SPLIT_READ_PIECES], pieces[SPLIT_READ_PIECES:]
    groups: list[list] = []  # [label, [texts], classification]
    for piece in read:
        c = classify(piece)
        label = c.label if c.intent in ("problem", "wish") and c.confidence >= max(threshold, 0.5) else None
        if label is None or not has_matter(piece):
            if groups:
                groups[-1][1].append(piece)
            else:
                groups.append([None, [piece], c])
            continue
        same = next((g for g in groups if g[0] == label), None)
        if same is not None:
            same[1].append(piece)
        elif groups and groups[-1][0] is None:
            groups[-1][0], groups[-1][2] = label, c
            groups[-1][1].append(piece)
        else:
            groups.append([label, [piece], c])
    labelled = [g for g in groups if g[0] is not None]
    if len(labelled) < 2:
        return ()
    labelled[-1][1].extend(rest)
    if len(labelled) > MAX_PARTS:  # beyond that, the rest stays with the last one
        for g in labelled[MAX_PARTS:]:
            labelled[MAX_PARTS - 1][1].extend(g[1])
        labelled = labelled[:MAX_PARTS]
    for g in groups:  # leading unlabelled text joins the first problem
        if g[0] is None:
            labelled[0][1][:0] = g[1]
    out = []
    for label, texts_, c in labelled:
        joined = "；".join(texts_)
        out.append((joined, classify(joined[:SPLIT_CLASSIFY_CHARS]) if len(texts_) > 1 else c))
    return tuple(out)


def pending_question(ctx: Context, now_minutes: float | None = None) -> dict | None:
    """The question a person asked the villager about a request, while it is open."""
    asked = (ctx.state or {}).get("asked")
    if not isinstance(asked, dict) or not asked.get("number"):
        return None
    age = asked.get("age_minutes")
    if age is not None and age > ANSWER_HOURS * 60:
        return None
    return asked


__all__ = ["Act", "is_thanks", "thanks_target", "chase_or_vague", "supplement", "split_problems",
           "pending_question", "is_chatter", "is_progress_question", "is_greeting", "cancel_target", "has_matter", "best_match", "overlap", "is_new_item", "states_own_problem"]
