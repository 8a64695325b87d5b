"""jieba with our dictionaries, normalisation and stop words."""
from __future__ import annotations

import pickle

import jieba

from nlp import add_words, tokenize
from nlp.tokenizer import normalize


def test_domain_words_stay_whole(var_dir):
    tokens = tokenize("果洛藏贡麻村的牦牛和藏羊在冬窝子")
    for word in ("果洛藏贡麻村", "牦牛", "藏羊", "冬窝子"):
        assert word in tokens


def test_typos_are_normalised():
    assert "低保" in tokenize("地保什么时候发")
    assert normalize("医疗报消") == "医疗报销"
    assert "垃圾" in tokenize("拉圾没人收")


def test_stop_words_and_punctuation_are_dropped():
    tokens = tokenize("我的，低保！！呢？")
    assert tokens == ["低保"]


def test_empty_and_odd_input():
    assert tokenize("") == []
    assert tokenize("🙏🙏") == []
    assert tokenize(None) == []


def test_jieba_cache_lives_in_an_app_owned_dir(var_dir):
    from pathlib import Path

    from nlp import paths

    tokenize("路灯")
    assert paths.jieba_dir() == var_dir / "jieba"
    # set at first initialisation (possibly by an earlier test package's var dir)
    assert jieba.dt.tmp_dir and Path(jieba.dt.tmp_dir).name == "jieba"
    assert Path(jieba.dt.tmp_dir).is_dir()


def test_add_words_teaches_new_place_names():
    add_words(["查干达来村"])
    assert "查干达来村" in tokenize("我是查干达来村的")


def test_tokenize_is_picklable():
    assert pickle.loads(pickle.dumps(tokenize)) is tokenize


def test_add_words_again_changes_nothing():
    """The app re-adds its village names every minute: only new words count, and jieba's
    total frequency (which weighs every cut) does not creep up."""
    from nlp import tokenizer

    assert add_words(["尕玛囊谦滩"]) == 1
    total, generation = jieba.dt.total, tokenizer.generation()
    assert add_words(["尕玛囊谦滩", " 尕玛囊谦滩 ", "", None, "两 个"]) == 0
    assert jieba.dt.total == total and tokenizer.generation() == generation
    assert "尕玛囊谦滩" in tokenize("住在尕玛囊谦滩的牧户")


def test_add_words_forgets_cached_tokens():
    text = "我们夏日哈木寺村的路灯坏了"
    assert "夏日哈木寺村" not in tokenize(text)
    add_words(["夏日哈木寺村"])
    assert "夏日哈木寺村" in tokenize(text)
