"""What a villager who writes Tibetan reads: the Tibetan twins of ``handlers/texts.py``.

Each constant keeps the SAME ``{placeholders}`` as the Chinese constant of the same
name (tests/unit/nlp/test_tibetan.py checks it). Short, plain sentences in standard
written Tibetan; the Chinese meaning of every line is in docs/tibetan.md.

The placeholders are filled as for Chinese: ``{village}`` and ``{team}`` are Chinese
names (``TEAM_NAMES_BO`` has the teams in Tibetan), ``{due}`` is "06月03日18:00" and
``{number}`` "GC-2026-000123". The sentences are built so that no case particle has to
agree with a placeholder (ལ, ནས, མ་སླེབས་གོང་ལ, brackets), whatever script fills it.

ALL TIBETAN HERE AWAITS REVIEW BY A NATIVE SPEAKER (preferably Amdo, from the county).

Words the villager is told to reply are understood by ``nlp.tibetan.intent``:
“འདྲི་རྩད” → query, “ཡིན” → yes, “མིན” → no; the language words are ``LANGUAGE_WORDS``.
Stdlib only, like texts.py: no imports from bot/ or nlp/.
"""
from __future__ import annotations

import unicodedata

WELCOME = (
    "“村声”ལ་དགའ་བསུ་ཞུ། དཀའ་ངལ་དང་གནད་དོན། ཡང་ན་རེ་འདུན་ཡོད་ན། ཡི་གེའམ་སྐད་འཕྲིན་གྱིས་ཐད་ཀར་ང་ཚོར་ཤོད་རོགས། "
    "ང་ཚོས་གྲོང་ཚོའི་ལས་དོན་རུ་ཁག་འབྲེལ་ཡོད་ལ་སྤྲོད་ནས། ཨང་རྟགས་དང་ཐག་གཅོད་བྱེད་དུས་ཁྱེད་ལ་བརྡ་སྤྲོད་བྱེད།\n"
    "“འདྲི་རྩད”ཅེས་ལན་བཏབ་ན་ལས་དོན་གྱི་གནས་སྟངས་ལྟ་ཐུབ།"
)
ASK_VILLAGE = "ཁྱེད་གྲོང་ཚོ་གང་ནས་ཡིན། གྲོང་ཚོའི་མིང་ལན་དུ་བྲིས་རོགས། དཔེར་ན། {example}"
ASK_VILLAGE_AGAIN = "གྲོང་ཚོ་འདི་རྙེད་མ་སོང་། ཁྱེད་སྡོད་སའི་གྲོང་ཚོའི་མིང་བྲིས་རོགས། དཔེར་ན། {example}"
CONFIRM_VILLAGE = "ཁྱེད་{village}ནས་ཡིན་ནམ། ཡིན་ན་“ཡིན”ཞེས་ལན་འདེབས་རོགས། མིན་ན་“མིན”ཞེས་ལན་བཏབ་ནས་བསྐྱར་དུ་འདེམས།"
VILLAGE_SET = "ལགས་སོ། ཁྱེད་གྲོང་ཚོ་{village}ལ་ཐོ་བཀོད་བྱས་ཟིན།"

CREATED = (
    "ལེན་ཟིན། ཨང་རྟགས {number}།\n{village}{team}ལ་སྤྲད་ཟིན། དུས་ཚོད་{due} མ་སླེབས་གོང་ལ་ཐག་གཅོད་བྱེད།{dup_note}"
    "\n“འདྲི་རྩད”ཅེས་ལན་བཏབ་ན་གནས་སྟངས་ལྟ་ཐུབ།"
)
# what CREATED's {dup_note} holds for a Tibetan reader (texts.DUPLICATE_NOTE)
DUPLICATE_NOTE = "\nགྲོང་མི་གཞན་གྱིས་གནད་དོན་འདི་སྔར་ཞུས་ཡོད།（{root}） མཉམ་དུ་ཐག་གཅོད་བྱས་ནས་འབྲས་བུ་ཁྱེད་ལ་བརྡ་སྤྲོད་བྱེད།"
CREATED_URGENT = (
    "ཛ་དྲག་གནས་ཚུལ་ལེན་ཟིན། ཨང་རྟགས {number}།\n{village}{team}དང་གྲོང་ཚོའི་ཏང་ཡིག་ལ་བརྡ་བཏང་ཟིན། "
    "དུས་ཚོད་{due} མ་སླེབས་གོང་ལ་ཐག་གཅོད་བྱེད།"
    "\nསྲོག་ལ་ཉེན་ཁ་ཡོད་ན་ལམ་སང་120（སྨན་བཅོས་མྱུར་སྐྱོབ） 119（མེ་སྐྱོན） ཡང་ན་110（ཉེན་རྟོག）ལ་ཁ་པར་གཏོང་རོགས།"
)
CREATED_REVIEW = (
    "ལེན་ཟིན། ཨང་རྟགས {number}།\nལས་བྱེད་པས་དུས་ཚོད་{due} མ་སླེབས་གོང་ལ་ལས་དོན་རུ་ཁག་གང་གིས་ཐག་གཅོད་བྱེད་དགོས་པ་གཏན་འཁེལ་བྱས་ནས་"
    "ཁྱེད་ལ་བརྡ་སྤྲོད་བྱེད།\n“འདྲི་རྩད”ཅེས་ལན་བཏབ་ན་གནས་སྟངས་ལྟ་ཐུབ།"
)
NO_OPEN = "ད་ལྟ་ཁྱེད་ལ་ཐག་གཅོད་བྱེད་བཞིན་པའི་ལས་དོན་མེད། གནད་དོན་ཡོད་ན་ཐད་ཀར་ང་ཚོར་ཤོད་རོགས།"
OPEN_LIST_HEAD = "ཁྱེད་ཀྱི་ཐག་གཅོད་བྱེད་བཞིན་པའི་ལས་དོན།"
HELP = (
    "བེད་སྤྱོད་བྱེད་ཐབས།\n1. ཡི་གེའམ་སྐད་འཕྲིན་གྱིས་གནད་དོན་ཐད་ཀར་ཤོད། ང་ཚོས་ཐོ་བཀོད་བྱས་ནས་ཨང་རྟགས་སྤྲོད།\n"
    "2. པར་དང་གནས་ས་ཁ་སྣོན་བྱེད་ཆོག\n3. “འདྲི་རྩད”ཅེས་ལན་བཏབ་ན་གནས་སྟངས་ལྟ་ཐུབ།\n"
    "4. རེ་འདུན་ཡོད་ན་“微心愿：”ཞེས་པའི་རྗེས་སུ་རེ་འདུན་བྲིས་ནས་བསྐུར།\n"
    "5. “中文”ཞེས་ལན་བཏབ་ན་རྒྱ་ཡིག་གིས་ལན་འདེབས།"
)
# a short message with no problem in it: how it works
SHORT_HELP = (
    "གནད་དོན་ནམ་རེ་འདུན་ཡོད་ན་བོད་ཡིག་གམ་སྐད་འཕྲིན་གྱིས་ཐད་ཀར་ང་ཚོར་ཤོད་རོགས། དཔེར་ན། “ལམ་སྒྲོན་ཆག་སོང་།” "
    "ང་ཚོས་ཐོ་བཀོད་བྱས་ནས་ཨང་རྟགས་སྤྲོད།\n“འདྲི་རྩད”ཅེས་ལན་བཏབ་ན་གནས་སྟངས་ལྟ་ཐུབ།"
)
THANKS = "ལགས་སོ། དོན་དག་ཡོད་ན་ནམ་ཡིན་ཡང་ང་ཚོར་ཤོད་རོགས།"
GREETING = (
    "བཀྲ་ཤིས་བདེ་ལེགས། གནད་དོན་ནམ་རེ་འདུན་ཡོད་ན་ཡི་གེའམ་སྐད་འཕྲིན་གྱིས་ཐད་ཀར་ང་ཚོར་ཤོད་རོགས། "
    "“འདྲི་རྩད”ཅེས་ལན་བཏབ་ན་གནས་སྟངས་ལྟ་ཐུབ།"
)

# ---- hearing back: the 回访 ---------------------------------------------------------
V_SURVEY = (
    "རྗེས་འདྲི། ཁྱེད་ཀྱིས་ཞུས་པའི་གནད་དོན（{number}）ཐག་གཅོད་བྱས་ཟིན། གནད་དོན་སེལ་སོང་ངམ། "
    "ཨང་གྲངས་1-5ནང་ནས་གཅིག་ལན་དུ་བྲིས་རོགས།（5 ཧ་ཅང་ཡིད་ཚིམ། 1 ཧ་ཅང་ཡིད་མི་ཚིམ།） "
    "“ཡིད་ཚིམ”ཡང་ན་“ཡིད་མི་ཚིམ”ཞེས་ལན་འདེབས་ཀྱང་ཆོག"
)
V_SURVEY_AGAIN = (
    "གནད་དོན（{number}）སེལ་སོང་ངམ། ཨང་གྲངས་1-5ནང་ནས་གཅིག་ལན་དུ་བྲིས་རོགས། "
    "“ཡིད་ཚིམ”ཡང་ན་“ཡིད་མི་ཚིམ”ཞེས་ལན་འདེབས་ཀྱང་ཆོག "
    "གནད་དོན་གསར་པ་ཡིན་ན་ཞིབ་ཕྲ་ཤོད་རོགས།"
)
V_THANKS_RATING = "ཁྱེད་ཀྱི་བསམ་འཆར་ལ་ཐུགས་རྗེ་ཆེ། ལས་དོན（{number}）མཇུག་སྒྲིལ་ཟིན།"
# whole answers to the 回访 question (texts.RATING_WORDS_GOOD / _BAD); the digits 1-5
# (also Tibetan ༡-༥: int("༥") == 5) work as in Chinese
RATING_WORDS_GOOD = {"ཡིད་ཚིམ", "ཧ་ཅང་ཡིད་ཚིམ", "ཚིམ", "སེལ་སོང", "ཡག་པོ", "ཡིན", "ལགས", "ལགས་སོ"}
RATING_WORDS_BAD = {"ཡིད་མི་ཚིམ", "ཧ་ཅང་ཡིད་མི་ཚིམ", "མི་ཚིམ", "སེལ་མེད", "མ་སེལ", "ཡག་པོ་མེད", "མེད", "མིན"}

# ---- Tibetan only (no Chinese constant in texts.py: the Chinese meaning is in ZH) -----
# ask what happened / which matter, when a Tibetan message says nothing we can register
ASK_PROBLEM = (
    "ཁྱེད་ལ་དཀའ་ངལ་ཅི་ཞིག་ཡོད། དོན་དག་དེ་ཡི་གེའམ་སྐད་འཕྲིན་གྱིས་ཞིབ་ཙམ་ཤོད་རོགས། "
    "དཔེར་ན། “ཆུ་སྦུབས་ཆག་སོང་།”"
)
LANGUAGE_SET = "ད་ནས་བོད་ཡིག་གིས་ལན་འདེབས་བྱེད། རྒྱ་ཡིག་དགོས་ན་“中文”ཞེས་ལན་འདེབས་རོགས།"
LANGUAGE_HINT = "“བོད་ཡིག”ཅེས་ལན་བཏབ་ན་བོད་ཡིག་གིས་དང་། “中文”ཞེས་ལན་བཏབ་ན་རྒྱ་ཡིག་གིས་ལན་འདེབས།"
# switched to Chinese (shown in Chinese, with the way back in Tibetan)
LANGUAGE_SET_TO_ZH = "好的，以后用汉语回复您。“བོད་ཡིག”ཅེས་ལན་བཏབ་ན་བོད་ཡིག་ལ་བསྒྱུར།"

# the Chinese of the Tibetan-only constants, for bilingual(X, ZH["X"])
ZH = {
    "ASK_PROBLEM": "请问遇到了什么困难？请用文字或语音详细说一说，例如：水管坏了。",
    "LANGUAGE_SET": "以后用藏文回复您。需要汉语请回复“中文”。",
    "LANGUAGE_HINT": "回复“བོད་ཡིག”用藏文，回复“中文”用汉语。",
}

# the five teams (and 微心愿) in Tibetan, by label (nlp.labels.LABELS), e.g. for {team}
TEAM_NAMES_BO = {
    "ecology": "སྐྱེ་ཁམས་ཤེས་རིག་ལས་དོན་རུ་ཁག",  # 生态文明工作队
    "industry": "ཐོན་ལས་སྐུལ་སློང་ལས་དོན་རུ་ཁག",  # 产业促进工作队
    "welfare": "སྤྱི་ཚོགས་འགན་ལེན་ལས་དོན་རུ་ཁག",  # 社会保障工作队
    "governance": "སྤྱི་ཚོགས་སྲིད་སྐྱོང་ལས་དོན་རུ་ཁག",  # 社会治理工作队
    "culture": "རིག་གནས་ཁྱབ་བསྒྲགས་ལས་དོན་རུ་ཁག",  # 文化宣传工作队
    "wish": "རེ་འདུན་ཆུང་ཆུང",  # 微心愿
}

# a whole message that switches the reply language
LANGUAGE_WORDS = {
    "bo": {"བོད་ཡིག", "བོད་སྐད", "藏文", "藏语"},
    "zh": {"中文", "汉语", "汉文", "རྒྱ་ཡིག", "རྒྱ་སྐད"},
}
_STRIP = " \t\r\n\u3000\u0f0b\u0f0c\u0f0d\u0f0e\u0f14。.!！?？,，、\"'“”‘’「」《》"


def bilingual(bo: str, zh: str) -> str:
    """The Tibetan line(s), a newline, then the Chinese (for a villager whose language
    is not known yet). One of them empty: the other alone."""
    if not bo:
        return zh
    if not zh:
        return bo
    return f"{bo}\n{zh}"


def language_choice(text: str) -> str | None:
    """'bo' / 'zh' when the whole message is one of ``LANGUAGE_WORDS`` (spaces,
    tsheg, shad and punctuation around it ignored: “བོད་ཡིག།”, " 中文 。"), else None."""
    word = unicodedata.normalize("NFC", text or "").strip(_STRIP)
    for lang, words in LANGUAGE_WORDS.items():
        if word in words:
            return lang
    return None
