"""Routing a villager's message: label, intent, priority, tier, evidence."""
from __future__ import annotations

import json
import shutil

import pytest

from nlp import Classification, LABELS, get_router

REPRESENTATIVE = {
    "ecology": [
        "村口的垃圾好几天没人拉了，臭得不行",
        "我家草场上老鼠洞太多了，草都被吃光了",
        "有人往沙柳河里倒垃圾",
    ],
    "industry": [
        "今年牦牛价格太低了，卖不出去，合作社能不能帮忙找销路",
        "想参加县里的技能培训，怎么报名",
        "合作社的分红什么时候发",
    ],
    "welfare": [
        "我家的地保三个月没到账了",
        "老人住院的医疗报销怎么还没下来",
        "孩子初中没读完就不去学校了，怎么劝都不听",
    ],
    "governance": [
        "村东头的路灯坏了一个月了",
        "自来水管冻裂了，家里没水吃",
        "有人冒充公安打电话让我转钱",
    ],
    "culture": [
        "什么时候来村里宣讲新政策",
        "农家书屋一直不开门，想借书借不到",
        "结婚彩礼太高了，村里能不能管一管",
    ],
    "wish": [
        "微心愿：孩子想要一个新书包",
        "我和老伴冬天冷，想要一床厚棉被",
        "家里电饭锅坏了，想要一个电饭锅",
    ],
}


@pytest.mark.parametrize(
    "label,text", [(label, text) for label, texts in REPRESENTATIVE.items() for text in texts]
)
def test_representative_message_goes_to_its_team(router, label, text):
    result = router.classify(text)
    assert result.label == label, result
    assert 0.0 < result.confidence <= 1.0
    assert result.runner_up in LABELS and result.runner_up != label
    assert result.runner_up_confidence <= result.confidence
    assert result.model_version == router.version


def test_classification_carries_evidence_words_and_serialises(router):
    result = router.classify("我家的低保被取消了，老人看病也报销不了")
    assert isinstance(result, Classification)
    assert result.label == "welfare"
    assert 1 <= len(result.evidence) <= 5
    assert "低保" in result.evidence
    data = result.to_dict()
    assert set(data) == {
        "label", "confidence", "runner_up", "runner_up_confidence", "evidence",
        "model_version", "intent", "priority", "tier", "faq_id", "faq_answer",
    }
    json.dumps(data, ensure_ascii=False)


def test_typo_is_normalised_before_classification(router):
    assert router.classify("地保什么时候发").label == "welfare"
    assert router.classify("拉圾没人收").label == "ecology"


def test_wish_label_means_wish_intent_and_problem_otherwise(router):
    assert router.classify("想要一台轮椅给我爷爷").intent == "wish"
    assert router.classify("路灯坏了").intent == "problem"


def test_explicit_wish_prefix_wins_for_a_household_object(router):
    result = router.classify("心愿：给我阿奶要一个暖水袋 她晚上脚冷")
    assert result.label == "wish" and result.intent == "wish"
    assert result.confidence >= 0.8
    assert result.confidence + result.runner_up_confidence <= 1.0 + 1e-9


def test_a_wish_prefix_on_a_public_improvement_goes_to_the_team(router):
    # docs/labels.md rule 7: the need, not the words
    result = router.classify("心愿：村里的路灯能亮起来")
    assert result.label == "governance" and result.intent == "problem"


@pytest.mark.parametrize("text", [
    "着火了！果洛藏贡麻村有一家房子着火了",
    "发大水了，河边的房子被淹了",
    "我阿爸从马上摔下来受伤了，流了好多血",
    "孩子不见了，找了一下午都没找到",
    "羊一批一批地死，好几十只了，是不是疫情",
])
def test_emergencies_are_urgent(router, text):
    assert router.classify(text).priority == "urgent"


@pytest.mark.parametrize("text", [
    "路灯坏了",
    "合作社分红什么时候发",
    "我家牛没有受伤，就是走丢了一只羊",
])
def test_ordinary_messages_are_normal_priority(router, text):
    result = router.classify(text)
    assert result.priority == "normal", result


@pytest.mark.parametrize("text", [
    "全村的自来水停了三天了",
    "我们好几户的草场被占了",
    "几十户牧民的补奖都没发",
])
def test_large_groups_are_complex(router, text):
    assert router.classify(text).tier == "complex"


def test_single_household_problem_is_general(router):
    assert router.classify("我家门口的路灯坏了").tier == "general"


def test_several_teams_in_one_message_is_complex(router):
    text = "低保被取消了，路灯也坏了，垃圾也没人拉，合作社分红也不发"
    assert router.classify(text).tier == "complex"


@pytest.mark.parametrize("text,intent", [
    ("", "empty"),
    ("   ", "empty"),
    ("？？？！！", "empty"),
    ("👍👍🙏", "empty"),
    ("hello, is anyone there?", "non_chinese"),
    ("བཀྲ་ཤིས་བདེ་ལེགས།", "non_chinese"),
    ("ok", "chatter"),
    ("123456", "chatter"),
    ("GC-2026-000001", "query"),
])
def test_text_without_han_gets_no_label(router, text, intent):
    result = router.classify(text)
    assert result.label is None and result.runner_up is None
    assert result.confidence == 0.0
    assert result.intent == intent
    assert result.evidence == []
    assert router.classify_many(["路灯坏了", text])[1] == result


@pytest.mark.parametrize("text", [
    "路灯坏了" * 500,
    "🙏" * 2000,
    "བཀྲ་ཤིས་ 草场 abc 😀 垃圾 \u200b\x00\ufffd",
    "草" + "\n" * 1999,
    None,
])
def test_odd_input_never_raises(router, text):
    result = router.classify(text)
    assert result.intent in {"problem", "wish", "query", "greeting", "thanks", "cancel", "chatter", "empty",
                             "non_chinese"}


def test_intents_through_the_router(router):
    assert router.classify("你好").intent == "greeting"
    assert router.classify("谢谢书记").intent == "thanks"
    assert router.classify("取消我刚才的问题").intent == "cancel"
    assert router.classify("我上次反映的问题怎么样了").intent == "query"
    assert router.classify("办好了没有").intent == "query"
    assert router.classify("嗯嗯").intent == "chatter"


def test_router_is_cached_per_process(router, var_dir):
    assert get_router(var_dir / "models") is router


def test_router_picks_up_a_newer_model_without_restart(trained, tmp_path):
    version_dir, meta = trained
    root = tmp_path / "models"
    shutil.copytree(version_dir, root / meta["version"])
    router = get_router(root)
    assert router.version == meta["version"]

    newer = dict(meta, version="seed-29991231-newer000", created_at="2999-12-31T00:00:00.000000+00:00")
    target = root / newer["version"]
    shutil.copytree(version_dir, target)
    (target / "meta.json").write_text(json.dumps(newer), encoding="utf-8")

    router.reload_interval = 3600
    router.classify("路灯坏了")
    assert router.version == meta["version"]  # not checked again yet

    router.reload_interval = 0
    result = router.classify("路灯坏了")
    assert router.version == "seed-29991231-newer000"
    assert result.model_version == "seed-29991231-newer000"


def test_models_of_another_sklearn_version_are_ignored(trained, tmp_path):
    from nlp import store

    version_dir, meta = trained
    root = tmp_path / "models"
    old = dict(meta, version="seed-old", created_at="2999-01-01T00:00:00+00:00", sklearn_version="0.0.1")
    shutil.copytree(version_dir, root / "seed-old")
    (root / "seed-old" / "meta.json").write_text(json.dumps(old), encoding="utf-8")
    assert store.newest_model(root) is None
    shutil.copytree(version_dir, root / meta["version"])
    assert store.newest_model(root)[1]["version"] == meta["version"]


def test_get_router_trains_from_seed_when_no_model_exists(tmp_path):
    router = get_router(tmp_path / "empty-models")
    assert router.version.startswith("seed-")
    assert (tmp_path / "empty-models" / router.version / "model.joblib").is_file()
    assert router.classify("垃圾没人拉").label == "ecology"


def test_fast_scoring_matches_scikit_learn(router):
    """The compiled per-message path reproduces the pipeline's own numbers."""
    import csv

    import numpy as np

    from nlp import paths
    from nlp.tokenizer import normalize

    loaded = router._loaded
    assert loaded.compiled is not None
    with open(paths.SEED_CORPUS, encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)][::25]
    for text in texts + ["路灯 abc 🙏" * 50, "？"]:
        norm = normalize(text)
        idx, val, proba, _ = loaded.scores(norm)
        x = loaded.features.transform([norm]).tocsr()
        x.sort_indices()
        assert list(x.indices) == list(idx)
        np.testing.assert_allclose(x.data, val, atol=1e-12)
        np.testing.assert_allclose(loaded.clf.predict_proba(x)[0], proba, atol=1e-9)
