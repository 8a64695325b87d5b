"""A sick animal goes to the industry team, a sick person to welfare (docs/labels.md rule 1).

The audit found "我家牛生病了" assigned to the welfare team. None of these
messages is in the seed corpus (nlp/data/seed_sentences_g.py holds the herd-health
sentences written for the fix, phrased differently), so this checks that the
model learned the rule, not the sentences.
"""
from __future__ import annotations

import csv

import pytest

from nlp import paths

SICK_ANIMALS = [
    "我家牛生病了",  # the audit's message
    "羊生病了找谁给看看",
    "兽医站的人能不能来一趟，我家牦牛发高烧",
    "小牛犊子病了，买药花了好多钱也不见好，有没有补助",  # money words, but for a calf
    "羊羔子一个个没精神，耳朵耷拉着",
    "牦牛腿肿了走不了路",
    "有只母羊一只眼睛看不见了，是不是得了什么病",
    "牦牛生了病找兽医要花多少钱",
]
SICK_PEOPLE = [
    "我妈生病了",
    "孩子发高烧到三十九度，家里没钱去医院",
    "老伴病了好几天了 没人陪着去看",
    "阿爸住院了，看病的钱不够",
    "我咳嗽了半个月 卫生室的药不管用",
]


def test_the_messages_are_not_in_the_seed_corpus():
    with open(paths.SEED_CORPUS, encoding="utf-8", newline="") as fh:
        corpus = {row["text"] for row in csv.DictReader(fh)}
    assert not corpus & set(SICK_ANIMALS + SICK_PEOPLE)


@pytest.mark.parametrize("text", SICK_ANIMALS)
def test_a_sick_animal_goes_to_industry(router, text):
    result = router.classify(text)
    assert result.label == "industry", result
    assert result.intent == "problem"


@pytest.mark.parametrize("text", SICK_PEOPLE)
def test_a_sick_person_goes_to_welfare(router, text):
    result = router.classify(text)
    assert result.label == "welfare", result
    assert result.intent == "problem"
