"""jieba with our dictionaries, normalisation and stop words."""
from __future__ import annotations

import pickle
from pathlib import Path

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


def test_tokens_cut_before_new_words_are_not_remembered_after():
    """A gunicorn thread cuts a text while another thread teaches jieba a village name:
    the old cut must not land in the cache after add_words emptied it."""
    from nlp import tokenizer

    text = "俄日格乌苏村的水渠堵了"
    cut_at = tokenizer.generation()
    old = tokenizer.cut_normalized(normalize(text))  # the first thread, old dictionary
    assert "俄日格乌苏村" not in old
    add_words(["俄日格乌苏村"])  # the second thread
    tokenizer.remember_tokens(text, old, cut_at)  # the first thread stores its result late
    assert "俄日格乌苏村" in tokenize(text)


def test_jieba_cache_is_reused_by_the_next_process(var_dir):
    """The dictionary cache is written once, readable by the app's other users, and a new
    process reads it rather than rebuilding it (which would rewrite the file)."""
    import os
    import subprocess
    import sys

    from nlp import paths

    tokenize("路灯")
    cache = var_dir / "jieba" / "jieba.cache"
    if Path(jieba.dt.tmp_dir) != cache.parent:  # jieba was set up by an earlier test package
        cache = Path(jieba.dt.tmp_dir) / "jieba.cache"
    assert cache.is_file()
    before = cache.stat()
    assert before.st_mode & 0o044 == 0o044
    env = {**os.environ, "CUNSHENG_VAR_DIR": str(cache.parent.parent), "PYTHONWARNINGS": "error"}
    code = "from nlp import tokenize; print(tokenize('村口的路灯坏了'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_DIR, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "路灯" in out.stdout
    after = cache.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
