"""nlp.similarity / nlp.find_duplicate: the same problem said differently links up."""
from __future__ import annotations

import pytest

import nlp
from nlp.similarity import DUPLICATE_THRESHOLD, best_match


def test_same_burst_pipe_said_differently_is_a_duplicate():
    assert nlp.similarity("村口水管爆了", "村口的自来水管爆裂了到处是水") >= DUPLICATE_THRESHOLD


@pytest.mark.parametrize("a, b", [
    ("村口路灯坏了", "村口水管爆了"),
    ("村口水管爆了", "村口的垃圾堆满了"),
    ("村口水管爆了", "村口路面塌了"),
    ("停电了", "停水了"),
    ("我家低保被停了", "低保怎么申请"),
    ("垃圾好几天没人拉了", "村口路灯坏了"),
])
def test_different_problems_at_the_same_place_are_not(a, b):
    assert nlp.similarity(a, b) < DUPLICATE_THRESHOLD


@pytest.mark.parametrize("a, b", [
    ("村口水管爆了", "水管爆了，村口全是水"),
    ("村口水管爆了", "村口的水管破了"),
    ("学校门口的路灯坏了", "学校门口路灯坏了晚上黑乎乎的"),
    ("停电了", "又停电了一整天都没电"),
])
def test_paraphrases_are_close(a, b):
    assert nlp.similarity(a, b) >= DUPLICATE_THRESHOLD


def test_similarity_is_symmetric_bounded_and_total():
    a, b = "三组的路灯不亮了", "三组路灯坏了好几天了晚上黑乎乎的"
    assert nlp.similarity(a, b) == nlp.similarity(b, a)
    assert nlp.similarity(a, a) == pytest.approx(1.0)
    for x, y in [("", ""), ("", a), ("🙂🙂", a), ("hello", "hello"), (None, a), ("水" * 5000, a)]:
        assert 0.0 <= nlp.similarity(x, y) <= 1.0
    assert nlp.similarity("", a) == 0.0


def test_typo_normalisation_applies():
    assert nlp.similarity("拉圾没人收", "垃圾没人收") == pytest.approx(1.0)


def test_find_duplicate_picks_the_closest_open_request():
    candidates = [
        ("GC-1", "村口路灯坏了"),
        ("GC-2", "村口的自来水管爆裂了到处是水"),
        ("GC-3", "二组的垃圾没人拉"),
    ]
    assert nlp.find_duplicate("村口水管爆了", candidates, DUPLICATE_THRESHOLD) == "GC-2"
    assert nlp.find_duplicate("村口水管爆了", candidates[:1] + candidates[2:], DUPLICATE_THRESHOLD) is None
    assert nlp.find_duplicate("村口水管爆了", [], DUPLICATE_THRESHOLD) is None
    assert nlp.find_duplicate("🙂", candidates) is None
    assert nlp.find_duplicate("村口水管爆了", iter(candidates)) == "GC-2"  # any iterable, default threshold
    assert best_match("村口水管爆了", candidates)[0] == "GC-2"


def test_find_duplicate_picks_the_one_match_in_a_full_village_window():
    """200 open reports of another problem (a busy village's window): the one that says the
    same as the new message is found, and none when it is absent."""
    candidates = [(i, f"{i}号村民反映村口路灯坏了晚上看不见") for i in range(200)]
    assert nlp.find_duplicate("村口水管爆了", candidates) is None
    assert nlp.find_duplicate("村口水管爆了", candidates[:120] + [("P", "村口的自来水管爆裂了")] + candidates[120:]) == "P"


def test_cached_features_follow_new_words():
    """features() is cached; a word taught later (a village name from the database)
    must show in the features of a text seen before."""
    from nlp.similarity import features

    text = "我们嘎洛拉措村的水管爆了"
    assert "w:嘎洛拉措村" not in features(text).weights
    nlp.add_words(["嘎洛拉措村"])
    assert "w:嘎洛拉措村" in features(text).weights
    assert nlp.similarity(text, "嘎洛拉措村水管爆了") > 0.5


def test_faq_questions_follow_new_words():
    from nlp import tokenizer
    from nlp.faq import FaqEntry, FaqIndex

    index = FaqIndex([FaqEntry("grass", ("扎洛措玛草场补贴怎么领",), "去乡里问。", ("补贴",))])
    assert "w:扎洛措玛" not in index._questions[0][0].weights
    nlp.add_words(["扎洛措玛"])
    index.scores("扎洛措玛草场补贴怎么领？")
    assert index._generation == tokenizer.generation()
    assert "w:扎洛措玛" in index._questions[0][0].weights


def test_idf_reset_by_another_thread_does_not_break_features(monkeypatch):
    """A gthread worker's other thread may teach jieba a word (a new village) while this
    one is weighting a message: _check_generation then drops the IDF table. The table
    this thread loaded must still be the one it uses (it used to re-read the global
    after the lock and got None: AttributeError on every such message)."""
    from nlp import similarity, tokenizer

    real = similarity._idf_lock

    class OtherThreadRunsRightAfterRelease:
        armed = True

        def __enter__(self):
            real.acquire()

        def __exit__(self, *exc):
            real.release()
            if self.armed:  # what another thread may do the moment the lock is free
                self.armed = False
                monkeypatch.setattr(tokenizer, "_generation", tokenizer.generation() + 1)
                similarity._check_generation()
            return False

    similarity._check_generation()
    monkeypatch.setattr(similarity, "_idf", None)  # not loaded yet: this call loads it
    similarity._cached_features.cache_clear()
    monkeypatch.setattr(similarity, "_idf_lock", OtherThreadRunsRightAfterRelease())
    assert similarity._cached_features("村口的水管爆了到处是水").weights


# ---- issue 12: boilerplate, names and numbers are no evidence of sameness -------------------
OPENING = "书记您好，打扰了，我是三社的才让，"
SIGN_OFF = "，麻烦尽快处理，谢谢！才让 13897654321"


@pytest.mark.parametrize("a, b", [
    ("村口的路灯坏了", "变压器冒烟了，很危险"),
    ("村口的水管爆了", "路上有个大坑"),
    ("我家低保这个月没到账", "学校门口的路灯不亮了"),
    ("家里停电了", "家里漏水了"),
    ("村委会旁边的电线杆歪了，很危险", "村委会旁边的墙塌了，很危险"),
])
def test_shared_opening_and_sign_off_do_not_make_a_duplicate(a, b):
    assert nlp.similarity(a, b) < DUPLICATE_THRESHOLD
    assert nlp.similarity(OPENING + a + SIGN_OFF, OPENING + b + SIGN_OFF) < DUPLICATE_THRESHOLD


def test_the_same_problem_with_different_boilerplate_still_is():
    a = "村口的水管爆了，到处是水"
    b = "书记您好，我是二组的卓玛，村口的自来水管爆裂了，水流了一地，麻烦尽快处理，谢谢 13912345678"
    assert nlp.similarity(a, b) >= DUPLICATE_THRESHOLD


@pytest.mark.parametrize("text, left", [
    ("书记您好，打扰了，我是三社的才让，村口的路灯坏了，麻烦尽快处理，谢谢！才让 13897654321", "村口的路灯坏了"),
    ("尊敬的村领导：您好！我是恩乃村的牧民多杰，草场被人占了。希望尽快解决，谢谢！联系电话：13897001122", "草场被人占了"),
    ("您好，身份证号63262119800101123X，医保报销的钱没到，辛苦您了", "医保报销的钱没到"),
    ("【村民反映】三社的水渠堵了。——三社 才让", "三社的水渠堵了"),
    ("谢谢书记，辛苦了", ""),
])
def test_problem_text_keeps_only_the_problem(text, left):
    from nlp.similarity import problem_text

    assert problem_text(text) == left


def test_same_thing_other_trouble_or_other_she_is_another_problem():
    assert nlp.similarity("我家的牦牛生病了", "我家的牦牛丢了两头") < DUPLICATE_THRESHOLD
    assert nlp.similarity("三社的路灯坏了", "五社的路灯坏了") < DUPLICATE_THRESHOLD
    assert nlp.similarity("三社的路灯坏了", "3社路灯坏了好几天了") >= DUPLICATE_THRESHOLD


def test_habitual_clauses_of_the_villager_count_for_nothing():
    """A clause the villager also wrote in their other messages (a sign-off of their own that no
    pattern knows) is dropped before comparing with another villager's message."""
    habit = "，草场的事就是大家的事"  # a motto of the villager's: it names a thing (草场)
    mine, other = "村口的路灯坏了" + habit, "村里的大喇叭坏了" + habit
    # a clause both messages have word for word is no evidence either, even without `own`
    assert nlp.find_duplicate(mine, [("R", other)]) is None
    assert nlp.find_duplicate(mine, [("R", other)], own=["羊圈的门坏了" + habit]) is None
    assert nlp.find_duplicate("村口路灯坏了", [("R", "村口的路灯坏了，晚上黑")], own=["羊圈的门坏了" + habit]) == "R"
