"""Tibetan script support (nlp.tibetan) and the Tibetan replies (handlers.texts_bo).

Pure functions, no model, no database: microseconds each.
"""
from __future__ import annotations

import string
import unicodedata
from pathlib import Path

import pytest

from handlers import texts, texts_bo
from nlp import tibetan
from nlp.labels import LABELS
from nlp.tibetan import CONFIDENCE_MAX, CONFIDENCE_MIN, LEXICON, Topic

REPO = Path(__file__).resolve().parents[3]
REVIEW_THRESHOLD = 0.45  # config/settings.py


# --- share / is_tibetan / has_tibetan ------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("ཐུགས་རྗེ་ཆེ།", 1.0),
    ("བཀྲ་ཤིས་བདེ་ལེགས། 123 😀", 1.0),
    ("路灯坏了", 0.0),
    ("hello road", 0.0),
    ("😀🙏👍🏽", 0.0),
    ("", 0.0),
    ("   ", 0.0),
    ("་།", 0.0),
    ("༡༢༣", 0.0),
])
def test_share(text, expected):
    assert tibetan.share(text) == expected


def test_share_mixed():
    # ཡིན = ཡ ི ན: three Tibetan letters against four Han characters; digits and emoji ignored
    assert tibetan.share("路灯坏了 ཡིན 2026 😀") == pytest.approx(3 / 7)
    assert tibetan.share("ཆུ་སྦུབས་ཆག་སོང་། 水管") == pytest.approx(12 / 14)
    assert tibetan.share(None) == 0.0


@pytest.mark.parametrize("text,is_bo,has_bo", [
    ("ཐུགས་རྗེ་ཆེ།", True, True),
    ("ཆུ་སྦུབས་ཆག་སོང་། 水管 GC-2026-000123", True, True),
    ("ངའི་低保་མ་ཐོབ།", True, True),
    ("路灯 broken 坏了 ཡིན 😀", False, True),
    ("我家水管坏了 ཡིན", False, True),
    ("路灯坏了", False, False),
    ("😀😀", False, False),
    ("", False, False),
    ("༄༅། ། ༡༢", False, False),
])
def test_is_and_has_tibetan(text, is_bo, has_bo):
    assert tibetan.is_tibetan(text) is is_bo
    assert tibetan.has_tibetan(text) is has_bo


# --- syllables -------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("ཐུགས་རྗེ་ཆེ།", ["ཐུགས", "རྗེ", "ཆེ"]),
    ("བཀྲ་ཤིས་བདེ་ལེགས།།", ["བཀྲ", "ཤིས", "བདེ", "ལེགས"]),
    ("༄༅། །ཆུ་སྦུབས་ཆག་སོང་། ཆུ་མི་འདུག", ["ཆུ", "སྦུབས", "ཆག", "སོང", "ཆུ", "མི", "འདུག"]),
    ("ཆུ༌མེད", ["ཆུ", "མེད"]),  # non-breaking tsheg
    ("ངའི་低保་མ་ཐོབ། 2026", ["ངའི", "མ", "ཐོབ"]),
    ("路灯坏了", []),
    ("", []),
])
def test_syllables(text, expected):
    assert tibetan.syllables(text) == expected


def test_syllables_nfc():
    # U+0F73 (ii) decomposes to U+0F71 U+0F72 under NFC: both spellings give the same syllable
    assert tibetan.syllables("ཀ\u0f73") == tibetan.syllables("ཀ\u0f71\u0f72")
    assert all(unicodedata.is_normalized("NFC", s) for s in tibetan.syllables("ཀ\u0f73་ཆེ"))


# --- intent ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("ཐུགས་རྗེ་ཆེ།", "thanks"),
    ("ཐུགས་རྗེ་ཆེ་ལགས།", "thanks"),
    ("ཧ་ཅང་ཐུགས་རྗེ་ཆེ། 🙏", "thanks"),
    ("ཐུགས་རྗེ་ཆེ་ཆེ།", "thanks"),
    ("བཀའ་དྲིན་ཆེ།", "thanks"),
    ("ཐུགས་རྗེ་ཆེའོ།", "thanks"),
    ("བཀྲ་ཤིས་བདེ་ལེགས།", "greeting"),
    ("བཀྲ་ཤིས་བདེ་ལེགས་ལགས།", "greeting"),
    ("ཁྱེད་རང་བདེ་མོ་ཡིན་པས།", "greeting"),
    ("བཀྲ་ཤིས་བདེ་ལེགས། ཐུགས་རྗེ་ཆེ།", "thanks"),
    ("ཡིན།", "yes"),
    ("ཡོད།", "yes"),
    ("ལགས།", "yes"),
    ("ལགས་སོ།", "yes"),
    ("ཡིན་ལགས།", "yes"),
    ("ཡིན། ཐུགས་རྗེ་ཆེ།", "yes"),
    ("མིན།", "no"),
    ("མེད།", "no"),
    ("མ་རེད།", "no"),
    ("ལགས་མ་རེད།", "no"),
    ("ག་འདྲ་བྱུང་།", "query"),
    ("ངའི་ལས་དོན་ག་འདྲ་འདུག", "query"),
    ("བྱས་ཚར་སོང་ངམ།", "query"),
    ("བྱས་ཚར་རམ།", "query"),
    ("ཐག་གཅོད་བྱས་སོང་ངམ།", "query"),
    ("འདྲི་རྩད", "query"),
    ("GC-2026-000123 ག་འདྲ་བྱུང་།", "query"),
    ("བཀྲ་ཤིས་བདེ་ལེགས། ངའི་གནད་དོན་ག་འདྲ་བྱུང་།", "query"),
    ("རོགས་རམ།", "help"),
    ("བེད་སྤྱོད་བྱེད་ཐབས།", "help"),
])
def test_intent(text, expected):
    assert tibetan.intent(text) == expected


@pytest.mark.parametrize("text", [
    "ཆུ་སྦུབས་ཆག་སོང་།",  # a report
    "ཐུགས་རྗེ་ཆེ། ཆུ་སྦུབས་ཆག་སོང་།",  # thanks, then a report
    "ཐུགས་རྗེ་ཆེ། 路灯坏了",  # Chinese beside it
    "ok ཐུགས་རྗེ་ཆེ",
    "ཡིན་མིན།",  # yes and no
    "ངའི་ཐུགས་རྗེ་ཆེ",  # "my" belongs to a query only
    "ཨ་ཁུ་ལགས།",
    "谢谢",
    "",
    "😀",
    "ཐུགས་རྗེ་ཆེ་" * 13,  # too long to be a reply
])
def test_intent_none(text):
    assert tibetan.intent(text) is None


# --- topic -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,label,name", [
    ("ཆུ་སྦུབས་ཆག་སོང་།", "governance", "饮水"),
    ("ཆུ་མི་འདུག ཉིན་གསུམ་སོང་།", "governance", "饮水"),
    ("ས་ལམ་ཆག་འདུག", "governance", "道路"),
    ("ཟམ་པ་ཉམས་ཆག་ཐེབས་འདུག", "governance", "道路"),
    ("ལམ་སྒྲོན་ཆག་སོང་།", "governance", "路灯"),
    ("གློག་ཆད་ནས་ཉིན་གསུམ་སོང་།", "governance", "电力"),
    ("ཁ་པར་གྱི་བརྡ་རྟགས་མི་འདུག", "governance", "信号"),
    ("རྩྭ་ཐང་ལ་ཨ་བྲ་མང་པོ་འདུག", "ecology", "草场"),
    ("བྱི་བས་རྩྭ་ས་བཤིག་སོང་།", "ecology", "草场"),
    ("གད་སྙིགས་སུ་ཡང་ཁུར་མི་འདུག", "ecology", "垃圾"),
    ("བཙོག་ཆུ་ཁྱིམ་གྱི་མདུན་དུ་འཛག་གི་འདུག", "ecology", "污水"),
    ("ངའི་གཡག་ན་སོང་།", "industry", "牲畜"),
    ("ལུག་གསུམ་ཤི་སོང་།", "industry", "牲畜"),
    ("ལུག་ལ་ནད་ཕོག་སྟེ་ཕྱུགས་སྨན་པ་དགོས།", "industry", "牲畜"),
    ("ལས་ཀའི་གླ་ཕོགས་མ་ཐོབ།", "industry", "务工"),
    ("ངའི་བུ་ལག་རྩལ་སློབ་སྦྱོང་ལ་འགྲོ་འདོད།", "industry", "务工"),  # training is industry (rule 5)
    ("ངའི་རྒན་གསོ་དངུལ་མ་ཐོབ།", "welfare", "补贴"),
    ("ངའི་低保་མ་ཐོབ།", "welfare", "补贴"),
    ("ཕྲུ་གུ་སློབ་གྲྭར་འགྲོ་གི་མེད།", "welfare", "学校"),
    ("ཨ་མ་ན་སོང་། སྨན་ཁང་ལ་འགྲོ་དགོས།", "welfare", "医疗"),
    ("ངའི་བུ་དབང་པོ་སྐྱོན་ཅན་ཡིན།", "welfare", "残疾"),
    ("ཁང་པར་ཆར་ཆུ་འཛག་གི་འདུག", "welfare", "房屋"),
    ("ཁྱིམ་མཚེས་དང་རྩྭ་ས་མཚམས་ཀྱི་འཁྲུག་རྩོད་བྱུང་།", "governance", "纠纷"),
    ("ངའི་ལུག་བཅུ་རྐུན་མས་ཁྱེར་སོང་།", "governance", "偷盗"),
    ("ཁ་པར་ནང་མགོ་སྐོར་བཏང་སོང་།", "governance", "诈骗"),
    ("རྟ་རྒྱུགས་འཚོགས་རོགས།", "culture", "文化活动"),
    ("སྲིད་ཇུས་གསལ་བཤད་གནང་རོགས།", "culture", "宣讲"),
])
def test_topic(text, label, name):
    t = tibetan.topic(text)
    assert isinstance(t, Topic)
    assert (t.label, t.topic) == (label, name)
    assert CONFIDENCE_MIN <= t.confidence <= CONFIDENCE_MAX < REVIEW_THRESHOLD
    known = {w for _, words in LEXICON.values() for w in words} | set(tibetan.LOANWORDS) | set(tibetan.WITH_LIVESTOCK)
    assert t.evidence and set(t.evidence) <= known


def test_every_topic_is_reachable_and_labels_are_teams():
    for name, (label, words) in LEXICON.items():
        assert label in LABELS and label != "wish", name
        assert words, name
        for word in words:
            assert unicodedata.is_normalized("NFC", word) and tibetan.is_tibetan(word), word
            t = tibetan.topic(word)
            assert t is not None and t.label == label and word in t.evidence, (name, word)


def test_topic_confidence_grows_with_words_within_range():
    one = tibetan.topic("ཆུ་སྦུབས་ཆག་སོང་།")
    two = tibetan.topic("ཆུ་སྦུབས་ཆག་སོང་། ཆུ་མི་འདུག")
    three = tibetan.topic("ཆུ་སྦུབས་ཆག་ནས་ཆུ་མི་འདུག ཁྲོན་པ་ཡང་སྐམ་འདུག")
    many = tibetan.topic("ཆུ་སྦུབས། ཆུ་དོང། ཁྲོན་པ། འཐུང་ཆུ། ཆུ་མཛོད། ཆུ་ཆད།")
    assert one.confidence < two.confidence < three.confidence < many.confidence == CONFIDENCE_MAX
    assert one.evidence == ("ཆུ་སྦུབས",)
    assert three.evidence == ("ཆུ་སྦུབས", "ཆུ་མི་འདུག", "ཁྲོན་པ")
    # the same word again is not a second word
    assert tibetan.topic("ཆུ་སྦུབས་ཆག ཆུ་སྦུབས་ཆག").confidence == one.confidence


def test_topic_two_labels():
    tied = tibetan.topic("སློབ་གྲྭའི་ས་ལམ་ཆག་འདུག")  # school (welfare) + road (governance)
    assert tied.confidence == CONFIDENCE_MIN
    assert tied.label == "governance"  # the earlier topic in LEXICON
    alone = tibetan.topic("ཆུ་སྦུབས་ཆག ཆུ་མི་འདུག")
    beside = tibetan.topic("ཆུ་སྦུབས་ཆག ཆུ་མི་འདུག སློབ་གྲྭ")
    assert beside.label == "governance" and beside.topic == "饮水"
    assert CONFIDENCE_MIN < beside.confidence < alone.confidence


def test_topic_sick_animal_is_industry_sick_person_is_welfare():
    assert tibetan.topic("ངའི་གཡག་ལ་ནད་ཕོག་སྟེ་སྨན་བཅོས་དགོས།").label == "industry"
    assert tibetan.topic("ངའི་ཨ་མ་ལ་ནད་ཕོག་སྟེ་སྨན་བཅོས་དགོས།").label == "welfare"
    assert tibetan.topic("ཨ་ཕ་ཤི་སོང་།") is None  # death words count only beside an animal


@pytest.mark.parametrize("text", [
    "དེ་རིང་གནམ་གཤིས་ཡག་པོ་འདུག",  # the weather is nice today
    "ཆུ་ཚོད་གསུམ་སོང་།",  # three hours (ཆུ alone is not water)
    "ལམ་སང་ཤོག",  # come at once (ལམ alone is not a road)
    "ནོར་བུ་ཡིན།",  # a name (ནོར is not listed)
    "བཀྲ་ཤིས་བདེ་ལེགས།",
    "ཐུགས་རྗེ་ཆེ།",
    "水管坏了，没水了",  # Chinese: the classifier's
    "我家低保被停了",
    "路灯坏了 ཡིན",
    "",
    "😀🙏",
    None,
])
def test_topic_none(text):
    assert tibetan.topic(text) is None


def test_topic_is_syllable_based():
    # a listed word glued into a longer syllable does not match
    assert tibetan.topic("ཆུ་སྦུབསཀ") is None
    # a fused case particle on the last syllable does
    assert tibetan.topic("སློབ་གྲྭར་འགྲོ").topic == "学校"
    assert tibetan.topic("ཁྲོན་པའི་ཆུ").topic == "饮水"


def test_topic_is_frozen():
    t = tibetan.topic("ས་ལམ་ཆག་འདུག")
    with pytest.raises(AttributeError):
        t.confidence = 0.9  # type: ignore[misc]


@pytest.mark.parametrize("text,expected", [
    ("ཁང་པར་མེ་ཤོར་སོང་།", True),
    ("ཨ་ཕ་རྨས་སོང་། ཁྲག་ཤོར་གྱི་འདུག", True),
    ("ཕྱུགས་ལ་ནད་ཡམས་བྱུང་།", True),
    ("མེ་མ་ཤོར།", False),
    ("རྨས་མེད།", False),
    ("ཆུ་སྦུབས་ཆག་སོང་།", False),
    ("路灯坏了", False),
    ("", False),
])
def test_is_urgent(text, expected):
    assert tibetan.is_urgent(text) is expected


# --- texts_bo --------------------------------------------------------------------------

REQUIRED = ["WELCOME", "ASK_VILLAGE", "ASK_VILLAGE_AGAIN", "CONFIRM_VILLAGE", "VILLAGE_SET", "CREATED",
            "CREATED_REVIEW", "CREATED_URGENT", "NO_OPEN", "OPEN_LIST_HEAD", "HELP", "SHORT_HELP", "THANKS",
            "GREETING", "V_SURVEY", "V_SURVEY_AGAIN", "V_THANKS_RATING", "ASK_PROBLEM", "LANGUAGE_SET",
            "LANGUAGE_HINT"]
BO_ONLY = {"ASK_PROBLEM", "LANGUAGE_SET", "LANGUAGE_HINT", "LANGUAGE_SET_TO_ZH"}


def _constants(module) -> dict[str, str]:
    return {k: v for k, v in vars(module).items() if k.isupper() and not k.startswith("_") and isinstance(v, str)}


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def test_required_constants_exist():
    missing = [name for name in REQUIRED if not isinstance(getattr(texts_bo, name, None), str)]
    assert not missing


@pytest.mark.parametrize("name", sorted(_constants(texts_bo)))
def test_texts_bo_placeholders_match_chinese(name):
    bo = getattr(texts_bo, name)
    if name in BO_ONLY:
        assert not hasattr(texts, name)
        assert _fields(bo) == set()
    else:
        assert _fields(bo) == _fields(getattr(texts, name))
    fields = _fields(bo)
    filled = bo.format(**{f: f"<{f}>" for f in fields})
    assert all(f"<{f}>" in filled for f in fields)
    assert tibetan.has_tibetan(filled)
    assert unicodedata.is_normalized("NFC", bo)


def test_texts_bo_created_uses_exactly_the_chinese_placeholders():
    assert _fields(texts_bo.CREATED) == _fields(texts.CREATED) == {"number", "village", "team", "due", "dup_note"}
    assert _fields(texts_bo.CREATED_URGENT) == {"number", "village", "team", "due"}
    assert _fields(texts_bo.CREATED_REVIEW) == {"number", "due"}


def test_texts_bo_reply_words_are_understood():
    # what the Tibetan texts tell the villager to reply
    assert "“འདྲི་རྩད”" in texts_bo.CREATED and tibetan.intent("འདྲི་རྩད") == "query"
    assert tibetan.intent("ཡིན") == "yes" and tibetan.intent("མིན") == "no"
    for word in texts_bo.RATING_WORDS_GOOD | texts_bo.RATING_WORDS_BAD:
        assert f"“{word}”" not in texts_bo.V_SURVEY or word in ("ཡིད་ཚིམ", "ཡིད་མི་ཚིམ")
    assert not texts_bo.RATING_WORDS_GOOD & texts_bo.RATING_WORDS_BAD
    assert {"ཡིད་ཚིམ", "ཡིད་མི་ཚིམ"} <= texts_bo.RATING_WORDS_GOOD | texts_bo.RATING_WORDS_BAD


def test_zh_counterparts_of_tibetan_only_texts():
    assert set(texts_bo.ZH) == BO_ONLY - {"LANGUAGE_SET_TO_ZH"}
    for zh in texts_bo.ZH.values():
        assert _fields(zh) == set() and "\n" not in zh


def test_bilingual():
    assert texts_bo.bilingual(texts_bo.GREETING, texts.GREETING) == texts_bo.GREETING + "\n" + texts.GREETING
    assert texts_bo.bilingual("ཡིན།", "") == "ཡིན།"
    assert texts_bo.bilingual("", "是") == "是"


def test_language_words():
    assert {"བོད་ཡིག", "藏文", "藏语"} <= texts_bo.LANGUAGE_WORDS["bo"]
    assert {"中文", "汉语", "རྒྱ་ཡིག"} <= texts_bo.LANGUAGE_WORDS["zh"]
    assert not texts_bo.LANGUAGE_WORDS["bo"] & texts_bo.LANGUAGE_WORDS["zh"]
    assert "\n" not in texts_bo.LANGUAGE_HINT
    assert "“བོད་ཡིག”" in texts_bo.LANGUAGE_HINT and "“中文”" in texts_bo.LANGUAGE_HINT
    for text, lang in [("བོད་ཡིག", "bo"), ("བོད་ཡིག།", "bo"), (" 藏文 ", "bo"), ("中文。", "zh"),
                       ("རྒྱ་ཡིག་", "zh"), ("汉语", "zh"), ("中文不好", None), ("", None), (None, None)]:
        assert texts_bo.language_choice(text) == lang, text
    # none of them is mistaken for a reply
    for word in texts_bo.LANGUAGE_WORDS["bo"] | texts_bo.LANGUAGE_WORDS["zh"]:
        assert tibetan.intent(word) is None and tibetan.topic(word) is None


def test_team_names_bo():
    assert set(texts_bo.TEAM_NAMES_BO) == set(LABELS)
    assert all(tibetan.is_tibetan(name) for name in texts_bo.TEAM_NAMES_BO.values())


# --- docs/tibetan.md lists every Tibetan text ---------------------------------------------

def test_docs_list_every_text_and_word():
    doc = (REPO / "docs" / "tibetan.md").read_text(encoding="utf-8")
    for name, value in _constants(texts_bo).items():
        for line in value.split("\n"):
            assert line.strip() in doc, (name, line)
    for _, words in LEXICON.values():
        for word in words:
            assert f"`{word}`" in doc, word
    for word in tibetan.URGENT:
        assert f"`{word}`" in doc, word
    for phrases in (*tibetan.INTENT_PHRASES.values(), tibetan.DONE_VERBS, tibetan.DONE_TAILS,
                    tibetan.WITH_LIVESTOCK, tibetan.LOANWORDS):
        for phrase in phrases:
            assert f"`{phrase}`" in doc, phrase
